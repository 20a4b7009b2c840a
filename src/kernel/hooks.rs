//! What the kernel keeps for fault injection (issue #5): the label index, suspended
//! processes (`erlang:suspend_process`) and inbound message faults (drop or delay the
//! ordinary messages sent to a process for a window).
//!
//! Nothing here costs the hot path more than one predictable branch, and nothing makes
//! a process bigger: a poll tests whether any process is suspended at all, a send
//! whether any inbound fault is set at all, and a death whether there is anything to
//! forget. Labels are kept here, for labelled processes only.

use super::rng::{self, Stream};
use super::state::Kernel;
use super::timers::TimerWhat;
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::EventKind;
use rand_core::RngCore;
use std::collections::BTreeMap;

/// What happens, for a window, to the ordinary messages sent to a process.
///
/// "Ordinary" means sent by a process with `!` (by pid, by registered name or through
/// an alias, replies included). Exit signals and the `EXIT` messages they turn into,
/// links, monitors, `DOWN`s and the process's own timers (`send_after`) are not
/// affected: the fault models a slow or lossy path into the process, not a change of
/// OTP's signal semantics. A consequence worth knowing: while messages from a sender
/// are delayed, an exit signal from that sender can overtake them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboundFault {
    /// Each message is dropped with probability `probability_ppm` / 1,000,000, drawn
    /// from the kernel's own stream `faults:net`. A dropped message leaves a `drop`
    /// event with `why` = `fault`.
    Drop {
        /// Parts per million: 1,000,000 drops every message.
        probability_ppm: u32,
    },
    /// Each message is put in the mailbox `delay_us` after it was sent.
    Delay {
        /// The delay, in microseconds of virtual time.
        delay_us: u64,
    },
}

/// One process's inbound fault and the per-sender order it must keep.
struct Inbound {
    fault: InboundFault,
    until_us: u64,
    /// For each sender, when its latest delayed message is due: a later message from
    /// the same sender is never put in the mailbox before it (per-pair FIFO).
    last_due_us: BTreeMap<Option<Pid>, u64>,
}

/// Who holds a process suspended, and whether the scheduler skipped it meanwhile.
#[derive(Default)]
struct Suspension {
    /// Suspenders and how many times each suspended it, in order of first suspension.
    holders: Vec<(Pid, u32)>,
    /// A run was skipped: it is owed one when resumed.
    missed_run: bool,
}

/// The fault-injection state of a run.
#[derive(Default)]
pub(crate) struct Hooks {
    /// Live labelled processes, by label, oldest first. Built by the first lookup and
    /// kept up to date from then on: a run that never looks a label up (a benchmark, a
    /// scenario without faults) pays nothing per spawn and death for it.
    by_label: Option<BTreeMap<Atom, Vec<Pid>>>,
    /// The suspended processes.
    suspended: BTreeMap<Pid, Suspension>,
    /// Processes whose inbound messages are faulted (or still have delayed messages
    /// due).
    inbound: BTreeMap<Pid, Inbound>,
    /// Delayed messages waiting for their timer, by id.
    delayed: BTreeMap<u64, (Pid, Term)>,
    next_delayed: u64,
    /// The `faults:net` stream, made on first use.
    net_rng: Option<Stream>,
}

impl Hooks {
    /// True while some delayed message waits under `id`.
    pub(crate) fn delayed_pending(&self, id: u64) -> bool {
        self.delayed.contains_key(&id)
    }

    /// True when some process has an inbound fault: the one test a send pays.
    #[inline]
    pub(crate) fn any_inbound(&self) -> bool {
        !self.inbound.is_empty()
    }

    /// True when some process is suspended: the one test a poll pays.
    #[inline]
    pub(crate) fn any_suspended(&self) -> bool {
        !self.suspended.is_empty()
    }
}

fn badarg() -> Term {
    atom("badarg")
}

impl Kernel {
    // ----- labels ------------------------------------------------------------------

    /// Indexes `pid` under `label` (called once, when it is installed), if the index
    /// exists yet.
    pub(crate) fn index_label(&mut self, pid: Pid, label: &Atom) {
        if let Some(index) = &mut self.hooks.by_label {
            index.entry(label.clone()).or_default().push(pid);
        }
    }

    /// `pid`'s label, while it lives.
    pub(crate) fn label_of(&self, pid: Pid) -> Option<&str> {
        self.proc(pid)?.label.as_ref().map(Atom::as_str)
    }

    /// Takes a dead process out of the label index.
    pub(crate) fn forget_label(&mut self, pid: Pid, label: &Atom) {
        let Some(index) = &mut self.hooks.by_label else {
            return;
        };
        if let Some(pids) = index.get_mut(label.as_str()) {
            pids.retain(|p| *p != pid);
            if pids.is_empty() {
                index.remove(label.as_str());
            }
        }
    }

    /// The live process labelled `label`; the newest when several are.
    pub(crate) fn find_by_label(&mut self, label: &str) -> Option<Pid> {
        if self.hooks.by_label.is_none() {
            self.hooks.by_label = Some(self.label_index());
        }
        self.hooks.by_label.as_ref()?.get(label)?.last().copied()
    }

    /// Every live labelled process by label, oldest first (`live_pids` is in spawn
    /// order, whatever slots the processes took).
    fn label_index(&self) -> BTreeMap<Atom, Vec<Pid>> {
        let mut index: BTreeMap<Atom, Vec<Pid>> = BTreeMap::new();
        for pid in self.live_pids() {
            if let Some(label) = self.proc(pid).and_then(|p| p.label.clone()) {
                index.entry(label).or_default().push(pid);
            }
        }
        index
    }

    // ----- suspension ----------------------------------------------------------------

    /// `erlang:suspend_process(Pid)` called by `by`: `Err(badarg)` for itself or a
    /// process that is not alive. Counted per suspender (probe `suspend_process`).
    pub(crate) fn suspend(&mut self, by: Pid, pid: Pid) -> Result<(), Term> {
        if by == pid {
            return Err(badarg());
        }
        if !self.is_alive(pid) {
            return Err(badarg());
        }
        let holders = &mut self.hooks.suspended.entry(pid).or_default().holders;
        match holders.iter_mut().find(|(s, _)| *s == by) {
            Some((_, n)) => *n += 1,
            None => holders.push((by, 1)),
        }
        Ok(())
    }

    /// `erlang:resume_process(Pid)` called by `by`: `Err(badarg)` unless `by` has it
    /// suspended. The process runs again once no suspension is left.
    pub(crate) fn resume(&mut self, by: Pid, pid: Pid) -> Result<(), Term> {
        if !self.is_alive(pid) {
            return Err(badarg());
        }
        let suspension = self.hooks.suspended.get_mut(&pid).ok_or_else(badarg)?;
        let holders = &mut suspension.holders;
        let i = holders
            .iter()
            .position(|(s, _)| *s == by)
            .ok_or_else(badarg)?;
        holders[i].1 -= 1;
        if holders[i].1 == 0 {
            holders.remove(i);
        }
        if holders.is_empty() {
            self.unsuspend(pid);
        }
        Ok(())
    }

    /// Ends `pid`'s suspension, and runs it if a run was skipped meanwhile.
    fn unsuspend(&mut self, pid: Pid) {
        if let Some(s) = self.hooks.suspended.remove(&pid) {
            if s.missed_run {
                self.enqueue(pid);
            }
        }
    }

    /// Called by the scheduler for a process it is about to run, when some process is
    /// suspended: true (and the run owed for later) when it is one of them.
    pub(crate) fn skip_if_suspended(&mut self, pid: Pid) -> bool {
        match self.hooks.suspended.get_mut(&pid) {
            Some(s) => {
                s.missed_run = true;
                true
            }
            None => false,
        }
    }

    /// Forgets what `pid` held or suffered when it dies: its own suspension and
    /// inbound fault, and every suspension it made (those end with it, as in OTP).
    #[inline(always)]
    pub(crate) fn forget_hooks(&mut self, pid: Pid) {
        // Most runs have no fault in force: these tests are all a death pays.
        let h = &self.hooks;
        if h.any_suspended() || h.any_inbound() {
            self.forget_hooks_slow(pid);
        }
    }

    #[inline(never)]
    fn forget_hooks_slow(&mut self, pid: Pid) {
        if self.hooks.any_suspended() {
            self.hooks.suspended.remove(&pid);
            let mut released = Vec::new();
            for (target, s) in self.hooks.suspended.iter_mut() {
                s.holders.retain(|(holder, _)| *holder != pid);
                if s.holders.is_empty() {
                    released.push(*target);
                }
            }
            for target in released {
                self.unsuspend(target);
            }
        }
        if self.hooks.any_inbound() {
            self.hooks.inbound.remove(&pid);
        }
    }

    // ----- inbound message faults ------------------------------------------------------

    /// Sets (or replaces) `pid`'s inbound fault until `until_us`. Delayed messages
    /// already due later keep their place.
    pub(crate) fn set_inbound_fault(&mut self, pid: Pid, fault: InboundFault, until_us: u64) {
        if !self.is_alive(pid) {
            return;
        }
        let entry = self.hooks.inbound.entry(pid).or_insert_with(|| Inbound {
            fault,
            until_us,
            last_due_us: BTreeMap::new(),
        });
        entry.fault = fault;
        entry.until_us = until_us;
    }

    /// Puts a message sent by a process into `to`'s mailbox: the path every `!` takes,
    /// where inbound faults apply.
    #[inline(always)]
    pub(crate) fn deliver_sent(&mut self, from: Option<Pid>, to: Pid, msg: Term) {
        if self.hooks.any_inbound() {
            self.deliver_faulted(from, to, msg);
        } else {
            self.deliver(to, msg);
        }
    }

    #[cold]
    #[inline(never)]
    fn deliver_faulted(&mut self, from: Option<Pid>, to: Pid, msg: Term) {
        let now = self.now_us;
        let Some(inbound) = self.hooks.inbound.get_mut(&to) else {
            return self.deliver(to, msg);
        };
        inbound.last_due_us.retain(|_, due| *due > now);
        let active = now < inbound.until_us;
        if !active && inbound.last_due_us.is_empty() {
            self.hooks.inbound.remove(&to);
            return self.deliver(to, msg);
        }
        let queued_behind = inbound.last_due_us.get(&from).copied();
        let due_us = match (active, inbound.fault) {
            (true, InboundFault::Delay { delay_us }) => {
                Some(queued_behind.unwrap_or(0).max(now.saturating_add(delay_us)))
            }
            (true, InboundFault::Drop { probability_ppm }) => {
                if self.net_draw(probability_ppm) {
                    self.emit_unfolded(EventKind::Drop {
                        to,
                        msg,
                        why: Atom::from_static("fault"),
                    });
                    return;
                }
                queued_behind
            }
            (false, _) => queued_behind,
        };
        match due_us {
            Some(due_us) => self.delay_message(from, to, msg, due_us),
            None => self.deliver(to, msg),
        }
    }

    /// True when a message should be dropped at `probability_ppm`.
    fn net_draw(&mut self, probability_ppm: u32) -> bool {
        if probability_ppm == 0 {
            return false;
        }
        if probability_ppm >= 1_000_000 {
            return true;
        }
        let seed = self.seed;
        let rng = self
            .hooks
            .net_rng
            .get_or_insert_with(|| rng::stream(seed, "faults:net"));
        rng.next_u64() % 1_000_000 < u64::from(probability_ppm)
    }

    fn delay_message(&mut self, from: Option<Pid>, to: Pid, msg: Term, due_us: u64) {
        if let Some(inbound) = self.hooks.inbound.get_mut(&to) {
            inbound.last_due_us.insert(from, due_us);
        }
        let id = self.hooks.next_delayed;
        self.hooks.next_delayed += 1;
        self.hooks.delayed.insert(id, (to, msg));
        // Timers due at the same instant fire in the order they were set, so two
        // messages from one sender due together still arrive in send order.
        self.timers.push(due_us, TimerWhat::Delayed(id));
    }

    /// A delayed message is due: into the mailbox, if its receiver still lives.
    pub(crate) fn fire_delayed(&mut self, id: u64) {
        if let Some((to, msg)) = self.hooks.delayed.remove(&id) {
            self.deliver(to, msg);
        }
    }
}
