//! `cache`: a key-value cache whose entries expire after a time to live.
//!
//! Requests (calls; `put` and `delete` also as casts):
//! - `{put, K, V}` → `ok`: stores `V` under `K` until `ttl` from now;
//! - `{get, K}` → `{ok, V}`, or `miss` when absent or expired (an expired entry is a
//!   miss even before the cleanup removes it);
//! - `{delete, K}` → `ok`;
//! - `size` → the number of entries held, expired ones not yet cleaned up included;
//! - anything else → `{error, {unknown_request, Request}}`.
//!
//! Every `cleanup_every` the cache removes its expired entries and, when it removed
//! some, emits the model event `expired` with their count. The cache starts empty at
//! every (re)start.
//!
//! Parameters (all optional):
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `ttl` | `"60s"` | how long an entry lives |
//! | `cleanup_every` | `"10s"` | the cleanup period; `0` turns the periodic cleanup off |
//!
//! ```json
//! {"id": "sessions", "model": "cache", "params": {"ttl": "5s", "cleanup_every": "1s"}}
//! ```

use super::params::{self, duration_json, duration_schema, model_event, Params as Fields};
use super::{fault, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use crate::kernel::{secs, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Term};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "cache";

/// The cleanup timer's message.
const CLEANUP: &str = "$otpsim_cleanup";

/// The cache's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Entry lifetime, µs.
    pub ttl_us: u64,
    /// Cleanup period, µs; 0 for none.
    pub cleanup_every_us: u64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            ttl_us: secs(60),
            cleanup_every_us: secs(10),
        }
    }
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let d = Params::default();
    let mut p = Fields::open(params, &["ttl", "cleanup_every"]);
    let parsed = Params {
        ttl_us: p.duration_us("ttl", d.ttl_us),
        cleanup_every_us: p.duration_us("cleanup_every", d.cleanup_every_us),
    };
    p.finish(Rc::new(parsed) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let d = Params::default();
    params::object_schema(vec![
        (
            "ttl",
            duration_schema("how long an entry lives", Some(d.ttl_us)),
        ),
        (
            "cleanup_every",
            duration_schema(
                "the cleanup period; 0 turns it off",
                Some(d.cleanup_every_us),
            ),
        ),
    ])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({
            "ttl": duration_json(self.ttl_us),
            "cleanup_every": duration_json(self.cleanup_every_us),
        })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = self.clone();
        Box::pin(async move {
            gen_server::start_link::<Cache>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// The running cache.
pub struct Cache {
    params: Params,
    /// Value and expiry time (µs) by key.
    entries: BTreeMap<Term, (Term, u64)>,
}

impl Cache {
    /// Entries held, expired ones not yet cleaned up included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn schedule_cleanup(&self, ctx: &Ctx) {
        if self.params.cleanup_every_us > 0 {
            ctx.send_after(self.params.cleanup_every_us, ctx.me(), atom(CLEANUP));
        }
    }

    /// Handles a request that changes the cache; `None` when it is not one.
    fn update(&mut self, ctx: &Ctx, request: &Term) -> Option<()> {
        match request.as_tuple()? {
            [tag, key, value] if tag.is_atom("put") => {
                let expires = ctx.now_us().saturating_add(self.params.ttl_us);
                self.entries.insert(key.clone(), (value.clone(), expires));
                Some(())
            }
            [tag, key] if tag.is_atom("delete") => {
                self.entries.remove(key);
                Some(())
            }
            _ => None,
        }
    }

    fn get(&self, ctx: &Ctx, key: &Term) -> Term {
        match self.entries.get(key) {
            Some((value, expires)) if ctx.now_us() < *expires => Term::tagged("ok", value.clone()),
            _ => atom("miss"),
        }
    }
}

impl GenServer for Cache {
    /// The parameters.
    type Args = Params;

    async fn init(ctx: &Ctx, params: Params) -> Init<Self> {
        let cache = Cache {
            params,
            entries: BTreeMap::new(),
        };
        cache.schedule_cleanup(ctx);
        Init::Ok(cache)
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        if self.update(ctx, &request).is_some() {
            return CallResponse::reply(Term::OK);
        }
        let reply = match request.as_tuple() {
            Some([tag, key]) if tag.is_atom("get") => self.get(ctx, key),
            _ if request.is_atom("size") => Term::Int(self.entries.len() as i64),
            _ => Term::tagged("error", Term::tagged("unknown_request", request)),
        };
        CallResponse::reply(reply)
    }

    async fn handle_cast(&mut self, ctx: &Ctx, request: Term) -> Response {
        let _ = self.update(ctx, &request);
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        if msg.is_atom(CLEANUP) {
            let now = ctx.now_us();
            let before = self.entries.len();
            self.entries.retain(|_, (_, expires)| now < *expires);
            let expired = before - self.entries.len();
            if expired > 0 {
                model_event(ctx, NAME, "expired", Term::Int(expired as i64));
            }
            self.schedule_cleanup(ctx);
        }
        Response::noreply()
    }
}
