//! Schedule perturbation: which runnable process runs next within one instant.
//!
//! Under [`Schedule::Fifo`] (the default) the run queue is strictly first-in
//! first-out (SIM-1), and this module is never consulted. Under `Random` and `Pct` the
//! next process is picked among every process runnable at the current instant, so
//! same-instant sends and exit signals from *different* processes reach their
//! receivers in a permuted order. A single process still runs its own code in order,
//! so everything one sender sends to one receiver arrives in the order it was sent
//! (per-pair FIFO, OTP's only ordering guarantee). Every draw comes from the seed's
//! `"scheduling"` stream: the same seed and schedule replay the same order.

use super::rng::{self, Stream};
use crate::term::Pid;
use rand_core::RngCore;
use std::collections::{BTreeMap, VecDeque};

/// How the kernel orders processes that are runnable at the same instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Schedule {
    /// First come, first run: the deterministic order of SIM-1.
    #[default]
    Fifo,
    /// Each step picks a runnable process uniformly at random.
    Random,
    /// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): each process
    /// gets a random priority and the highest-priority runnable process runs;
    /// `depth - 1` random change points each lower the running process's priority
    /// below every initial one. Finds a bug of depth `d` with probability at least
    /// `1 / (n * k^(d-1))` per run (n processes, k steps).
    Pct {
        /// The bug depth searched for (1 = priorities only, no change point).
        depth: u32,
    },
}

impl Schedule {
    /// The name the CLI uses (`fifo`, `random`, `pct`, or `pct:D` for a depth other
    /// than the default 3).
    pub fn name(&self) -> String {
        match self {
            Schedule::Fifo => "fifo".into(),
            Schedule::Random => "random".into(),
            Schedule::Pct {
                depth: DEFAULT_PCT_DEPTH,
            } => "pct".into(),
            Schedule::Pct { depth } => format!("pct:{depth}"),
        }
    }

    /// Parses [`Schedule::name`]'s forms.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        match text {
            "fifo" => Ok(Schedule::Fifo),
            "random" => Ok(Schedule::Random),
            "pct" => Ok(Schedule::Pct {
                depth: DEFAULT_PCT_DEPTH,
            }),
            other => match other.strip_prefix("pct:").map(str::parse::<u32>) {
                Some(Ok(depth)) if (1..=MAX_PCT_DEPTH).contains(&depth) => {
                    Ok(Schedule::Pct { depth })
                }
                _ => Err(format!(
                    "unknown schedule `{other}` (expected fifo, random, pct or pct:DEPTH with DEPTH from 1 to {MAX_PCT_DEPTH})"
                )),
            },
        }
    }
}

/// The PCT depth `pct` stands for: enough for most two- and three-message races.
pub const DEFAULT_PCT_DEPTH: u32 = 3;

/// The deepest PCT search [`Schedule::parse`] accepts. A run draws `depth - 1` change
/// points up front, so an unbounded depth from the command line could exhaust memory
/// before the first step; far fewer already place a change point on most steps of the
/// longest horizon.
pub const MAX_PCT_DEPTH: u32 = 1000;

/// The state a non-FIFO schedule keeps between steps.
pub(crate) struct Scheduler {
    rng: Stream,
    mode: Mode,
}

enum Mode {
    Random,
    Pct(Pct),
}

struct Pct {
    depth: u64,
    /// Priorities given so far; a process gets one when it is first picked from.
    priority: BTreeMap<Pid, u64>,
    /// Steps (counted from the run's start) at which the running process is lowered,
    /// ascending.
    change_points: Vec<u64>,
    /// How many change points have passed.
    passed: u64,
    step: u64,
}

impl Scheduler {
    /// `None` for FIFO: the kernel then never calls in here.
    pub(crate) fn new(schedule: Schedule, seed: u64) -> Option<Box<Scheduler>> {
        let mut rng = rng::stream(seed, "scheduling");
        let mode = match schedule {
            Schedule::Fifo => return None,
            Schedule::Random => Mode::Random,
            Schedule::Pct { depth } => {
                // PCT needs the run's length in steps, which is not known ahead: a
                // log-uniform horizon (16 to 1M steps) gives short and long runs alike
                // a fair chance that change points fall inside them.
                let horizon = 1u64 << (4 + rng.next_u64() % 17);
                let mut change_points: Vec<u64> = (1..depth.max(1))
                    .map(|_| rng.next_u64() % horizon)
                    .collect();
                change_points.sort_unstable();
                Mode::Pct(Pct {
                    depth: u64::from(depth.max(1)),
                    priority: BTreeMap::new(),
                    change_points,
                    passed: 0,
                    step: 0,
                })
            }
        };
        Some(Box::new(Scheduler { rng, mode }))
    }

    /// Takes the next process to run out of `queue` (which is not empty).
    pub(crate) fn pick(&mut self, queue: &mut VecDeque<Pid>) -> Option<Pid> {
        let len = queue.len() as u64;
        if len <= 1 {
            if let Mode::Pct(p) = &mut self.mode {
                if let Some(&pid) = queue.front() {
                    p.advance(pid, &mut self.rng);
                }
            }
            return queue.pop_front();
        }
        let index = match &mut self.mode {
            Mode::Random => (self.rng.next_u64() % len) as usize,
            Mode::Pct(p) => {
                let rng = &mut self.rng;
                let mut best = 0;
                let mut best_priority = 0;
                for (i, pid) in queue.iter().enumerate() {
                    let pr = p.priority_of(*pid, rng);
                    if i == 0 || pr > best_priority {
                        best = i;
                        best_priority = pr;
                    }
                }
                p.advance(queue[best], rng);
                best
            }
        };
        queue.remove(index)
    }

    /// Drops what is kept about a process that has terminated.
    pub(crate) fn forget(&mut self, pid: Pid) {
        if let Mode::Pct(p) = &mut self.mode {
            p.priority.remove(&pid);
        }
    }
}

impl Pct {
    fn priority_of(&mut self, pid: Pid, rng: &mut Stream) -> u64 {
        let depth = self.depth;
        // Initial priorities lie above every lowered one (lowered ones are < depth).
        *self
            .priority
            .entry(pid)
            .or_insert_with(|| depth + (rng.next_u64() >> 1))
    }

    /// Counts the step `pid` is about to take; at a change point, lowers its priority.
    fn advance(&mut self, pid: Pid, rng: &mut Stream) {
        self.priority_of(pid, rng);
        while self
            .change_points
            .get(self.passed as usize)
            .is_some_and(|&at| at <= self.step)
        {
            self.passed += 1;
            // The i-th change point lowers to depth - i: later ones rank lower still.
            self.priority.insert(pid, self.depth - self.passed);
        }
        self.step += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(slot: u32) -> Pid {
        Pid {
            slot,
            serial: slot + 1,
        }
    }

    fn order(schedule: Schedule, seed: u64) -> Vec<Pid> {
        let mut s = Scheduler::new(schedule, seed).expect("not fifo");
        let mut q: VecDeque<Pid> = (0..8).map(pid).collect();
        let mut out = Vec::new();
        while let Some(p) = s.pick(&mut q) {
            out.push(p);
        }
        out
    }

    #[test]
    fn fifo_has_no_scheduler() {
        assert!(Scheduler::new(Schedule::Fifo, 1).is_none());
    }

    #[test]
    fn random_and_pct_permute_and_replay() {
        for schedule in [Schedule::Random, Schedule::Pct { depth: 3 }] {
            let fifo: Vec<Pid> = (0..8).map(pid).collect();
            let differs = (0..20).any(|seed| order(schedule, seed) != fifo);
            assert!(differs, "{schedule:?} never permutes");
            assert_eq!(order(schedule, 5), order(schedule, 5));
            let mut sorted = order(schedule, 9);
            sorted.sort();
            assert_eq!(sorted, fifo, "every process runs exactly once");
        }
    }

    #[test]
    fn names_round_trip() {
        for s in [
            Schedule::Fifo,
            Schedule::Random,
            Schedule::Pct { depth: 3 },
            Schedule::Pct { depth: 1 },
        ] {
            assert_eq!(Schedule::parse(&s.name()), Ok(s));
        }
        assert!(Schedule::parse("lifo").is_err());
        assert!(Schedule::parse("pct:0").is_err());
        assert_eq!(
            Schedule::parse("pct:1000"),
            Ok(Schedule::Pct { depth: 1000 })
        );
        assert!(Schedule::parse("pct:1001").is_err());
        assert!(Schedule::parse("pct:4294967295").is_err());
    }
}
