//! Candidate scenarios: the edits the shrinker tries, as pure functions of a scenario.
//! Each keeps the scenario loadable where it can (a shorter run clamps the windows that
//! would reach past its end); whatever it cannot keep consistent, the loader rejects
//! and the candidate is dropped.

use crate::scenario::spec::{FaultAction, FaultSpec, Node, NodeKind, Scenario, SwarmBound};
use crate::term::Term;

/// `s` with only the faults at `kept` (ascending indices); swarm bounds follow their
/// fault's new index, or go with it.
pub fn keep_faults(s: &Scenario, kept: &[usize]) -> Scenario {
    let mut out = s.clone();
    out.faults = kept.iter().map(|&i| s.faults[i].clone()).collect();
    out.swarm = s
        .swarm
        .iter()
        .filter_map(|b| {
            let at = kept.iter().position(|&i| i == b.fault_index)?;
            Some(SwarmBound {
                fault_index: at,
                ..*b
            })
        })
        .collect();
    out
}

/// `s` with only the workload clients at `kept` (ascending indices).
pub fn keep_clients(s: &Scenario, kept: &[usize]) -> Scenario {
    let mut out = s.clone();
    out.workload = kept.iter().map(|&i| s.workload[i].clone()).collect();
    out
}

/// `s` with the expectation named `name` only.
pub fn keep_expectation(s: &Scenario, name: &str) -> Scenario {
    let mut out = s.clone();
    out.expectations.retain(|e| e.name == name);
    out
}

/// `s` cut to `duration_us`: scheduled faults at or after the end (which would never
/// fire) are dropped, phases and expectation windows end by the end, and a stop after
/// the end (which would never happen) is dropped.
pub fn with_duration(s: &Scenario, duration_us: u64) -> Scenario {
    let mut out = s.clone();
    out.duration_us = duration_us;
    let kept: Vec<usize> = (0..s.faults.len())
        .filter(
            |&i| !matches!(s.faults[i], FaultSpec::Scheduled { at_us, .. } if at_us >= duration_us),
        )
        .collect();
    out = keep_faults(&out, &kept);
    out.phases.retain(|p| p.from_us < duration_us);
    for p in &mut out.phases {
        p.until_us = p.until_us.min(duration_us);
    }
    if out.app.stop_at_us.is_some_and(|t| t >= duration_us) {
        out.app.stop_at_us = None;
    }
    for e in &mut out.expectations {
        if let Some(w) = window_mut(&mut e.check) {
            w.until_us = w.until_us.map(|u| u.min(duration_us));
        }
    }
    out
}

fn window_mut(
    check: &mut crate::scenario::spec::Check,
) -> Option<&mut crate::scenario::spec::Window> {
    use crate::scenario::spec::Check;
    match check {
        Check::Always(_, w)
        | Check::Never(_, w)
        | Check::Eventually(_, w)
        | Check::Sometimes(_, w)
        | Check::Count { window: w, .. } => Some(w),
        _ => None,
    }
}

/// The time of scheduled fault `i`.
pub fn fault_at_us(s: &Scenario, i: usize) -> Option<u64> {
    match &s.faults[i] {
        FaultSpec::Scheduled { at_us, .. } => Some(*at_us),
        FaultSpec::Random { .. } => None,
    }
}

/// `s` with scheduled fault `i` moved to `at_us`.
pub fn with_fault_at(s: &Scenario, i: usize, new_at_us: u64) -> Scenario {
    let mut out = s.clone();
    if let FaultSpec::Scheduled { at_us, .. } = &mut out.faults[i] {
        *at_us = new_at_us;
    }
    out
}

/// `s` with fault `i` doing `action` instead.
pub fn with_action(s: &Scenario, i: usize, new: FaultAction) -> Scenario {
    let mut out = s.clone();
    match &mut out.faults[i] {
        FaultSpec::Scheduled { action, .. } | FaultSpec::Random { action, .. } => *action = new,
    }
    out
}

/// How plain an exit or crash is: `exit kill` (the least a process can survive), then
/// `exit shutdown`, then `crash error`; anything else is plainer than none of them.
fn plainness(action: &FaultAction) -> usize {
    match action {
        FaultAction::Exit { reason } if *reason == Term::KILL => 0,
        FaultAction::Exit { reason } if *reason == Term::SHUTDOWN => 1,
        FaultAction::Crash { reason } if *reason == crate::term::atom("error") => 2,
        _ => 3,
    }
}

/// The plainer exits and crashes to try instead of `action`, plainest first; nothing
/// for actions that are not exits or crashes.
pub fn plainer_actions(action: &FaultAction) -> Vec<FaultAction> {
    if !matches!(action, FaultAction::Exit { .. } | FaultAction::Crash { .. }) {
        return Vec::new();
    }
    let candidates = [
        FaultAction::Exit { reason: Term::KILL },
        FaultAction::Exit {
            reason: Term::SHUTDOWN,
        },
        FaultAction::Crash {
            reason: crate::term::atom("error"),
        },
    ];
    let current = plainness(action);
    candidates
        .into_iter()
        .filter(|c| plainness(c) < current)
        .collect()
}

/// The paths of the tree nodes that can be removed: every child listed by a supervisor
/// or a dynamic supervisor (not the root, not a partition), in tree order.
pub fn removable_nodes(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    collect(&s.app.root, &s.app.root.id, &mut out);
    out
}

fn collect(node: &Node, path: &str, out: &mut Vec<String>) {
    if let NodeKind::Supervisor { children, .. } | NodeKind::DynamicSupervisor { children, .. } =
        &node.kind
    {
        for c in children {
            let p = format!("{path}/{}", c.id);
            out.push(p.clone());
            collect(c, &p, out);
        }
    }
}

/// `s` without the nodes at `removed` (and their subtrees).
pub fn without_nodes(s: &Scenario, removed: &[String]) -> Scenario {
    let mut out = s.clone();
    let root_id = out.app.root.id.clone();
    prune(&mut out.app.root, &root_id, removed);
    out
}

fn prune(node: &mut Node, path: &str, removed: &[String]) {
    if let NodeKind::Supervisor { children, .. } | NodeKind::DynamicSupervisor { children, .. } =
        &mut node.kind
    {
        children.retain(|c| !removed.contains(&format!("{path}/{}", c.id)));
        for c in children.iter_mut() {
            let p = format!("{path}/{}", c.id);
            prune(c, &p, removed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    const TEXT: &str = r#"{
      "otpsim": 1, "name": "t", "duration": "20s",
      "app": {"root": {"id": "root", "type": "supervisor", "children": [
        {"id": "db", "type": "supervisor", "children": [{"id": "conn", "model": "worker"}]},
        {"id": "api", "model": "worker"}]}},
      "phases": [{"name": "a", "from": "0s", "until": "15s"}],
      "faults": [
        {"at": "1s", "target": "root/api", "action": "exit", "reason": "boom"},
        {"random": "crash", "targets": ["root/db/conn"], "mtbf": "2s"},
        {"at": "12s", "target": "root/db/conn", "action": "crash", "reason": "x"}],
      "swarm": [{"fault": 1, "mtbf": ["1s", "3s"]}],
      "expect": [{"name": "e", "count": "crash", "of": "root/**", "equals": 0, "until": "18s"}]
    }"#;

    #[test]
    fn keeping_faults_remaps_swarm_bounds() {
        let s = load_str("t.json", TEXT).unwrap();
        assert_eq!(keep_faults(&s, &[1, 2]).swarm[0].fault_index, 0);
        assert!(keep_faults(&s, &[0, 2]).swarm.is_empty());
    }

    #[test]
    fn a_shorter_run_still_loads() {
        let s = load_str("t.json", TEXT).unwrap();
        let short = with_duration(&s, 10_000_000);
        assert_eq!(short.faults.len(), 2);
        assert_eq!(short.phases[0].until_us, 10_000_000);
        let back = load_str("t.json", &short.to_json().to_string()).unwrap();
        assert_eq!(back.duration_us, 10_000_000);
    }

    #[test]
    fn nodes_come_out_with_their_subtrees() {
        let s = load_str("t.json", TEXT).unwrap();
        assert_eq!(removable_nodes(&s), ["root/db", "root/db/conn", "root/api"]);
        assert_eq!(
            without_nodes(&s, &["root/db".into()]).paths(),
            ["root", "root/api"]
        );
    }

    #[test]
    fn plainer_actions_only_go_down() {
        let kill = FaultAction::Exit { reason: Term::KILL };
        assert!(plainer_actions(&kill).is_empty());
        let crash = FaultAction::Crash {
            reason: crate::term::atom("connection_reset"),
        };
        assert_eq!(plainer_actions(&crash).len(), 3);
        assert_eq!(plainer_actions(&FaultAction::Pause { for_us: 1 }), []);
    }
}
