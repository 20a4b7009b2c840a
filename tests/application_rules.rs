//! Application conformance: APP-1 to APP-6, against the facts recorded from Erlang/OTP
//! 25 in tests/otp_fixtures/application/*.out. The probe applications here mirror
//! `app_probe.erl` and log the same events, so whole event lists compare exactly.

use otpsim::behaviour::application::{self, AppSpec, AppType, ControllerOpts};
use otpsim::behaviour::gen_server::{ServerName, StartOpts, StartResult};
use otpsim::behaviour::supervisor::{self, ChildSpec, StartFn, Strategy, SupFlags};
use otpsim::kernel::{ms, Ctx, Sim, SimConfig};
use otpsim::term::{atom, parse_term, Atom, Term};
use otpsim::trace::{Event, EventKind};
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<Term>>>;

fn fixture(run: &str) -> &'static str {
    match run {
        "main" => include_str!("otp_fixtures/application/main.out"),
        "halt_start_permanent" => include_str!("otp_fixtures/application/halt_start_permanent.out"),
        "halt_start_transient" => include_str!("otp_fixtures/application/halt_start_transient.out"),
        "halt_transient" => include_str!("otp_fixtures/application/halt_transient.out"),
        "halt_permanent" => include_str!("otp_fixtures/application/halt_permanent.out"),
        "halt_intensity" => include_str!("otp_fixtures/application/halt_intensity.out"),
        "init_stop" => include_str!("otp_fixtures/application/init_stop.out"),
        _ => panic!("no fixture {run}"),
    }
}

fn fact_text(run: &str, key: &str) -> &'static str {
    fixture(run)
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no fact {key} in {run}"))
}

fn fact(run: &str, key: &str) -> Term {
    parse_term(fact_text(run, key)).unwrap_or_else(|e| panic!("{run}/{key}: {e}"))
}

fn ev(log: &Log, t: Term) {
    log.borrow_mut().push(t);
}

fn take(log: &Log) -> Term {
    Term::list(std::mem::take(&mut *log.borrow_mut()))
}

fn a(name: &str) -> Term {
    Term::atom_owned(name)
}

/// How a probe application's start goes, as `app_probe.erl`'s modes.
#[derive(Clone)]
enum Mode {
    Sup,
    Plain,
    Error(Term),
    Ignore,
    Crash,
}

impl Mode {
    fn to_term(&self) -> Term {
        match self {
            Mode::Sup => atom("sup"),
            Mode::Plain => atom("plain"),
            Mode::Error(r) => Term::tagged("error", r.clone()),
            Mode::Ignore => atom("ignore"),
            Mode::Crash => atom("crash"),
        }
    }
}

fn name(app: &str, suffix: &str) -> Atom {
    Atom::new(&format!("{app}_{suffix}"))
}

/// A worker that traps exits, logs `{worker_exit, App, R}` and exits with R.
fn worker_spec(app: String, log: Log) -> ChildSpec {
    let start: StartFn = Rc::new(move |ctx: Ctx| {
        let (app, log) = (app.clone(), log.clone());
        Box::pin(async move {
            let pid = ctx.spawn_link(move |w| async move {
                w.trap_exit(true);
                let m = w
                    .recv_match(|m| m.tag() == Some("EXIT"), None)
                    .await
                    .unwrap_or(Term::UNDEFINED);
                let reason = m.as_tuple().map_or(Term::UNDEFINED, |t| t[2].clone());
                ev(
                    &log,
                    Term::tuple([atom("worker_exit"), a(&app), reason.clone()]),
                );
                Err(reason)
            });
            StartResult::Ok(pid)
        })
    });
    ChildSpec::new(atom("w"), start)
}

/// The probe application `app`: module `app_probe`, start args `{App, Mode}`, env
/// colour=blue, size=3, as app_probe.erl loads it.
fn probe(app: &str, deps: &[&str], mode: Mode, log: &Log) -> AppSpec {
    let (app_s, log_s, mode_s) = (app.to_string(), log.clone(), mode.clone());
    let start = move |ctx: Ctx| {
        let (app, log, mode) = (app_s.clone(), log_s.clone(), mode_s.clone());
        async move {
            ev(&log, Term::tuple([atom("start"), a(&app)]));
            match mode {
                Mode::Error(r) => StartResult::Error(r),
                Mode::Ignore => StartResult::Ignore,
                Mode::Crash => panic!("start_crashed"),
                Mode::Plain => StartResult::Ok(ctx.spawn_link(move |top| async move {
                    top.register(name(&app, "sup"), top.me())?;
                    let m = top.recv_match(|m| m.tag() == Some("exit_with"), None).await;
                    Err(m
                        .and_then(|m| m.as_tuple().map(|t| t[1].clone()))
                        .unwrap_or(Term::UNDEFINED))
                })),
                Mode::Sup => {
                    let opts = StartOpts {
                        name: Some(ServerName::Local(name(&app, "sup"))),
                        label: Some(app.as_str().into()),
                        ..StartOpts::default()
                    };
                    let flags = SupFlags::new(Strategy::OneForOne).intensity(0, 5);
                    let children = vec![worker_spec(app.clone(), log.clone())];
                    let result = supervisor::start_link(&ctx, flags, children, opts).await;
                    // The leftover: linked to the starter (otpsim's stand-in for the
                    // group leader), trapping so only the master's kill ends it.
                    let left = ctx.spawn_link(|l| async move {
                        l.trap_exit(true);
                        l.recv_match(|_| false, None).await;
                        Ok(())
                    });
                    ctx.register(name(&app, "leftover"), left)
                        .expect("leftover name");
                    result
                }
            }
        }
    };
    let (app_p, log_p, app_q, log_q) = (app.to_string(), log.clone(), app.to_string(), log.clone());
    AppSpec::new(app, start)
        .depends_on(deps)
        .module("app_probe")
        .start_args(Term::tuple([a(app), mode.to_term()]))
        .env("colour", atom("blue"))
        .env("size", Term::Int(3))
        .on_prep_stop(move |ctx| {
            let alive = ctx.whereis(&name(&app_p, "sup")).is_some();
            ev(
                &log_p,
                Term::tuple([
                    atom("prep_stop"),
                    a(&app_p),
                    atom("tree_alive"),
                    alive.into(),
                ]),
            );
            async {}
        })
        .on_stop(move |ctx| {
            let tree = ctx.whereis(&name(&app_q, "sup")).is_some();
            let left = ctx.whereis(&name(&app_q, "leftover")).is_some();
            ev(
                &log_q,
                Term::tuple([
                    atom("stop"),
                    a(&app_q),
                    atom("tree_alive"),
                    tree.into(),
                    atom("leftover_alive"),
                    left.into(),
                ]),
            );
            async {}
        })
}

/// `{ok, V}` / `{error, R}` as the Erlang probe prints results.
fn as_otp<T: Into<Term>>(r: Result<T, Term>) -> Term {
    match r {
        Ok(v) => Term::tuple([Term::OK, v.into()]),
        Err(e) => Term::tagged("error", e),
    }
}

fn unit(r: Result<(), Term>) -> Term {
    r.map_or_else(|e| Term::tagged("error", e), |()| Term::OK)
}

fn apps(list: Vec<Atom>) -> Term {
    Term::list(list.into_iter().map(Term::Atom))
}

/// A simulation whose root process starts the controller and runs `body`; returns
/// the events. The body's own result must be Ok unless the node halted.
fn run<F, Fut>(body: F) -> Vec<Event>
where
    F: FnOnce(Ctx) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), Term>> + 'static,
{
    let mut sim = Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    });
    let root = sim.spawn(move |ctx| async move {
        application::start_controller(&ctx, ControllerOpts::default())
            .await
            .into_result()?;
        body(ctx).await
    });
    sim.run();
    let events = sim.events();
    let halted = events
        .iter()
        .any(|e| matches!(e.kind, EventKind::NodeHalt { .. }));
    let root_exit = events.iter().find_map(|e| match &e.kind {
        EventKind::Exit { pid, reason } if *pid == root => Some(reason.clone()),
        _ => None,
    });
    if halted {
        // The node halted: the controller killed every process, then exited.
        assert_eq!(sim.live_processes(), 0);
    } else {
        assert_eq!(root_exit, Some(Term::NORMAL), "the test process failed");
    }
    events
}

async fn running(ctx: &Ctx) -> Vec<Atom> {
    application::which_applications(ctx)
        .await
        .expect("controller")
}

fn only(list: Vec<Atom>, keep: &[&str]) -> Term {
    apps(
        list.into_iter()
            .filter(|a| keep.contains(&a.as_str()))
            .collect(),
    )
}

#[path = "application_rules/cases.rs"]
mod cases;
#[path = "application_rules/halt.rs"]
mod halt;
