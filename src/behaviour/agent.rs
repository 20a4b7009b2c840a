//! Agent: state behind a process, read and changed by functions that run inside it
//! (AGENT-1 to AGENT-3). As in Elixir, an agent is a GenServer: every request is a
//! `gen_server` call or cast whose request carries the function, as a fun term.
//!
//! `Agent<S>` is a typed handle: the state is any Rust type `S`, and the functions are
//! Rust closures over `&S` or `&mut S`. What a closure returns travels back inside the
//! reply, so `get` returns an `R`, not a term. A function that must spend virtual time
//! or call other processes (Elixir's funs may sleep or call) goes through
//! [`Agent::exec`], which lends it the state by value.
//!
//! ```
//! use otpsim::behaviour::agent::Agent;
//! use otpsim::behaviour::gen_server::{StartOpts, DEFAULT_TIMEOUT};
//! use otpsim::kernel::{Sim, SimConfig};
//!
//! let mut sim = Sim::new(SimConfig::default());
//! sim.spawn(|ctx| async move {
//!     let cart = Agent::start_link(&ctx, |_ctx| Vec::<&str>::new(), StartOpts::default()).await?;
//!     cart.update(&ctx, |items| items.push("apple"), DEFAULT_TIMEOUT).await?;
//!     cart.cast(&ctx, |items| items.push("pear"));
//!     let n = cart.get(&ctx, |items| items.len(), DEFAULT_TIMEOUT).await?;
//!     assert_eq!(n, 2);
//!     let first = cart.get_and_update(&ctx, |items| items.remove(0), DEFAULT_TIMEOUT).await?;
//!     assert_eq!(first, "apple");
//!     cart.stop(&ctx, otpsim::term::Term::NORMAL, None).await
//! });
//! assert!(sim.run().outcome.is_normal());
//! ```

use crate::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Response, ServerRef, StartOpts, StartResult,
};
use crate::behaviour::supervisor::{child_label, ChildSpec, StartFn};
use crate::kernel::Ctx;
use crate::term::{atom, Atom, Term};
use std::cell::RefCell;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

/// A function sent to the agent: runs once on its state, returns the reply.
type Job<S> = RefCell<Option<Box<dyn FnOnce(&mut S) -> Term>>>;

/// The function inside an [`AsyncJob`].
type AsyncFn<S> = Box<dyn FnOnce(Ctx, S) -> Pin<Box<dyn Future<Output = (Term, S)>>>>;

/// An async function sent to the agent: owns the state while it runs, then hands it
/// back with the reply.
type AsyncJob<S> = RefCell<Option<AsyncFn<S>>>;

/// The agent process's GenServer: Elixir's `Agent.Server`. The state is `None` only
/// while an [`Agent::exec`] function holds it.
struct AgentServer<S> {
    state: Option<S>,
}

impl<S: 'static> AgentServer<S> {
    /// Runs the function a `{Kind, Fun}` request carries. `None` for anything else,
    /// including a function written for another state type.
    async fn run(&mut self, ctx: &Ctx, request: &Term) -> Option<Term> {
        let [_, Term::Fun(fun)] = request.as_tuple()? else {
            return None;
        };
        if let Some(job) = fun.payload::<Job<S>>() {
            let job = job.borrow_mut().take()?;
            return Some(job(self.state.as_mut()?));
        }
        let job = fun.payload::<AsyncJob<S>>()?.borrow_mut().take()?;
        let (reply, state) = job(ctx.clone(), self.state.take()?).await;
        self.state = Some(state);
        Some(reply)
    }
}

impl<S: 'static> GenServer for AgentServer<S> {
    type Args = Box<dyn FnOnce(&Ctx) -> S>;

    /// AGENT-1: the function runs inside the agent process; a panic in it fails the
    /// start with `{error, {panic, Message}}`.
    async fn init(ctx: &Ctx, init: Self::Args) -> Init<Self> {
        Init::Ok(AgentServer {
            state: Some(init(ctx)),
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        match self.run(ctx, &request).await {
            Some(reply) => CallResponse::reply(reply),
            // An ill-typed function crashes the agent, as a bad fun does in Elixir.
            None => CallResponse::Stop {
                reason: Term::tagged("bad_call", request),
                reply: None,
            },
        }
    }

    async fn handle_cast(&mut self, ctx: &Ctx, request: Term) -> Response {
        match self.run(ctx, &request).await {
            Some(_) => Response::noreply(),
            None => Response::Stop(Term::tagged("bad_cast", request)),
        }
    }
}

/// A handle on an agent holding an `S`. Cheap to clone; it names the agent by pid or
/// by registered name.
pub struct Agent<S> {
    server: ServerRef,
    state: PhantomData<fn() -> S>,
}

impl<S> Clone for Agent<S> {
    fn clone(&self) -> Agent<S> {
        Agent {
            server: self.server.clone(),
            state: PhantomData,
        }
    }
}

impl<S> std::fmt::Debug for Agent<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Agent({})", self.server.to_term())
    }
}

/// Turns a `gen_server` client exit into the one Elixir's `GenServer` gives:
/// `{Reason, {'Elixir.GenServer', Function, Args}}` (AGENT-2).
fn as_elixir(reason: Term) -> Term {
    match reason.as_tuple() {
        Some([r, mfa]) => match mfa.as_tuple() {
            Some([m, f, args]) if m.is_atom("gen_server") => Term::tuple_of([
                r.clone(),
                Term::tuple_of([atom("Elixir.GenServer"), f.clone(), args.clone()]),
            ]),
            _ => reason,
        },
        _ => reason,
    }
}

fn request<S: 'static>(kind: &'static str, job: Box<dyn FnOnce(&mut S) -> Term>) -> Term {
    let name = match kind {
        "get" => "agent.get",
        "update" => "agent.update",
        "get_and_update" => "agent.get_and_update",
        _ => "agent.cast",
    };
    Term::tagged(kind, Term::fun(name, Job::<S>::new(Some(job))))
}

/// Wraps a closure's result for the trip back in the reply.
fn boxed<R: 'static>(value: R) -> Term {
    Term::fun("agent.reply", RefCell::new(Some(value)))
}

fn unboxed<R: 'static>(reply: Term) -> Result<R, Term> {
    reply
        .as_fun()
        .and_then(|f| f.payload::<RefCell<Option<R>>>())
        .and_then(|cell| cell.borrow_mut().take())
        .ok_or_else(|| Term::tagged("bad_reply", reply))
}

impl<S: 'static> Agent<S> {
    /// `Agent.start_link/2` (AGENT-1): starts an agent linked to the caller; `init`
    /// runs inside the agent process (it gets the agent's `Ctx`) and its result is the
    /// state. `Err` is the `{error, Reason}` reason: `{panic, Message}` when `init`
    /// panicked, `{already_started, Pid}` when `opts.name` is taken.
    pub async fn start_link(
        ctx: &Ctx,
        init: impl FnOnce(&Ctx) -> S + 'static,
        opts: StartOpts,
    ) -> Result<Agent<S>, Term> {
        let init: Box<dyn FnOnce(&Ctx) -> S> = Box::new(init);
        Agent::started(gen_server::start_link::<AgentServer<S>>(ctx, init, opts).await)
    }

    /// `Agent.start/2`: as [`Agent::start_link`], without the link.
    pub async fn start(
        ctx: &Ctx,
        init: impl FnOnce(&Ctx) -> S + 'static,
        opts: StartOpts,
    ) -> Result<Agent<S>, Term> {
        let init: Box<dyn FnOnce(&Ctx) -> S> = Box::new(init);
        Agent::started(gen_server::start::<AgentServer<S>>(ctx, init, opts).await)
    }

    /// `Agent.child_spec/1` (AGENT-3): a permanent worker with id `'Elixir.Agent'` and
    /// shutdown 5000 ms, as Elixir's; `init` runs again in every restarted agent. Give
    /// it another id (`ChildSpec { id, ..spec }`) when a supervisor has several.
    pub fn child_spec(init: impl Fn(&Ctx) -> S + 'static) -> ChildSpec {
        let init = Rc::new(init);
        let start: StartFn = Rc::new(move |ctx: Ctx| {
            let init = init.clone();
            let opts = StartOpts {
                label: Some(child_label().unwrap_or_else(|| Atom::from_static("agent"))),
                ..StartOpts::default()
            };
            Box::pin(async move {
                let init: Box<dyn FnOnce(&Ctx) -> S> = Box::new(move |c| init(c));
                gen_server::start_link::<AgentServer<S>>(&ctx, init, opts).await
            })
        });
        ChildSpec::new(atom("Elixir.Agent"), start)
    }

    fn started(result: StartResult) -> Result<Agent<S>, Term> {
        result.into_result().map(Agent::new)
    }

    /// A handle on an agent already running with state `S`, by pid or name. Sending it
    /// functions for another state type crashes the agent with `{bad_call, Request}`.
    pub fn new(server: impl Into<ServerRef>) -> Agent<S> {
        Agent {
            server: server.into(),
            state: PhantomData,
        }
    }

    /// The agent as a server reference, for `gen_server` or supervisor calls.
    pub fn server(&self) -> &ServerRef {
        &self.server
    }

    async fn call(&self, ctx: &Ctx, request: Term, timeout_ms: Option<u64>) -> Result<Term, Term> {
        gen_server::call(ctx, self.server.clone(), request, timeout_ms)
            .await
            .map_err(as_elixir)
    }

    /// `Agent.get/3` (AGENT-2): runs `read` on the state inside the agent and returns
    /// its result. A failed call is `Err({Reason, {'Elixir.GenServer', call, [Agent,
    /// {get, Fun}, Timeout]}})`, Reason `timeout`, `noproc` or the agent's exit reason.
    pub async fn get<R: 'static>(
        &self,
        ctx: &Ctx,
        read: impl FnOnce(&S) -> R + 'static,
        timeout_ms: Option<u64>,
    ) -> Result<R, Term> {
        let job = request::<S>("get", Box::new(move |s: &mut S| boxed(read(s))));
        unboxed(self.call(ctx, job, timeout_ms).await?)
    }

    /// `Agent.update/3` (AGENT-2): changes the state inside the agent; returns once it
    /// is done. Fails as [`Agent::get`] does.
    pub async fn update(
        &self,
        ctx: &Ctx,
        change: impl FnOnce(&mut S) + 'static,
        timeout_ms: Option<u64>,
    ) -> Result<(), Term> {
        let job = request::<S>(
            "update",
            Box::new(move |s: &mut S| {
                change(s);
                Term::OK
            }),
        );
        self.call(ctx, job, timeout_ms).await.map(|_| ())
    }

    /// `Agent.get_and_update/3` (AGENT-2): changes the state and returns what `change`
    /// returns, in one step. Fails as [`Agent::get`] does.
    pub async fn get_and_update<R: 'static>(
        &self,
        ctx: &Ctx,
        change: impl FnOnce(&mut S) -> R + 'static,
        timeout_ms: Option<u64>,
    ) -> Result<R, Term> {
        let job = request::<S>(
            "get_and_update",
            Box::new(move |s: &mut S| boxed(change(s))),
        );
        unboxed(self.call(ctx, job, timeout_ms).await?)
    }

    /// `Agent.get_and_update/3` with a function that may block: it runs inside the
    /// agent with the agent's `Ctx`, owns the state while it runs (so it may
    /// `ctx.work(..).await` or call other servers, as Elixir funs may) and hands back
    /// `(reply, state)`. The request is `{get_and_update, #Fun<agent.exec>}`; it fails
    /// as [`Agent::get`] does. A panic inside it crashes the agent.
    pub async fn exec<R, F, Fut>(&self, ctx: &Ctx, f: F, timeout_ms: Option<u64>) -> Result<R, Term>
    where
        R: 'static,
        F: FnOnce(Ctx, S) -> Fut + 'static,
        Fut: Future<Output = (R, S)> + 'static,
    {
        let job: AsyncFn<S> = Box::new(move |actx, state| {
            Box::pin(async move {
                let (reply, state) = f(actx, state).await;
                (boxed(reply), state)
            })
        });
        let fun = Term::fun("agent.exec", AsyncJob::<S>::new(Some(job)));
        let reply = self
            .call(ctx, Term::tagged("get_and_update", fun), timeout_ms)
            .await?;
        unboxed(reply)
    }

    /// `Agent.cast/2` (AGENT-2): changes the state asynchronously. Never fails, even
    /// when the agent is gone.
    pub fn cast(&self, ctx: &Ctx, change: impl FnOnce(&mut S) + 'static) {
        let job = request::<S>(
            "cast",
            Box::new(move |s: &mut S| {
                change(s);
                Term::OK
            }),
        );
        gen_server::cast(ctx, self.server.clone(), job);
    }

    /// `Agent.stop/3` (AGENT-3, GS-14): stops the agent with `reason` and waits until
    /// it has exited (`None` waits for ever). `Err({noproc, {'Elixir.GenServer', stop,
    /// [Agent, Reason, Timeout]}})` when it is not running; `Err({Other, {...}})` when
    /// it exited with another reason.
    pub async fn stop(&self, ctx: &Ctx, reason: Term, timeout_ms: Option<u64>) -> Result<(), Term> {
        let stopped = gen_server::stop(ctx, self.server.clone(), reason.clone(), timeout_ms).await;
        stopped.map_err(|err| {
            let from_client = matches!(err.as_tuple(), Some([_, mfa])
                if mfa.as_tuple().is_some_and(|m| m.len() == 3 && m[0].is_atom("gen_server")));
            if from_client {
                return as_elixir(err);
            }
            // Elixir's GenServer.stop wraps whatever proc_lib:stop exited with.
            let args = [self.server.to_term(), reason, timeout_term(timeout_ms)];
            let mfa = Term::tuple_of([atom("Elixir.GenServer"), atom("stop"), Term::list(args)]);
            Term::tuple_of([err, mfa])
        })
    }
}

fn timeout_term(timeout_ms: Option<u64>) -> Term {
    timeout_ms.map_or(atom("infinity"), |t| Term::Int(t as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent2_call_failures_name_elixirs_genserver() {
        // AGENT-2: the exit reason names GenServer, not Agent (nor gen_server).
        let mfa = Term::tuple_of([atom("gen_server"), atom("call"), Term::list([])]);
        let elixir = Term::tuple_of([atom("Elixir.GenServer"), atom("call"), Term::list([])]);
        assert_eq!(
            as_elixir(Term::tuple_of([Term::TIMEOUT, mfa])),
            Term::tuple_of([Term::TIMEOUT, elixir])
        );
        // Anything else (a reason from the agent itself) is left alone.
        assert_eq!(as_elixir(atom("boom")), atom("boom"));
    }

    #[test]
    fn a_reply_carries_any_rust_value_once() {
        let reply = boxed(vec![1u8, 2]);
        assert_eq!(reply.to_string(), "#Fun<agent.reply>");
        assert_eq!(unboxed::<Vec<u8>>(reply.clone()), Ok(vec![1, 2]));
        assert!(unboxed::<Vec<u8>>(reply).is_err(), "taken already");
    }
}
