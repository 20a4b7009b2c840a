//! Task.Supervisor (TASK-7): a DynamicSupervisor whose children are tasks, temporary
//! with shutdown 5000 ms unless told otherwise.
//!
//! ```
//! use otpsim::behaviour::dynamic_supervisor::DynSupFlags;
//! use otpsim::behaviour::gen_server::StartOpts;
//! use otpsim::behaviour::task::{supervisor as task_sup, DEFAULT_TIMEOUT};
//! use otpsim::kernel::{Sim, SimConfig};
//! use otpsim::term::{atom, Term};
//!
//! let mut sim = Sim::new(SimConfig::default());
//! sim.spawn(|ctx| async move {
//!     let sup = task_sup::start_link(&ctx, DynSupFlags::new(), StartOpts::default())
//!         .await
//!         .into_result()?;
//!     // Linked to the supervisor only: a crash reaches the caller as a result.
//!     let task = task_sup::async_nolink(&ctx, sup, |_| async { Err(atom("boom")) }).await?;
//!     assert_eq!(task.yield_(&ctx, DEFAULT_TIMEOUT).await, Some(Err(atom("boom"))));
//!     Ok(())
//! });
//! assert!(sim.run().outcome.is_normal());
//! ```

use super::{body, Task};
use crate::behaviour::dynamic_supervisor::{self, DynChildSpec, DynStartFn, DynSupFlags};
use crate::behaviour::gen_server::{ServerRef, StartOpts, StartResult};
use crate::behaviour::supervisor::{child_label, ChildPid, Restart, Shutdown};
use crate::kernel::{Ctx, SpawnOpts};
use crate::term::{atom, Atom, Pid, Term};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

/// How [`start_child`] supervises its task. Elixir's defaults: temporary, 5000 ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildOpts {
    /// When the task is restarted.
    pub restart: Restart,
    /// How it is shut down.
    pub shutdown: Shutdown,
}

impl Default for ChildOpts {
    fn default() -> ChildOpts {
        ChildOpts {
            restart: Restart::Temporary,
            shutdown: Shutdown::Timeout(5000),
        }
    }
}

/// `Task.Supervisor.start_link/1`: a dynamic supervisor with `flags` (Elixir's
/// defaults are [`DynSupFlags::new`]: 3 restarts in 5 seconds), linked to the caller.
pub async fn start_link(ctx: &Ctx, flags: DynSupFlags, opts: StartOpts) -> StartResult {
    dynamic_supervisor::start_link(ctx, flags, opts).await
}

fn spawn_opts() -> SpawnOpts {
    SpawnOpts {
        link: true,
        monitor: false,
        label: Some(child_label().unwrap_or_else(|| Atom::from_static("task"))),
    }
}

fn spec(start: DynStartFn, restart: Restart, shutdown: Shutdown) -> DynChildSpec {
    DynChildSpec::new(atom("task"), start)
        .restart(restart)
        .shutdown(shutdown)
}

/// `Task.Supervisor.start_child/3`: runs `f` in a task under `sup`, linked to the
/// supervisor only; nobody gets its result. A restart (transient or permanent) runs
/// `f` again; a task that keeps crashing ends the supervisor with `shutdown` once its
/// restart intensity is exceeded.
pub async fn start_child<F, Fut>(
    ctx: &Ctx,
    sup: impl Into<ServerRef>,
    f: F,
    opts: ChildOpts,
) -> StartResult
where
    F: Fn(Ctx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Term>> + 'static,
{
    let f = Rc::new(f);
    let start: DynStartFn = Rc::new(move |sctx: Ctx, _extra| {
        let f = f.clone();
        let (pid, _) = sctx.spawn_opt(spawn_opts(), move |tctx| async move {
            f(tctx).await.map(|_| ())
        });
        Box::pin(async move { StartResult::Ok(pid) })
    });
    dynamic_supervisor::start_child(ctx, sup, spec(start, opts.restart, opts.shutdown)).await
}

/// Starts a temporary task child that runs `f` once and replies to the caller.
async fn start_reply_child<F, Fut>(ctx: &Ctx, sup: ServerRef, f: F) -> Result<Pid, Term>
where
    F: FnOnce(Ctx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Term>> + 'static,
{
    let owner = ctx.me();
    let once = Rc::new(RefCell::new(Some(f)));
    let start: DynStartFn = Rc::new(move |sctx: Ctx, _extra| {
        let result = match once.borrow_mut().take() {
            Some(f) => {
                let (pid, _) = sctx.spawn_opt(spawn_opts(), move |tctx| body(tctx, owner, f));
                StartResult::Ok(pid)
            }
            // A temporary child is never restarted, so this start cannot run twice.
            None => StartResult::Error(atom("already_started")),
        };
        Box::pin(async move { result })
    });
    let spec = spec(start, Restart::Temporary, Shutdown::Timeout(5000));
    dynamic_supervisor::start_child(ctx, sup, spec)
        .await
        .into_result()
}

/// `Task.Supervisor.async_nolink/2` (TASK-7): a temporary task under `sup`, linked to
/// the supervisor only and monitored by the caller, so a crash is a result for
/// `await`/`yield` instead of the caller's death. `Err` when the supervisor could not
/// start it.
pub async fn async_nolink<F, Fut>(ctx: &Ctx, sup: impl Into<ServerRef>, f: F) -> Result<Task, Term>
where
    F: FnOnce(Ctx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Term>> + 'static,
{
    let pid = start_reply_child(ctx, sup.into(), f).await?;
    Ok(Task::started(ctx, pid, ctx.monitor(pid)))
}

/// `Task.Supervisor.async/2` (TASK-7): as [`async_nolink`], and linked to the caller
/// too, as `Task.async` is.
pub async fn async_<F, Fut>(ctx: &Ctx, sup: impl Into<ServerRef>, f: F) -> Result<Task, Term>
where
    F: FnOnce(Ctx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Term>> + 'static,
{
    let pid = start_reply_child(ctx, sup.into(), f).await?;
    // The task waits for its go-ahead, so it is alive to link to.
    ctx.link(pid)?;
    Ok(Task::started(ctx, pid, ctx.monitor(pid)))
}

/// `Task.Supervisor.children/1`: the running tasks' pids.
pub async fn children(ctx: &Ctx, sup: impl Into<ServerRef>) -> Vec<Pid> {
    dynamic_supervisor::which_children(ctx, sup)
        .await
        .into_iter()
        .filter_map(|c| match c.pid {
            ChildPid::Pid(p) => Some(p),
            _ => None,
        })
        .collect()
}
