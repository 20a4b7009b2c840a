//! always, never, sometimes, eventually and at_end over hand-built traces.

#[path = "check_util/mod.rs"]
mod util;

use otpsim::scenario::spec::{Check, EndCond, StateCond};
use util::*;

fn alive(path: &str) -> StateCond {
    StateCond::Alive(path.to_string())
}

/// root, and root/db: restarted at 10s in zero time, dead from 20s to 25s.
fn db_trace() -> Tr {
    let mut tr = Tr::new();
    tr.at(0).spawn(1, "root").spawn(2, "root/db");
    tr.at(s(10)).crash_restart(1, "db", "root/db", 2, 3);
    tr.at(s(20)).exit(3, "boom");
    tr.at(s(25))
        .spawn(4, "root/db")
        .child_start(1, "db", 4, "restart");
    tr.at(s(30)).spawn(9, "root/blip").exit(9, "normal");
    tr
}

#[test]
fn always_sees_the_gap_but_not_a_zero_time_restart() {
    let tr = db_trace();
    let (ok, detail) = verdict(Check::Always(alive("root/db"), all()), &tr.events, s(60));
    assert!(!ok);
    assert_eq!(
        detail,
        "root/db alive did not hold at 20s (1 of 5 instants in [0s, 1m); last at 20s)"
    );
    let (ok, detail) = verdict(
        Check::Always(alive("root/db"), window(0, Some(20))),
        &tr.events,
        s(60),
    );
    assert!(ok, "{detail}");
    assert_eq!(detail, "root/db alive at all 2 instants in [0s, 20s)");
}

#[test]
fn a_window_starting_between_events_sees_the_state_carried_over() {
    let tr = db_trace();
    // No event in [21s, 24s): the state at 21s is the one left at 20s.
    let (ok, detail) = verdict(
        Check::Always(alive("root/db"), window(21, Some(24))),
        &tr.events,
        s(60),
    );
    assert!(!ok);
    assert_eq!(
        detail,
        "root/db alive did not hold at 21s (1 of 1 instants in [21s, 24s); last at 21s)"
    );
    let (ok, _) = verdict(
        Check::Always(alive("root/db"), window(26, Some(28))),
        &tr.events,
        s(60),
    );
    assert!(ok);
}

#[test]
fn never() {
    let tr = db_trace();
    let (ok, detail) = verdict(
        Check::Never(alive("root/db"), window(21, Some(25))),
        &tr.events,
        s(60),
    );
    assert!(ok, "{detail}");
    let (ok, detail) = verdict(
        Check::Never(alive("root/db"), window(21, Some(26))),
        &tr.events,
        s(60),
    );
    assert!(!ok);
    assert_eq!(
        detail,
        "root/db alive held at 25s (1 of 2 instants in [21s, 26s); last at 25s)"
    );
}

#[test]
fn sometimes() {
    let tr = db_trace();
    let check = |from, until| Check::Sometimes(alive("root/db"), window(from, Some(until)));
    let (ok, detail) = verdict(check(20, 25), &tr.events, s(60));
    assert!(!ok);
    assert_eq!(
        detail,
        "root/db alive held at none of 1 instants in [20s, 25s)"
    );
    let (ok, detail) = verdict(check(20, 26), &tr.events, s(60));
    assert!(ok);
    assert_eq!(
        detail,
        "root/db alive first held at 25s (1 of 2 instants in [20s, 26s))"
    );
    // Alive and dead within one instant: never observably alive.
    let (ok, _) = verdict(
        Check::Sometimes(alive("root/blip"), all()),
        &tr.events,
        s(60),
    );
    assert!(!ok);
}

#[test]
fn eventually_must_hold_before_by_and_still_at_by() {
    let tr = db_trace();
    let check = |from, by| Check::Eventually(alive("root/db"), window(from, Some(by)));
    let (ok, detail) = verdict(check(20, 30), &tr.events, s(60));
    assert!(ok, "{detail}");
    assert_eq!(detail, "root/db alive from 25s on, still at 30s");
    let (ok, detail) = verdict(check(20, 24), &tr.events, s(60));
    assert!(!ok);
    assert_eq!(detail, "root/db alive never held between 20s and 24s");
    // Held at 0s and 10s, but down again at 22s.
    let (ok, detail) = verdict(check(0, 22), &tr.events, s(60));
    assert!(!ok);
    assert_eq!(
        detail,
        "root/db alive held at 0s but not at 22s (last held at 10s)"
    );
    // Back exactly at `by`: not before it, so not eventually.
    let (ok, _) = verdict(check(20, 25), &tr.events, s(60));
    assert!(!ok);
    // `by` after the end of the run: the final state counts.
    let (ok, detail) = verdict(check(20, 90), &tr.events, s(60));
    assert!(ok, "{detail}");
    assert!(
        detail.ends_with("still at 1m30s (the run ended at 1m)"),
        "{detail}"
    );
}

#[test]
fn breaker_states() {
    let mut tr = Tr::new();
    tr.at(0).spawn(5, "root/cb").breaker(5, "closed");
    tr.at(s(5)).breaker(5, "open");
    tr.at(s(15)).breaker(5, "half_open");
    tr.at(s(16)).breaker(5, "closed");
    let state = |st: &str| StateCond::BreakerState("root/cb".into(), st.into());
    let (ok, _) = verdict(
        Check::Always(state("closed"), window(0, Some(5))),
        &tr.events,
        s(60),
    );
    assert!(ok);
    let (ok, detail) = verdict(Check::Never(state("open"), all()), &tr.events, s(60));
    assert!(!ok);
    assert_eq!(
        detail,
        "breaker root/cb open held at 5s (1 of 4 instants in [0s, 1m); last at 5s)"
    );
    let (ok, detail) = verdict(
        Check::Eventually(state("closed"), window(5, Some(20))),
        &tr.events,
        s(60),
    );
    assert!(ok, "{detail}");
    let (ok, _) = verdict(
        Check::Sometimes(state("half_open"), all()),
        &tr.events,
        s(60),
    );
    assert!(ok);
}

#[test]
fn at_end() {
    let tr = db_trace();
    let end = |c| verdict(Check::AtEnd(c), &tr.events, s(60));
    assert_eq!(
        end(EndCond::Alive("root/db".into())),
        (true, "root/db alive at the end (1m)".to_string())
    );
    assert_eq!(
        end(EndCond::Dead("root/db".into())),
        (false, "root/db still alive at the end (1m)".to_string())
    );
    assert!(end(EndCond::Dead("root/blip".into())).0);
    assert_eq!(
        end(EndCond::Children("root".into(), 1)),
        (
            true,
            "root has 1 live children at the end (1m), 1 expected".to_string()
        )
    );
    assert!(!end(EndCond::Children("root".into(), 2)).0);
}

#[test]
fn results_keep_the_scenario_order_and_names() {
    let tr = db_trace();
    let sc = scenario(vec![
        Check::AtEnd(EndCond::Alive("root".into())),
        Check::AtEnd(EndCond::Alive("root/nope".into())),
    ]);
    let results = otpsim::check::evaluate(&sc, &tr.events, s(60));
    let got: Vec<(&str, bool)> = results
        .iter()
        .map(|r| (r.name.as_str(), r.passed))
        .collect();
    assert_eq!(got, [("e0", true), ("e1", false)]);
    assert!(otpsim::check::evaluate(&scenario(vec![]), &tr.events, s(60)).is_empty());
}
