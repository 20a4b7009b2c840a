//! `fanout`: a GenServer that fans each request out to tasks under a Task.Supervisor,
//! as `Task.Supervisor.async_stream_nolink(sup, items, fun, max_concurrency: N,
//! timeout: T, on_timeout: ...)` does.
//!
//! Request: call `run` → `items` tasks, each spending a `work` sample of virtual time,
//! at most `max_concurrency` at once (a sliding window: a new task starts when one
//! ends), each with its own `timeout` from its start. The reply is `{ok, Done,
//! TimedOut}`; items neither done nor timed out (a task that crashed or was killed by
//! a fault, or one the supervisor could not start, such as over its `max_children`)
//! are the remainder `items - Done - TimedOut`. Model event `fanout` {Done, TimedOut}
//! per request. Any other call → `{error, invalid_message}`.
//!
//! `on_timeout`: `kill_task` (the default) kills a late task and counts it timed out;
//! `exit` makes the request's coordinator exit with
//! `{timeout, {'Elixir.Task.Supervised', stream, [TimeoutMs]}}` after killing every
//! running task, and since the coordinator is linked to the server, the server exits
//! with that reason too, as an Elixir caller of `async_stream` does (its caller's call
//! then fails with it).
//!
//! Design: `task::async_stream` links tasks to its caller and cannot run them under a
//! Task.Supervisor, so the window is run here with `task::supervisor::async_nolink` per
//! item: tasks are children of the supervisor at `task_supervisor` (labelled by it),
//! monitored by the coordinator. Each request runs in its own coordinator process
//! (`<path>/run`), so the server answers later with `gen_server:reply` and can serve
//! several requests, and take faults, while tasks run. Work durations are drawn by the
//! server from the stream `model:<path>` when the request comes in.
//!
//! The fault `{'$otpsim_fault', crash, Reason}` stops it.
//!
//! Parameters:
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `task_supervisor` | required | path of the task_supervisor node the tasks run under |
//! | `items` | `10` | tasks per request (1 to 100 000) |
//! | `work` | `"10ms"` | each task's work: a duration or a latency distribution |
//! | `max_concurrency` | `4` | tasks running at once (1 to 10 000) |
//! | `timeout` | `"50ms"` | each task's time limit (whole milliseconds) |
//! | `on_timeout` | `"kill_task"` | `kill_task` or `exit` |
//!
//! ```json
//! {"id": "fan", "model": "fanout",
//!  "params": {"task_supervisor": "root/tasks", "items": 8, "work": {"dist": "uniform", "min": "10ms", "max": "90ms"}}}
//! ```

use super::params::{
    self, duration_json, duration_schema, latency_schema, model_event, number_schema, Latency,
    Params as Fields,
};
use super::refs::{self, node_ref, path_schema};
use super::{fault, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use crate::behaviour::supervisor::Shutdown;
use crate::behaviour::task::{supervisor as task_sup, Task};
use crate::kernel::rng::Stream;
use crate::kernel::{ms, Ctx, SpawnOpts};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Ref, Term};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "fanout";

const FIELDS: &[&str] = &[
    "task_supervisor",
    "items",
    "work",
    "max_concurrency",
    "timeout",
    "on_timeout",
];

const ON_TIMEOUT: [&str; 2] = ["kill_task", "exit"];

/// The fan-out's parameters (see the module documentation for defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Path of the task supervisor.
    pub task_supervisor: String,
    /// Tasks per request.
    pub items: u64,
    /// Each task's work.
    pub work: Latency,
    /// Tasks running at once.
    pub max_concurrency: u64,
    /// Each task's time limit, µs (whole milliseconds).
    pub timeout_us: u64,
    /// `true` for `on_timeout: exit`, `false` for `kill_task`.
    pub exit_on_timeout: bool,
}

const DEFAULT_ITEMS: u64 = 10;
const DEFAULT_WORK: Latency = Latency::Fixed(ms(10));
const DEFAULT_CONCURRENCY: u64 = 4;
const DEFAULT_TIMEOUT_US: u64 = ms(50);

/// Reads the `"params"` object; `task_supervisor` is required.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let mut p = Fields::open(params, FIELDS);
    refs::require(&mut p, params, NAME, &["task_supervisor"]);
    let parsed = Params {
        task_supervisor: p.read("task_supervisor", String::new(), refs::read_path),
        items: p.size("items", DEFAULT_ITEMS, 1, 100_000),
        work: p.latency("work", DEFAULT_WORK),
        max_concurrency: p.size("max_concurrency", DEFAULT_CONCURRENCY, 1, 10_000),
        timeout_us: p.whole_ms("timeout", DEFAULT_TIMEOUT_US),
        exit_on_timeout: p.choice("on_timeout", &ON_TIMEOUT, "kill_task") == "exit",
    };
    p.finish(Rc::new(parsed) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let mut s = params::object_schema(vec![
        (
            "task_supervisor",
            path_schema("path of the task_supervisor node the tasks run under"),
        ),
        (
            "items",
            number_schema(
                "integer",
                "tasks per request",
                json!(DEFAULT_ITEMS),
                json!(1),
                json!(100_000),
            ),
        ),
        ("work", latency_schema("each task's work:", &DEFAULT_WORK)),
        (
            "max_concurrency",
            number_schema(
                "integer",
                "tasks running at once",
                json!(DEFAULT_CONCURRENCY),
                json!(1),
                json!(10_000),
            ),
        ),
        (
            "timeout",
            duration_schema(
                "each task's time limit (whole milliseconds)",
                Some(DEFAULT_TIMEOUT_US),
            ),
        ),
        (
            "on_timeout",
            json!({"enum": ON_TIMEOUT, "default": "kill_task", "description": "kill_task kills a late task and counts it; exit ends the request's coordinator and the server"}),
        ),
    ]);
    s["required"] = json!(["task_supervisor"]);
    s
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({
            "task_supervisor": self.task_supervisor,
            "items": self.items,
            "work": self.work.to_json(),
            "max_concurrency": self.max_concurrency,
            "timeout": duration_json(self.timeout_us),
            "on_timeout": if self.exit_on_timeout { "exit" } else { "kill_task" },
        })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = (Rc::new(self.clone()), env.path.clone());
        Box::pin(async move {
            gen_server::start_link::<Fanout>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// The running fan-out server.
pub struct Fanout {
    params: Rc<Params>,
    path: String,
    rng: Stream,
    pending: BTreeMap<Ref, From>,
}

const DONE: &str = "$fanout_done";

impl GenServer for Fanout {
    /// The parameters and the server's path (its random stream and coordinators'
    /// labels).
    type Args = (Rc<Params>, String);

    async fn init(ctx: &Ctx, (params, path): Self::Args) -> Init<Self> {
        let rng = ctx.rng(&format!("model:{path}"));
        Init::Ok(Fanout {
            params,
            path,
            rng,
            pending: BTreeMap::new(),
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, from: From) -> CallResponse {
        if !request.is_atom("run") {
            return CallResponse::reply(Term::tagged("error", atom("invalid_message")));
        }
        let work: Vec<u64> = (0..self.params.items)
            .map(|_| self.params.work.sample(&mut self.rng))
            .collect();
        let tag = ctx.make_ref();
        let (server, params) = (ctx.me(), self.params.clone());
        let opts = SpawnOpts {
            link: true,
            monitor: false,
            label: Some(format!("{}/run", self.path).into()),
        };
        ctx.spawn_opt(opts, move |cctx| async move {
            let (done, timed_out) = coordinate(&cctx, &params, work).await?;
            let report = [
                Term::atom_owned(DONE),
                Term::Ref(tag),
                Term::Int(done),
                Term::Int(timed_out),
            ];
            cctx.send(server, Term::tuple(report));
            Ok(())
        });
        self.pending.insert(tag, from);
        CallResponse::noreply()
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        if let Some([t, Term::Ref(tag), done, timed_out]) = msg.as_tuple() {
            if t.is_atom(DONE) {
                if let Some(from) = self.pending.remove(tag) {
                    model_event(
                        ctx,
                        NAME,
                        "fanout",
                        Term::tuple_of([done.clone(), timed_out.clone()]),
                    );
                    gen_server::reply(
                        ctx,
                        from,
                        Term::tuple_of([Term::OK, done.clone(), timed_out.clone()]),
                    );
                }
            }
        }
        Response::noreply()
    }
}

/// A task in the window and when it runs out of time.
struct Running {
    task: Task,
    deadline_us: u64,
}

fn is_reply(m: &Term, mref: Ref) -> bool {
    matches!(m.as_tuple(), Some([Term::Ref(r), _]) if *r == mref)
}

fn is_down(m: &Term, mref: Ref) -> bool {
    matches!(m.as_tuple(), Some([d, Term::Ref(r), _, _, _]) if *r == mref && d.is_atom("DOWN"))
}

/// Runs one request's tasks in a sliding window; `(Done, TimedOut)`, or `Err` with the
/// stream's timeout reason under `on_timeout: exit`.
async fn coordinate(ctx: &Ctx, params: &Params, work: Vec<u64>) -> Result<(i64, i64), Term> {
    let sup = node_ref(ctx, &params.task_supervisor);
    let (mut done, mut timed_out) = (0, 0);
    let mut items = work.into_iter();
    let mut running: Vec<Running> = Vec::new();
    loop {
        while (running.len() as u64) < params.max_concurrency {
            let Some(work_us) = items.next() else { break };
            let started = task_sup::async_nolink(ctx, sup.clone(), move |tctx| async move {
                tctx.work(work_us).await;
                Ok(Term::OK)
            })
            .await;
            // A task the supervisor could not start counts as neither done nor late.
            if let Ok(task) = started {
                let deadline_us = ctx.now_us() + params.timeout_us;
                running.push(Running { task, deadline_us });
            }
        }
        let Some(first_deadline) = running.iter().map(|r| r.deadline_us).min() else {
            return Ok((done, timed_out));
        };
        let watched: Vec<Ref> = running.iter().map(|r| r.task.mref).collect();
        let wait_us = first_deadline.saturating_sub(ctx.now_us());
        let got = ctx
            .recv_match(
                move |m| watched.iter().any(|r| is_reply(m, *r) || is_down(m, *r)),
                Some(wait_us),
            )
            .await;
        match got {
            Some(m) => {
                let Some(i) = running
                    .iter()
                    .position(|r| is_reply(&m, r.task.mref) || is_down(&m, r.task.mref))
                else {
                    continue;
                };
                let r = running.remove(i);
                if is_reply(&m, r.task.mref) {
                    ctx.demonitor(r.task.mref, true);
                    done += 1;
                }
            }
            None => {
                let now = ctx.now_us();
                if params.exit_on_timeout {
                    for r in running.drain(..) {
                        r.task.shutdown(ctx, Shutdown::BrutalKill).await;
                    }
                    let mfa = Term::tuple_of([
                        atom("Elixir.Task.Supervised"),
                        atom("stream"),
                        Term::list([Term::Int((params.timeout_us / ms(1)) as i64)]),
                    ]);
                    return Err(Term::tuple_of([Term::TIMEOUT, mfa]));
                }
                while let Some(i) = running.iter().position(|r| r.deadline_us <= now) {
                    let r = running.remove(i);
                    // A reply that beat the kill still counts as done.
                    match r.task.shutdown(ctx, Shutdown::BrutalKill).await {
                        Some(Ok(_)) => done += 1,
                        _ => timed_out += 1,
                    }
                }
            }
        }
    }
}
