//! The kernel's state: process table, clock, run queue, timers, names, and the signal
//! semantics that act on them (PROC, SIG, MON, NAME rules).
//!
//! Signals are handled when they are delivered (ADR 001): in a single-threaded
//! simulation a receiver cannot change its `trap_exit` flag between the moment a signal
//! reaches it and the moment it would take it, so handling at delivery gives exactly
//! SIM-2's result, while a fatal signal still takes effect only when the receiver is
//! next scheduled.

use super::hooks::Hooks;
use super::limits::{Limits, Outcome};
use super::process::{Body, Departed, Process, Wait};
use super::schedule::Scheduler;
use super::timers::{TimerQueue, TimerWhat};
use crate::term::{atom, Atom, Pid, Ref, Term};
use crate::trace::hot::{
    DownView, ExitSignalHandledView, ExitSignalView, ExitView, HotView, RecvView, SendView,
    SpawnView,
};
use crate::trace::{EventKind, Recorder, SignalOutcome, Via};
use std::any::Any;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

mod death;
mod signals;
mod timers;

pub(crate) struct Slot {
    serial: u32,
    alive: bool,
    /// The process, or what its death left: an emptied record for the next one.
    proc: Process,
}

impl Slot {
    /// Ends the life of the process `pid` in this slot: its record stays, and what
    /// the death must act on is handed over ([`Departed`]).
    pub(crate) fn take(&mut self, pid: Pid) -> Option<Departed> {
        if self.serial != pid.serial || !self.alive {
            return None;
        }
        self.alive = false;
        Some(self.proc.depart())
    }
}

/// A pending `send_after` timer.
pub(crate) struct UserTimer {
    pub(crate) dest: Term,
    pub(crate) msg: Term,
    pub(crate) at_us: u64,
}

pub(crate) struct Kernel {
    pub(crate) now_us: u64,
    pub(crate) seed: u64,
    slots: Vec<Slot>,
    free_slots: Vec<u32>,
    next_serial: u32,
    live: u32,
    pub(crate) run_queue: VecDeque<Pid>,
    pub(crate) timers: TimerQueue,
    pub(crate) user_timers: BTreeMap<Ref, UserTimer>,
    pub(crate) names: BTreeMap<Atom, Pid>,
    /// Named shared tables (ETS-like), each owned by a process and dropped with it.
    pub(crate) tables: BTreeMap<Atom, (Pid, Rc<dyn Any>)>,
    /// The `{Name, Node}` a monitor by name asked for, by its reference: the `DOWN`'s
    /// Object (MON-1). Every other monitor is by pid, and a process's monitor maps
    /// hold only pids, so the monitor each call makes stores no term.
    pub(crate) monitor_objects: BTreeMap<Ref, Term>,
    next_ref: u64,
    pub(crate) recorder: Recorder,
    pub(crate) limits: Limits,
    instant_us: u64,
    instant_events: u64,
    /// Set when a limit is hit; the executor stops at the next step.
    pub(crate) stop: Option<Outcome>,
    /// The process being polled, if any.
    pub(crate) running: Option<Pid>,
    /// Set when the running process has a fatal signal pending (it sent one to itself),
    /// so every primitive can tell with one test whether to stop it.
    pub(crate) abort_running: bool,
    /// Above zero while a behaviour's own event stands for the kernel steps being
    /// taken (ADR 003): those steps happen, but emit nothing of their own.
    pub(crate) folded: u32,
    /// Labels, suspensions and inbound message faults (fault injection).
    pub(crate) hooks: Hooks,
    /// The schedule perturbation; `None` under FIFO, so the hot path pays one test.
    pub(crate) scheduler: Option<Box<Scheduler>>,
    /// BUGGIFY injection points; `None` unless the run switched them on.
    pub(crate) buggify: Option<Box<super::buggify::Buggify>>,
}

impl Kernel {
    pub(crate) fn new(seed: u64, limits: Limits, record: bool) -> Kernel {
        Kernel {
            now_us: 0,
            seed,
            slots: Vec::new(),
            free_slots: Vec::new(),
            next_serial: 1,
            live: 0,
            run_queue: VecDeque::new(),
            timers: TimerQueue::default(),
            user_timers: BTreeMap::new(),
            names: BTreeMap::new(),
            tables: BTreeMap::new(),
            monitor_objects: BTreeMap::new(),
            next_ref: 1,
            recorder: Recorder::new(record),
            limits,
            instant_us: 0,
            instant_events: 0,
            stop: None,
            running: None,
            abort_running: false,
            folded: 0,
            hooks: Hooks::default(),
            scheduler: None,
            buggify: None,
        }
    }

    // ----- bookkeeping -------------------------------------------------------------

    #[inline]
    pub(crate) fn emit(&mut self, kind: EventKind) {
        if self.folded > 0 {
            return;
        }
        self.emit_unfolded(kind);
    }

    /// Emits even inside a folded step: for outcomes no summary event can tell, such
    /// as a message dropped by an inactive alias (GS-7).
    #[inline]
    pub(crate) fn emit_unfolded(&mut self, kind: EventKind) {
        self.recorder.record(self.now_us, kind);
        self.count_event();
    }

    /// `send` on the hot path: hashed in place; the message is cloned only when events
    /// are kept.
    #[inline]
    pub(crate) fn emit_send(
        &mut self,
        from: Option<Pid>,
        to: &Term,
        msg: &Term,
        outcome: Option<&Atom>,
    ) {
        if self.folded > 0 {
            return;
        }
        let view = SendView {
            from,
            to,
            msg,
            outcome,
        };
        self.recorder
            .record_view(self.now_us, &view, || EventKind::Send {
                from,
                to: to.clone(),
                msg: msg.clone(),
                outcome: outcome.cloned(),
            });
        self.count_event();
    }

    /// `recv` on the hot path, as [`Kernel::emit_send`].
    #[inline]
    pub(crate) fn emit_recv(&mut self, pid: Pid, msg: &Term) {
        if self.folded > 0 {
            return;
        }
        let view = RecvView { pid, msg };
        self.recorder
            .record_view(self.now_us, &view, || EventKind::Recv {
                pid,
                msg: msg.clone(),
            });
        self.count_event();
    }

    /// Any event given as a borrowed view (`trace::hot`): hashed in place, built as
    /// an owned event by `make` only when events are kept.
    #[inline]
    pub(crate) fn emit_view<V: HotView>(&mut self, view: &V, make: impl FnOnce() -> EventKind) {
        if self.folded > 0 {
            return;
        }
        self.emit_view_unfolded(view, make);
    }

    /// [`Kernel::emit_view`] even inside a folded step, as [`Kernel::emit_unfolded`].
    #[inline]
    pub(crate) fn emit_view_unfolded<V: HotView>(
        &mut self,
        view: &V,
        make: impl FnOnce() -> EventKind,
    ) {
        self.recorder.record_view(self.now_us, view, make);
        self.count_event();
    }

    /// Counts an event against the run's limits.
    #[inline]
    fn count_event(&mut self) {
        if self.now_us != self.instant_us {
            self.instant_us = self.now_us;
            self.instant_events = 0;
        }
        self.instant_events += 1;
        if self.stop.is_none() {
            if self.recorder.count() >= self.limits.max_events {
                self.stop = Some(Outcome::EventLimit {
                    limit: self.limits.max_events,
                });
            } else if self.instant_events >= self.limits.max_events_per_instant {
                self.stop = Some(Outcome::LivelockLimit {
                    limit: self.limits.max_events_per_instant,
                    at_us: self.now_us,
                });
            }
        }
    }

    pub(crate) fn make_ref(&mut self) -> Ref {
        let r = Ref(self.next_ref);
        self.next_ref += 1;
        r
    }

    pub(crate) fn proc(&self, pid: Pid) -> Option<&Process> {
        let slot = self.slots.get(pid.slot as usize)?;
        if slot.serial != pid.serial {
            return None;
        }
        slot.alive.then_some(&slot.proc)
    }

    pub(crate) fn proc_mut(&mut self, pid: Pid) -> Option<&mut Process> {
        let slot = self.slots.get_mut(pid.slot as usize)?;
        if slot.serial != pid.serial {
            return None;
        }
        slot.alive.then_some(&mut slot.proc)
    }

    /// Alive in the OTP sense: spawned and not yet terminated (a process with a fatal
    /// signal pending is still alive until it runs again).
    pub(crate) fn is_alive(&self, pid: Pid) -> bool {
        self.proc(pid).is_some()
    }

    pub(crate) fn live_count(&self) -> u32 {
        self.live
    }

    pub(crate) fn enqueue(&mut self, pid: Pid) {
        if let Some(p) = self.proc_mut(pid) {
            if !p.queued {
                p.queued = true;
                self.run_queue.push_back(pid);
            }
        }
    }

    // ----- spawning ----------------------------------------------------------------

    /// Allocates a pid for a process about to be installed. `None` when the process
    /// limit is reached (the run is then stopping).
    pub(crate) fn reserve_pid(&mut self) -> Option<Pid> {
        if self.live >= self.limits.max_processes || self.next_serial == u32::MAX {
            self.stop.get_or_insert(Outcome::ProcessLimit {
                limit: self.limits.max_processes,
            });
            return None;
        }
        let serial = self.next_serial;
        self.next_serial += 1;
        let slot = match self.free_slots.pop() {
            Some(s) => {
                self.slots[s as usize].serial = serial;
                s
            }
            None => {
                self.slots.push(Slot {
                    serial,
                    alive: false,
                    proc: Process::empty(),
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.live += 1;
        Some(Pid { slot, serial })
    }

    /// Installs a reserved process and makes it runnable; links and monitors it to
    /// `parent` as asked, in one step (SIG-6).
    pub(crate) fn install(
        &mut self,
        pid: Pid,
        body: Body,
        parent: Option<Pid>,
        link: bool,
        monitor: bool,
        label: Option<Atom>,
    ) -> Option<Ref> {
        if let Some(l) = &label {
            self.index_label(pid, l);
        }
        let slot = &mut self.slots[pid.slot as usize];
        slot.proc.revive(body, label.clone());
        slot.alive = true;
        let view = SpawnView {
            parent,
            child: pid,
            linked: link,
            monitored: monitor,
            label: label.as_ref().map(Atom::as_str),
        };
        self.emit_view(&view, || EventKind::Spawn {
            parent,
            child: pid,
            linked: link,
            monitored: monitor,
            label: label.as_ref().map(Atom::to_string),
        });
        let parent = parent.filter(|p| self.is_alive(*p));
        let mut mref = None;
        if let Some(parent) = parent {
            if link {
                self.add_link(parent, pid);
            }
            if monitor {
                let r = self.make_ref();
                self.add_monitor(parent, pid, r);
                self.emit(EventKind::Monitor {
                    watcher: parent,
                    target: Term::Pid(pid),
                    mref: r,
                });
                mref = Some(r);
            }
        }
        self.enqueue(pid);
        mref
    }

    fn add_link(&mut self, a: Pid, b: Pid) -> bool {
        let fresh = self.proc_mut(a).is_some_and(|p| p.links.insert(b, ()));
        if let Some(q) = self.proc_mut(b) {
            q.links.insert(a, ());
        }
        fresh
    }

    /// Records a monitor by pid on both sides. True when the watcher is alive to hold
    /// it.
    fn add_monitor(&mut self, watcher: Pid, target: Pid, mref: Ref) -> bool {
        if let Some(t) = self.proc_mut(target) {
            t.monitored_by.insert(mref, watcher);
        }
        match self.proc_mut(watcher) {
            Some(w) => {
                w.monitoring.insert(mref, target);
                true
            }
            None => false,
        }
    }

    // ----- messages ----------------------------------------------------------------

    /// Puts `msg` in `to`'s mailbox and wakes it if it is waiting in `receive`. A
    /// message to a dead or dying process is lost, as in OTP.
    pub(crate) fn deliver(&mut self, to: Pid, msg: Term) {
        let limit = self.limits.max_mailbox_len as usize;
        let Some(p) = self.proc_mut(to) else { return };
        if p.pending_exit.is_some() {
            return;
        }
        if p.mailbox.len() >= limit {
            self.stop.get_or_insert(Outcome::MailboxLimit {
                limit: limit as u32,
                pid: to,
            });
            return;
        }
        p.mailbox.push_back(msg);
        p.delivered += 1;
        if p.wait == Wait::Receive && !p.queued {
            p.queued = true;
            self.run_queue.push_back(to);
        }
    }

    /// `from ! msg` to a pid.
    pub(crate) fn send(&mut self, from: Option<Pid>, to: Pid, msg: Term) {
        self.emit_send(from, &Term::Pid(to), &msg, None);
        self.deliver_sent(from, to, msg);
    }

    /// `Name ! msg`: badarg when the name is not registered (NAME-3).
    pub(crate) fn send_named(
        &mut self,
        from: Option<Pid>,
        name: &Atom,
        msg: Term,
    ) -> Result<(), Term> {
        match self.names.get(name).copied() {
            Some(pid) => {
                self.emit_send(from, &Term::Atom(name.clone()), &msg, None);
                self.deliver_sent(from, pid, msg);
                Ok(())
            }
            None => {
                self.emit(EventKind::Send {
                    from,
                    to: Term::Atom(name.clone()),
                    msg,
                    outcome: Some(Atom::from_static("badarg")),
                });
                Err(atom("badarg"))
            }
        }
    }

    /// Sends through an alias: delivered only while `alias` is active in `to` (GS-7).
    pub(crate) fn send_alias(&mut self, from: Option<Pid>, to: Pid, alias: Ref, msg: Term) {
        self.emit_send(from, &Term::Pid(to), &msg, None);
        match self.proc(to).map(|p| p.aliases.contains(&alias)) {
            Some(true) => self.deliver_sent(from, to, msg),
            Some(false) => self.emit_unfolded(EventKind::Drop {
                to,
                msg,
                why: Atom::from_static("inactive_alias"),
            }),
            // A message to a dead process is simply lost, as any other.
            None => {}
        }
    }

    // ----- names (NAME-1, NAME-2) ---------------------------------------------------

    pub(crate) fn register(&mut self, name: Atom, pid: Pid) -> Result<(), Term> {
        let badarg = || Err(atom("badarg"));
        // `undefined` is whereis/1's answer for "no such name": OTP refuses it (NAME-1).
        if self.names.contains_key(&name) || name.as_str() == "undefined" {
            return badarg();
        }
        match self.proc_mut(pid) {
            Some(p) if p.name.is_none() => p.name = Some(name.clone()),
            _ => return badarg(),
        }
        self.names.insert(name.clone(), pid);
        self.emit(EventKind::Register { pid, name });
        Ok(())
    }

    pub(crate) fn unregister(&mut self, name: &Atom) -> Result<(), Term> {
        let pid = self.names.remove(name).ok_or_else(|| atom("badarg"))?;
        if let Some(p) = self.proc_mut(pid) {
            p.name = None;
        }
        self.emit(EventKind::Unregister {
            pid,
            name: name.clone(),
        });
        Ok(())
    }
}
