//! Replays the real-Elixir DynamicSupervisor probe
//! (`tests/otp_fixtures/supervisor_probes/dsup_probe.exs`) in otpsim and compares every
//! recorded fact.

mod supervisor_common;

use otpsim::behaviour::dynamic_supervisor::{self, DynSupFlags};
use otpsim::behaviour::gen_server::{self, StartOpts, StartResult};
use otpsim::behaviour::supervisor::{self, ChildPid, Restart, Shutdown};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use std::rc::Rc;
use supervisor_common::fixture::Fixture;
use supervisor_common::probe::{crash, record, run, Facts, Probe, P};
use supervisor_common::slot;

async fn start_dsup(ctx: &Ctx, flags: DynSupFlags) -> Result<Pid, Term> {
    dynamic_supervisor::start_link(ctx, flags, StartOpts::default())
        .await
        .into_result()
}

fn counts_term(c: supervisor::ChildCounts) -> Term {
    let pair = |k: &'static str, v: u32| Term::tuple([atom(k), Term::Int(i64::from(v))]);
    Term::list([
        pair("active", c.active),
        pair("specs", c.specs),
        pair("supervisors", c.supervisors),
        pair("workers", c.workers),
    ])
}

fn dshort(rows: Vec<supervisor::ChildInfo>) -> Term {
    Term::list(rows.into_iter().map(|c| {
        let p = match c.pid {
            ChildPid::Pid(_) => atom("pid"),
            ChildPid::Restarting => atom("restarting"),
            ChildPid::Undefined => Term::UNDEFINED,
        };
        Term::tuple([c.id, p])
    }))
}

fn started(r: StartResult) -> Pid {
    match r {
        StartResult::Ok(p) => p,
        other => panic!("start failed: {other:?}"),
    }
}

/// Runs the dsup_probe scenarios; returns otpsim's facts.
fn dsup_facts() -> Vec<(String, String)> {
    let facts: Facts = Rc::default();
    let (f, p) = (
        facts.clone(),
        Probe::new(&[("i", &[P::Ignore]), ("s", &[P::Stop("no_db")])]),
    );
    run(move |ctx| async move {
        let flags = DynSupFlags {
            extra_arguments: vec![atom("pool"), Term::Int(1)],
            ..DynSupFlags::new()
        };
        let sup = start_dsup(&ctx, flags).await?;
        started(dynamic_supervisor::start_child(&ctx, sup, p.dspec("e")).await);
        record(&f, "extra_args.init", p.take());
        let ign = dynamic_supervisor::start_child(&ctx, sup, p.dspec("i")).await;
        record(&f, "start_child.ignore", ign.to_term());
        let err = dynamic_supervisor::start_child(&ctx, sup, p.dspec("s")).await;
        record(&f, "start_child.error", err.to_term());
        let counts = dynamic_supervisor::count_children(&ctx, sup).await;
        record(&f, "start_child.count", counts_term(counts));
        Ok(())
    });
    let (f, p) = (
        facts.clone(),
        Probe::new(&[("g", &[P::SlowTerminate(0), P::Ignore])]),
    );
    run(move |ctx| async move {
        let sup = start_dsup(&ctx, DynSupFlags::new()).await?;
        let t = started(
            dynamic_supervisor::start_child(&ctx, sup, p.dspec("t").restart(Restart::Transient))
                .await,
        );
        let g = started(dynamic_supervisor::start_child(&ctx, sup, p.dspec("g")).await);
        gen_server::cast(&ctx, t, Term::tagged("stop", Term::NORMAL));
        crash(&ctx, g);
        ctx.sleep(ms(20)).await;
        let rows = dynamic_supervisor::which_children(&ctx, sup).await;
        record(
            &f,
            "transient_normal_and_restart_ignore.which",
            dshort(rows),
        );
        Ok(())
    });
    let (f, p) = (facts.clone(), Probe::new(&[]));
    run(move |ctx| async move {
        let sup = start_dsup(&ctx, DynSupFlags::new()).await?;
        let w = started(dynamic_supervisor::start_child(&ctx, sup, p.dspec("w")).await);
        let res = |r: Result<(), Term>| r.map_or_else(|e| Term::tagged("error", e), |_| Term::OK);
        let r1 = res(dynamic_supervisor::terminate_child(&ctx, sup, w).await);
        let r2 = res(dynamic_supervisor::terminate_child(&ctx, sup, w).await);
        record(&f, "terminate_twice", Term::list([r1, r2]));
        record(&f, "terminate_twice.events", p.take());
        Ok(())
    });
    let (f, p) = (
        facts.clone(),
        Probe::new(&[("f", &[P::SlowTerminate(0), P::SlowFail(100)])]),
    );
    run(move |ctx| async move {
        let flags = DynSupFlags {
            max_children: Some(2),
            ..DynSupFlags::new()
        };
        let sup = start_dsup(&ctx, flags).await?;
        let fp = started(dynamic_supervisor::start_child(&ctx, sup, p.dspec("f")).await);
        started(dynamic_supervisor::start_child(&ctx, sup, p.dspec("w")).await);
        crash(&ctx, fp);
        ctx.sleep(ms(50)).await;
        let third = slot();
        let (t, pp) = (third.clone(), p.clone());
        ctx.spawn(move |c| async move {
            *t.borrow_mut() = Some(dynamic_supervisor::start_child(&c, sup, pp.dspec("x")).await);
            Ok(())
        });
        ctx.sleep(ms(10)).await;
        let counts = dynamic_supervisor::count_children(&ctx, sup).await;
        record(&f, "max_children_restarting.count", counts_term(counts));
        let third = third
            .borrow()
            .clone()
            .map_or(Term::TIMEOUT, |r| r.to_term());
        record(&f, "max_children_restarting.third", third);
        Ok(())
    });
    let f = facts.clone();
    let p = Probe::new(&[(
        "r",
        &[
            P::SlowTerminate(0),
            P::Stop("no_db"),
            P::Stop("no_db"),
            P::Stop("no_db"),
            P::Stop("no_db"),
        ],
    )]);
    run(move |ctx| async move {
        ctx.trap_exit(true);
        let sup = start_dsup(&ctx, DynSupFlags::new()).await?;
        let r = started(dynamic_supervisor::start_child(&ctx, sup, p.dspec("r")).await);
        crash(&ctx, r);
        let exit = ctx.recv_match(|m| m.tag() == Some("EXIT"), None).await;
        record(&f, "retry.events", p.take());
        let reason = exit.and_then(|m| m.as_tuple().map(|t| t[2].clone()));
        record(&f, "retry.sup_exit", reason.unwrap_or(Term::UNDEFINED));
        Ok(())
    });
    let f = facts.clone();
    let p = Probe::new(&[
        ("a", &[P::SlowTerminate(300)]),
        ("b", &[P::SlowTerminate(300)]),
        ("c", &[P::SlowTerminate(300)]),
    ]);
    run(move |ctx| async move {
        let sup = start_dsup(&ctx, DynSupFlags::new()).await?;
        for n in ["a", "b", "c"] {
            started(dynamic_supervisor::start_child(&ctx, sup, p.dspec(n)).await);
        }
        p.take();
        let t0 = ctx.now_us();
        dynamic_supervisor::stop(&ctx, sup, Term::NORMAL).await?;
        record(
            &f,
            "concurrent.ms_rounded_to_100",
            ((ctx.now_us() - t0) / 1000 + 50) / 100 * 100,
        );
        record(&f, "concurrent.events", p.take());
        Ok(())
    });
    let f = facts.clone();
    let p = Probe::new(&[
        ("t100", &[P::SlowTerminate(1000)]),
        ("t200", &[P::SlowTerminate(1000)]),
        ("fast", &[P::SlowTerminate(50)]),
    ]);
    run(move |ctx| async move {
        let sup = start_dsup(&ctx, DynSupFlags::new()).await?;
        let specs = [
            p.dspec("t100").shutdown(Shutdown::Timeout(100)),
            p.dspec("t200").shutdown(Shutdown::Timeout(200)),
            p.dspec("fast").shutdown(Shutdown::Timeout(200)),
            p.dspec("brutal").shutdown(Shutdown::BrutalKill),
        ];
        for s in specs {
            started(dynamic_supervisor::start_child(&ctx, sup, s).await);
        }
        p.take();
        let t0 = ctx.now_us();
        dynamic_supervisor::stop(&ctx, sup, Term::NORMAL).await?;
        record(
            &f,
            "timers.ms_rounded_to_100",
            ((ctx.now_us() - t0) / 1000 + 50) / 100 * 100,
        );
        record(&f, "timers.events", p.take());
        Ok(())
    });
    let out = facts.borrow().clone();
    out
}

#[test]
fn dsup_probe_facts_match_real_elixir() {
    // DSUP-2 to DSUP-6 as recorded on Elixir 1.14 / OTP 25.
    let mut fx = Fixture::load("supervisor_probes/dsup_probe");
    for (k, v) in dsup_facts() {
        fx.check(&k, v);
    }
    fx.finish();
}
