//! One process's record in the process table.

use super::small_map::{SmallMap, SmallSet};
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
    pub(crate) links: SmallSet<Pid>,
    /// Monitors others hold on this process, in creation (reference) order.
    pub(crate) monitored_by: SmallMap<Ref, Pid>,
    /// Monitors this process holds, with their targets.
    pub(crate) monitoring: SmallMap<Ref, Pid>,
    pub(crate) name: Option<Atom>,
    /// The label given at spawn (a tree path), interned.
    pub(crate) label: Option<Atom>,
    pub(crate) aliases: Vec<Ref>,
    /// Pending `send_after` timers addressed to this pid, cancelled when it dies.
    pub(crate) timers_to_me: Vec<Ref>,
}

/// The most entries a kept collection may have room for: a process that once held
/// many messages or monitors gives its memory back when it dies.
const KEPT_CAPACITY: usize = 8;

/// What a death takes out of a process's record to act on; the record itself stays
/// in its slot for the next process there.
pub(crate) struct Departed {
    pub(crate) body: Option<Body>,
    pub(crate) name: Option<Atom>,
    pub(crate) label: Option<Atom>,
    pub(crate) links: SmallSet<Pid>,
    pub(crate) monitored_by: SmallMap<Ref, Pid>,
    pub(crate) monitoring: SmallMap<Ref, Pid>,
    pub(crate) timers_to_me: Vec<Ref>,
}

impl Process {
    /// Hands over what a death acts on, leaving the record to be emptied.
    pub(crate) fn depart(&mut self) -> Departed {
        Departed {
            body: self.body.take(),
            name: self.name.take(),
            label: self.label.take(),
            links: std::mem::take(&mut self.links),
            monitored_by: std::mem::take(&mut self.monitored_by),
            monitoring: std::mem::take(&mut self.monitoring),
            timers_to_me: std::mem::take(&mut self.timers_to_me),
        }
    }

    /// Empties this dead process's record and takes back the collections the death
    /// drained, for the next process in this slot: a restart storm would otherwise
    /// free and allocate them again for every child (ADR 007). Collections that grew
    /// past a few entries are freed instead.
    pub(crate) fn settle(&mut self, d: &mut Departed) {
        self.mailbox.clear();
        self.aliases.clear();
        self.pending_exit = None;
        if self.aliases.capacity() > KEPT_CAPACITY {
            self.aliases = Vec::new();
        }
        if self.mailbox.capacity() > KEPT_CAPACITY {
            self.mailbox = VecDeque::new();
        }
        // The death drained the maps; draining again costs nothing and keeps this
        // independent of the order of its steps.
        d.links.drain().for_each(drop);
        d.monitored_by.drain().for_each(drop);
        d.monitoring.drain().for_each(drop);
        if d.links.capacity() <= KEPT_CAPACITY {
            self.links = std::mem::take(&mut d.links);
        }
        if d.monitored_by.capacity() <= KEPT_CAPACITY {
            self.monitored_by = std::mem::take(&mut d.monitored_by);
        }
        if d.monitoring.capacity() <= KEPT_CAPACITY {
            self.monitoring = std::mem::take(&mut d.monitoring);
        }
    }

    /// Makes this emptied record a new process running `body`, in place: every field
    /// is named, so a field added to `Process` must be decided on here.
    pub(crate) fn revive(&mut self, body: Body, label: Option<Atom>) {
        let Process {
            body: b,
            mailbox,
            delivered,
            scan_from,
            wait,
            wait_serial,
            timed_out,
            queued,
            trap_exit,
            pending_exit,
            links,
            monitored_by,
            monitoring,
            name,
            label: l,
            aliases,
            timers_to_me,
        } = self;
        *b = Some(body);
        *delivered = 0;
        *scan_from = 0;
        *wait = Wait::Ready;
        *wait_serial = 0;
        *timed_out = false;
        *queued = false;
        *trap_exit = false;
        *pending_exit = None;
        *name = None;
        *l = label;
        // Left empty, with whatever room they kept, by the death (`depart`, `settle`).
        debug_assert!(mailbox.is_empty() && aliases.is_empty() && timers_to_me.is_empty());
        debug_assert!(links.len() + monitored_by.len() + monitoring.len() == 0);
    }

    /// The record of a slot that has had no process yet.
    pub(crate) fn empty() -> Process {
        Process {
            body: None,
            mailbox: VecDeque::new(),
            delivered: 0,
            scan_from: 0,
            wait: Wait::Ready,
            wait_serial: 0,
            timed_out: false,
            queued: false,
            trap_exit: false,
            pending_exit: None,
            links: SmallSet::default(),
            monitored_by: SmallMap::default(),
            monitoring: SmallMap::default(),
            name: None,
            label: None,
            aliases: Vec::new(),
            timers_to_me: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::atom;

    fn departed_with(links: usize) -> (Process, Departed) {
        let mut p = Process::empty();
        for serial in 0..links as u32 {
            p.links.insert(Pid::from_parts(serial, serial + 1), ());
        }
        p.mailbox.push_back(atom("left"));
        let d = p.depart();
        (p, d)
    }

    #[test]
    fn a_death_leaves_small_collections_in_the_slot_for_the_next_process() {
        let (mut dead, mut d) = departed_with(3);
        let room = d.links.capacity();
        dead.settle(&mut d);
        assert!(dead.mailbox.is_empty() && dead.mailbox.capacity() > 0);
        assert!(dead.links.is_empty());
        assert_eq!(dead.links.capacity(), room);
    }

    #[test]
    fn a_collection_that_grew_large_is_freed_at_the_death() {
        let (mut dead, mut d) = departed_with(KEPT_CAPACITY + 1);
        for _ in 0..=KEPT_CAPACITY {
            dead.mailbox.push_back(atom("more"));
        }
        dead.settle(&mut d);
        assert_eq!(dead.links.capacity(), 0);
        assert_eq!(dead.mailbox.capacity(), 0);
    }
}
