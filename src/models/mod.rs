//! The built-in models a scenario names: ready-made actors written on the public
//! behaviour API only, the same API a Rust user writes their own actors with.
//!
//! Every model is a [`ModelSpec`]: a name and its parsed parameters (a [`Model`]). The
//! scenario loader calls [`ModelSpec::parse`]; the builder calls [`ModelSpec::start`]
//! inside the supervisor that starts the child; fault injection calls
//! [`ModelSpec::upgrade`]. The list of models is [`catalog::CATALOG`].

pub mod buffered_writer;
pub mod buggify;
pub mod cache;
pub mod catalog;
pub mod circuit_breaker;
pub mod conn_pool;
pub mod counter;
pub mod fanout;
pub mod fault;
pub mod flaky;
pub mod forward;
pub mod keyed;
pub mod load_client;
pub mod params;
pub mod pool;
pub mod rate_limiter;
pub mod refs;
pub mod session;
pub mod settings;
pub mod starts;
pub mod worker;

use crate::behaviour::gen_server::{ServerName, StartResult};
use crate::kernel::Ctx;
use crate::scenario::json::{LoadError, Reader};
use crate::term::{Pid, Term};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Where a model instance lives and what it may read, fixed when the tree is built.
#[derive(Clone, Debug)]
pub struct ModelEnv {
    /// The instance's path in the tree (`root/db/conn1`), or `workload/<id>` for a
    /// client; also its trace label and the name of its random stream.
    pub path: String,
    /// The name to register under: the path as a local name for static tree children,
    /// a via name for workers started per registry key, none for dynamic children.
    pub name: Option<ServerName>,
    /// The application whose environment `Application.get_env` reads.
    pub app: String,
}

impl ModelEnv {
    /// The environment of a static tree child at `path`: registered under the path.
    pub fn at_path(path: &str, app: &str) -> ModelEnv {
        ModelEnv {
            path: path.to_string(),
            name: Some(ServerName::Local(crate::term::Atom::new(path))),
            app: app.to_string(),
        }
    }
}

/// A boxed start future, as supervisors' start functions return.
pub type StartFuture = Pin<Box<dyn Future<Output = StartResult>>>;

/// A boxed upgrade future.
pub type UpgradeFuture = Pin<Box<dyn Future<Output = Result<(), Term>>>>;

/// One model's parsed parameters and how to run it. Implemented once per model.
pub trait Model: fmt::Debug {
    /// The parameters as scenario JSON (every parameter written out, so that parsing
    /// the result gives an equal model).
    fn params_json(&self) -> serde_json::Value;

    /// Starts an instance linked to the caller (a supervisor or the run), registered
    /// under `env.name`, labelled `env.path`; `extra` are a dynamic supervisor's
    /// extra arguments.
    fn start(&self, ctx: Ctx, env: ModelEnv, extra: Vec<Term>) -> StartFuture;

    /// Versions this model can be upgraded to (empty when it has one version).
    fn versions(&self) -> &'static [u32] {
        &[]
    }

    /// Upgrades the running instance `pid` to `to_vsn` through sys suspend,
    /// change_code and resume.
    fn upgrade(&self, ctx: Ctx, pid: Pid, to_vsn: u32) -> UpgradeFuture {
        let _ = (ctx, pid);
        Box::pin(async move { Err(Term::tagged("no_such_version", Term::Int(to_vsn.into()))) })
    }
}

/// A model with its parameters.
#[derive(Clone)]
pub struct ModelSpec {
    /// The model's name, as written in the scenario.
    pub name: &'static str,
    /// Its parameters and behaviour.
    pub model: Rc<dyn Model>,
}

impl fmt::Debug for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.model.params_json())
    }
}

/// Two specs are equal when they name the same model with the same parameters.
impl PartialEq for ModelSpec {
    fn eq(&self, other: &ModelSpec) -> bool {
        self.name == other.name && self.model.params_json() == other.model.params_json()
    }
}

impl ModelSpec {
    /// Reads `"model": name` and its `"params"` object (absent means every parameter
    /// at its documented default). Unknown models and unknown or ill-typed parameters
    /// are errors naming the path.
    pub fn parse(model: &Reader<'_>, params: Option<&Reader<'_>>) -> Result<ModelSpec, LoadError> {
        let name = model.one_of(&catalog::names())?;
        let def = catalog::find(name).expect("one_of accepted a catalogued name");
        // Without a "params" object a model's own errors (a required parameter
        // missing) have no position: anchor them at the "model" value instead.
        let parsed = (def.parse)(params).map_err(|e| match params {
            Some(_) => e,
            None => {
                let first = &e.first().message;
                let mut anchored = if first.starts_with("model `") {
                    model.error(first.clone())
                } else {
                    model.error(format!("model `{name}` needs a \"params\" object: {first}"))
                };
                for d in e.diagnostics().iter().skip(1) {
                    anchored.extend(model.error(d.message.clone()));
                }
                anchored
            }
        })?;
        Ok(ModelSpec {
            name: def.name,
            model: parsed,
        })
    }

    /// The model and its parameters as scenario JSON: `{"model": .., "params": {..}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "model": self.name, "params": self.model.params_json() })
    }

    /// Starts an instance; see [`Model::start`].
    pub fn start(&self, ctx: Ctx, env: ModelEnv, extra: Vec<Term>) -> StartFuture {
        self.model.start(ctx, env, extra)
    }

    /// See [`Model::versions`].
    pub fn versions(&self) -> &'static [u32] {
        self.model.versions()
    }

    /// See [`Model::upgrade`].
    pub fn upgrade(&self, ctx: Ctx, pid: Pid, to_vsn: u32) -> UpgradeFuture {
        self.model.upgrade(ctx, pid, to_vsn)
    }
}
