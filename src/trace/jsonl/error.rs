//! What can be wrong with a trace file, and where.

use std::fmt;

/// A trace file that could not be read: the line and column (both from 1) where the
/// reader found the problem, and what the problem was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    /// The line, from 1.
    pub line: u64,
    /// The byte column within the line, from 1 (1 when the whole line is at fault).
    pub column: u64,
    /// What was wrong.
    pub kind: TraceErrorKind,
}

/// The ways a trace file can be wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceErrorKind {
    /// The underlying reader failed.
    Io(String),
    /// The line is not UTF-8.
    NotUtf8,
    /// The line is longer than any line a trace writer produces (the limit, in bytes).
    LineTooLong(u64),
    /// The line is not JSON.
    BadJson(String),
    /// The first line is not a trace header (or the input is empty).
    MissingHeader,
    /// The header line has the wrong shape.
    BadHeader(String),
    /// The header names a format version this build cannot read.
    UnsupportedFormat(u64),
    /// An event line names a kind this build does not know.
    UnknownKind(String),
    /// An event line has the wrong shape.
    BadEvent(String),
    /// The footer line has the wrong shape.
    BadFooter(String),
    /// An event's `seq` is not the next number.
    SeqGap {
        /// The seq that should come next.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// An event (or the footer's end time) is earlier than the event before it.
    TimeBackwards {
        /// The time of the event before, in microseconds.
        previous_us: u64,
        /// The time found, in microseconds.
        found_us: u64,
    },
    /// The footer's event count is not the number of events read.
    EventCount {
        /// The count in the footer.
        footer: u64,
        /// The events read.
        read: u64,
    },
    /// The footer's fingerprint is not the fingerprint of the events read.
    Fingerprint {
        /// The fingerprint in the footer.
        footer: u64,
        /// The fingerprint computed from the events read.
        computed: u64,
    },
    /// The input ended without a footer: the file is truncated.
    MissingFooter,
    /// Something other than blank lines follows the footer.
    AfterFooter,
}

impl TraceError {
    pub(crate) fn new(line: u64, column: u64, kind: TraceErrorKind) -> TraceError {
        TraceError {
            line,
            column: column.max(1),
            kind,
        }
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.kind
        )
    }
}

impl fmt::Display for TraceErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TraceErrorKind::*;
        match self {
            Io(e) => write!(f, "read failed: {e}"),
            NotUtf8 => f.write_str("expected UTF-8 text"),
            LineTooLong(max) => write!(
                f,
                "the line is longer than {max} bytes (expected JSON Lines as `otpsim run --trace` writes them)"
            ),
            BadJson(e) => write!(f, "expected a JSON object: {e}"),
            MissingHeader => f.write_str(
                "expected a trace header ({\"otpsim_trace\": 1, ...}): this is not an otpsim trace",
            ),
            BadHeader(e) => write!(f, "bad trace header: {e}"),
            UnsupportedFormat(v) => write!(
                f,
                "trace format {v} is not supported: this build reads format {}",
                super::TRACE_FORMAT
            ),
            UnknownKind(k) => write!(f, "unknown event kind \"{k}\""),
            BadEvent(e) => write!(f, "bad event: {e}"),
            BadFooter(e) => write!(f, "bad trace footer: {e}"),
            SeqGap { expected, found } => write!(f, "expected seq {expected}, found {found}"),
            TimeBackwards { previous_us, found_us } => {
                write!(f, "time goes backwards: {found_us} us after {previous_us} us")
            }
            EventCount { footer, read } => {
                write!(f, "the footer counts {footer} events but {read} were read")
            }
            Fingerprint { footer, computed } => write!(
                f,
                "the footer's fingerprint {footer:016x} is not the events' fingerprint {computed:016x}"
            ),
            MissingFooter => f.write_str("expected more events or a footer: the trace is truncated"),
            AfterFooter => f.write_str("expected nothing after the footer"),
        }
    }
}

impl std::error::Error for TraceError {}
