//! The built-in models a scenario names: ready-made actors written on the public
//! behaviour API only, the same API a Rust user writes their own actors with.
//!
//! Every model is a [`ModelSpec`]: a name and its parsed parameters. The scenario
//! loader calls [`ModelSpec::parse`]; the builder calls [`ModelSpec::start`] inside the
//! supervisor that starts the child; fault injection calls [`ModelSpec::upgrade`].

use crate::behaviour::gen_server::StartResult;
use crate::kernel::Ctx;
use crate::scenario::json::{LoadError, Reader};
use crate::term::{Atom, Pid, Term};
use std::future::Future;
use std::pin::Pin;

/// Where a model instance lives and what it may read, fixed when the tree is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelEnv {
    /// The instance's path in the tree (`root/db/conn1`), or `workload/<id>` for a
    /// client; also its trace label and the name of its random stream.
    pub path: String,
    /// The local name to register under (the path, for static tree children), if any.
    pub name: Option<Atom>,
    /// The application whose environment `Application.get_env` reads.
    pub app: String,
}

/// A boxed start future, as supervisors' start functions return.
pub type StartFuture = Pin<Box<dyn Future<Output = StartResult>>>;

/// A model with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSpec {
    /// The model's name, as written in the scenario.
    pub name: String,
    /// Its parameters.
    pub params: ModelParams,
}

/// The parameters of each model.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelParams {}

/// Every model name, in the order documentation lists them.
pub const MODEL_NAMES: &[&str] = &[];

impl ModelSpec {
    /// Reads `"model": name` and its `"params"` object (absent means all defaults).
    /// Unknown models and unknown or ill-typed parameters are errors naming the path.
    pub fn parse(model: &Reader<'_>, params: Option<&Reader<'_>>) -> Result<ModelSpec, LoadError> {
        let _ = params;
        let name = model.one_of(MODEL_NAMES)?;
        Err(model.error(format!("model `{name}` is not built yet")))
    }

    /// The model and its parameters as scenario JSON: `{"model": .., "params": {..}}`,
    /// every parameter written out, so that parsing it again gives the same spec.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "model": self.name })
    }

    /// A JSON Schema of `params` for this model name.
    pub fn params_schema(name: &str) -> Option<serde_json::Value> {
        let _ = name;
        None
    }

    /// Starts an instance linked to the caller (a supervisor), registered under
    /// `env.name`, with `extra` arguments from a dynamic supervisor.
    pub fn start(&self, ctx: Ctx, env: ModelEnv, extra: Vec<Term>) -> StartFuture {
        let _ = (ctx, env, extra);
        Box::pin(async { StartResult::Error(Term::atom_owned("no_models")) })
    }

    /// Versions this model can be upgraded to (empty when it has one version).
    pub fn versions(&self) -> &'static [u32] {
        &[]
    }

    /// Upgrades the running instance `pid` to `to_vsn` (sys suspend, change_code,
    /// resume). `Err` carries the reason when it is not possible.
    pub fn upgrade(
        &self,
        ctx: Ctx,
        pid: Pid,
        to_vsn: u32,
    ) -> Pin<Box<dyn Future<Output = Result<(), Term>>>> {
        let _ = (ctx, pid, to_vsn);
        Box::pin(async { Err(Term::atom_owned("no_upgrade")) })
    }
}
