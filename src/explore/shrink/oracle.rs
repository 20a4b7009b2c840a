//! The shrinker's question, "does this candidate still fail the same way?", asked the
//! way a user would: the candidate is written out as a scenario file, read back with
//! the loader, run with the seed and checked. A candidate the loader rejects (a fault
//! naming a node that was removed, a window past a shortened end) is simply not a
//! smaller failing scenario; it costs no run.

use crate::check::{evaluate, window_end_us, ExpectationResult};
use crate::kernel::Schedule;
use crate::scenario::load_str;
use crate::scenario::run::{run, RunOptions, RunOutput};
use crate::scenario::spec::Scenario;

/// Runs `scenario` with `seed` under `schedule`, recording, and checks its expectations.
pub(super) fn run_checked(
    scenario: &Scenario,
    seed: u64,
    schedule: Schedule,
) -> (RunOutput, Vec<ExpectationResult>) {
    let options = RunOptions {
        seed,
        record: true,
        mtbf_override: Vec::new(),
        schedule,
    };
    let out = run(scenario, &options);
    let results = evaluate(
        scenario,
        &out.events,
        window_end_us(&out.report, out.duration_us),
    );
    (out, results)
}

/// Whether the expectation named `name` failed; `None` when no result has that name.
pub(super) fn failed(results: &[ExpectationResult], name: &str) -> Option<bool> {
    results.iter().find(|r| r.name == name).map(|r| !r.passed)
}

/// Asks candidates, counting runs against a budget.
pub(super) struct Oracle<'a> {
    file: &'a str,
    seed: u64,
    schedule: Schedule,
    expectation: &'a str,
    /// Simulations run so far (the first, unshrunk run included).
    pub(super) runs: u64,
    max_runs: u64,
}

impl<'a> Oracle<'a> {
    /// An oracle for the expectation named `expectation` under `seed` and `schedule`;
    /// candidates are loaded as if read from `file`.
    pub(super) fn new(
        file: &'a str,
        (seed, schedule): (u64, Schedule),
        expectation: &'a str,
        max_runs: u64,
    ) -> Self {
        Oracle {
            file,
            seed,
            schedule,
            expectation,
            runs: 0,
            max_runs,
        }
    }

    /// Whether the budget is spent: every later candidate is then answered "no".
    pub(super) fn exhausted(&self) -> bool {
        self.runs >= self.max_runs
    }

    /// Runs `scenario` as is (no round trip), counting the run.
    pub(super) fn run(&mut self, scenario: &Scenario) -> (RunOutput, Vec<ExpectationResult>) {
        self.runs += 1;
        run_checked(scenario, self.seed, self.schedule)
    }

    /// `candidate` as loaded back from its own JSON, when that loads, the budget allows
    /// a run, and the run fails the expectation.
    pub(super) fn fails(&mut self, candidate: &Scenario) -> Option<Scenario> {
        if self.exhausted() {
            return None;
        }
        self.confirm(candidate)
    }

    /// As [`Oracle::fails`], over the budget if need be: the last check of the result.
    pub(super) fn confirm(&mut self, candidate: &Scenario) -> Option<Scenario> {
        let loaded = self.round_trip(candidate)?;
        let (_, results) = self.run(&loaded);
        failed(&results, self.expectation)
            .unwrap_or(false)
            .then_some(loaded)
    }

    /// `scenario` written out as a file and read back; `None` when the loader rejects it.
    pub(super) fn round_trip(&self, scenario: &Scenario) -> Option<Scenario> {
        let text = scenario.to_json().to_string();
        load_str(self.file, &text).ok()
    }
}
