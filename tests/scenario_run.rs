//! Building and running scenarios (issue #5): the tree comes up with its paths as labels
//! and names, every fault action does what it says and leaves a `fault` event, random
//! faults follow the seed and the phases, `stop_at` shuts the tree down in order, and
//! the scenario's limits end a run with their outcome.

use otpsim::scenario::load_str;
use otpsim::scenario::run::{run, RunOptions, RunOutput};
use otpsim::scenario::spec::Scenario;
use otpsim::term::{Pid, Term};
use otpsim::trace::{Event, EventKind};
use std::collections::BTreeMap;

#[path = "scenario_run/actions.rs"]
mod actions;
#[path = "scenario_run/random.rs"]
mod random;

// ----- helpers ------------------------------------------------------------------------

/// A scenario from JSON: `body` is spliced into the top-level object after the header
/// and the application's root.
fn scenario(root_children: &str, rest: &str) -> Scenario {
    let text = format!(
        r#"{{"otpsim": 1, "name": "t", "duration": "10s",
            "app": {{"root": {{"id": "root", "type": "supervisor", "children": [{root_children}]}}}}
            {rest}}}"#
    );
    load_str("t.json", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run_seed(s: &Scenario, seed: u64) -> RunOutput {
    run(
        s,
        &RunOptions {
            seed,
            record: true,
            mtbf_override: Vec::new(),
            ..RunOptions::default()
        },
    )
}

fn run1(s: &Scenario) -> RunOutput {
    run_seed(s, s.seed)
}

/// Every process's label, from the spawn events.
fn labels(events: &[Event]) -> BTreeMap<Pid, String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Spawn {
                child,
                label: Some(l),
                ..
            } => Some((*child, l.clone())),
            _ => None,
        })
        .collect()
}

/// The pids spawned with `label`, in spawn order.
fn pids_labelled(events: &[Event], label: &str) -> Vec<Pid> {
    labels(events)
        .into_iter()
        .filter(|(_, l)| l == label)
        .map(|(p, _)| p)
        .collect()
}

/// A `fault` event, flattened.
#[derive(Clone, Debug, PartialEq)]
struct Fault {
    t: u64,
    target: String,
    pid: Option<Pid>,
    action: String,
    detail: Term,
    cause: String,
}

fn faults(events: &[Event]) -> Vec<Fault> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Fault {
                target,
                pid,
                action,
                detail,
                cause,
            } => Some(Fault {
                t: e.t,
                target: target.clone(),
                pid: *pid,
                action: action.to_string(),
                detail: detail.clone(),
                cause: cause.to_string(),
            }),
            _ => None,
        })
        .collect()
}

/// The exit reason of `pid`, if it exited.
fn exit_of(events: &[Event], pid: Pid) -> Option<(u64, Term)> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::Exit { pid: p, reason } if *p == pid => Some((e.t, reason.clone())),
        _ => None,
    })
}

/// `(t, outcome atom, latency_us)` of every load-client call outcome.
fn outcomes(events: &[Event]) -> Vec<(u64, String, i64)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Model { what, detail, .. } if what.as_str() == "call_outcome" => {
                match detail.as_tuple() {
                    Some([Term::Atom(o), Term::Int(l)]) => Some((e.t, o.to_string(), *l)),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

const S: u64 = 1_000_000;
const MS: u64 = 1_000;

// ----- the tree -----------------------------------------------------------------------

#[test]
fn the_tree_starts_with_paths_as_labels_and_names() {
    let s = scenario(
        r#"{"id": "a", "model": "worker"},
           {"id": "db", "type": "supervisor", "strategy": "rest_for_one",
            "children": [{"id": "c1", "model": "worker"}, {"id": "c2", "model": "counter"}]},
           {"id": "dyn", "type": "dynamic_supervisor",
            "children": [{"id": "s1", "model": "worker"}, {"id": "s2", "model": "worker"}]},
           {"id": "parts", "type": "partition_supervisor", "partitions": 2,
            "child": {"model": "counter"}},
           {"id": "reg", "type": "registry", "keys": "unique"},
           {"id": "tasks", "type": "task_supervisor"}"#,
        "",
    );
    let out = run1(&s);
    assert_eq!(out.report.outcome.name(), "duration_reached");
    let all: Vec<String> = labels(&out.events).into_values().collect();
    for path in [
        "otpsim",
        "otpsim/faults",
        "root",
        "root/a",
        "root/db",
        "root/db/c1",
        "root/db/c2",
        "root/dyn",
        "root/dyn/s1",
        "root/dyn/s2",
        "root/parts",
        "root/parts/0",
        "root/parts/1",
        "root/reg",
        "root/tasks",
    ] {
        assert!(
            all.iter().any(|l| l == path),
            "no process labelled {path}: {all:?}"
        );
    }
    // Static nodes are registered under their paths; dynamic children are not.
    let names: Vec<(Pid, String)> = out
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Register { pid, name } => Some((*pid, name.to_string())),
            _ => None,
        })
        .collect();
    let by_label = labels(&out.events);
    for path in [
        "root",
        "root/a",
        "root/db",
        "root/db/c1",
        "root/db/c2",
        "root/dyn",
        "root/parts",
        "root/parts/0",
        "root/parts/1",
        "root/reg",
        "root/tasks",
    ] {
        let (pid, _) = names
            .iter()
            .find(|(_, n)| n == path)
            .unwrap_or_else(|| panic!("{path} is not registered: {names:?}"));
        assert_eq!(
            by_label[pid], path,
            "the name {path} is on the process at {path}"
        );
    }
    assert!(!names.iter().any(|(_, n)| n.starts_with("root/dyn/")));
    // Children start in order: db's c1 before c2, dyn's boot children in file order.
    let order = |l: &str| pids_labelled(&out.events, l)[0];
    assert!(order("root/db/c1") < order("root/db/c2"));
    assert!(order("root/dyn/s1") < order("root/dyn/s2"));
    assert!(order("root/a") < order("root/db"));
}

#[test]
fn restart_shutdown_and_significant_come_from_the_node() {
    // A transient worker that exits `normal` is not restarted; a temporary one that
    // crashes is not either; a significant one ends its auto_shutdown supervisor.
    let s = scenario(
        r#"{"id": "t", "model": "worker", "restart": "transient"},
           {"id": "tmp", "model": "worker", "restart": "temporary"},
           {"id": "auto", "type": "supervisor", "auto_shutdown": "any_significant", "restart": "temporary",
            "children": [{"id": "sig", "model": "worker", "restart": "transient", "significant": true},
                         {"id": "slow", "model": "worker", "shutdown": "250ms",
                          "params": {"trap_exit": true, "terminate": "1s"}}]}"#,
        r#","faults": [
            {"at": "1s", "target": "root/t", "action": "exit", "reason": "shutdown"},
            {"at": "1s", "target": "root/tmp", "action": "crash"},
            {"at": "2s", "target": "root/auto/sig", "action": "exit", "reason": "shutdown"}]"#,
    );
    let out = run1(&s);
    let starts = |id: &str| {
        out.events
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::ChildStart { id: i, .. } if i.is_atom(id)))
            .count()
    };
    assert_eq!(
        starts("t"),
        1,
        "a transient child exiting shutdown stays down"
    );
    assert_eq!(starts("tmp"), 1, "a temporary child is never restarted");
    assert!(out.events.iter().any(|e| matches!(&e.kind, EventKind::AutoShutdown { trigger_id, .. } if trigger_id.is_atom("sig"))));
    // `slow` overran its 250 ms budget while `auto` shut down, and was killed.
    let slow = pids_labelled(&out.events, "root/auto/slow")[0];
    assert!(out
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::ChildShutdownTimeout { pid, .. } if *pid == slow)));
    assert_eq!(
        exit_of(&out.events, slow).map(|(t, r)| (t, r.to_string())),
        Some((2 * S + 250 * MS, "killed".into()))
    );
}

// ----- shutdown, determinism, limits -------------------------------------------------------

#[test]
fn stop_at_shuts_the_tree_down_in_order() {
    let text = r#"{"otpsim": 1, "name": "t", "duration": "10s",
        "app": {"stop_at": "4s", "root": {"id": "root", "type": "supervisor", "children": [
            {"id": "a", "model": "worker"},
            {"id": "db", "type": "supervisor", "children": [{"id": "c1", "model": "worker"}, {"id": "c2", "model": "worker"}]},
            {"id": "z", "model": "worker"}]}}}"#;
    let out = run1(&load_str("t.json", text).unwrap());
    let labels = labels(&out.events);
    let shut: Vec<String> = out
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ChildShutdown { pid, .. } if e.t == 4 * S => labels.get(pid).cloned(),
            _ => None,
        })
        .collect();
    assert_eq!(
        shut,
        ["root/z", "root/db", "root/db/c2", "root/db/c1", "root/a"]
    );
    assert!(out
        .events
        .iter()
        .any(|e| e.t == 4 * S
            && matches!(&e.kind, EventKind::AppStop { app } if app.as_str() == "t")));
    assert!(out.events.iter().any(
        |e| matches!(&e.kind, EventKind::AppExit { reason, .. } if reason.is_atom("stopped"))
    ));
}

#[test]
fn the_same_seed_gives_the_same_fingerprint() {
    let s = scenario(
        r#"{"id": "db", "model": "flaky", "params": {"latency": {"dist": "exponential", "mean": "5ms"}, "error_rate": 0.1}},
           {"id": "w", "model": "worker"}"#,
        r#","workload": [{"id": "c", "model": "load_client", "params": {"target": "root/db", "rate": 50, "arrivals": "poisson"}}],
           "faults": [{"random": "crash", "targets": ["root/*"], "mtbf": "3s"},
                      {"at": "5s", "target": "root/db", "action": "drop_messages", "probability": 0.5, "for": "1s"}]"#,
    );
    let a = run_seed(&s, 11);
    let b = run_seed(&s, 11);
    let quiet = run(
        &s,
        &RunOptions {
            seed: 11,
            record: false,
            mtbf_override: Vec::new(),
            ..RunOptions::default()
        },
    );
    assert_eq!(a.report, b.report);
    assert_eq!(a.events, b.events);
    assert_eq!(a.report.fingerprint, quiet.report.fingerprint);
    assert!(quiet.events.is_empty());
    assert_ne!(a.report.fingerprint, run_seed(&s, 12).report.fingerprint);
}

#[test]
fn limits_end_the_run_with_their_outcome() {
    let with_limits = |limits: &str| {
        let text = format!(
            r#"{{"otpsim": 1, "name": "t", "duration": "10s", "limits": {{{limits}}},
                "app": {{"root": {{"id": "root", "type": "supervisor", "children": [{{"id": "a", "model": "worker"}}]}}}},
                "workload": [{{"id": "c", "model": "load_client", "params": {{"target": "root/a", "rate": 1000}}}}]}}"#
        );
        run1(&load_str("t.json", &text).unwrap()).report.outcome
    };
    assert_eq!(with_limits(r#""max_events": 2000"#).name(), "event_limit");
    assert_eq!(with_limits(r#""max_processes": 6"#).name(), "process_limit");
    assert_eq!(with_limits("").name(), "duration_reached");
}

#[test]
fn an_application_that_fails_to_start_ends_the_run_cleanly() {
    let s = scenario(
        r#"{"id": "a", "model": "worker", "params": {"init": "error"}}"#,
        r#","workload": [{"id": "c", "model": "load_client", "params": {"target": "root/a"}}]"#,
    );
    let out = run1(&s);
    assert!(out.report.outcome.is_normal());
    let start = out.events.iter().find_map(|e| match &e.kind {
        EventKind::AppStart { result, .. } => Some(result.to_string()),
        _ => None,
    });
    assert!(
        start.is_some_and(|r| r.starts_with("{error,")),
        "the app_start event says why"
    );
    assert!(pids_labelled(&out.events, "workload/c").is_empty());
}
