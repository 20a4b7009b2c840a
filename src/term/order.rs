//! Erlang's standard term order: number < atom < reference < fun < pid < tuple < list <
//! binary.
//! Tuples compare by size first, then element by element; lists lexicographically.

use super::Term;
use std::cmp::Ordering;

fn rank(t: &Term) -> u8 {
    match t {
        Term::Int(_) => 0,
        Term::Atom(_) => 1,
        Term::Ref(_) => 2,
        Term::Fun(_) => 3,
        Term::Pid(_) => 4,
        Term::Tuple(_) => 5,
        Term::List(_) => 6,
        Term::Bin(_) => 7,
    }
}

impl Ord for Term {
    fn cmp(&self, other: &Term) -> Ordering {
        match (self, other) {
            (Term::Int(a), Term::Int(b)) => a.cmp(b),
            (Term::Atom(a), Term::Atom(b)) => a.cmp(b),
            (Term::Ref(a), Term::Ref(b)) => a.cmp(b),
            (Term::Pid(a), Term::Pid(b)) => a.cmp(b),
            (Term::Tuple(a), Term::Tuple(b)) => {
                a.len().cmp(&b.len()).then_with(|| a.iter().cmp(b.iter()))
            }
            (Term::List(a), Term::List(b)) => a.iter().cmp(b.iter()),
            (Term::Bin(a), Term::Bin(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Term::Fun(a), Term::Fun(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}
impl PartialOrd for Term {
    fn partial_cmp(&self, other: &Term) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Term {
    fn eq(&self, other: &Term) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Term {}

#[cfg(test)]
mod tests {
    use crate::term::{atom, Term};

    #[test]
    fn follows_erlang_term_order() {
        let mut v = [
            Term::bin("b"),
            Term::list([]),
            Term::tuple_of([Term::Int(1), Term::Int(2)]),
            Term::tuple_of([Term::Int(9)]),
            atom("a"),
            Term::Int(3),
        ];
        v.sort();
        assert_eq!(v[0], Term::Int(3));
        assert_eq!(v[1], atom("a"));
        assert_eq!(v[2], Term::tuple_of([Term::Int(9)]));
        assert_eq!(v[5], Term::bin("b"));
    }
}
