//! The run summary, added up from a hand-built trace.

#[path = "check_util/mod.rs"]
mod util;

use otpsim::check::ExpectationResult;
use otpsim::kernel::{Outcome, RunReport};
use otpsim::report::Summary;
use util::*;

fn trace() -> Tr {
    let mut tr = Tr::new();
    tr.at(0)
        .spawn(1, "root")
        .spawn(2, "root/db")
        .child_start(1, "db", 2, "init")
        .spawn(3, "root/cb")
        .child_start(1, "cb", 3, "init")
        .breaker(3, "closed")
        .spawn(10, "workload/web");
    tr.at(s(1)).fault("root/db", "crash", "scheduled");
    tr.push(otpsim::trace::EventKind::ChildExitSeen {
        sup: pid(1),
        id: term("db"),
        pid: pid(2),
        reason: term("boom"),
        decision: otpsim::term::Atom::new("restart"),
    });
    // SUP-14: the restart is counted first; its window holds it alone, of 3 allowed.
    tr.push(otpsim::trace::EventKind::RestartCounted {
        sup: pid(1),
        id: term("db"),
        stamp_s: 1,
        window_len: 1,
        max: 3,
    });
    tr.crash_restart(1, "db", "root/db", 2, 4);
    tr.at(s(2))
        .breaker(3, "open")
        .outcome(10, "ok", 1_000)
        .outcome(10, "ok", 3_000)
        .outcome(10, "rejected", 10)
        .outcome(10, "timeout", 500_000);
    tr.at(s(3))
        .fault("root/db", "exit", "random")
        .fault("root/gone", "missed", "random")
        .breaker(3, "half_open")
        .breaker(3, "closed");
    tr
}

fn summary(expectations: Vec<ExpectationResult>) -> Summary {
    let tr = trace();
    let report = RunReport {
        outcome: Outcome::DurationReached { at_us: s(5) },
        fingerprint: 0x00c0_ffee,
        events: tr.events.len() as u64,
        virtual_time_us: s(5),
    };
    Summary::new("demo", 7, &report, &tr.events, expectations)
}

fn verdicts() -> Vec<ExpectationResult> {
    vec![
        ExpectationResult {
            name: "db up".into(),
            passed: true,
            detail: "fine".into(),
        },
        ExpectationResult {
            name: "few restarts".into(),
            passed: false,
            detail: "1 restart, at most 0 allowed".into(),
        },
    ]
}

#[test]
fn text() {
    let s = summary(verdicts());
    assert!(!s.passed());
    assert_eq!(
        s.to_text(),
        "\
scenario demo, seed 7
run: 22 events, 5s of virtual time, duration_reached, fingerprint 0000000000c0ffee
crashes: 1
supervisors:
  root  1 child crashes, 1 restarts, 0 escalations, window peak 1 of 3
clients:
  web  4 calls: 2 ok, 0 errors, 1 timeouts, 1 rejected; success 50.0%; p50 1ms, p99 500ms
breakers:
  root/cb  1 trip, closed at the end
faults: 2 injected (1 crash, 1 exit), 1 of them random, 1 missed
expectations: 1 of 2 passed
  ok    db up: fine
  FAIL  few restarts: 1 restart, at most 0 allowed
"
    );
}

#[test]
fn json() {
    let v = summary(verdicts()).to_json();
    assert_eq!(v["fingerprint"], "0000000000c0ffee");
    assert_eq!(v["events"], 22);
    assert_eq!(v["virtual_time_us"], 5_000_000);
    assert_eq!(v["outcome"], "duration_reached");
    assert_eq!(v["seed"], 7);
    assert_eq!(v["passed"], false);
    assert_eq!(v["crashes"], 1);
    assert_eq!(
        v["supervisors"],
        serde_json::json!([{"path": "root", "child_crashes": 1, "restarts": 1, "escalations": 0,
            "window_peak": 1, "max_restarts": 3}])
    );
    assert_eq!(
        v["clients"],
        serde_json::json!([{"id": "web", "calls": 4, "ok": 2, "errors": 0, "timeouts": 1,
            "rejected": 1, "success_ratio": 0.5, "p50_latency_us": 1000, "p99_latency_us": 500000}])
    );
    assert_eq!(
        v["breakers"],
        serde_json::json!([{"path": "root/cb", "trips": 1, "state": "closed"}])
    );
    assert_eq!(
        v["faults"],
        serde_json::json!({"injected": 2, "random": 1, "missed": 1,
            "by_action": {"crash": 1, "exit": 1}})
    );
    assert_eq!(
        v["expectations"][1],
        serde_json::json!({"name": "few restarts", "passed": false,
            "detail": "1 restart, at most 0 allowed"})
    );
}

#[test]
fn a_run_cut_short_says_so_and_fails_even_without_expectations() {
    let tr = trace();
    let report = RunReport {
        outcome: Outcome::EventLimit { limit: 21 },
        fingerprint: 1,
        events: 21,
        virtual_time_us: s(3),
    };
    let s = Summary::new("demo", 1, &report, &tr.events, Vec::new());
    assert!(!s.completed());
    assert!(
        !s.passed(),
        "a limit hit is a failure: the rest of the run was never checked"
    );
    let text = s.to_text();
    assert!(
        text.contains("\n  the run was cut short: event limit: the run reached 21 events\n"),
        "{text}"
    );
    assert!(text.ends_with("expectations: none\n"), "{text}");
}
