//! One process's record in the process table.

use super::ordered::{OrderedMap, OrderedSet};
use crate::term::{Atom, Pid, Ref, Term};
use std::collections::VecDeque;

/// What a process body returns: `Ok(())` is exit reason `normal`, `Err(r)` is exit `r`.
pub type ProcResult = Result<(), Term>;

pub(crate) use super::body::Body;

/// Where a process is, as far as the scheduler is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Ready to run, or running now.
    Ready,
    /// Blocked in `receive`; a new message wakes it.
    Receive,
    /// Spending virtual time (`sleep`/`work`); only its timer (or death) wakes it.
    Sleep,
}

pub(crate) struct Process {
    pub(crate) body: Option<Body>,
    pub(crate) mailbox: VecDeque<Term>,
    /// Messages ever put in the mailbox: a receive mark is a value of this counter.
    pub(crate) delivered: u64,
    /// Messages before this index were already rejected by the current selective
    /// receive, so a wake-up only tests the new ones.
    pub(crate) scan_from: usize,
    pub(crate) wait: Wait,
    /// Bumped on every suspension, so a stale timeout or wake-up is recognised.
    pub(crate) wait_serial: u32,
    pub(crate) timed_out: bool,
    pub(crate) queued: bool,
    pub(crate) trap_exit: bool,
    /// Set once a fatal signal has been handled; the process dies when next scheduled.
    pub(crate) pending_exit: Option<Term>,
    pub(crate) links: OrderedSet<Pid>,
    /// Monitors others hold on this process, in creation (reference) order.
    pub(crate) monitored_by: OrderedMap<Ref, Pid>,
    /// Monitors this process holds, with their targets.
    pub(crate) monitoring: OrderedMap<Ref, Pid>,
    pub(crate) name: Option<Atom>,
    /// The label given at spawn (a tree path), interned.
    pub(crate) label: Option<Atom>,
    pub(crate) aliases: Vec<Ref>,
    /// Pending `send_after` timers addressed to this pid, cancelled when it dies.
    pub(crate) timers_to_me: Vec<Ref>,
}

/// The emptied collections of a dead process, kept for the next spawn: a restart
/// storm would otherwise free and allocate them again for every child (ADR 007).
pub(crate) struct Spare {
    mailbox: VecDeque<Term>,
    links: OrderedSet<Pid>,
    monitored_by: OrderedMap<Ref, Pid>,
    monitoring: OrderedMap<Ref, Pid>,
}

/// The most entries a kept collection may have room for: a process that once held
/// many messages or monitors gives its memory back when it dies.
const SPARE_CAPACITY: usize = 8;

impl Spare {
    /// Takes a dead process's collections, emptied; `None` when one grew large.
    pub(crate) fn from_dead(p: &mut Process) -> Option<Spare> {
        let small = p.mailbox.capacity() <= SPARE_CAPACITY
            && p.links.capacity() <= SPARE_CAPACITY
            && p.monitored_by.capacity() <= SPARE_CAPACITY
            && p.monitoring.capacity() <= SPARE_CAPACITY;
        if !small {
            return None;
        }
        p.mailbox.clear();
        // The maps were drained by the death; draining again is a no-op that keeps
        // this independent of the order of the death's steps.
        p.links.drain().for_each(drop);
        p.monitored_by.drain().for_each(drop);
        p.monitoring.drain().for_each(drop);
        Some(Spare {
            mailbox: std::mem::take(&mut p.mailbox),
            links: std::mem::take(&mut p.links),
            monitored_by: std::mem::take(&mut p.monitored_by),
            monitoring: std::mem::take(&mut p.monitoring),
        })
    }
}

impl Process {
    /// A new process running `body`, in the collections of `spare` if given.
    pub(crate) fn new(body: Body, spare: Option<Spare>) -> Process {
        let mut p = Process::fresh(body);
        if let Some(s) = spare {
            p.mailbox = s.mailbox;
            p.links = s.links;
            p.monitored_by = s.monitored_by;
            p.monitoring = s.monitoring;
        }
        p
    }

    fn fresh(body: Body) -> Process {
        Process {
            body: Some(body),
            mailbox: VecDeque::new(),
            delivered: 0,
            scan_from: 0,
            wait: Wait::Ready,
            wait_serial: 0,
            timed_out: false,
            queued: false,
            trap_exit: false,
            pending_exit: None,
            links: OrderedSet::default(),
            monitored_by: OrderedMap::default(),
            monitoring: OrderedMap::default(),
            name: None,
            label: None,
            aliases: Vec::new(),
            timers_to_me: Vec::new(),
        }
    }
}
