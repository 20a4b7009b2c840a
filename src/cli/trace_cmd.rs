//! `otpsim trace`: print a trace file one readable line per event.

use super::input::EXIT_BAD_INPUT;
use super::output::errln;
use clap::Args;
use otpsim::report::trace_print::{print_trace, use_color, TraceFilter};
use otpsim::scenario::json::parse_duration_us;
use otpsim::trace::read_trace;
use std::io::{BufReader, IsTerminal, Write};
use std::path::PathBuf;

/// `otpsim trace TRACE [--filter PATH_PATTERN] [--from T] [--to T]`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  otpsim run scenarios/circuit_breaker.json --trace run.jsonl\n  \
otpsim trace run.jsonl --filter 'root/**' --from 5s --to 7.5s\n\n\
Colour only on a terminal, and never when NO_COLOR is set. Exit status: 0, or 2 when \
the trace cannot be read or a flag is bad."
)]
pub struct TraceArgs {
    /// A trace file written by `otpsim run --trace`.
    pub trace: PathBuf,
    /// Only events of processes whose tree path matches (`root/db`, `root/*`,
    /// `root/**`); a supervisor's events about a child match the child's path.
    #[arg(long, value_name = "PATH_PATTERN")]
    pub filter: Option<String>,
    /// Only events at or after this virtual time (`5s`, `250ms`).
    #[arg(long, value_name = "T")]
    pub from: Option<String>,
    /// Only events at or before this virtual time.
    #[arg(long, value_name = "T")]
    pub to: Option<String>,
}

pub fn trace(a: TraceArgs) -> i32 {
    let (from_us, to_us) = match (duration(&a.from, "--from"), duration(&a.to, "--to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            errln(&e);
            return EXIT_BAD_INPUT;
        }
    };
    if let Err(msg) = check_flags(&a, from_us, to_us) {
        errln(&format!("error: {msg}"));
        return EXIT_BAD_INPUT;
    }
    let name = a.trace.display().to_string();
    let file = match std::fs::File::open(&a.trace) {
        Ok(f) => f,
        Err(e) => {
            errln(&format!("error: cannot read {name}: {e}"));
            return EXIT_BAD_INPUT;
        }
    };
    let trace = match read_trace(BufReader::new(file)) {
        Ok(t) => t,
        Err(e) => {
            errln(&format!(
                "error: {name}:{}:{}: {}",
                e.line, e.column, e.kind
            ));
            return EXIT_BAD_INPUT;
        }
    };
    let filtered = a.filter.is_some() || from_us.is_some() || to_us.is_some();
    let filter = TraceFilter {
        path_pattern: a.filter,
        from_us,
        to_us,
    };
    let stdout = std::io::stdout();
    let color = use_color(
        stdout.is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let out = std::io::BufWriter::new(stdout.lock());
    match print_trace(&trace.events, &filter, color, out) {
        Ok(0) if filtered => {
            // An empty output alone would look like an empty trace.
            errln(&format!(
                "note: none of the {} events of {name} matched the filters",
                trace.events.len()
            ));
            0
        }
        Ok(_) => 0,
        // The reader went away (`| head`): stop quietly, as `cat` does.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = std::io::stderr().flush();
            errln(&format!("error: cannot write the trace: {e}"));
            EXIT_BAD_INPUT
        }
    }
}

/// Flags that can select nothing whatever the trace holds are mistakes, not filters.
fn check_flags(a: &TraceArgs, from_us: Option<u64>, to_us: Option<u64>) -> Result<(), String> {
    if let (Some(from), Some(to)) = (from_us, to_us) {
        if from > to {
            return Err(format!(
                "--from {} is after --to {} (expected --from at or before --to)",
                a.from.as_deref().unwrap_or_default(),
                a.to.as_deref().unwrap_or_default()
            ));
        }
    }
    if a.filter.as_deref().is_some_and(|f| f.trim().is_empty()) {
        return Err(
            "--filter is empty (expected a path pattern such as root/db, root/* or root/**)".into(),
        );
    }
    Ok(())
}

fn duration(text: &Option<String>, flag: &str) -> Result<Option<u64>, String> {
    match text {
        None => Ok(None),
        Some(t) => parse_duration_us(t)
            .map(Some)
            .map_err(|e| format!("error: {flag} {t}: {e} (expected a duration like 5s or 250ms)")),
    }
}
