//! proptest strategies for terms, shared by the unit tests of `term` and `trace`.

use super::{Pid, Ref, Term};
use proptest::prelude::*;

/// Atom names: mostly ones that print bare, plus the awkward ones that need quotes and
/// escapes (quotes, backslashes, control characters, any unicode).
pub(crate) fn atom_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-zA-Z0-9_@]{0,8}",
        1 => "['\\\\\"a-zA-Z \n\t\r]{0,6}",
        1 => any::<String>(),
    ]
}

/// Pids with any slot: only the serial survives printing, and only the serial counts.
pub(crate) fn pid() -> impl Strategy<Value = Pid> {
    (any::<u32>(), any::<u32>()).prop_map(|(slot, serial)| Pid::from_parts(slot, serial))
}

/// Terms nested at most 4 deep.
pub(crate) fn term() -> impl Strategy<Value = Term> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Term::Int),
        atom_name().prop_map(|n| Term::atom_owned(&n)),
        any::<u64>().prop_map(|n| Term::Ref(Ref(n))),
        pid().prop_map(Term::Pid),
        any::<String>().prop_map(|s| Term::bin(&s)),
        "['\\\\\"a-z\n]{0,6}".prop_map(|s| Term::bin(&s)),
        "[a-z][a-z0-9_.:/-]{0,10}".prop_map(|n| Term::Fun(super::Fun::named(&n))),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Term::tuple),
            prop::collection::vec(inner, 0..5).prop_map(Term::list),
        ]
    })
}
