//! Writing trace files, event by event.

use super::{TraceFooter, TraceHeader};
use crate::term::{Atom, Pid};
use crate::trace::{Event, EventKind, Fingerprinter};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

/// Writes a trace file event by event, so a long run need not keep its events.
///
/// It checks what it writes the way [`read_trace`](super::read_trace) will check it
/// (sequence numbers, time order, the footer's count and fingerprint), so a file it
/// completes always reads back.
pub struct TraceWriter<W: Write> {
    out: W,
    names: Names,
    fingerprint: Fingerprinter,
    count: u64,
    last_t: u64,
    line: String,
}

impl<W: Write> fmt::Debug for TraceWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceWriter")
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

impl<W: Write> TraceWriter<W> {
    /// Starts a trace file: writes the header line.
    pub fn new(mut out: W, header: &TraceHeader) -> io::Result<TraceWriter<W>> {
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        Ok(TraceWriter {
            out,
            names: Names::default(),
            fingerprint: Fingerprinter::new(),
            count: 0,
            last_t: 0,
            line: String::new(),
        })
    }

    /// Writes one event line, with the `*_name` fields of the pids it mentions.
    /// Fails with `InvalidInput` when the event is out of order.
    pub fn write_event(&mut self, event: &Event) -> io::Result<()> {
        if event.seq != self.count {
            return Err(invalid(format!(
                "expected seq {}, got {}",
                self.count, event.seq
            )));
        }
        if event.t < self.last_t {
            return Err(invalid(format!("event {} goes back in time", event.seq)));
        }
        self.names.observe(&event.kind);
        self.line.clear();
        self.line.push_str(&serde_json::to_string(event)?);
        if !self.names.is_empty() {
            self.add_names()?;
        }
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())?;
        self.fingerprint.add(event);
        self.count += 1;
        self.last_t = event.t;
        Ok(())
    }

    /// Appends `<field>_name` members before the closing brace. The event's own JSON is
    /// re-read to find its pid fields, so kinds added later get names with no change here.
    fn add_names(&mut self) -> io::Result<()> {
        let PidFields(fields) = serde_json::from_str(&self.line)?;
        let mut extra = String::new();
        for (field, pid) in fields {
            if let Some(name) = self.names.name_of(pid) {
                extra.push(',');
                extra.push_str(&serde_json::to_string(&format!("{field}_name"))?);
                extra.push(':');
                extra.push_str(&serde_json::to_string(name)?);
            }
        }
        if !extra.is_empty() && self.line.ends_with('}') {
            self.line.pop();
            self.line.push_str(&extra);
            self.line.push('}');
        }
        Ok(())
    }

    /// Ends the trace file: writes the footer and flushes. Fails with `InvalidInput`,
    /// writing nothing, when the footer's count or fingerprint is not that of the
    /// events written (a run recorded without keeping its events, for example).
    pub fn finish(mut self, footer: &TraceFooter) -> io::Result<W> {
        if footer.events != self.count {
            let message = format!(
                "footer counts {} events, {} written",
                footer.events, self.count
            );
            return Err(invalid(message));
        }
        if footer.fingerprint != self.fingerprint.value() {
            return Err(invalid(format!(
                "footer fingerprint {:016x} is not that of the events written, {:016x}",
                footer.fingerprint,
                self.fingerprint.value()
            )));
        }
        serde_json::to_writer(&mut self.out, footer)?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes a whole trace file: header, events, footer.
pub fn write_trace<W: Write>(
    w: W,
    header: &TraceHeader,
    events: &[Event],
    footer: &TraceFooter,
) -> io::Result<()> {
    let mut writer = TraceWriter::new(w, header)?;
    for event in events {
        writer.write_event(event)?;
    }
    writer.finish(footer).map(drop)
}

/// What each process is called so far: registered names (while held) and spawn labels.
#[derive(Default)]
struct Names {
    labels: BTreeMap<u32, String>,
    registered: BTreeMap<u32, Atom>,
}

impl Names {
    fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.registered.is_empty()
    }

    fn observe(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Spawn {
                child,
                label: Some(label),
                ..
            } => {
                self.labels.insert(child.serial(), label.clone());
            }
            EventKind::Register { pid, name } => {
                self.registered.insert(pid.serial(), name.clone());
            }
            EventKind::Unregister { pid, name }
                if self.registered.get(&pid.serial()) == Some(name) =>
            {
                self.registered.remove(&pid.serial());
            }
            _ => {}
        }
    }

    /// The registered name if the process holds one, since that is how OTP code refers
    /// to it; otherwise its label.
    fn name_of(&self, pid: Pid) -> Option<&str> {
        let serial = pid.serial();
        self.registered
            .get(&serial)
            .map(Atom::as_str)
            .or(self.labels.get(&serial).map(String::as_str))
    }
}

/// The top-level fields of a JSON object whose value is a pid, in document order.
struct PidFields(Vec<(String, Pid)>);

impl<'de> de::Deserialize<'de> for PidFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PidFields, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = PidFields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PidFields, A::Error> {
                let mut fields = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if let MaybePid(Some(pid)) = map.next_value()? {
                        fields.push((key, pid));
                    }
                }
                Ok(PidFields(fields))
            }
        }
        d.deserialize_map(FieldsVisitor)
    }
}

/// Any JSON value, keeping it only when it is a string naming a pid.
struct MaybePid(Option<Pid>);

impl<'de> de::Deserialize<'de> for MaybePid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MaybePid, D::Error> {
        struct PidVisitor;
        impl<'de> Visitor<'de> for PidVisitor {
            type Value = MaybePid;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MaybePid, E> {
                Ok(MaybePid(
                    v.starts_with("<0.").then(|| v.parse().ok()).flatten(),
                ))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<MaybePid, E> {
                Ok(MaybePid(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<MaybePid, E> {
                Ok(MaybePid(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<MaybePid, E> {
                Ok(MaybePid(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybePid, E> {
                Ok(MaybePid(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MaybePid, E> {
                Ok(MaybePid(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybePid, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybePid(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybePid, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybePid(None))
            }
        }
        d.deserialize_any(PidVisitor)
    }
}
