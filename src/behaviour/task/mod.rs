//! Task: a process that computes one value for its owner (semantics reference section
//! 8, TASK-1 to TASK-6), and [`async_stream`] (TASK-8).
//!
//! [`Task::async_`] spawns the task linked to the caller and monitors it with an
//! alias; the task sends `{Ref, Result}` and exits `normal`. The owner then collects
//! the result with [`Task::await_`], [`Task::yield_`] or [`Task::shutdown`], which
//! return what Elixir's `Task.await/yield/shutdown` return, as terms. A task body is an
//! `async` closure returning `Ok(value)` or `Err(reason)`, the task's exit reason; a
//! panic in it is a crash with reason `{panic, Message}`. [`supervisor`] is
//! Task.Supervisor (TASK-7), for tasks that must not take their caller down.
//!
//! ```
//! use otpsim::behaviour::task::Task;
//! use otpsim::kernel::{ms, Sim, SimConfig};
//! use otpsim::term::Term;
//!
//! let mut sim = Sim::new(SimConfig::default());
//! sim.spawn(|ctx| async move {
//!     let task = Task::async_(&ctx, |tctx| async move {
//!         tctx.work(ms(20)).await;
//!         Ok(Term::Int(42))
//!     });
//!     assert_eq!(task.await_(&ctx, Some(5000)).await?, Term::Int(42));
//!     assert_eq!(ctx.now_us(), ms(20));
//!     Ok(())
//! });
//! assert!(sim.run().outcome.is_normal());
//! ```

mod stream;
pub mod supervisor;

pub use stream::{async_stream, AsyncStream, OnTimeout, StreamOpts};

use crate::behaviour::supervisor::Shutdown;
use crate::kernel::{ms, Ctx, ProcResult, SpawnOpts};
use crate::term::{atom, Pid, Ref, Term};
use std::future::Future;

/// A running task, as Elixir's `%Task{}`: its pid, the monitor reference its reply
/// comes tagged with, and the owner, the only process that may collect the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    /// The task process.
    pub pid: Pid,
    /// The monitor (and alias) the reply is tagged with.
    pub mref: Ref,
    /// The process that started it.
    pub owner: Pid,
}

/// The default timeout of `await` and `yield`: 5000 ms (TASK-2, TASK-5).
pub const DEFAULT_TIMEOUT: Option<u64> = Some(5000);

fn timeout_term(timeout_ms: Option<u64>) -> Term {
    timeout_ms.map_or(atom("infinity"), |t| Term::Int(t as i64))
}

fn is_reply(m: &Term, mref: Ref) -> bool {
    matches!(m.as_tuple(), Some([Term::Ref(r), _]) if *r == mref)
}

fn is_down(m: &Term, mref: Ref) -> bool {
    matches!(m.as_tuple(), Some([d, Term::Ref(r), _, _, _]) if *r == mref && d.is_atom("DOWN"))
}

fn second(m: &Term) -> Term {
    m.as_tuple().map_or(Term::UNDEFINED, |t| t[1].clone())
}

fn is_go(m: &Term, owner: Pid) -> bool {
    matches!(m.as_tuple(), Some([Term::Pid(p), Term::Ref(_), _]) if *p == owner)
}

fn down_reason(m: &Term) -> Term {
    m.as_tuple().map_or(Term::UNDEFINED, |t| t[4].clone())
}

/// A task process's body: wait for the owner's go-ahead `{Owner, Ref, Ref}` (Elixir's
/// Task.Supervised sends the same before it runs the function), run `f`, send `{Ref,
/// Value}` through the owner's alias and exit `normal`, or exit with `f`'s error.
pub(crate) async fn body<F, Fut>(ctx: Ctx, owner: Pid, f: F) -> ProcResult
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = Result<Term, Term>>,
{
    let start = ctx.recv_match(move |m| is_go(m, owner), None).await;
    let Some(Term::Ref(mref)) = start
        .as_ref()
        .and_then(|m| m.as_tuple())
        .map(|t| t[1].clone())
    else {
        return Err(Term::tagged("bad_start", start.unwrap_or(Term::UNDEFINED)));
    };
    let value = f(ctx.clone()).await?;
    ctx.send_alias(owner, mref, Term::tuple_of([Term::Ref(mref), value]));
    Ok(())
}

impl Task {
    /// `Task.async/1` (TASK-1): runs `f` in a new process linked to the caller and
    /// monitored by it with an alias.
    pub fn async_<F, Fut>(ctx: &Ctx, f: F) -> Task
    where
        F: FnOnce(Ctx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Term>> + 'static,
    {
        let owner = ctx.me();
        let opts = SpawnOpts {
            link: true,
            monitor: true,
            label: None,
        };
        let (pid, mref) = ctx.spawn_opt(opts, move |tctx| body(tctx, owner, f));
        Task::started(ctx, pid, mref.unwrap_or(Ref(0)))
    }

    /// Finishes a start: the monitor becomes an alias, and the task gets its go-ahead.
    pub(crate) fn started(ctx: &Ctx, pid: Pid, mref: Ref) -> Task {
        ctx.activate_alias(mref);
        let owner = ctx.me();
        ctx.send(
            pid,
            Term::tuple_of([Term::Pid(owner), Term::Ref(mref), Term::Ref(mref)]),
        );
        Task { pid, mref, owner }
    }

    /// The task as a term: `{'Elixir.Task', Owner, Pid, Ref}` (Elixir's struct, without
    /// its `mfa`, which a Rust closure does not have).
    pub fn to_term(&self) -> Term {
        Term::tuple_of([
            atom("Elixir.Task"),
            Term::Pid(self.owner),
            Term::Pid(self.pid),
            Term::Ref(self.mref),
        ])
    }

    /// Elixir's `ArgumentError` for a query from another process than the owner.
    fn check_owner(&self, ctx: &Ctx) {
        if ctx.me() != self.owner {
            let pid = |p: Pid| format!("#PID<0.{}.0>", p.serial());
            panic!(
                "task %Task{{mfa: {{:erlang, :apply, 2}}, owner: {}, pid: {}, ref: #Reference<0.0.0.{}>}} \
                 must be queried from the owner but was queried from {}",
                pid(self.owner),
                pid(self.pid),
                self.mref.0,
                pid(ctx.me())
            );
        }
    }

    fn exit_reason(&self, function: &'static str, reason: Term, arg: Term) -> Term {
        let mfa = Term::tuple_of([
            atom("Elixir.Task"),
            atom(function),
            Term::list([self.to_term(), arg]),
        ]);
        Term::tuple_of([reason, mfa])
    }

    /// `Task.await/2` (TASK-2, TASK-3): the task's result, or `Err` with the exit
    /// reason Elixir's caller would exit with: `{Reason, {'Elixir.Task', await, [Task,
    /// Timeout]}}` when the task died first (Reason is its exit reason) or `timeout`
    /// passed. A timeout does not kill the task; its late reply is dropped.
    ///
    /// # Panics
    ///
    /// When called from another process than the owner, as Elixir raises
    /// `ArgumentError`.
    pub async fn await_(&self, ctx: &Ctx, timeout_ms: Option<u64>) -> Result<Term, Term> {
        self.check_owner(ctx);
        let mref = self.mref;
        let got = ctx
            .recv_match(
                move |m| is_reply(m, mref) || is_down(m, mref),
                timeout_ms.map(ms),
            )
            .await;
        match got {
            Some(m) if is_reply(&m, mref) => {
                ctx.demonitor(mref, true);
                Ok(second(&m))
            }
            Some(down) => {
                Err(self.exit_reason("await", down_reason(&down), timeout_term(timeout_ms)))
            }
            None => {
                // Demonitoring turns the alias off: a late reply is dropped (TASK-3).
                ctx.demonitor(mref, true);
                Err(self.exit_reason("await", Term::TIMEOUT, timeout_term(timeout_ms)))
            }
        }
    }

    /// `Task.yield/2` (TASK-5): `Some(Ok(reply))` (`{ok, Reply}`), `Some(Err(reason))`
    /// when the task died first (`{exit, Reason}`), or `None` (`nil`) when `timeout`
    /// passed; the task then keeps running and can be yielded again.
    ///
    /// # Panics
    ///
    /// When called from another process than the owner (Elixir's `ArgumentError`).
    pub async fn yield_(&self, ctx: &Ctx, timeout_ms: Option<u64>) -> Option<Result<Term, Term>> {
        self.check_owner(ctx);
        let mref = self.mref;
        let got = ctx
            .recv_match(
                move |m| is_reply(m, mref) || is_down(m, mref),
                timeout_ms.map(ms),
            )
            .await?;
        if is_reply(&got, mref) {
            ctx.demonitor(mref, true);
            Some(Ok(second(&got)))
        } else {
            Some(Err(down_reason(&got)))
        }
    }

    /// `Task.shutdown/2` (TASK-6): unlinks the task and sends it `shutdown` (`kill`
    /// under `BrutalKill`), waits for it to go (killing it after a `Timeout`), then:
    /// `Some(Ok(reply))` if its reply came; `None` if it died of this shutdown
    /// (`shutdown`, or `killed` under `BrutalKill`); `Some(Err(reason))` if it died of
    /// something else, `Some(Err(killed))` when it had to be killed after the timeout.
    ///
    /// # Panics
    ///
    /// When called from another process than the owner (Elixir's `ArgumentError`).
    pub async fn shutdown(&self, ctx: &Ctx, how: Shutdown) -> Option<Result<Term, Term>> {
        self.check_owner(ctx);
        let (pid, mref) = (self.pid, self.mref);
        ctx.unlink(pid);
        let mon = ctx.monitor(pid);
        let (signal, ours, wait_ms) = match how {
            Shutdown::BrutalKill => (Term::KILL, Term::KILLED, None),
            Shutdown::Timeout(t) => (Term::SHUTDOWN, Term::SHUTDOWN, Some(t)),
            Shutdown::Infinity => (Term::SHUTDOWN, Term::SHUTDOWN, None),
        };
        ctx.exit(pid, signal);
        let mut down = ctx
            .recv_match(move |m| is_down(m, mon), wait_ms.map(ms))
            .await;
        if down.is_none() {
            ctx.exit(pid, Term::KILL);
            down = ctx.recv_match(move |m| is_down(m, mon), None).await;
        }
        let mut reason = down.as_ref().map_or(Term::KILLED, down_reason);
        if reason.is_atom("noproc") {
            // Dead before our monitor: the task's own monitor knows why (Elixir's
            // flush_noproc), unless an earlier await or yield already removed it.
            let own = ctx.recv_match(move |m| is_down(m, mref), Some(0)).await;
            if let Some(own) = own {
                reason = down_reason(&own);
            }
        }
        ctx.demonitor(mref, true);
        // A reply sent before the task went wins over any reason.
        let reply = ctx.recv_match(move |m| is_reply(m, mref), Some(0)).await;
        match reply {
            Some(m) => Some(Ok(second(&m))),
            None if reason == ours => None,
            None => Some(Err(reason)),
        }
    }
}
