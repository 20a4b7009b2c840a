//! `otpsim explore`: run a scenario over a range of seeds, report the failing ones with
//! the command that replays each, optionally shrink them.
//!
//! The sweep's wall-clock time (for seeds per second) is measured here, in the CLI,
//! and never reaches a simulation: the library stays free of the wall clock.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use super::input::{load_scenario_and_text, shell_quote, EXIT_BAD_INPUT};
use super::output::{err, errln, outln};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use otpsim::explore::{explore, shrink, validate, with_swarm_draws, ExploreConfig, ExploreReport};
use otpsim::kernel::Schedule;
use otpsim::report::printable;
use otpsim::scenario::spec::Scenario;
use std::io::IsTerminal;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `otpsim explore FILE --seeds A..B [...]`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  otpsim explore scenarios/circuit_breaker.json --seeds 0..1000 --jobs 2\n  \
otpsim explore my.json --seeds 0..100000 --shard 3/8 --json\n  \
otpsim explore my.json --seeds 0..1000 --schedule pct --shrink --out found/\n\n\
Exit status: 0 when every seed passed, 1 when one failed, 2 on bad input."
)]
pub struct ExploreArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// The seeds to run, `A..B` with B excluded (as a Rust range).
    #[arg(long, value_name = "A..B")]
    pub seeds: String,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Run only the I-th of N near-equal slices of the range (1-based), as `I/N`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Each seed also draws random faults' rates within the scenario's swarm bounds.
    #[arg(long)]
    pub swarm: bool,
    /// The order of same-instant deliveries from different senders: fifo, random,
    /// pct or pct:DEPTH.
    #[arg(long, default_value = "fifo")]
    pub schedule: String,
    /// Minimise each failing seed's scenario (writes DIR/<scenario>-seed<N>-min.json;
    /// DIR is --out or the current directory).
    #[arg(long)]
    pub shrink: bool,
    /// Where --shrink writes the minimised scenarios (implies --shrink).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print one JSON object instead of the text report.
    #[arg(long)]
    pub json: bool,
}

/// Parses `A..B`.
pub fn parse_range(text: &str) -> Result<Range<u64>, String> {
    let bad = || format!("bad seed range `{text}` (expected A..B, e.g. 0..1000)");
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().parse().map_err(|_| bad())?;
    Ok(a..b)
}

/// Parses `I/N`.
pub fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("bad shard `{text}` (expected I/N with 1 <= I <= N, e.g. 2/4)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    Ok((
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    ))
}

fn config(a: &ExploreArgs) -> Result<ExploreConfig, String> {
    let cfg = ExploreConfig {
        seeds: parse_range(&a.seeds)?,
        jobs: a.jobs,
        shard: a.shard.as_deref().map(parse_shard).transpose()?,
        schedule: Schedule::parse(&a.schedule)?,
        swarm: a.swarm,
    };
    validate(&cfg)?;
    Ok(cfg)
}

/// The command that replays one seed (`--schedule` only when it is not FIFO,
/// `--swarm` only when the sweep drew fault rates).
pub fn replay_command(file: &Path, seed: u64, schedule: Schedule, swarm: bool) -> String {
    let mut cmd = format!(
        "otpsim run {} --seed {seed}",
        shell_quote(&file.display().to_string())
    );
    if schedule != Schedule::Fifo {
        cmd.push_str(&format!(" --schedule {}", schedule.name()));
    }
    if swarm {
        cmd.push_str(" --swarm");
    }
    cmd
}

pub fn explore_command(a: ExploreArgs) -> i32 {
    let cfg = match config(&a) {
        Ok(c) => c,
        Err(msg) => {
            errln(&format!("error: {msg}"));
            return EXIT_BAD_INPUT;
        }
    };
    // Load through the CLI's loader first: its errors quote the offending lines.
    let (scenario, text) = match load_scenario_and_text(&a.file) {
        Ok(loaded) => loaded,
        Err(rendered) => {
            err(&rendered);
            return EXIT_BAD_INPUT;
        }
    };
    if a.swarm {
        if let Err(msg) = require_swarm_bounds(&scenario, &a.file) {
            errln(&format!("error: {msg}"));
            return EXIT_BAD_INPUT;
        }
    }
    let out_dir =
        (a.shrink || a.out.is_some()).then(|| a.out.clone().unwrap_or_else(|| PathBuf::from(".")));
    // Made before the sweep: a bad --out is a bad flag, not a surprise at the end.
    if let Some(dir) = &out_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            errln(&format!(
                "error: --out {}: cannot create the directory: {e}",
                dir.display()
            ));
            return EXIT_BAD_INPUT;
        }
    }
    let file = a.file.display().to_string();
    let bar = progress_bar();
    let tick = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let started = Instant::now();
    let report = match explore(&file, &text, &cfg, &tick) {
        Ok(r) => r,
        Err(e) => {
            errln(&format!("error: {e}"));
            return EXIT_BAD_INPUT;
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let shrunk = match &out_dir {
        Some(dir) => shrink_all(&a.file, &text, &scenario, &report, &cfg, dir),
        None => Vec::new(),
    };
    let how = (cfg.schedule, cfg.swarm);
    if a.json {
        outln(&json_report(&a.file, &report, seconds, how, &shrunk).to_string());
    } else {
        print_text(&a.file, &report, seconds, how, &shrunk);
    }
    i32::from(!report.failing.is_empty())
}

fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} seeds, {per_sec}, eta {eta}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// Checks that `--swarm` has something to draw: without bounds it would change
/// nothing, and the sweep would not be the one asked for.
pub fn require_swarm_bounds(scenario: &Scenario, file: &Path) -> Result<(), String> {
    if scenario.swarm.is_empty() {
        return Err(format!(
            "--swarm: {} has no swarm bounds (expected a top-level \"swarm\" array, such as [{{\"fault\": 0, \"mtbf\": [\"1s\", \"10s\"]}}], naming a random fault)",
            file.display()
        ));
    }
    Ok(())
}

/// One shrink per failing seed (its first failing expectation): `(seed, message)`.
/// Under swarm a seed's scenario is shrunk with its drawn rates written in, so the
/// minimised file fails with a plain `otpsim run`.
fn shrink_all(
    file: &Path,
    text: &str,
    scenario: &Scenario,
    report: &ExploreReport,
    cfg: &ExploreConfig,
    dir: &Path,
) -> Vec<(u64, String)> {
    let (name, schedule) = (&scenario.name, cfg.schedule);
    let mut done: Vec<(u64, String)> = Vec::new();
    for f in &report.failing {
        if done.last().is_some_and(|(s, _)| *s == f.seed) {
            continue;
        }
        let file_name = file.display().to_string();
        let drawn;
        let text = if cfg.swarm {
            let json = with_swarm_draws(scenario, f.seed).to_json();
            drawn = serde_json::to_string_pretty(&json).unwrap_or_default();
            drawn.as_str()
        } else {
            text
        };
        let msg = match shrink::shrink(&file_name, text, f.seed, &f.expectation, schedule) {
            Ok(r) => {
                let path = dir.join(format!("{name}-seed{}-min.json", f.seed));
                let body = serde_json::to_string_pretty(&r.scenario_json).unwrap_or_default();
                match std::fs::write(&path, body + "\n") {
                    Ok(()) => format!(
                        "shrunk to {} of {} faults in {} runs: {}",
                        r.faults_after,
                        r.faults_before,
                        r.runs,
                        path.display()
                    ),
                    Err(e) => format!("cannot write {}: {e}", path.display()),
                }
            }
            Err(e) => format!("not shrunk: {e}"),
        };
        done.push((f.seed, msg));
    }
    done
}

fn print_text(
    file: &Path,
    report: &ExploreReport,
    seconds: f64,
    (schedule, swarm): (Schedule, bool),
    shrunk: &[(u64, String)],
) {
    for (i, f) in report.failing.iter().enumerate() {
        outln(&format!(
            "FAIL seed {}: {} (fingerprint {:016x})\n  replay: {}",
            f.seed,
            printable(&f.expectation),
            f.fingerprint,
            replay_command(file, f.seed, schedule, swarm)
        ));
        if let Some(msg) = shrink_of(report, shrunk, i) {
            outln(&format!("  {msg}"));
        }
    }
    let failed_seeds = distinct_seeds(report);
    outln(&format!(
        "{} run, {} failed, {:.3} s, {:.1} seeds/s (schedule {})",
        seeds(report.seeds_run),
        failed_seeds,
        seconds,
        rate(report.seeds_run, seconds),
        schedule.name()
    ));
    for (name, count) in &report.failures_per_expectation {
        outln(&format!("  {}: {}", printable(name), seeds(*count)));
    }
}

/// "1 seed", "2 seeds".
fn seeds(n: impl Into<u64>) -> String {
    match n.into() {
        1 => "1 seed".to_string(),
        n => format!("{n} seeds"),
    }
}

/// What the shrink of failure `i`'s seed said, under that seed's first failure only:
/// a seed is shrunk once, for its first failing expectation, and the file keeps that
/// expectation alone.
fn shrink_of<'a>(report: &ExploreReport, shrunk: &'a [(u64, String)], i: usize) -> Option<&'a str> {
    let seed = report.failing[i].seed;
    let first = report.failing.iter().position(|f| f.seed == seed) == Some(i);
    if !first {
        return None;
    }
    shrunk
        .iter()
        .find(|(s, _)| *s == seed)
        .map(|(_, msg)| msg.as_str())
}

fn distinct_seeds(report: &ExploreReport) -> usize {
    let mut seeds: Vec<u64> = report.failing.iter().map(|f| f.seed).collect();
    seeds.dedup();
    seeds.len()
}

fn rate(seeds: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        seeds as f64 / seconds
    } else {
        0.0
    }
}

fn json_report(
    file: &Path,
    report: &ExploreReport,
    seconds: f64,
    (schedule, swarm): (Schedule, bool),
    shrunk: &[(u64, String)],
) -> serde_json::Value {
    let failing: Vec<serde_json::Value> = report
        .failing
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut v = serde_json::json!({
                "seed": f.seed,
                "expectation": f.expectation,
                "fingerprint": format!("{:016x}", f.fingerprint),
                "replay_command": replay_command(file, f.seed, schedule, swarm),
            });
            if let Some(msg) = shrink_of(report, shrunk, i) {
                v["shrink"] = msg.into();
            }
            v
        })
        .collect();
    let per: serde_json::Map<String, serde_json::Value> = report
        .failures_per_expectation
        .iter()
        .map(|(n, c)| (n.clone(), (*c).into()))
        .collect();
    serde_json::json!({
        "file": file.display().to_string(),
        "schedule": schedule.name(),
        "seeds_run": report.seeds_run,
        "seconds": seconds,
        "seeds_per_second": rate(report.seeds_run, seconds),
        "failing": failing,
        "failures_per_expectation": per,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_shards_parse() {
        assert_eq!(parse_range("0..10"), Ok(0..10));
        assert!(parse_range("10").is_err());
        assert!(parse_range("a..b").is_err());
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("2").is_err());
    }
}
