//! The supervision tree as the scenario declares it, each node with what the trace
//! says happened at its path: restarts, crashes, escalations, and how many dynamic
//! children ran under it.

use crate::check::World;
use crate::scenario::spec::{Node, NodeKind, StrategySpec};
use crate::trace::{Event, EventKind};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What happened at one path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct PathCounts {
    starts: u64,
    crashes: u64,
    escalations: u64,
}

/// Per-path counts, gathered event by event.
#[derive(Debug, Default)]
pub struct TreeCounts {
    paths: BTreeMap<String, PathCounts>,
}

impl TreeCounts {
    /// Takes in one event; `world` is the state just before it.
    pub fn event(&mut self, event: &Event, world: &World) {
        match &event.kind {
            EventKind::Spawn {
                label: Some(label), ..
            } => self.paths.entry(label.clone()).or_default().starts += 1,
            EventKind::Exit { pid, reason } if !is_orderly(reason) => {
                if let Some(label) = world.label(*pid) {
                    self.paths.entry(label.to_string()).or_default().crashes += 1;
                }
            }
            EventKind::IntensityExceeded { sup, .. } => {
                if let Some(label) = world.label(*sup) {
                    self.paths.entry(label.to_string()).or_default().escalations += 1;
                }
            }
            _ => {}
        }
    }

    /// The tree under `root` as JSON: `{id, path, kind, restarts, crashes,
    /// escalations, dynamic, intensity, children}`; `dynamic` counts paths seen under a
    /// node that the scenario does not declare (a dynamic supervisor's children,
    /// partitions); `intensity` is `{peak, max, seconds}` for a supervisor that
    /// counted restarts, from `peaks` (path to fullest window and max_restarts).
    pub fn tree_json(&self, root: &Node, peaks: &BTreeMap<String, (u64, u64)>) -> Value {
        self.node(root, &root.id, peaks)
    }

    fn node(&self, node: &Node, path: &str, peaks: &BTreeMap<String, (u64, u64)>) -> Value {
        let c = self.paths.get(path).copied().unwrap_or_default();
        let seconds = match &node.kind {
            NodeKind::Supervisor { intensity, .. }
            | NodeKind::DynamicSupervisor { intensity, .. }
            | NodeKind::TaskSupervisor { intensity, .. }
            | NodeKind::PartitionSupervisor { intensity, .. } => Some(intensity.max_seconds),
            NodeKind::Registry { .. } | NodeKind::Model(_) => None,
        };
        let intensity = match (peaks.get(path), seconds) {
            (Some((peak, max)), Some(seconds)) => {
                json!({"peak": peak, "max": max, "seconds": seconds})
            }
            _ => Value::Null,
        };
        let (kind, declared): (String, &[Node]) = match &node.kind {
            NodeKind::Supervisor {
                strategy, children, ..
            } => (format!("supervisor {}", strategy_name(*strategy)), children),
            NodeKind::DynamicSupervisor { children, .. } => {
                ("dynamic_supervisor".to_string(), children)
            }
            NodeKind::TaskSupervisor { .. } => ("task_supervisor".to_string(), &[]),
            NodeKind::PartitionSupervisor {
                partitions, child, ..
            } => (
                format!(
                    "partition_supervisor x{partitions} of {}",
                    model_name(child)
                ),
                &[],
            ),
            NodeKind::Registry { .. } => ("registry".to_string(), &[]),
            NodeKind::Model(spec) => (format!("model {}", spec.name), &[]),
        };
        let children: Vec<Value> = declared
            .iter()
            .map(|child| self.node(child, &format!("{path}/{}", child.id), peaks))
            .collect();
        let prefix = format!("{path}/");
        let dynamic = if matches!(node.kind, NodeKind::Model(_) | NodeKind::Supervisor { .. }) {
            0
        } else {
            self.paths
                .range(prefix.clone()..)
                .take_while(|(p, _)| p.starts_with(&prefix))
                .filter(|(p, _)| {
                    let id = &p[prefix.len()..];
                    !id.contains('/') && !declared.iter().any(|n| n.id == id)
                })
                .count()
        };
        json!({
            "id": node.id,
            "path": path,
            "kind": kind,
            "restarts": c.starts.saturating_sub(1),
            "crashes": c.crashes,
            "escalations": c.escalations,
            "dynamic": dynamic,
            "intensity": intensity,
            "children": children,
        })
    }
}

fn is_orderly(reason: &crate::term::Term) -> bool {
    reason.is_atom("normal")
        || reason.is_atom("shutdown")
        || reason
            .as_tuple()
            .is_some_and(|items| items.len() == 2 && items[0].is_atom("shutdown"))
}

fn strategy_name(s: StrategySpec) -> &'static str {
    match s {
        StrategySpec::OneForOne => "one_for_one",
        StrategySpec::OneForAll => "one_for_all",
        StrategySpec::RestForOne => "rest_for_one",
    }
}

fn model_name(node: &Node) -> String {
    match &node.kind {
        NodeKind::Model(spec) => spec.name.to_string(),
        _ => "a subtree".to_string(),
    }
}
