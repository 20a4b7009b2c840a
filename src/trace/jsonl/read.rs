//! Reading trace files back, checking them on the way.

use super::{Trace, TraceError, TraceErrorKind, TraceFooter, TraceHeader, TRACE_FORMAT};
use crate::trace::{Event, Fingerprinter};
use std::io::{BufRead, Read};

/// The longest line read, in bytes. The header holds the whole scenario written back
/// with its defaults, up to about 15 times the size of its file (at most 16 MiB); the
/// bound only keeps input that never ends a line (`/dev/zero`) from exhausting memory.
pub(crate) const MAX_LINE_BYTES: u64 = 512 << 20;

/// Reads a whole trace file and checks it: a header first; events numbered from 0
/// without gaps, in time order; a footer whose count and fingerprint match the events
/// (the fingerprint is recomputed) and whose end time is not before the last event;
/// nothing after it. Blank lines are skipped and `*_name` fields ignored.
///
/// Never panics, whatever the input.
pub fn read_trace<R: BufRead>(r: R) -> Result<Trace, TraceError> {
    let mut lines = Lines {
        r,
        buf: Vec::new(),
        number: 0,
    };
    let Some(first) = lines.next_nonblank()? else {
        return Err(TraceError::new(1, 1, TraceErrorKind::MissingHeader));
    };
    let header = parse_header(&first, lines.number)?;
    let mut events = Vec::new();
    let mut fingerprint = Fingerprinter::new();
    let mut last_t = 0;
    loop {
        let Some(line) = lines.next_nonblank()? else {
            return Err(TraceError::new(
                lines.number + 1,
                1,
                TraceErrorKind::MissingFooter,
            ));
        };
        let at = lines.number;
        let event = match serde_json::from_str::<Event>(&line) {
            Ok(event) => event,
            Err(event_error) => {
                let footer = parse_footer(&line, at, event_error)?;
                check_footer(
                    &footer,
                    &line,
                    at,
                    events.len() as u64,
                    &fingerprint,
                    last_t,
                )?;
                if lines.next_nonblank()?.is_some() {
                    return Err(TraceError::new(
                        lines.number,
                        1,
                        TraceErrorKind::AfterFooter,
                    ));
                }
                return Ok(Trace {
                    header,
                    events,
                    footer,
                });
            }
        };
        let expected = events.len() as u64;
        if event.seq != expected {
            let kind = TraceErrorKind::SeqGap {
                expected,
                found: event.seq,
            };
            return Err(TraceError::new(at, column_of(&line, "seq"), kind));
        }
        if event.t < last_t {
            let kind = TraceErrorKind::TimeBackwards {
                previous_us: last_t,
                found_us: event.t,
            };
            return Err(TraceError::new(at, column_of(&line, "t"), kind));
        }
        last_t = event.t;
        fingerprint.add(&event);
        events.push(event);
    }
}

struct Lines<R> {
    r: R,
    buf: Vec<u8>,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    /// The next line that is not blank, without its line ending.
    fn next_nonblank(&mut self) -> Result<Option<String>, TraceError> {
        loop {
            self.buf.clear();
            let read = (&mut self.r)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut self.buf);
            self.number += 1;
            match read {
                Ok(0) => {
                    self.number -= 1;
                    return Ok(None);
                }
                Ok(n) if n as u64 > MAX_LINE_BYTES && self.buf.last() != Some(&b'\n') => {
                    return Err(TraceError::new(
                        self.number,
                        MAX_LINE_BYTES + 1,
                        TraceErrorKind::LineTooLong(MAX_LINE_BYTES),
                    ))
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(TraceError::new(
                        self.number,
                        1,
                        TraceErrorKind::Io(e.to_string()),
                    ))
                }
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(text) => text,
                Err(e) => {
                    let column = e.valid_up_to() as u64 + 1;
                    return Err(TraceError::new(
                        self.number,
                        column,
                        TraceErrorKind::NotUtf8,
                    ));
                }
            };
            let text = text.trim_end_matches(['\n', '\r']);
            if !text.trim().is_empty() {
                return Ok(Some(text.to_string()));
            }
        }
    }
}

/// serde_json's message without its " at line L column C" suffix: lines are parsed
/// one at a time, so its line is always 1 and the reader reports its own.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

fn json_error(e: &serde_json::Error, line: u64) -> TraceError {
    TraceError::new(
        line,
        e.column() as u64,
        TraceErrorKind::BadJson(json_message(e)),
    )
}

/// The 1-based column of `"key":` in a line, or 1 when it cannot be found.
fn column_of(line: &str, key: &str) -> u64 {
    line.find(&format!("\"{key}\":"))
        .map_or(1, |i| i as u64 + 1)
}

fn parse_header(line: &str, at: u64) -> Result<TraceHeader, TraceError> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| json_error(&e, at))?;
    let Some(format) = value.get("otpsim_trace") else {
        return Err(TraceError::new(at, 1, TraceErrorKind::MissingHeader));
    };
    let column = column_of(line, "otpsim_trace");
    match format.as_u64() {
        Some(v) if v == u64::from(TRACE_FORMAT) => {}
        Some(v) => {
            return Err(TraceError::new(
                at,
                column,
                TraceErrorKind::UnsupportedFormat(v),
            ))
        }
        None => {
            let kind =
                TraceErrorKind::BadHeader(format!("expected a format number, found {format}"));
            return Err(TraceError::new(at, column, kind));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| TraceError::new(at, 1, TraceErrorKind::BadHeader(json_message(&e))))
}

/// A line that is not an event: the footer, or else the reason it is neither.
fn parse_footer(
    line: &str,
    at: u64,
    event_error: serde_json::Error,
) -> Result<TraceFooter, TraceError> {
    if event_error.is_syntax() || event_error.is_eof() {
        return Err(json_error(&event_error, at));
    }
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| json_error(&e, at))?;
    if value.get("end").is_some() {
        return serde_json::from_str(line).map_err(|e| {
            TraceError::new(
                at,
                e.column() as u64,
                TraceErrorKind::BadFooter(json_message(&e)),
            )
        });
    }
    let message = json_message(&event_error);
    let column = event_error.column() as u64;
    if let Some(kind) = value.get("kind").and_then(|k| k.as_str()) {
        if message.starts_with(&format!("unknown variant `{kind}`")) {
            let column = column_of(line, "kind");
            return Err(TraceError::new(
                at,
                column,
                TraceErrorKind::UnknownKind(kind.to_string()),
            ));
        }
    }
    Err(TraceError::new(
        at,
        column,
        TraceErrorKind::BadEvent(message),
    ))
}

fn check_footer(
    footer: &TraceFooter,
    line: &str,
    at: u64,
    read: u64,
    fingerprint: &Fingerprinter,
    last_t: u64,
) -> Result<(), TraceError> {
    if footer.events != read {
        let kind = TraceErrorKind::EventCount {
            footer: footer.events,
            read,
        };
        return Err(TraceError::new(at, column_of(line, "events"), kind));
    }
    if footer.fingerprint != fingerprint.value() {
        let kind = TraceErrorKind::Fingerprint {
            footer: footer.fingerprint,
            computed: fingerprint.value(),
        };
        return Err(TraceError::new(at, column_of(line, "fingerprint"), kind));
    }
    if footer.virtual_time_us < last_t {
        let kind = TraceErrorKind::TimeBackwards {
            previous_us: last_t,
            found_us: footer.virtual_time_us,
        };
        return Err(TraceError::new(
            at,
            column_of(line, "virtual_time_us"),
            kind,
        ));
    }
    Ok(())
}
