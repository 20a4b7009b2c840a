//! Helpers for the pattern model tests: parsing a model from JSON text, building small
//! trees by hand (models registered and labelled with their paths, as the scenario
//! builder does), a test dependency whose behaviour the test switches, and reading the
//! trace back.

#![allow(dead_code)]

use otpsim::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, ServerRef, StartOpts,
};
use otpsim::behaviour::supervisor::{self, child_label, ChildSpec, StartFn, Strategy, SupFlags};
use otpsim::kernel::{ms, Ctx, Sim, SimConfig};
use otpsim::models::{starts, ModelEnv, ModelSpec};
use otpsim::scenario::json::Document;
use otpsim::term::{atom, Atom, Pid, Term};
use otpsim::trace::{Event, EventKind};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

/// The model `name` with `params` (a JSON object's text).
pub fn spec(name: &str, params: &str) -> ModelSpec {
    let text = format!(r#"{{"model": "{name}", "params": {params}}}"#);
    let doc = Document::parse("t.json", &text).unwrap();
    let o = doc.reader().expect_object().unwrap();
    let params = o.optional("params");
    ModelSpec::parse(&o.required("model").unwrap(), params.as_ref())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The error for a whole `{"model": .., "params": ..}` text, as displayed.
pub fn parse_error(text: &str) -> String {
    let doc = Document::parse("t.json", text).unwrap();
    let o = doc.reader().expect_object().unwrap();
    let params = o.optional("params");
    match ModelSpec::parse(&o.required("model").unwrap(), params.as_ref()) {
        Ok(s) => panic!("{text} parsed as {s:?}"),
        Err(e) => e.to_string(),
    }
}

/// Term text to a term.
pub fn t(text: &str) -> Term {
    otpsim::term::parse_term(text).unwrap()
}

/// A call with a 60 s timeout.
pub async fn call(ctx: &Ctx, server: impl Into<ServerRef>, request: Term) -> Result<Term, Term> {
    gen_server::call(ctx, server, request, Some(60_000)).await
}

/// The process registered under `path`.
pub fn name(path: &str) -> ServerRef {
    ServerRef::Name(Atom::new(path))
}

/// A static child running `model`, registered and labelled with its path (the
/// supervisor's label, `/`, `id`), as the scenario builder makes it.
pub fn model_child(id: &str, model: ModelSpec) -> ChildSpec {
    let fallback = id.to_string();
    let start: StartFn = Rc::new(move |ctx: Ctx| {
        let path = child_label().unwrap_or_else(|| fallback.clone());
        model.start(ctx, ModelEnv::at_path(&path, "app"), Vec::new())
    });
    ChildSpec::new(Term::atom_owned(id), start)
}

/// Starts a one_for_one supervisor linked to the caller, registered and labelled
/// `path`.
pub async fn supervisor_at(ctx: &Ctx, path: &str, children: Vec<ChildSpec>) -> Pid {
    let opts = StartOpts {
        name: Some(gen_server::ServerName::Local(Atom::new(path))),
        label: Some(path.to_string()),
        ..StartOpts::default()
    };
    supervisor::start_link(ctx, SupFlags::new(Strategy::OneForOne), children, opts)
        .await
        .into_result()
        .expect("the supervisor starts")
}

/// Starts `model` alone at `path`, linked to the caller.
pub async fn start_model(ctx: &Ctx, path: &str, model: &ModelSpec) -> Pid {
    model
        .start(ctx.clone(), ModelEnv::at_path(path, "app"), Vec::new())
        .await
        .into_result()
        .unwrap_or_else(|e| panic!("{path} does not start: {e}"))
}

/// A dependency for tests: answers every call after `delay_ms` with `{ok, Request}`
/// while healthy, `{error, unavailable}` while failing. Call `{set, Healthy, DelayMs}`
/// to switch (answered `ok` at once).
pub struct Dep {
    healthy: bool,
    delay_ms: u64,
}

impl GenServer for Dep {
    type Args = ();

    async fn init(_ctx: &Ctx, _: ()) -> Init<Self> {
        Init::Ok(Dep {
            healthy: true,
            delay_ms: 0,
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        if let Some([tag, healthy, Term::Int(delay)]) = request.as_tuple() {
            if tag.is_atom("set") {
                self.healthy = healthy.is_atom("true");
                self.delay_ms = *delay as u64;
                return CallResponse::reply(Term::OK);
            }
        }
        if self.delay_ms > 0 {
            ctx.work(ms(self.delay_ms)).await;
        }
        if self.healthy {
            CallResponse::reply(Term::tagged("ok", request))
        } else {
            CallResponse::reply(Term::tagged("error", atom("unavailable")))
        }
    }
}

/// Starts a [`Dep`] registered and labelled `path`, linked to the caller.
pub async fn start_dep(ctx: &Ctx, path: &str) -> Pid {
    let opts = StartOpts {
        name: Some(gen_server::ServerName::Local(Atom::new(path))),
        label: Some(path.to_string()),
        ..StartOpts::default()
    };
    gen_server::start_link::<Dep>(ctx, (), opts)
        .await
        .into_result()
        .expect("dep starts")
}

/// Switches the [`Dep`] at `path`.
pub async fn set_dep(ctx: &Ctx, path: &str, healthy: bool, delay_ms: i64) {
    let req = Term::tuple([
        atom("set"),
        if healthy { Term::TRUE } else { Term::FALSE },
        Term::Int(delay_ms),
    ]);
    assert_eq!(call(ctx, name(path), req).await, Ok(Term::OK));
}

/// What a test run left: the trace and the fingerprint.
pub struct Ran {
    pub events: Vec<Event>,
    pub fingerprint: u64,
}

impl Ran {
    /// Model events `what`: (time, pid, detail), in order.
    pub fn model(&self, what: &str) -> Vec<(u64, Pid, Term)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Model {
                    pid,
                    what: w,
                    detail,
                    ..
                } if w.as_str() == what => Some((e.t, *pid, detail.clone())),
                _ => None,
            })
            .collect()
    }

    /// Model events `what` as (time, detail).
    pub fn details(&self, what: &str) -> Vec<(u64, Term)> {
        self.model(what)
            .into_iter()
            .map(|(t, _, d)| (t, d))
            .collect()
    }

    /// The label each spawned process was given.
    pub fn label(&self, pid: Pid) -> Option<String> {
        self.events.iter().find_map(|e| match &e.kind {
            EventKind::Spawn { child, label, .. } if *child == pid => label.clone(),
            _ => None,
        })
    }

    /// The exit reason of `pid`, if it exited.
    pub fn exit(&self, pid: Pid) -> Option<(u64, Term)> {
        self.events.iter().find_map(|e| match &e.kind {
            EventKind::Exit { pid: p, reason } if *p == pid => Some((e.t, reason.clone())),
            _ => None,
        })
    }
}

/// Runs `body` as a test process labelled `test` until virtual time `until_us`; fails
/// the test with the process's exit reason when the body did not finish (an
/// assertion inside it is a crash of that process).
pub fn run<F, Fut>(seed: u64, until_us: u64, body: F) -> Ran
where
    F: FnOnce(Ctx) -> Fut + 'static,
    Fut: Future<Output = Result<(), Term>> + 'static,
{
    let mut sim = Sim::new(SimConfig {
        seed,
        record: true,
        ..SimConfig::default()
    });
    let done = Rc::new(RefCell::new(false));
    let finished = done.clone();
    let pid = sim.spawn_labelled("test", move |ctx| async move {
        starts::create_table(&ctx);
        body(ctx).await?;
        *finished.borrow_mut() = true;
        Ok(())
    });
    let report = sim.run_until(until_us);
    let ran = Ran {
        events: sim.events(),
        fingerprint: report.fingerprint,
    };
    assert!(
        *done.borrow(),
        "the test process did not finish by {until_us}us: {:?}",
        ran.exit(pid)
    );
    ran
}
