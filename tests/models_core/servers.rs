//! The server models: replies, timing, events and faults.

use super::support::{call, env, run, spec, t};
use otpsim::behaviour::gen_server::{self, StartResult};
use otpsim::behaviour::supervisor::{self, ChildSpec, StartFn, Strategy, SupFlags};
use otpsim::kernel::{ms, secs, Ctx};
use otpsim::models::fault;
use otpsim::models::{counter, starts, worker};
use otpsim::term::{atom, Atom, Term};
use otpsim::trace::EventKind;
use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn worker_answers_after_its_work_time_and_crashes_on_command() {
    let w = spec("worker", r#"{"work": "5ms"}"#);
    let ran = run(1, secs(10), move |ctx| async move {
        ctx.trap_exit(true);
        let pid = w
            .start(ctx.clone(), env("root/w"), vec![])
            .await
            .into_result()?;
        assert_eq!(ctx.whereis(&Atom::new("root/w")), Some(pid));
        let t0 = ctx.now_us();
        assert_eq!(
            call(&ctx, Atom::new("root/w"), atom("ping")).await?,
            atom("pong")
        );
        assert_eq!(ctx.now_us() - t0, ms(5));
        assert_eq!(call(&ctx, pid, t("{get, 1}")).await?, t("{ok, {get, 1}}"));
        gen_server::cast(&ctx, pid, atom("hello"));
        let handled =
            gen_server::sys_get_state::<worker::Worker, _>(&ctx, pid, |w| w.handled(), None)
                .await?;
        assert_eq!(handled, 3);
        let err = call(&ctx, pid, t("{crash, boom}")).await.unwrap_err();
        assert_eq!(err.as_tuple().unwrap()[0], atom("boom"));
        Ok(())
    });
    let pid = find_spawned(&ran, "root/w");
    assert_eq!(ran.exit(pid).map(|e| e.1), Some(atom("boom")));
}

fn find_spawned(ran: &super::support::Ran, label: &str) -> otpsim::term::Pid {
    ran.events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Spawn {
                child,
                label: Some(l),
                ..
            } if l == label => Some(*child),
            _ => None,
        })
        .unwrap_or_else(|| panic!("nothing labelled {label}"))
}

#[test]
fn worker_init_results_follow_the_init_parameter() {
    let cases = [
        (r#"{"init": "ignore"}"#, StartResult::Ignore),
        (
            r#"{"init": "error", "fail_reason": "no_db"}"#,
            StartResult::Error(atom("no_db")),
        ),
        (
            r#"{"init": "crash"}"#,
            StartResult::Error(Term::tuple([
                atom("panic"),
                Term::bin("worker init crashed: init_failure"),
            ])),
        ),
    ];
    for (params, want) in cases {
        let w = spec("worker", params);
        run(1, secs(1), move |ctx| async move {
            ctx.trap_exit(true);
            let got = w.start(ctx.clone(), env("root/w"), vec![]).await;
            assert_eq!(got, want);
            Ok(())
        });
    }
}

#[test]
fn a_worker_fails_on_its_nth_start_and_its_supervisor_tries_again() {
    let w = spec("worker", r#"{"fail_on_start": 2, "init_time": "1ms"}"#);
    let ran = run(1, secs(10), move |ctx| async move {
        let start: StartFn = Rc::new(move |ctx: Ctx| w.start(ctx, env("sup/w"), vec![]));
        let child = ChildSpec::new(atom("w"), start);
        let opts = gen_server::StartOpts {
            label: Some("sup".into()),
            ..Default::default()
        };
        let flags = SupFlags::new(Strategy::OneForOne).intensity(5, 5);
        supervisor::start_link(&ctx, flags, vec![child], opts)
            .await
            .into_result()?;
        gen_server::cast(&ctx, Atom::new("sup/w"), t("{crash, boom}"));
        ctx.sleep(ms(100)).await;
        assert_eq!(starts::count(&ctx, "sup/w"), 3);
        assert!(ctx.whereis(&Atom::new("sup/w")).is_some());
        Ok(())
    });
    let failed: Vec<Term> = ran
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::InitResult {
                result,
                reason: Some(r),
                ..
            } if result.as_str() == "stop" => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(failed, vec![atom("init_failure")]);
}

#[test]
fn a_trapping_worker_spends_its_terminate_time_on_stop() {
    let w = spec("worker", r#"{"trap_exit": true, "terminate": "2s"}"#);
    run(1, secs(10), move |ctx| async move {
        ctx.trap_exit(true);
        let pid = w
            .start(ctx.clone(), env("root/w"), vec![])
            .await
            .into_result()?;
        let t0 = ctx.now_us();
        gen_server::stop(&ctx, pid, Term::SHUTDOWN, None).await?;
        assert_eq!(ctx.now_us() - t0, secs(2));
        Ok(())
    });
}

#[test]
fn a_crash_fault_stops_any_model_with_its_reason_through_terminate() {
    for name in [
        "worker",
        "counter",
        "cache",
        "session",
        "rate_limiter",
        "flaky",
        "buffered_writer",
        "settings",
    ] {
        let m = spec(name, "{}");
        let ran = run(1, secs(1), move |ctx| async move {
            ctx.trap_exit(true);
            let pid = m
                .start(ctx.clone(), env("root/m"), vec![])
                .await
                .into_result()?;
            ctx.send(pid, fault::message_crash(t("{shutdown, injected}")));
            let exit = ctx.recv().await;
            assert_eq!(
                exit,
                Term::tuple([
                    Term::atom_owned("EXIT"),
                    Term::Pid(pid),
                    t("{shutdown, injected}")
                ])
            );
            Ok(())
        });
        assert!(
            ran.events.iter().any(|e| matches!(&e.kind, EventKind::TerminateCb { reason, .. } if *reason == t("{shutdown, injected}"))),
            "{name}: terminate did not run"
        );
    }
}

#[test]
fn counter_upgrades_to_version_2_keeping_its_count_and_back() {
    let c = spec("counter", r#"{"initial": 10}"#);
    assert_eq!(c.versions(), &[1, 2]);
    run(1, secs(10), move |ctx| async move {
        let pid = c
            .start(ctx.clone(), env("root/c"), vec![])
            .await
            .into_result()?;
        assert_eq!(call(&ctx, pid, atom("increment")).await?, t("{ok, 11}"));
        gen_server::cast(&ctx, pid, atom("increment"));
        assert_eq!(call(&ctx, pid, atom("get")).await?, Term::Int(12));
        c.upgrade(ctx.clone(), pid, 2).await?;
        assert_eq!(call(&ctx, pid, atom("increment")).await?, t("{ok, 13, v2}"));
        assert_eq!(call(&ctx, pid, atom("since_upgrade")).await?, Term::Int(1));
        let err = c.upgrade(ctx.clone(), pid, 2).await.unwrap_err();
        assert_eq!(err, t("{error, {wrong_code, 2}}"));
        assert_eq!(
            c.upgrade(ctx.clone(), pid, 3).await.unwrap_err(),
            t("{no_such_version, 3}")
        );
        c.upgrade(ctx.clone(), pid, 1).await?;
        assert_eq!(call(&ctx, pid, atom("increment")).await?, t("{ok, 14}"));
        let count =
            gen_server::sys_get_state::<counter::CounterV1, _>(&ctx, pid, |c| c.count(), None)
                .await?;
        assert_eq!(count, 14);
        assert_eq!(
            call(&ctx, pid, atom("nope")).await?,
            t("{error, {unknown_request, nope}}")
        );
        Ok(())
    });
}

#[test]
fn cache_entries_expire_before_cleanup_and_cleanup_reports_them() {
    let c = spec("cache", r#"{"ttl": "1s", "cleanup_every": "5s"}"#);
    let ran = run(1, secs(20), move |ctx| async move {
        let pid = c
            .start(ctx.clone(), env("root/c"), vec![])
            .await
            .into_result()?;
        assert_eq!(call(&ctx, pid, t("{put, a, 1}")).await?, Term::OK);
        gen_server::cast(&ctx, pid, t("{put, b, 2}"));
        assert_eq!(call(&ctx, pid, t("{get, a}")).await?, t("{ok, 1}"));
        assert_eq!(call(&ctx, pid, t("{get, zz}")).await?, atom("miss"));
        ctx.sleep(ms(999)).await;
        assert_eq!(call(&ctx, pid, t("{get, b}")).await?, t("{ok, 2}"));
        ctx.sleep(ms(1)).await;
        assert_eq!(call(&ctx, pid, t("{get, b}")).await?, atom("miss"));
        assert_eq!(call(&ctx, pid, atom("size")).await?, Term::Int(2));
        ctx.sleep(secs(5)).await;
        assert_eq!(call(&ctx, pid, atom("size")).await?, Term::Int(0));
        Ok(())
    });
    let expired: Vec<(u64, Term)> = ran
        .model("expired")
        .into_iter()
        .map(|(at, _, d)| (at, d))
        .collect();
    assert_eq!(expired, vec![(secs(5), Term::Int(2))]);
}

#[test]
fn a_session_stops_normally_after_its_idle_timeout_and_each_message_resets_it() {
    let s = spec("session", r#"{"idle_timeout": "1s"}"#);
    let pid_cell = Rc::new(RefCell::new(None));
    let out = pid_cell.clone();
    let ran = run(1, secs(10), move |ctx| async move {
        ctx.trap_exit(true);
        let pid = s
            .start(ctx.clone(), env("root/s"), vec![])
            .await
            .into_result()?;
        *out.borrow_mut() = Some(pid);
        for _ in 0..3 {
            ctx.sleep(ms(900)).await;
            assert_eq!(call(&ctx, pid, atom("ping")).await?, atom("pong"));
        }
        let exit = ctx.recv().await;
        assert_eq!(
            exit,
            Term::tuple([Term::atom_owned("EXIT"), Term::Pid(pid), Term::NORMAL])
        );
        Ok(())
    });
    let pid = pid_cell.borrow().unwrap();
    assert_eq!(ran.exit(pid), Some((ms(3_700), Term::NORMAL)));
    assert_eq!(
        ran.model("idle_stop"),
        vec![(ms(3_700), pid, Term::Int(1_000))]
    );
}

#[test]
fn rate_limiter_allows_max_requests_per_window_and_resets_on_its_timer() {
    let r = spec("rate_limiter", r#"{"max_requests": 3, "window": "1s"}"#);
    let ran = run(1, ms(2_500), move |ctx| async move {
        let pid = r
            .start(ctx.clone(), env("root/rl"), vec![])
            .await
            .into_result()?;
        let mut replies = Vec::new();
        for _ in 0..4 {
            replies.push(call(&ctx, pid, atom("check")).await?);
        }
        assert_eq!(
            replies,
            vec![Term::OK, Term::OK, Term::OK, atom("rate_limited")]
        );
        ctx.sleep(secs(1)).await;
        assert_eq!(call(&ctx, pid, atom("check")).await?, Term::OK);
        Ok(())
    });
    let resets: Vec<(u64, Term)> = ran
        .model("reset")
        .into_iter()
        .map(|(at, _, d)| (at, d))
        .collect();
    assert_eq!(resets, vec![(secs(1), t("{3, 1}")), (secs(2), t("{1, 0}"))]);
}
