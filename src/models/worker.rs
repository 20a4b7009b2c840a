//! `worker`: a generic GenServer worker whose timing and failures are parameters.
//!
//! Requests:
//! - call `ping` → `pong`; any other call `Request` → `{ok, Request}`; a cast is
//!   handled and dropped. Each call or cast first spends `work` of virtual time (a
//!   slow handler), and is counted ([`Worker::handled`]).
//! - call or cast `{crash, Reason}` → the worker stops with `Reason` (its `terminate`
//!   runs; a caller gets the exit as its call's error).
//! - the fault `{'$otpsim_fault', crash, Reason}` → stops with `Reason`.
//!
//! Parameters (all optional):
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `work` | `0` | virtual time spent on each call or cast |
//! | `trap_exit` | `false` | trap exits, so a supervisor's `shutdown` runs `terminate` |
//! | `terminate` | `0` | virtual time spent in `terminate` (a slow shutdown) |
//! | `init` | `"ok"` | what `init` returns: `"ok"`, `"ignore"`, `"error"` (`{stop, fail_reason}`) or `"crash"` (a panic: reason `{panic, <<"worker init crashed: fail_reason">>}`) |
//! | `init_time` | `0` | virtual time spent in `init` |
//! | `fail_on_start` | `[]` | start numbers (counted per path over the run, from 1) whose `init` returns `{stop, fail_reason}`: an integer or a list |
//! | `fail_reason` | `"init_failure"` | the reason of a failing `init` (term text) |
//!
//! ```json
//! {"id": "w1", "model": "worker", "params": {"work": "5ms", "trap_exit": true, "terminate": "2s", "fail_on_start": [2, 3]}}
//! ```
//!
//! Extra arguments from a dynamic supervisor are ignored.

use super::params::{
    self, duration_json, duration_schema, term_json, term_schema, Params as Fields,
};
use super::{buggify, fault, starts, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use crate::kernel::Ctx;
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Term};
use serde_json::{json, Value};
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "worker";

const FIELDS: &[&str] = &[
    "work",
    "trap_exit",
    "terminate",
    "init",
    "init_time",
    "fail_on_start",
    "fail_reason",
];

const INIT_MODES: [&str; 4] = ["ok", "ignore", "error", "crash"];

/// Most start numbers `fail_on_start` may list.
const MAX_FAILING_STARTS: usize = 10_000;

/// The worker's parameters (see the module documentation for defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Virtual time per call or cast, µs.
    pub work_us: u64,
    /// Trap exits.
    pub trap_exit: bool,
    /// Virtual time spent in `terminate`, µs.
    pub terminate_us: u64,
    /// `init`'s result: `ok`, `ignore`, `error` or `crash`.
    pub init: &'static str,
    /// Virtual time spent in `init`, µs.
    pub init_time_us: u64,
    /// Start numbers that fail, ascending, without repeats.
    pub fail_on_start: Vec<u32>,
    /// The reason of a failing `init`.
    pub fail_reason: Term,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            work_us: 0,
            trap_exit: false,
            terminate_us: 0,
            init: "ok",
            init_time_us: 0,
            fail_on_start: Vec::new(),
            fail_reason: atom("init_failure"),
        }
    }
}

fn read_starts(r: &Reader<'_>) -> Result<Vec<u32>, LoadError> {
    let one = |r: &Reader<'_>| params::read_size(r, 1, u64::from(u32::MAX)).map(|n| n as u32);
    let mut starts = match r.expect_array() {
        Ok(items) => {
            if items.len() > MAX_FAILING_STARTS {
                return Err(r.error_expected(
                    format!("{} start numbers", items.len()),
                    format!("at most {MAX_FAILING_STARTS}"),
                ));
            }
            items
                .iter()
                .map(|i| one(&i))
                .collect::<Result<Vec<u32>, _>>()?
        }
        Err(_) if r.expect_u64().is_ok() => vec![one(r)?],
        Err(_) => return Err(r.wrong_type("a start number (from 1) or a list of them")),
    };
    starts.sort_unstable();
    starts.dedup();
    Ok(starts)
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let d = Params::default();
    let mut p = Fields::open(params, FIELDS);
    let parsed = Params {
        work_us: p.duration_us("work", d.work_us),
        trap_exit: p.flag("trap_exit", d.trap_exit),
        terminate_us: p.duration_us("terminate", d.terminate_us),
        init: p.choice("init", &INIT_MODES, d.init),
        init_time_us: p.duration_us("init_time", d.init_time_us),
        fail_on_start: p.read("fail_on_start", d.fail_on_start, read_starts),
        fail_reason: p.term("fail_reason", d.fail_reason),
    };
    p.finish(Rc::new(parsed) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let d = Params::default();
    params::object_schema(vec![
        (
            "work",
            duration_schema("virtual time spent on each call or cast", Some(0)),
        ),
        (
            "trap_exit",
            json!({"type": "boolean", "default": false, "description": "trap exits, so a supervisor's shutdown runs terminate"}),
        ),
        (
            "terminate",
            duration_schema("virtual time spent in terminate", Some(0)),
        ),
        (
            "init",
            json!({"enum": INIT_MODES, "default": "ok", "description": "what init returns: ok, ignore, error ({stop, fail_reason}) or crash"}),
        ),
        (
            "init_time",
            duration_schema("virtual time spent in init", Some(0)),
        ),
        (
            "fail_on_start",
            json!({
                "description": "start numbers (per path, from 1) whose init returns {stop, fail_reason}",
                "default": [],
                "oneOf": [
                    {"type": "integer", "minimum": 1},
                    {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": MAX_FAILING_STARTS}
                ]
            }),
        ),
        (
            "fail_reason",
            term_schema("the reason of a failing init", &d.fail_reason),
        ),
    ])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({
            "work": duration_json(self.work_us),
            "trap_exit": self.trap_exit,
            "terminate": duration_json(self.terminate_us),
            "init": self.init,
            "init_time": duration_json(self.init_time_us),
            "fail_on_start": self.fail_on_start,
            "fail_reason": term_json(&self.fail_reason),
        })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = (Rc::new(self.clone()), env.path.clone());
        Box::pin(async move {
            gen_server::start_link::<Worker>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// The running worker.
pub struct Worker {
    params: Rc<Params>,
    handled: u64,
}

impl Worker {
    /// Calls and casts handled so far (crash requests not included).
    pub fn handled(&self) -> u64 {
        self.handled
    }

    async fn work(&mut self, ctx: &Ctx) {
        let work_us = buggify::slow(ctx, "worker.slow", self.params.work_us);
        if work_us > 0 {
            ctx.work(work_us).await;
        }
        self.handled += 1;
    }
}

/// The reason in a `{crash, Reason}` request.
fn crash_request(request: &Term) -> Option<Term> {
    match request.as_tuple()? {
        [tag, reason] if tag.is_atom("crash") => Some(reason.clone()),
        _ => None,
    }
}

impl GenServer for Worker {
    /// The parameters and the worker's path (for its start count).
    type Args = (Rc<Params>, String);

    async fn init(ctx: &Ctx, (params, path): Self::Args) -> Init<Self> {
        let start = starts::bump(ctx, &path);
        if params.trap_exit {
            ctx.trap_exit(true);
        }
        if params.init_time_us > 0 {
            ctx.work(params.init_time_us).await;
        }
        if params.fail_on_start.binary_search(&start).is_ok() {
            return Init::Stop(params.fail_reason.clone());
        }
        match params.init {
            "ignore" => Init::Ignore,
            "error" => Init::Stop(params.fail_reason.clone()),
            "crash" => panic!("worker init crashed: {}", params.fail_reason),
            _ => Init::Ok(Worker { params, handled: 0 }),
        }
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        if let Some(reason) = crash_request(&request) {
            return CallResponse::Stop {
                reason,
                reply: None,
            };
        }
        self.work(ctx).await;
        if request.is_atom("ping") {
            CallResponse::reply(atom("pong"))
        } else {
            CallResponse::reply(Term::tagged("ok", request))
        }
    }

    async fn handle_cast(&mut self, ctx: &Ctx, request: Term) -> Response {
        if let Some(reason) = crash_request(&request) {
            return Response::Stop(reason);
        }
        self.work(ctx).await;
        Response::noreply()
    }

    async fn handle_info(&mut self, _ctx: &Ctx, msg: Term) -> Response {
        fault::on_info(&msg).unwrap_or_else(Response::noreply)
    }

    async fn terminate(&mut self, ctx: &Ctx, _reason: &Term) {
        if self.params.terminate_us > 0 {
            ctx.work(self.params.terminate_us).await;
        }
    }
}
