use super::{Fingerprinter, Words};
use crate::term::{atom, Pid, Term};
use crate::trace::{strategy, Event, EventKind};
use proptest::prelude::*;
use serde::{Serialize, Serializer};

fn send(seq: u64) -> Event {
    Event {
        t: seq * 10,
        seq,
        kind: EventKind::Send {
            from: Some(Pid::from_parts(0, 1)),
            to: Term::Pid(Pid::from_parts(1, 2)),
            msg: Term::tuple_of([atom("ping"), Term::Int(seq as i64)]),
            outcome: None,
        },
    }
}

fn fingerprint(events: &[Event]) -> u64 {
    let mut f = Fingerprinter::new();
    for e in events {
        f.add(e);
    }
    f.value()
}

const PIN_EMPTY: u64 = 404438771636046470;
const PIN_TWO_SENDS: u64 = 15498842043982053690;

#[test]
fn value_is_pinned() {
    // A change here changes every recorded fingerprint: bump the trace format with it.
    assert_eq!(fingerprint(&[]), PIN_EMPTY);
    assert_eq!(fingerprint(&[send(0), send(1)]), PIN_TWO_SENDS);
}

#[test]
fn every_part_of_an_event_counts() {
    let base = fingerprint(&[send(0)]);
    let mut e = send(0);
    e.t = 1;
    assert_ne!(fingerprint(&[e]), base);
    let mut e = send(0);
    e.seq = 1;
    assert_ne!(fingerprint(&[e]), base);
    let mut e = send(0);
    if let EventKind::Send { outcome, .. } = &mut e.kind {
        *outcome = Some(crate::term::Atom::new("badarg"));
    }
    assert_ne!(fingerprint(&[e]), base);
    assert_ne!(
        fingerprint(&[send(0), send(1)]),
        fingerprint(&[send(1), send(0)])
    );
}

#[test]
fn pid_slots_do_not_count() {
    let mut e = send(0);
    if let EventKind::Send { from, .. } = &mut e.kind {
        *from = Some(Pid::from_parts(u32::MAX, 1));
    }
    assert_eq!(fingerprint(&[e]), fingerprint(&[send(0)]));
}

/// Serializes its text through `collect_str` when `streamed`, else `serialize_str`.
struct Text<'a> {
    text: &'a str,
    streamed: bool,
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.streamed {
            s.collect_str(&format_args!("{}", self.text))
        } else {
            s.serialize_str(self.text)
        }
    }
}

fn hash_text(text: &str, streamed: bool) -> [u64; 4] {
    let mut words = Words {
        lanes: [0; 4],
        n: 0,
    };
    let _ = Text { text, streamed }.serialize(&mut words);
    words.lanes
}

proptest! {
    #[test]
    fn live_and_json_round_trip_agree(events in prop::collection::vec(strategy::event(), 0..8)) {
        let read_back: Vec<Event> = events
            .iter()
            .map(|e| serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap())
            .collect();
        prop_assert_eq!(fingerprint(&read_back), fingerprint(&events));
    }

    #[test]
    fn streamed_and_whole_strings_agree(text in "\\PC{0,40}") {
        prop_assert_eq!(hash_text(&text, true), hash_text(&text, false));
    }
}

proptest::proptest! {
    /// The fixed-width loads of `tail_word` give the word a zero-padded copy gives,
    /// for every length a tail can have.
    #[test]
    fn tail_word_is_the_zero_padded_little_endian_word(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..=8)) {
        let mut padded = [0u8; 8];
        padded[..bytes.len()].copy_from_slice(&bytes);
        proptest::prop_assert_eq!(super::tail_word(&bytes), u64::from_le_bytes(padded));
    }
}
