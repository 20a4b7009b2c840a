//! GenServer conformance: one test per GS- rule of the semantics reference.

use otpsim::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Next, Response, StartOpts, StartResult,
};
use otpsim::kernel::{ms, Ctx, Sim, SimConfig};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::{Event, EventKind};
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn sim() -> Sim {
    Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    })
}

/// A configurable test server: behaviour chosen by the init argument.
struct Probe {
    log: Log,
}

#[derive(Clone)]
enum InitMode {
    Ok,
    Timeout(u64),
    Continue,
    Ignore,
    Stop(Term),
    Crash,
    Trap,
}

impl GenServer for Probe {
    type Args = (InitMode, Log);

    async fn init(ctx: &Ctx, (mode, log): Self::Args) -> Init<Self> {
        log.borrow_mut().push("init".into());
        let s = Probe { log };
        match mode {
            InitMode::Ok => Init::Ok(s),
            InitMode::Timeout(t) => Init::OkThen(s, Next::Timeout(t)),
            InitMode::Continue => Init::OkThen(s, Next::Continue(atom("boot"))),
            InitMode::Ignore => Init::Ignore,
            InitMode::Stop(r) => Init::Stop(r),
            InitMode::Crash => panic!("init failed"),
            InitMode::Trap => {
                ctx.trap_exit(true);
                Init::Ok(s)
            }
        }
    }

    async fn handle_call(&mut self, ctx: &Ctx, req: Term, from: From) -> CallResponse {
        self.log.borrow_mut().push(format!("call {req}"));
        match req.as_atom() {
            Some("slow") => {
                ctx.work(ms(200)).await;
                CallResponse::reply(atom("late"))
            }
            Some("later") => {
                ctx.send_after(
                    ms(10),
                    ctx.me(),
                    Term::tuple([atom("answer"), from.to_term()]),
                );
                CallResponse::noreply()
            }
            Some("stop_reply") => CallResponse::Stop {
                reason: atom("done"),
                reply: Some(atom("bye")),
            },
            Some("stop_noreply") => CallResponse::Stop {
                reason: atom("done"),
                reply: None,
            },
            Some("crash") => panic!("call crashed"),
            Some("then_timeout") => CallResponse::Reply(atom("ok"), Next::Timeout(50)),
            Some("then_continue") => CallResponse::Reply(atom("ok"), Next::Continue(atom("more"))),
            _ => CallResponse::reply(req),
        }
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, req: Term) -> Response {
        self.log.borrow_mut().push(format!("cast {req}"));
        if req.is_atom("continue") {
            return Response::NoReply(Next::Continue(atom("c")));
        }
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        self.log.borrow_mut().push(format!("info {msg}"));
        if let Some([tag, from]) = msg.as_tuple() {
            if tag.is_atom("answer") {
                gen_server::reply(ctx, From::from_term(from).expect("from"), atom("answered"));
            }
        }
        Response::noreply()
    }

    async fn handle_continue(&mut self, _ctx: &Ctx, cont: Term) -> Response {
        self.log.borrow_mut().push(format!("continue {cont}"));
        Response::noreply()
    }

    async fn terminate(&mut self, _ctx: &Ctx, reason: &Term) {
        self.log.borrow_mut().push(format!("terminate {reason}"));
    }
}

fn exit_reason(events: &[Event], pid: Pid) -> Option<Term> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::Exit { pid: p, reason } if *p == pid => Some(reason.clone()),
        _ => None,
    })
}

/// Starts a Probe from a driver process that runs `then` afterwards.
fn with_probe<F, Fut>(
    mode: InitMode,
    link: bool,
    then: F,
) -> (Sim, Log, Rc<RefCell<Option<StartResult>>>)
where
    F: FnOnce(Ctx, Pid) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), Term>> + 'static,
{
    let mut sim = sim();
    let log = log();
    let result = Rc::new(RefCell::new(None));
    let (l, r) = (log.clone(), result.clone());
    sim.spawn(move |ctx| async move {
        let args = (mode, l);
        let res = if link {
            gen_server::start_link::<Probe>(&ctx, args, StartOpts::default()).await
        } else {
            gen_server::start::<Probe>(&ctx, args, StartOpts::default()).await
        };
        *r.borrow_mut() = Some(res.clone());
        match res {
            StartResult::Ok(pid) => then(ctx, pid).await,
            _ => Ok(()),
        }
    });
    sim.run();
    (sim, log, result)
}

#[test]
fn gs1_start_link_returns_after_init_and_continue_runs_after() {
    // GS-1: start_link blocks until init returned; an init-continue runs after it returned.
    let (_, log, result) = with_probe(InitMode::Continue, true, |_, _| async { Ok(()) });
    assert!(matches!(result.borrow().clone(), Some(StartResult::Ok(_))));
    assert_eq!(log.borrow().as_slice(), ["init", "continue boot"]);
}

#[test]
fn gs2_init_results_reach_the_caller() {
    // GS-2: ok -> {ok,Pid}; ignore -> ignore; {stop,R} -> {error,R}; a crash -> {error,Crash}.
    let (_, _, r) = with_probe(InitMode::Ignore, false, |_, _| async { Ok(()) });
    assert_eq!(r.borrow().clone(), Some(StartResult::Ignore));
    let (_, _, r) = with_probe(InitMode::Stop(atom("no_db")), false, |_, _| async {
        Ok(())
    });
    assert_eq!(r.borrow().clone(), Some(StartResult::Error(atom("no_db"))));
    let (_, log, r) = with_probe(InitMode::Crash, false, |_, _| async { Ok(()) });
    let crash = Term::tuple([atom("panic"), Term::bin("init failed")]);
    assert_eq!(r.borrow().clone(), Some(StartResult::Error(crash)));
    // terminate is not called after ignore/stop/crash in init (GS-12).
    assert_eq!(log.borrow().as_slice(), ["init"]);
}

#[test]
fn gs2_ignore_exits_normal_and_stop_exits_with_reason() {
    // GS-2: after `ignore` the server exits normal; after {stop,R} it exits R.
    let (sim, _, r) = with_probe(InitMode::Ignore, false, |_, _| async { Ok(()) });
    let events = sim.events();
    let server = events.iter().find_map(|e| match &e.kind {
        EventKind::StartResult { pid, .. } => Some(*pid),
        _ => None,
    });
    assert_eq!(
        exit_reason(&events, server.expect("server")),
        Some(Term::NORMAL)
    );
    assert_eq!(r.borrow().clone(), Some(StartResult::Ignore));
}

#[test]
fn gs3_failed_init_kills_a_non_trapping_linked_caller() {
    // GS-3: the caller gets {error,R}, then the exit signal R kills it (R != normal).
    // VER-2: as on OTP 25, the baseline: init fails with {stop,R} (OTP 26's init_fail
    // and an init returning {error,R} are not modelled); the linked caller's fate
    // follows SIG-3 either way.
    let mut sim = sim();
    let log = log();
    let l = log.clone();
    let caller = sim.spawn(move |ctx| async move {
        let _ = gen_server::start_link::<Probe>(
            &ctx,
            (InitMode::Stop(atom("bad")), l),
            StartOpts::default(),
        )
        .await;
        ctx.sleep(ms(10)).await;
        Err(atom("not_reached"))
    });
    sim.run();
    assert_eq!(exit_reason(&sim.events(), caller), Some(atom("bad")));
}

#[test]
fn gs3_trapping_caller_keeps_the_exit_message() {
    // GS-3: a trapping caller gets {error,R} and then {'EXIT',Pid,R} in its mailbox.
    let mut sim = sim();
    let log = log();
    let l = log.clone();
    let got = Rc::new(RefCell::new(None));
    let g = got.clone();
    sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        let r = gen_server::start_link::<Probe>(
            &ctx,
            (InitMode::Stop(atom("bad")), l),
            StartOpts::default(),
        )
        .await;
        assert_eq!(r, StartResult::Error(atom("bad")));
        *g.borrow_mut() = Some(ctx.recv_timeout(ms(10)).await);
        Ok(())
    });
    sim.run();
    let msg = got.borrow().clone().flatten().expect("an EXIT message");
    assert_eq!(msg.tag(), Some("EXIT"));
    assert_eq!(msg.as_tuple().map(|t| t[2].clone()), Some(atom("bad")));
}

#[test]
fn gs3_stop_normal_does_not_kill_the_caller() {
    // GS-3: {stop,normal} returns {error,normal} and leaves the caller alive.
    let mut sim = sim();
    let l = log();
    let caller = sim.spawn(move |ctx| async move {
        let r = gen_server::start_link::<Probe>(
            &ctx,
            (InitMode::Stop(Term::NORMAL), l),
            StartOpts::default(),
        )
        .await;
        assert_eq!(r, StartResult::Error(Term::NORMAL));
        ctx.sleep(ms(10)).await;
        Err(atom("survived"))
    });
    sim.run();
    assert_eq!(exit_reason(&sim.events(), caller), Some(atom("survived")));
}

#[test]
fn gs5_gs8_call_and_reply() {
    // GS-5, GS-8: {reply,R,S} answers the caller; the caller gets exactly R.
    let (_, log, _) = with_probe(InitMode::Ok, true, |ctx, pid| async move {
        let r = gen_server::call(&ctx, pid, atom("hello"), gen_server::DEFAULT_TIMEOUT).await;
        assert_eq!(r, Ok(atom("hello")));
        Ok(())
    });
    assert_eq!(log.borrow().as_slice(), ["init", "call hello"]);
}

#[test]
fn gs5_calling_self_fails() {
    // GS-5: calling yourself exits with calling_self.
    let mut sim = sim();
    let got = Rc::new(RefCell::new(None));
    let g = got.clone();
    sim.spawn(move |ctx| async move {
        let me = ctx.me();
        *g.borrow_mut() = Some(gen_server::call(&ctx, me, atom("x"), None).await);
        Ok(())
    });
    sim.run();
    let err = got.borrow().clone().expect("ran").expect_err("must fail");
    assert_eq!(
        err.as_tuple().map(|t| t[0].clone()),
        Some(atom("calling_self"))
    );
}

#[test]
fn gs6_call_failures_name_the_reason_and_the_call() {
    // GS-6: {Reason, {gen_server, call, [Server, Req, Timeout]}} for noproc and timeout.
    let (_, _, _) = with_probe(InitMode::Ok, true, |ctx, pid| async move {
        let r = gen_server::call(&ctx, pid, atom("slow"), Some(50)).await;
        let expected = Term::tuple([
            Term::TIMEOUT,
            Term::tuple([
                atom("gen_server"),
                atom("call"),
                Term::list([Term::Pid(pid), atom("slow"), Term::Int(50)]),
            ]),
        ]);
        assert_eq!(r, Err(expected));
        let r = gen_server::call(&ctx, atom_ref("nobody"), atom("x"), Some(50)).await;
        assert_eq!(
            r.expect_err("noproc").as_tuple().map(|t| t[0].clone()),
            Some(Term::NOPROC)
        );
        Ok(())
    });
}

fn atom_ref(name: &'static str) -> gen_server::ServerRef {
    gen_server::ServerRef::from(name)
}

#[test]
fn gs6_server_death_during_call_gives_its_reason() {
    // GS-6: a crash before replying fails the call with the server's reason.
    let mut sim = sim();
    let got = Rc::new(RefCell::new(None));
    let g = got.clone();
    let l = log();
    sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        let pid = gen_server::start_link::<Probe>(&ctx, (InitMode::Ok, l), StartOpts::default())
            .await
            .into_result()?;
        *g.borrow_mut() = Some(gen_server::call(&ctx, pid, atom("crash"), None).await);
        Ok(())
    });
    sim.run();
    let err = got.borrow().clone().expect("ran").expect_err("must fail");
    let crash = Term::tuple([atom("panic"), Term::bin("call crashed")]);
    assert_eq!(err.as_tuple().map(|t| t[0].clone()), Some(crash));
}

#[test]
fn gs7_late_reply_is_dropped_not_delivered() {
    // GS-7: after a call timeout the late reply is discarded; the mailbox stays empty.
    // VER-1: this is OTP 24 and later (the call's alias); OTP 23 delivered it as a stray
    // message.
    let mut sim = sim();
    let l = log();
    let caller = sim.spawn(move |ctx| async move {
        let pid = gen_server::start_link::<Probe>(&ctx, (InitMode::Ok, l), StartOpts::default())
            .await
            .into_result()?;
        let r = gen_server::call(&ctx, pid, atom("slow"), Some(50)).await;
        assert!(r.is_err());
        ctx.sleep(ms(300)).await;
        assert_eq!(ctx.mailbox_len(), 0);
        ctx.recv().await;
        Ok(())
    });
    sim.run();
    assert!(sim.mailbox(caller).is_empty());
    let dropped = sim.events().iter().any(|e| matches!(&e.kind, EventKind::Drop { to, why, .. } if *to == caller && why.as_str() == "inactive_alias"));
    assert!(dropped, "the late reply must show as a drop event");
}

#[test]
fn gs8_noreply_then_reply_later_from_another_handler() {
    // GS-8: {noreply,S} sends nothing; gen_server:reply(From, R) answers later.
    let (sim, _, _) = with_probe(InitMode::Ok, true, |ctx, pid| async move {
        let r = gen_server::call(&ctx, pid, atom("later"), None).await;
        assert_eq!(r, Ok(atom("answered")));
        assert_eq!(ctx.now_us(), ms(10));
        Ok(())
    });
    assert!(sim.now_us() >= ms(10));
}

#[test]
fn gs8_stop_with_reply_runs_terminate_first() {
    // GS-8: {stop,R,Reply,S}: terminate runs, then the reply, then the server exits R.
    let (sim, log, _) = with_probe(InitMode::Ok, false, |ctx, pid| async move {
        let r = gen_server::call(&ctx, pid, atom("stop_reply"), None).await;
        assert_eq!(r, Ok(atom("bye")));
        Ok(())
    });
    assert_eq!(
        log.borrow().as_slice(),
        ["init", "call stop_reply", "terminate done"]
    );
    let events = sim.events();
    let term_at = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::TerminateCb { .. }))
        .expect("terminate");
    let reply_at = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Reply { .. }))
        .expect("reply");
    let exit_at = events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Exit { reason, .. } if reason.is_atom("done")))
        .expect("exit");
    assert!(term_at < reply_at && reply_at < exit_at);
}

#[test]
fn gs8_stop_without_reply_fails_the_call_with_the_reason() {
    // GS-8: {stop,R,S} from handle_call sends no reply; the caller fails as in GS-6.
    let (_, _, _) = with_probe(InitMode::Ok, false, |ctx, pid| async move {
        let r = gen_server::call(&ctx, pid, atom("stop_noreply"), None).await;
        assert_eq!(
            r.expect_err("fails").as_tuple().map(|t| t[0].clone()),
            Some(atom("done"))
        );
        Ok(())
    });
}

#[test]
fn gs9_idle_timeout_fires_without_messages() {
    // GS-9: an idle timeout T delivers handle_info(timeout) after T ms of silence.
    let (_, log, _) = with_probe(InitMode::Timeout(100), true, |_, _| async { Ok(()) });
    assert_eq!(log.borrow().as_slice(), ["init", "info timeout"]);
}

#[test]
fn gs9_any_message_cancels_the_idle_timeout() {
    // GS-9: a message before T cancels the timeout; no timeout is delivered after it.
    let (_, log, _) = with_probe(InitMode::Timeout(100), true, |ctx, pid| async move {
        ctx.sleep(ms(50)).await;
        gen_server::cast(&ctx, pid, atom("poke"));
        ctx.sleep(ms(500)).await;
        Ok(())
    });
    assert_eq!(log.borrow().as_slice(), ["init", "cast poke"]);
}

#[test]
fn gs9_reply_then_timeout() {
    // GS-9 + GS-8: {reply,R,S,T} replies first, then arms T.
    let (_, log, _) = with_probe(InitMode::Ok, true, |ctx, pid| async move {
        assert_eq!(
            gen_server::call(&ctx, pid, atom("then_timeout"), None).await,
            Ok(atom("ok"))
        );
        ctx.sleep(ms(100)).await;
        Ok(())
    });
    assert_eq!(
        log.borrow().as_slice(),
        ["init", "call then_timeout", "info timeout"]
    );
}

#[test]
fn gs10_continue_runs_before_queued_messages() {
    // GS-10: with queued1 waiting, a cast returning continue, then queued2: the order is
    // queued1, cast, continue, queued2.
    let mut sim = sim();
    let log = log();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let pid = gen_server::start_link::<Probe>(&ctx, (InitMode::Ok, l), StartOpts::default())
            .await
            .into_result()?;
        ctx.send(pid, atom("queued1"));
        gen_server::cast(&ctx, pid, atom("continue"));
        ctx.send(pid, atom("queued2"));
        ctx.sleep(ms(10)).await;
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.borrow().as_slice(),
        [
            "init",
            "info queued1",
            "cast continue",
            "continue c",
            "info queued2"
        ]
    );
}

#[test]
fn gs11c_trapping_server_terminates_on_parent_exit_even_normal() {
    // GS-11c: a trapping server gets the parent's EXIT (any reason, normal included)
    // and runs terminate.
    let (_, log, _) = with_probe(InitMode::Trap, true, |_, _| async { Ok(()) });
    assert_eq!(log.borrow().as_slice(), ["init", "terminate normal"]);
}

#[test]
fn gs12_non_trapping_server_dies_without_terminate() {
    // GS-12: a non-trapping server killed by a non-normal signal skips terminate, and a
    // `kill` never runs it.
    let (_, log, _) = with_probe(InitMode::Ok, false, |ctx, pid| async move {
        ctx.exit(pid, atom("shutdown"));
        Ok(())
    });
    assert_eq!(log.borrow().as_slice(), ["init"]);
    let (_, log, _) = with_probe(InitMode::Trap, false, |ctx, pid| async move {
        ctx.exit(pid, Term::KILL);
        Ok(())
    });
    assert_eq!(log.borrow().as_slice(), ["init"]);
}

#[test]
fn gs12_exit_from_non_parent_goes_to_handle_info() {
    // GS-12: an EXIT from a process other than the parent reaches handle_info.
    let (_, log, _) = with_probe(InitMode::Trap, false, |ctx, pid| async move {
        ctx.exit(pid, atom("odd"));
        ctx.sleep(ms(1)).await;
        Ok(())
    });
    assert_eq!(log.borrow().len(), 2);
    assert!(log.borrow()[1].starts_with("info {'EXIT',"));
}

#[test]
fn gs13_exit_reason_is_the_original_reason() {
    // GS-13: after terminate the process exits with the stop reason.
    let (sim, _, r) = with_probe(InitMode::Ok, false, |ctx, pid| async move {
        gen_server::call(&ctx, pid, atom("stop_reply"), None).await?;
        Ok(())
    });
    let Some(StartResult::Ok(pid)) = r.borrow().clone() else {
        panic!("started")
    };
    assert_eq!(exit_reason(&sim.events(), pid), Some(atom("done")));
}

#[test]
fn gs14_stop_runs_terminate_without_trapping_and_reports() {
    // GS-14, GS-11d: stop returns ok once the server exited with the reason; stopping a
    // dead server fails with noproc.
    let (_, log, _) = with_probe(InitMode::Ok, false, |ctx, pid| async move {
        assert_eq!(
            gen_server::stop(&ctx, pid, atom("enough"), None).await,
            Ok(())
        );
        let again = gen_server::stop(&ctx, pid, Term::NORMAL, None).await;
        assert_eq!(
            again.expect_err("noproc").as_tuple().map(|t| t[0].clone()),
            Some(Term::NOPROC)
        );
        Ok(())
    });
    assert_eq!(log.borrow().as_slice(), ["init", "terminate enough"]);
}

#[test]
fn name4_starting_under_a_taken_name_returns_already_started() {
    // NAME-4: {error,{already_started,Pid}}; init is not called; the new process exits normal.
    let mut sim = sim();
    let log = log();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let first = gen_server::start_link::<Probe>(
            &ctx,
            (InitMode::Ok, l.clone()),
            StartOpts::named("db"),
        )
        .await
        .into_result()?;
        let second =
            gen_server::start_link::<Probe>(&ctx, (InitMode::Ok, l), StartOpts::named("db")).await;
        assert_eq!(
            second,
            StartResult::Error(Term::tagged("already_started", Term::Pid(first)))
        );
        Ok(())
    });
    sim.run();
    assert_eq!(log.borrow().iter().filter(|s| *s == "init").count(), 1);
}

#[test]
fn name3_cast_to_unregistered_name_does_nothing_and_call_fails_noproc() {
    // NAME-3: cast to an unregistered name returns ok; call exits with noproc.
    let mut sim = sim();
    sim.spawn(|ctx| async move {
        gen_server::cast(&ctx, "ghost", atom("hi"));
        let r = gen_server::call(&ctx, "ghost", atom("hi"), None).await;
        let expected = Term::tuple([
            Term::NOPROC,
            Term::tuple([
                atom("gen_server"),
                atom("call"),
                Term::list([atom("ghost"), atom("hi"), atom("infinity")]),
            ]),
        ]);
        assert_eq!(r, Err(expected));
        Ok(())
    });
    assert!(sim.run().outcome.is_normal());
}
