//! DynamicSupervisor conformance: one test per DSUP rule (semantics reference §7).

mod supervisor_common;

use otpsim::behaviour::dynamic_supervisor::{self, DynChildSpec, DynSupFlags};
use otpsim::behaviour::gen_server::{GenServer, Init, StartOpts, StartResult};
use otpsim::behaviour::supervisor::{ChildCounts, ChildPid, Restart, Shutdown};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use std::rc::Rc;
use supervisor_common::*;

async fn start(ctx: &Ctx, flags: DynSupFlags) -> Result<Pid, Term> {
    dynamic_supervisor::start_link(ctx, flags, StartOpts::default())
        .await
        .into_result()
}

fn pid_or(r: &StartResult) -> String {
    match r {
        StartResult::Ok(_) => "ok".to_string(),
        other => other.to_term().to_string(),
    }
}

async fn pids(ctx: &Ctx, sup: Pid) -> Vec<ChildPid> {
    dynamic_supervisor::which_children(ctx, sup)
        .await
        .into_iter()
        .map(|c| c.pid)
        .collect()
}

#[test]
fn dsup1_flags_and_shutdown_values_are_checked() {
    // DSUP-1: max_seconds must be > 0; shutdown values must be > 0, infinity or
    // brutal_kill.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        ctx.trap_exit(true);
        let bad = DynSupFlags {
            max_seconds: 0,
            ..DynSupFlags::new()
        };
        let r1 = dynamic_supervisor::start_link(&ctx, bad, StartOpts::default()).await;
        let sup = start(&ctx, DynSupFlags::new()).await?;
        let zero = DynChildSpec::from(W::new("w", &l).spec()).shutdown(Shutdown::Timeout(0));
        let r2 = dynamic_supervisor::start_child(&ctx, sup, zero).await;
        *g.borrow_mut() = Some((r1.to_term().to_string(), r2.to_term().to_string()));
        Ok(())
    });
    let (r1, r2) = got.borrow().clone().expect("ran");
    assert_eq!(r1, "{error,{supervisor_data,{invalid_period,0}}}");
    assert_eq!(r2, "{error,{invalid_shutdown,0}}");
}

struct Echo;

impl GenServer for Echo {
    type Args = (Vec<Term>, supervisor_common::Log);
    async fn init(_ctx: &Ctx, (args, log): Self::Args) -> Init<Self> {
        log.borrow_mut().push(Term::list(args).to_string());
        Init::Ok(Echo)
    }
}

#[test]
fn dsup2_start_child_results_and_extra_arguments() {
    // DSUP-2: extra arguments go before the spec's own; ignore stores nothing and
    // returns ignore; an error or a crash returns {error,R} and stores nothing; ids
    // need not be unique.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let flags = DynSupFlags {
            extra_arguments: vec![atom("pool"), Term::Int(1)],
            ..DynSupFlags::new()
        };
        let sup = start(&ctx, flags).await?;
        let ll = l.clone();
        let echo = DynChildSpec::worker_with::<Echo>("e", move |extra| {
            let mut args = extra;
            args.push(atom("own"));
            (args, ll.clone())
        });
        let mut out = vec![
            pid_or(&dynamic_supervisor::start_child(&ctx, sup, echo.clone()).await),
            pid_or(&dynamic_supervisor::start_child(&ctx, sup, echo).await),
        ];
        let ign = W::new("i", &l).plans(&[Plan::Ignore]).spec();
        out.push(pid_or(
            &dynamic_supervisor::start_child(&ctx, sup, ign).await,
        ));
        let stop = W::new("s", &l).plans(&[Plan::Stop(atom("no_db"))]).spec();
        out.push(pid_or(
            &dynamic_supervisor::start_child(&ctx, sup, stop).await,
        ));
        let panics = DynChildSpec::new(
            atom("p"),
            Rc::new(|_, _| Box::pin(async { panic!("bad start") })),
        );
        out.push(pid_or(
            &dynamic_supervisor::start_child(&ctx, sup, panics).await,
        ));
        out.push(format!(
            "{}",
            dynamic_supervisor::count_children(&ctx, sup).await.specs
        ));
        *g.borrow_mut() = Some(out);
        Ok(())
    });
    assert_eq!(
        got.borrow().clone().expect("ran"),
        [
            "ok",
            "ok",
            "ignore",
            "{error,no_db}",
            "{error,{panic,<<\"bad start\">>}}",
            "2"
        ]
    );
    assert_eq!(lines(&log)[..2], ["[pool,1,own]", "[pool,1,own]"]);
}

#[test]
fn dsup2_max_children_counts_restarting_children() {
    // DSUP-2: {error,max_children} when the children, restarting ones included,
    // already number max_children.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let flags = DynSupFlags {
            max_children: Some(2),
            ..DynSupFlags::new()
        };
        let sup = start(&ctx, flags).await?;
        let flaky = W::new("f", &l)
            .slow_init(ms(10))
            .plans(&[Plan::Ok, Plan::Stop(atom("no_db"))]);
        let StartResult::Ok(f) = dynamic_supervisor::start_child(&ctx, sup, flaky.spec()).await
        else {
            return Err(atom("no_start"));
        };
        dynamic_supervisor::start_child(&ctx, sup, W::new("w", &l).spec()).await;
        ctx.exit(f, boom());
        // Both calls reach the supervisor while the failing restart runs, so they are
        // answered before its $gen_restart retry: f is restarting meanwhile.
        ctx.sleep(ms(5)).await;
        let third = slot();
        let (t, ll) = (third.clone(), l.clone());
        ctx.spawn(move |c| async move {
            let r = dynamic_supervisor::start_child(&c, sup, W::new("x", &ll).spec()).await;
            *t.borrow_mut() = Some(pid_or(&r));
            Ok(())
        });
        let counts = dynamic_supervisor::count_children(&ctx, sup).await;
        settle(&ctx).await;
        let third = third.borrow().clone().unwrap_or_default();
        *g.borrow_mut() = Some((counts, third));
        Ok(())
    });
    let (counts, third) = got.borrow().clone().expect("ran");
    assert_eq!(
        counts,
        ChildCounts {
            specs: 2,
            active: 1,
            supervisors: 0,
            workers: 2
        }
    );
    assert_eq!(third, "{error,max_children}");
}

#[test]
fn dsup3_which_children_in_ascending_spawn_order() {
    // DSUP-3: which_children lists {undefined, Pid} in ascending spawn order; a
    // restarted child, with its newer pid, moves to the end.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let sup = start(&ctx, DynSupFlags::new()).await?;
        let mut started = Vec::new();
        for n in ["a", "b", "c"] {
            if let StartResult::Ok(p) =
                dynamic_supervisor::start_child(&ctx, sup, W::new(n, &l).spec()).await
            {
                started.push(ChildPid::Pid(p));
            }
        }
        let before = pids(&ctx, sup).await;
        ctx.exit(
            match started[0] {
                ChildPid::Pid(p) => p,
                _ => return Err(atom("no_pid")),
            },
            boom(),
        );
        settle(&ctx).await;
        let after = dynamic_supervisor::which_children(&ctx, sup).await;
        *g.borrow_mut() = Some((started, before, after));
        Ok(())
    });
    let (started, before, after) = got.borrow().clone().expect("ran");
    assert_eq!(before, started);
    assert!(after.iter().all(|c| c.id == Term::UNDEFINED));
    let after: Vec<_> = after.into_iter().map(|c| c.pid).collect();
    assert_eq!(after[..2], started[1..]);
    assert_ne!(after[2], started[0]);
}

#[test]
fn dsup4_terminate_child_by_pid_removes_it() {
    // DSUP-4: terminate_child(pid) returns ok after the shutdown and removes the child,
    // even a permanent one; a second call gives {error,not_found}.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let sup = start(&ctx, DynSupFlags::new()).await?;
        let StartResult::Ok(w) =
            dynamic_supervisor::start_child(&ctx, sup, W::new("w", &l).trapping(0).spec()).await
        else {
            return Err(atom("no_start"));
        };
        let first = dynamic_supervisor::terminate_child(&ctx, sup, w).await;
        let second = dynamic_supervisor::terminate_child(&ctx, sup, w).await;
        *g.borrow_mut() = Some((sup, first, second, pids(&ctx, sup).await));
        Ok(())
    });
    let (sup, first, second, left) = got.borrow().clone().expect("ran");
    assert_eq!(first, Ok(()));
    assert_eq!(second, Err(atom("not_found")));
    assert!(left.is_empty());
    assert!(lines(&log).contains(&"terminate w shutdown @0".to_string()));
    assert_eq!(
        sup_events(&sim, Some(sup))[1..3],
        [
            "shutdown undefined shutdown 5000",
            "down undefined shutdown true"
        ]
    );
}

#[test]
fn dsup5_restarts_follow_the_decision_table_and_the_window() {
    // DSUP-5: a restarted child gets a new pid; a restart that returns ignore removes
    // the child; a transient clean exit deletes it; a failing restart is retried by
    // a $gen_restart message, each attempt counted; past the limit the supervisor
    // exits shutdown.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        ctx.trap_exit(true);
        let sup = start(&ctx, DynSupFlags::new()).await?;
        let spec = |n: &'static str, plans: &[Plan]| W::new(n, &l).plans(plans).spec();
        let StartResult::Ok(ig) =
            dynamic_supervisor::start_child(&ctx, sup, spec("ig", &[Plan::Ok, Plan::Ignore])).await
        else {
            return Err(atom("no_start"));
        };
        let StartResult::Ok(tr) =
            dynamic_supervisor::start_child(&ctx, sup, spec("tr", &[]).restart(Restart::Transient))
                .await
        else {
            return Err(atom("no_start"));
        };
        ctx.exit(ig, boom());
        stop_worker(&ctx, tr, Term::NORMAL);
        settle(&ctx).await;
        let mid = pids(&ctx, sup).await.len();
        let fail = Plan::Stop(atom("no_db"));
        let flaky = spec("f", &[Plan::Ok, fail.clone(), fail.clone(), fail]);
        let StartResult::Ok(f) = dynamic_supervisor::start_child(&ctx, sup, flaky).await else {
            return Err(atom("no_start"));
        };
        ctx.exit(f, boom());
        ctx.recv_match(|m| m.tag() == Some("EXIT"), None).await;
        *g.borrow_mut() = Some((sup, mid));
        Ok(())
    });
    let (sup, mid) = got.borrow().expect("ran");
    assert_eq!(mid, 0);
    let ev: Vec<_> = sup_events(&sim, Some(sup))
        .into_iter()
        .filter(|l| !l.contains("ignore_unknown"))
        .collect();
    assert_eq!(
        ev,
        [
            "start undefined ok start_child",
            "start undefined ok start_child",
            "exit undefined boom restart",
            "count undefined 0s 1/3",
            "start undefined ignore restart",
            "exit undefined normal delete",
            "start undefined ok start_child",
            "exit undefined boom restart",
            "count undefined 0s 2/3",
            "start undefined {error,no_db} restart",
            "try_again undefined",
            "count undefined 0s 3/3",
            "start undefined {error,no_db} try_again",
            "try_again undefined",
            "count undefined 0s 4/3",
            "exceeded undefined",
            "sup_exit shutdown",
        ]
    );
    assert_eq!(exit_reason(&sim, sup), Some(Term::SHUTDOWN));
}

#[test]
fn dsup6_shutdown_is_concurrent() {
    // DSUP-6: 3 children whose terminate takes 300 ms each stop in 300 ms, not 900;
    // the signals go out in ascending spawn order.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let sup = start(&ctx, DynSupFlags::new()).await?;
        for n in ["a", "b", "c"] {
            dynamic_supervisor::start_child(&ctx, sup, W::new(n, &l).trapping(ms(300)).spec())
                .await;
        }
        dynamic_supervisor::stop(&ctx, sup, Term::NORMAL).await?;
        *g.borrow_mut() = Some(ctx.now_us() / 1000);
        Ok(())
    });
    assert_eq!(*got.borrow(), Some(300));
    let terms: Vec<_> = lines(&log)
        .into_iter()
        .filter(|l| l.starts_with("terminate "))
        .collect();
    assert_eq!(
        terms,
        [
            "terminate a shutdown @0",
            "terminate b shutdown @0",
            "terminate c shutdown @0"
        ]
    );
}

#[test]
fn dsup6_one_timer_per_shutdown_value_kills_the_late_children() {
    // DSUP-6: one timer per distinct shutdown value; when it fires, the children of
    // that value still alive are killed; DOWNs are collected in any order.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let sup = start(&ctx, DynSupFlags::new()).await?;
        let specs = [
            W::new("t100", &l)
                .trapping(ms(1000))
                .spec()
                .shutdown(Shutdown::Timeout(100)),
            W::new("t200", &l)
                .trapping(ms(1000))
                .spec()
                .shutdown(Shutdown::Timeout(200)),
            W::new("fast", &l)
                .trapping(ms(50))
                .spec()
                .shutdown(Shutdown::Timeout(200)),
            W::new("brutal", &l)
                .trapping(0)
                .spec()
                .shutdown(Shutdown::BrutalKill),
        ];
        for s in specs {
            dynamic_supervisor::start_child(&ctx, sup, s).await;
        }
        dynamic_supervisor::stop(&ctx, sup, Term::NORMAL).await?;
        *g.borrow_mut() = Some((sup, ctx.now_us() / 1000));
        Ok(())
    });
    let (sup, stopped_ms) = got.borrow().expect("ran");
    assert_eq!(stopped_ms, 200);
    let ev: Vec<_> = sup_events(&sim, Some(sup))
        .into_iter()
        .filter(|l| !l.starts_with("start"))
        .collect();
    assert_eq!(
        ev,
        [
            "shutdown undefined shutdown 100",
            "shutdown undefined shutdown 200",
            "shutdown undefined shutdown 200",
            "shutdown undefined kill brutal_kill",
            "down undefined killed true",
            "down undefined shutdown true",
            "timeout undefined",
            "down undefined killed false",
            "timeout undefined",
            "down undefined killed false",
            "sup_exit normal",
        ]
    );
}
