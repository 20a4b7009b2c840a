//! `keyed`: a router that keeps one worker per key, named through a unique Registry
//! (`{via, Registry, {RegistryName, Key}}`) and started on demand under a
//! DynamicSupervisor: the lesson's registry-named sessions.
//!
//! Request: call `{request, Key, Req}` → the router looks `Key` up in the registry at
//! `registry` (`Registry.whereis_name`); if no live worker holds it, it starts one with
//! `DynamicSupervisor.start_child` under the supervisor at `dynamic_supervisor`,
//! registered under the via-name (the `worker` model, restart `restart`, labelled by
//! the supervisor `<dynsup path>/<Key>`), and emits Model event `started_on_demand`
//! with detail Key. Then it forwards `Req` to the worker with `call_timeout`; the
//! worker's reply is the caller's reply, and a forwarded call that exits is answered
//! `{error, Reason}`. A worker that cannot be started gives `{error, Reason}` (Reason
//! the start error; `{already_started, Pid}` is not one: that pid is used); a registry
//! that is not running gives `{error, noproc}`. Any other call →
//! `{error, invalid_message}`.
//!
//! Design: the router starts workers itself, one request at a time, so two requests
//! for a new key cannot start two workers; the forwarded call runs in a short-lived
//! helper process linked to the router (`<path>/call`) that mails back the outcome, so
//! a slow worker holds up only its own callers. The fault `{'$otpsim_fault', crash,
//! Reason}` stops it.
//!
//! Parameters:
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `registry` | required | path of a registry node with unique keys |
//! | `dynamic_supervisor` | required | path of the dynamic_supervisor node the workers run under |
//! | `worker` | `{"model": "session", "params": {"idle_timeout": "30s"}}` | the per-key model (`worker` with its defaults when there is no `session` model) |
//! | `restart` | `"transient"` | the workers' restart type: `permanent`, `transient` or `temporary` |
//! | `call_timeout` | `"5s"` | timeout of each forwarded request (whole milliseconds) |
//!
//! ```json
//! {"id": "sessions", "model": "keyed",
//!  "params": {"registry": "root/names", "dynamic_supervisor": "root/session_sup"}}
//! ```

use super::forward::{error_reply, Forwards};
use super::params::{self, duration_json, duration_schema, model_event, Params as Fields};
use super::refs::{self, model_spec_schema, node_ref, path_schema};
use super::{catalog, fault, Model, ModelEnv, ModelSpec, StartFuture};
use crate::behaviour::dynamic_supervisor::{self, DynChildSpec, DynStartFn};
use crate::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Response, ServerName, StartResult,
};
use crate::behaviour::registry::Registry;
use crate::behaviour::supervisor::{child_label, Restart};
use crate::kernel::{ms, secs, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Atom, Pid, Term};
use serde_json::{json, Value};
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "keyed";

const FIELDS: &[&str] = &[
    "registry",
    "dynamic_supervisor",
    "worker",
    "restart",
    "call_timeout",
];

const RESTARTS: [&str; 3] = ["permanent", "transient", "temporary"];

const DEFAULT_CALL_TIMEOUT_US: u64 = secs(5);

/// The router's parameters (see the module documentation for defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Path of the unique registry; its name is the path.
    pub registry: String,
    /// Path of the dynamic supervisor.
    pub dynamic_supervisor: String,
    /// The per-key model.
    pub worker: ModelSpec,
    /// `permanent`, `transient` or `temporary`.
    pub restart: &'static str,
    /// Timeout of each forwarded request, µs (whole milliseconds).
    pub call_timeout_us: u64,
}

/// The default per-key model: a session stopping after 30 s idle, or a plain worker
/// in a catalogue without sessions.
fn default_worker() -> Result<ModelSpec, LoadError> {
    if catalog::find("session").is_some() {
        refs::default_spec("session", r#"{"idle_timeout": "30s"}"#)
    } else {
        refs::default_spec("worker", "{}")
    }
}

/// Reads the `"params"` object; `registry` and `dynamic_supervisor` are required.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let mut p = Fields::open(params, FIELDS);
    refs::require(&mut p, params, NAME, &["registry", "dynamic_supervisor"]);
    let worker = refs::spec_field(&p, "worker", default_worker);
    let registry = p.read("registry", String::new(), refs::read_path);
    let dynamic_supervisor = p.read("dynamic_supervisor", String::new(), refs::read_path);
    let restart = p.choice("restart", &RESTARTS, "transient");
    let call_timeout_us = p.whole_ms("call_timeout", DEFAULT_CALL_TIMEOUT_US);
    refs::finish_with_spec(p, worker, |worker| {
        Rc::new(Params {
            registry,
            dynamic_supervisor,
            worker,
            restart,
            call_timeout_us,
        }) as Rc<dyn Model>
    })
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let worker = default_worker().map(|w| model_spec_schema("the per-key model", &w));
    let mut s = params::object_schema(vec![
        (
            "registry",
            path_schema("path of a registry node with unique keys"),
        ),
        (
            "dynamic_supervisor",
            path_schema("path of the dynamic_supervisor node the workers run under"),
        ),
        (
            "worker",
            worker
                .unwrap_or_else(|_| json!({"type": "object", "description": "the per-key model"})),
        ),
        (
            "restart",
            json!({"enum": RESTARTS, "default": "transient", "description": "the workers' restart type"}),
        ),
        (
            "call_timeout",
            duration_schema(
                "timeout of each forwarded request (whole milliseconds)",
                Some(DEFAULT_CALL_TIMEOUT_US),
            ),
        ),
    ]);
    s["required"] = json!(["registry", "dynamic_supervisor"]);
    s
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({
            "registry": self.registry,
            "dynamic_supervisor": self.dynamic_supervisor,
            "worker": self.worker.to_json(),
            "restart": self.restart,
            "call_timeout": duration_json(self.call_timeout_us),
        })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = (Rc::new(self.clone()), env.clone());
        Box::pin(async move {
            gen_server::start_link::<Keyed>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// The running router.
pub struct Keyed {
    params: Rc<Params>,
    env: ModelEnv,
    registry: Registry,
    forwards: Forwards,
}

impl Keyed {
    /// The dynamic child spec of `key`'s worker, registered under its via-name.
    fn spec(&self, key: &Term) -> DynChildSpec {
        let spec = self.params.worker.clone();
        let name = ServerName::Via(self.registry.via(key.clone()));
        let app = self.env.app.clone();
        let fallback = format!("{}/{}", self.params.dynamic_supervisor, key);
        let start: DynStartFn = Rc::new(move |c: Ctx, extra| {
            let env = ModelEnv {
                path: child_label().map_or_else(|| fallback.clone(), |l| l.to_string()),
                name: Some(name.clone()),
                app: app.clone(),
            };
            spec.start(c, env, extra)
        });
        let restart = match self.params.restart {
            "permanent" => Restart::Permanent,
            "temporary" => Restart::Temporary,
            _ => Restart::Transient,
        };
        DynChildSpec::new(key.clone(), start).restart(restart)
    }

    /// The live worker of `key`, started if there is none.
    async fn worker(&self, ctx: &Ctx, key: &Term) -> Result<Pid, Term> {
        if ctx.whereis(self.registry.name()).is_none() {
            return Err(Term::NOPROC);
        }
        if let Some(pid) = self.registry.whereis_name(ctx, key) {
            return Ok(pid);
        }
        let sup = node_ref(ctx, &self.params.dynamic_supervisor);
        match dynamic_supervisor::start_child(ctx, sup, self.spec(key)).await {
            StartResult::Ok(pid) => {
                model_event(ctx, NAME, "started_on_demand", key.clone());
                Ok(pid)
            }
            StartResult::Error(reason) => match reason.as_tuple() {
                Some([tag, Term::Pid(pid)]) if tag.is_atom("already_started") => Ok(*pid),
                _ => Err(reason),
            },
            StartResult::Ignore => Err(atom("ignore")),
        }
    }
}

impl GenServer for Keyed {
    /// The parameters and where the router is.
    type Args = (Rc<Params>, ModelEnv);

    async fn init(_ctx: &Ctx, (params, env): Self::Args) -> Init<Self> {
        let registry = Registry::new(Atom::new(&params.registry));
        Init::Ok(Keyed {
            params,
            env,
            registry,
            forwards: Forwards::default(),
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, from: From) -> CallResponse {
        let (key, req) = match request.as_tuple() {
            Some([tag, key, req]) if tag.is_atom("request") => (key.clone(), req.clone()),
            _ => return CallResponse::reply(error_reply(atom("invalid_message"))),
        };
        let pid = match self.worker(ctx, &key).await {
            Ok(pid) => pid,
            Err(reason) => return CallResponse::reply(error_reply(reason)),
        };
        let timeout_ms = Some(self.params.call_timeout_us / ms(1));
        let label = format!("{}/call", self.env.path);
        self.forwards
            .call(ctx, label, pid.into(), req, timeout_ms, from);
        CallResponse::noreply()
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        self.forwards.on_info(ctx, &msg);
        Response::noreply()
    }
}
