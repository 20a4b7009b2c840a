//! The trace: the event vocabulary, the recorder the kernel writes into, the
//! fingerprint of a run, trace files (JSON Lines) and the diff of two traces.

mod diff;
mod event;
mod event_serde;
mod fingerprint;
pub mod hot;
mod jsonl;
#[cfg(test)]
mod strategy;

pub use diff::{first_divergence, Divergence, DIVERGENCE_CONTEXT};
pub use event::{Event, EventKind, SignalOutcome, Via};
pub use fingerprint::Fingerprinter;
pub use jsonl::{
    read_trace, write_trace, Trace, TraceError, TraceErrorKind, TraceFooter, TraceHeader,
    TraceWriter, TRACE_FORMAT,
};

/// Collects a run's events: always folds them into the fingerprint, and keeps them only
/// when recording is on, so switching recording off never changes the fingerprint.
#[derive(Debug)]
pub struct Recorder {
    fingerprint: Fingerprinter,
    events: Option<Vec<Event>>,
    count: u64,
}

impl Recorder {
    /// A recorder that keeps events when `keep_events` is true.
    pub fn new(keep_events: bool) -> Recorder {
        Recorder {
            fingerprint: Fingerprinter::new(),
            events: keep_events.then(Vec::new),
            count: 0,
        }
    }

    /// Adds one event at virtual time `t`; returns its sequence number.
    #[inline]
    pub fn record(&mut self, t: u64, kind: EventKind) -> u64 {
        let seq = self.count;
        self.count += 1;
        self.fingerprint.add_parts(t, seq, &kind);
        if let Some(events) = &mut self.events {
            events.push(Event { t, seq, kind });
        }
        seq
    }

    /// Adds one event given as a borrowed view (see [`hot`]): hashed in place, and
    /// turned into an owned event by `make` only when events are kept.
    #[inline]
    pub fn record_view<V: hot::HotView>(
        &mut self,
        t: u64,
        view: &V,
        make: impl FnOnce() -> EventKind,
    ) -> u64 {
        let seq = self.count;
        self.count += 1;
        self.fingerprint.add_view(t, seq, view);
        if let Some(events) = &mut self.events {
            events.push(Event {
                t,
                seq,
                kind: make(),
            });
        }
        seq
    }

    /// How many events were recorded so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The fingerprint of the events so far.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint.value()
    }

    /// The kept events (empty when recording was off).
    pub fn events(&self) -> &[Event] {
        self.events.as_deref().unwrap_or(&[])
    }

    /// Takes the kept events out of the recorder.
    pub fn take_events(&mut self) -> Vec<Event> {
        self.events.take().unwrap_or_default()
    }
}
