//! Helpers for the pattern model tests: parsing a model from JSON text, building small
//! trees by hand (models registered and labelled with their paths, as the scenario
//! builder does), a test dependency whose behaviour the test switches, and reading the
//! trace back.

#![allow(dead_code)]

use otpsim::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, ServerRef, StartOpts,
};
use otpsim::behaviour::supervisor::{self, child_label, ChildSpec, StartFn, Strategy, SupFlags};
use otpsim::kernel::{ms, Ctx};
use otpsim::models::{ModelEnv, ModelSpec};
use otpsim::term::{atom, Atom, Pid, Term};
use std::rc::Rc;

pub use crate::model_harness::{call, parse_error, run, spec, t, Ran};

/// The process registered under `path`.
pub fn name(path: &str) -> ServerRef {
    ServerRef::Name(Atom::new(path))
}

/// A static child running `model`, registered and labelled with its path (the
/// supervisor's label, `/`, `id`), as the scenario builder makes it.
pub fn model_child(id: &str, model: ModelSpec) -> ChildSpec {
    let fallback = Atom::new(id);
    let start: StartFn = Rc::new(move |ctx: Ctx| {
        let path = child_label().unwrap_or_else(|| fallback.clone());
        model.start(ctx, ModelEnv::at_path(path.as_str(), "app"), Vec::new())
    });
    ChildSpec::new(Term::atom_owned(id), start)
}

/// Starts a one_for_one supervisor linked to the caller, registered and labelled
/// `path`.
pub async fn supervisor_at(ctx: &Ctx, path: &str, children: Vec<ChildSpec>) -> Pid {
    let opts = StartOpts {
        name: Some(gen_server::ServerName::Local(Atom::new(path))),
        label: Some(path.into()),
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
        label: Some(path.into()),
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
