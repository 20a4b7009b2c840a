//! `buffered_writer`: buffers writes and flushes them in batches, in the background
//! and on shutdown; what a kill catches in its buffer is lost.
//!
//! Requests:
//! - call or cast `{write, X}` → `ok`: the item is buffered and the model event
//!   `accepted` (detail `1`) emitted; when `batch` items are buffered they are flushed
//!   at once;
//! - call `flush` → `{ok, N}`: flushes the buffer now; call `buffered` → `N`;
//! - any other call → `{error, {unknown_request, Request}}`; other casts are dropped.
//!
//! A flush emits the model event `flushed` with the number of items (never 0). Every
//! `flush_every` the buffer is flushed. Flushing in service takes no time.
//!
//! Shutdown: the writer traps exits, so a supervisor's `shutdown` runs `terminate`,
//! which spends `terminate_flush` of virtual time and then emits `flushed` N for what
//! was buffered. If the shutdown budget runs out first, the supervisor kills it in the
//! middle and nothing is emitted. When killed (`kill`, `brutal_kill`, a budget run
//! out) no code runs at all. So "nothing lost" is checked from the events: for each
//! writer path, lost = sum of `accepted` - sum of `flushed`.
//!
//! When `terminate` runs for a crash (a reason other than `normal`, `shutdown` or
//! `{shutdown, _}`) and `flush_on_crash` is false, the writer does not trust its
//! buffer: it emits `lost` N instead of flushing. That is the only case `lost` is
//! emitted; it makes a deliberate loss explicit in the trace.
//!
//! Parameters (all optional):
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `flush_every` | `"1s"` | the background flush period; `0` turns it off |
//! | `batch` | `100` | flush as soon as this many items are buffered, 1 to 10^6 |
//! | `terminate_flush` | `0` | virtual time the final flush takes in `terminate` |
//! | `flush_on_crash` | `true` | whether `terminate` flushes after a crash too |
//!
//! ```json
//! {"id": "log", "model": "buffered_writer", "shutdown": "1s", "params": {"batch": 50, "terminate_flush": "2s"}}
//! ```

use super::params::{
    self, duration_json, duration_schema, model_event, number_schema, Params as Fields,
};
use super::{buggify, fault, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use crate::kernel::{secs, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Term};
use serde_json::{json, Value};
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "buffered_writer";

/// The flush timer's message.
const FLUSH: &str = "$otpsim_flush";

const MAX_BATCH: u64 = 1_000_000;

const FIELDS: &[&str] = &["flush_every", "batch", "terminate_flush", "flush_on_crash"];

/// The writer's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Background flush period, µs; 0 for none.
    pub flush_every_us: u64,
    /// Buffered items that trigger a flush.
    pub batch: u64,
    /// Virtual time of the final flush in `terminate`, µs.
    pub terminate_flush_us: u64,
    /// Flush in `terminate` after a crash too.
    pub flush_on_crash: bool,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            flush_every_us: secs(1),
            batch: 100,
            terminate_flush_us: 0,
            flush_on_crash: true,
        }
    }
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let d = Params::default();
    let mut p = Fields::open(params, FIELDS);
    let parsed = Params {
        flush_every_us: p.duration_us("flush_every", d.flush_every_us),
        batch: p.size("batch", d.batch, 1, MAX_BATCH),
        terminate_flush_us: p.duration_us("terminate_flush", d.terminate_flush_us),
        flush_on_crash: p.flag("flush_on_crash", d.flush_on_crash),
    };
    p.finish(Rc::new(parsed) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let d = Params::default();
    params::object_schema(vec![
        (
            "flush_every",
            duration_schema(
                "the background flush period; 0 turns it off",
                Some(d.flush_every_us),
            ),
        ),
        (
            "batch",
            number_schema(
                "integer",
                "flush as soon as this many items are buffered",
                json!(d.batch),
                json!(1),
                json!(MAX_BATCH),
            ),
        ),
        (
            "terminate_flush",
            duration_schema("virtual time the final flush takes in terminate", Some(0)),
        ),
        (
            "flush_on_crash",
            json!({"type": "boolean", "default": true, "description": "whether terminate flushes after a crash too (else it emits `lost`)"}),
        ),
    ])
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({
            "flush_every": duration_json(self.flush_every_us),
            "batch": self.batch,
            "terminate_flush": duration_json(self.terminate_flush_us),
            "flush_on_crash": self.flush_on_crash,
        })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = self.clone();
        Box::pin(async move {
            gen_server::start_link::<BufferedWriter>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// The running writer.
pub struct BufferedWriter {
    params: Params,
    buffered: u64,
}

impl BufferedWriter {
    /// Items buffered, not yet flushed.
    pub fn buffered(&self) -> u64 {
        self.buffered
    }

    fn flush(&mut self, ctx: &Ctx) -> u64 {
        let n = std::mem::take(&mut self.buffered);
        if n > 0 {
            model_event(ctx, NAME, "flushed", Term::Int(n as i64));
        }
        n
    }

    /// True when `request` was a write (and it was taken).
    fn write(&mut self, ctx: &Ctx, request: &Term) -> bool {
        if !matches!(request.as_tuple(), Some([tag, _]) if tag.is_atom("write")) {
            return false;
        }
        self.buffered += 1;
        model_event(ctx, NAME, "accepted", Term::Int(1));
        if self.buffered >= self.params.batch {
            self.flush(ctx);
        }
        true
    }

    fn schedule_flush(&self, ctx: &Ctx) {
        if self.params.flush_every_us > 0 {
            ctx.send_after(self.params.flush_every_us, ctx.me(), atom(FLUSH));
        }
    }
}

impl GenServer for BufferedWriter {
    /// The parameters.
    type Args = Params;

    async fn init(ctx: &Ctx, params: Params) -> Init<Self> {
        ctx.trap_exit(true);
        let writer = BufferedWriter {
            params,
            buffered: 0,
        };
        writer.schedule_flush(ctx);
        Init::Ok(writer)
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        let reply = if self.write(ctx, &request) {
            Term::OK
        } else if request.is_atom("flush") {
            Term::tagged("ok", Term::Int(self.flush(ctx) as i64))
        } else if request.is_atom("buffered") {
            Term::Int(self.buffered as i64)
        } else {
            Term::tagged("error", Term::tagged("unknown_request", request))
        };
        CallResponse::reply(reply)
    }

    async fn handle_cast(&mut self, ctx: &Ctx, request: Term) -> Response {
        self.write(ctx, &request);
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        if msg.is_atom(FLUSH) {
            self.flush(ctx);
            self.schedule_flush(ctx);
        }
        Response::noreply()
    }

    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        if self.buffered == 0 {
            return;
        }
        if !reason.is_clean_exit() && !self.params.flush_on_crash {
            let n = std::mem::take(&mut self.buffered);
            model_event(ctx, NAME, "lost", Term::Int(n as i64));
            return;
        }
        let flush_us = buggify::slow(
            ctx,
            "buffered_writer.slow_flush",
            self.params.terminate_flush_us,
        );
        if flush_us > 0 {
            ctx.work(flush_us).await;
        }
        self.flush(ctx);
    }
}
