//! The minimising passes. Each takes the current failing scenario, tries smaller or
//! plainer candidates through the [`Oracle`], and keeps the first (or, for searches,
//! the best) that still fails; each says whether it changed anything.
//!
//! Times are searched on whole milliseconds: a shrunk file reads `17.3s`, not
//! `17304211us`, and a search over a minute takes 16 runs instead of 26.

use super::ddmin::ddmin;
use super::edit;
use super::oracle::Oracle;
use crate::scenario::spec::{Check, FaultSpec, Scenario};

const MS: u64 = 1_000;

/// Keeps only the failing expectation: the others cannot change the run, so this is
/// one run, and every later run checks one expectation instead of all.
pub(super) fn drop_other_expectations(o: &mut Oracle, cur: &mut Scenario, name: &str) -> bool {
    if cur.expectations.len() <= 1 {
        return false;
    }
    accept(o, cur, edit::keep_expectation(cur, name))
}

/// Switches buggify off when the failure does not need it: the result then fails
/// without any injection point, which is the plainer story.
pub(super) fn drop_buggify(o: &mut Oracle, cur: &mut Scenario) -> bool {
    if cur.buggify.is_none() {
        return false;
    }
    let candidate = Scenario {
        buggify: None,
        ..cur.clone()
    };
    accept(o, cur, candidate)
}

/// ddmin over the workload clients.
pub(super) fn drop_clients(o: &mut Oracle, cur: &mut Scenario) -> bool {
    let len = cur.workload.len();
    let base = cur.clone();
    minimise(o, cur, len, |kept| edit::keep_clients(&base, kept))
}

/// ddmin over the faults.
pub(super) fn drop_faults(o: &mut Oracle, cur: &mut Scenario) -> bool {
    let len = cur.faults.len();
    let base = cur.clone();
    minimise(o, cur, len, |kept| edit::keep_faults(&base, kept))
}

/// ddmin over the tree nodes, as the set of nodes kept (a node a fault or an
/// expectation names makes the candidate fail to load, which counts as "does not
/// fail").
pub(super) fn drop_nodes(o: &mut Oracle, cur: &mut Scenario) -> bool {
    let nodes = edit::removable_nodes(cur);
    let base = cur.clone();
    minimise(o, cur, nodes.len(), |keep| {
        let removed: Vec<String> = (0..nodes.len())
            .filter(|i| !keep.contains(i))
            .map(|i| nodes[i].clone())
            .collect();
        edit::without_nodes(&base, &removed)
    })
}

/// Replaces exit and crash reasons with plainer ones (`kill`, `shutdown`, `error`),
/// fault by fault, where the failure survives it.
pub(super) fn plainer_reasons(o: &mut Oracle, cur: &mut Scenario) -> bool {
    let mut changed = false;
    for i in 0..cur.faults.len() {
        let action = match &cur.faults[i] {
            FaultSpec::Scheduled { action, .. } | FaultSpec::Random { action, .. } => {
                action.clone()
            }
        };
        for plainer in edit::plainer_actions(&action) {
            if accept(o, cur, edit::with_action(cur, i, plainer)) {
                changed = true;
                break;
            }
        }
    }
    changed
}

/// Moves each scheduled fault as late as the failure allows, last fault first, never
/// past the next one (the order of faults is kept) nor past the end of the run.
pub(super) fn move_faults_later(o: &mut Oracle, cur: &mut Scenario) -> bool {
    let mut changed = false;
    for i in (0..cur.faults.len()).rev() {
        let Some(at_us) = edit::fault_at_us(cur, i) else {
            continue;
        };
        let next_us = (i + 1..cur.faults.len())
            .find_map(|j| edit::fault_at_us(cur, j))
            .unwrap_or(cur.duration_us);
        // Candidates are whole milliseconds after `at_us` and before `next_us`.
        let lo_ms = at_us / MS;
        let hi_ms = next_us.saturating_sub(1) / MS;
        if hi_ms <= lo_ms {
            continue;
        }
        let base = cur.clone();
        let found = latest(lo_ms, hi_ms, |t_ms| {
            o.fails(&edit::with_fault_at(&base, i, t_ms * MS))
        });
        if let Some(s) = found {
            *cur = s;
            changed = true;
        }
    }
    changed
}

/// Cuts the run just past the failure: the shortest whole-millisecond duration, after
/// the last scheduled fault, at which it still fails. Only for an expectation that a
/// shorter run cannot fail on its own ([`cut_keeps_the_failure`]).
pub(super) fn shorten(o: &mut Oracle, cur: &mut Scenario, name: &str) -> bool {
    let sound = cur
        .expectations
        .iter()
        .any(|e| e.name == name && cut_keeps_the_failure(&e.check));
    if !sound {
        return false;
    }
    let last_fault_us = (0..cur.faults.len())
        .filter_map(|i| edit::fault_at_us(cur, i))
        .max()
        .unwrap_or(0);
    // Below this every candidate would lose a fault (or be empty); at `hi` it fails.
    let lo_ms = last_fault_us / MS;
    let hi_ms = cur.duration_us.div_ceil(MS);
    let base = cur.clone();
    let found = earliest(lo_ms, hi_ms, |d_ms| {
        o.fails(&edit::with_duration(&base, d_ms * MS))
    });
    match found {
        Some(s) if s.duration_us < cur.duration_us => {
            *cur = s;
            true
        }
        _ => false,
    }
}

/// Whether every run cut short that fails `check` fails it the way the whole run did:
/// by something that happened. A safety check (`always`, `never`, at most so many
/// events) fails at a witnessed event, and a cut after that event keeps it. Every
/// other check can fail merely because the run ended sooner: fewer events than
/// `at_least`, a condition not reached yet, a call ratio over fewer calls, an end
/// state taken mid-way (a writer cut short in its final flush has lost nothing).
fn cut_keeps_the_failure(check: &Check) -> bool {
    match check {
        Check::Always(..) | Check::Never(..) => true,
        Check::Count { at_least, .. } => at_least.unwrap_or(0) == 0,
        _ => false,
    }
}

/// Takes `candidate` when it still fails.
fn accept(o: &mut Oracle, cur: &mut Scenario, candidate: Scenario) -> bool {
    match o.fails(&candidate) {
        Some(s) => {
            *cur = s;
            true
        }
        None => false,
    }
}

/// ddmin over `len` items of `cur`, `build(kept)` giving the candidate that keeps them.
fn minimise(
    o: &mut Oracle,
    cur: &mut Scenario,
    len: usize,
    build: impl Fn(&[usize]) -> Scenario,
) -> bool {
    if len == 0 {
        return false;
    }
    let mut last: Option<(Vec<usize>, Scenario)> = None;
    let kept = ddmin(len, |keep| match o.fails(&build(keep)) {
        Some(s) => {
            last = Some((keep.to_vec(), s));
            true
        }
        None => false,
    });
    match last {
        // ddmin ends on the last subset that failed; its loaded form is kept with it.
        Some((keep, s)) if keep == kept && kept.len() < len => {
            *cur = s;
            true
        }
        _ => false,
    }
}

/// The largest `t` in `(lo, hi]` where `try_at(t)` gives a scenario, by bisection
/// (assuming failures are contiguous from `lo`, where it fails); the scenario found.
fn latest(
    mut lo: u64,
    mut hi: u64,
    mut try_at: impl FnMut(u64) -> Option<Scenario>,
) -> Option<Scenario> {
    let mut best = None;
    if let Some(s) = try_at(hi) {
        return Some(s);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match try_at(mid) {
            Some(s) => {
                best = Some(s);
                lo = mid;
            }
            None => hi = mid,
        }
    }
    best
}

/// The smallest `t` in `(lo, hi)` where `try_at(t)` gives a scenario, by bisection
/// (assuming it fails at `hi` and failures are contiguous up to it).
fn earliest(
    mut lo: u64,
    mut hi: u64,
    mut try_at: impl FnMut(u64) -> Option<Scenario>,
) -> Option<Scenario> {
    let mut best = None;
    while hi > lo + 1 {
        let mid = lo + (hi - lo) / 2;
        match try_at(mid) {
            Some(s) => {
                best = Some(s);
                hi = mid;
            }
            None => lo = mid,
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(t: u64) -> Scenario {
        let mut s = crate::scenario::load_str(
            "t.json",
            r#"{"otpsim": 1, "name": "t", "duration": "1s",
                "app": {"root": {"id": "root", "type": "supervisor", "children": []}}}"#,
        )
        .unwrap();
        s.seed = t;
        s
    }

    #[test]
    fn bisection_finds_the_edges_of_a_failing_range() {
        // Fails for t in [0, 37]: the latest is 37.
        let got = latest(0, 100, |t| (t <= 37).then(|| marker(t)));
        assert_eq!(got.map(|s| s.seed), Some(37));
        // Fails for t in [42, 100]: the earliest is 42.
        let got = earliest(0, 100, |t| (t >= 42).then(|| marker(t)));
        assert_eq!(got.map(|s| s.seed), Some(42));
        // Nothing better than the bounds: no scenario.
        assert!(latest(0, 10, |t| (t == 0).then(|| marker(t))).is_none());
        assert!(earliest(0, 10, |t| (t == 10).then(|| marker(t))).is_none());
    }

    #[test]
    fn only_safety_checks_are_cut_short() {
        let s = crate::scenario::load_str(
            "t.json",
            r#"{"otpsim": 1, "name": "t", "duration": "10s",
                "app": {"root": {"id": "root", "type": "supervisor", "children": [
                    {"id": "w", "model": "worker"}]}},
                "workload": [{"id": "c", "model": "load_client", "params": {"target": "root/w", "rate": 1}}],
                "expect": [
                    {"name": "a", "always": {"alive": "root/w"}},
                    {"name": "n", "never": {"alive": "root/w"}},
                    {"name": "at_most", "count": "crash", "of": "root/w", "at_most": 2},
                    {"name": "equals_0", "count": "crash", "of": "root/w", "equals": 0},
                    {"name": "at_least", "count": "crash", "of": "root/w", "at_least": 1},
                    {"name": "eventually", "eventually": {"alive": "root/w"}, "by": "5s"},
                    {"name": "sometimes", "sometimes": {"alive": "root/w"}},
                    {"name": "calls", "calls": "c", "min_success_ratio": 0.9},
                    {"name": "end", "at_end": {"alive": "root/w"}},
                    {"name": "lost", "nothing_lost": true}]}"#,
        )
        .unwrap();
        let cut: Vec<&str> = s
            .expectations
            .iter()
            .filter(|e| cut_keeps_the_failure(&e.check))
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(cut, ["a", "n", "at_most", "equals_0"]);
    }
}
