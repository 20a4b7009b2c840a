//! Borrowed views of the events every process death makes: its `exit`, the exit
//! signals to its links (`exit_signal`, `exit_signal_handled`) and its monitors'
//! `down`s. Same contract as the message views: a view hashes and prints exactly as
//! its owned event.

use super::{HotView, Sealed};
use crate::term::{Pid, Ref, Term};
use crate::trace::{Fingerprinter, SignalOutcome, Via};
use serde::ser::{Serialize, SerializeStruct, Serializer};

impl Sealed for ExitView<'_> {}
impl Sealed for ExitSignalView<'_> {}
impl Sealed for ExitSignalHandledView<'_> {}
impl Sealed for DownView<'_> {}

/// `EventKind::Exit` by reference.
pub struct ExitView<'a> {
    /// The process that terminated.
    pub pid: Pid,
    /// Its exit reason.
    pub reason: &'a Term,
}

impl Serialize for ExitView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Exit", 3)?;
        st.serialize_field("kind", "exit")?;
        st.serialize_field("pid", &self.pid)?;
        st.serialize_field("reason", self.reason)?;
        st.end()
    }
}

impl HotView for ExitView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_exit_fast(t, seq, self)
    }
}

/// `EventKind::ExitSignal` by reference.
pub struct ExitSignalView<'a> {
    /// The sender.
    pub from: Pid,
    /// The receiver.
    pub to: Pid,
    /// The reason carried.
    pub reason: &'a Term,
    /// How it was sent.
    pub via: Via,
}

impl Serialize for ExitSignalView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ExitSignal", 5)?;
        st.serialize_field("kind", "exit_signal")?;
        st.serialize_field("from", &self.from)?;
        st.serialize_field("to", &self.to)?;
        st.serialize_field("reason", self.reason)?;
        st.serialize_field("via", &self.via)?;
        st.end()
    }
}

impl HotView for ExitSignalView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_exit_signal_fast(t, seq, self)
    }
}

/// `EventKind::ExitSignalHandled` by reference.
pub struct ExitSignalHandledView<'a> {
    /// The receiver.
    pub to: Pid,
    /// The sender.
    pub from: Pid,
    /// The reason carried.
    pub reason: &'a Term,
    /// What the receiver did.
    pub outcome: SignalOutcome,
}

impl Serialize for ExitSignalHandledView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ExitSignalHandled", 5)?;
        st.serialize_field("kind", "exit_signal_handled")?;
        st.serialize_field("to", &self.to)?;
        st.serialize_field("from", &self.from)?;
        st.serialize_field("reason", self.reason)?;
        st.serialize_field("outcome", &self.outcome)?;
        st.end()
    }
}

impl HotView for ExitSignalHandledView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_exit_signal_handled_fast(t, seq, self)
    }
}

/// `EventKind::Down` by reference.
pub struct DownView<'a> {
    /// Who held the monitor.
    pub watcher: Pid,
    /// What was monitored.
    pub target: &'a Term,
    /// The monitor reference.
    pub mref: Ref,
    /// The exit reason.
    pub reason: &'a Term,
}

impl Serialize for DownView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Down", 5)?;
        st.serialize_field("kind", "down")?;
        st.serialize_field("watcher", &self.watcher)?;
        st.serialize_field("target", self.target)?;
        st.serialize_field("ref", &self.mref)?;
        st.serialize_field("reason", self.reason)?;
        st.end()
    }
}

impl HotView for DownView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_down_fast(t, seq, self)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{same, simple_term};
    use super::*;
    use crate::term::strategy::{pid, term};
    use crate::term::Atom;
    use crate::trace::EventKind;
    use proptest::prelude::*;

    const VIAS: [Via; 2] = [Via::Link, Via::ExitCall];
    const OUTCOMES: [SignalOutcome; 4] = [
        SignalOutcome::Ignored,
        SignalOutcome::Trapped,
        SignalOutcome::KilledReceiver,
        SignalOutcome::AlreadyExiting,
    ];

    fn all_views(a: Pid, b: Pid, r: u64, x: &Term, y: &Term) {
        same(
            &ExitView { pid: a, reason: x },
            EventKind::Exit {
                pid: a,
                reason: x.clone(),
            },
        );
        for via in VIAS {
            same(
                &ExitSignalView {
                    from: a,
                    to: b,
                    reason: x,
                    via,
                },
                EventKind::ExitSignal {
                    from: a,
                    to: b,
                    reason: x.clone(),
                    via,
                },
            );
        }
        for outcome in OUTCOMES {
            same(
                &ExitSignalHandledView {
                    to: b,
                    from: a,
                    reason: y,
                    outcome,
                },
                EventKind::ExitSignalHandled {
                    to: b,
                    from: a,
                    reason: y.clone(),
                    outcome,
                },
            );
        }
        let mref = Ref(r);
        same(
            &DownView {
                watcher: a,
                target: x,
                mref,
                reason: y,
            },
            EventKind::Down {
                watcher: a,
                target: x.clone(),
                mref,
                reason: y.clone(),
            },
        );
    }

    /// True when `view` takes the register-resident path (not serde's).
    fn takes_fast_path<V: HotView>(view: &V) -> bool {
        view.hash_fast(&mut crate::trace::Fingerprinter::new(), 1, 2)
    }

    proptest! {
        #[test]
        fn death_views_hash_like_serde_on_the_fast_path(a in pid(), b in pid(), r in any::<u64>(), x in simple_term(), y in simple_term()) {
            all_views(a, b, r, &x, &y);
            // A message-shaped term the fast path writes itself; `x` and `y` may not be.
            let plain = Term::tuple_of([Term::Atom(Atom::from_static("EXIT")), Term::Pid(a), Term::Int(7)]);
            let fast = takes_fast_path(&ExitView { pid: a, reason: &plain });
            prop_assert!(fast);
            let fast = takes_fast_path(&ExitSignalView { from: a, to: b, reason: &plain, via: Via::Link });
            prop_assert!(fast);
            let fast = takes_fast_path(&ExitSignalHandledView { to: b, from: a, reason: &plain, outcome: SignalOutcome::Trapped });
            prop_assert!(fast);
            let fast = takes_fast_path(&DownView { watcher: a, target: &plain, mref: Ref(r), reason: &plain });
            prop_assert!(fast);
        }

        #[test]
        fn death_views_hash_and_print_like_owned_events(a in pid(), b in pid(), r in any::<u64>(), x in term(), y in term()) {
            all_views(a, b, r, &x, &y);
        }
    }
}
