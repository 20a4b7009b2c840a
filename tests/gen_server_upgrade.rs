//! Hot code upgrade of a running GenServer (GS-15): a Rust user registers two versions
//! of a counter and upgrades a running one mid-run.

mod common;

use common::{exit_reason, recording_sim, Log};
use otpsim::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Response, StartOpts, Upgrade,
};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::EventKind;
use std::cell::RefCell;
use std::rc::Rc;

/// Version 1: counts by one.
struct CounterV1 {
    count: i64,
    log: Log,
}

/// Version 2: counts by a step, and knows how many calls it served since the upgrade.
struct CounterV2 {
    count: i64,
    step: i64,
    served: i64,
    log: Log,
}

impl GenServer for CounterV1 {
    type Args = (i64, Log);
    async fn init(_ctx: &Ctx, (count, log): Self::Args) -> Init<Self> {
        Init::Ok(CounterV1 { count, log })
    }
    async fn handle_call(&mut self, _ctx: &Ctx, req: Term, _from: From) -> CallResponse {
        if req.is_atom("bump") {
            self.count += 1;
        }
        CallResponse::reply(Term::tuple([atom("v1"), Term::Int(self.count)]))
    }
    async fn handle_cast(&mut self, _ctx: &Ctx, _req: Term) -> Response {
        self.count += 1;
        Response::noreply()
    }
    async fn terminate(&mut self, _ctx: &Ctx, reason: &Term) {
        self.log
            .push(Term::tuple([atom("v1_terminate"), reason.clone()]));
    }
}

impl GenServer for CounterV2 {
    type Args = (i64, Log);
    async fn init(_ctx: &Ctx, (count, log): Self::Args) -> Init<Self> {
        Init::Ok(CounterV2 {
            count,
            step: 10,
            served: 0,
            log,
        })
    }
    async fn handle_call(&mut self, _ctx: &Ctx, req: Term, _from: From) -> CallResponse {
        if req.is_atom("bump") {
            self.count += self.step;
        }
        self.served += 1;
        CallResponse::reply(Term::tuple([atom("v2"), Term::Int(self.count)]))
    }
    async fn terminate(&mut self, _ctx: &Ctx, reason: &Term) {
        self.log
            .push(Term::tuple([atom("v2_terminate"), reason.clone()]));
    }
    fn vsn() -> Term {
        Term::Int(2)
    }
}

impl Upgrade<CounterV1> for CounterV2 {
    /// `extra` is the new step; `refuse` makes the migration fail; `panic` crashes it.
    fn code_change(old: CounterV1, extra: &Term) -> Result<CounterV2, (CounterV1, Term)> {
        match extra {
            Term::Int(step) => Ok(CounterV2 {
                count: old.count,
                step: *step,
                served: 0,
                log: old.log,
            }),
            e if e.is_atom("panic") => panic!("bad migration"),
            other => Err((old, Term::tagged("refused", other.clone()))),
        }
    }
}

/// A downgrade, so a server can go back and forth.
impl Upgrade<CounterV2> for CounterV1 {
    fn code_change(new: CounterV2, _extra: &Term) -> Result<CounterV1, (CounterV2, Term)> {
        Ok(CounterV1 {
            count: new.count,
            log: new.log,
        })
    }
}

fn v1(n: i64) -> Term {
    Term::tuple([atom("v1"), Term::Int(n)])
}

fn v2(n: i64) -> Term {
    Term::tuple([atom("v2"), Term::Int(n)])
}

type Seen = Rc<RefCell<Vec<Term>>>;

/// Appends to `seen` (a function, so an awaited argument is ready before the borrow).
fn note(seen: &Seen, t: Term) {
    seen.borrow_mut().push(t);
}

/// Runs `body` in a driver process that has started a CounterV1 at 0, linked.
fn with_v1<F, Fut>(body: F) -> (otpsim::kernel::Sim, Log, Seen, Rc<RefCell<Option<Pid>>>)
where
    F: FnOnce(Ctx, Pid, Seen) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), Term>> + 'static,
{
    let mut sim = recording_sim();
    let log = Log::new();
    let seen: Seen = Rc::default();
    let server = Rc::new(RefCell::new(None));
    let (l, s, srv) = (log.clone(), seen.clone(), server.clone());
    sim.spawn(move |ctx| async move {
        let pid = gen_server::start_link::<CounterV1>(&ctx, (0, l), StartOpts::default())
            .await
            .into_result()?;
        *srv.borrow_mut() = Some(pid);
        body(ctx, pid, s).await
    });
    sim.run();
    (sim, log, seen, server)
}

async fn bump(ctx: &Ctx, pid: Pid) -> Result<Term, Term> {
    gen_server::call(ctx, pid, atom("bump"), gen_server::DEFAULT_TIMEOUT).await
}

#[test]
fn gs15_upgrade_migrates_state_in_the_same_process() {
    // GS-15: suspend, change_code, resume calls code_change; {ok,NewS} replaces the state.
    let (sim, _, seen, server) = with_v1(|ctx, pid, seen| async move {
        note(&seen, bump(&ctx, pid).await?);
        gen_server::cast(&ctx, pid, atom("bump"));
        note(&seen, bump(&ctx, pid).await?);
        gen_server::upgrade::<CounterV1, CounterV2>(&ctx, pid, Term::Int(100)).await?;
        note(&seen, bump(&ctx, pid).await?);
        note(&seen, bump(&ctx, pid).await?);
        // Still linked to the same pid.
        note(&seen, Term::from(ctx.is_alive(pid)));
        ctx.sleep(ms(1)).await;
        Ok(())
    });
    assert_eq!(
        seen.borrow().as_slice(),
        [v1(1), v1(3), v2(103), v2(203), Term::TRUE]
    );
    let pid = server.borrow().expect("started");
    let changes: Vec<_> = sim
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::CodeChange {
                pid: p,
                old_vsn,
                new_vsn,
                result,
            } if p == pid => Some((old_vsn, new_vsn, result)),
            _ => None,
        })
        .collect();
    assert_eq!(changes, [(Term::Int(1), Term::Int(2), Term::OK)]);
    // One server process for the whole run: no second spawn, same mailbox.
    let spawns = sim
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Spawn { .. }))
        .count();
    assert_eq!(spawns, 2);
}

#[test]
fn gs15_a_failing_code_change_keeps_v1_running() {
    // GS-15: any result other than {ok,NewS} is returned to the caller; the old state is kept.
    let (sim, _, seen, server) = with_v1(|ctx, pid, seen| async move {
        note(&seen, bump(&ctx, pid).await?);
        let r = gen_server::upgrade::<CounterV1, CounterV2>(&ctx, pid, atom("no")).await;
        note(&seen, r.expect_err("refused"));
        note(&seen, bump(&ctx, pid).await?);
        Ok(())
    });
    let refused = Term::tagged("error", Term::tagged("refused", atom("no")));
    assert_eq!(seen.borrow().as_slice(), [v1(1), refused.clone(), v1(2)]);
    let pid = server.borrow().expect("started");
    let change = sim.events().into_iter().find_map(|e| match e.kind {
        EventKind::CodeChange {
            pid: p,
            old_vsn,
            new_vsn,
            result,
        } if p == pid => Some((old_vsn, new_vsn, result)),
        _ => None,
    });
    assert_eq!(change, Some((Term::Int(1), Term::Int(1), refused)));
}

#[test]
fn gs15_terminate_after_an_upgrade_is_the_new_codes() {
    // GS-15 with GS-11d: after the upgrade the server is the new code, down to terminate.
    let (sim, log, _, server) = with_v1(|ctx, pid, _| async move {
        gen_server::upgrade::<CounterV1, CounterV2>(&ctx, pid, Term::Int(5)).await?;
        gen_server::stop(&ctx, pid, atom("enough"), None).await
    });
    assert_eq!(
        log.get(),
        [Term::tuple([atom("v2_terminate"), atom("enough")])]
    );
    let pid = server.borrow().expect("started");
    assert_eq!(exit_reason(&sim, pid), Some(atom("enough")));
}

#[test]
fn gs15_upgrading_back_and_forth_does_not_nest() {
    // GS-15: each change_code swaps the running code; a thousand swaps still serve calls.
    let (_, _, seen, _) = with_v1(|ctx, pid, seen| async move {
        for _ in 0..1000 {
            gen_server::upgrade::<CounterV1, CounterV2>(&ctx, pid, Term::Int(1)).await?;
            gen_server::upgrade::<CounterV2, CounterV1>(&ctx, pid, Term::UNDEFINED).await?;
        }
        note(&seen, bump(&ctx, pid).await?);
        Ok(())
    });
    assert_eq!(seen.borrow().as_slice(), [v1(1)]);
}

#[test]
fn gs15_change_code_needs_a_suspended_server_running_the_old_code() {
    // GS-15: sys.erl refuses change_code outside a suspension ({unknown_system_msg, ..});
    // otpsim also refuses code written for another type ({wrong_code, RunningVsn}).
    let (_, _, seen, _) = with_v1(|ctx, pid, seen| async move {
        let r = gen_server::sys_change_code::<CounterV1, CounterV2>(&ctx, pid, Term::Int(2), None)
            .await;
        let err = r.expect_err("not suspended");
        note(
            &seen,
            err.as_tuple().expect("{error, _}")[1]
                .tag()
                .map_or(Term::UNDEFINED, Term::atom_owned),
        );
        gen_server::sys_suspend(&ctx, pid, None).await?;
        let r =
            gen_server::sys_change_code::<CounterV2, CounterV1>(&ctx, pid, Term::UNDEFINED, None)
                .await;
        note(&seen, r.expect_err("wrong code"));
        gen_server::sys_resume(&ctx, pid, None).await?;
        note(&seen, bump(&ctx, pid).await?);
        Ok(())
    });
    assert_eq!(
        seen.borrow().as_slice(),
        [
            atom("unknown_system_msg"),
            Term::tagged("error", Term::tagged("wrong_code", Term::Int(1))),
            v1(1)
        ]
    );
}

#[test]
fn gs15_a_panicking_code_change_crashes_the_server() {
    // GS-15 (otpsim): code_change took the old state by value, so a panic cannot keep it
    // as OTP's catch does; the server exits with the panic and the caller's call fails.
    let (sim, _, seen, server) = with_v1(|ctx, pid, seen| async move {
        ctx.trap_exit(true);
        let r = gen_server::upgrade::<CounterV1, CounterV2>(&ctx, pid, atom("panic")).await;
        note(&seen, r.expect_err("crashed"));
        Ok(())
    });
    let pid = server.borrow().expect("started");
    let panic = Term::tuple([atom("panic"), Term::bin("bad migration")]);
    assert_eq!(exit_reason(&sim, pid), Some(panic.clone()));
    let err = seen.borrow()[0].clone();
    assert_eq!(err.as_tuple().map(|t| t[0].clone()), Some(panic));
    assert_eq!(
        err.as_tuple().and_then(|t| t[1].tag().map(str::to_string)),
        Some("sys".to_string())
    );
}

#[test]
fn gs15_calls_wait_while_suspended_and_run_on_the_new_code() {
    // GS-15: a suspended server handles only system messages; a call sent meanwhile
    // waits and, after the upgrade and resume, is answered by the new code.
    let (_, _, seen, _) = with_v1(|ctx, pid, seen| async move {
        gen_server::sys_suspend(&ctx, pid, None).await?;
        let s = seen.clone();
        ctx.spawn(move |c| async move {
            let quick = gen_server::call(&c, pid, atom("get"), Some(50)).await;
            s.borrow_mut()
                .push(quick.expect_err("times out").as_tuple().expect("r")[0].clone());
            let r = gen_server::call(&c, pid, atom("bump"), None).await?;
            s.borrow_mut().push(r);
            Ok(())
        });
        ctx.sleep(ms(100)).await;
        gen_server::sys_change_code::<CounterV1, CounterV2>(&ctx, pid, Term::Int(7), None).await?;
        note(&seen, atom("changed"));
        gen_server::sys_resume(&ctx, pid, None).await?;
        ctx.sleep(ms(1)).await;
        Ok(())
    });
    assert_eq!(
        seen.borrow().as_slice(),
        [Term::TIMEOUT, atom("changed"), v2(7)]
    );
}
