//! Borrowed views of the events every supervised start and shutdown makes: the
//! kernel's `spawn`, the gen_server's `init_result` and `start_result`, and the
//! supervisor's `child_start`, `child_shutdown` and `child_down`. Same contract as the
//! other views: a view hashes and prints exactly as its owned event.

use super::{HotView, Sealed};
use crate::term::{Atom, Pid, Term};
use crate::trace::Fingerprinter;
use serde::ser::{Serialize, SerializeStruct, Serializer};

impl Sealed for SpawnView<'_> {}
impl Sealed for InitResultView<'_> {}
impl Sealed for StartResultView<'_> {}
impl Sealed for ChildStartView<'_> {}
impl Sealed for ChildShutdownView<'_> {}
impl Sealed for ChildDownView<'_> {}

/// `EventKind::Spawn` by reference.
pub struct SpawnView<'a> {
    /// The spawning process.
    pub parent: Option<Pid>,
    /// The new process.
    pub child: Pid,
    /// Linked to the parent at spawn.
    pub linked: bool,
    /// Monitored by the parent at spawn.
    pub monitored: bool,
    /// Its label, if any.
    pub label: Option<&'a str>,
}

impl Serialize for SpawnView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = 5 + usize::from(self.label.is_some());
        let mut st = s.serialize_struct("Spawn", fields)?;
        st.serialize_field("kind", "spawn")?;
        st.serialize_field("parent", &self.parent)?;
        st.serialize_field("child", &self.child)?;
        st.serialize_field("linked", &self.linked)?;
        st.serialize_field("monitored", &self.monitored)?;
        // The owned field is an Option serde skips when None.
        if self.label.is_some() {
            st.serialize_field("label", &self.label)?;
        }
        st.end()
    }
}

impl HotView for SpawnView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_spawn_fast(t, seq, self)
    }
}

/// `EventKind::InitResult` by reference.
pub struct InitResultView<'a> {
    /// The server.
    pub pid: Pid,
    /// Which kind of result.
    pub result: &'a Atom,
    /// The stop or crash reason, when there is one.
    pub reason: Option<&'a Term>,
}

impl Serialize for InitResultView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = 3 + usize::from(self.reason.is_some());
        let mut st = s.serialize_struct("InitResult", fields)?;
        st.serialize_field("kind", "init_result")?;
        st.serialize_field("pid", &self.pid)?;
        st.serialize_field("result", self.result)?;
        if self.reason.is_some() {
            st.serialize_field("reason", &self.reason)?;
        }
        st.end()
    }
}

impl HotView for InitResultView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_init_result_fast(t, seq, self)
    }
}

/// `EventKind::StartResult` by reference.
pub struct StartResultView<'a> {
    /// The starting process.
    pub caller: Pid,
    /// The server process.
    pub pid: Pid,
    /// `{ok,Pid}`, `ignore` or `{error,R}`.
    pub value: &'a Term,
}

impl Serialize for StartResultView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("StartResult", 4)?;
        st.serialize_field("kind", "start_result")?;
        st.serialize_field("caller", &self.caller)?;
        st.serialize_field("pid", &self.pid)?;
        st.serialize_field("value", self.value)?;
        st.end()
    }
}

impl HotView for StartResultView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_start_result_fast(t, seq, self)
    }
}

/// `EventKind::ChildStart` by reference.
pub struct ChildStartView<'a> {
    /// The supervisor.
    pub sup: Pid,
    /// The child id.
    pub id: &'a Term,
    /// The new process, when one was started.
    pub pid: Option<Pid>,
    /// `ok`, `ignore` or `{error, R}`.
    pub result: &'a Term,
    /// Why: `start`, `restart` or another cause.
    pub cause: &'a Atom,
}

impl Serialize for ChildStartView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = 5 + usize::from(self.pid.is_some());
        let mut st = s.serialize_struct("ChildStart", fields)?;
        st.serialize_field("kind", "child_start")?;
        st.serialize_field("sup", &self.sup)?;
        st.serialize_field("id", self.id)?;
        if self.pid.is_some() {
            st.serialize_field("pid", &self.pid)?;
        }
        st.serialize_field("result", self.result)?;
        st.serialize_field("cause", self.cause)?;
        st.end()
    }
}

impl HotView for ChildStartView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_child_start_fast(t, seq, self)
    }
}

/// `EventKind::ChildShutdown` by reference.
pub struct ChildShutdownView<'a> {
    /// The supervisor.
    pub sup: Pid,
    /// The child id.
    pub id: &'a Term,
    /// The child's pid.
    pub pid: Pid,
    /// `shutdown` or `kill`.
    pub method: &'a Atom,
    /// The budget: milliseconds, `infinity` or `brutal_kill`.
    pub timeout: &'a Term,
}

impl Serialize for ChildShutdownView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ChildShutdown", 6)?;
        st.serialize_field("kind", "child_shutdown")?;
        st.serialize_field("sup", &self.sup)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("pid", &self.pid)?;
        st.serialize_field("method", self.method)?;
        st.serialize_field("timeout", self.timeout)?;
        st.end()
    }
}

impl HotView for ChildShutdownView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_child_shutdown_fast(t, seq, self)
    }
}

/// `EventKind::ChildDown` by reference.
pub struct ChildDownView<'a> {
    /// The supervisor.
    pub sup: Pid,
    /// The child id.
    pub id: &'a Term,
    /// The child's pid.
    pub pid: Pid,
    /// The reason it exited with.
    pub reason: &'a Term,
    /// False when the reason was unexpected.
    pub accepted: bool,
}

impl Serialize for ChildDownView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ChildDown", 6)?;
        st.serialize_field("kind", "child_down")?;
        st.serialize_field("sup", &self.sup)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("pid", &self.pid)?;
        st.serialize_field("reason", self.reason)?;
        st.serialize_field("accepted", &self.accepted)?;
        st.end()
    }
}

impl HotView for ChildDownView<'_> {
    #[inline]
    fn hash_fast(&self, fp: &mut Fingerprinter, t: u64, seq: u64) -> bool {
        fp.add_child_down_fast(t, seq, self)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{same, simple_term};
    use super::*;
    use crate::term::strategy::{pid, term};
    use crate::trace::EventKind;
    use proptest::prelude::*;

    fn all_views(a: Pid, b: Pid, flag: bool, x: &Term, y: &Term, label: Option<&str>) {
        let parent = flag.then_some(b);
        same(
            &SpawnView {
                parent,
                child: a,
                linked: flag,
                monitored: !flag,
                label,
            },
            EventKind::Spawn {
                parent,
                child: a,
                linked: flag,
                monitored: !flag,
                label: label.map(str::to_string),
            },
        );
        for name in ["ok", "ok_timeout", "crash"] {
            let result = Atom::new(name);
            let reason = flag.then_some(x);
            same(
                &InitResultView {
                    pid: a,
                    result: &result,
                    reason,
                },
                EventKind::InitResult {
                    pid: a,
                    result: result.clone(),
                    reason: reason.cloned(),
                },
            );
        }
        same(
            &StartResultView {
                caller: a,
                pid: b,
                value: y,
            },
            EventKind::StartResult {
                caller: a,
                pid: b,
                value: y.clone(),
            },
        );
        let cause = Atom::from_static("restart");
        let pid = flag.then_some(b);
        same(
            &ChildStartView {
                sup: a,
                id: x,
                pid,
                result: y,
                cause: &cause,
            },
            EventKind::ChildStart {
                sup: a,
                id: x.clone(),
                pid,
                result: y.clone(),
                cause: cause.clone(),
            },
        );
        for method in ["kill", "shutdown"] {
            let method = Atom::new(method);
            same(
                &ChildShutdownView {
                    sup: a,
                    id: x,
                    pid: b,
                    method: &method,
                    timeout: y,
                },
                EventKind::ChildShutdown {
                    sup: a,
                    id: x.clone(),
                    pid: b,
                    method: method.clone(),
                    timeout: y.clone(),
                },
            );
        }
        same(
            &ChildDownView {
                sup: a,
                id: x,
                pid: b,
                reason: y,
                accepted: flag,
            },
            EventKind::ChildDown {
                sup: a,
                id: x.clone(),
                pid: b,
                reason: y.clone(),
                accepted: flag,
            },
        );
    }

    /// True when `view` takes the register-resident path (not serde's).
    fn takes_fast_path<V: HotView>(view: &V) -> bool {
        view.hash_fast(&mut crate::trace::Fingerprinter::new(), 1, 2)
    }

    proptest! {
        #[test]
        fn supervision_views_hash_like_serde_on_the_fast_path(a in pid(), b in pid(), flag in any::<bool>(), x in simple_term(), y in simple_term(), label in proptest::option::of("[a-z_/0-9]{0,20}")) {
            all_views(a, b, flag, &x, &y, label.as_deref());
            let ok = Atom::from_static("ok");
            // A message-shaped term the fast path writes itself; `x` and `y` may not be.
            let plain = Term::tuple_of([Term::Atom(Atom::from_static("EXIT")), Term::Pid(a), Term::Int(7)]);
            let fast = takes_fast_path(&SpawnView { parent: None, child: a, linked: flag, monitored: flag, label: label.as_deref() });
            prop_assert!(fast);
            let fast = takes_fast_path(&InitResultView { pid: a, result: &ok, reason: Some(&plain) });
            prop_assert!(fast);
            let fast = takes_fast_path(&StartResultView { caller: a, pid: b, value: &plain });
            prop_assert!(fast);
            let fast = takes_fast_path(&ChildStartView { sup: a, id: &plain, pid: Some(b), result: &plain, cause: &ok });
            prop_assert!(fast);
            let fast = takes_fast_path(&ChildShutdownView { sup: a, id: &plain, pid: b, method: &ok, timeout: &plain });
            prop_assert!(fast);
            let fast = takes_fast_path(&ChildDownView { sup: a, id: &plain, pid: b, reason: &plain, accepted: flag });
            prop_assert!(fast);
        }

        #[test]
        fn supervision_views_hash_and_print_like_owned_events(a in pid(), b in pid(), flag in any::<bool>(), x in term(), y in term()) {
            all_views(a, b, flag, &x, &y, Some("root/db"));
        }
    }
}
