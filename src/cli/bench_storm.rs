//! `otpsim bench restart-storm`: one supervisor with N gen_server children; one_for_one
//! kills every child once, one_for_all kills one (so all N restart). Measures restarts
//! per second of wall clock from the first kill until every child is back, as the
//! BEAM's `restart_storm` workload in scripts/beam/otpsim_bench.erl does; `--storms K`
//! does it K times in a row on the same tree, as that workload's third argument does. Reads the
//! wall clock, as the rest of `bench` does, to measure the simulator only.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use super::unlimited;
use crate::cli::output::{errln, outln};
use clap::{Args, ValueEnum};
use otpsim::term::atom;
use otpsim::workloads;
use std::time::Instant; // determinism: ok (benchmark timing only)

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum StormStrategy {
    /// Kill every child once; each is restarted alone.
    OneForOne,
    /// Kill the middle child once; all children are restarted.
    OneForAll,
}

#[derive(Args, Debug)]
pub struct StormArgs {
    /// Children under the supervisor.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=2_000_000))]
    children: u32,
    /// The supervisor's restart strategy.
    #[arg(long, value_enum, default_value_t = StormStrategy::OneForOne)]
    strategy: StormStrategy,
    /// Storms in a row on the same tree. The first one, right after the start-up, is
    /// the figure (`restarts_per_sec`); later ones show the rate once warm
    /// (`each_restarts_per_sec` lists every storm).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    storms: u32,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
}

pub fn restart_storm(a: StormArgs) -> i32 {
    let one_for_all = a.strategy == StormStrategy::OneForAll;
    let mut storm = workloads::restart_storms(a.children, one_for_all, a.storms, unlimited());
    storm.sim.run();
    let children = u64::from(a.children);
    if storm.inits.get() != children {
        errln(&format!(
            "restart-storm: only {} of {children} children started",
            storm.inits.get()
        ));
        return 1;
    }
    // Every child restarts exactly once: N restarts under either strategy.
    let restarts = children;
    let mut rates = Vec::new();
    let mut first = None;
    for _ in 0..a.storms {
        let inits_before = storm.inits.get();
        storm.sim.send(storm.driver, atom("go"));
        let started = Instant::now();
        let report = storm.sim.run();
        let seconds = started.elapsed().as_secs_f64();
        let done = storm.inits.get() - inits_before;
        storm.verified.set(false);
        storm.sim.send(storm.driver, atom("check"));
        storm.sim.run();
        if done != restarts || !storm.verified.get() {
            errln(&format!(
                "restart-storm: {done} of {restarts} restarts, every child new: {} ({})",
                storm.verified.get(),
                report.outcome.name()
            ));
            return 1;
        }
        rates.push(restarts as f64 / seconds);
        first.get_or_insert((seconds, report));
    }
    let Some((seconds, report)) = first else {
        errln("restart-storm: no storm ran");
        return 1;
    };
    let rate = restarts as f64 / seconds;
    let strategy = if one_for_all {
        "one_for_all"
    } else {
        "one_for_one"
    };
    let crashes = if one_for_all { 1 } else { children };
    let each: Vec<String> = rates.iter().map(|r| format!("{r:.0}")).collect();
    if a.json {
        let each = if a.storms > 1 {
            format!(",\"each_restarts_per_sec\":[{}]", each.join(","))
        } else {
            String::new()
        };
        outln(&format!(
            "{{\"bench\":\"restart_storm\",\"strategy\":\"{strategy}\",\"children\":{children},\"crashes\":{crashes},\"restarts\":{restarts},\"seconds\":{seconds:.6},\"restarts_per_sec\":{rate:.0}{each},\"events\":{},\"fingerprint\":\"{:016x}\"}}",
            report.events, report.fingerprint
        ));
    } else {
        outln(&format!(
            "restart-storm: {children} children, {strategy}, {crashes} crash(es), {restarts} restarts"
        ));
        outln(&format!(
            "  {seconds:.3} s wall clock, {rate:.0} restarts/s"
        ));
        if a.storms > 1 {
            outln(&format!("  every storm, restarts/s: {}", each.join(" ")));
        }
        outln(&format!(
            "  {} events, fingerprint {:016x} (after the first storm)",
            report.events, report.fingerprint
        ));
    }
    0
}
