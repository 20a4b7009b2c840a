//! The list of built-in models: name, parameter parser, parameter schema, summary.

use super::Model;
use crate::scenario::json::{LoadError, Reader};
use std::rc::Rc;

/// Reads a model's `"params"` object (`None` when absent).
pub type ParseFn = fn(Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError>;

/// One catalogued model.
pub struct ModelDef {
    /// The name a scenario writes in `"model"`.
    pub name: &'static str,
    /// One line on what it is, for `otpsim schema` and the docs.
    pub summary: &'static str,
    /// Reads the `"params"` object (`None` when absent).
    pub parse: ParseFn,
    /// A JSON Schema of the `"params"` object.
    pub schema: fn() -> serde_json::Value,
}

/// Every built-in model, in the order documentation lists them.
pub const CATALOG: &[ModelDef] = &[
    // --- core models (helper M1 adds entries here)
    ModelDef {
        name: super::worker::NAME,
        summary: "a GenServer worker: work time per message, slow terminate, failing init (also on its Nth start), crash on command",
        parse: super::worker::parse,
        schema: super::worker::schema,
    },
    ModelDef {
        name: super::counter::NAME,
        summary: "a counter with two code versions, for hot code upgrades",
        parse: super::counter::parse,
        schema: super::counter::schema,
    },
    ModelDef {
        name: super::cache::NAME,
        summary: "a key-value cache with a time to live and periodic cleanup",
        parse: super::cache::parse,
        schema: super::cache::schema,
    },
    ModelDef {
        name: super::session::NAME,
        summary: "a session that stops (normal) after an idle timeout",
        parse: super::session::parse,
        schema: super::session::schema,
    },
    ModelDef {
        name: super::rate_limiter::NAME,
        summary: "at most N requests per window, reset by a timer",
        parse: super::rate_limiter::parse,
        schema: super::rate_limiter::schema,
    },
    ModelDef {
        name: super::flaky::NAME,
        summary: "a dependency with a latency distribution and an error rate, degradable by faults",
        parse: super::flaky::parse,
        schema: super::flaky::schema,
    },
    ModelDef {
        name: super::load_client::NAME,
        summary: "a workload client: open loop at a rate or closed loop with N callers; records call outcomes",
        parse: super::load_client::parse,
        schema: super::load_client::schema,
    },
    ModelDef {
        name: super::buffered_writer::NAME,
        summary: "buffers writes and flushes in batches and in terminate; loses its buffer when killed",
        parse: super::buffered_writer::parse,
        schema: super::buffered_writer::schema,
    },
    ModelDef {
        name: super::settings::NAME,
        summary: "the application's environment behind a process: get and put",
        parse: super::settings::parse,
        schema: super::settings::schema,
    },
    // --- pattern models (helper M2 adds entries here)
    ModelDef {
        name: super::circuit_breaker::NAME,
        summary: "a circuit breaker in front of a dependency: closed, open after consecutive failures, half-open trials after a reset timeout",
        parse: super::circuit_breaker::parse,
        schema: super::circuit_breaker::schema,
    },
    ModelDef {
        name: super::pool::NAME,
        summary: "a worker pool with poolboy semantics: size, max_overflow, blocking checkout with a timeout, checkin, borrowers monitored",
        parse: super::pool::parse,
        schema: super::pool::schema,
    },
    ModelDef {
        name: super::conn_pool::NAME,
        summary: "a router sending each query to a random running child of a supervisor of connections",
        parse: super::conn_pool::parse,
        schema: super::conn_pool::schema,
    },
    ModelDef {
        name: super::fanout::NAME,
        summary: "a fan-out of tasks under a Task.Supervisor, with max_concurrency and a per-task timeout",
        parse: super::fanout::parse,
        schema: super::fanout::schema,
    },
    ModelDef {
        name: super::keyed::NAME,
        summary: "a router keeping one via-named worker per key in a Registry, started on demand under a DynamicSupervisor",
        parse: super::keyed::parse,
        schema: super::keyed::schema,
    },
];

/// The catalogued names, in order.
pub fn names() -> Vec<&'static str> {
    CATALOG.iter().map(|d| d.name).collect()
}

/// The model called `name`.
pub fn find(name: &str) -> Option<&'static ModelDef> {
    CATALOG.iter().find(|d| d.name == name)
}
