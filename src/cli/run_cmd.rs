//! `otpsim run`: play a scenario, check its expectations, print the summary.

use super::explore::require_swarm_bounds;
use super::input::{load_scenario, shell_quote, EXIT_BAD_INPUT};
use super::out_paths::check_outputs;
use super::output::{err, errln, out, outln};
use clap::Args;
use otpsim::check::evaluate;
use otpsim::explore::with_swarm_draws;
use otpsim::kernel::Schedule;
use otpsim::report::Summary;
use otpsim::scenario::run::{run, RunOptions, RunOutput};
use otpsim::scenario::spec::Scenario;
use otpsim::trace::{write_trace, TraceFooter, TraceHeader};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// `otpsim run FILE [--seed N] [--trace PATH] [--json]`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  otpsim run scenarios/lesson1_one_for_one.json\n  \
otpsim run scenarios/lesson1_one_for_one.json --seed 42 --trace run.jsonl\n  \
otpsim run scenarios/lesson1_one_for_one.json --json | jq .expectations\n\n\
Exit status: 0 when every expectation holds, 1 when one fails or a limit cut the \
run short (the command that replays the run is printed), 2 on bad input."
)]
pub struct RunArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// The seed (default: the scenario's "seed", or 1).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Write the run's trace here, as JSON Lines (`otpsim replay` reads it back).
    #[arg(long, value_name = "PATH")]
    pub trace: Option<PathBuf>,
    /// Write a self-contained HTML report of the run here (tree, timeline, expectations).
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// Print one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// The order of same-instant deliveries from different senders: fifo, random,
    /// pct or pct:DEPTH (as `otpsim explore` printed it in a replay command).
    #[arg(long, default_value = "fifo")]
    pub schedule: String,
    /// Draw the random faults' rates within the scenario's swarm bounds from the seed,
    /// as `otpsim explore --swarm` did (its replay commands carry this flag).
    #[arg(long)]
    pub swarm: bool,
    /// Run twice and report the first event where the runs differ (exit 1), or
    /// `deterministic` (exit 0).
    #[arg(long, conflicts_with_all = ["trace", "report", "json"])]
    pub check_determinism: bool,
}

pub fn run_command(a: RunArgs) -> i32 {
    let scenario = match load_scenario(&a.file) {
        Ok(s) => s,
        Err(rendered) => {
            err(&rendered);
            return EXIT_BAD_INPUT;
        }
    };
    let seed = a.seed.unwrap_or(scenario.seed);
    // The drawn rates are written into the scenario, so its trace replays as it is.
    let scenario = if a.swarm {
        if let Err(msg) = require_swarm_bounds(&scenario, &a.file) {
            errln(&format!("error: {msg}"));
            return EXIT_BAD_INPUT;
        }
        with_swarm_draws(&scenario, seed)
    } else {
        scenario
    };
    let schedule = match Schedule::parse(&a.schedule) {
        Ok(s) => s,
        Err(msg) => {
            errln(&format!("error: {msg}"));
            return EXIT_BAD_INPUT;
        }
    };
    let outputs = [
        ("--trace", a.trace.as_deref()),
        ("--report", a.report.as_deref()),
    ];
    if let Err(msg) = check_outputs(&a.file, &outputs) {
        errln(&format!("error: {msg}"));
        return EXIT_BAD_INPUT;
    }
    if a.check_determinism {
        return super::determinism::check_determinism(&scenario, seed, schedule);
    }
    let ran = run_recorded_with(&scenario, seed, schedule);
    if let Some(path) = &a.trace {
        if let Err(e) = write_run_trace(path, &a.file, &scenario, &ran) {
            errln(&format!(
                "error: cannot write the trace to {}: {e}",
                path.display()
            ));
            return EXIT_BAD_INPUT;
        }
        // The trace format has no place for the schedule: say how to replay it.
        if schedule != Schedule::Fifo {
            errln(&format!(
                "note: the trace does not record the schedule; replay it with `otpsim replay {} --schedule {}`",
                shell_quote(&path.display().to_string()),
                schedule.name()
            ));
        }
    }
    let results = evaluate(&scenario, &ran.events, check_end_us(&ran));
    let summary = Summary::new(&scenario.name, seed, &ran.report, &ran.events, results);
    if let Some(path) = &a.report {
        let html = otpsim::report::html::render(&scenario, &summary, &ran.events);
        if let Err(e) = std::fs::write(path, html) {
            errln(&format!(
                "error: cannot write the report to {}: {e}",
                path.display()
            ));
            return EXIT_BAD_INPUT;
        }
    }
    let mut replay = format!(
        "otpsim run {} --seed {seed}",
        shell_quote(&a.file.display().to_string())
    );
    if schedule != Schedule::Fifo {
        replay.push_str(&format!(" --schedule {}", schedule.name()));
    }
    if a.swarm {
        replay.push_str(" --swarm");
    }
    if a.json {
        let mut value = summary.to_json();
        if let Some(obj) = value.as_object_mut() {
            obj.insert("file".into(), a.file.display().to_string().into());
            obj.insert("replay_command".into(), replay.clone().into());
            if let Some(path) = &a.trace {
                obj.insert("trace".into(), path.display().to_string().into());
            }
        }
        outln(&value.to_string());
        if !summary.passed() {
            errln(&format!("replay: {replay}"));
        }
    } else {
        out(&summary.to_text());
        if let Some(path) = &a.trace {
            outln(&format!("trace: {}", path.display()));
        }
        if !summary.passed() {
            outln(&format!("replay: {replay}"));
        }
    }
    if summary.passed() {
        0
    } else {
        1
    }
}

/// Runs `scenario` with `seed` under `schedule`, keeping every event: the checker
/// and the trace file read them.
pub fn run_recorded_with(scenario: &Scenario, seed: u64, schedule: Schedule) -> RunOutput {
    let options = RunOptions {
        seed,
        record: true,
        schedule,
        ..RunOptions::default()
    };
    run(scenario, &options)
}

/// Where the checker's windows end. A quiescent run stopped early only because nothing
/// was left to happen: its state holds to the scenario's end. A run cut short by a
/// limit says nothing past the point it reached.
fn check_end_us(out: &RunOutput) -> u64 {
    otpsim::check::window_end_us(&out.report, out.duration_us)
}

/// The trace header's input: the scenario in the file format, plus the file it came
/// from under `"file"` (which `replay` takes out again before loading it).
pub fn header_input(scenario: &Scenario, file: &Path) -> serde_json::Value {
    let mut input = scenario.to_json();
    if let Some(obj) = input.as_object_mut() {
        obj.insert("file".into(), file.display().to_string().into());
    }
    input
}

fn write_run_trace(
    path: &Path,
    file: &Path,
    scenario: &Scenario,
    out: &RunOutput,
) -> std::io::Result<()> {
    let header = TraceHeader::new(out.seed, header_input(scenario, file));
    let r = &out.report;
    let footer = TraceFooter::new(r.events, r.fingerprint, r.outcome.name(), r.virtual_time_us);
    let w = BufWriter::new(std::fs::File::create(path)?);
    write_trace(w, &header, &out.events, &footer)
}
