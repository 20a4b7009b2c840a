//! Shared by the model tests (tests/models_core.rs, tests/models_patterns.rs): parsing
//! a model from JSON text, running a test process in a recorded `Sim`, and reading
//! model events back from the trace.

#![allow(dead_code)]

use otpsim::behaviour::gen_server::{self, ServerRef};
use otpsim::kernel::{Ctx, Sim, SimConfig};
use otpsim::models::{starts, ModelSpec};
use otpsim::scenario::json::Document;
use otpsim::term::{Pid, Term};
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

/// Runs `body` as a test process labelled `test` (which owns the start-count table)
/// until virtual time `until_us`; fails
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
