//! Drawing a scenario's supervision tree (`otpsim tree`): indented text, Graphviz DOT
//! or a Mermaid flowchart. The output depends only on the scenario, so it can be
//! compared and committed.

use super::spec::{
    AutoShutdownSpec, Node, NodeKind, RegistryKeys, RestartSpec, Scenario, ShutdownSpec,
    StrategySpec,
};
use super::to_json::format_duration;

/// How to draw a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeFormat {
    /// Box-drawing text for a terminal.
    Text,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart, top-down (Markdown renders it on GitHub).
    Mermaid,
}

/// The supervision tree of `s` in format `f`, one node per line (text) or per
/// statement (DOT, Mermaid). Each node shows its id, what it is (supervisor kind and
/// strategy with its intensity as `max_restarts/max_seconds`, or the model), and how
/// its parent treats it (restart type, shutdown, significant); a partition
/// supervisor's child is drawn once, as `[0..N-1]`.
///
/// ```
/// use otpsim::scenario::{load_str, tree_draw::draw, TreeFormat};
/// let s = load_str("t.json", r#"{"otpsim": 1, "name": "t", "duration": "1s",
///   "app": {"root": {"id": "root", "type": "supervisor", "children": [
///     {"id": "reg", "type": "registry", "keys": "unique"}]}}}"#).unwrap();
/// assert_eq!(draw(&s, TreeFormat::Text), "\
/// root (supervisor one_for_one, 3/5s)
/// └── reg (registry unique) permanent, shutdown infinity
/// ");
/// ```
pub fn draw(s: &Scenario, f: TreeFormat) -> String {
    let mut items = Vec::new();
    flatten(&s.app.root, None, None, &mut items);
    match f {
        TreeFormat::Text => text(&items),
        TreeFormat::Dot => dot(&s.name, &items),
        TreeFormat::Mermaid => mermaid(&items),
    }
}

/// One drawn node.
struct Item {
    /// A unique key: the path (partitions as `P/[0..N-1]`).
    key: String,
    /// The id, or `[0..N-1]` for partitions.
    label: String,
    /// What it is.
    what: String,
    /// How its parent treats it; empty for the root.
    how: String,
    parent: Option<usize>,
    supervisor: bool,
}

fn flatten(n: &Node, parent: Option<usize>, label: Option<String>, out: &mut Vec<Item>) {
    let label = label.unwrap_or_else(|| n.id.clone());
    let key = match parent {
        Some(p) => format!("{}/{label}", out[p].key),
        None => label.clone(),
    };
    let how = match parent {
        Some(_) => how(n),
        None => String::new(),
    };
    let me = out.len();
    out.push(Item {
        key,
        label,
        what: what(n),
        how,
        parent,
        supervisor: !matches!(n.kind, NodeKind::Model(_)),
    });
    match &n.kind {
        NodeKind::Supervisor { children, .. } | NodeKind::DynamicSupervisor { children, .. } => {
            for c in children {
                flatten(c, Some(me), None, out);
            }
        }
        NodeKind::PartitionSupervisor {
            partitions, child, ..
        } => {
            let range = format!("[0..{}]", partitions.saturating_sub(1));
            flatten(child, Some(me), Some(range), out);
        }
        _ => {}
    }
}

fn strategy(s: StrategySpec) -> &'static str {
    match s {
        StrategySpec::OneForOne => "one_for_one",
        StrategySpec::OneForAll => "one_for_all",
        StrategySpec::RestForOne => "rest_for_one",
    }
}

fn what(n: &Node) -> String {
    let max = |m: &Option<u32>| m.map(|m| format!(", max_children {m}")).unwrap_or_default();
    match &n.kind {
        NodeKind::Model(m) => m.name.to_string(),
        NodeKind::Supervisor {
            strategy: s,
            intensity: i,
            auto_shutdown,
            ..
        } => {
            let auto = match auto_shutdown {
                AutoShutdownSpec::Never => "",
                AutoShutdownSpec::AnySignificant => ", auto_shutdown any_significant",
                AutoShutdownSpec::AllSignificant => ", auto_shutdown all_significant",
            };
            format!(
                "supervisor {}, {}/{}s{auto}",
                strategy(*s),
                i.max_restarts,
                i.max_seconds
            )
        }
        NodeKind::DynamicSupervisor {
            intensity: i,
            max_children,
            ..
        } => format!(
            "dynamic_supervisor, {}/{}s{}",
            i.max_restarts,
            i.max_seconds,
            max(max_children)
        ),
        NodeKind::TaskSupervisor {
            intensity: i,
            max_children,
        } => format!(
            "task_supervisor, {}/{}s{}",
            i.max_restarts,
            i.max_seconds,
            max(max_children)
        ),
        NodeKind::PartitionSupervisor {
            partitions,
            strategy: s,
            intensity: i,
            ..
        } => format!(
            "partition_supervisor {}, {partitions} partitions, {}/{}s",
            strategy(*s),
            i.max_restarts,
            i.max_seconds
        ),
        NodeKind::Registry { keys, partitions } => {
            let k = match keys {
                RegistryKeys::Unique => "unique",
                RegistryKeys::Duplicate => "duplicate",
            };
            match partitions {
                1 => format!("registry {k}"),
                n => format!("registry {k}, {n} partitions"),
            }
        }
    }
}

fn how(n: &Node) -> String {
    let restart = match n.restart {
        RestartSpec::Permanent => "permanent",
        RestartSpec::Transient => "transient",
        RestartSpec::Temporary => "temporary",
    };
    let shutdown = match n.shutdown {
        ShutdownSpec::BrutalKill => "brutal_kill".to_string(),
        ShutdownSpec::Infinity => "infinity".to_string(),
        ShutdownSpec::Timeout(us) => format_duration(us),
    };
    let significant = if n.significant { ", significant" } else { "" };
    format!("{restart}, shutdown {shutdown}{significant}")
}

fn text(items: &[Item]) -> String {
    let mut out = String::new();
    // For each item, the indentation its children inherit.
    let mut indent: Vec<String> = Vec::with_capacity(items.len());
    let mut last_child = vec![usize::MAX; items.len()];
    for (i, item) in items.iter().enumerate() {
        if let Some(p) = item.parent {
            last_child[p] = i;
        }
    }
    for (i, item) in items.iter().enumerate() {
        let (lead, inherited) = match item.parent {
            None => (String::new(), String::new()),
            Some(p) => {
                let last = last_child[p] == i;
                let base = &indent[p];
                if last {
                    (format!("{base}└── "), format!("{base}    "))
                } else {
                    (format!("{base}├── "), format!("{base}│   "))
                }
            }
        };
        indent.push(inherited);
        out.push_str(&format!("{lead}{} ({})", item.label, item.what));
        if !item.how.is_empty() {
            out.push(' ');
            out.push_str(&item.how);
        }
        out.push('\n');
    }
    out
}

/// DOT and Mermaid labels: id, what, how, one per line.
fn lines(item: &Item) -> Vec<&str> {
    let mut l = vec![item.label.as_str(), item.what.as_str()];
    if !item.how.is_empty() {
        l.push(item.how.as_str());
    }
    l
}

fn dot(name: &str, items: &[Item]) -> String {
    let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = format!("digraph \"{}\" {{\n  rankdir=TB;\n", q(name));
    for item in items {
        let shape = if item.supervisor { "box" } else { "ellipse" };
        let label: Vec<String> = lines(item).iter().map(|l| q(l)).collect();
        out.push_str(&format!(
            "  \"{}\" [shape={shape}, label=\"{}\"];\n",
            q(&item.key),
            label.join("\\n")
        ));
    }
    for item in items {
        if let Some(p) = item.parent {
            out.push_str(&format!(
                "  \"{}\" -> \"{}\";\n",
                q(&items[p].key),
                q(&item.key)
            ));
        }
    }
    out.push_str("}\n");
    out
}

fn mermaid(items: &[Item]) -> String {
    let q = |s: &str| s.replace('"', "#quot;");
    let mut out = String::from("flowchart TD\n");
    for (i, item) in items.iter().enumerate() {
        let label: Vec<String> = lines(item).iter().map(|l| q(l)).collect();
        let label = label.join("<br/>");
        if item.supervisor {
            out.push_str(&format!("  n{i}[\"{label}\"]\n"));
        } else {
            out.push_str(&format!("  n{i}([\"{label}\"])\n"));
        }
    }
    for (i, item) in items.iter().enumerate() {
        if let Some(p) = item.parent {
            out.push_str(&format!("  n{p} --> n{i}\n"));
        }
    }
    out
}
