//! count expectations: crashes, restarts, escalations, kills over budget, breaker
//! openings and faults, by path or pattern, in windows.

#[path = "check_util/mod.rs"]
mod util;

use otpsim::scenario::spec::{Check, EventMatch, Window};
use util::*;

fn count(what: EventMatch, w: Window, at_least: Option<u64>, at_most: Option<u64>) -> Check {
    Check::Count {
        what,
        window: w,
        at_least,
        at_most,
    }
}

/// root (1) over root/db (2) over root/db/conn1 (3); conn1 crashes at 1s, 2s, 3s and
/// is restarted each time; then db's intensity is exceeded at 3s.
fn flapping() -> Tr {
    let mut tr = Tr::new();
    tr.at(0)
        .spawn(1, "root")
        .spawn(2, "root/db")
        .spawn(3, "root/db/conn1")
        .child_start(2, "conn1", 3, "init");
    tr.at(s(1)).crash_restart(2, "conn1", "root/db/conn1", 3, 4);
    tr.at(s(2)).crash_restart(2, "conn1", "root/db/conn1", 4, 5);
    tr.at(s(3))
        .exit(5, "boom")
        .intensity(2, "conn1")
        .exit(2, "shutdown");
    tr.at(s(3))
        .spawn(6, "root/db")
        .child_start(1, "db", 6, "restart");
    // Clean exits are not crashes.
    tr.at(s(4)).spawn(7, "root/tmp").exit(7, "normal");
    tr.at(s(4)).spawn(8, "root/tmp").exit(8, "{shutdown, done}");
    tr
}

#[test]
fn crashes_by_path_and_pattern() {
    let tr = flapping();
    let crash = |p: &str| EventMatch::Crash(p.to_string());
    let (ok, detail) = verdict(
        count(crash("root/db/conn1"), all(), Some(3), Some(3)),
        &tr.events,
        s(10),
    );
    assert!(ok, "{detail}");
    assert_eq!(
        detail,
        "3 crashes of root/db/conn1 in [0s, 10s), exactly 3 expected; reached at 3s"
    );
    let (ok, detail) = verdict(
        count(crash("root/**"), all(), None, Some(2)),
        &tr.events,
        s(10),
    );
    assert!(!ok);
    assert_eq!(
        detail,
        "3 crashes of root/** in [0s, 10s), at most 2 allowed; first over the bound at 3s"
    );
    let (ok, _) = verdict(
        count(crash("root/tmp"), all(), None, Some(0)),
        &tr.events,
        s(10),
    );
    assert!(ok, "normal and {{shutdown, _}} are not crashes");
    let (ok, detail) = verdict(
        count(crash("root/*"), all(), Some(1), None),
        &tr.events,
        s(10),
    );
    assert!(!ok, "db itself exits with shutdown: {detail}");
    assert_eq!(
        detail,
        "0 crashes of root/* in [0s, 10s), at least 1 expected"
    );
}

#[test]
fn restarts_in_a_window() {
    let tr = flapping();
    let restart = |p: &str| EventMatch::Restart(p.to_string());
    let (ok, detail) = verdict(
        count(restart("root/db/conn1"), all(), None, Some(1)),
        &tr.events,
        s(10),
    );
    assert!(!ok);
    assert_eq!(
        detail,
        "2 restarts of root/db/conn1 in [0s, 10s), at most 1 allowed; first over the bound at 2s"
    );
    let (ok, detail) = verdict(
        count(restart("root/db/conn1"), window(2, Some(10)), None, Some(1)),
        &tr.events,
        s(10),
    );
    assert!(ok, "{detail}");
    let (ok, _) = verdict(
        count(restart("root/db"), all(), Some(1), Some(1)),
        &tr.events,
        s(10),
    );
    assert!(ok);
    // The initial start is not a restart.
    let (ok, _) = verdict(
        count(restart("root/**"), all(), Some(3), Some(3)),
        &tr.events,
        s(10),
    );
    assert!(ok);
}

#[test]
fn escalations_and_kills_over_budget() {
    let mut tr = flapping();
    tr.at(s(5)).shutdown_timeout(1, "db", 6);
    let (ok, _) = verdict(
        count(
            EventMatch::Escalation("root/db".into()),
            all(),
            Some(1),
            None,
        ),
        &tr.events,
        s(10),
    );
    assert!(ok);
    let (ok, detail) = verdict(
        count(EventMatch::Escalation("root".into()), all(), Some(1), None),
        &tr.events,
        s(10),
    );
    assert!(!ok);
    assert_eq!(
        detail,
        "0 escalations of root in [0s, 10s), at least 1 expected"
    );
    let (ok, detail) = verdict(
        count(
            EventMatch::KilledOverBudget("root/db".into()),
            all(),
            None,
            Some(0),
        ),
        &tr.events,
        s(10),
    );
    assert!(!ok);
    assert_eq!(
        detail,
        "1 kill over budget of root/db in [0s, 10s), at most 0 allowed; first over the bound at 5s"
    );
}

#[test]
fn breaker_openings_count_transitions() {
    let mut tr = Tr::new();
    tr.at(0).spawn(5, "root/cb").breaker(5, "closed");
    tr.at(s(1)).breaker(5, "open");
    tr.at(s(2)).breaker(5, "open"); // a repeat is not a new opening
    tr.at(s(3)).breaker(5, "half_open");
    tr.at(s(4)).breaker(5, "open");
    tr.at(s(5))
        .exit(5, "boom")
        .spawn(6, "root/cb")
        .breaker(6, "open");
    let open = EventMatch::BreakerOpen("root/cb".into());
    let (ok, detail) = verdict(
        count(open.clone(), all(), Some(3), Some(3)),
        &tr.events,
        s(10),
    );
    assert!(ok, "{detail}");
    let (ok, detail) = verdict(
        count(open, window(0, Some(4)), Some(2), None),
        &tr.events,
        s(10),
    );
    assert!(!ok);
    assert_eq!(
        detail,
        "1 breaker opening of root/cb in [0s, 4s), at least 2 expected; first at 1s"
    );
}

#[test]
fn faults_by_target_without_misses_and_resumes() {
    let mut tr = Tr::new();
    tr.at(s(1)).fault("root/db/conn1", "crash", "random");
    tr.at(s(2)).fault("root/db/conn2", "pause", "scheduled");
    tr.at(s(3)).fault("root/db/conn2", "resume", "scheduled");
    tr.at(s(4)).fault("root/db/conn3", "missed", "random");
    let fault = |p: &str| EventMatch::Fault(p.to_string());
    let (ok, detail) = verdict(
        count(fault("root/db/*"), all(), Some(2), Some(2)),
        &tr.events,
        s(10),
    );
    assert!(ok, "{detail}");
    let (ok, _) = verdict(
        count(fault("root/db/conn3"), all(), Some(1), None),
        &tr.events,
        s(10),
    );
    assert!(!ok);
    let (ok, detail) = verdict(
        count(fault("root/db/conn1"), window(2, None), None, Some(0)),
        &tr.events,
        s(10),
    );
    assert!(ok, "{detail}");
    assert_eq!(
        detail,
        "0 faults of root/db/conn1 in [2s, 10s), at most 0 allowed"
    );
}

#[test]
fn dynamic_children_are_counted_by_their_labels() {
    let mut tr = Tr::new();
    tr.at(0)
        .spawn(1, "root")
        .spawn(2, "root/dyn")
        .spawn(3, "root/dyn/w1");
    tr.push(otpsim::trace::EventKind::ChildStart {
        sup: pid(2),
        id: term("undefined"),
        pid: Some(pid(3)),
        result: term("ok"),
        cause: otpsim::term::Atom::new("start_child"),
    });
    tr.at(s(1)).exit(3, "boom").spawn(4, "root/dyn/w1");
    tr.push(otpsim::trace::EventKind::ChildStart {
        sup: pid(2),
        id: term("undefined"),
        pid: Some(pid(4)),
        result: term("ok"),
        cause: otpsim::term::Atom::new("restart"),
    });
    let (ok, detail) = verdict(
        count(
            EventMatch::Restart("root/dyn/w1".into()),
            all(),
            Some(1),
            Some(1),
        ),
        &tr.events,
        s(10),
    );
    assert!(ok, "{detail}");
}
