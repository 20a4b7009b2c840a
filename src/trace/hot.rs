//! Borrowed views of the two events every message makes (`send` and `recv`), for the
//! kernel's hot path: hashing a view needs no clone of the message and no `EventKind`
//! to build and drop. A view serializes exactly as the owned event does (serde's
//! internally tagged layout: a struct whose first field is `kind`), so the fingerprint
//! cannot tell them apart; the tests below hold that.

use super::Fingerprinter;
use crate::term::{Atom, Pid, Term};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// A view the fingerprint can hash without serde. `hash_fast` returns false, having
/// hashed nothing, when the view's contents need the serde path.
pub(crate) trait HotView: Serialize {
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool;
}

impl HotView for SendView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_send_fast(t, seq, self)
    }
}

impl HotView for RecvView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_recv_fast(t, seq, self)
    }
}

/// `EventKind::Send` by reference.
pub struct SendView<'a> {
    /// The sender.
    pub from: Option<Pid>,
    /// The destination as named.
    pub to: &'a Term,
    /// The message.
    pub msg: &'a Term,
    /// Set when the send failed.
    pub outcome: Option<&'a Atom>,
}

impl Serialize for SendView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Send", 4 + usize::from(self.outcome.is_some()))?;
        st.serialize_field("kind", "send")?;
        st.serialize_field("from", &self.from)?;
        st.serialize_field("to", self.to)?;
        st.serialize_field("msg", self.msg)?;
        // The owned field is an Option that serde skips when None; present, it is
        // written as an Option too.
        if self.outcome.is_some() {
            st.serialize_field("outcome", &self.outcome)?;
        }
        st.end()
    }
}

/// `EventKind::Recv` by reference.
pub struct RecvView<'a> {
    /// The receiver.
    pub pid: Pid,
    /// The message.
    pub msg: &'a Term,
}

impl Serialize for RecvView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Recv", 3)?;
        st.serialize_field("kind", "recv")?;
        st.serialize_field("pid", &self.pid)?;
        st.serialize_field("msg", self.msg)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::strategy::{pid, term};
    use crate::trace::{EventKind, Fingerprinter};
    use proptest::prelude::*;

    fn same<V: HotView>(view: &V, owned: EventKind) {
        // The fast path, the serde path of the view, and the owned event: one value.
        // Prime the lanes with a word count that is not a multiple of four first.
        let start = |f: &mut Fingerprinter| {
            f.add_parts(
                1,
                2,
                &EventKind::TrapExit {
                    pid: Pid::from_parts(0, 1),
                    on: true,
                },
            )
        };
        let (mut a, mut b, mut c) = (
            Fingerprinter::new(),
            Fingerprinter::new(),
            Fingerprinter::new(),
        );
        for f in [&mut a, &mut b, &mut c] {
            start(f);
        }
        a.add_view(5, 9, view);
        b.add_view_serde(5, 9, view);
        c.add_parts(5, 9, &owned);
        assert_eq!(a.value(), c.value());
        assert_eq!(b.value(), c.value());
        assert_eq!(
            serde_json::to_value(view).ok(),
            serde_json::to_value(&owned).ok()
        );
    }

    /// Terms the fast path writes itself, with atoms on both sides of its 8-byte limit
    /// and integers on both sides of the one-word encoding's range.
    fn simple_term() -> impl Strategy<Value = Term> {
        prop_oneof![
            any::<i64>().prop_map(Term::Int),
            prop_oneof![
                Just(1i64 << 55),
                Just(-(1i64 << 55)),
                Just((1i64 << 55) - 1),
                Just(-(1i64 << 55) - 1)
            ]
            .prop_map(Term::Int),
            pid().prop_map(Term::Pid),
            "[a-z_]{0,10}".prop_map(|n| Term::atom_owned(&n)),
            any::<u64>().prop_map(|r| Term::Ref(crate::term::Ref(r))),
            prop::collection::vec(leaf(), 0..10).prop_map(Term::tuple),
            prop::collection::vec(leaf(), 0..10).prop_map(Term::list),
            prop::collection::vec(term(), 0..4).prop_map(Term::tuple),
        ]
    }

    fn leaf() -> impl Strategy<Value = Term> {
        prop_oneof![
            any::<i64>().prop_map(Term::Int),
            pid().prop_map(Term::Pid),
            "[a-zA-Z_]{0,10}".prop_map(|n| Term::atom_owned(&n)),
            any::<u64>().prop_map(|r| Term::Ref(crate::term::Ref(r))),
        ]
    }

    proptest! {
        #[test]
        fn fast_path_hashes_like_serde(from in proptest::option::of(pid()), to in simple_term(), msg in simple_term(), p in pid(), t in prop_oneof![Just(u64::MAX), any::<u64>(), 0u64..1000]) {
            same(
                &SendView { from, to: &to, msg: &msg, outcome: None },
                EventKind::Send { from, to: to.clone(), msg: msg.clone(), outcome: None },
            );
            same(&RecvView { pid: p, msg: &msg }, EventKind::Recv { pid: p, msg: msg.clone() });
            let mut a = Fingerprinter::new();
            a.add_view(t, t, &RecvView { pid: p, msg: &msg });
            let mut b = Fingerprinter::new();
            b.add_parts(t, t, &EventKind::Recv { pid: p, msg: msg.clone() });
            prop_assert_eq!(a.value(), b.value());
        }

        #[test]
        fn views_hash_and_print_like_owned_events(from in proptest::option::of(pid()), to in term(), msg in term(), p in pid(), failed in any::<bool>()) {
            let outcome = failed.then(|| Atom::from_static("badarg"));
            same(
                &SendView { from, to: &to, msg: &msg, outcome: outcome.as_ref() },
                EventKind::Send { from, to: to.clone(), msg: msg.clone(), outcome: outcome.clone() },
            );
            same(&RecvView { pid: p, msg: &msg }, EventKind::Recv { pid: p, msg: msg.clone() });
        }
    }
}
