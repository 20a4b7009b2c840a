//! The OTP lesson's Counter GenServer under a one_for_one supervisor, crashed from
//! outside and restarted (issue #3).
//!
//! The counter starts at `INITIAL`, counts `increment` casts and answers `get` calls.
//! It is registered as `counter`, so clients reach it by name whichever process holds
//! the name. A client bumps it three times, then sends it an exit signal with reason
//! `boom`: the counter does not trap exits, so it dies, and its supervisor starts a
//! fresh one under a new pid. As in OTP, the state died with the old process: the new
//! counter starts again from `INITIAL`.
//!
//! Run it with `cargo run --example counter_supervised`.

use otpsim::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use otpsim::behaviour::gen_server::{StartOpts, DEFAULT_TIMEOUT};
use otpsim::behaviour::supervisor::{self, child_label, ChildPid, ChildSpec, StartFn};
use otpsim::behaviour::supervisor::{Strategy, SupFlags};
use otpsim::kernel::{ms, Ctx, Sim, SimConfig};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::{Event, EventKind};
use std::cell::RefCell;
use std::rc::Rc;

/// The value a counter starts from, after every (re)start.
pub const INITIAL: i64 = 100;
/// The counter's local name.
const COUNTER: &str = "counter";

/// What happened, one line per event, with the virtual time.
pub type Log = Rc<RefCell<Vec<String>>>;

fn say(ctx: &Ctx, log: &Log, line: String) {
    log.borrow_mut()
        .push(format!("{:>4} ms  {line}", ctx.now_us() / 1000));
}

/// The lesson's `MyApp.Counter`: the state is the count.
struct Counter {
    value: i64,
}

impl GenServer for Counter {
    type Args = (i64, Log);

    async fn init(ctx: &Ctx, (initial, log): (i64, Log)) -> Init<Self> {
        say(
            ctx,
            &log,
            format!("counter {} started at {initial}", ctx.me()),
        );
        Init::Ok(Counter { value: initial })
    }

    async fn handle_call(&mut self, _ctx: &Ctx, req: Term, _from: From) -> CallResponse {
        if req.is_atom("get") {
            return CallResponse::reply(Term::Int(self.value));
        }
        // Anything else is a caller's bug: crash as the lesson's missing clause would.
        CallResponse::Stop {
            reason: Term::tagged("bad_call", req),
            reply: None,
        }
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, msg: Term) -> Response {
        if msg.is_atom("increment") {
            self.value += 1;
            return Response::noreply();
        }
        Response::stop(Term::tagged("bad_cast", msg))
    }
}

/// The counter's child spec: permanent (OTP's default), started linked to the
/// supervisor and registered as `counter` on every start.
fn counter_spec(log: Log) -> ChildSpec {
    let start: StartFn = Rc::new(move |ctx: Ctx| {
        // Read before the first await: the supervisor sets it only around this call.
        let label = child_label();
        let log = log.clone();
        Box::pin(async move {
            let opts = StartOpts {
                label,
                ..StartOpts::named(COUNTER)
            };
            gen_server::start_link::<Counter>(&ctx, (INITIAL, log), opts).await
        })
    });
    ChildSpec::new(atom(COUNTER), start)
}

/// The counter's pid, as its supervisor reports it.
async fn counter_pid(ctx: &Ctx, sup: Pid) -> Option<Pid> {
    let children = supervisor::which_children(ctx, sup).await;
    children.iter().find_map(|c| match c.pid {
        ChildPid::Pid(p) if c.id.is_atom(COUNTER) => Some(p),
        _ => None,
    })
}

async fn get(ctx: &Ctx) -> Result<i64, Term> {
    let value = gen_server::call(ctx, COUNTER, atom("get"), DEFAULT_TIMEOUT).await?;
    Ok(value.as_int().unwrap_or(i64::MIN))
}

/// What one run of the scenario showed.
pub struct Story {
    /// The timeline, in virtual time.
    pub lines: Vec<String>,
    /// The counter's pid before and after the crash.
    pub pids: (Option<Pid>, Option<Pid>),
    /// What `get` answered before the crash, after the restart, and after one more
    /// increment.
    pub values: Vec<i64>,
    /// Every trace event of the run.
    pub events: Vec<Event>,
    /// The run's fingerprint.
    pub fingerprint: u64,
}

/// The whole scenario: three increments 10 ms apart, a `get`, an exit signal `boom`
/// from the client, then `get`, `increment`, `get` on the restarted counter.
pub fn run(seed: u64) -> Story {
    let log: Log = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::new(RefCell::new((None, None, Vec::new())));
    let mut sim = Sim::new(SimConfig {
        seed,
        record: true,
        ..SimConfig::default()
    });
    let (out, found) = (log.clone(), seen.clone());
    sim.spawn(move |ctx| async move {
        let flags = SupFlags::new(Strategy::OneForOne);
        let opts = StartOpts::named("counter_sup");
        let sup = supervisor::start_link(&ctx, flags, vec![counter_spec(out.clone())], opts)
            .await
            .into_result()?;
        for _ in 0..3 {
            gen_server::cast(&ctx, COUNTER, atom("increment"));
            ctx.sleep(ms(10)).await;
        }
        let before = get(&ctx).await?;
        say(&ctx, &out, format!("client: get -> {before}"));
        let old = counter_pid(&ctx, sup).await;
        if let Some(pid) = old {
            say(&ctx, &out, format!("client: exit({pid}, boom)"));
            ctx.exit(pid, atom("boom"));
        }
        ctx.sleep(ms(5)).await;
        let new = counter_pid(&ctx, sup).await;
        let shown = new.map_or("none".to_string(), |p| p.to_string());
        say(
            &ctx,
            &out,
            format!("client: supervisor lists counter {shown}"),
        );
        let after = get(&ctx).await?;
        say(&ctx, &out, format!("client: get -> {after}"));
        gen_server::cast(&ctx, COUNTER, atom("increment"));
        let again = get(&ctx).await?;
        say(&ctx, &out, format!("client: increment, get -> {again}"));
        *found.borrow_mut() = (old, new, vec![before, after, again]);
        supervisor::stop(&ctx, sup, Term::NORMAL).await
    });
    let report = sim.run();
    let mut lines = log.borrow().clone();
    lines.push(format!("run: {}", report.outcome.name()));
    let (old, new, values) = seen.borrow().clone();
    Story {
        lines,
        pids: (old, new),
        values,
        events: sim.events(),
        fingerprint: report.fingerprint,
    }
}

/// The supervisor's own account of the crash, from the trace.
pub fn supervisor_events(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| {
            let what = match &e.kind {
                EventKind::ChildStart { id, pid, cause, .. } => {
                    let pid = pid.map_or("none".to_string(), |p| p.to_string());
                    format!("child_start {id} {pid} cause {}", cause.as_str())
                }
                EventKind::ChildExitSeen {
                    id,
                    pid,
                    reason,
                    decision,
                    ..
                } => format!("child_exit_seen {id} {pid} reason {reason} -> {decision}"),
                EventKind::RestartCounted {
                    id,
                    window_len,
                    max,
                    ..
                } => format!("restart_counted {id} {window_len} of {max}"),
                _ => return None,
            };
            Some(format!("{:>4} ms  {what}", e.t / 1000))
        })
        .collect()
}

#[allow(dead_code)] // a test includes this file as a module and calls `run`
fn main() {
    let story = run(0);
    for line in &story.lines {
        println!("{line}");
    }
    println!("supervisor trace:");
    for line in supervisor_events(&story.events) {
        println!("{line}");
    }
}
