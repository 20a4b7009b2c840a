//! GenServer: OTP's client-server behaviour, written on the kernel's public API the way
//! `gen_server.erl` is written on receive, links and monitors.
//!
//! A server is a Rust type implementing [`GenServer`]: the type is the state, `init`
//! builds it, and the `handle_*` callbacks are `async`, so a handler can spend virtual
//! time (`ctx.work(ms(5)).await`) or call another server and block, exactly as in OTP.
//!
//! ```
//! use otpsim::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response, StartOpts};
//! use otpsim::kernel::{Ctx, Sim, SimConfig};
//! use otpsim::term::{atom, Term};
//!
//! struct Counter(i64);
//!
//! impl GenServer for Counter {
//!     type Args = i64;
//!     async fn init(_ctx: &Ctx, start: i64) -> Init<Self> {
//!         Init::Ok(Counter(start))
//!     }
//!     async fn handle_call(&mut self, _ctx: &Ctx, req: Term, _from: From) -> CallResponse {
//!         if req.is_atom("get") { CallResponse::reply(Term::Int(self.0)) } else { CallResponse::reply(atom("error")) }
//!     }
//!     async fn handle_cast(&mut self, _ctx: &Ctx, _msg: Term) -> Response {
//!         self.0 += 1;
//!         Response::noreply()
//!     }
//! }
//!
//! let mut sim = Sim::new(SimConfig::default());
//! sim.spawn(|ctx| async move {
//!     let counter = gen_server::start_link::<Counter>(&ctx, 41, StartOpts::default()).await.into_result()?;
//!     gen_server::cast(&ctx, counter, atom("increment"));
//!     let value = gen_server::call(&ctx, counter, atom("get"), gen_server::DEFAULT_TIMEOUT).await?;
//!     assert_eq!(value, Term::Int(42));
//!     Ok(())
//! });
//! assert!(sim.run().outcome.is_normal());
//! ```

mod client;
mod server;
pub(crate) mod start;
mod sys;
mod types;
mod upgrade;

pub use client::{call, cast, reply, stop, DEFAULT_TIMEOUT};
pub use start::{start, start_link, StartOpts, StartResult};
pub use sys::{sys_change_code, sys_get_state, sys_resume, sys_suspend, upgrade};
pub use types::{CallResponse, From, Init, Next, Response, ServerName, ServerRef};

use crate::kernel::Ctx;
use crate::term::Term;

/// The callbacks of a gen_server. Only `init` is required.
///
/// Every callback runs inside the server process. A panic in a callback is a crash:
/// `terminate` runs with reason `{panic, <<"message">>}` and the server exits with it
/// (GS-11b).
#[allow(async_fn_in_trait)] // single-threaded by design: no Send bound wanted
pub trait GenServer: Sized + 'static {
    /// What `start_link` passes to `init`.
    type Args: 'static;

    /// Builds the state (GS-2). Runs before `start_link` returns in the caller.
    async fn init(ctx: &Ctx, args: Self::Args) -> Init<Self>;

    /// A synchronous request. The default crashes the server with `{bad_call, Request}`,
    /// as Elixir's default `handle_call` raises (GS-16).
    async fn handle_call(&mut self, ctx: &Ctx, request: Term, from: From) -> CallResponse {
        let _ = (ctx, from);
        CallResponse::Stop {
            reason: Term::tagged("bad_call", request),
            reply: None,
        }
    }

    /// An asynchronous request. The default crashes with `{bad_cast, Request}` (GS-16).
    async fn handle_cast(&mut self, ctx: &Ctx, request: Term) -> Response {
        let _ = ctx;
        Response::Stop(Term::tagged("bad_cast", request))
    }

    /// Any other message, including `timeout` after an idle timeout (GS-9) and trapped
    /// `EXIT`s from processes other than the parent. The default ignores it (GS-16).
    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        let _ = (ctx, msg);
        Response::noreply()
    }

    /// Runs after a callback returned `Next::Continue`, before any message (GS-10).
    async fn handle_continue(&mut self, ctx: &Ctx, cont: Term) -> Response {
        let _ = (ctx, cont);
        Response::noreply()
    }

    /// Runs when the server stops, in the cases GS-11 lists and never on `kill` (GS-12).
    /// May spend virtual time; a supervisor's shutdown budget may cut it short.
    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        let _ = (ctx, reason);
    }

    /// The version this code reports in `code_change` trace events.
    fn vsn() -> Term {
        Term::Int(1)
    }
}

/// A code upgrade from `Old` to `Self` (GS-15): migrates a running server's state.
pub trait Upgrade<Old: GenServer>: GenServer {
    /// Migrates the state. `Err((old, reason))` keeps the old code and state running and
    /// returns `{error, Reason}` to whoever asked for the upgrade.
    fn code_change(old: Old, extra: &Term) -> Result<Self, (Old, Term)>;
}
