//! GenServer rules about start timeouts and default callbacks: GS-4 and GS-16 of the
//! semantics reference.

mod common;

use common::{children_of, exit_reason, recording_sim as sim};
use otpsim::behaviour::gen_server::{self, GenServer, Init, StartOpts, StartResult};
use otpsim::behaviour::supervisor::{ChildSpec, ChildType, Restart, Shutdown};
use otpsim::kernel::{ms, Ctx, Sim};
use otpsim::term::{atom, Pid, Term};
use std::cell::RefCell;
use std::rc::Rc;

/// A server whose `init` spends `init_ms` of virtual time.
struct SlowInit;

impl GenServer for SlowInit {
    type Args = u64;

    async fn init(ctx: &Ctx, init_ms: u64) -> Init<SlowInit> {
        ctx.work(ms(init_ms)).await;
        Init::Ok(SlowInit)
    }
}

/// What the starter saw: the start's result, and any message left in its mailbox
/// long after (an `EXIT` from the killed server would be one).
type Seen = Rc<RefCell<Option<(StartResult, Option<Term>)>>>;

fn start_with_timeout(init_ms: u64, timeout_ms: u64) -> (Sim, Pid, Seen) {
    let mut sim = sim();
    let seen: Seen = Rc::new(RefCell::new(None));
    let out = seen.clone();
    let starter = sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        let opts = StartOpts {
            timeout_ms: Some(timeout_ms),
            ..StartOpts::default()
        };
        let result = gen_server::start_link::<SlowInit>(&ctx, init_ms, opts).await;
        let left = ctx.recv_timeout(ms(1_000)).await;
        *out.borrow_mut() = Some((result, left));
        Ok(())
    });
    sim.run();
    (sim, starter, seen)
}

#[test]
fn gs4_start_timeout_kills_the_server_and_returns_timeout_with_no_exit_left() {
    // GS-4: init outlasts the timeout: the caller unlinks, kills the server, drops any
    // EXIT from it and gets {error, timeout}; a trapping caller finds no EXIT later.
    let (sim, starter, seen) = start_with_timeout(100, 50);
    let (result, left) = seen.borrow_mut().take().expect("the starter finished");
    assert_eq!(result, StartResult::Error(atom("timeout")));
    assert_eq!(
        left, None,
        "no EXIT from the killed server reaches the caller"
    );
    let server = children_of(&sim, starter)[0];
    assert_eq!(exit_reason(&sim, server), Some(atom("killed")));
    assert_eq!(exit_reason(&sim, starter), Some(atom("normal")));
}

#[test]
fn gs4_an_init_within_the_timeout_starts_normally() {
    let (sim, starter, seen) = start_with_timeout(40, 50);
    let (result, _) = seen.borrow_mut().take().expect("the starter finished");
    let server = children_of(&sim, starter)[0];
    assert_eq!(result, StartResult::Ok(server));
}

/// A server that defines only `init`: every other callback is the default.
#[derive(Clone)]
struct Bare;

impl GenServer for Bare {
    type Args = ();

    async fn init(_ctx: &Ctx, _: ()) -> Init<Bare> {
        Init::Ok(Bare)
    }
}

/// Starts a `Bare` server (not linked) and runs `poke` against it; returns the run
/// and the server's pid.
fn bare<F, Fut>(poke: F) -> (Sim, Pid)
where
    F: FnOnce(Ctx, Pid) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), Term>> + 'static,
{
    let mut sim = sim();
    let server = Rc::new(RefCell::new(None));
    let out = server.clone();
    sim.spawn(move |ctx| async move {
        let StartResult::Ok(pid) = gen_server::start::<Bare>(&ctx, (), StartOpts::default()).await
        else {
            return Err(atom("no_server"));
        };
        *out.borrow_mut() = Some(pid);
        poke(ctx, pid).await
    });
    sim.run();
    let pid = server.borrow().expect("the server started");
    (sim, pid)
}

#[test]
fn gs16_default_handle_call_crashes_the_server_and_fails_the_call() {
    let seen = Rc::new(RefCell::new(None));
    let out = seen.clone();
    let (sim, server) = bare(move |ctx, pid| async move {
        let r = gen_server::call(&ctx, pid, atom("ping"), Some(1_000)).await;
        *out.borrow_mut() = Some(r);
        Ok(())
    });
    let reason = Term::tuple_of([atom("bad_call"), atom("ping")]);
    assert_eq!(exit_reason(&sim, server), Some(reason.clone()));
    let failed = seen.borrow_mut().take().expect("the call returned");
    let Err(failure) = failed else {
        panic!("the call succeeded: {failed:?}");
    };
    assert_eq!(failure.as_tuple().map(|t| t[0].clone()), Some(reason));
}

#[test]
fn gs16_default_handle_cast_crashes_the_server() {
    let (sim, server) = bare(|ctx, pid| async move {
        gen_server::cast(&ctx, pid, atom("hello"));
        Ok(())
    });
    let reason = Term::tuple_of([atom("bad_cast"), atom("hello")]);
    assert_eq!(exit_reason(&sim, server), Some(reason));
}

#[test]
fn gs16_default_handle_info_ignores_the_message_and_the_server_goes_on() {
    let alive = Rc::new(RefCell::new(None));
    let out = alive.clone();
    let (sim, server) = bare(move |ctx, pid| async move {
        ctx.send(pid, atom("stray"));
        ctx.sleep(ms(100)).await;
        *out.borrow_mut() = Some(ctx.is_alive(pid));
        Ok(())
    });
    assert_eq!(*alive.borrow(), Some(true));
    assert_eq!(exit_reason(&sim, server), None);
}

#[test]
fn gs16_default_terminate_leaves_the_stop_reason_unchanged() {
    // gen_server:stop runs terminate even without trapping (GS-14); the default
    // returns ok, so the server exits with the reason it was given.
    let stopped = Rc::new(RefCell::new(None));
    let out = stopped.clone();
    let (sim, server) = bare(move |ctx, pid| async move {
        let r = gen_server::stop(&ctx, pid, atom("maintenance"), None).await;
        *out.borrow_mut() = Some(r);
        Ok(())
    });
    assert_eq!(*stopped.borrow(), Some(Ok(())));
    assert_eq!(exit_reason(&sim, server), Some(atom("maintenance")));
}

#[test]
fn gs16_default_child_spec_is_a_permanent_worker_with_shutdown_5000() {
    // Elixir's child_spec(arg): %{id: Module, start: {Module, :start_link, [arg]}}.
    let spec = ChildSpec::worker::<Bare>("bare", ());
    assert_eq!(spec.id, atom("bare"));
    assert_eq!(spec.restart, Restart::Permanent);
    assert_eq!(spec.shutdown, Shutdown::Timeout(5000));
    assert_eq!(spec.child_type, ChildType::Worker);
    assert!(!spec.significant);
}
