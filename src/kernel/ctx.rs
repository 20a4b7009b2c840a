//! `Ctx`: what a process can do. Every primitive of the kernel's public API is a method
//! here; behaviours and models are written against nothing else.

use super::limits::Outcome;
use super::panics::StopNow;
use super::process::ProcResult;
use super::rng::{self, Stream};
use super::state::Kernel;
use super::wait::{Receive, Sleep};
use crate::term::{atom, Atom, Pid, Ref, Term};
use crate::trace::{EventKind, Via};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

/// How to spawn a process: linked and/or monitored by the spawner, with a label.
#[derive(Clone, Debug, Default)]
pub struct SpawnOpts {
    /// Link the new process to the spawner, atomically (SIG-6).
    pub link: bool,
    /// Monitor the new process from the spawner.
    pub monitor: bool,
    /// A human label for traces and reports (a child id or a tree path). An atom, so
    /// that a supervisor restarting a child under the same path builds nothing:
    /// `Some("root/db".into())` interns a name.
    pub label: Option<Atom>,
}

/// A process's handle on the kernel. Cheap to clone; every clone acts as the same
/// process.
///
/// Methods take effect at once, in virtual time, and never block; the `async` ones
/// (`recv*`, `sleep`, `work`) suspend the process until the kernel resumes it.
#[derive(Clone)]
pub struct Ctx {
    pub(crate) kernel: Rc<RefCell<Kernel>>,
    pub(crate) me: Pid,
}

impl Ctx {
    /// This process's pid (`self()`).
    pub fn me(&self) -> Pid {
        self.me
    }

    /// The current virtual time in microseconds.
    pub fn now_us(&self) -> u64 {
        self.kernel.borrow().now_us
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.kernel.borrow().seed
    }

    /// The random stream called `name`, derived from the run seed. Each call starts the
    /// stream afresh, so a process should take its stream once and keep it.
    pub fn rng(&self, name: &str) -> Stream {
        rng::stream(self.seed(), name)
    }

    /// Ends the current process's poll at once when the run has hit a limit (so even a
    /// process that never awaits cannot run past it), or when this process has a fatal
    /// signal pending (it sent one to itself).
    pub(crate) fn abort_if_stopped(&self) {
        let stop = {
            let k = self.kernel.borrow();
            k.stop.is_some() || k.abort_running
        };
        if stop {
            std::panic::panic_any(StopNow);
        }
    }

    // ----- spawning ----------------------------------------------------------------

    /// Spawns a process running `body` with the given options; returns its pid and the
    /// monitor reference when `opts.monitor` is set.
    pub fn spawn_opt<F, Fut>(&self, opts: SpawnOpts, body: F) -> (Pid, Option<Ref>)
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = ProcResult> + 'static,
    {
        let result = spawn_into(&self.kernel, Some(self.me), opts, body);
        self.abort_if_stopped();
        result
    }

    /// `spawn/1`.
    pub fn spawn<F, Fut>(&self, body: F) -> Pid
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = ProcResult> + 'static,
    {
        self.spawn_opt(SpawnOpts::default(), body).0
    }

    /// `spawn_link/1`: the link exists from the first instant (SIG-6).
    pub fn spawn_link<F, Fut>(&self, body: F) -> Pid
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = ProcResult> + 'static,
    {
        self.spawn_opt(
            SpawnOpts {
                link: true,
                ..SpawnOpts::default()
            },
            body,
        )
        .0
    }

    /// `spawn_monitor/1`.
    pub fn spawn_monitor<F, Fut>(&self, body: F) -> (Pid, Ref)
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = ProcResult> + 'static,
    {
        let (pid, mref) = self.spawn_opt(
            SpawnOpts {
                monitor: true,
                ..SpawnOpts::default()
            },
            body,
        );
        (pid, mref.unwrap_or(Ref(0)))
    }

    /// True while `pid` has not terminated (`is_process_alive/1`).
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.kernel.borrow().is_alive(pid)
    }

    // ----- messages ----------------------------------------------------------------

    /// `Pid ! Msg`. Never fails; a message to a dead process is lost.
    pub fn send(&self, to: Pid, msg: Term) {
        let stop = {
            let mut k = self.kernel.borrow_mut();
            k.send(Some(self.me), to, msg);
            k.stop.is_some() || k.abort_running
        };
        if stop {
            std::panic::panic_any(StopNow);
        }
    }

    /// `Name ! Msg`: `Err(badarg)` when no process has the name (NAME-3).
    pub fn send_named(&self, name: &Atom, msg: Term) -> Result<(), Term> {
        let r = self
            .kernel
            .borrow_mut()
            .send_named(Some(self.me), name, msg);
        self.abort_if_stopped();
        r
    }

    /// Sends `msg` to `to` through the alias `alias`: dropped, with a `drop` trace
    /// event, unless the alias is still active in `to` (GS-7).
    pub fn send_alias(&self, to: Pid, alias: Ref, msg: Term) {
        self.kernel
            .borrow_mut()
            .send_alias(Some(self.me), to, alias, msg);
        self.abort_if_stopped();
    }

    /// Waits for any message.
    pub async fn recv(&self) -> Term {
        // With no timeout the receive can only end with a message.
        match Receive::new(self, |_: &Term| true, None).await {
            Some(msg) => msg,
            None => Term::UNDEFINED,
        }
    }

    /// Waits for any message for at most `timeout_us` of virtual time; `None` on timeout.
    /// A timeout of 0 takes a queued message or returns at once (PROC-4).
    pub fn recv_timeout(&self, timeout_us: u64) -> Receive<'_, fn(&Term) -> bool> {
        Receive::new(self, |_: &Term| true, Some(timeout_us))
    }

    /// Selective receive: waits for the first message, in arrival order, for which
    /// `matches` is true; others stay queued (PROC-4). `timeout_us` of `None` waits
    /// for ever. `matches` runs inside the kernel and must not call `Ctx` methods.
    pub fn recv_match<F>(&self, matches: F, timeout_us: Option<u64>) -> Receive<'_, F>
    where
        F: FnMut(&Term) -> bool + Unpin,
    {
        Receive::new(self, matches, timeout_us)
    }

    /// Spends `duration_us` of virtual time doing nothing; messages wait.
    pub fn sleep(&self, duration_us: u64) -> Sleep<'_> {
        Sleep::new(self, duration_us)
    }

    /// Spends `duration_us` of virtual time busy (a slow handler); the same mechanism
    /// as [`Ctx::sleep`], named for what the model means.
    pub fn work(&self, duration_us: u64) -> Sleep<'_> {
        Sleep::new(self, duration_us)
    }

    /// A receive mark: pass it to [`Receive::since_mark`] to look only at messages that
    /// arrive from now on.
    pub fn mailbox_mark(&self) -> u64 {
        self.kernel
            .borrow()
            .proc(self.me)
            .map_or(0, |p| p.delivered)
    }

    /// The messages waiting in this process's mailbox, oldest first.
    pub fn mailbox_len(&self) -> usize {
        self.kernel
            .borrow()
            .proc(self.me)
            .map_or(0, |p| p.mailbox.len())
    }

    // ----- signals -----------------------------------------------------------------

    /// `exit(Pid, Reason)`: sends an exit signal (SIG-3). A fatal signal sent to this
    /// process itself ends it inside the call: no further statement runs, as in OTP
    /// (fixture tests/otp_fixtures/kernel/exit_self.out).
    pub fn exit(&self, to: Pid, reason: Term) {
        self.kernel
            .borrow_mut()
            .exit_signal(self.me, to, reason, Via::ExitCall);
        self.abort_if_stopped();
    }

    /// `process_flag(trap_exit, On)`; returns the old value.
    pub fn trap_exit(&self, on: bool) -> bool {
        let mut k = self.kernel.borrow_mut();
        let me = self.me;
        let old = k
            .proc_mut(me)
            .map(|p| std::mem::replace(&mut p.trap_exit, on))
            .unwrap_or(false);
        if old != on {
            k.emit(EventKind::TrapExit { pid: me, on });
        }
        old
    }

    /// `link/1`: `Err(noproc)` when `other` is dead and this process does not trap
    /// exits; a trapping process gets `{'EXIT', Other, noproc}` instead (SIG-2).
    pub fn link(&self, other: Pid) -> Result<(), Term> {
        let r = self.kernel.borrow_mut().link(self.me, other);
        self.abort_if_stopped();
        r
    }

    /// `unlink/1` (SIG-1). An `EXIT` already queued stays in the mailbox.
    pub fn unlink(&self, other: Pid) {
        self.kernel.borrow_mut().unlink(self.me, other);
    }

    /// `monitor(process, Pid)` (MON-1, MON-2).
    pub fn monitor(&self, target: Pid) -> Ref {
        let r = self
            .kernel
            .borrow_mut()
            .monitor(self.me, Some(target), Term::Pid(target));
        self.abort_if_stopped();
        r
    }

    /// `monitor(process, Pid, [{alias, demonitor}])`, as `gen_server:call` uses it: the
    /// monitor reference is also an alias of this process until `demonitor` or the
    /// `DOWN` (GS-7); the same as [`Ctx::monitor`] then [`Ctx::activate_alias`].
    pub fn monitor_alias(&self, target: Pid) -> Ref {
        let r = self.kernel.borrow_mut().monitor_alias(self.me, target);
        self.abort_if_stopped();
        r
    }

    /// `monitor(process, Name)`: the `DOWN` names `{Name, nonode@nohost}` (MON-1).
    pub fn monitor_name(&self, name: &Atom) -> Ref {
        let mut k = self.kernel.borrow_mut();
        let target = k.names.get(name).copied();
        let object = Term::tuple_of([Term::Atom(name.clone()), atom("nonode@nohost")]);
        let r = k.monitor(self.me, target, object);
        drop(k);
        self.abort_if_stopped();
        r
    }

    /// `demonitor(Ref)` or, with `flush`, `demonitor(Ref, [flush])` (MON-4). Always
    /// returns true, as OTP does.
    pub fn demonitor(&self, mref: Ref, flush: bool) -> bool {
        self.kernel.borrow_mut().demonitor(self.me, mref, flush);
        true
    }

    /// A fresh reference (`make_ref/0`).
    pub fn make_ref(&self) -> Ref {
        self.kernel.borrow_mut().make_ref()
    }

    /// Activates a new alias for this process (`alias/0`).
    pub fn alias(&self) -> Ref {
        let mut k = self.kernel.borrow_mut();
        let r = k.make_ref();
        if let Some(p) = k.proc_mut(self.me) {
            p.aliases.push(r);
        }
        r
    }

    /// Makes `mref` (usually a monitor reference) an active alias of this process, as
    /// `monitor(process, P, [{alias, demonitor}])` does: demonitoring, or the monitor's
    /// `DOWN`, turns it off.
    /// A monitor that has already fired (its target was dead) gives no alias.
    pub fn activate_alias(&self, mref: Ref) {
        if let Some(p) = self.kernel.borrow_mut().proc_mut(self.me) {
            if p.monitoring.contains_key(&mref) {
                p.aliases.push(mref);
            }
        }
    }

    /// Turns an alias off (`unalias/1`); later messages through it are dropped.
    pub fn unalias(&self, alias: Ref) -> bool {
        let mut k = self.kernel.borrow_mut();
        let Some(p) = k.proc_mut(self.me) else {
            return false;
        };
        let before = p.aliases.len();
        p.aliases.retain(|a| *a != alias);
        p.aliases.len() != before
    }

    // ----- names -------------------------------------------------------------------

    /// `register(Name, Pid)`: `Err(badarg)` when the name is taken, the pid already has
    /// a name, or the pid is dead (NAME-1).
    pub fn register(&self, name: Atom, pid: Pid) -> Result<(), Term> {
        let r = self.kernel.borrow_mut().register(name, pid);
        self.abort_if_stopped();
        r
    }

    /// `unregister(Name)`: `Err(badarg)` when the name is not registered.
    pub fn unregister(&self, name: &Atom) -> Result<(), Term> {
        self.kernel.borrow_mut().unregister(name)
    }

    /// `whereis(Name)`.
    pub fn whereis(&self, name: &Atom) -> Option<Pid> {
        self.kernel.borrow().names.get(name).copied()
    }

    // ----- timers ------------------------------------------------------------------

    /// `erlang:send_after(Delay, Pid, Msg)`, the delay in microseconds of virtual time.
    pub fn send_after(&self, delay_us: u64, to: Pid, msg: Term) -> Ref {
        self.kernel
            .borrow_mut()
            .start_timer(delay_us, Term::Pid(to), msg)
    }

    /// `erlang:send_after(Delay, Name, Msg)`: the name is looked up when the timer
    /// fires; if nobody holds it then, the message is lost.
    pub fn send_after_named(&self, delay_us: u64, to: Atom, msg: Term) -> Ref {
        self.kernel
            .borrow_mut()
            .start_timer(delay_us, Term::Atom(to), msg)
    }

    /// `erlang:cancel_timer/1`: the microseconds that were left, or `None` when the
    /// timer already fired (its message then stays in the mailbox, PROC-5).
    pub fn cancel_timer(&self, tref: Ref) -> Option<u64> {
        self.kernel.borrow_mut().cancel_timer(tref)
    }

    /// `erlang:read_timer/1`: microseconds left, or `None` when the timer is gone.
    pub fn read_timer(&self, tref: Ref) -> Option<u64> {
        self.kernel.borrow().read_timer(tref)
    }

    // ----- shared tables ---------------------------------------------------------

    /// Creates the named table `name`, owned by this process, holding `value`: the
    /// simulation's counterpart of a named ETS table. Other processes read it at once,
    /// without a message (as Registry lookups read ETS in the caller, REG-1). The table
    /// is dropped when its owner dies. `Err(badarg)` when the name is taken.
    pub fn table_new(&self, name: Atom, value: Rc<dyn std::any::Any>) -> Result<(), Term> {
        let mut k = self.kernel.borrow_mut();
        if k.tables.contains_key(&name) {
            return Err(crate::term::atom("badarg"));
        }
        k.tables.insert(name, (self.me, value));
        Ok(())
    }

    /// The table called `name`, if it exists and holds a `T`.
    pub fn table<T: 'static>(&self, name: &Atom) -> Option<Rc<T>> {
        let value = self.kernel.borrow().tables.get(name)?.1.clone();
        value.downcast::<T>().ok()
    }

    /// Deletes the table `name` if this process owns it; true when it did.
    pub fn table_delete(&self, name: &Atom) -> bool {
        let mut k = self.kernel.borrow_mut();
        match k.tables.get(name) {
            Some((owner, _)) if *owner == self.me => k.tables.remove(name).is_some(),
            _ => false,
        }
    }

    /// Takes the kernel steps of `steps` (sends, monitors, aliases...) without their
    /// own trace events, because an event of the caller's vocabulary stands for the
    /// protocol step they make up (ADR 003): `gen_server:call`'s `call` event stands
    /// for the monitor, the alias and the request message.
    ///
    /// The steps still happen in full. Use it only where the caller's event says
    /// everything the left-out events would (who, to whom, what, which reference), so
    /// the trace stays a complete account of the run.
    pub fn folded<R>(&self, steps: impl FnOnce() -> R) -> R {
        /// Lowers the counter even when a step unwinds (the run hit a limit).
        struct Unfold<'a>(&'a Ctx);
        impl Drop for Unfold<'_> {
            fn drop(&mut self) {
                self.0.kernel.borrow_mut().folded -= 1;
            }
        }
        self.kernel.borrow_mut().folded += 1;
        let guard = Unfold(self);
        let r = steps();
        drop(guard);
        self.abort_if_stopped();
        r
    }

    // ----- trace -------------------------------------------------------------------

    /// Adds an event to the trace at the current virtual time. Behaviours use this for
    /// their own vocabulary (gen_server, supervisor reports).
    #[inline]
    pub fn emit(&self, kind: EventKind) {
        self.kernel.borrow_mut().emit(kind);
        self.abort_if_stopped();
    }

    /// Adds an event given as a borrowed view ([`crate::trace::hot`]): hashed without
    /// cloning its terms; `make` builds the owned event only when events are kept. The
    /// same trace and fingerprint as [`Ctx::emit`] with `make()`, for hot paths.
    #[inline]
    pub fn emit_view<V: crate::trace::hot::HotView>(
        &self,
        view: &V,
        make: impl FnOnce() -> EventKind,
    ) {
        self.kernel.borrow_mut().emit_view(view, make);
        self.abort_if_stopped();
    }

    /// Why the run is stopping, if it is.
    pub fn stopping(&self) -> Option<Outcome> {
        self.kernel.borrow().stop.clone()
    }

    // ----- process inspection (added for the application controller, #4) ----------

    /// Every live process, in spawn order (`erlang:processes/0`). The application
    /// controller uses it to halt the node (APP-5).
    pub fn processes(&self) -> Vec<Pid> {
        self.kernel.borrow().live_pids()
    }

    /// `pid`'s link partners in spawn order (`process_info(Pid, links)`); empty for a
    /// dead process.
    pub fn links_of(&self, pid: Pid) -> Vec<Pid> {
        self.kernel.borrow().links_of(pid)
    }
}

/// Spawns into `kernel`: reserve the pid, build the body outside the borrow (building
/// it may run user code), then install it.
pub(crate) fn spawn_into<F, Fut>(
    kernel: &Rc<RefCell<Kernel>>,
    parent: Option<Pid>,
    opts: SpawnOpts,
    body: F,
) -> (Pid, Option<Ref>)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ProcResult> + 'static,
{
    let reserved = kernel.borrow_mut().reserve_pid();
    let Some(pid) = reserved else {
        // The process limit is reached and the run is stopping: hand back a pid that
        // names no process, which behaves as a dead one.
        return (
            Pid {
                slot: u32::MAX,
                serial: 0,
            },
            None,
        );
    };
    let ctx = Ctx {
        kernel: kernel.clone(),
        me: pid,
    };
    let fut = super::body::boxed(body(ctx));
    kernel
        .borrow_mut()
        .install(pid, fut, parent, opts.link, opts.monitor, opts.label)
        .map_or((pid, None), |r| (pid, Some(r)))
}
