//! The supervisor's children: an ordered list indexed by id and by pid.
//!
//! OTP keeps the ids in a list and the records in a map, and finds the child of an
//! `EXIT` by folding over the map: O(n) per exit. A restart storm over 10,000 children
//! makes that quadratic, so here every child has a fixed position key (start order)
//! and two indexes, by id and by pid: each lookup, insert and removal is O(log n).
//! Positions and pids both grow with time, so the start order and the pid index are
//! sorted vectors (`OrderedMap`) that take a restarted child's new pid at the end.

use super::spec::{child_path, ChildSpec};
use crate::kernel::OrderedMap;
use crate::term::{Atom, Pid, Term};
use std::cell::OnceCell;
use std::collections::BTreeMap;

/// Where a child's process is (OTP's `#child.pid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Running under this pid.
    Running(Pid),
    /// A restart failed and a retry is pending (SUP-17).
    Restarting,
    /// No process: ignored, stopped, or not yet started (OTP's `undefined`).
    Undefined,
}

/// One child: its spec and its process.
pub(crate) struct Child {
    pub(crate) spec: ChildSpec,
    pub(crate) state: State,
    /// The child's trace label (its path), made at its first start and kept for its
    /// restarts.
    path: OnceCell<Atom>,
}

impl Child {
    /// The child's path under a supervisor labelled `sup_label` (see [`child_path`]).
    pub(crate) fn path(&self, sup_label: Option<&str>) -> Atom {
        self.path
            .get_or_init(|| child_path(sup_label, &self.spec.id))
            .clone()
    }
}

/// A child's position: its place in start order, fixed for its whole life (a restart,
/// even `restart_child`, keeps it, SUP-8).
pub(crate) type Pos = u64;

#[derive(Default)]
pub(crate) struct Children {
    order: OrderedMap<Pos, Child>,
    by_id: BTreeMap<Term, Pos>,
    by_pid: OrderedMap<Pid, Pos>,
    next: Pos,
}

impl Children {
    /// Adds `spec` as the latest started child (SUP-8).
    pub(crate) fn push(&mut self, spec: ChildSpec, state: State) -> Pos {
        let pos = self.next;
        self.next += 1;
        self.by_id.insert(spec.id.clone(), pos);
        if let State::Running(pid) = state {
            self.by_pid.insert(pid, pos);
        }
        let path = OnceCell::new();
        self.order.insert(pos, Child { spec, state, path });
        pos
    }

    pub(crate) fn get(&self, pos: Pos) -> Option<&Child> {
        self.order.get(&pos)
    }

    pub(crate) fn state(&self, pos: Pos) -> Option<State> {
        self.get(pos).map(|c| c.state)
    }

    pub(crate) fn by_id(&self, id: &Term) -> Option<Pos> {
        self.by_id.get(id).copied()
    }

    pub(crate) fn by_pid(&self, pid: Pid) -> Option<Pos> {
        self.by_pid.get(&pid).copied()
    }

    /// Sets the child's process, keeping the pid index in step.
    pub(crate) fn set_state(&mut self, pos: Pos, state: State) {
        let Some(child) = self.order.get_mut(&pos) else {
            return;
        };
        if let State::Running(old) = child.state {
            self.by_pid.remove(&old);
        }
        if let State::Running(new) = state {
            self.by_pid.insert(new, pos);
        }
        child.state = state;
    }

    /// Forgets the child entirely.
    pub(crate) fn remove(&mut self, pos: Pos) -> Option<Child> {
        let child = self.order.remove(&pos)?;
        self.by_id.remove(&child.spec.id);
        if let State::Running(pid) = child.state {
            self.by_pid.remove(&pid);
        }
        Some(child)
    }

    /// OTP's `del_child`: a temporary child is forgotten, any other keeps its spec
    /// with no process.
    pub(crate) fn del(&mut self, pos: Pos) {
        let temporary = self
            .get(pos)
            .is_some_and(|c| c.spec.restart == super::Restart::Temporary);
        if temporary {
            self.remove(pos);
        } else {
            self.set_state(pos, State::Undefined);
        }
    }

    /// Every position in start order.
    pub(crate) fn positions(&self) -> Vec<Pos> {
        self.order.iter().map(|(p, _)| *p).collect()
    }

    /// The positions from `pos` onward, in start order.
    pub(crate) fn positions_from(&self, pos: Pos) -> Vec<Pos> {
        self.order.iter_from(&pos).map(|(p, _)| *p).collect()
    }

    /// Children in reverse start order (SUP-24's order).
    pub(crate) fn iter_rev(&self) -> impl Iterator<Item = &Child> {
        self.order.iter_rev().map(|(_, c)| c)
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// Any significant child that still has a process or a pending restart (the
    /// `all_significant` test of SUP-18).
    pub(crate) fn any_significant_alive(&self) -> bool {
        self.order
            .iter()
            .any(|(_, c)| c.spec.significant && c.state != State::Undefined)
    }
}

/// A spec whose start is ignored, for tests of the child list.
#[cfg(test)]
pub(super) fn spec(id: &'static str) -> ChildSpec {
    use crate::behaviour::gen_server::StartResult;
    ChildSpec::new(
        crate::term::atom(id),
        std::rc::Rc::new(|_| Box::pin(async { StartResult::Ignore })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::atom;

    #[test]
    fn indexes_follow_state_changes() {
        let mut c = Children::default();
        let p1 = Pid::from_parts(1, 10);
        let p2 = Pid::from_parts(2, 11);
        let a = c.push(spec("a"), State::Running(p1));
        let b = c.push(spec("b"), State::Undefined);
        assert_eq!(c.by_pid(p1), Some(a));
        c.set_state(a, State::Running(p2));
        assert_eq!(c.by_pid(p1), None);
        assert_eq!(c.by_pid(p2), Some(a));
        assert_eq!(c.by_id(&atom("b")), Some(b));
        assert_eq!(c.positions_from(b), vec![b]);
        let rev: Vec<_> = c.iter_rev().map(|ch| ch.spec.id.to_string()).collect();
        assert_eq!(rev, ["b", "a"]);
        c.remove(a);
        assert_eq!(c.by_pid(p2), None);
        assert_eq!(c.by_id(&atom("a")), None);
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn del_forgets_temporary_children_only() {
        let mut c = Children::default();
        let t = c.push(
            spec("t").restart(super::super::Restart::Temporary),
            State::Undefined,
        );
        let p = c.push(spec("p"), State::Running(Pid::from_parts(0, 3)));
        c.del(t);
        c.del(p);
        assert!(c.get(t).is_none());
        assert_eq!(c.state(p), Some(State::Undefined));
    }
}
