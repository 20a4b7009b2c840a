//! Atoms without an interner: static names cost nothing, run-time names share an `Rc`.

use std::rc::Rc;

/// An atom. Compares, orders and hashes by its name, so two atoms with the same name
/// are equal however they were made.
#[derive(Clone, Debug)]
pub struct Atom(Repr);

#[derive(Clone, Debug)]
enum Repr {
    Static(&'static str),
    Shared(Rc<str>),
}

impl Atom {
    /// An atom from a name fixed at compile time; no allocation.
    pub const fn from_static(name: &'static str) -> Atom {
        Atom(Repr::Static(name))
    }

    /// An atom from a name known at run time.
    pub fn new(name: &str) -> Atom {
        Atom(Repr::Shared(Rc::from(name)))
    }

    /// The atom's name.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Shared(s) => s,
        }
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Atom) -> bool {
        self.as_str() == other.as_str()
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
        self.as_str().cmp(other.as_str())
    }
}
impl std::hash::Hash for Atom {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}
impl std::fmt::Display for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
