//! `session`: a user session that ends itself after a quiet period.
//!
//! Every message the session takes (a call, a cast, anything) restarts its idle
//! timer, as a gen_server's timeout restarts on each message (GS-9). When
//! `idle_timeout` passes with nothing, it emits the model event `idle_stop` (detail:
//! the timeout in milliseconds) and stops with reason `normal`: a `transient` or
//! `temporary` child is then not restarted, as in OTP.
//!
//! Requests: call `ping` → `pong`; call `close` → `ok`, then the session stops
//! `normal`; any other call `Request` → `{ok, Request}`; casts are taken and dropped;
//! the fault `{'$otpsim_fault', crash, Reason}` stops it with `Reason`.
//!
//! Parameters (all optional):
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `idle_timeout` | `"30s"` | the quiet period that ends the session, a whole number of milliseconds (at least 1 ms) |
//!
//! ```json
//! {"id": "s1", "model": "session", "restart": "transient", "params": {"idle_timeout": "10s"}}
//! ```

use super::params::{self, duration_json, duration_schema, model_event, Params as Fields};
use super::{fault, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Next, Response};
use crate::kernel::{secs, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Term};
use serde_json::{json, Value};
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "session";

/// The session's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// The idle timeout, µs (a whole number of milliseconds).
    pub idle_timeout_us: u64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            idle_timeout_us: secs(30),
        }
    }
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let d = Params::default();
    let mut p = Fields::open(params, &["idle_timeout"]);
    let idle_timeout_us = p.whole_ms("idle_timeout", d.idle_timeout_us);
    p.finish(Rc::new(Params { idle_timeout_us }) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    params::object_schema(vec![(
        "idle_timeout",
        duration_schema(
            "the quiet period that ends the session (whole milliseconds, at least 1 ms)",
            Some(Params::default().idle_timeout_us),
        ),
    )])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({ "idle_timeout": duration_json(self.idle_timeout_us) })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let idle_ms = self.idle_timeout_us / 1_000;
        Box::pin(async move {
            gen_server::start_link::<Session>(&ctx, idle_ms, params::start_opts(&env)).await
        })
    }
}

/// The running session.
pub struct Session {
    idle_ms: u64,
}

impl Session {
    fn idle(&self) -> Next {
        Next::Timeout(self.idle_ms)
    }
}

impl GenServer for Session {
    /// The idle timeout in milliseconds.
    type Args = u64;

    async fn init(_ctx: &Ctx, idle_ms: u64) -> Init<Self> {
        Init::OkThen(Session { idle_ms }, Next::Timeout(idle_ms))
    }

    async fn handle_call(&mut self, _ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        if request.is_atom("close") {
            return CallResponse::Stop {
                reason: Term::NORMAL,
                reply: Some(Term::OK),
            };
        }
        let reply = if request.is_atom("ping") {
            atom("pong")
        } else {
            Term::tagged("ok", request)
        };
        CallResponse::Reply(reply, self.idle())
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::NoReply(self.idle())
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        if msg.is_atom("timeout") {
            model_event(ctx, NAME, "idle_stop", Term::Int(self.idle_ms as i64));
            return Response::Stop(Term::NORMAL);
        }
        Response::NoReply(self.idle())
    }
}
