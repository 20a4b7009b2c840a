//! Trace files in JSON Lines: a header line, one line per event, a footer line.
//!
//! ```text
//! {"otpsim_trace":1,"otpsim_version":"0.1.0","seed":7,"input":{..}}
//! {"t":0,"seq":0,"kind":"spawn","parent":null,"child":"<0.1.0>",..,"label":"db","child_name":"db"}
//! ...
//! {"end":true,"events":42,"fingerprint":"00c0ffee00c0ffee","outcome":"quiescent","virtual_time_us":5000}
//! ```
//!
//! Event lines are exactly what serde_json writes for an [`Event`], plus, for every
//! field holding a pid, a sibling `<field>_name` with the process's registered name or
//! spawn label when one is known at that point in the run. The names are for people
//! reading the file; readers ignore them. The footer repeats the count and fingerprint
//! so that a reader can tell a complete, untouched trace from a damaged one.

mod error;
mod read;
mod write;

pub use error::{TraceError, TraceErrorKind};
pub use read::read_trace;
pub use write::{write_trace, TraceWriter};

use super::Event;
use serde::{Deserialize, Serialize};

/// The trace file format version this build writes and reads.
pub const TRACE_FORMAT: u32 = 1;

/// The first line of a trace file: what produced the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceHeader {
    /// The trace file format version ([`TRACE_FORMAT`]).
    #[serde(rename = "otpsim_trace")]
    pub format: u32,
    /// The otpsim version that wrote the file.
    pub otpsim_version: String,
    /// The run's seed.
    pub seed: u64,
    /// What was run: the scenario, or the bench or program description, as any JSON.
    #[serde(default)]
    pub input: serde_json::Value,
}

impl TraceHeader {
    /// A header for this build's format and version.
    pub fn new(seed: u64, input: serde_json::Value) -> TraceHeader {
        TraceHeader {
            format: TRACE_FORMAT,
            otpsim_version: env!("CARGO_PKG_VERSION").to_string(),
            seed,
            input,
        }
    }
}

/// The last line of a trace file: how the run ended and what it added up to.
///
/// In the file: `{"end":true,"events":N,"fingerprint":"<16 hex digits>",
/// "outcome":"<name>","virtual_time_us":T}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "FooterLine", try_from = "FooterLine")]
pub struct TraceFooter {
    /// How many events the run recorded.
    pub events: u64,
    /// The run's fingerprint ([`Fingerprinter`](super::Fingerprinter) over the events).
    pub fingerprint: u64,
    /// The outcome's short name (`quiescent`, `duration_reached`, ...).
    pub outcome: String,
    /// The virtual time the run reached, in microseconds.
    pub virtual_time_us: u64,
}

impl TraceFooter {
    /// A footer from a run's totals.
    pub fn new(events: u64, fingerprint: u64, outcome: &str, virtual_time_us: u64) -> TraceFooter {
        TraceFooter {
            events,
            fingerprint,
            outcome: outcome.to_string(),
            virtual_time_us,
        }
    }
}

/// The footer as written: the fingerprint in hex, since JSON numbers past 2^53 are
/// unsafe in many readers.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FooterLine {
    end: bool,
    events: u64,
    fingerprint: String,
    outcome: String,
    virtual_time_us: u64,
}

impl From<TraceFooter> for FooterLine {
    fn from(f: TraceFooter) -> FooterLine {
        FooterLine {
            end: true,
            events: f.events,
            fingerprint: format!("{:016x}", f.fingerprint),
            outcome: f.outcome,
            virtual_time_us: f.virtual_time_us,
        }
    }
}

impl TryFrom<FooterLine> for TraceFooter {
    type Error = String;

    fn try_from(line: FooterLine) -> Result<TraceFooter, String> {
        if !line.end {
            return Err("expected `\"end\": true`".to_string());
        }
        let hex = &line.fingerprint;
        if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "expected a fingerprint of 16 hex digits, found \"{hex}\""
            ));
        }
        let fingerprint = u64::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
        Ok(TraceFooter {
            events: line.events,
            fingerprint,
            outcome: line.outcome,
            virtual_time_us: line.virtual_time_us,
        })
    }
}

/// A whole trace file, read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// What produced the run.
    pub header: TraceHeader,
    /// The events, in order.
    pub events: Vec<Event>,
    /// How the run ended; its count and fingerprint match `events`.
    pub footer: TraceFooter,
}

#[cfg(test)]
mod tests;
