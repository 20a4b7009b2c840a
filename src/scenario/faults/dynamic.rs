//! Random faults on children started at run time: the dynamic pool.
//!
//! A random fault's patterns are expanded against the tree at start (see
//! [`super::plan`]); children that a dynamic or task supervisor starts while the run
//! goes on (a `keyed` router's sessions, a `start_child` fault's child, tasks) are not
//! in that tree. A fault with a pattern that can match such a child, one segment below
//! a dynamic or task supervisor node (`D/<id>`), gets a pool besides its static
//! targets; a fault whose patterns cannot has none and costs nothing more.
//!
//! The model: one Poisson process per random fault whose rate is `n / mtbf`, where `n`
//! is the number of live pool members (processes labelled `D/<id>`, matched by one of
//! the patterns, that are not paths of the tree at start) when the process last
//! looked. A look lists them by scanning live processes in pid order and draws the
//! next gap from the fault's own stream `faults:<i>:dynamic`, so static targets' draws
//! (`faults:<i>`) never move. When the gap ends within [`LOOK_US`] the pool fires
//! there: it looks again, picks one member uniformly (in pid order) with one more draw
//! and hits it; otherwise, or when the pool is empty, it only looks again after
//! [`LOOK_US`]. So the rate follows the pool within a second of fault-window time, and
//! for a memoryless process cutting a gap short and drawing again is exact. A firing
//! that finds the pool empty does nothing and emits nothing. Time counts only inside
//! the fault windows, as for static targets.

use crate::kernel::rng::Stream;
use crate::models::params::exponential_us;
use crate::scenario::load::{pattern_matches, walk};
use crate::scenario::spec::{FaultAction, FaultSpec, NodeKind, Scenario, SupervisorCall, Target};
use rand_core::RngCore;
use std::collections::BTreeSet;

/// The longest the pool goes without looking at the live processes, in fault-window
/// time: the bound on how stale its rate can be, and the wait while it is empty.
pub(crate) const LOOK_US: u64 = 1_000_000;

/// What the pool does next, and after how much fault-window time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Fire after this gap.
    Fire(u64),
    /// Only look again after this gap.
    Look(u64),
}

/// The paths under which children are started at run time: every dynamic or task
/// supervisor node, in the tree at start or added by a `start_child` fault.
pub(crate) fn dynamic_parents(scenario: &Scenario) -> BTreeSet<String> {
    let mut found = Vec::new();
    walk(&scenario.app.root, None, &mut found);
    for fault in &scenario.faults {
        if let FaultSpec::Scheduled {
            target: Target::Path(sup),
            action:
                FaultAction::SupervisorCall {
                    call: SupervisorCall::StartChild,
                    spec: Some(node),
                    ..
                },
            ..
        } = fault
        {
            walk(node, Some(sup), &mut found);
        }
    }
    found
        .into_iter()
        .filter(|(_, n)| {
            matches!(
                n.kind,
                NodeKind::DynamicSupervisor { .. } | NodeKind::TaskSupervisor { .. }
            )
        })
        .map(|(path, _)| path)
        .collect()
}

/// True if `pattern` matches `parent/X` for some id `X`: whether a child started at run
/// time under `parent` can be a target. Same rules as [`pattern_matches`], with the
/// last segment free.
pub(crate) fn may_match_child(pattern: &str, parent: &str) -> bool {
    let (fixed, deep) = match pattern.strip_suffix("**") {
        Some("") => return true,
        Some(prefix) if prefix.ends_with('/') => (&prefix[..prefix.len() - 1], true),
        _ => (pattern, false),
    };
    let parent: Vec<&str> = parent.split('/').collect();
    let fixed: Vec<&str> = fixed.split('/').collect();
    // The child's path has one segment more than its parent; that one is free.
    if fixed.len() > parent.len() + 1 {
        return false;
    }
    let prefix_ok = fixed.iter().zip(&parent).all(|(p, s)| *p == "*" || p == s);
    prefix_ok && (deep || fixed.len() == parent.len() + 1)
}

/// One random fault's pool of children started at run time.
pub(crate) struct DynamicPool {
    /// The fault's patterns that can match such a child.
    patterns: Vec<String>,
    /// The dynamic and task supervisors those patterns can reach into.
    parents: BTreeSet<String>,
    /// Paths of the tree at start directly under those parents: static targets, never
    /// pool members (a child started at boot keeps its own Poisson process).
    static_paths: BTreeSet<String>,
    /// The stream `faults:<i>:dynamic`.
    rng: Stream,
}

impl DynamicPool {
    /// The pool of a random fault with `patterns`, or `None` when none of them can
    /// match a child of the supervisors at `parents`. `rng` is taken only for a pool.
    pub(crate) fn new(
        scenario: &Scenario,
        patterns: &[String],
        parents: &BTreeSet<String>,
        rng: impl FnOnce() -> Stream,
    ) -> Option<DynamicPool> {
        let reached: BTreeSet<String> = parents
            .iter()
            .filter(|d| patterns.iter().any(|p| may_match_child(p, d)))
            .cloned()
            .collect();
        if reached.is_empty() {
            return None;
        }
        let patterns: Vec<String> = patterns
            .iter()
            .filter(|p| reached.iter().any(|d| may_match_child(p, d)))
            .cloned()
            .collect();
        let static_paths = scenario
            .paths()
            .into_iter()
            .filter(|p| p.rsplit_once('/').is_some_and(|(d, _)| reached.contains(d)))
            .collect();
        Some(DynamicPool {
            patterns,
            parents: reached,
            static_paths,
            rng: rng(),
        })
    }

    /// Whether a live process labelled `label` is in the pool.
    pub(crate) fn is_member(&self, label: &str) -> bool {
        let Some((parent, id)) = label.rsplit_once('/') else {
            return false;
        };
        !id.is_empty()
            && self.parents.contains(parent)
            && !self.static_paths.contains(label)
            && self.patterns.iter().any(|p| pattern_matches(p, label))
    }

    /// One member of `n > 0`, uniformly (Lemire's multiply-shift: no modulo bias
    /// worth the name for a pool of any size this simulator can hold).
    pub(crate) fn pick(&mut self, n: usize) -> usize {
        let wide = u128::from(self.rng.next_u64()) * n as u128;
        (wide >> 64) as usize
    }

    /// What to do after a look that found `n` members, for a fault with `mtbf_us`.
    pub(crate) fn next(&mut self, mtbf_us: u64, n: usize) -> Next {
        if n == 0 {
            return Next::Look(LOOK_US);
        }
        // n processes each failing at 1/mtbf: the first of them at n/mtbf.
        let gap_us = exponential_us(&mut self.rng, mtbf_us) / n as u64;
        if gap_us <= LOOK_US {
            Next::Fire(gap_us)
        } else {
            Next::Look(LOOK_US)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::rng::stream;

    #[test]
    fn child_patterns_leave_the_last_segment_free() {
        assert!(may_match_child("root/s/*", "root/s"));
        assert!(may_match_child("root/*/*", "root/s"));
        assert!(may_match_child("root/s/u1", "root/s"));
        assert!(may_match_child("root/**", "root/s"));
        assert!(may_match_child("root/s/**", "root/s"));
        assert!(may_match_child("**", "root/s"));
        assert!(!may_match_child("root/s", "root/s"));
        assert!(!may_match_child("root/*", "root/s"));
        assert!(!may_match_child("root/t/*", "root/s"));
        assert!(!may_match_child("root/s/*/*", "root/s"));
        // `P/**` matches P itself: here the child `x`.
        assert!(may_match_child("root/s/x/**", "root/s"));
        assert!(!may_match_child("root/s/x/y/**", "root/s"));
    }

    fn scenario(json: &str) -> Scenario {
        crate::scenario::load_str("t.json", json).expect("loads")
    }

    const TREE: &str = r#"{"otpsim": 1, "name": "t", "duration": "10s",
        "app": {"root": {"id": "root", "type": "supervisor", "children": [
            {"id": "db", "type": "supervisor", "children": [{"id": "c1", "model": "worker"}]},
            {"id": "s", "type": "dynamic_supervisor", "children": [{"id": "boot", "model": "worker"}]}
        ]}},
        "faults": [
            {"at": "1s", "target": "root/db", "action": "start_child",
             "child": {"id": "more", "type": "dynamic_supervisor"}},
            {"random": "crash", "targets": ["root/db/*"], "mtbf": "1s"}
        ]}"#;

    #[test]
    fn parents_include_supervisors_added_by_start_child() {
        let s = scenario(TREE);
        let parents: Vec<String> = dynamic_parents(&s).into_iter().collect();
        assert_eq!(parents, ["root/db/more", "root/s"]);
    }

    #[test]
    fn members_are_run_time_children_matching_a_pattern() {
        let s = scenario(TREE);
        let parents = dynamic_parents(&s);
        let rng = || stream(1, "faults:0:dynamic");
        let pool = DynamicPool::new(&s, &["root/s/*".to_string()], &parents, rng)
            .expect("root/s/* reaches into root/s");
        assert!(pool.is_member("root/s/7"));
        assert!(
            !pool.is_member("root/s/boot"),
            "a static child is a static target"
        );
        assert!(!pool.is_member("root/s"));
        assert!(!pool.is_member("root/s/7/call"));
        assert!(
            !pool.is_member("root/db/more/7"),
            "not matched by the pattern"
        );
        let none = DynamicPool::new(&s, &["root/db/c1".to_string()], &parents, || {
            panic!("no stream is taken without a pool")
        });
        assert!(none.is_none());
    }

    #[test]
    fn draws_are_a_function_of_the_stream() {
        let s = scenario(TREE);
        let parents = dynamic_parents(&s);
        let make = |seed| {
            DynamicPool::new(&s, &["root/**".to_string()], &parents, || {
                stream(seed, "faults:1:dynamic")
            })
            .unwrap()
        };
        let run = |mut pool: DynamicPool| -> Vec<(Next, usize)> {
            (1..50)
                .map(|n| (pool.next(2_000_000, n), pool.pick(n)))
                .collect()
        };
        let (a, b, c) = (run(make(3)), run(make(3)), run(make(4)));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().enumerate().all(|(i, (_, k))| *k < i + 1));
        assert!(a.iter().any(|(n, _)| matches!(n, Next::Fire(_))));
        assert!(a.iter().any(|(n, _)| matches!(n, Next::Look(LOOK_US))));
        assert_eq!(make(3).next(1, 0), Next::Look(LOOK_US));
    }
}
