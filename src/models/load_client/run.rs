//! The load client's processes: the client itself (a GenServer that paces arrivals or
//! starts the callers) and the processes that make the calls.
//!
//! The client and its callers share one [`Shared`] through an `Rc`, as processes of
//! one client would share an ETS table: the random stream (so the client's draws stay
//! one stream, in the deterministic order the processes run) and the in-flight count.

use super::{Mode, Op, Params, TargetSpec, NAME};
use crate::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Response, ServerRef,
};
use crate::behaviour::registry::Registry;
use crate::kernel::rng::Stream;
use crate::kernel::{catch_crash, Ctx, SpawnOpts};
use crate::models::fault;
use crate::models::params::{exponential_us, model_event};
use crate::term::{atom, Atom, Term};
use rand_core::RngCore;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The message that starts the load, `start_after` after the client starts.
const BEGIN: &str = "$otpsim_begin";
/// The message of the next open-loop arrival.
const TICK: &str = "$otpsim_tick";
/// The atom a request's keys replace.
const KEY: &str = "$key";

/// What the client and its callers share.
struct Shared {
    params: Rc<Params>,
    path: String,
    rng: RefCell<Stream>,
    in_flight: Cell<u64>,
    stop_at_us: Option<u64>,
}

impl Shared {
    /// The server to call now; `None` while the target's registry is down (a via
    /// lookup in a missing registry would crash the caller, as Elixir's raises).
    fn server(&self, ctx: &Ctx) -> Option<ServerRef> {
        match &self.params.target {
            TargetSpec::Path(path) => Some(ServerRef::Name(Atom::new(path))),
            TargetSpec::Registry { registry, key } => {
                let registry = Registry::new(Atom::new(registry));
                ctx.whereis(registry.name())?;
                Some(ServerRef::Via(registry.via(key.clone())))
            }
        }
    }

    /// The next request, its `'$key'` atoms drawn.
    fn request(&self) -> Term {
        match &self.params.op {
            Op::Checkout { .. } => {
                let timeout_ms = (self.params.call_timeout_us / 1_000) as i64;
                Term::tuple_of([atom("checkout"), Term::TRUE, Term::Int(timeout_ms)])
            }
            Op::Call { request, keys } => {
                if !has_key(request) {
                    return request.clone();
                }
                let key = (self.rng.borrow_mut().next_u64() % keys) as i64;
                with_key(request, key)
            }
        }
    }

    fn stopped(&self, now_us: u64) -> bool {
        self.stop_at_us.is_some_and(|stop| now_us >= stop)
    }
}

fn has_key(t: &Term) -> bool {
    match t {
        Term::Atom(a) => a.as_str() == KEY,
        Term::Tuple(items) | Term::List(items) => items.iter().any(has_key),
        _ => false,
    }
}

fn with_key(t: &Term, key: i64) -> Term {
    match t {
        Term::Atom(a) if a.as_str() == KEY => Term::Int(key),
        Term::Tuple(items) => Term::tuple(items.iter().map(|i| with_key(i, key))),
        Term::List(items) => Term::list(items.iter().map(|i| with_key(i, key))),
        other => other.clone(),
    }
}

/// The outcome of one call, as `call_outcome` records it: `ok`, `error`, `timeout` or
/// `rejected` (see the module documentation of `load_client`). `result` is what
/// `gen_server::call` returned.
pub fn classify(result: &Result<Term, Term>) -> &'static str {
    let reply = match result {
        Ok(reply) => reply,
        Err(exit) => {
            let reason = exit.as_tuple().and_then(|t| t.first()).unwrap_or(exit);
            return if reason.is_atom("timeout") {
                "timeout"
            } else {
                "error"
            };
        }
    };
    if ["rate_limited", "full", "circuit_open"]
        .iter()
        .any(|a| reply.is_atom(a))
    {
        return "rejected";
    }
    match reply.as_tuple() {
        Some([tag, why]) if tag.is_atom("error") => {
            if why.is_atom("circuit_open") || why.is_atom("rate_limited") {
                "rejected"
            } else {
                "error"
            }
        }
        Some([tag, _]) if tag.is_atom("rejected") => "rejected",
        _ if reply.is_atom("error") => "error",
        _ => "ok",
    }
}

fn outcome(ctx: &Ctx, outcome: &'static str, latency_us: u64) {
    let detail = Term::tuple_of([atom(outcome), Term::Int(latency_us as i64)]);
    model_event(ctx, NAME, "call_outcome", detail);
}

/// One request from the calling process: the call, its outcome event, and for a
/// checkout the hold and the checkin. Never fails.
async fn one_request(ctx: &Ctx, shared: &Shared, request: Term) {
    let started = ctx.now_us();
    let timeout_ms = Some(shared.params.call_timeout_us / 1_000);
    let result = match shared.server(ctx) {
        None => Err(Term::tuple_of([Term::NOPROC, atom("registry_down")])),
        Some(server) => catch_crash(gen_server::call(ctx, server, request, timeout_ms))
            .await
            .unwrap_or_else(Err),
    };
    outcome(ctx, classify(&result), ctx.now_us() - started);
    if let (Op::Checkout { hold_us }, Ok(Term::Pid(worker))) = (&shared.params.op, &result) {
        ctx.sleep(*hold_us).await;
        if let Some(server) = shared.server(ctx) {
            gen_server::cast(ctx, server, Term::tagged("checkin", Term::Pid(*worker)));
        }
    }
}

/// Counts a request process out of the in-flight count when it ends, however it ends
/// (a killed process's task is dropped).
struct InFlight(Rc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .in_flight
            .set(self.0.in_flight.get().saturating_sub(1));
    }
}

/// The running client.
pub struct LoadClient {
    shared: Rc<Shared>,
    begun_us: u64,
    arrivals: u64,
    spawned: u64,
}

impl LoadClient {
    /// Open-loop requests outstanding now.
    pub fn in_flight(&self) -> u64 {
        self.shared.in_flight.get()
    }

    /// Callers and request processes started so far.
    pub fn spawned(&self) -> u64 {
        self.spawned
    }

    fn next_label(&mut self) -> SpawnOpts {
        self.spawned += 1;
        SpawnOpts {
            link: true,
            monitor: false,
            label: Some(format!("{}/{}", self.shared.path, self.spawned).into()),
        }
    }

    /// Closed loop: the callers, each looping call, think.
    fn start_callers(&mut self, ctx: &Ctx, concurrency: u64, think_us: u64) {
        for _ in 0..concurrency {
            let shared = self.shared.clone();
            ctx.spawn_opt(self.next_label(), move |ctx| async move {
                while !shared.stopped(ctx.now_us()) {
                    let request = shared.request();
                    one_request(&ctx, &shared, request).await;
                    ctx.sleep(think_us).await;
                }
                Ok(())
            });
        }
    }

    /// Open loop: one arrival now (a request process, or a shed request), then the
    /// next arrival's timer.
    fn arrive(&mut self, ctx: &Ctx, rate: f64, poisson: bool, max_in_flight: u64) {
        let now = ctx.now_us();
        if self.shared.stopped(now) {
            return;
        }
        if self.shared.in_flight.get() >= max_in_flight {
            outcome(ctx, "rejected", 0);
        } else {
            let request = self.shared.request();
            self.shared.in_flight.set(self.shared.in_flight.get() + 1);
            // Made here, so even a process killed before it first runs counts out.
            let guard = InFlight(self.shared.clone());
            ctx.spawn_opt(self.next_label(), move |ctx| async move {
                one_request(&ctx, &guard.0, request).await;
                Ok(())
            });
        }
        self.arrivals += 1;
        let interval_us = 1_000_000.0 / rate;
        let next = if poisson {
            let mean_us = (interval_us.round() as u64).max(1);
            now + exponential_us(&mut self.shared.rng.borrow_mut(), mean_us)
        } else {
            // From the start, not from now, so rounding never drifts the rate.
            self.begun_us + (self.arrivals as f64 * interval_us) as u64
        };
        ctx.send_after(next.saturating_sub(now), ctx.me(), atom(TICK));
    }
}

impl GenServer for LoadClient {
    /// The parameters and the client's path.
    type Args = (Rc<Params>, String);

    async fn init(ctx: &Ctx, (params, path): Self::Args) -> Init<Self> {
        let stream = match path.strip_prefix("workload/") {
            Some(id) => format!("workload:{id}"),
            None => format!("model:{path}"),
        };
        let now = ctx.now_us();
        ctx.send_after(params.start_after_us, ctx.me(), atom(BEGIN));
        let shared = Shared {
            stop_at_us: params.stop_after_us.map(|s| now + s),
            params,
            path,
            rng: RefCell::new(ctx.rng(&stream)),
            in_flight: Cell::new(0),
        };
        Init::Ok(LoadClient {
            shared: Rc::new(shared),
            begun_us: now,
            arrivals: 0,
            spawned: 0,
        })
    }

    async fn handle_call(&mut self, _ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        CallResponse::reply(Term::tagged(
            "error",
            Term::tagged("unknown_request", request),
        ))
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        let mode = self.shared.params.mode.clone();
        match mode {
            Mode::Open {
                rate,
                poisson,
                max_in_flight,
            } => {
                if msg.is_atom(BEGIN) {
                    self.begun_us = ctx.now_us();
                }
                if msg.is_atom(BEGIN) || msg.is_atom(TICK) {
                    self.arrive(ctx, rate, poisson, max_in_flight);
                }
            }
            Mode::Closed {
                concurrency,
                think_us,
            } => {
                if msg.is_atom(BEGIN) && !self.shared.stopped(ctx.now_us()) {
                    self.start_callers(ctx, concurrency, think_us);
                }
            }
        }
        Response::noreply()
    }
}
