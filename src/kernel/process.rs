//! One process's record in the process table.

use super::ordered::{OrderedMap, OrderedSet};
use crate::term::{Atom, Pid, Ref, Term};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

/// What a process body returns: `Ok(())` is exit reason `normal`, `Err(r)` is exit `r`.
pub type ProcResult = Result<(), Term>;

/// A process body, pinned and type-erased.
pub(crate) type Body = Pin<Box<dyn Future<Output = ProcResult>>>;

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

impl Process {
    pub(crate) fn new(body: Body) -> Process {
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
