//! The fault plan: what fires when. Scheduled faults are known up front; each random
//! fault is a Poisson process per target path, drawn lazily (one pending firing per
//! target), so a plan costs memory in its targets, not in its firings.
//!
//! Random faults fire only inside the fault windows: the phases with `faults: true`,
//! or the whole run when there are no phases. Each process runs on a clock that ticks
//! only inside those windows, which for a memoryless process is the same as drawing
//! over the whole run and keeping what falls inside.
//!
//! Stream discipline: random fault number `i` (its index in the scenario's `faults`)
//! draws from its own stream `faults:<i>`, first one draw per target in tree order,
//! then one more each time a target fires. So adding, removing or retuning another
//! fault never moves this one's firings, and neither does anything outside the
//! injector (clients, models, message drops use other streams).
//!
//! A random fault whose patterns can match children started at run time also has a
//! dynamic pool ([`super::dynamic`]): one more Poisson process, on its own stream
//! `faults:<i>:dynamic`, that starts with a look at the first fault window's start.

use super::dynamic::{dynamic_parents, DynamicPool, Next};
use crate::kernel::rng::Stream;
use crate::models::params::exponential_us;
use crate::scenario::load::pattern_matches;
use crate::scenario::spec::{FaultSpec, Scenario};
use crate::term::Pid;
use std::collections::BTreeMap;

/// Something the injector does at a given time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// The scheduled fault `faults[index]`.
    Scheduled { index: usize },
    /// The random fault `faults[index]` hits its `target`th target.
    Random { index: usize, target: usize },
    /// The dynamic pool of random fault `faults[index]` looks at the live processes,
    /// and hits one of them when `fire`.
    Dynamic { index: usize, fire: bool },
    /// A pause ends: resume `pid`, which the fault named `target`.
    Resume { target: String, pid: Pid },
}

/// One random fault's Poisson processes.
struct RandomFault {
    mtbf_us: u64,
    targets: Vec<String>,
    rng: Stream,
    /// Children started at run time that the patterns can match, if any can.
    pool: Option<DynamicPool>,
}

/// The injector's agenda: items by (time, insertion order), so items due at the same
/// instant fire in file order, and a resume after what was already due.
pub(crate) struct Plan {
    agenda: BTreeMap<(u64, u64), Item>,
    next_seq: u64,
    randoms: BTreeMap<usize, RandomFault>,
    windows: Vec<(u64, u64)>,
}

/// The windows in which random faults fire, in time order.
pub(crate) fn fault_windows(scenario: &Scenario) -> Vec<(u64, u64)> {
    if scenario.phases.is_empty() {
        return vec![(0, scenario.duration_us)];
    }
    let mut windows: Vec<(u64, u64)> = scenario
        .phases
        .iter()
        .filter(|p| p.faults)
        .map(|p| (p.from_us, p.until_us.min(scenario.duration_us)))
        .filter(|(from, until)| from < until)
        .collect();
    windows.sort_unstable();
    windows
}

/// The real time reached after `delta_us` of fault-window time, starting at `from_us`;
/// `None` when the windows end first.
pub(crate) fn advance(windows: &[(u64, u64)], from_us: u64, mut delta_us: u64) -> Option<u64> {
    for &(start, until) in windows {
        if until <= from_us {
            continue;
        }
        let start = start.max(from_us);
        let room = until - start;
        if delta_us < room {
            return Some(start + delta_us);
        }
        delta_us -= room;
    }
    None
}

/// The tree paths any of `patterns` matches, in tree order, each once.
pub(crate) fn random_targets(scenario: &Scenario, patterns: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for path in scenario.paths() {
        if patterns.iter().any(|p| pattern_matches(p, &path)) && !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

impl Plan {
    /// The plan of `scenario`: `stream(name)` gives the named random stream, and
    /// `mtbf_override` replaces random faults' mean times between failures (swarm).
    pub(crate) fn new(
        scenario: &Scenario,
        mut stream: impl FnMut(&str) -> Stream,
        mtbf_override: &[(usize, u64)],
    ) -> Plan {
        let mut plan = Plan {
            agenda: BTreeMap::new(),
            next_seq: 0,
            randoms: BTreeMap::new(),
            windows: fault_windows(scenario),
        };
        // Computed once for all random faults, and only when there is one.
        let mut parents = None;
        for (index, fault) in scenario.faults.iter().enumerate() {
            match fault {
                FaultSpec::Scheduled { at_us, .. } => {
                    plan.push(*at_us, Item::Scheduled { index });
                }
                FaultSpec::Random {
                    targets, mtbf_us, ..
                } => {
                    let mtbf_us = mtbf_override
                        .iter()
                        .rev()
                        .find(|(i, _)| *i == index)
                        .map_or(*mtbf_us, |(_, m)| *m)
                        .max(1);
                    let parents = parents.get_or_insert_with(|| dynamic_parents(scenario));
                    let pool = DynamicPool::new(scenario, targets, parents, || {
                        stream(&format!("faults:{index}:dynamic"))
                    });
                    let random = RandomFault {
                        mtbf_us,
                        targets: random_targets(scenario, targets),
                        rng: stream(&format!("faults:{index}")),
                        pool,
                    };
                    plan.randoms.insert(index, random);
                    for target in 0..plan.randoms[&index].targets.len() {
                        plan.draw(index, target, 0);
                    }
                    // After the static draws, so their items keep their order.
                    if plan.randoms[&index].pool.is_some() {
                        if let Some(at_us) = advance(&plan.windows, 0, 0) {
                            plan.push(at_us, Item::Dynamic { index, fire: false });
                        }
                    }
                }
            }
        }
        plan
    }

    /// Adds `item` at `at_us`, after everything already due then.
    pub(crate) fn push(&mut self, at_us: u64, item: Item) {
        self.agenda.insert((at_us, self.next_seq), item);
        self.next_seq += 1;
    }

    /// The next item and its time.
    pub(crate) fn pop(&mut self) -> Option<(u64, Item)> {
        self.agenda.pop_first().map(|((at, _), item)| (at, item))
    }

    /// Draws the next firing of random fault `index` on its `target`th target, after
    /// `from_us`; nothing when the fault windows end first.
    pub(crate) fn draw(&mut self, index: usize, target: usize, from_us: u64) {
        let Some(random) = self.randoms.get_mut(&index) else {
            return;
        };
        let gap_us = exponential_us(&mut random.rng, random.mtbf_us);
        if let Some(at_us) = advance(&self.windows, from_us, gap_us) {
            self.push(at_us, Item::Random { index, target });
        }
    }

    /// Whether a live process labelled `label` is in random fault `index`'s pool.
    pub(crate) fn in_pool(&self, index: usize, label: &str) -> bool {
        self.randoms
            .get(&index)
            .and_then(|r| r.pool.as_ref())
            .is_some_and(|pool| pool.is_member(label))
    }

    /// One of `n > 0` members of random fault `index`'s pool, uniformly.
    pub(crate) fn pick(&mut self, index: usize, n: usize) -> Option<usize> {
        Some(self.randoms.get_mut(&index)?.pool.as_mut()?.pick(n))
    }

    /// Schedules the next look of random fault `index`'s pool, which has just found
    /// `n` members at `from_us`; nothing when the fault windows end first.
    pub(crate) fn draw_dynamic(&mut self, index: usize, n: usize, from_us: u64) {
        let Some(random) = self.randoms.get_mut(&index) else {
            return;
        };
        let Some(pool) = random.pool.as_mut() else {
            return;
        };
        let (gap_us, fire) = match pool.next(random.mtbf_us, n) {
            Next::Fire(gap_us) => (gap_us, true),
            Next::Look(gap_us) => (gap_us, false),
        };
        if let Some(at_us) = advance(&self.windows, from_us, gap_us) {
            self.push(at_us, Item::Dynamic { index, fire });
        }
    }

    /// The path of random fault `index`'s `target`th target.
    pub(crate) fn target_path(&self, index: usize, target: usize) -> Option<&str> {
        Some(self.randoms.get(&index)?.targets.get(target)?.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_spends_time_only_inside_windows() {
        let w = [(10, 20), (50, 60)];
        assert_eq!(advance(&w, 0, 0), Some(10));
        assert_eq!(advance(&w, 0, 5), Some(15));
        assert_eq!(advance(&w, 15, 5), Some(50));
        assert_eq!(advance(&w, 15, 14), Some(59));
        assert_eq!(advance(&w, 15, 15), None);
        assert_eq!(advance(&w, 60, 0), None);
        assert_eq!(advance(&[], 0, 0), None);
    }
}
