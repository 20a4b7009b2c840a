//! `settings`: the application's configuration behind a process, as an Elixir app
//! keeps settings in an Agent.
//!
//! At every (re)start it reads the whole application environment
//! (`Application.get_all_env`). Requests (calls):
//! - `{get, Key}` → the value, or `undefined` when the key is not set;
//! - `{put, Key, Value}` → `ok`: stored here and in the application environment
//!   (`Application.put_env`), so a restarted settings process, and every other
//!   reader of the environment, sees it; `{error, Reason}` when the environment cannot
//!   be written (no application controller runs), and then nothing changes;
//! - `keys` → the list of keys, as atoms, in order;
//! - anything else → `{error, {unknown_request, Request}}`; casts are dropped.
//!
//! A key is an atom or a binary (`{get, pool_size}`, `{get, <<"pool_size">>}`).
//!
//! It is written as a GenServer, as Elixir's `Agent` is, rather than with
//! [`crate::behaviour::agent::Agent`]: load clients send plain terms, where an
//! `Agent`'s requests carry functions.
//!
//! Parameters: none (`"params": {}` or absent).
//!
//! ```json
//! {"id": "config", "model": "settings"}
//! ```

use super::params::{self, Params as Fields};
use super::{fault, Model, ModelEnv, StartFuture};
use crate::behaviour::application;
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use crate::kernel::Ctx;
use crate::scenario::json::{LoadError, Reader};
use crate::term::Term;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "settings";

/// The settings model has no parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params;

/// Reads the `"params"` object (which must be empty).
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    Fields::open(params, &[]).finish(Rc::new(Params) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    params::object_schema(vec![])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({})
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let app = env.app.clone();
        Box::pin(async move {
            gen_server::start_link::<Settings>(&ctx, app, params::start_opts(&env)).await
        })
    }
}

/// The running settings process.
pub struct Settings {
    app: String,
    values: BTreeMap<String, Term>,
}

impl Settings {
    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Term> {
        self.values.get(key)
    }
}

fn key_text(key: &Term) -> Option<String> {
    key.as_atom().or_else(|| key.as_bin()).map(str::to_string)
}

impl GenServer for Settings {
    /// The application whose environment it holds.
    type Args = String;

    async fn init(ctx: &Ctx, app: String) -> Init<Self> {
        let values = application::get_all_env(ctx, &app);
        Init::Ok(Settings { app, values })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        let reply = match request.as_tuple() {
            Some([tag, key]) if tag.is_atom("get") => key_text(key)
                .and_then(|k| self.values.get(&k).cloned())
                .unwrap_or(Term::UNDEFINED),
            Some([tag, key, value]) if tag.is_atom("put") => match key_text(key) {
                Some(k) => match application::put_env(ctx, &self.app, &k, value.clone()) {
                    Ok(()) => {
                        self.values.insert(k, value.clone());
                        Term::OK
                    }
                    Err(reason) => Term::tagged("error", reason),
                },
                None => Term::tagged("error", Term::tagged("bad_key", key.clone())),
            },
            _ if request.is_atom("keys") => {
                Term::list(self.values.keys().map(|k| Term::atom_owned(k)))
            }
            _ => Term::tagged("error", Term::tagged("unknown_request", request)),
        };
        CallResponse::reply(reply)
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::noreply()
    }

    async fn handle_info(&mut self, _ctx: &Ctx, msg: Term) -> Response {
        fault::on_info(&msg).unwrap_or_else(Response::noreply)
    }
}
