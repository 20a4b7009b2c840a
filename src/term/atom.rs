//! Atoms: static names cost nothing, run-time names are interned once per thread.

use std::cell::RefCell;
use std::collections::BTreeMap;

/// An atom. Compares, orders and hashes by its name, so two atoms with the same name
/// are equal however they were made.
///
/// One word pair: the name as a `&'static str`. Names known only at run time are
/// interned once per thread and never freed, as the BEAM's atom table never frees an
/// atom (ADR 005); this keeps [`crate::term::Term`] at three words.
#[derive(Clone)]
pub struct Atom(&'static str);

thread_local! {
    /// Run-time atom names, each leaked once: the set of distinct names a program
    /// makes is small (ids, names, reasons), as on the BEAM. Keyed by a fixed hash of
    /// the name so a lookup compares integers, not strings (a supervisor interns its
    /// children's paths on every restart); the buckets hold the rare collisions.
    static INTERNED: RefCell<BTreeMap<u64, Vec<&'static str>>> = const { RefCell::new(BTreeMap::new()) };
}

/// FNV-1a: fixed across runs and machines (the interner's order never shows anyway).
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Atom {
    /// An atom from a name fixed at compile time; no allocation.
    pub const fn from_static(name: &'static str) -> Atom {
        Atom(name)
    }

    /// An atom from a name known at run time (interned: the first use of a name
    /// allocates, later ones only look it up).
    pub fn new(name: &str) -> Atom {
        INTERNED.with(|map| {
            let mut map = map.borrow_mut();
            let bucket = map.entry(name_hash(name)).or_default();
            if let Some(&known) = bucket.iter().find(|k| **k == name) {
                return Atom(known);
            }
            let leaked: &'static str = Box::leak(name.into());
            bucket.push(leaked);
            Atom(leaked)
        })
    }

    /// The atom's name.
    pub fn as_str(&self) -> &str {
        self.0
    }
}

impl std::fmt::Debug for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Atom({:?})", self.0)
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Atom) -> bool {
        // The same literal or the same interned name is the same pointer.
        std::ptr::eq(self.0, other.0) || self.0 == other.0
    }
}
impl Eq for Atom {}
impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Atom) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Atom {
    fn cmp(&self, other: &Atom) -> std::cmp::Ordering {
        if std::ptr::eq(self.0, other.0) {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

/// Atoms order as their names do, so a map keyed by atoms can be searched by `&str`.
impl std::borrow::Borrow<str> for Atom {
    fn borrow(&self) -> &str {
        self.0
    }
}
impl std::hash::Hash for Atom {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}
/// Interns the name, as [`Atom::new`].
impl From<&str> for Atom {
    fn from(name: &str) -> Atom {
        Atom::new(name)
    }
}

/// Interns the name, as [`Atom::new`].
impl From<String> for Atom {
    fn from(name: String) -> Atom {
        Atom::new(&name)
    }
}

impl std::fmt::Display for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
