//! Running a Rust test over many seeds, and replaying the one that failed.
//!
//! A deterministic simulation is only as good as the seeds it is tried with. [`seeds`]
//! runs a test body once per seed; the first seed whose body returns `Err` or panics
//! fails the test with the seed and the exact command that replays it alone:
//!
//! ```text
//! seed 17 of 0..100 failed: pool drained: 0 connections left
//! replay: OTPSIM_SEED=17 cargo test --test pool_props drains_never -- --exact
//! ```
//!
//! Two environment variables steer it, so CI and a developer use the same test:
//! - `OTPSIM_SEED=N` runs seed `N` only (replay);
//! - `OTPSIM_SEEDS=K` runs `K` seeds from 0 instead of the test's default count (a
//!   nightly job sets it high).
//!
//! The [`crate::sim_test`] macro declares such a test and fills in its name and test
//! target, so the replay command is always exact:
//!
//! ```
//! use otpsim::kernel::{Sim, SimConfig};
//!
//! fn quiet_after_a_nap(seed: u64) -> Result<(), String> {
//!     let mut sim = Sim::new(SimConfig { seed, ..SimConfig::default() });
//!     sim.spawn(|ctx| async move { ctx.sleep(1_000).await; Ok(()) });
//!     let report = sim.run();
//!     if report.outcome.is_normal() { Ok(()) } else { Err(format!("{:?}", report.outcome)) }
//! }
//!
//! // In a tests/ file this declares `#[test] fn naps()` over 100 seeds:
//! otpsim::sim_test!(fn naps(seed) { quiet_after_a_nap(seed) });
//!
//! // What it runs, spelled out:
//! let id = otpsim::testing::TestId { name: "naps", target: "doc" };
//! otpsim::testing::seeds(id, 100, quiet_after_a_nap);
//! ```

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The environment variable that replays one seed.
pub const SEED_VAR: &str = "OTPSIM_SEED";
/// The environment variable that sets how many seeds to run.
pub const SEEDS_VAR: &str = "OTPSIM_SEEDS";

/// Where a test lives, for the replay command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestId<'a> {
    /// The test function's name.
    pub name: &'a str,
    /// The crate the test is compiled in: an integration test file's name, or the
    /// library's name for unit tests.
    pub target: &'a str,
}

impl TestId<'_> {
    /// The command that runs this test with `seed` only.
    pub fn replay_command(&self, seed: u64) -> String {
        let target = if self.target == env!("CARGO_CRATE_NAME") {
            "--lib".to_string()
        } else {
            format!("--test {}", self.target)
        };
        format!(
            "{SEED_VAR}={seed} cargo test {target} {} -- --exact",
            self.name
        )
    }
}

/// The seeds a run covers: `OTPSIM_SEED` alone, else `0..OTPSIM_SEEDS`, else
/// `0..default_count`. A malformed variable is an error, never silently ignored.
pub fn seed_range(default_count: u64) -> Result<Range<u64>, String> {
    let read = |var: &str| -> Result<Option<u64>, String> {
        match std::env::var(var) {
            Ok(text) => text
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| format!("{var}={text:?} is not a seed (expected an integer ≥ 0)")),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(e) => Err(format!("{var}: {e}")),
        }
    };
    if let Some(seed) = read(SEED_VAR)? {
        return Ok(seed..seed.saturating_add(1));
    }
    let count = read(SEEDS_VAR)?.unwrap_or(default_count);
    Ok(0..count)
}

/// A failing seed: which, why, and how to replay it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedFailure {
    /// The seed.
    pub seed: u64,
    /// The body's error, or the panic message.
    pub message: String,
    /// The command that replays this seed alone.
    pub replay: String,
}

impl std::fmt::Display for SeedFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seed {} failed: {}\nreplay: {}",
            self.seed, self.message, self.replay
        )
    }
}

/// Runs `body` for every seed in `range` and returns the first failure. Panics in
/// the body count as failures (with their message) instead of unwinding further.
pub fn first_failure(
    id: TestId<'_>,
    range: Range<u64>,
    mut body: impl FnMut(u64) -> Result<(), String>,
) -> Option<SeedFailure> {
    for seed in range {
        let outcome = catch_unwind(AssertUnwindSafe(|| body(seed)));
        let message = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(message)) => message,
            Err(panic) => panic_message(panic.as_ref()),
        };
        return Some(SeedFailure {
            seed,
            message,
            replay: id.replay_command(seed),
        });
    }
    None
}

/// Runs `body` over the seeds [`seed_range`] gives and panics at the first failure
/// with the seed and its replay command. What [`crate::sim_test`] expands to.
pub fn seeds(id: TestId<'_>, default_count: u64, body: impl FnMut(u64) -> Result<(), String>) {
    let range = match seed_range(default_count) {
        Ok(range) => range,
        Err(message) => panic!("{message}"),
    };
    let shown = format!("{}..{}", range.start, range.end);
    if let Some(failure) = first_failure(id, range, body) {
        panic!(
            "seed {} of {shown} failed: {}\nreplay: {}",
            failure.seed, failure.message, failure.replay
        );
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked with a non-string payload".to_string()
    }
}

/// Declares a `#[test]` that runs its body once per seed (100 by default, or
/// `OTPSIM_SEEDS`; only `OTPSIM_SEED` when set). The body gets the seed and returns
/// `Result<(), String>`; a failure names the seed and the exact replay command.
///
/// `sim_test!(fn name(seed) { .. })` runs 100 seeds;
/// `sim_test!(fn name(seed), seeds = 1000, { .. })` sets another default; attributes
/// such as `#[ignore]` may precede `fn`.
#[macro_export]
macro_rules! sim_test {
    ($(#[$meta:meta])* fn $name:ident($seed:ident) $body:block) => {
        $crate::sim_test!($(#[$meta])* fn $name($seed), seeds = 100, $body);
    };
    ($(#[$meta:meta])* fn $name:ident($seed:ident), seeds = $count:expr, $body:block) => {
        #[test]
        $(#[$meta])*
        fn $name() {
            let id = $crate::testing::TestId {
                name: stringify!($name),
                target: env!("CARGO_CRATE_NAME"),
            };
            $crate::testing::seeds(id, $count, |$seed: u64| -> ::std::result::Result<(), String> {
                $body
            });
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TestId<'static> = TestId {
        name: "pool_never_drains",
        target: "pool_props",
    };

    #[test]
    fn the_first_failing_seed_is_reported_with_its_replay_command() {
        let failure = first_failure(ID, 0..50, |seed| {
            if seed % 7 == 5 {
                Err(format!("bad {seed}"))
            } else {
                Ok(())
            }
        })
        .unwrap();
        assert_eq!(failure.seed, 5);
        assert_eq!(failure.message, "bad 5");
        assert_eq!(
            failure.replay,
            "OTPSIM_SEED=5 cargo test --test pool_props pool_never_drains -- --exact"
        );
    }

    #[test]
    fn a_panicking_body_is_a_failure_with_its_message() {
        let failure = first_failure(ID, 3..4, |_| panic!("boom")).unwrap();
        assert_eq!(failure.message, "panicked: boom");
    }

    #[test]
    fn passing_seeds_report_nothing() {
        let mut ran = Vec::new();
        assert!(first_failure(ID, 0..4, |s| {
            ran.push(s);
            Ok(())
        })
        .is_none());
        assert_eq!(ran, vec![0, 1, 2, 3]);
    }

    #[test]
    fn unit_tests_replay_with_lib() {
        let id = TestId {
            name: "x",
            target: env!("CARGO_CRATE_NAME"),
        };
        assert_eq!(
            id.replay_command(3),
            "OTPSIM_SEED=3 cargo test --lib x -- --exact"
        );
    }
}
