//! Runs `examples/registry_sessions.rs` (included as a module) and checks its story:
//! one session per user found through the Registry (REG-9), started on demand under a
//! DynamicSupervisor, stopped by its idle timeout (GS-9), cleaned out of the registry
//! (REG-6), not restarted, and started afresh by the next request.

#[allow(dead_code)]
#[path = "../examples/registry_sessions.rs"]
mod example;

fn position(lines: &[String], needle: &str) -> usize {
    lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in {lines:#?}"))
}

/// The pid in "... served by <0.N.0>".
fn served_by(line: &str) -> &str {
    line.rsplit(' ').next().expect("pid")
}

#[test]
fn sessions_are_found_by_name_started_on_demand_and_stop_when_idle() {
    let lines = example::run(0);
    let at = |needle: &str| position(&lines, needle);
    // Two requests 30 ms apart share alice's first session, which counts them.
    let first = &lines[at("alice: request 1 served by")];
    let second = &lines[at("alice: request 2 served by")];
    assert_eq!(served_by(first), served_by(second));
    assert!(at("alice: session") < at("alice: request 1"));
    assert!(at("bob: session") > at("alice: request 2"));
    // Both sessions stop after IDLE_MS without a request; the registry then has no
    // entry for alice, and the supervisor did not restart her session.
    assert!(lines[at("alice: idle for")]
        .trim_start()
        .starts_with("130 ms"));
    assert!(lines[at("bob: idle for")]
        .trim_start()
        .starts_with("130 ms"));
    assert!(lines[at("alice: 0 registry entries after idle")].contains("180 ms"));
    // The next request starts a fresh session: a new pid, the count from 1 again.
    let later: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("alice: request 1 served by"))
        .collect();
    assert_eq!(later.len(), 2);
    assert_ne!(served_by(later[0]), served_by(later[1]));
    assert!(lines[at("supervisor: 1 active sessions")].contains("180 ms"));
    assert_eq!(lines.last().map(String::as_str), Some("run: quiescent"));
}

#[test]
fn the_example_is_deterministic() {
    assert_eq!(example::run(7), example::run(7));
}
