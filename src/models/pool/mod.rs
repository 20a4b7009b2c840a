//! `pool`: a worker pool with poolboy's semantics.
//!
//! The pool starts a DynamicSupervisor for its workers, linked to it and labelled
//! `<path>/workers` (poolboy's `poolboy_sup`: temporary children, restart intensity
//! 0 in 1 s, so the supervisor never restarts a worker itself), starts `size` workers
//! under it (each a `worker` model, labelled `<path>/workers/<n>`), links to each and
//! traps exits, as poolboy does.
//!
//! Requests (poolboy's protocol, with the caller's timeout made explicit):
//! - call `checkout`, `{checkout, Block}` or `{checkout, Block, TimeoutMs}` (Block
//!   `true`/`false`, TimeoutMs an integer or `infinity`): a worker pid. The borrower
//!   is monitored; its death returns the worker. With no idle worker, an overflow
//!   worker is started while fewer than `max_overflow` exist; otherwise a non-blocking
//!   checkout gets `full`, and a blocking one waits in a FIFO queue.
//! - cast `{checkin, Pid}`: gives a worker back. It goes to the first waiter, else an
//!   overflow worker is stopped, else it is idle again (`strategy` `lifo` hands out the
//!   most recently returned worker next, `fifo` the least recently returned).
//! - call `status` → `{StateName, Available, Overflow, CheckedOut}` with StateName
//!   `ready`, `overflow` or `full`, as `poolboy:status/1`.
//! - any other call → `{error, invalid_message}`; other casts are ignored.
//!
//! Waiters who gave up: poolboy's client casts `{cancel_waiting, Ref}` when its call
//! times out; a simulated client just times out. So the pool keeps each waiter's
//! deadline, the request's TimeoutMs, or `checkout_timeout` when the request does not
//! say (plain `checkout` and `{checkout, Block}`: poolboy's default 5 s). At the
//! deadline the waiter is dropped, and a worker is never handed to a waiter past it. A
//! caller whose call timeout is shorter than the deadline the pool assumes should send
//! its timeout with `{checkout, true, TimeoutMs}`; otherwise a worker handed to it after
//! it gave up stays checked out until it dies, as in poolboy without `cancel_waiting`.
//!
//! Workers dying: a checked-out worker that dies is replaced (or, with a waiter, its
//! replacement goes straight to the waiter; an overflow worker is not replaced); an
//! idle one is replaced. A worker that cannot be started stops the pool with
//! `{worker_start_failed, Reason}` (poolboy crashes on the failed match). The pool
//! stops when its worker supervisor exits, and in `terminate` shuts it down.
//!
//! Model events: `checkout` {WorkerPid} when a worker is handed out, `checkin`
//! {WorkerPid} when one comes back (checkin, or its borrower died), `overflow` N when
//! the number of overflow workers changes, `full` {CallerPid} when a checkout finds
//! no worker and no room to overflow. The fault `{'$otpsim_fault', crash, Reason}`
//! stops it.
//!
//! Parameters:
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `size` | `5` | workers started with the pool (0 to 10 000) |
//! | `max_overflow` | `0` | extra workers started on demand (0 to 10 000) |
//! | `worker` | `{"model": "worker"}` | the worker model, `{"model": NAME, "params": {..}}` |
//! | `strategy` | `"lifo"` | `lifo` or `fifo` |
//! | `checkout_timeout` | `"5s"` | how long a waiter that did not give its timeout waits |
//!
//! ```json
//! {"id": "pool", "model": "pool",
//!  "params": {"size": 2, "max_overflow": 1, "worker": {"model": "worker", "params": {"work": "5ms"}}}}
//! ```

mod protocol;
mod server;

use super::params::{self, duration_json, duration_schema, number_schema, Params as Fields};
use super::refs::{self, model_spec_schema};
use super::{Model, ModelEnv, ModelSpec, StartFuture};
use crate::behaviour::gen_server;
use crate::kernel::{secs, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::Term;
use serde_json::{json, Value};
use std::rc::Rc;

pub use server::Pool;

/// The model's name in scenarios.
pub const NAME: &str = "pool";

const FIELDS: &[&str] = &[
    "size",
    "max_overflow",
    "worker",
    "strategy",
    "checkout_timeout",
];

const STRATEGIES: [&str; 2] = ["lifo", "fifo"];

const MAX_WORKERS: u64 = 10_000;

/// The pool's parameters (see the module documentation for defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Workers started with the pool.
    pub size: u64,
    /// Extra workers started on demand.
    pub max_overflow: u64,
    /// The worker model.
    pub worker: ModelSpec,
    /// `true` for lifo, `false` for fifo.
    pub lifo: bool,
    /// The deadline of a waiter that did not give its timeout, µs (whole ms).
    pub checkout_timeout_us: u64,
}

const DEFAULT_SIZE: u64 = 5;
const DEFAULT_CHECKOUT_TIMEOUT_US: u64 = secs(5);

/// The default worker: a `worker` with its defaults.
fn default_worker() -> Result<ModelSpec, LoadError> {
    refs::default_spec("worker", "{}")
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let mut p = Fields::open(params, FIELDS);
    let worker = refs::spec_field(&p, "worker", default_worker);
    let size = p.size("size", DEFAULT_SIZE, 0, MAX_WORKERS);
    let max_overflow = p.size("max_overflow", 0, 0, MAX_WORKERS);
    let lifo = p.choice("strategy", &STRATEGIES, "lifo") == "lifo";
    let checkout_timeout_us = p.whole_ms("checkout_timeout", DEFAULT_CHECKOUT_TIMEOUT_US);
    refs::finish_with_spec(p, worker, |worker| {
        Rc::new(Params {
            size,
            max_overflow,
            worker,
            lifo,
            checkout_timeout_us,
        }) as Rc<dyn Model>
    })
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let worker = default_worker().map(|w| model_spec_schema("the worker model", &w));
    params::object_schema(vec![
        (
            "size",
            number_schema(
                "integer",
                "workers started with the pool",
                json!(DEFAULT_SIZE),
                json!(0),
                json!(MAX_WORKERS),
            ),
        ),
        (
            "max_overflow",
            number_schema(
                "integer",
                "extra workers started on demand",
                json!(0),
                json!(0),
                json!(MAX_WORKERS),
            ),
        ),
        (
            "worker",
            worker.unwrap_or_else(|_| json!({"type": "object", "description": "the worker model"})),
        ),
        (
            "strategy",
            json!({"enum": STRATEGIES, "default": "lifo", "description": "lifo hands out the most recently returned worker next, fifo the least recently returned"}),
        ),
        (
            "checkout_timeout",
            duration_schema(
                "how long a waiter that did not give its timeout waits (whole milliseconds)",
                Some(DEFAULT_CHECKOUT_TIMEOUT_US),
            ),
        ),
    ])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({
            "size": self.size,
            "max_overflow": self.max_overflow,
            "worker": self.worker.to_json(),
            "strategy": if self.lifo { "lifo" } else { "fifo" },
            "checkout_timeout": duration_json(self.checkout_timeout_us),
        })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = (Rc::new(self.clone()), env.clone());
        Box::pin(async move {
            gen_server::start_link::<Pool>(&ctx, args, params::start_opts(&env)).await
        })
    }
}
