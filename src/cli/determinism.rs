//! `otpsim run FILE --check-determinism`: run the same seed twice and compare the runs
//! event by event; the first divergence is a determinism bug (an unseeded random
//! number, iteration over a hash map, wall-clock time in a model).

use super::output::outln;
use otpsim::kernel::Schedule;
use otpsim::scenario::run::{run, RunOptions};
use otpsim::scenario::spec::Scenario;

/// Runs `scenario` twice under `seed` and `schedule`; prints `deterministic` (exit 0)
/// or the first event where the runs differ (exit 1).
pub fn check_determinism(scenario: &Scenario, seed: u64, schedule: Schedule) -> i32 {
    let opts = RunOptions {
        seed,
        record: true,
        mtbf_override: Vec::new(),
        schedule,
    };
    let a = run(scenario, &opts);
    let b = run(scenario, &opts);
    let first_diff = a
        .events
        .iter()
        .zip(&b.events)
        .position(|(x, y)| x != y)
        .or_else(|| (a.events.len() != b.events.len()).then(|| a.events.len().min(b.events.len())));
    match first_diff {
        None if a.report == b.report => {
            outln(&format!(
                "deterministic: seed {seed}, {} events, fingerprint {:016x}",
                a.report.events, a.report.fingerprint
            ));
            0
        }
        None => {
            outln(&format!(
                "NOT deterministic: seed {seed}: same events but reports differ: {:?} vs {:?}",
                a.report, b.report
            ));
            1
        }
        Some(i) => {
            let show = |e: Option<&otpsim::trace::Event>| {
                e.map_or("(run ended)".to_string(), |e| e.to_string())
            };
            outln(&format!(
                "NOT deterministic: seed {seed}: the runs diverge at event {i}\n  first:  {}\n  second: {}",
                show(a.events.get(i)),
                show(b.events.get(i))
            ));
            1
        }
    }
}
