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
use super::process::{Body, MonitoredBy, Process, Wait};
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

pub(crate) struct Slot {
    serial: u32,
    proc: Option<Process>,
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
}

/// False for a timer entry that would be ignored when it fires: a cancelled user
/// timer, a delivered delayed message, a wake-up for a wait that already ended.
fn timer_live(
    slots: &[Slot],
    user: &BTreeMap<Ref, UserTimer>,
    hooks: &Hooks,
    e: &super::timers::TimerEntry,
) -> bool {
    match e.what {
        TimerWhat::User(r) => user.contains_key(&r),
        TimerWhat::Delayed(id) => hooks.delayed_pending(id),
        TimerWhat::Wake { pid, wait_serial } => slots
            .get(pid.slot as usize)
            .filter(|s| s.serial == pid.serial)
            .and_then(|s| s.proc.as_ref())
            .is_some_and(|p| p.wait_serial == wait_serial),
    }
}

fn exit_message(from: Pid, reason: Term) -> Term {
    Term::tuple_of([atom("EXIT"), Term::Pid(from), reason])
}

pub(crate) fn down_message(mref: Ref, object: Term, reason: Term) -> Term {
    Term::tuple_of([
        atom("DOWN"),
        Term::Ref(mref),
        atom("process"),
        object,
        reason,
    ])
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
        slot.proc.as_ref()
    }

    pub(crate) fn proc_mut(&mut self, pid: Pid) -> Option<&mut Process> {
        let slot = self.slots.get_mut(pid.slot as usize)?;
        if slot.serial != pid.serial {
            return None;
        }
        slot.proc.as_mut()
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
                self.slots.push(Slot { serial, proc: None });
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
        label: Option<String>,
    ) -> Option<Ref> {
        let mut process = Process::new(body);
        if let Some(l) = &label {
            process.label = Some(self.index_label(pid, l));
        }
        self.slots[pid.slot as usize].proc = Some(process);
        let view = SpawnView {
            parent,
            child: pid,
            linked: link,
            monitored: monitor,
            label: label.as_deref(),
        };
        self.emit_view(&view, || EventKind::Spawn {
            parent,
            child: pid,
            linked: link,
            monitored: monitor,
            label: label.clone(),
        });
        let parent = parent.filter(|p| self.is_alive(*p));
        let mut mref = None;
        if let Some(parent) = parent {
            if link {
                self.add_link(parent, pid);
            }
            if monitor {
                let r = self.make_ref();
                self.add_monitor(parent, pid, r, Term::Pid(pid));
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

    fn add_monitor(&mut self, watcher: Pid, target: Pid, mref: Ref, object: Term) {
        if let Some(t) = self.proc_mut(target) {
            t.monitored_by.insert(mref, MonitoredBy { watcher, object });
        }
        if let Some(w) = self.proc_mut(watcher) {
            w.monitoring.insert(mref, target);
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

    // ----- exit signals (SIG-3) ------------------------------------------------------

    pub(crate) fn exit_signal(&mut self, from: Pid, to: Pid, reason: Term, via: Via) {
        let view = ExitSignalView {
            from,
            to,
            reason: &reason,
            via,
        };
        self.emit_view(&view, || EventKind::ExitSignal {
            from,
            to,
            reason: reason.clone(),
            via,
        });
        let running = self.running;
        let Some(p) = self.proc_mut(to) else { return };
        let outcome = if p.pending_exit.is_some() {
            SignalOutcome::AlreadyExiting
        } else if via == Via::ExitCall && reason.is_atom("kill") {
            p.pending_exit = Some(Term::KILLED);
            SignalOutcome::KilledReceiver
        } else if p.trap_exit {
            SignalOutcome::Trapped
        } else if reason.is_atom("normal") {
            if from == to {
                p.pending_exit = Some(Term::NORMAL);
                SignalOutcome::KilledReceiver
            } else {
                SignalOutcome::Ignored
            }
        } else {
            p.pending_exit = Some(reason.clone());
            SignalOutcome::KilledReceiver
        };
        match outcome {
            SignalOutcome::Trapped => self.deliver(to, exit_message(from, reason.clone())),
            SignalOutcome::KilledReceiver if running != Some(to) => self.enqueue(to),
            // The running process killed itself: stop it inside the current call.
            SignalOutcome::KilledReceiver => self.abort_running = true,
            _ => {}
        }
        // What the signal did is an outcome: traced even when a behaviour's event
        // stands for the sending (ADR 003, ADR 004).
        let view = ExitSignalHandledView {
            to,
            from,
            reason: &reason,
            outcome,
        };
        self.emit_view_unfolded(&view, || EventKind::ExitSignalHandled {
            to,
            from,
            reason: reason.clone(),
            outcome,
        });
    }

    // ----- links and monitors ------------------------------------------------------

    /// `link/1` (SIG-1, SIG-2).
    pub(crate) fn link(&mut self, me: Pid, other: Pid) -> Result<(), Term> {
        if me == other {
            return Ok(());
        }
        if self.is_alive(other) {
            if self.add_link(me, other) {
                self.emit(EventKind::Link { a: me, b: other });
            }
            return Ok(());
        }
        let trapping = self.proc(me).is_some_and(|p| p.trap_exit);
        if trapping {
            self.deliver(me, exit_message(other, Term::NOPROC));
            Ok(())
        } else {
            Err(Term::NOPROC)
        }
    }

    /// `unlink/1`: removes the link both ways (SIG-1).
    pub(crate) fn unlink(&mut self, me: Pid, other: Pid) {
        let had = self
            .proc_mut(me)
            .is_some_and(|p| p.links.remove(&other).is_some());
        if let Some(q) = self.proc_mut(other) {
            q.links.remove(&me);
        }
        if had {
            self.emit(EventKind::Unlink { a: me, b: other });
        }
    }

    /// `monitor(process, Target)` where the target is a pid, or a name resolved now
    /// (MON-1, MON-2).
    pub(crate) fn monitor(&mut self, me: Pid, target: Option<Pid>, object: Term) -> Ref {
        let mref = self.make_ref();
        self.emit(EventKind::Monitor {
            watcher: me,
            target: object.clone(),
            mref,
        });
        match target.filter(|t| self.is_alive(*t)) {
            Some(t) => self.add_monitor(me, t, mref, object),
            None => self.queue_down(me, mref, object, Term::NOPROC),
        }
        mref
    }

    fn queue_down(&mut self, watcher: Pid, mref: Ref, object: Term, reason: Term) {
        let view = DownView {
            watcher,
            target: &object,
            mref,
            reason: &reason,
        };
        self.emit_view(&view, || EventKind::Down {
            watcher,
            target: object.clone(),
            mref,
            reason: reason.clone(),
        });
        self.deliver(watcher, down_message(mref, object, reason));
    }

    /// `demonitor(Ref, [flush?])` (MON-4). Also turns off an alias made with the
    /// monitor, as OTP's `{alias, demonitor}` option does.
    pub(crate) fn demonitor(&mut self, me: Pid, mref: Ref, flush: bool) {
        let target = self.proc_mut(me).and_then(|p| {
            p.aliases.retain(|a| *a != mref);
            p.monitoring.remove(&mref)
        });
        if let Some(t) = target.and_then(|t| self.proc_mut(t)) {
            t.monitored_by.remove(&mref);
        }
        if flush {
            if let Some(p) = self.proc_mut(me) {
                let is_down_for = |m: &Term| matches!(m.as_tuple(), Some([tag, Term::Ref(r), ..]) if tag.is_atom("DOWN") && *r == mref);
                if let Some(i) = p.mailbox.iter().position(is_down_for) {
                    p.mailbox.remove(i);
                    p.scan_from = p.scan_from.min(i);
                }
            }
        }
        self.emit(EventKind::Demonitor {
            watcher: me,
            mref,
            flush,
        });
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

    // ----- death (PROC-6) -----------------------------------------------------------

    /// Terminates `pid` with `reason`: releases its name, then sends exit signals to its
    /// links (in partner spawn order), then `DOWN`s to its monitors (in creation order).
    /// Returns the body so the caller can drop it outside the kernel borrow: dropping
    /// user state may run user code.
    pub(crate) fn terminate(&mut self, pid: Pid, reason: Term) -> Option<Body> {
        let mut p = self.slots.get_mut(pid.slot as usize)?.proc.take()?;
        self.live -= 1;
        self.free_slots.push(pid.slot);
        let view = ExitView {
            pid,
            reason: &reason,
        };
        self.emit_view(&view, || EventKind::Exit {
            pid,
            reason: reason.clone(),
        });
        if let Some(name) = p.name.take() {
            self.names.remove(&name);
            self.emit(EventKind::Unregister { pid, name });
        }
        for (partner, ()) in p.links.drain() {
            if let Some(q) = self.proc_mut(partner) {
                q.links.remove(&pid);
            }
            self.exit_signal(pid, partner, reason.clone(), Via::Link);
        }
        for (mref, by) in p.monitored_by.drain() {
            // A process monitoring itself has nobody left to tell.
            if by.watcher == pid {
                continue;
            }
            if let Some(w) = self.proc_mut(by.watcher) {
                w.monitoring.remove(&mref);
                // An alias made from the monitor ({alias, demonitor}) ends with it (GS-7).
                w.aliases.retain(|a| *a != mref);
            }
            self.queue_down(by.watcher, mref, by.object, reason.clone());
        }
        for (mref, target) in p.monitoring.drain() {
            if let Some(t) = self.proc_mut(target) {
                t.monitored_by.remove(&mref);
            }
        }
        if let Some(label) = p.label.take() {
            self.forget_label(pid, &label);
        }
        self.forget_hooks(pid);
        if let Some(s) = &mut self.scheduler {
            s.forget(pid);
        }
        // Tables die with their owner, as ETS tables do.
        self.tables.retain(|_, (owner, _)| *owner != pid);
        // Timers addressed to a pid are cancelled when that process dies.
        for tref in std::mem::take(&mut p.timers_to_me) {
            if self.user_timers.remove(&tref).is_some() && self.timers.mark_stale() {
                self.purge_timers();
            }
        }
        p.body.take()
    }

    // ----- timers ------------------------------------------------------------------

    /// Suspends `pid` until `at_us` (or until woken otherwise); returns the wait serial
    /// the wake-up must match.
    pub(crate) fn arm_wake(&mut self, pid: Pid, at_us: u64) -> u32 {
        let Some(p) = self.proc_mut(pid) else {
            return 0;
        };
        p.wait_serial = p.wait_serial.wrapping_add(1);
        p.timed_out = false;
        let serial = p.wait_serial;
        self.timers.push(
            at_us,
            TimerWhat::Wake {
                pid,
                wait_serial: serial,
            },
        );
        serial
    }

    /// Ends a suspension early (a message arrived before the timeout): the armed timer
    /// becomes stale.
    pub(crate) fn disarm_wake(&mut self, pid: Pid) {
        let mut armed = None;
        if let Some(p) = self.proc_mut(pid) {
            armed = Some(p.wait_serial);
            p.wait_serial = p.wait_serial.wrapping_add(1);
            p.timed_out = false;
        }
        let taken_back = armed.is_some_and(|wait_serial| {
            self.timers
                .cancel_recent(TimerWhat::Wake { pid, wait_serial })
        });
        if !taken_back && self.timers.mark_stale() {
            self.purge_timers();
        }
    }

    fn purge_timers(&mut self) {
        let slots = &self.slots;
        let user = &self.user_timers;
        let hooks = &self.hooks;
        self.timers.purge(|e| timer_live(slots, user, hooks, e));
    }

    /// Moves the timers armed in this instant into the timer heap, leaving out those
    /// already disarmed; the executor calls it before it looks at the next timer.
    pub(crate) fn flush_timers(&mut self) {
        let slots = &self.slots;
        let user = &self.user_timers;
        let hooks = &self.hooks;
        self.timers.flush(|e| timer_live(slots, user, hooks, e));
    }

    /// Fires one timer entry that is due now.
    pub(crate) fn fire(&mut self, what: TimerWhat) {
        match what {
            TimerWhat::Wake { pid, wait_serial } => {
                let due = self
                    .proc_mut(pid)
                    .filter(|p| p.wait_serial == wait_serial && p.wait != Wait::Ready)
                    .map(|p| p.timed_out = true)
                    .is_some();
                if due {
                    self.enqueue(pid);
                }
            }
            TimerWhat::Delayed(id) => self.fire_delayed(id),
            TimerWhat::User(tref) => {
                let Some(timer) = self.user_timers.remove(&tref) else {
                    return;
                };
                self.forget_timer(&timer.dest, tref);
                self.emit(EventKind::TimerFire {
                    owner: timer.dest.clone(),
                    tref,
                    msg: timer.msg.clone(),
                });
                let target = match &timer.dest {
                    Term::Pid(p) => Some(*p),
                    Term::Atom(name) => self.names.get(name).copied(),
                    _ => None,
                };
                if let Some(to) = target {
                    self.deliver(to, timer.msg);
                }
            }
        }
    }

    pub(crate) fn start_timer(&mut self, delay_us: u64, dest: Term, msg: Term) -> Ref {
        let tref = self.make_ref();
        let at_us = self.now_us.saturating_add(delay_us);
        if let Some(p) = dest.as_pid().and_then(|pid| self.proc_mut(pid)) {
            p.timers_to_me.push(tref);
        }
        self.user_timers
            .insert(tref, UserTimer { dest, msg, at_us });
        self.timers.push(at_us, TimerWhat::User(tref));
        tref
    }

    /// Cancels a timer; the time it had left, or `None` if it already fired (PROC-5).
    pub(crate) fn cancel_timer(&mut self, tref: Ref) -> Option<u64> {
        let timer = self.user_timers.remove(&tref)?;
        self.forget_timer(&timer.dest, tref);
        if self.timers.mark_stale() {
            self.purge_timers();
        }
        Some(timer.at_us - self.now_us)
    }

    fn forget_timer(&mut self, dest: &Term, tref: Ref) {
        if let Some(p) = dest.as_pid().and_then(|pid| self.proc_mut(pid)) {
            p.timers_to_me.retain(|t| *t != tref);
        }
    }

    pub(crate) fn read_timer(&self, tref: Ref) -> Option<u64> {
        self.user_timers.get(&tref).map(|t| t.at_us - self.now_us)
    }

    /// Every live process, in spawn order.
    pub(crate) fn live_pids(&self) -> Vec<Pid> {
        let mut pids: Vec<Pid> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.proc.is_some())
            .map(|(slot, s)| Pid {
                slot: slot as u32,
                serial: s.serial,
            })
            .collect();
        pids.sort();
        pids
    }

    /// `pid`'s link partners in spawn order.
    pub(crate) fn links_of(&self, pid: Pid) -> Vec<Pid> {
        self.proc(pid)
            .map(|p| p.links.iter().map(|(pid, ())| *pid).collect())
            .unwrap_or_default()
    }
}
