//! `rate_limiter`: at most `max_requests` requests per window, the window reset by the
//! limiter's own timer.
//!
//! Every call is a request (`check` by convention): the reply is `ok` while the
//! window has room, `rate_limited` once `max_requests` have been allowed in it (a load
//! client counts that as `rejected`). Casts are dropped. Every `window` after start
//! (`send_after`, so the resets fall at start + k·window) the count goes back to zero
//! and the model event `reset` is emitted with detail `{Allowed, Rejected}` for the
//! window that ended. A restarted limiter starts a fresh window.
//!
//! Parameters (all optional):
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `max_requests` | `10` | requests allowed per window, 1 to 10^9 |
//! | `window` | `"60s"` | the window's length, at least 1 ms |
//!
//! ```json
//! {"id": "limiter", "model": "rate_limiter", "params": {"max_requests": 5, "window": "1m"}}
//! ```

use super::params::{
    self, duration_json, duration_schema, model_event, number_schema, Params as Fields,
};
use super::{fault, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use crate::kernel::{secs, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Term};
use serde_json::{json, Value};
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "rate_limiter";

/// The reset timer's message.
const RESET: &str = "$otpsim_reset";

const MAX_REQUESTS: u64 = 1_000_000_000;

/// The limiter's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Requests allowed per window.
    pub max_requests: u64,
    /// The window, µs.
    pub window_us: u64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            max_requests: 10,
            window_us: secs(60),
        }
    }
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let d = Params::default();
    let mut p = Fields::open(params, &["max_requests", "window"]);
    let parsed = Params {
        max_requests: p.size("max_requests", d.max_requests, 1, MAX_REQUESTS),
        // A window under a millisecond would reset thousands of times a second.
        window_us: p.whole_ms("window", d.window_us),
    };
    p.finish(Rc::new(parsed) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let d = Params::default();
    params::object_schema(vec![
        (
            "max_requests",
            number_schema(
                "integer",
                "requests allowed per window",
                json!(d.max_requests),
                json!(1),
                json!(MAX_REQUESTS),
            ),
        ),
        (
            "window",
            duration_schema(
                "the window's length (whole milliseconds, at least 1 ms)",
                Some(d.window_us),
            ),
        ),
    ])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({ "max_requests": self.max_requests, "window": duration_json(self.window_us) })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = self.clone();
        Box::pin(async move {
            gen_server::start_link::<RateLimiter>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// The running limiter.
pub struct RateLimiter {
    params: Params,
    started_us: u64,
    windows: u64,
    allowed: u64,
    rejected: u64,
}

impl RateLimiter {
    /// Requests allowed in the current window.
    pub fn allowed(&self) -> u64 {
        self.allowed
    }

    /// The next reset falls at start + k·window, whatever delays the limiter saw.
    fn schedule_reset(&mut self, ctx: &Ctx) {
        self.windows += 1;
        let at = self.started_us + self.windows * self.params.window_us;
        ctx.send_after(at.saturating_sub(ctx.now_us()), ctx.me(), atom(RESET));
    }
}

impl GenServer for RateLimiter {
    /// The parameters.
    type Args = Params;

    async fn init(ctx: &Ctx, params: Params) -> Init<Self> {
        let mut limiter = RateLimiter {
            params,
            started_us: ctx.now_us(),
            windows: 0,
            allowed: 0,
            rejected: 0,
        };
        limiter.schedule_reset(ctx);
        Init::Ok(limiter)
    }

    async fn handle_call(&mut self, _ctx: &Ctx, _request: Term, _from: From) -> CallResponse {
        if self.allowed < self.params.max_requests {
            self.allowed += 1;
            CallResponse::reply(Term::OK)
        } else {
            self.rejected += 1;
            CallResponse::reply(atom("rate_limited"))
        }
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        if msg.is_atom(RESET) {
            let counts = Term::tuple_of([
                Term::Int(self.allowed as i64),
                Term::Int(self.rejected as i64),
            ]);
            model_event(ctx, NAME, "reset", counts);
            self.allowed = 0;
            self.rejected = 0;
            self.schedule_reset(ctx);
        }
        Response::noreply()
    }
}
