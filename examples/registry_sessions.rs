//! Sessions named through a Registry, started on demand under a DynamicSupervisor, each
//! stopping itself after an idle timeout (issue #3).
//!
//! Every user has at most one session process, named `{via, Registry, {sessions, User}}`
//! (REG-9). A request finds the session through the registry, or asks the dynamic
//! supervisor to start one (DSUP-2). A session that hears nothing for `IDLE_MS` gets
//! `timeout` (GS-9) and stops `normal`; being transient, it is not restarted, and the
//! registry drops its entry when the partition handles its `EXIT` (REG-6). The next
//! request for that user starts a fresh session.
//!
//! Run it with `cargo run --example registry_sessions`.

use otpsim::behaviour::dynamic_supervisor::{self, DynChildSpec, DynStartFn, DynSupFlags};
use otpsim::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Next, Response};
use otpsim::behaviour::gen_server::{StartOpts, StartResult};
use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::behaviour::supervisor::Restart;
use otpsim::kernel::{ms, Ctx, Sim, SimConfig};
use otpsim::term::{atom, Pid, Term};
use std::cell::RefCell;
use std::rc::Rc;

/// The registry naming the sessions.
pub const SESSIONS: Registry = Registry::named("sessions");
/// A session stops after this long without a request.
pub const IDLE_MS: u64 = 100;
/// The dynamic supervisor's local name.
const SUP: &str = "session_sup";

/// What happened, one line per event, with the virtual time.
pub type Log = Rc<RefCell<Vec<String>>>;

fn say(ctx: &Ctx, log: &Log, line: String) {
    log.borrow_mut()
        .push(format!("{:>4} ms  {line}", ctx.now_us() / 1000));
}

/// One user's session: counts the user's requests.
struct Session {
    user: Term,
    hits: i64,
    log: Log,
}

impl GenServer for Session {
    type Args = (Term, Log);

    async fn init(ctx: &Ctx, (user, log): (Term, Log)) -> Init<Self> {
        say(ctx, &log, format!("{user}: session {} started", ctx.me()));
        let session = Session { user, hits: 0, log };
        Init::OkThen(session, Next::Timeout(IDLE_MS))
    }

    async fn handle_call(&mut self, _ctx: &Ctx, _req: Term, _from: From) -> CallResponse {
        self.hits += 1;
        // Every answer re-arms the idle timeout (GS-9).
        CallResponse::Reply(Term::Int(self.hits), Next::Timeout(IDLE_MS))
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if msg.is_atom("timeout") {
            let line = format!("{}: idle for {IDLE_MS} ms, stopping", self.user);
            say(ctx, &self.log, line);
            return Response::stop(Term::NORMAL);
        }
        Response::NoReply(Next::Timeout(IDLE_MS))
    }
}

/// A child spec starting `user`'s session under its via-name. Transient: an idle stop
/// (`normal`) is not restarted, a crash would be.
fn session_spec(user: Term, log: Log) -> DynChildSpec {
    let start: DynStartFn = Rc::new(move |ctx: Ctx, _extra: Vec<Term>| {
        let (user, log) = (user.clone(), log.clone());
        Box::pin(async move {
            let opts = StartOpts::via(SESSIONS.via(user.clone()));
            gen_server::start_link::<Session>(&ctx, (user, log), opts).await
        })
    });
    DynChildSpec::new(atom("session"), start).restart(Restart::Transient)
}

/// The session of `user`, started on demand. Two clients racing to start the same
/// session both end up with the one that won (`already_started`).
pub async fn session(ctx: &Ctx, user: &Term, log: &Log) -> Result<Pid, Term> {
    if let Some(pid) = SESSIONS.whereis_name(ctx, user) {
        return Ok(pid);
    }
    let spec = session_spec(user.clone(), log.clone());
    match dynamic_supervisor::start_child(ctx, SUP, spec).await {
        StartResult::Ok(pid) => Ok(pid),
        StartResult::Error(e) if e.tag() == Some("already_started") => {
            Ok(e.as_tuple().and_then(|t| t[1].as_pid()).expect("pid"))
        }
        other => Err(other.to_term()),
    }
}

/// One request from `user`: returns the session's running count.
pub async fn hit(ctx: &Ctx, user: &Term, log: &Log) -> Result<i64, Term> {
    let pid = session(ctx, user, log).await?;
    let hits = gen_server::call(ctx, SESSIONS.via(user.clone()), atom("hit"), None).await?;
    let hits = hits.as_int().unwrap_or(0);
    say(ctx, log, format!("{user}: request {hits} served by {pid}"));
    Ok(hits)
}

/// The whole scenario: alice makes two requests 30 ms apart, then comes back after her
/// session went idle; bob makes one request. Returns the log.
pub fn run(seed: u64) -> Vec<String> {
    let log: Log = Rc::new(RefCell::new(Vec::new()));
    let mut sim = Sim::new(SimConfig {
        seed,
        ..SimConfig::default()
    });
    let out = log.clone();
    sim.spawn(move |ctx| async move {
        SESSIONS
            .start_link(&ctx, Keys::Unique, RegistryOpts::default())
            .await
            .into_result()?;
        let opts = StartOpts::named(SUP);
        dynamic_supervisor::start_link(&ctx, DynSupFlags::new(), opts)
            .await
            .into_result()?;
        let (alice, bob) = (atom("alice"), atom("bob"));
        hit(&ctx, &alice, &out).await?;
        ctx.sleep(ms(30)).await;
        hit(&ctx, &alice, &out).await?;
        hit(&ctx, &bob, &out).await?;
        ctx.sleep(ms(IDLE_MS + 50)).await;
        let left = SESSIONS.lookup(&ctx, &alice).len();
        say(
            &ctx,
            &out,
            format!("alice: {left} registry entries after idle"),
        );
        hit(&ctx, &alice, &out).await?;
        let children = dynamic_supervisor::count_children(&ctx, SUP).await;
        say(
            &ctx,
            &out,
            format!("supervisor: {} active sessions", children.active),
        );
        Ok(())
    });
    let report = sim.run();
    let mut lines = log.borrow().clone();
    lines.push(format!("run: {}", report.outcome.name()));
    lines
}

#[allow(dead_code)] // a test includes this file as a module and calls `run`
fn main() {
    for line in run(0) {
        println!("{line}");
    }
}
