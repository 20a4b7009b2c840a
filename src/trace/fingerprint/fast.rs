//! The hashing of `send` and `recv`, the two events every message makes, with the
//! four lanes held in registers for the whole event.
//!
//! Through serde, every word round-trips the hash state through memory (the
//! serializer is a `&mut Words`), and the store-to-load latency on the word counter
//! sets the pace. Here the lanes are loaded once, rotated so that the next word's lane
//! is always `a`, and stored once. The words are exactly the ones the serde path makes
//! for the same event (`trace::hot`'s tests hold that). Integers, pids, refs, atoms of
//! up to 8 bytes, and flat tuples and lists of those (the shape of `DOWN`, `EXIT` and
//! `$gen_call` messages) are written here; other terms take the serde path.

use super::{byte_words, short_bytes_word, tag, tail_word, Words, LOW_56, MUL, ROT, SHORT_BYTES};
use crate::term::{Pid, Term};
use crate::trace::hot::{
    CallView, DownView, ExitSignalHandledView, ExitSignalView, ExitView, HandleView, RecvView,
    ReplyView, SendView,
};
use crate::trace::{SignalOutcome, Via};

pub(super) struct Lanes {
    a: u64,
    b: u64,
    c: u64,
    d: u64,
    n: usize,
}

impl Lanes {
    #[inline(always)]
    pub(super) fn load(w: &Words) -> Lanes {
        let r = w.n & 3;
        let l = w.lanes;
        Lanes {
            a: l[r],
            b: l[(r + 1) & 3],
            c: l[(r + 2) & 3],
            d: l[(r + 3) & 3],
            n: w.n,
        }
    }

    #[inline(always)]
    pub(super) fn store(self, w: &mut Words) {
        let r = self.n & 3;
        w.lanes[r] = self.a;
        w.lanes[(r + 1) & 3] = self.b;
        w.lanes[(r + 2) & 3] = self.c;
        w.lanes[(r + 3) & 3] = self.d;
        w.n = self.n;
    }

    /// `Words::word`: word n goes to lane n mod 4, which is always `a` here.
    #[inline(always)]
    pub(super) fn word(&mut self, x: u64) {
        let h = (self.a ^ x).wrapping_mul(MUL).rotate_left(ROT);
        self.a = self.b;
        self.b = self.c;
        self.c = self.d;
        self.d = h;
        self.n = self.n.wrapping_add(1);
    }

    #[inline(always)]
    pub(super) fn tagged(&mut self, t: u64, v: u64) {
        self.word((t << 56) | (v & LOW_56));
    }

    #[inline(always)]
    pub(super) fn u64(&mut self, v: u64) {
        if v < (1u64 << 56) {
            self.tagged(tag::U64_SMALL, v);
        } else {
            self.tagged(tag::U64, 0);
            self.word(v);
        }
    }

    #[inline(always)]
    pub(super) fn i64(&mut self, v: i64) {
        if (-(1i64 << 55)..(1i64 << 55)).contains(&v) {
            self.tagged(tag::I64_SMALL, v as u64);
        } else {
            self.tagged(tag::I64, 0);
            self.word(v as u64);
        }
    }

    /// A string of at most 8 bytes (`Words::bytes`).
    #[inline(always)]
    pub(super) fn short_str(&mut self, s: &str) {
        if s.len() <= SHORT_BYTES {
            self.word(short_bytes_word(tag::STR, s.as_bytes()));
        } else {
            self.tagged(tag::STR, s.len() as u64);
            self.word(tail_word(s.as_bytes()));
        }
    }

    /// A string of any length (`Words::bytes`): for kind names over 8 bytes.
    #[inline(always)]
    pub(super) fn str_any(&mut self, s: &str) {
        if s.len() <= SHORT_BYTES {
            self.word(short_bytes_word(tag::STR, s.as_bytes()));
            return;
        }
        self.tagged(tag::STR, s.len() as u64);
        byte_words(s.as_bytes(), |w| self.word(w));
    }

    #[inline(always)]
    pub(super) fn pid(&mut self, p: Pid) {
        self.tagged(tag::U32, u64::from(p.serial()));
    }

    /// A term as `term::serde_impl` writes it compactly: its variant, then its payload
    /// (a tuple's or list's elements as a sequence with its length up front).
    #[inline(always)]
    pub(super) fn term(&mut self, t: &Term) {
        match t {
            Term::Tuple(items) | Term::List(items) => {
                let variant = if matches!(t, Term::Tuple(_)) { 4 } else { 5 };
                self.tagged(tag::VARIANT, variant);
                self.tagged(tag::SEQ, items.len() as u64);
                for item in items.iter() {
                    self.leaf(item);
                }
            }
            leaf => self.leaf(leaf),
        }
    }

    #[inline(always)]
    pub(super) fn leaf(&mut self, t: &Term) {
        match t {
            Term::Ref(r) => {
                self.tagged(tag::VARIANT, 2);
                self.u64(r.0);
            }
            Term::Int(i) => {
                self.tagged(tag::VARIANT, 0);
                self.i64(*i);
            }
            Term::Atom(a) => {
                self.tagged(tag::VARIANT, 1);
                self.str_any(a.as_str());
            }
            Term::Pid(p) => {
                self.tagged(tag::VARIANT, 3);
                self.pid(*p);
            }
            // `simple` keeps every other term away from here.
            _ => {}
        }
    }
}

/// True for the terms `Lanes::leaf` writes.
#[inline(always)]
fn simple_leaf(t: &Term) -> bool {
    match t {
        // Atoms of any length: `brutal_kill` is in every child_shutdown of a storm.
        Term::Int(_) | Term::Pid(_) | Term::Ref(_) | Term::Atom(_) => true,
        _ => false,
    }
}

/// True for the terms `Lanes::term` writes.
#[inline(always)]
pub(super) fn simple(t: &Term) -> bool {
    match t {
        Term::Tuple(items) | Term::List(items) => items.len() <= 8 && items.iter().all(simple_leaf),
        leaf => simple_leaf(leaf),
    }
}

/// Hashes `(t, seq, send)`; false (nothing hashed) when the event needs the serde path.
#[inline]
pub(crate) fn send(w: &mut Words, t: u64, seq: u64, v: &SendView<'_>) -> bool {
    if v.outcome.is_some() || !simple(v.to) || !simple(v.msg) {
        return false;
    }
    let mut l = Lanes::load(w);
    l.tagged(tag::TUPLE, 3);
    l.u64(t);
    l.u64(seq);
    l.tagged(tag::STRUCT, 4);
    l.short_str("send");
    match v.from {
        Some(p) => {
            l.tagged(tag::SOME, 0);
            l.pid(p);
        }
        None => l.tagged(tag::NONE, 0),
    }
    l.term(v.to);
    l.term(v.msg);
    l.store(w);
    true
}

/// Hashes `(t, seq, recv)`; false (nothing hashed) when the event needs the serde path.
#[inline]
pub(crate) fn recv(w: &mut Words, t: u64, seq: u64, v: &RecvView<'_>) -> bool {
    if !simple(v.msg) {
        return false;
    }
    let mut l = Lanes::load(w);
    l.tagged(tag::TUPLE, 3);
    l.u64(t);
    l.u64(seq);
    l.tagged(tag::STRUCT, 3);
    l.short_str("recv");
    l.pid(v.pid);
    l.term(v.msg);
    l.store(w);
    true
}

/// The four words every event starts with: `(t, seq, {struct of len, kind: ...})`.
#[inline(always)]
pub(super) fn head(l: &mut Lanes, t: u64, seq: u64, fields: u64, kind: &str) {
    l.tagged(tag::TUPLE, 3);
    l.u64(t);
    l.u64(seq);
    l.tagged(tag::STRUCT, fields);
    l.short_str(kind);
}

/// Hashes `(t, seq, call)`; false (nothing hashed) when the event needs serde.
#[inline]
pub(crate) fn call(w: &mut Words, t: u64, seq: u64, v: &CallView<'_>) -> bool {
    if !simple(v.request) || !simple(v.timeout) {
        return false;
    }
    let mut l = Lanes::load(w);
    head(&mut l, t, seq, 6, "call");
    l.pid(v.caller);
    l.pid(v.server);
    l.u64(v.tag.0);
    l.term(v.request);
    l.term(v.timeout);
    l.store(w);
    true
}

/// Hashes `(t, seq, handle)`; false (nothing hashed) when the event needs serde.
#[inline]
pub(crate) fn handle(w: &mut Words, t: u64, seq: u64, v: &HandleView<'_>) -> bool {
    if !simple(v.message) || v.callback.as_str().len() > 8 {
        return false;
    }
    let mut l = Lanes::load(w);
    head(&mut l, t, seq, 4, "handle");
    l.pid(v.pid);
    l.short_str(v.callback.as_str());
    l.term(v.message);
    l.store(w);
    true
}

/// Hashes `(t, seq, reply)`; false (nothing hashed) when the event needs serde.
#[inline]
pub(crate) fn reply(w: &mut Words, t: u64, seq: u64, v: &ReplyView<'_>) -> bool {
    if !simple(v.value) {
        return false;
    }
    let mut l = Lanes::load(w);
    head(&mut l, t, seq, 5, "reply");
    l.pid(v.server);
    l.pid(v.caller);
    l.u64(v.tag.0);
    l.term(v.value);
    l.store(w);
    true
}

/// `(t, seq, {struct of len, kind: ...})` for a kind name of any length.
#[inline(always)]
pub(super) fn head_long(l: &mut Lanes, t: u64, seq: u64, fields: u64, kind: &str) {
    l.tagged(tag::TUPLE, 3);
    l.u64(t);
    l.u64(seq);
    l.tagged(tag::STRUCT, fields);
    l.str_any(kind);
}

/// A unit variant is its declaration index (`serialize_unit_variant`).
fn via_index(via: Via) -> u64 {
    match via {
        Via::Link => 0,
        Via::ExitCall => 1,
    }
}

fn outcome_index(outcome: SignalOutcome) -> u64 {
    match outcome {
        SignalOutcome::Ignored => 0,
        SignalOutcome::Trapped => 1,
        SignalOutcome::KilledReceiver => 2,
        SignalOutcome::AlreadyExiting => 3,
    }
}

/// Hashes `(t, seq, exit)`; false (nothing hashed) when the event needs serde.
#[inline]
pub(crate) fn exit(w: &mut Words, t: u64, seq: u64, v: &ExitView<'_>) -> bool {
    if !simple(v.reason) {
        return false;
    }
    let mut l = Lanes::load(w);
    head(&mut l, t, seq, 3, "exit");
    l.pid(v.pid);
    l.term(v.reason);
    l.store(w);
    true
}

/// Hashes `(t, seq, exit_signal)`; false (nothing hashed) when it needs serde.
#[inline]
pub(crate) fn exit_signal(w: &mut Words, t: u64, seq: u64, v: &ExitSignalView<'_>) -> bool {
    if !simple(v.reason) {
        return false;
    }
    let mut l = Lanes::load(w);
    head_long(&mut l, t, seq, 5, "exit_signal");
    l.pid(v.from);
    l.pid(v.to);
    l.term(v.reason);
    l.tagged(tag::VARIANT, via_index(v.via));
    l.store(w);
    true
}

/// Hashes `(t, seq, exit_signal_handled)`; false (nothing hashed) when it needs serde.
#[inline]
pub(crate) fn exit_signal_handled(
    w: &mut Words,
    t: u64,
    seq: u64,
    v: &ExitSignalHandledView<'_>,
) -> bool {
    if !simple(v.reason) {
        return false;
    }
    let mut l = Lanes::load(w);
    head_long(&mut l, t, seq, 5, "exit_signal_handled");
    l.pid(v.to);
    l.pid(v.from);
    l.term(v.reason);
    l.tagged(tag::VARIANT, outcome_index(v.outcome));
    l.store(w);
    true
}

/// Hashes `(t, seq, down)`; false (nothing hashed) when the event needs serde.
#[inline]
pub(crate) fn down(w: &mut Words, t: u64, seq: u64, v: &DownView<'_>) -> bool {
    if !simple(v.target) || !simple(v.reason) {
        return false;
    }
    let mut l = Lanes::load(w);
    head(&mut l, t, seq, 5, "down");
    l.pid(v.watcher);
    l.term(v.target);
    l.u64(v.mref.0);
    l.term(v.reason);
    l.store(w);
    true
}
