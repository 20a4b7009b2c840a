//! Borrowed views of the two events every message makes (`send` and `recv`), for the
//! kernel's hot path: hashing a view needs no clone of the message and no `EventKind`
//! to build and drop. A view serializes exactly as the owned event does (serde's
//! internally tagged layout: a struct whose first field is `kind`), so the fingerprint
//! cannot tell them apart; the tests below hold that.

use super::Fingerprinter;
use crate::term::{Atom, Pid, Ref, Term};
use serde::ser::{Serialize, SerializeStruct, Serializer};

mod sealed {
    pub trait Sealed {}
}
use sealed::Sealed;

mod signals;
mod supervision;
pub use signals::{DownView, ExitSignalHandledView, ExitSignalView, ExitView};
pub use supervision::{
    ChildDownView, ChildShutdownView, ChildStartView, InitResultView, SpawnView, StartResultView,
};

/// A borrowed view of an event that the fingerprint can hash without cloning, and
/// often without serde. Implemented only by this module's views.
pub trait HotView: Serialize + sealed::Sealed {
    /// Hashes `(t, seq, self)` on the fast path; false, having hashed nothing, when the
    /// view's contents need the serde path.
    #[doc(hidden)]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool;
}

impl sealed::Sealed for SendView<'_> {}
impl sealed::Sealed for RecvView<'_> {}
impl sealed::Sealed for CallView<'_> {}
impl sealed::Sealed for HandleView<'_> {}
impl sealed::Sealed for ReplyView<'_> {}

/// `EventKind::Call` by reference.
pub struct CallView<'a> {
    /// The client.
    pub caller: Pid,
    /// The server.
    pub server: Pid,
    /// The call tag.
    pub tag: Ref,
    /// The request.
    pub request: &'a Term,
    /// The timeout term.
    pub timeout: &'a Term,
}

impl Serialize for CallView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Call", 6)?;
        st.serialize_field("kind", "call")?;
        st.serialize_field("caller", &self.caller)?;
        st.serialize_field("server", &self.server)?;
        st.serialize_field("tag", &self.tag)?;
        st.serialize_field("request", self.request)?;
        st.serialize_field("timeout", self.timeout)?;
        st.end()
    }
}

impl HotView for CallView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_call_fast(t, seq, self)
    }
}

/// `EventKind::Handle` by reference.
pub struct HandleView<'a> {
    /// The server.
    pub pid: Pid,
    /// Which callback.
    pub callback: &'a Atom,
    /// The request or message.
    pub message: &'a Term,
}

impl Serialize for HandleView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Handle", 4)?;
        st.serialize_field("kind", "handle")?;
        st.serialize_field("pid", &self.pid)?;
        st.serialize_field("callback", self.callback)?;
        st.serialize_field("message", self.message)?;
        st.end()
    }
}

impl HotView for HandleView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_handle_fast(t, seq, self)
    }
}

/// `EventKind::Reply` by reference.
pub struct ReplyView<'a> {
    /// The server.
    pub server: Pid,
    /// The client.
    pub caller: Pid,
    /// The call tag.
    pub tag: Ref,
    /// The reply.
    pub value: &'a Term,
}

impl Serialize for ReplyView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Reply", 5)?;
        st.serialize_field("kind", "reply")?;
        st.serialize_field("server", &self.server)?;
        st.serialize_field("caller", &self.caller)?;
        st.serialize_field("tag", &self.tag)?;
        st.serialize_field("value", self.value)?;
        st.end()
    }
}

impl HotView for ReplyView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_reply_fast(t, seq, self)
    }
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

    pub(super) fn same<V: HotView>(view: &V, owned: EventKind) {
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

    /// The gen_server views hash and print like their owned events, on both paths.
    fn gen_server_views(a: Pid, b: Pid, r: u64, x: &Term, y: &Term) {
        let tag = crate::term::Ref(r);
        same(
            &CallView {
                caller: a,
                server: b,
                tag,
                request: x,
                timeout: y,
            },
            EventKind::Call {
                caller: a,
                server: b,
                tag,
                request: x.clone(),
                timeout: y.clone(),
            },
        );
        same(
            &ReplyView {
                server: a,
                caller: b,
                tag,
                value: x,
            },
            EventKind::Reply {
                server: a,
                caller: b,
                tag,
                value: x.clone(),
            },
        );
        for callback in ["call", "info", "continue", "timeout_xyz"] {
            let callback = Atom::new(callback);
            same(
                &HandleView {
                    pid: a,
                    callback: &callback,
                    message: y,
                },
                EventKind::Handle {
                    pid: a,
                    callback: callback.clone(),
                    message: y.clone(),
                },
            );
        }
    }

    /// Terms the fast path writes itself, with atoms on both sides of the one-word
    /// and the 8-byte encodings (`brutal_kill` is longer) and integers on both sides of
    /// the one-word encoding's range.
    pub(super) fn simple_term() -> impl Strategy<Value = Term> {
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
            "[a-z_]{0,24}".prop_map(|n| Term::atom_owned(&n)),
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
            "[a-zA-Z_]{0,24}".prop_map(|n| Term::atom_owned(&n)),
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
            gen_server_views(p, from.unwrap_or(p), t, &to, &msg);
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
            gen_server_views(p, p, 7, &to, &msg);
        }
    }
}
