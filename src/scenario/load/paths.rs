//! Paths in the tree: listing them, finding the node at one, matching patterns, and the
//! index the loader checks targets against.

use crate::scenario::spec::{
    FaultAction, FaultSpec, Node, NodeKind, Scenario, SupervisorCall, Target,
};
use std::cell::Cell;
use std::collections::BTreeMap;

/// True if `path` matches `pattern`: segments are separated by `/`, a `*` segment
/// matches any one id, and a trailing `/**` matches the node before it and
/// everything under it (`**` alone matches every path).
///
/// ```
/// use otpsim::scenario::pattern_matches;
/// assert!(pattern_matches("root/db/*", "root/db/conn1"));
/// assert!(!pattern_matches("root/db/*", "root/db"));
/// assert!(pattern_matches("root/db/**", "root/db"));
/// assert!(pattern_matches("root/db/**", "root/db/pool/conn1"));
/// assert!(!pattern_matches("root/db/**", "root/dbx"));
/// assert!(pattern_matches("root/*/conn1", "root/db/conn1"));
/// ```
pub fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (fixed, deep) = match pattern.strip_suffix("**") {
        Some("") => return true,
        Some(prefix) if prefix.ends_with('/') => (&prefix[..prefix.len() - 1], true),
        _ => (pattern, false),
    };
    let mut segs = path.split('/');
    for p in fixed.split('/') {
        match segs.next() {
            Some(s) if p == "*" || p == s => {}
            _ => return false,
        }
    }
    deep || segs.next().is_none()
}

/// Every node of the tree under `node` (itself included), in tree order, with its
/// path: a partition supervisor's child appears once per partition, at `P/0`, `P/1`...
pub(crate) fn walk<'n>(node: &'n Node, prefix: Option<&str>, out: &mut Vec<(String, &'n Node)>) {
    let path = match prefix {
        Some(p) => format!("{p}/{}", node.id),
        None => node.id.clone(),
    };
    out.push((path.clone(), node));
    match &node.kind {
        NodeKind::Supervisor { children, .. } | NodeKind::DynamicSupervisor { children, .. } => {
            for c in children {
                walk(c, Some(&path), out);
            }
        }
        NodeKind::PartitionSupervisor {
            partitions, child, ..
        } => {
            for i in 0..*partitions {
                out.push((format!("{path}/{i}"), child));
            }
        }
        _ => {}
    }
}

impl Scenario {
    /// The path of every node of the tree, in tree order (a node before its children,
    /// children in start order; a partition supervisor's partitions as `P/0`, `P/1`,
    /// ...). Children added at run time by `start_child` faults are not included.
    pub fn paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.app.root, None, &mut out);
        out.into_iter().map(|(p, _)| p).collect()
    }

    /// Every node with its path, in tree order; see [`Scenario::paths`].
    pub fn nodes(&self) -> Vec<(String, &Node)> {
        let mut out = Vec::new();
        walk(&self.app.root, None, &mut out);
        out
    }

    /// The node at `path` (for `P/3` under a partition supervisor, the partitions'
    /// child).
    pub fn node_at(&self, path: &str) -> Option<&Node> {
        let mut segs = path.split('/');
        let mut node = &self.app.root;
        if segs.next() != Some(node.id.as_str()) {
            return None;
        }
        for seg in segs {
            node = match &node.kind {
                NodeKind::Supervisor { children, .. }
                | NodeKind::DynamicSupervisor { children, .. } => {
                    children.iter().find(|c| c.id == seg)?
                }
                NodeKind::PartitionSupervisor {
                    partitions, child, ..
                } => {
                    let i: u32 = seg.parse().ok()?;
                    (i < *partitions && i.to_string() == seg).then_some(&**child)?
                }
                _ => return None,
            };
        }
        Some(node)
    }
}

/// One known path: the node there and the time from which it exists (0 for the tree
/// built at start, the fault's time for a child a `start_child` fault adds).
#[derive(Clone, Debug)]
pub(super) struct Entry<'s> {
    pub path: String,
    pub node: &'s Node,
    pub from_us: u64,
}

/// The paths a scenario may name, for checking targets and patterns.
#[derive(Clone, Debug)]
pub(super) struct Known<'s> {
    entries: Vec<Entry<'s>>,
    index: BTreeMap<String, usize>,
    /// Paths compared with wildcard patterns so far (see [`MAX_PATTERN_WORK`]).
    work: Cell<u64>,
}

/// The most path comparisons pattern checks may make in one load: a huge tree and
/// many wildcard patterns would otherwise take hours to check.
pub(super) const MAX_PATTERN_WORK: u64 = 10_000_000;

/// A pattern check ran out of [`MAX_PATTERN_WORK`].
#[derive(Clone, Copy, Debug)]
pub(super) struct TooCostly;

/// With more paths than this, did-you-mean looks only among a path's siblings, so a
/// huge tree cannot make each bad target cost a scan of every path.
const MAX_SUGGEST_CANDIDATES: usize = 4096;

impl<'s> Known<'s> {
    /// The paths of the tree built at start.
    pub fn new(root: &'s Node) -> Known<'s> {
        let mut known = Known {
            entries: Vec::new(),
            index: BTreeMap::new(),
            work: Cell::new(0),
        };
        known.add(root, None, 0);
        known
    }

    fn add(&mut self, node: &'s Node, prefix: Option<&str>, from_us: u64) {
        let mut found = Vec::new();
        walk(node, prefix, &mut found);
        for (path, node) in found {
            match self.index.get(&path) {
                Some(&i) => {
                    let e = &mut self.entries[i];
                    e.from_us = e.from_us.min(from_us);
                }
                None => {
                    self.index.insert(path.clone(), self.entries.len());
                    self.entries.push(Entry {
                        path,
                        node,
                        from_us,
                    });
                }
            }
        }
    }

    /// These paths and those of the children `start_child` faults add to supervisors
    /// named by path, each from the fault's time on.
    pub fn with_started_children(mut self, faults: &'s [FaultSpec]) -> Known<'s> {
        for f in faults {
            if let FaultSpec::Scheduled {
                at_us,
                target: Target::Path(sup),
                action:
                    FaultAction::SupervisorCall {
                        call: SupervisorCall::StartChild,
                        spec: Some(node),
                        ..
                    },
            } = f
            {
                self.add(node, Some(sup), *at_us);
            }
        }
        self
    }

    /// The entry at `path`.
    pub fn get(&self, path: &str) -> Option<&Entry<'s>> {
        self.index.get(path).map(|&i| &self.entries[i])
    }

    /// The known path closest to `path`, for did-you-mean.
    pub fn suggest(&self, path: &str) -> Option<&str> {
        let candidates: Vec<&str> = if self.entries.len() <= MAX_SUGGEST_CANDIDATES {
            self.entries.iter().map(|e| e.path.as_str()).collect()
        } else {
            let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
            self.children_of(parent).map(|e| e.path.as_str()).collect()
        };
        super::fields::near(path, &candidates)
    }

    /// The entries one level under `parent`.
    pub fn children_of<'k>(&'k self, parent: &str) -> impl Iterator<Item = &'k Entry<'s>> + 'k {
        let start = format!("{parent}/");
        let depth = parent.split('/').count() + 1;
        self.index
            .range(start.clone()..)
            .take_while(move |(p, _)| p.starts_with(&start))
            .map(|(_, &i)| &self.entries[i])
            .filter(move |e| e.path.split('/').count() == depth)
    }

    /// The first entry matching `pattern` and `wanted`, looking only under the
    /// pattern's literal prefix (`root/db` for `root/db/*/x`).
    pub fn find_match(
        &self,
        pattern: &str,
        wanted: impl Fn(&Entry<'s>) -> bool,
    ) -> Result<Option<&Entry<'s>>, TooCostly> {
        if !pattern.contains('*') {
            return Ok(self.get(pattern).filter(|e| wanted(e)));
        }
        let literal: Vec<&str> = pattern
            .split('/')
            .take_while(|s| !s.contains('*'))
            .collect();
        let candidates: Box<dyn Iterator<Item = &Entry<'s>>> = if literal.is_empty() {
            Box::new(self.entries.iter())
        } else {
            let base = literal.join("/");
            let under = format!("{base}/");
            let itself = self.get(&base).into_iter();
            let below = self
                .index
                .range(under.clone()..)
                .take_while(move |(p, _)| p.starts_with(&under))
                .map(|(_, &i)| &self.entries[i]);
            Box::new(itself.chain(below))
        };
        for e in candidates {
            let spent = self.work.get() + 1;
            if spent > MAX_PATTERN_WORK {
                return Err(TooCostly);
            }
            self.work.set(spent);
            if pattern_matches(pattern, &e.path) && wanted(e) {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    /// An example path for "expected" messages.
    pub fn example(&self) -> &str {
        self.entries
            .get(1)
            .or_else(|| self.entries.first())
            .map_or("root", |e| e.path.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_by_segment() {
        assert!(pattern_matches("root", "root"));
        assert!(!pattern_matches("root", "root/a"));
        assert!(!pattern_matches("root/a", "root"));
        assert!(pattern_matches("*", "root"));
        assert!(pattern_matches("**", "root/a/b"));
        assert!(pattern_matches("root/*/*", "root/a/b"));
        assert!(!pattern_matches("root/*/*", "root/a"));
        assert!(pattern_matches("root/**", "root"));
        assert!(!pattern_matches("root/**", "roots/a"));
        assert!(!pattern_matches("root/a**", "root/ab"));
        assert!(!pattern_matches("root/a", "root/ab"));
    }
}
