//! `circuit_breaker`: a GenServer in front of a dependency that stops calling it after
//! repeated failures and tries again after a pause.
//!
//! States: **closed** (calls go through; `failure_threshold` consecutive failures open
//! the breaker), **open** (every call is answered `{error, circuit_open}` at once;
//! after `reset_timeout` the breaker turns half-open), **half_open** (up to
//! `half_open_max` trial calls go through, others get `{error, circuit_open}`; the
//! breaker closes once that many trials succeeded and opens again at the first that
//! fails).
//!
//! Requests: any call `Request` is forwarded unchanged to the dependency (the process
//! registered under the `dependency` path) with `gen_server:call(Dep, Request,
//! call_timeout)`, and its reply is the caller's reply. A failure is a reply `error`
//! or `{error, _}` (passed on as is), or a call that exits: the caller then gets
//! `{error, Reason}` with Reason `timeout`, `noproc` or the dependency's exit reason.
//!
//! Design: the breaker does not block on the dependency. Each forwarded call runs in a
//! short-lived helper process linked to the breaker (labelled `<path>/call`); the
//! breaker returns `noreply`, and answers with `gen_server:reply` when the helper
//! mails back the outcome. So one slow call does not hold up the others, the open
//! state answers at once even while calls are in flight, and a fault that kills the
//! breaker kills its calls in flight with it. A result that comes back after the state
//! it was sent in has ended (a slow call from the closed state arriving once the
//! breaker is open) is still passed to its caller but does not move the state.
//!
//! Model event `breaker_state` with detail `closed`, `open` or `half_open`: at `init`
//! and at every change. The fault `{'$otpsim_fault', crash, Reason}` stops it.
//!
//! Parameters:
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `dependency` | required | path of the protected server |
//! | `failure_threshold` | `5` | consecutive failures that open the breaker (1 to 1 000 000) |
//! | `reset_timeout` | `"30s"` | time open before turning half-open |
//! | `call_timeout` | `"1s"` | timeout of each forwarded call (whole milliseconds) |
//! | `half_open_max` | `1` | trial calls let through while half-open (1 to 10 000) |
//!
//! ```json
//! {"id": "breaker", "model": "circuit_breaker",
//!  "params": {"dependency": "root/db", "failure_threshold": 3, "reset_timeout": "10s"}}
//! ```

use super::forward::{self, error_reply, is_error_reply};
use super::params::{
    self, duration_json, duration_schema, model_event, number_schema, Params as Fields,
};
use super::refs::{self, node_ref, path_schema};
use super::{fault, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use crate::kernel::{ms, secs, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Ref, Term};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "circuit_breaker";

const FIELDS: &[&str] = &[
    "dependency",
    "failure_threshold",
    "reset_timeout",
    "call_timeout",
    "half_open_max",
];

/// The breaker's parameters (see the module documentation for defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Path of the protected server, also its registered name.
    pub dependency: String,
    /// Consecutive failures that open the breaker.
    pub failure_threshold: u64,
    /// Time spent open before turning half-open, µs.
    pub reset_timeout_us: u64,
    /// Timeout of each forwarded call, µs (whole milliseconds).
    pub call_timeout_us: u64,
    /// Trial calls let through while half-open.
    pub half_open_max: u64,
}

const DEFAULT_THRESHOLD: u64 = 5;
const DEFAULT_RESET_US: u64 = secs(30);
const DEFAULT_CALL_TIMEOUT_US: u64 = secs(1);
const DEFAULT_HALF_OPEN_MAX: u64 = 1;

/// Reads the `"params"` object; `dependency` is required.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let mut p = Fields::open(params, FIELDS);
    refs::require(&mut p, params, NAME, &["dependency"]);
    let parsed = Params {
        dependency: p.read("dependency", String::new(), refs::read_path),
        failure_threshold: p.size("failure_threshold", DEFAULT_THRESHOLD, 1, 1_000_000),
        reset_timeout_us: p.duration_us("reset_timeout", DEFAULT_RESET_US),
        call_timeout_us: p.whole_ms("call_timeout", DEFAULT_CALL_TIMEOUT_US),
        half_open_max: p.size("half_open_max", DEFAULT_HALF_OPEN_MAX, 1, 10_000),
    };
    p.finish(Rc::new(parsed) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let mut s = params::object_schema(vec![
        ("dependency", path_schema("path of the protected server")),
        (
            "failure_threshold",
            number_schema(
                "integer",
                "consecutive failures that open the breaker",
                json!(DEFAULT_THRESHOLD),
                json!(1),
                json!(1_000_000),
            ),
        ),
        (
            "reset_timeout",
            duration_schema("time open before turning half-open", Some(DEFAULT_RESET_US)),
        ),
        (
            "call_timeout",
            duration_schema(
                "timeout of each forwarded call (whole milliseconds)",
                Some(DEFAULT_CALL_TIMEOUT_US),
            ),
        ),
        (
            "half_open_max",
            number_schema(
                "integer",
                "trial calls let through while half-open",
                json!(DEFAULT_HALF_OPEN_MAX),
                json!(1),
                json!(10_000),
            ),
        ),
    ]);
    s["required"] = json!(["dependency"]);
    s
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({
            "dependency": self.dependency,
            "failure_threshold": self.failure_threshold,
            "reset_timeout": duration_json(self.reset_timeout_us),
            "call_timeout": duration_json(self.call_timeout_us),
            "half_open_max": self.half_open_max,
        })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = (Rc::new(self.clone()), env.path.clone());
        Box::pin(async move {
            gen_server::start_link::<Breaker>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// Where the breaker is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Calls go through; this many consecutive failures so far.
    Closed { failures: u64 },
    /// Calls are refused until the reset timer fires.
    Open,
    /// Trial calls: this many let through, this many of them succeeded.
    HalfOpen { trials: u64, successes: u64 },
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Closed { .. } => "closed",
            State::Open => "open",
            State::HalfOpen { .. } => "half_open",
        }
    }
}

/// A forwarded call: its caller and the epoch (state period) it was sent in.
struct Pending {
    from: From,
    epoch: u64,
}

/// The running breaker.
pub struct Breaker {
    params: Rc<Params>,
    path: String,
    state: State,
    /// Counts state changes, so results and timers from an earlier state are known.
    epoch: u64,
    pending: BTreeMap<Ref, Pending>,
}

const HALF_OPEN_TIMER: &str = "$breaker_half_open";

impl Breaker {
    fn enter(&mut self, ctx: &Ctx, state: State) {
        self.state = state;
        self.epoch += 1;
        model_event(ctx, NAME, "breaker_state", atom(state.name()));
        if state == State::Open {
            let msg = Term::tuple_of([
                Term::atom_owned(HALF_OPEN_TIMER),
                Term::Int(self.epoch as i64),
            ]);
            ctx.send_after(self.params.reset_timeout_us, ctx.me(), msg);
        }
    }

    fn forward(&mut self, ctx: &Ctx, request: Term, from: From) {
        let server = node_ref(ctx, &self.params.dependency);
        let timeout_ms = Some(self.params.call_timeout_us / ms(1));
        let label = format!("{}/call", self.path);
        let tag = forward::spawn_call(ctx, label, server, request, timeout_ms);
        let epoch = self.epoch;
        self.pending.insert(tag, Pending { from, epoch });
    }

    /// Moves the state on one outcome of a call sent in the current epoch.
    fn outcome(&mut self, ctx: &Ctx, ok: bool) {
        match (self.state, ok) {
            (State::Closed { .. }, true) => self.state = State::Closed { failures: 0 },
            (State::Closed { failures }, false)
                if failures + 1 >= self.params.failure_threshold =>
            {
                self.enter(ctx, State::Open)
            }
            (State::Closed { failures }, false) => {
                self.state = State::Closed {
                    failures: failures + 1,
                }
            }
            (State::HalfOpen { trials, successes }, true) => {
                if successes + 1 >= self.params.half_open_max {
                    self.enter(ctx, State::Closed { failures: 0 });
                } else {
                    self.state = State::HalfOpen {
                        trials,
                        successes: successes + 1,
                    };
                }
            }
            (State::HalfOpen { .. }, false) => self.enter(ctx, State::Open),
            // Nothing is sent while open, so nothing of this epoch comes back.
            (State::Open, _) => {}
        }
    }
}

impl GenServer for Breaker {
    /// The parameters and the breaker's path (for its helpers' labels).
    type Args = (Rc<Params>, String);

    async fn init(ctx: &Ctx, (params, path): Self::Args) -> Init<Self> {
        model_event(ctx, NAME, "breaker_state", atom("closed"));
        Init::Ok(Breaker {
            params,
            path,
            state: State::Closed { failures: 0 },
            epoch: 0,
            pending: BTreeMap::new(),
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, from: From) -> CallResponse {
        match self.state {
            State::Closed { .. } => {}
            State::HalfOpen { trials, successes } if trials < self.params.half_open_max => {
                self.state = State::HalfOpen {
                    trials: trials + 1,
                    successes,
                };
            }
            State::Open | State::HalfOpen { .. } => {
                return CallResponse::reply(error_reply(atom("circuit_open")));
            }
        }
        self.forward(ctx, request, from);
        CallResponse::noreply()
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        if let Some((tag, result)) = forward::forwarded(&msg) {
            let Some(Pending { from, epoch }) = self.pending.remove(&tag) else {
                return Response::noreply();
            };
            let (reply, ok) = match result {
                Ok(reply) => {
                    let ok = !is_error_reply(&reply);
                    (reply, ok)
                }
                Err(reason) => (error_reply(reason), false),
            };
            gen_server::reply(ctx, from, reply);
            if epoch == self.epoch {
                self.outcome(ctx, ok);
            }
            return Response::noreply();
        }
        if let Some([tag, Term::Int(epoch)]) = msg.as_tuple() {
            if tag.is_atom(HALF_OPEN_TIMER)
                && *epoch == self.epoch as i64
                && self.state == State::Open
            {
                self.enter(
                    ctx,
                    State::HalfOpen {
                        trials: 0,
                        successes: 0,
                    },
                );
            }
        }
        Response::noreply()
    }
}
