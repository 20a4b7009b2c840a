//! `otpsim replay`: re-run a trace's scenario and seed, and compare event by event.

use super::input::EXIT_BAD_INPUT;
use super::output::{err, errln, outln};
use super::run_cmd::run_recorded_with;
use clap::Args;
use otpsim::kernel::Schedule;
use otpsim::report::printable;
use otpsim::scenario::json::{Document, Limits, LoadError};
use otpsim::scenario::load::parse_limits;
use otpsim::scenario::load_document;
use otpsim::scenario::spec::Scenario;
use otpsim::trace::{
    first_divergence, read_trace, Event, Trace, TraceErrorKind, TraceFooter, TraceHeader,
};
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// `otpsim replay TRACE`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  otpsim run scenarios/lesson1_one_for_one.json --seed 7 --trace run.jsonl\n  \
otpsim replay run.jsonl\n\n\
Exit status: 0 when the replay is identical (every event and the fingerprint), 1 when \
it differs (the first difference is shown), 2 when the trace cannot be read."
)]
pub struct ReplayArgs {
    /// A trace file written by `otpsim run --trace`.
    pub trace: PathBuf,
    /// The schedule the trace was recorded under (`otpsim run --schedule`): a trace
    /// does not record it, and `run` prints this flag when it is not fifo.
    #[arg(long, default_value = "fifo")]
    pub schedule: String,
}

pub fn replay(a: ReplayArgs) -> i32 {
    let schedule = match Schedule::parse(&a.schedule) {
        Ok(s) => s,
        Err(msg) => {
            errln(&format!("error: {msg}"));
            return EXIT_BAD_INPUT;
        }
    };
    let name = a.trace.display().to_string();
    let trace = match read(&a.trace, &name) {
        Ok(t) => t,
        Err(message) => {
            errln(&message.to_string());
            return EXIT_BAD_INPUT;
        }
    };
    let here = env!("CARGO_PKG_VERSION");
    if trace.header.otpsim_version != here {
        // The version is whatever the file says: cut it short and escape it.
        let theirs: String = trace.header.otpsim_version.chars().take(40).collect();
        let cut = if theirs.len() < trace.header.otpsim_version.len() {
            "..."
        } else {
            ""
        };
        errln(&format!(
            "note: {name} was recorded by otpsim {}{cut}, this is {here}; a difference may come from that",
            printable(&theirs)
        ));
    }
    let mut input = trace.header.input.clone();
    let Some(obj) = input.as_object_mut() else {
        errln(&format!(
            "error: {name}: the trace header's input is not a scenario (expected a JSON object)"
        ));
        return EXIT_BAD_INPUT;
    };
    obj.remove("file");
    let text = serde_json::to_string_pretty(&input).unwrap_or_default();
    let scenario = match load_header_input(&format!("{name}#header"), &text) {
        Ok(s) => s,
        Err(e) => {
            err(&e.render(&text));
            errln(&format!(
                "error: {name}: the trace header's input is not a scenario this build can load"
            ));
            return EXIT_BAD_INPUT;
        }
    };
    let ran = run_recorded_with(&scenario, trace.header.seed, schedule);
    if let Some(d) = first_divergence(&trace.events, &ran.events) {
        outln(&format!(
            "replay of {name} (seed {}) differs:",
            trace.header.seed
        ));
        outln("  a = the trace, b = this replay");
        for line in d.to_string().lines() {
            outln(&printable(line));
        }
        let seq = d.a.as_ref().or(d.b.as_ref()).map(|e| e.seq).unwrap_or(0);
        let t = d.a.as_ref().or(d.b.as_ref()).map(|e| e.t).unwrap_or(0);
        outln(&format!("first difference: seq {seq}, t={t}us"));
        return 1;
    }
    let r = &ran.report;
    let ended = TraceFooter::new(r.events, r.fingerprint, r.outcome.name(), r.virtual_time_us);
    if ended != trace.footer {
        outln(&format!(
            "replay of {name} has the same {} events but ends differently:",
            ran.events.len()
        ));
        outln(&format!("  trace:  {}", describe(&trace.footer)));
        outln(&format!("  replay: {}", describe(&ended)));
        return 1;
    }
    outln(&format!(
        "identical: {} events, fingerprint {:016x}",
        r.events, r.fingerprint
    ));
    0
}

/// Loads the scenario of a trace header, written back with every default filled in.
/// That text is several times the size of the file it came from, so the file-size
/// limit does not apply to it: the trace reader bounded it already, and a scenario
/// that could be run must be replayable.
fn load_header_input(file: &str, text: &str) -> Result<Scenario, LoadError> {
    let limits = Limits {
        max_bytes: text.len().max(parse_limits().max_bytes),
        ..parse_limits()
    };
    load_document(&Document::parse_with(file, text, limits)?)
}

fn describe(f: &TraceFooter) -> String {
    format!(
        "{} events, fingerprint {:016x}, outcome {}, virtual time {}us",
        f.events, f.fingerprint, f.outcome, f.virtual_time_us
    )
}

/// Reads a trace file. One whose lines are well-formed but whose events do not add up
/// to its footer (an edited event) is still read, with a note: comparing it shows
/// where it was changed. Anything else wrong is an error naming the file and line.
fn read(path: &Path, name: &str) -> Result<Trace, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("error: cannot read {name}: {e}"))?;
    match read_trace(BufReader::new(file)) {
        Ok(trace) => Ok(trace),
        Err(e) => {
            let at = format!("{name}:{}:{}", e.line, e.column);
            if matches!(
                e.kind,
                TraceErrorKind::Fingerprint { .. } | TraceErrorKind::EventCount { .. }
            ) {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("error: cannot read {name}: {e}"))?;
                if let Some(trace) = read_unchecked(&text) {
                    errln(&format!("note: {at}: {}: the trace was changed after it was written; replaying it anyway", e.kind));
                    return Ok(trace);
                }
            }
            Err(format!("error: {at}: {}", e.kind))
        }
    }
}

/// Header, events and footer, without the footer checks (the lines have passed every
/// other check of `read_trace` already).
fn read_unchecked(text: &str) -> Option<Trace> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: TraceHeader = serde_json::from_str(lines.next()?).ok()?;
    let rest: Vec<&str> = lines.collect();
    let (footer, events) = rest.split_last()?;
    let footer: TraceFooter = serde_json::from_str(footer).ok()?;
    let events = events
        .iter()
        .map(|l| serde_json::from_str::<Event>(l).ok())
        .collect::<Option<Vec<Event>>>()?;
    Some(Trace {
        header,
        events,
        footer,
    })
}
