//! The run fingerprint: a stable 64-bit hash of the canonical trace.
//!
//! Events reach the hash through a hand-written, non-human-readable serde
//! [`Serializer`]: terms then serialize structurally (see `term::serde_impl`), so
//! hashing an event formats no text and allocates nothing. Every value becomes 64-bit
//! little-endian words, each folded with a multiply-rotate step (xor, multiply by an
//! odd constant, rotate: a bijection of the lane, so two inputs that differ in one word
//! always leave different lanes) into one of four lanes in turn (four independent
//! chains the CPU can overlap, so hashing costs about a cycle a word instead of five);
//! the type tag rides in the top byte of a word when the value leaves room, or in a
//! word of its own, and a string of up to six bytes shares one word with its tag and
//! length. Struct field names are never hashed: the type fixes their order.

mod fast;
mod fast_sup;

use super::hot::HotView;
use super::{Event, EventKind};
use serde::ser::{self, Serialize};
use std::fmt;

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const MUL: u64 = 0x9E37_79B9_7F4A_7C15;
const ROT: u32 = 29;

/// Folds events into a stable hash. The same events give the same value on any machine
/// and in debug and release builds, whether they were built live or read back from a
/// JSON trace.
#[derive(Debug, Clone)]
pub struct Fingerprinter {
    words: Words,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter::new()
    }
}

impl Fingerprinter {
    /// A fresh fingerprint.
    pub fn new() -> Fingerprinter {
        Fingerprinter {
            words: Words {
                lanes: [SEED, SEED ^ 1, SEED ^ 2, SEED ^ 3],
                n: 0,
            },
        }
    }

    /// Adds one event.
    pub fn add(&mut self, event: &Event) {
        // Only a type's own Serialize can fail here, and events' never do; the words
        // folded before any failure would still be deterministic.
        let _ = event.serialize(&mut self.words);
    }

    /// Adds the event `Event { t, seq, kind }` without building it: the same value as
    /// [`Fingerprinter::add`], for the kernel's hot path when events are not kept.
    #[inline]
    pub fn add_parts(&mut self, t: u64, seq: u64, kind: &EventKind) {
        let _ = (t, seq, kind).serialize(&mut self.words);
    }

    /// Adds an event given as a borrowed view that serializes exactly as its
    /// `EventKind` would (see `trace::hot`): through the register-resident fast path
    /// when the view allows it, through serde otherwise. Same value either way.
    #[inline]
    pub fn add_view<V: HotView>(&mut self, t: u64, seq: u64, view: &V) {
        if !view.hash_fast(self, t, seq) {
            self.add_view_serde(t, seq, view);
        }
    }

    /// [`Fingerprinter::add_view`] always through serde (the reference the fast path
    /// is tested against).
    pub(crate) fn add_view_serde<V: Serialize>(&mut self, t: u64, seq: u64, view: &V) {
        let _ = (t, seq, view).serialize(&mut self.words);
    }

    #[inline]
    pub(crate) fn add_send_fast(&mut self, t: u64, seq: u64, v: &super::hot::SendView<'_>) -> bool {
        fast::send(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_recv_fast(&mut self, t: u64, seq: u64, v: &super::hot::RecvView<'_>) -> bool {
        fast::recv(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_call_fast(&mut self, t: u64, seq: u64, v: &super::hot::CallView<'_>) -> bool {
        fast::call(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_handle_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::HandleView<'_>,
    ) -> bool {
        fast::handle(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_reply_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::ReplyView<'_>,
    ) -> bool {
        fast::reply(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_exit_fast(&mut self, t: u64, seq: u64, v: &super::hot::ExitView<'_>) -> bool {
        fast::exit(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_exit_signal_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::ExitSignalView<'_>,
    ) -> bool {
        fast::exit_signal(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_exit_signal_handled_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::ExitSignalHandledView<'_>,
    ) -> bool {
        fast::exit_signal_handled(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_down_fast(&mut self, t: u64, seq: u64, v: &super::hot::DownView<'_>) -> bool {
        fast::down(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_spawn_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::SpawnView<'_>,
    ) -> bool {
        fast_sup::spawn(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_init_result_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::InitResultView<'_>,
    ) -> bool {
        fast_sup::init_result(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_start_result_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::StartResultView<'_>,
    ) -> bool {
        fast_sup::start_result(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_child_start_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::ChildStartView<'_>,
    ) -> bool {
        fast_sup::child_start(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_child_shutdown_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::ChildShutdownView<'_>,
    ) -> bool {
        fast_sup::child_shutdown(&mut self.words, t, seq, v)
    }

    #[inline]
    pub(crate) fn add_child_down_fast(
        &mut self,
        t: u64,
        seq: u64,
        v: &super::hot::ChildDownView<'_>,
    ) -> bool {
        fast_sup::child_down(&mut self.words, t, seq, v)
    }

    /// The current value.
    pub fn value(&self) -> u64 {
        // murmur3's fmix64: the per-word step mixes the last words in only partly, so
        // finish by spreading every bit over the whole word.
        // Word k went to lane k mod 4; the combination does not depend on where the
        // last event ended.
        let [a, b, c, d] = self.words.lanes;
        let mut h = a ^ b.rotate_left(16) ^ c.rotate_left(32) ^ d.rotate_left(48);
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// Type tags, in the top byte of a word.
mod tag {
    pub const BOOL: u64 = 1;
    pub const I8: u64 = 2;
    pub const I16: u64 = 3;
    pub const I32: u64 = 4;
    pub const I64: u64 = 5;
    pub const U8: u64 = 6;
    pub const U16: u64 = 7;
    pub const U32: u64 = 8;
    pub const U64: u64 = 9;
    pub const F32: u64 = 10;
    pub const F64: u64 = 11;
    pub const CHAR: u64 = 12;
    pub const STR: u64 = 13;
    pub const BYTES: u64 = 14;
    pub const NONE: u64 = 15;
    pub const SOME: u64 = 16;
    pub const UNIT: u64 = 17;
    pub const UNIT_STRUCT: u64 = 18;
    pub const VARIANT: u64 = 19;
    pub const SEQ: u64 = 20;
    pub const SEQ_END: u64 = 21;
    pub const TUPLE: u64 = 22;
    pub const TUPLE_STRUCT: u64 = 23;
    pub const MAP: u64 = 24;
    pub const MAP_END: u64 = 25;
    pub const STRUCT: u64 = 26;
    pub const I128: u64 = 27;
    pub const U128: u64 = 28;
    /// A u64 below 2^56, or an i64 in -2^55..2^55, in the tag word itself: times,
    /// sequence numbers and most integers cost one word instead of two.
    pub const U64_SMALL: u64 = 29;
    pub const I64_SMALL: u64 = 30;
}

const LOW_56: u64 = (1 << 56) - 1;

/// The hash state as a serde serializer.
#[derive(Debug, Clone)]
struct Words {
    lanes: [u64; 4],
    n: usize,
}

impl Words {
    /// Folds word number `n` into lane `n mod 4`: the next word's step depends on a
    /// lane last touched four words ago, not on this one.
    #[inline]
    fn word(&mut self, w: u64) {
        let lane = &mut self.lanes[self.n & 3];
        *lane = (*lane ^ w).wrapping_mul(MUL).rotate_left(ROT);
        self.n = self.n.wrapping_add(1);
    }

    /// A tag and a value of at most 56 bits, in one word.
    #[inline]
    fn tagged(&mut self, tag: u64, value: u64) {
        self.word((tag << 56) | (value & LOW_56));
    }

    /// Length first, so that no two byte strings share a word sequence; then the bytes
    /// eight at a time, the last word zero-padded.
    fn bytes(&mut self, tag: u64, bytes: &[u8]) {
        if bytes.len() <= SHORT_BYTES {
            self.word(short_bytes_word(tag, bytes));
            return;
        }
        self.tagged(tag, bytes.len() as u64);
        byte_words(bytes, |w| self.word(w));
    }
}

/// Strings and byte strings up to this long are hashed as one word with their tag and
/// length (kind names and most atoms are).
const SHORT_BYTES: usize = 6;

/// The one word of a string of at most [`SHORT_BYTES`] bytes: the tag in the top byte,
/// the length in the next, the bytes little-endian below. A longer string's header
/// word has its length in the low bits and zero in that second byte, so the two never
/// meet (an empty string is the same word either way).
#[inline(always)]
fn short_bytes_word(tag: u64, bytes: &[u8]) -> u64 {
    (tag << 56) | ((bytes.len() as u64) << 48) | tail_word(bytes)
}

/// The words `bytes` is hashed as after its length: eight bytes at a time, little
/// endian, the last word zero-padded (shared by the serde and the fast path).
#[inline(always)]
fn byte_words(bytes: &[u8], mut word: impl FnMut(u64)) {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        word(u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        word(tail_word(rest));
    }
}

/// Up to eight bytes as a little-endian word, zero-padded: the same word as copying
/// them into a zeroed `[u8; 8]`. The copy has a variable length, so the 8-byte load
/// after it cannot be forwarded from the stores and stalls; here every load has a
/// fixed width, and overlapping loads OR the same bytes into the same places.
#[inline(always)]
pub(super) fn tail_word(b: &[u8]) -> u64 {
    #[inline(always)]
    fn u32_at(b: &[u8], i: usize) -> u64 {
        u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]))
    }
    let n = b.len();
    match n {
        0 => 0,
        1..=3 => {
            u64::from(b[0])
                | u64::from(b[n / 2]) << (8 * (n / 2))
                | u64::from(b[n - 1]) << (8 * (n - 1))
        }
        4..=7 => u32_at(b, 0) | u32_at(b, n - 4) << (8 * (n - 4)),
        _ => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
    }
}

/// The serializer never fails on its own; this only carries a type's own failure.
#[derive(Debug)]
struct HashError;

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("value could not be hashed")
    }
}

impl std::error::Error for HashError {}

impl ser::Error for HashError {
    fn custom<T: fmt::Display>(_msg: T) -> HashError {
        HashError
    }
}

/// A sequence or map whose length was not given up front: counted, then folded in at
/// the end.
struct Counted<'a> {
    words: &'a mut Words,
    /// The tag to close with, or `None` when the length was hashed up front.
    end_tag: Option<u64>,
    count: u64,
}

impl Counted<'_> {
    fn close(self) {
        if let Some(tag) = self.end_tag {
            self.words.tagged(tag, self.count);
        }
    }
}

mod compound;
mod serializer;
#[cfg(test)]
mod tests;
