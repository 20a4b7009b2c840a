//! Erlang-like terms: the values that travel in messages, exit reasons and traces.
//!
//! OTP's fault-tolerance vocabulary is made of terms: `normal`, `{shutdown, Reason}`,
//! `{'EXIT', Pid, Reason}`, `{noproc, {gen_server, call, [...]}}`. otpsim keeps that
//! vocabulary as data so that traces read like OTP's, reasons compare exactly with
//! fixtures recorded from real OTP, and PartitionSupervisor can route keys with a
//! bit-exact `erlang:phash2`.
//!
//! Terms are cheap to clone: compound values share their payload through `Rc`.

mod atom;
mod display;
mod fun;
mod order;
mod phash2;
mod serde_impl;
#[cfg(test)]
pub(crate) mod strategy;
mod text;

pub use atom::Atom;
pub use fun::Fun;
pub use phash2::{hash2, phash2, phash2_27};
pub use text::{parse_term, TermParseError, MAX_PARSE_DEPTH};

use std::rc::Rc;

/// A process identifier: a slot in the process table plus the run-wide spawn serial.
///
/// The serial is unique for the whole run and never reused, so a dead pid never aliases
/// a new process; the slot makes lookups O(1). Pids order and compare by serial, which
/// is spawn order.
// Aligned as one word, so a pid is copied with one load and one store; two 4-byte
// halves written and then read as one word stall store forwarding.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(8))]
pub struct Pid {
    pub(crate) slot: u32,
    pub(crate) serial: u32,
}

impl Pid {
    /// The run-wide spawn serial (1 for the first process spawned, and so on).
    pub fn serial(self) -> u32 {
        self.serial
    }

    /// Builds a pid from its parts. Used by the trace reader; a pid made this way only
    /// names a live process if a kernel handed out the same parts.
    pub fn from_parts(slot: u32, serial: u32) -> Pid {
        Pid { slot, serial }
    }

    /// The slot index in the process table.
    pub fn slot(self) -> u32 {
        self.slot
    }
}

impl PartialEq for Pid {
    fn eq(&self, other: &Pid) -> bool {
        self.serial == other.serial
    }
}
impl Eq for Pid {}
impl PartialOrd for Pid {
    fn partial_cmp(&self, other: &Pid) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pid {
    fn cmp(&self, other: &Pid) -> std::cmp::Ordering {
        self.serial.cmp(&other.serial)
    }
}
impl std::hash::Hash for Pid {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.serial.hash(state)
    }
}

/// A unique reference (`make_ref()`), used for monitors, timers, aliases and call tags.
/// References are numbered in creation order within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref(pub u64);

/// An Erlang-like term.
// A whole word for the tag, so every payload starts at offset 8: otherwise a pid's
// first half shares the tag's word, and the wide loads that copy a term stall on
// the narrow stores that built it (store forwarding fails).
#[derive(Clone, Debug)]
#[repr(u64)]
pub enum Term {
    /// An integer (Erlang integers are unbounded; otpsim's fit in 64 bits).
    Int(i64),
    /// An atom such as `normal` or `shutdown`.
    Atom(Atom),
    /// A reference.
    Ref(Ref),
    /// A process identifier.
    Pid(Pid),
    /// A tuple `{A, B, ...}`.
    Tuple(Rc<[Term]>),
    /// A proper list `[A, B, ...]`.
    List(Rc<[Term]>),
    /// A binary holding UTF-8 text (`<<"text">>`, an Elixir string).
    Bin(Rc<str>),
    /// A fun: a Rust value carried in a message (see [`Fun`]).
    Fun(Fun),
}

/// Builds an atom term from a static name: `atom("normal")`.
pub fn atom(name: &'static str) -> Term {
    Term::Atom(Atom::from_static(name))
}

impl Term {
    /// The atom `normal`.
    pub const NORMAL: Term = Term::Atom(Atom::from_static("normal"));
    /// The atom `ok`.
    pub const OK: Term = Term::Atom(Atom::from_static("ok"));
    /// The atom `kill`.
    pub const KILL: Term = Term::Atom(Atom::from_static("kill"));
    /// The atom `killed`.
    pub const KILLED: Term = Term::Atom(Atom::from_static("killed"));
    /// The atom `shutdown`.
    pub const SHUTDOWN: Term = Term::Atom(Atom::from_static("shutdown"));
    /// The atom `noproc`.
    pub const NOPROC: Term = Term::Atom(Atom::from_static("noproc"));
    /// The atom `timeout`.
    pub const TIMEOUT: Term = Term::Atom(Atom::from_static("timeout"));
    /// The atom `true`.
    pub const TRUE: Term = Term::Atom(Atom::from_static("true"));
    /// The atom `false`.
    pub const FALSE: Term = Term::Atom(Atom::from_static("false"));
    /// The atom `undefined`.
    pub const UNDEFINED: Term = Term::Atom(Atom::from_static("undefined"));

    /// An atom with a name known only at run time.
    pub fn atom_owned(name: &str) -> Term {
        Term::Atom(Atom::new(name))
    }

    /// A tuple of the given elements.
    pub fn tuple<I: IntoIterator<Item = Term>>(items: I) -> Term {
        Term::Tuple(items.into_iter().collect())
    }

    /// A tuple of a fixed number of elements: `Term::tuple_of([atom("ok"), x])`. The
    /// same term as [`Term::tuple`] gives, built with one copy of the array instead of
    /// element by element (tuples are built on every call, reply and exit signal).
    pub fn tuple_of<const N: usize>(items: [Term; N]) -> Term {
        Term::Tuple(Rc::new(items))
    }

    /// A proper list of the given elements.
    pub fn list<I: IntoIterator<Item = Term>>(items: I) -> Term {
        Term::List(items.into_iter().collect())
    }

    /// A binary holding `text`.
    pub fn bin(text: &str) -> Term {
        Term::Bin(Rc::from(text))
    }

    /// `{Tag, Value}` with an atom tag, the commonest shape in OTP (`{shutdown, x}`).
    pub fn tagged(tag: &'static str, value: Term) -> Term {
        Term::tuple_of([atom(tag), value])
    }

    /// True when this term is the atom `name`.
    pub fn is_atom(&self, name: &str) -> bool {
        matches!(self, Term::Atom(a) if a.as_str() == name)
    }

    /// The atom's name, if this is an atom.
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Term::Atom(a) => Some(a.as_str()),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Term::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The pid, if this is one.
    pub fn as_pid(&self) -> Option<Pid> {
        match self {
            Term::Pid(p) => Some(*p),
            _ => None,
        }
    }

    /// The reference, if this is one.
    pub fn as_ref(&self) -> Option<Ref> {
        match self {
            Term::Ref(r) => Some(*r),
            _ => None,
        }
    }

    /// The elements, if this is a tuple.
    pub fn as_tuple(&self) -> Option<&[Term]> {
        match self {
            Term::Tuple(t) => Some(t),
            _ => None,
        }
    }

    /// The elements, if this is a list.
    pub fn as_list(&self) -> Option<&[Term]> {
        match self {
            Term::List(l) => Some(l),
            _ => None,
        }
    }

    /// The fun, if this is one.
    pub fn as_fun(&self) -> Option<&Fun> {
        match self {
            Term::Fun(f) => Some(f),
            _ => None,
        }
    }

    /// A fun term called `name` carrying `payload`.
    pub fn fun<T: 'static>(name: &str, payload: T) -> Term {
        Term::Fun(Fun::new(name, payload))
    }

    /// The text, if this is a binary.
    pub fn as_bin(&self) -> Option<&str> {
        match self {
            Term::Bin(b) => Some(b),
            _ => None,
        }
    }

    /// The first element's atom name when this is a tuple starting with an atom.
    pub fn tag(&self) -> Option<&str> {
        self.as_tuple()?.first()?.as_atom()
    }

    /// True for the reasons OTP's behaviours treat as clean (SIG-4): `normal`,
    /// `shutdown` and `{shutdown, _}`.
    pub fn is_clean_exit(&self) -> bool {
        self.is_atom("normal") || self.is_atom("shutdown") || self.is_shutdown_tuple()
    }

    /// True for `{shutdown, _}`.
    pub fn is_shutdown_tuple(&self) -> bool {
        matches!(self.as_tuple(), Some([tag, _]) if tag.is_atom("shutdown"))
    }
}

impl From<i64> for Term {
    fn from(i: i64) -> Term {
        Term::Int(i)
    }
}
impl From<Pid> for Term {
    fn from(p: Pid) -> Term {
        Term::Pid(p)
    }
}
impl From<Ref> for Term {
    fn from(r: Ref) -> Term {
        Term::Ref(r)
    }
}
impl From<Atom> for Term {
    fn from(a: Atom) -> Term {
        Term::Atom(a)
    }
}
impl From<bool> for Term {
    fn from(b: bool) -> Term {
        if b {
            Term::TRUE
        } else {
            Term::FALSE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_is_three_words() {
        // Every message, tuple element and event field is a Term: keep it small.
        assert_eq!(std::mem::size_of::<Term>(), 24);
        assert_eq!(std::mem::size_of::<Pid>(), 8);
        assert_eq!(std::mem::align_of::<Pid>(), 8);
        assert_eq!(std::mem::size_of::<Atom>(), 16);
    }

    #[test]
    fn run_time_atoms_equal_static_ones_and_are_interned_once() {
        let a = Atom::new("otpsim_interned_probe");
        let b = Atom::new(&String::from("otpsim_interned_probe"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_eq!(Atom::new("normal"), Atom::from_static("normal"));
        assert_eq!(
            Term::tuple_of([Term::OK, Term::Int(1)]),
            Term::tuple([Term::OK, Term::Int(1)])
        );
    }

    #[test]
    fn clean_exit_reasons_follow_sig4() {
        assert!(Term::NORMAL.is_clean_exit());
        assert!(Term::SHUTDOWN.is_clean_exit());
        assert!(Term::tagged("shutdown", atom("db_down")).is_clean_exit());
        assert!(!Term::KILLED.is_clean_exit());
        assert!(!atom("boom").is_clean_exit());
    }

    #[test]
    fn pids_compare_by_serial() {
        let a = Pid::from_parts(3, 10);
        let b = Pid::from_parts(0, 11);
        assert!(a < b);
        assert_ne!(a, Pid::from_parts(3, 12));
    }
}
