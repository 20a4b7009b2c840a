//! `flaky`: a dependency (a database, a remote service) that is slow and sometimes
//! fails, and that faults can make worse.
//!
//! Every call `Request` takes a latency drawn from `latency` (the server is busy
//! meanwhile, so requests queue behind a slow one), then fails with probability
//! `error_rate`: the reply is `{ok, Request}` or `{error, unavailable}`. Casts are
//! taken and dropped.
//!
//! The fault `degrade` (`{'$otpsim_fault', degrade, ErrorRatePpm, LatencyUs,
//! UntilUs}`) makes it worse until the window ends: `LatencyUs` is added to every
//! request, and a request fails when either draw fails, so the error probability is
//! `e + d - e·d` for a base rate `e` and a degrade rate `d` (a degrade rate of 1 fails
//! everything). A later degrade replaces an earlier one. The window is judged when a
//! request starts. The fault `crash` stops it as every model.
//!
//! Random draws come from the stream `model:<path>`: one latency sample (none for a
//! fixed latency) and one error draw per request, so the same seed gives the same
//! failures.
//!
//! Parameters (all optional):
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `latency` | `"1ms"` | the service time: a duration, or `{"dist": "fixed", "value": D}`, `{"dist": "uniform", "min": D, "max": D}`, `{"dist": "exponential", "mean": D}` |
//! | `error_rate` | `0` | probability that a request fails, 0 to 1 |
//!
//! ```json
//! {"id": "db", "model": "flaky", "params": {"latency": {"dist": "exponential", "mean": "20ms"}, "error_rate": 0.01}}
//! ```

use super::fault::{self, DegradeState};
use super::params::{self, chance, latency_schema, Latency, Params as Fields};
use super::{buggify, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use crate::kernel::rng::Stream;
use crate::kernel::{ms, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Term};
use serde_json::{json, Value};
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "flaky";

/// The dependency's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// The service time.
    pub latency: Latency,
    /// Probability that a request fails.
    pub error_rate: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            latency: Latency::Fixed(ms(1)),
            error_rate: 0.0,
        }
    }
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let d = Params::default();
    let mut p = Fields::open(params, &["latency", "error_rate"]);
    let parsed = Params {
        latency: p.latency("latency", d.latency),
        error_rate: p.probability("error_rate", d.error_rate),
    };
    p.finish(Rc::new(parsed) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let d = Params::default();
    params::object_schema(vec![
        ("latency", latency_schema("the service time:", &d.latency)),
        (
            "error_rate",
            params::number_schema(
                "number",
                "probability that a request fails",
                json!(0.0),
                json!(0),
                json!(1),
            ),
        ),
    ])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({ "latency": self.latency.to_json(), "error_rate": self.error_rate })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = (self.clone(), env.path.clone());
        Box::pin(async move {
            gen_server::start_link::<Flaky>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// The running dependency.
pub struct Flaky {
    params: Params,
    rng: Stream,
    degraded: DegradeState,
    served: u64,
    failed: u64,
}

impl Flaky {
    /// Requests answered `{ok, _}` so far.
    pub fn served(&self) -> u64 {
        self.served
    }

    /// Requests answered `{error, unavailable}` so far.
    pub fn failed(&self) -> u64 {
        self.failed
    }
}

impl GenServer for Flaky {
    /// The parameters and the instance's path (its random stream's name).
    type Args = (Params, String);

    async fn init(ctx: &Ctx, (params, path): Self::Args) -> Init<Self> {
        Init::Ok(Flaky {
            params,
            rng: ctx.rng(&format!("model:{path}")),
            degraded: DegradeState::default(),
            served: 0,
            failed: 0,
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        let degrade = self.degraded.active(ctx.now_us());
        let mut latency_us = self.params.latency.sample(&mut self.rng);
        let mut fail_p = self.params.error_rate;
        if let Some(d) = degrade {
            latency_us = latency_us.saturating_add(d.latency_us);
            fail_p = fail_p + d.error_rate() - fail_p * d.error_rate();
        }
        // The model's own draws come first, so its stream moves as without buggify.
        let fails = chance(&mut self.rng, fail_p) || buggify::fires(ctx, "flaky.error");
        let latency_us = buggify::slow(ctx, "flaky.slow", latency_us);
        if latency_us > 0 {
            ctx.work(latency_us).await;
        }
        if fails {
            self.failed += 1;
            CallResponse::reply(Term::tagged("error", atom("unavailable")))
        } else {
            self.served += 1;
            CallResponse::reply(Term::tagged("ok", request))
        }
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::noreply()
    }

    async fn handle_info(&mut self, _ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        self.degraded.take(&msg);
        Response::noreply()
    }
}
