//! `counter`: a counter with two code versions, for hot code upgrades.
//!
//! Version 1 keeps an integer:
//! - call `increment` → `{ok, N}` (the new value); cast `increment` adds one;
//! - call `get` → `N`.
//!
//! Version 2 keeps the count and the increments since the upgrade, and answers in a
//! new shape, so a trace shows which code served each request:
//! - call `increment` → `{ok, N, v2}`; cast `increment` adds one;
//! - call `get` → `N`; call `since_upgrade` → increments since the upgrade.
//!
//! Any other call → `{error, {unknown_request, Request}}`; another cast is dropped.
//! An `upgrade` fault with `"to_version": 2` migrates a running version 1 (`code_change`
//! keeps the count); `"to_version": 1` migrates back (the count is kept, the
//! increments since the upgrade are dropped). Upgrading to the version already running
//! fails with `{error, {wrong_code, Vsn}}` and changes nothing.
//!
//! Parameters (all optional):
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `initial` | `0` | the value at every (re)start, from -10^15 to 10^15 |
//!
//! ```json
//! {"id": "hits", "model": "counter", "params": {"initial": 100}}
//! ```

use super::params::{self, number_schema, Params as Fields};
use super::{fault, Model, ModelEnv, StartFuture, UpgradeFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response, Upgrade};
use crate::kernel::Ctx;
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Pid, Term};
use serde_json::{json, Value};
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "counter";

/// The largest `initial` magnitude: far from overflow however long a run counts.
const MAX_INITIAL: i64 = 1_000_000_000_000_000;

/// The counter's parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    /// The value at start.
    pub initial: i64,
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let mut p = Fields::open(params, &["initial"]);
    let initial = p.int("initial", 0, -MAX_INITIAL, MAX_INITIAL);
    p.finish(Rc::new(Params { initial }) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    params::object_schema(vec![(
        "initial",
        number_schema(
            "integer",
            "the value at every (re)start",
            json!(0),
            json!(-MAX_INITIAL),
            json!(MAX_INITIAL),
        ),
    )])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({ "initial": self.initial })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let initial = self.initial;
        Box::pin(async move {
            gen_server::start_link::<CounterV1>(&ctx, initial, params::start_opts(&env)).await
        })
    }

    fn versions(&self) -> &'static [u32] {
        &[1, 2]
    }

    fn upgrade(&self, ctx: Ctx, pid: Pid, to_vsn: u32) -> UpgradeFuture {
        Box::pin(async move {
            match to_vsn {
                2 => gen_server::upgrade::<CounterV1, CounterV2>(&ctx, pid, Term::UNDEFINED).await,
                1 => gen_server::upgrade::<CounterV2, CounterV1>(&ctx, pid, Term::UNDEFINED).await,
                _ => Err(Term::tagged("no_such_version", Term::Int(to_vsn.into()))),
            }
        })
    }
}

fn unknown(request: Term) -> CallResponse {
    CallResponse::reply(Term::tagged(
        "error",
        Term::tagged("unknown_request", request),
    ))
}

/// Version 1: the count alone.
pub struct CounterV1 {
    count: i64,
}

impl CounterV1 {
    /// The current value.
    pub fn count(&self) -> i64 {
        self.count
    }
}

impl GenServer for CounterV1 {
    /// The initial value.
    type Args = i64;

    async fn init(_ctx: &Ctx, initial: i64) -> Init<Self> {
        Init::Ok(CounterV1 { count: initial })
    }

    async fn handle_call(&mut self, _ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        if request.is_atom("increment") {
            self.count = self.count.saturating_add(1);
            CallResponse::reply(Term::tagged("ok", Term::Int(self.count)))
        } else if request.is_atom("get") {
            CallResponse::reply(Term::Int(self.count))
        } else {
            unknown(request)
        }
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, request: Term) -> Response {
        if request.is_atom("increment") {
            self.count = self.count.saturating_add(1);
        }
        Response::noreply()
    }

    async fn handle_info(&mut self, _ctx: &Ctx, msg: Term) -> Response {
        fault::on_info(&msg).unwrap_or_else(Response::noreply)
    }
}

/// Version 2: the count and the increments since the upgrade.
pub struct CounterV2 {
    count: i64,
    since_upgrade: i64,
}

impl CounterV2 {
    /// The current value.
    pub fn count(&self) -> i64 {
        self.count
    }

    /// Increments since the upgrade (or since start, for a counter started at v2).
    pub fn since_upgrade(&self) -> i64 {
        self.since_upgrade
    }

    fn increment(&mut self) {
        self.count = self.count.saturating_add(1);
        self.since_upgrade = self.since_upgrade.saturating_add(1);
    }
}

impl GenServer for CounterV2 {
    /// The initial value.
    type Args = i64;

    async fn init(_ctx: &Ctx, initial: i64) -> Init<Self> {
        Init::Ok(CounterV2 {
            count: initial,
            since_upgrade: 0,
        })
    }

    async fn handle_call(&mut self, _ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        if request.is_atom("increment") {
            self.increment();
            CallResponse::reply(Term::tuple_of([
                Term::OK,
                Term::Int(self.count),
                atom("v2"),
            ]))
        } else if request.is_atom("get") {
            CallResponse::reply(Term::Int(self.count))
        } else if request.is_atom("since_upgrade") {
            CallResponse::reply(Term::Int(self.since_upgrade))
        } else {
            unknown(request)
        }
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, request: Term) -> Response {
        if request.is_atom("increment") {
            self.increment();
        }
        Response::noreply()
    }

    async fn handle_info(&mut self, _ctx: &Ctx, msg: Term) -> Response {
        fault::on_info(&msg).unwrap_or_else(Response::noreply)
    }

    fn vsn() -> Term {
        Term::Int(2)
    }
}

impl Upgrade<CounterV1> for CounterV2 {
    fn code_change(old: CounterV1, _extra: &Term) -> Result<CounterV2, (CounterV1, Term)> {
        Ok(CounterV2 {
            count: old.count,
            since_upgrade: 0,
        })
    }
}

impl Upgrade<CounterV2> for CounterV1 {
    fn code_change(old: CounterV2, _extra: &Term) -> Result<CounterV1, (CounterV2, Term)> {
        Ok(CounterV1 { count: old.count })
    }
}
