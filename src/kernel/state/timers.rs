//! Wake-ups, `send_after` timers and the timer queue's housekeeping.

use super::*;

/// False for a timer entry that would be ignored when it fires: a cancelled user
/// timer, a delivered delayed message, a wake-up for a wait that already ended.
fn timer_live(
    slots: &[Slot],
    user: &BTreeMap<Ref, UserTimer>,
    hooks: &Hooks,
    e: &crate::kernel::timers::TimerEntry,
) -> bool {
    match e.what {
        TimerWhat::User(r) => user.contains_key(&r),
        TimerWhat::Delayed(id) => hooks.delayed_pending(id),
        TimerWhat::Wake { pid, wait_serial } => slots
            .get(pid.slot as usize)
            .filter(|s| s.serial == pid.serial && s.alive)
            .is_some_and(|s| s.proc.wait_serial == wait_serial),
    }
}

impl Kernel {
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

    pub(super) fn purge_timers(&mut self) {
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
            .filter(|(_, s)| s.alive)
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
