//! Shrinking a failing seed to a small standalone scenario (design section 6).
//!
//! A random fault schedule that broke a design is mostly noise: of a dozen crashes,
//! two or three matter. [`shrink`] runs the seed, checks that the named expectation
//! fails, and writes the faults the run actually fired as explicit scheduled faults
//! ([`realise`]): the random faults are gone, so each firing can be removed or moved
//! on its own. Then, while the same expectation still fails under the same seed, it
//! removes the other expectations, the load clients it can (ddmin), the faults it can
//! (ddmin), the tree nodes nothing needs (ddmin), makes exit and crash reasons plainer
//! (`kill`, `shutdown`, `error`), moves faults as late as the failure allows, and, for
//! a safety expectation (`always`, `never`, at most N events), cuts the run just past
//! the failure (any other expectation can fail in a shorter run merely because it
//! ended sooner); the passes repeat until a round changes nothing.
//! A scenario with `buggify` keeps it (the injection points draw from streams keyed
//! by the seed and the site, as models' own randomness does) unless the failure
//! happens without it.
//!
//! Every candidate is written out with [`Scenario::to_json`] and read back with the
//! loader before it is run, so the result is a scenario file that `otpsim run` accepts
//! and that fails the same expectation with the scenario's own seed (set to the seed
//! shrunk). Randomness outside the injector (models, clients) comes from streams keyed
//! by name, so the realised schedule replays the same run; if it does not (a pause
//! resuming at the instant of another firing can reorder them), the random faults are
//! kept and [`ShrinkResult::notes`] says so.
//!
//! The work is bounded by a number of runs ([`MAX_RUNS`]); when it is spent, the
//! smallest failing scenario found so far is the result.

mod ddmin;
mod edit;
mod oracle;
mod passes;
mod realise;

pub use ddmin::ddmin;
pub use realise::realise;

use crate::kernel::Schedule;
use crate::scenario::load_str;
use crate::scenario::spec::{FaultSpec, Scenario};
use oracle::Oracle;

/// The most simulations one shrink runs, the first (unshrunk) run included.
pub const MAX_RUNS: u64 = 2_000;

/// Rounds of passes at most; a round that changes nothing ends the shrink earlier.
const MAX_ROUNDS: usize = 4;

/// A shrunk scenario and what it took.
#[derive(Clone, Debug)]
pub struct ShrinkResult {
    /// The minimised scenario, as loaded back from `scenario_json`.
    pub scenario: Scenario,
    /// The minimised scenario in the file format, ready to write as
    /// `<scenario>-seed<N>-min.json`.
    pub scenario_json: serde_json::Value,
    /// The faults the failing run fired (missed firings left out).
    pub faults_before: usize,
    /// The faults left in the minimised scenario.
    pub faults_after: usize,
    /// Simulations run, the first one included.
    pub runs: u64,
    /// Anything a reader of the result should know: the run budget ran out, the
    /// realised schedule did not replay the failure.
    pub notes: Vec<String>,
}

/// Shrinks the scenario `text` (read from `file`) failing the expectation named
/// `expectation` under `seed` and `schedule`, within [`MAX_RUNS`] runs.
///
/// The result fails under the same schedule; with [`Schedule::Fifo`] that is what
/// `otpsim run FILE` does.
///
/// An error when the scenario does not load (the loader's message, rendered), when it
/// has no expectation of that name, or when that expectation holds under `seed`.
pub fn shrink(
    file: &str,
    text: &str,
    seed: u64,
    expectation: &str,
    schedule: Schedule,
) -> Result<ShrinkResult, String> {
    shrink_within(file, text, (seed, schedule), expectation, MAX_RUNS)
}

/// [`shrink`] with a run budget of `max_runs`.
pub fn shrink_within(
    file: &str,
    text: &str,
    (seed, schedule): (u64, Schedule),
    expectation: &str,
    max_runs: u64,
) -> Result<ShrinkResult, String> {
    let original = load_str(file, text).map_err(|e| e.render(text))?;
    if !original.expectations.iter().any(|e| e.name == expectation) {
        // `explore` reports a run a limit cut short as the failure `limit:<outcome>`.
        if let Some(limit) = expectation.strip_prefix("limit:") {
            return Err(format!(
                "the run was cut short by the {limit}; shrinking minimises a failing \
                 expectation, not a limit (raise the limit in `limits` to see what fails)"
            ));
        }
        let names: Vec<&str> = original
            .expectations
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let has = if names.is_empty() {
            "it has none".to_string()
        } else {
            format!("it has: {}", names.join("; "))
        };
        return Err(format!(
            "{file} has no expectation named {expectation:?} ({has})"
        ));
    }
    let mut o = Oracle::new(file, (seed, schedule), expectation, max_runs.max(1));
    let mut base = original.clone();
    base.seed = seed;
    let (out, results) = o.run(&base);
    if !oracle::failed(&results, expectation).unwrap_or(false) {
        return Err(format!(
            "the expectation {expectation:?} holds in {file} with seed {seed}: nothing to shrink"
        ));
    }
    let fired = realise(&base, &out.events)?;
    let faults_before = fired.len();
    let mut notes = Vec::new();
    let mut realised = edit::keep_faults(&base, &[]);
    realised.faults = fired;
    let mut cur = match o.fails(&realised) {
        Some(s) => s,
        None => {
            notes.push(format!(
                "the {faults_before} realised faults did not replay the failure, so the \
                 random faults were kept as they are"
            ));
            o.round_trip(&base)
                .ok_or("the scenario does not load back from its own JSON")?
        }
    };
    passes::drop_other_expectations(&mut o, &mut cur, expectation);
    for _ in 0..MAX_ROUNDS {
        let mut changed = passes::drop_buggify(&mut o, &mut cur);
        changed |= passes::drop_clients(&mut o, &mut cur);
        changed |= passes::drop_faults(&mut o, &mut cur);
        changed |= passes::drop_nodes(&mut o, &mut cur);
        changed |= passes::plainer_reasons(&mut o, &mut cur);
        changed |= passes::move_faults_later(&mut o, &mut cur);
        changed |= passes::shorten(&mut o, &mut cur, expectation);
        if !changed || o.exhausted() {
            break;
        }
    }
    if o.exhausted() {
        notes.push(format!(
            "the budget of {max_runs} runs ran out: the result is the smallest failing \
             scenario found by then"
        ));
    }
    let faults_after = cur.faults.len();
    label(
        &mut cur,
        &original,
        seed,
        expectation,
        (faults_before, faults_after),
    );
    // Checked once more as written, so the file handed out is known to fail.
    let scenario = o.confirm(&cur).ok_or_else(|| {
        format!("the shrunk scenario no longer fails {expectation:?} when read back")
    })?;
    Ok(ShrinkResult {
        scenario_json: scenario.to_json(),
        scenario,
        faults_before,
        faults_after,
        runs: o.runs,
        notes,
    })
}

/// Names and describes the shrunk scenario after the one it came from.
fn label(
    cur: &mut Scenario,
    original: &Scenario,
    seed: u64,
    expectation: &str,
    (before, after): (usize, usize),
) {
    let name = format!("{}-seed{seed}-min", original.name);
    if name.chars().count() <= 64 {
        cur.name = name;
    }
    let random = original
        .faults
        .iter()
        .any(|f| matches!(f, FaultSpec::Random { .. }));
    let kind = if random { "realised " } else { "" };
    cur.description = format!(
        "Shrunk from {} (\"{}\") with seed {seed}: {after} of its {before} {kind}faults \
         are enough to fail the expectation \"{expectation}\".",
        original.file, original.name
    );
}
