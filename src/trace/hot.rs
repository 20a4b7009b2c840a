//! Borrowed views of the two events every message makes (`send` and `recv`), for the
//! kernel's hot path: hashing a view needs no clone of the message and no `EventKind`
//! to build and drop. A view serializes exactly as the owned event does (serde's
//! internally tagged layout: a struct whose first field is `kind`), so the fingerprint
//! cannot tell them apart; the tests below hold that.

use crate::term::{Atom, Pid, Term};
use serde::ser::{Serialize, SerializeStruct, Serializer};

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

    fn same<V: Serialize>(view: &V, owned: EventKind) {
        let mut a = Fingerprinter::new();
        a.add_view(5, 9, view);
        let mut b = Fingerprinter::new();
        b.add_parts(5, 9, &owned);
        assert_eq!(a.value(), b.value());
        assert_eq!(
            serde_json::to_value(view).ok(),
            serde_json::to_value(&owned).ok()
        );
    }

    proptest! {
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
