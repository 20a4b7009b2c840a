//! Exploring a scenario over many seeds: run each seed, check its expectations, and
//! collect the seeds that fail (design §6).
//!
//! Seeds run on worker threads, each simulation single-threaded and deterministic.
//! Every worker loads its own [`Scenario`] from the text (models are `Rc`, not
//! `Send`) and pulls seeds from a shared cursor, so the work spreads evenly whatever
//! each seed costs. A seed's result depends on the seed, the schedule and the swarm
//! flag only: the failing seeds and their fingerprints are the same with any number
//! of jobs and any sharding. Wall-clock time is the caller's business (the library
//! stays free of it).

pub mod shrink;
mod swarm;

pub use swarm::{swarm_overrides, with_swarm_draws};

use crate::check::evaluate;
use crate::kernel::{Outcome, Schedule};
use crate::scenario::json::LoadError;
use crate::scenario::load_str;
use crate::scenario::run::{run, RunOptions, RunOutput};
use crate::scenario::spec::Scenario;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What to explore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExploreConfig {
    /// The seeds, end excluded (as a Rust range).
    pub seeds: Range<u64>,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// `(I, N)`: run only the I-th (1-based) of N contiguous, near-equal slices of
    /// `seeds`, so machines of a CI matrix can share a sweep.
    pub shard: Option<(u32, u32)>,
    /// The order of same-instant deliveries from different senders.
    pub schedule: Schedule,
    /// Each seed also draws random faults' rates within the scenario's swarm bounds.
    pub swarm: bool,
}

/// One failed expectation of one seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failing {
    /// The seed.
    pub seed: u64,
    /// The expectation's name, or `limit:<outcome>` when a limit cut the run short.
    pub expectation: String,
    /// The run's fingerprint (replaying the seed gives the same).
    pub fingerprint: u64,
}

/// What an exploration found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExploreReport {
    /// Seeds run (the shard's share of the range).
    pub seeds_run: u64,
    /// Every failure, by seed, then in the scenario's expectation order.
    pub failing: Vec<Failing>,
    /// How many seeds failed each expectation, in the scenario's expectation order
    /// (expectations that never failed left out; limits last).
    pub failures_per_expectation: Vec<(String, u64)>,
}

/// The result of one seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedResult {
    /// The seed.
    pub seed: u64,
    /// The run's fingerprint.
    pub fingerprint: u64,
    /// The names of the expectations that failed (plus `limit:<outcome>` when a limit
    /// stopped the run), in the scenario's order.
    pub failed: Vec<String>,
}

/// The seeds of `range` in shard `I` of `N` (1-based): the I-th of N contiguous
/// slices whose lengths differ by at most one, the longer ones first.
pub fn shard_range(range: &Range<u64>, shard: Option<(u32, u32)>) -> Range<u64> {
    let Some((i, n)) = shard else {
        return range.clone();
    };
    let len = range.end.saturating_sub(range.start);
    let (i, n) = (u64::from(i.max(1) - 1), u64::from(n.max(1)));
    let (base, extra) = (len / n, len % n);
    let start = range.start + i * base + i.min(extra);
    let size = base + u64::from(i < extra);
    start..start + size
}

/// Checks a range and a shard: an empty or reversed range, a shard outside `1..=N`
/// or `N = 0` are refused with a message for the user.
pub fn validate(cfg: &ExploreConfig) -> Result<(), String> {
    if cfg.seeds.start >= cfg.seeds.end {
        return Err(format!(
            "the seed range {}..{} is empty (expected A..B with A < B; B is excluded)",
            cfg.seeds.start, cfg.seeds.end
        ));
    }
    if let Some((i, n)) = cfg.shard {
        if n == 0 || i == 0 || i > n {
            return Err(format!(
                "shard {i}/{n} does not exist (expected I/N with 1 <= I <= N)"
            ));
        }
    }
    if cfg.jobs == 0 {
        return Err("--jobs must be at least 1".into());
    }
    Ok(())
}

/// Runs one seed of `scenario` and checks it.
pub fn run_seed(scenario: &Scenario, seed: u64, schedule: Schedule, swarm: bool) -> SeedResult {
    let opts = RunOptions {
        seed,
        record: true,
        mtbf_override: if swarm {
            swarm_overrides(scenario, seed)
        } else {
            Vec::new()
        },
        schedule,
    };
    let out = run(scenario, &opts);
    let mut failed: Vec<String> = evaluate(scenario, &out.events, check_end_us(&out))
        .into_iter()
        .filter(|r| !r.passed)
        .map(|r| r.name)
        .collect();
    if is_limit(&out.report.outcome) {
        failed.push(format!("limit:{}", out.report.outcome.name()));
    }
    SeedResult {
        seed,
        fingerprint: out.report.fingerprint,
        failed,
    }
}

/// Runs every seed of the (sharded) range of `cfg` over `file`'s `text`, calling
/// `progress(done, total)` after each seed (from the worker threads).
pub fn explore(
    file: &str,
    text: &str,
    cfg: &ExploreConfig,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ExploreReport, LoadError> {
    // Load once here so a bad file is an error before any thread starts.
    let first = load_str(file, text)?;
    let range = shard_range(&cfg.seeds, cfg.shard);
    let total = range.end - range.start;
    let cursor = AtomicU64::new(range.start);
    let done = AtomicU64::new(0);
    let results: Mutex<Vec<SeedResult>> = Mutex::new(Vec::new());
    let worker = |scenario: Scenario| {
        let mut mine = Vec::new();
        loop {
            let seed = cursor.fetch_add(1, Ordering::Relaxed);
            if seed >= range.end {
                break;
            }
            mine.push(run_seed(&scenario, seed, cfg.schedule, cfg.swarm));
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        }
        results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(mine);
    };
    let jobs = cfg.jobs.max(1).min(total.max(1) as usize);
    std::thread::scope(|s| {
        for _ in 1..jobs {
            s.spawn(|| match load_str(file, text) {
                Ok(scenario) => worker(scenario),
                // Loaded once already: the same text cannot fail now.
                Err(_) => unreachable!("the scenario loaded on the first attempt"),
            });
        }
        worker(first);
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|r| r.seed);
    Ok(summarise(total, &results))
}

fn summarise(seeds_run: u64, results: &[SeedResult]) -> ExploreReport {
    let mut failing = Vec::new();
    let mut order: Vec<String> = Vec::new();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for r in results {
        for name in &r.failed {
            failing.push(Failing {
                seed: r.seed,
                expectation: name.clone(),
                fingerprint: r.fingerprint,
            });
            let c = counts.entry(name.clone()).or_insert(0);
            if *c == 0 {
                order.push(name.clone());
            }
            *c += 1;
        }
    }
    // Expectations in order of first failure, limits last.
    order.sort_by_key(|n| n.starts_with("limit:"));
    let failures_per_expectation = order
        .into_iter()
        .map(|n| {
            let c = counts[&n];
            (n, c)
        })
        .collect();
    ExploreReport {
        seeds_run,
        failing,
        failures_per_expectation,
    }
}

fn is_limit(outcome: &Outcome) -> bool {
    !matches!(
        outcome,
        Outcome::Quiescent | Outcome::DurationReached { .. }
    )
}

/// Where the checker's windows end: a quiescent run holds its state to the
/// scenario's end; a run cut short by a limit says nothing past the point it reached.
pub fn check_end_us(out: &RunOutput) -> u64 {
    let reached = out.report.virtual_time_us;
    if out.report.outcome == Outcome::Quiescent {
        reached.max(out.duration_us)
    } else {
        reached
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_range_once() {
        let range = 10..27;
        for n in 1..6u32 {
            let mut next = range.start;
            for i in 1..=n {
                let s = shard_range(&range, Some((i, n)));
                assert_eq!(s.start, next);
                let len = s.end - s.start;
                assert!(len == 17 / u64::from(n) || len == 17 / u64::from(n) + 1);
                next = s.end;
            }
            assert_eq!(next, range.end);
        }
    }

    #[test]
    fn bad_ranges_and_shards_are_refused() {
        let cfg = |seeds: Range<u64>, shard| ExploreConfig {
            seeds,
            jobs: 1,
            shard,
            schedule: Schedule::Fifo,
            swarm: false,
        };
        assert!(validate(&cfg(5..5, None)).is_err());
        assert!(validate(&cfg(0..5, Some((0, 3)))).is_err());
        assert!(validate(&cfg(0..5, Some((4, 3)))).is_err());
        assert!(validate(&cfg(0..5, Some((1, 0)))).is_err());
        assert!(validate(&cfg(0..5, Some((3, 3)))).is_ok());
    }
}
