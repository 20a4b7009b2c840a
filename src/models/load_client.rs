//! `load_client`: a workload client calling a target at a rate (open loop) or with a
//! fixed number of concurrent callers (closed loop), and recording every outcome.
//!
//! Every request is a `gen_server` call to the target with `call_timeout`. Its outcome
//! is the model event `call_outcome` with detail `{Outcome, LatencyUs}`, emitted by
//! the process that made the call:
//! - `rejected` for a reply `rate_limited`, `full`, `circuit_open`,
//!   `{error, circuit_open}`, `{error, rate_limited}` or `{rejected, _}`;
//! - `error` for a reply `error` or `{error, _}`, and for a call that exits with any
//!   reason but `timeout` (`noproc` while the target is down, the target's crash);
//! - `timeout` for a call that timed out;
//! - `ok` for any other reply.
//!
//! A client never crashes on a failed call. The client process is labelled with its
//! path (`workload/<id>`); the processes that make calls are linked to it and labelled
//! `workload/<id>/<n>`, so a client that dies takes its callers with it.
//!
//! Modes:
//! - `"open"`: requests arrive at `rate` per second whatever the target does, with
//!   fixed or Poisson (`"arrivals": "poisson"`) inter-arrival times. Each request runs
//!   in its own short-lived process `workload/<id>/<n>` (n = 1, 2, ...), so a slow
//!   target does not slow arrivals. At most `max_in_flight` requests are outstanding:
//!   an arrival beyond that is not sent and the client itself records `{rejected, 0}`
//!   (load shed at the client). The first request goes out at `start_after`.
//! - `"closed"`: `concurrency` callers `workload/<id>/1..N`, each looping call, then a
//!   `think` pause, then the next call.
//!
//! Operations: `"call"` sends `request` (Erlang term text; each atom `'$key'` in it is
//! replaced by an integer drawn uniformly from `0..keys`, so `"{get, '$key'}"` spreads
//! over keys). `"checkout"` runs a pool transaction as poolboy's `transaction/3`:
//! call `{checkout, true, TimeoutMs}` (a blocking checkout that tells the pool the
//! caller's timeout, `call_timeout`, so the pool drops a waiter that gave up); the
//! outcome is that call's (a pid is `ok`, `full` is `rejected`); then hold the worker
//! for `hold` and cast `{checkin, Pid}` to the target.
//!
//! Random draws (keys, Poisson arrivals) come from the stream `workload:<id>`
//! (`model:<path>` for a client whose path is not `workload/<id>`).
//!
//! Parameters (`target` required):
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `target` | required | the path of the server (`"root/db"`), or `{"registry": PATH, "key": TERM}` for a server registered under a key of a unique registry |
//! | `mode` | `"open"` | `"open"` or `"closed"` |
//! | `rate` | `10` | open: requests per second, above 0, at most 10^6 |
//! | `arrivals` | `"fixed"` | open: `"fixed"` or `"poisson"` |
//! | `max_in_flight` | `1000` | open: outstanding requests at most, 1 to 10^6 |
//! | `concurrency` | `1` | closed: callers, 1 to 10^5 |
//! | `think` | `"100ms"` | closed: pause after each call, above 0 |
//! | `op` | `"call"` | `"call"` or `"checkout"` |
//! | `request` | `"ping"` | call: the request (term text) |
//! | `keys` | `1` | call: the range of `'$key'`, 1 to 10^9 |
//! | `hold` | `"10ms"` | checkout: how long a worker is held |
//! | `call_timeout` | `"5s"` | the call timeout, whole milliseconds |
//! | `start_after` | `0` | time after the client starts before the first request |
//! | `stop_after` | none | time after the client starts from which no request is sent |
//!
//! A field that does not apply to the chosen mode or op (`rate` in closed mode,
//! `hold` with op call...) is an error.
//!
//! ```json
//! {"id": "users", "model": "load_client", "params": {"target": "root/api", "mode": "closed", "concurrency": 20, "think": "50ms", "request": "{get, '$key'}", "keys": 100}}
//! ```

mod parse;
mod run;

use super::params::{self, duration_json, term_json};
use super::{Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server;
use crate::kernel::Ctx;
use crate::term::Term;
use serde_json::{json, Value};
use std::rc::Rc;

pub use parse::{parse, schema};
pub use run::{classify, LoadClient};

/// The model's name in scenarios.
pub const NAME: &str = "load_client";

/// The server a client calls.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetSpec {
    /// A tree path: the server registered under it.
    Path(String),
    /// A key of the unique registry at a path.
    Registry {
        /// The registry's path (its registered name).
        registry: String,
        /// The key.
        key: Term,
    },
}

/// How requests are generated.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// At a rate, whatever the target does.
    Open {
        /// Requests per second.
        rate: f64,
        /// Exponential (true) or fixed inter-arrival times.
        poisson: bool,
        /// Outstanding requests at most.
        max_in_flight: u64,
    },
    /// Callers looping call, think.
    Closed {
        /// Callers.
        concurrency: u64,
        /// The pause after each call, µs.
        think_us: u64,
    },
}

/// What each request does.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Call with this request; `'$key'` atoms drawn from `0..keys`.
    Call {
        /// The request.
        request: Term,
        /// The key range.
        keys: u64,
    },
    /// Check a worker out, hold it this many µs, check it back in.
    Checkout {
        /// How long the worker is held, µs.
        hold_us: u64,
    },
}

/// The client's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Whom to call.
    pub target: TargetSpec,
    /// Open or closed loop.
    pub mode: Mode,
    /// Call or checkout.
    pub op: Op,
    /// The call timeout, µs (whole milliseconds).
    pub call_timeout_us: u64,
    /// Delay before the first request, µs.
    pub start_after_us: u64,
    /// Time after start from which no request is sent, µs.
    pub stop_after_us: Option<u64>,
}

fn target_json(t: &TargetSpec) -> Value {
    match t {
        TargetSpec::Path(p) => json!(p),
        TargetSpec::Registry { registry, key } => {
            json!({"registry": registry, "key": term_json(key)})
        }
    }
}

impl Model for Params {
    fn params_json(&self) -> Value {
        let mut v = json!({
            "target": target_json(&self.target),
            "call_timeout": duration_json(self.call_timeout_us),
            "start_after": duration_json(self.start_after_us),
        });
        match &self.mode {
            Mode::Open {
                rate,
                poisson,
                max_in_flight,
            } => {
                v["mode"] = json!("open");
                v["rate"] = json!(rate);
                v["arrivals"] = json!(if *poisson { "poisson" } else { "fixed" });
                v["max_in_flight"] = json!(max_in_flight);
            }
            Mode::Closed {
                concurrency,
                think_us,
            } => {
                v["mode"] = json!("closed");
                v["concurrency"] = json!(concurrency);
                v["think"] = duration_json(*think_us);
            }
        }
        match &self.op {
            Op::Call { request, keys } => {
                v["op"] = json!("call");
                v["request"] = term_json(request);
                v["keys"] = json!(keys);
            }
            Op::Checkout { hold_us } => {
                v["op"] = json!("checkout");
                v["hold"] = duration_json(*hold_us);
            }
        }
        if let Some(stop) = self.stop_after_us {
            v["stop_after"] = duration_json(stop);
        }
        v
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = (Rc::new(self.clone()), env.path.clone());
        Box::pin(async move {
            gen_server::start_link::<LoadClient>(&ctx, args, params::start_opts(&env)).await
        })
    }
}
