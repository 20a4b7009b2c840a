//! `Sim`: the single-threaded executor that owns a run.
//!
//! The loop: run every runnable process, in FIFO order (or the order a perturbed
//! [`Schedule`] picks), until none is left; then move
//! the clock to the earliest timer and fire it; repeat until nothing is pending, the run
//! reaches its end time, or a limit stops it.

use super::body::{self, Body};
use super::buggify::{Buggify, BuggifyConfig};
use super::ctx::{spawn_into, Ctx, SpawnOpts};
use super::limits::{Limits, Outcome};
use super::panics::{self, StopNow};
use super::process::ProcResult;
use super::schedule::{Schedule, Scheduler};
use super::state::Kernel;
use crate::term::{Atom, Pid, Term};
use crate::trace::Event;
use std::cell::RefCell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// How to set up a run.
#[derive(Clone, Debug, Default)]
pub struct SimConfig {
    /// The seed every random stream derives from.
    pub seed: u64,
    /// The run's bounds.
    pub limits: Limits,
    /// Keep every event in memory (for writing a trace). The fingerprint is the same
    /// either way.
    pub record: bool,
    /// The order of processes runnable at the same instant ([`Schedule::Fifo`] unless
    /// exploring for ordering races).
    pub schedule: Schedule,
}

/// What a run (or a leg of one) ended with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// Why it stopped.
    pub outcome: Outcome,
    /// The fingerprint of every event so far.
    pub fingerprint: u64,
    /// How many events so far.
    pub events: u64,
    /// The virtual time reached, in microseconds.
    pub virtual_time_us: u64,
}

/// A simulation: a kernel plus the executor that drives it.
pub struct Sim {
    kernel: Rc<RefCell<Kernel>>,
}

enum Step {
    /// A process needs polling.
    Poll(Pid, Body),
    /// Something happened that needed no poll; look again.
    Again,
    /// Nothing is runnable and the next timer lies beyond the end (or there is none).
    Idle,
    /// The run has stopped with this outcome (a limit, or the stop a process caused).
    Stopped(Outcome),
}

impl Sim {
    /// A new, empty simulation at virtual time 0.
    pub fn new(config: SimConfig) -> Sim {
        panics::install_quiet_hook();
        let mut kernel = Kernel::new(config.seed, config.limits, config.record);
        kernel.scheduler = Scheduler::new(config.schedule, config.seed);
        Sim {
            kernel: Rc::new(RefCell::new(kernel)),
        }
    }

    /// The kernel, for white-box tests of its bookkeeping.
    #[cfg(test)]
    pub(crate) fn kernel_for_tests(&self) -> std::cell::Ref<'_, Kernel> {
        self.kernel.borrow()
    }

    /// Switches BUGGIFY injection points on for this run ([`Ctx::buggify`]); call it
    /// before the run starts, so every site sees the same configuration.
    pub fn enable_buggify(&mut self, config: BuggifyConfig) {
        let mut k = self.kernel.borrow_mut();
        let seed = k.seed;
        k.buggify = Some(Box::new(Buggify::new(config, seed)));
    }

    /// Spawns a top-level process (one with no parent).
    pub fn spawn<F, Fut>(&mut self, body: F) -> Pid
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = ProcResult> + 'static,
    {
        spawn_into(&self.kernel, None, SpawnOpts::default(), body).0
    }

    /// Spawns a top-level process with a label.
    pub fn spawn_labelled<F, Fut>(&mut self, label: &str, body: F) -> Pid
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = ProcResult> + 'static,
    {
        let opts = SpawnOpts {
            label: Some(Atom::new(label)),
            ..SpawnOpts::default()
        };
        spawn_into(&self.kernel, None, opts, body).0
    }

    /// Sends a message from outside the simulation (the trace shows no sender).
    pub fn send(&mut self, to: Pid, msg: Term) {
        self.kernel.borrow_mut().send(None, to, msg);
    }

    /// Runs until nothing is left to do, or a limit stops the run (including
    /// `max_virtual_time_us`, which ends it as `DurationReached`).
    pub fn run(&mut self) -> RunReport {
        let end = self.kernel.borrow().limits.max_virtual_time_us;
        self.run_until(end)
    }

    /// Runs until virtual time `end_us` (events at `end_us` itself still happen), until
    /// nothing is left to do, or until a limit stops the run. The run can be continued
    /// with another call.
    pub fn run_until(&mut self, end_us: u64) -> RunReport {
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        let outcome = loop {
            match self.next_step(end_us) {
                Step::Poll(pid, body) => self.poll(pid, body, &mut cx),
                Step::Again => {}
                Step::Stopped(stop) => break stop,
                Step::Idle => {
                    let mut k = self.kernel.borrow_mut();
                    if k.timers.peek_time().is_some() {
                        k.now_us = k.now_us.max(end_us);
                        break Outcome::DurationReached { at_us: end_us };
                    }
                    break Outcome::Quiescent;
                }
            }
        };
        let k = self.kernel.borrow();
        RunReport {
            outcome,
            fingerprint: k.recorder.fingerprint(),
            events: k.recorder.count(),
            virtual_time_us: k.now_us,
        }
    }

    fn next_step(&mut self, end_us: u64) -> Step {
        let mut k = self.kernel.borrow_mut();
        if let Some(stop) = &k.stop {
            return Step::Stopped(stop.clone());
        }
        let next = {
            let kr = &mut *k;
            match kr.scheduler.as_deref_mut() {
                None => kr.run_queue.pop_front(),
                Some(s) => s.pick(&mut kr.run_queue),
            }
        };
        if let Some(pid) = next {
            let any_suspended = k.hooks.any_suspended();
            let Some(p) = k.proc_mut(pid) else {
                return Step::Again;
            };
            p.queued = false;
            if let Some(reason) = p.pending_exit.take() {
                let body = k.terminate(pid, reason);
                drop(k);
                if let Some(body) = body {
                    body::recycle(body);
                }
                return Step::Again;
            }
            // Exit signals act on a suspended process (above); nothing else runs it
            // until it is resumed (probe kernel/fault_hooks/suspend_process).
            let p = if any_suspended {
                if k.skip_if_suspended(pid) {
                    return Step::Again;
                }
                match k.proc_mut(pid) {
                    Some(p) => p,
                    None => return Step::Again,
                }
            } else {
                p
            };
            return match p.body.take() {
                Some(body) => {
                    k.running = Some(pid);
                    Step::Poll(pid, body)
                }
                None => Step::Again,
            };
        }
        k.flush_timers();
        match k.timers.peek_time() {
            Some(at) if at <= end_us => {
                let entry = k.timers.pop().expect("peeked");
                k.now_us = k.now_us.max(entry.at_us);
                k.fire(entry.what);
                Step::Again
            }
            _ => Step::Idle,
        }
    }

    /// Polls `pid`'s body; `next_step` has already marked it as running.
    fn poll(&mut self, pid: Pid, mut body: Body, cx: &mut Context<'_>) {
        let result = panics::polling(|| {
            std::panic::catch_unwind(AssertUnwindSafe(|| body.as_mut().poll_body(cx)))
        });
        let mut k = self.kernel.borrow_mut();
        k.running = None;
        k.abort_running = false;
        let leftover = match result {
            Ok(Poll::Pending) => match k.proc_mut(pid) {
                Some(p) => match p.pending_exit.take() {
                    Some(reason) => k.terminate(pid, reason).or(Some(body)),
                    None => {
                        p.body = Some(body);
                        None
                    }
                },
                None => Some(body),
            },
            Ok(Poll::Ready(result)) => {
                let reason = k
                    .proc_mut(pid)
                    .and_then(|p| p.pending_exit.take())
                    .unwrap_or_else(|| result.err().unwrap_or(Term::NORMAL));
                k.terminate(pid, reason);
                Some(body)
            }
            Err(payload) if payload.is::<StopNow>() => {
                // Without a pending exit the run hit a limit: leave the process as it is.
                if let Some(reason) = k.proc_mut(pid).and_then(|p| p.pending_exit.take()) {
                    k.terminate(pid, reason);
                }
                Some(body)
            }
            Err(payload) => {
                let reason = panics::reason_of(payload.as_ref());
                k.terminate(pid, reason);
                Some(body)
            }
        };
        drop(k);
        if let Some(body) = leftover {
            body::recycle(body);
        }
    }

    // ----- inspection (for tests, the CLI and benchmarks) ---------------------------

    /// The current virtual time in microseconds.
    pub fn now_us(&self) -> u64 {
        self.kernel.borrow().now_us
    }

    /// True while `pid` has not terminated.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.kernel.borrow().is_alive(pid)
    }

    /// How many processes are alive.
    pub fn live_processes(&self) -> u32 {
        self.kernel.borrow().live_count()
    }

    /// A copy of `pid`'s mailbox, oldest first (empty for a dead process).
    pub fn mailbox(&self, pid: Pid) -> Vec<Term> {
        self.kernel
            .borrow()
            .proc(pid)
            .map(|p| p.mailbox.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// `pid`'s link partners in spawn order.
    pub fn links(&self, pid: Pid) -> Vec<Pid> {
        self.kernel
            .borrow()
            .proc(pid)
            .map(|p| p.links.iter().map(|(pid, ())| *pid).collect())
            .unwrap_or_default()
    }

    /// How many monitors `pid` holds on other processes.
    pub fn monitors_held(&self, pid: Pid) -> usize {
        self.kernel
            .borrow()
            .proc(pid)
            .map_or(0, |p| p.monitoring.len())
    }

    /// `whereis(Name)` from outside.
    pub fn whereis(&self, name: &Atom) -> Option<Pid> {
        self.kernel.borrow().names.get(name).copied()
    }

    /// The fingerprint of every event so far.
    pub fn fingerprint(&self) -> u64 {
        self.kernel.borrow().recorder.fingerprint()
    }

    /// The kept events (empty unless `record` was set).
    pub fn events(&self) -> Vec<Event> {
        self.kernel.borrow().recorder.events().to_vec()
    }

    /// Takes the kept events out of the simulation.
    pub fn take_events(&mut self) -> Vec<Event> {
        self.kernel.borrow_mut().recorder.take_events()
    }
}
