//! `erlang:phash2/1,2`, bit-exact with the BEAM for the terms otpsim can hold.
//!
//! PartitionSupervisor routes a non-integer key to `phash2(Key, Partitions)` (PSUP-2),
//! so a simulated tree only puts a key in the partition real OTP would pick if this
//! hash is the BEAM's own. This is a port of `make_hash2` (erts/emulator/beam/utils.c)
//! and of the atom hash it reads (`atom_hash`, hashpjw, in atom.c). The recorded
//! fixture `tests/otp_fixtures/phash2/phash2.out` pins it against Erlang/OTP 25.
//!
//! Pids, references and funs cannot match OTP (their hash depends on the node and on
//! run-time numbering), so otpsim hashes them its own way; see [`hash2`].

use super::Term;

/// The golden ratio; Bob Jenkins' arbitrary starting value.
const HCONST: u32 = 0x9e37_79b9;
/// `HCONST * n mod 2^32`, the per-type salts of `make_hash2`.
const HCONST_2: u32 = 0x3c6e_f372;
const HCONST_3: u32 = 0xdaa6_6d2b;
const HCONST_4: u32 = 0x78dd_e6e4;
const HCONST_5: u32 = 0x1715_609d;
const HCONST_7: u32 = 0x5384_540f;
const HCONST_9: u32 = 0x8ff3_4781;
const HCONST_10: u32 = 0x2e2a_c13a;
const HCONST_11: u32 = 0xcc62_3af3;
const HCONST_13: u32 = 0x08d1_2e65;
const HCONST_14: u32 = 0xa708_a81e;

/// The hash of `[]` when it is the first thing hashed (a constant in utils.c).
const NIL_FIRST: u32 = 3_468_870_702;
/// `[]`'s type code (`NIL_DEF` in erl_term.h), mixed in when something came first.
const NIL_DEF: u32 = 0x2;

/// Integers the BEAM hashes as one 32-bit word: `IS_SSMALL28`.
const SSMALL28_MIN: i64 = -(1 << 27);
const SSMALL28_MAX: i64 = (1 << 27) - 1;

/// `erlang:phash2(Term, Range)`: the full 32-bit hash of `term` taken `rem range`.
///
/// This is **not** `phash2(Term) rem Range` (PSUP-2): `phash2/1` keeps only 27 bits.
/// Ranges up to `2^32 - 1` fit in a `u32`; for `erlang:phash2(T, 1 bsl 32)` use
/// [`hash2`].
///
/// # Panics
///
/// When `range` is 0, as `erlang:phash2(T, 0)` raises `badarg`: inside a process the
/// panic becomes that process's crash.
///
/// # Example
///
/// ```
/// use otpsim::term::{atom, phash2, Term};
/// // Recorded on Erlang/OTP 25: erlang:phash2(<<"bar">>, 3) =:= 2.
/// assert_eq!(phash2(&Term::bin("bar"), 3), 2);
/// assert_eq!(phash2(&atom("foo"), 8), 7);
/// ```
pub fn phash2(term: &Term, range: u32) -> u32 {
    assert!(
        range > 0,
        "phash2 range must be at least 1 (erlang:phash2/2 raises badarg)"
    );
    hash2(term) % range
}

/// `erlang:phash2(Term)`: the hash's low 27 bits.
///
/// # Example
///
/// ```
/// use otpsim::term::{atom, phash2_27};
/// assert_eq!(phash2_27(&atom("foo")), 27999);
/// ```
pub fn phash2_27(term: &Term) -> u32 {
    hash2(term) & ((1 << 27) - 1)
}

/// The full 32-bit `make_hash2` of `term`, which is `erlang:phash2(Term, 1 bsl 32)`.
///
/// Integers, atoms, binaries, tuples and lists hash exactly as on the BEAM. otpsim's
/// own hashes for the rest, stable across runs and machines but matching nothing in
/// OTP: a pid is hashed as the BEAM hashes a local pid whose number is the spawn serial,
/// a reference as a local reference whose first word is the low 32 bits of its counter,
/// and a fun as an external fun `fun Name:Name/0`.
pub fn hash2(term: &Term) -> u32 {
    let mut hash: u32 = 0;
    // The BEAM walks the term with an explicit stack too; ours also keeps deep terms
    // from overflowing the Rust stack.
    let mut stack: Vec<Item<'_>> = Vec::new();
    let mut current = Item::Term(term);
    loop {
        match current {
            Item::Term(Term::List(items)) => {
                current = Item::Tail(items);
                continue;
            }
            Item::Tail([]) => {
                if hash == 0 {
                    hash = NIL_FIRST;
                } else {
                    mix_one(&mut hash, NIL_DEF, HCONST_2);
                }
            }
            Item::Tail(cells) => {
                // Runs of small integers 0..=255 (strings) are packed four to a word.
                let mut packed_count = 0;
                let mut packed: u32 = 0;
                let mut i = 0;
                while let Some(byte) = cells.get(i).and_then(as_byte) {
                    packed = (packed << 8) + byte;
                    if packed_count == 3 {
                        mix_one(&mut hash, packed, HCONST_4);
                        packed_count = 0;
                        packed = 0;
                    } else {
                        packed_count += 1;
                    }
                    i += 1;
                }
                if packed_count > 0 {
                    mix_one(&mut hash, packed, HCONST_4);
                }
                // A cell whose head is not a byte: hash the head now, the tail after it;
                // no cell left: the tail is `[]`, hashed on the next turn.
                current = match cells.get(i) {
                    Some(head) => {
                        stack.push(Item::Tail(&cells[i + 1..]));
                        Item::Term(head)
                    }
                    None => Item::Tail(&[]),
                };
                continue;
            }
            Item::Term(Term::Tuple(elements)) => {
                mix_one(&mut hash, elements.len() as u32, HCONST_9);
                if let Some((first, rest)) = elements.split_first() {
                    stack.extend(rest.iter().rev().map(Item::Term));
                    current = Item::Term(first);
                    continue;
                }
            }
            Item::Term(Term::Atom(a)) => mix_atom(&mut hash, a.as_str()),
            Item::Term(Term::Int(i)) => mix_int(&mut hash, *i),
            Item::Term(Term::Bin(text)) => {
                let salt = HCONST_13.wrapping_add(hash);
                hash = if text.is_empty() {
                    salt
                } else {
                    block_hash(text.as_bytes(), salt)
                };
            }
            Item::Term(Term::Pid(p)) => mix_one(&mut hash, p.serial(), HCONST_5),
            Item::Term(Term::Ref(r)) => mix_one(&mut hash, r.0 as u32, HCONST_7),
            Item::Term(Term::Fun(f)) => {
                let name = atom_hash(f.name());
                mix(&mut hash, HCONST, HCONST.wrapping_add(name));
                mix_one(&mut hash, name, HCONST_14);
            }
        }
        match stack.pop() {
            Some(next) => current = next,
            None => return hash,
        }
    }
}

/// What the walk visits next: a whole term, or a list from some cell onwards (the
/// BEAM's cons cells; the empty slice is `[]`).
#[derive(Clone, Copy)]
enum Item<'a> {
    Term(&'a Term),
    Tail(&'a [Term]),
}

fn as_byte(term: &Term) -> Option<u32> {
    match term {
        Term::Int(i @ 0..=255) => Some(*i as u32),
        _ => None,
    }
}

fn mix_atom(hash: &mut u32, name: &str) {
    let value = atom_hash(name);
    if *hash == 0 {
        *hash = value;
    } else {
        mix_one(hash, value, HCONST_3);
    }
}

fn mix_int(hash: &mut u32, value: i64) {
    if (SSMALL28_MIN..=SSMALL28_MAX).contains(&value) {
        // SINT32_HASH: negatives are mixed twice, once as their magnitude.
        let y = value as i32;
        if y < 0 {
            mix_one(hash, y.wrapping_neg() as u32, HCONST);
        }
        mix_one(hash, y as u32, HCONST);
    } else {
        // Wider smalls and bignums below 2^64 agree: magnitude as two words, sign as salt.
        let salt = if value < 0 { HCONST_10 } else { HCONST_11 };
        let magnitude = value.unsigned_abs();
        mix_two(hash, magnitude as u32, (magnitude >> 32) as u32, salt);
    }
}

/// `UINT32_HASH(x, salt)`.
fn mix_one(hash: &mut u32, x: u32, salt: u32) {
    mix_two(hash, x, 0, salt);
}

/// `UINT32_HASH_2(x, y, salt)`.
fn mix_two(hash: &mut u32, x: u32, y: u32, salt: u32) {
    mix(hash, salt.wrapping_add(x), salt.wrapping_add(y));
}

/// Bob Jenkins' `MIX(a, b, c)` with `c` the running hash.
fn mix(c: &mut u32, mut a: u32, mut b: u32) {
    jenkins_mix(&mut a, &mut b, c);
}

fn jenkins_mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 13);
    *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 8);
    *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 13);
    *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 12);
    *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 16);
    *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 5);
    *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 3);
    *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 10);
    *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 15);
}

/// Jenkins' block hash over `bytes`, seeded with `initval` (`block_hash` in utils.c).
fn block_hash(bytes: &[u8], initval: u32) -> u32 {
    let word = |k: &[u8]| u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
    let (mut a, mut b, mut c) = (HCONST, HCONST, initval);
    let mut blocks = bytes.chunks_exact(12);
    for k in &mut blocks {
        a = a.wrapping_add(word(&k[0..4]));
        b = b.wrapping_add(word(&k[4..8]));
        c = c.wrapping_add(word(&k[8..12]));
        jenkins_mix(&mut a, &mut b, &mut c);
    }
    // The length is added to c's low byte, so the tail bytes for c start at bit 8.
    c = c.wrapping_add(bytes.len() as u32);
    for (i, &byte) in blocks.remainder().iter().enumerate() {
        let byte = u32::from(byte);
        match i {
            0..=3 => a = a.wrapping_add(byte << (8 * i)),
            4..=7 => b = b.wrapping_add(byte << (8 * (i - 4))),
            _ => c = c.wrapping_add(byte << (8 * (i - 7))),
        }
    }
    jenkins_mix(&mut a, &mut b, &mut c);
    c
}

/// The BEAM's atom hash: hashpjw over the UTF-8 name, where a two-byte sequence with
/// lead byte C2 or C3 counts as its Latin-1 character (kept so hashes did not change
/// when atoms became Unicode in OTP 20).
fn atom_hash(name: &str) -> u32 {
    let bytes = name.as_bytes();
    let mut h: u32 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let mut v = bytes[i];
        i += 1;
        if let Some(&next) = bytes.get(i) {
            if v & 0xfe == 0xc2 && next & 0xc0 == 0x80 {
                v = (v << 6) | (next & 0x3f);
                i += 1;
            }
        }
        h = (h << 4).wrapping_add(u32::from(v));
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
            h ^= g;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_atoms_hash_like_their_latin1_bytes() {
        // 'é' is C3 A9 in UTF-8 and 0xE9 in Latin-1: the hash must use 0xE9.
        assert_eq!(atom_hash("é"), 0xe9);
        assert_eq!(atom_hash("ab"), (u32::from(b'a') << 4) + u32::from(b'b'));
    }

    #[test]
    #[should_panic(expected = "badarg")]
    fn range_zero_is_badarg() {
        phash2(&Term::Int(1), 0);
    }
}
