//! Runs `examples/counter_supervised.rs` (included as a module) and checks its story:
//! the lesson's Counter counts under a one_for_one supervisor, dies of an exit signal
//! sent from outside, and is restarted by the supervisor under a new pid with its
//! state back at the initial value, as in OTP.

#[allow(dead_code)]
#[path = "../examples/counter_supervised.rs"]
mod example;

use example::INITIAL;
use otpsim::trace::EventKind;

#[test]
fn the_counter_counts_then_restarts_under_a_new_pid_from_its_initial_value() {
    let story = example::run(0);
    // Three increments before the crash; after the restart, the count starts again.
    assert_eq!(story.values, vec![INITIAL + 3, INITIAL, INITIAL + 1]);
    let (old, new) = story.pids;
    let (old, new) = (
        old.expect("a counter before"),
        new.expect("a counter after"),
    );
    assert_ne!(old, new, "the restarted counter is a new process");
    // The timeline tells the same story, in virtual time.
    let at = |needle: &str| {
        story
            .lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in {:#?}", story.lines))
    };
    assert!(story.lines[at(&format!("exit({old}, boom)"))].contains("30 ms"));
    assert!(at(&format!("counter {old} started at {INITIAL}")) < at("exit("));
    assert!(at(&format!("counter {new} started at {INITIAL}")) > at("exit("));
    assert_eq!(
        story.lines.last().map(String::as_str),
        Some("run: quiescent")
    );
}

#[test]
fn the_supervisor_restart_is_in_the_trace() {
    let story = example::run(0);
    let (old, new) = (story.pids.0.expect("old"), story.pids.1.expect("new"));
    let starts: Vec<(Option<_>, &str)> = story
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ChildStart { id, pid, cause, .. } if id.is_atom("counter") => {
                Some((*pid, cause.as_str()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(starts, vec![(Some(old), "init"), (Some(new), "restart")]);
    // The supervisor saw the exit reason the client sent, and decided to restart.
    let seen = story.events.iter().find_map(|e| match &e.kind {
        EventKind::ChildExitSeen {
            pid,
            reason,
            decision,
            ..
        } if *pid == old => Some((reason.clone(), decision.as_str().to_string())),
        _ => None,
    });
    let (reason, decision) = seen.expect("a child_exit_seen for the old counter");
    assert!(reason.is_atom("boom"));
    assert_eq!(decision, "restart");
}

#[test]
fn two_runs_give_the_same_fingerprint() {
    let (a, b) = (example::run(3), example::run(3));
    assert_eq!(a.fingerprint, b.fingerprint);
    assert_eq!(a.lines, b.lines);
}
