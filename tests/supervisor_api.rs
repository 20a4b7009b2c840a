//! The supervisor API, stopping and killing, and the reports' trace counterparts
//! (SUP-19, SUP-23 to SUP-26).

mod supervisor_common;

use otpsim::behaviour::gen_server::{StartOpts, StartResult};
use otpsim::behaviour::supervisor::{
    self, ChildCounts, ChildSpec, ChildType, Restart, StartFn, Strategy, SupFlags,
};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use std::rc::Rc;
use supervisor_common::*;

async fn start(ctx: &Ctx, flags: SupFlags, specs: Vec<ChildSpec>) -> Result<Pid, Term> {
    supervisor::start_link(ctx, flags, specs, StartOpts::default())
        .await
        .into_result()
}

fn one_for_one() -> SupFlags {
    SupFlags::new(Strategy::OneForOne)
}

fn show<T: std::fmt::Display>(r: Result<T, Term>) -> String {
    match r {
        Ok(v) => format!("ok {v}"),
        Err(e) => format!("error {e}"),
    }
}

fn show_pid(r: Result<Option<Pid>, Term>) -> String {
    show(r.map(|p| p.map_or("undefined".to_string(), |_| "pid".to_string())))
}

#[test]
fn sup23_start_child_results() {
    // SUP-23: {ok,Pid} added last; {ok,undefined} on ignore (spec kept unless
    // temporary); {already_started,Pid}; already_present; {Reason,ChildInfo} with the
    // spec discarded; an {already_started,P} from the start function passes unwrapped.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let sup = start(&ctx, one_for_one(), vec![]).await?;
        let mut out = Vec::new();
        out.push(show_pid(
            supervisor::start_child(&ctx, sup, W::new("a", &l).spec()).await,
        ));
        out.push(
            show_pid(supervisor::start_child(&ctx, sup, W::new("a", &l).spec()).await)
                .replace(&pid_of(&ctx, sup, "a").await.expect("a").to_string(), "P"),
        );
        let ign = W::new("i", &l).plans(&[Plan::Ignore]).spec();
        out.push(show_pid(
            supervisor::start_child(&ctx, sup, ign.clone()).await,
        ));
        out.push(show_pid(supervisor::start_child(&ctx, sup, ign).await));
        let tmp = W::new("t", &l)
            .plans(&[Plan::Ignore])
            .spec()
            .restart(Restart::Temporary);
        out.push(show_pid(supervisor::start_child(&ctx, sup, tmp).await));
        let bad = W::new("b", &l).plans(&[Plan::Stop(atom("no_db"))]).spec();
        out.push(show_pid(supervisor::start_child(&ctx, sup, bad).await));
        let taken: StartFn = Rc::new(|ctx: Ctx| {
            Box::pin(async move {
                StartResult::Error(Term::tagged("already_started", Term::Pid(ctx.me())))
            })
        });
        let r = supervisor::start_child(&ctx, sup, ChildSpec::new(atom("x"), taken)).await;
        out.push(show_pid(r).replace(&sup.to_string(), "S"));
        out.push(format!("{:?}", which(&ctx, sup).await));
        *g.borrow_mut() = Some(out);
        Ok(())
    });
    assert_eq!(
        got.borrow().clone().expect("ran"),
        [
            "ok pid",
            "error {already_started,P}",
            "ok undefined",
            "error already_present",
            "ok undefined",
            "error {no_db,{child,undefined,b,#Fun<supervisor.start>,permanent,false,5000,worker}}",
            "error {already_started,S}",
            "[\"i:undefined\", \"a:pid\"]",
        ]
    );
}

#[test]
fn sup23_start_child_validates_the_spec() {
    // SUP-23 with SUP-3: an invalid spec is refused with the check's error.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let sup = start(&ctx, one_for_one(), vec![]).await?;
        let sig = W::new("s", &l)
            .spec()
            .restart(Restart::Transient)
            .significant(true);
        *g.borrow_mut() = Some(show_pid(supervisor::start_child(&ctx, sup, sig).await));
        Ok(())
    });
    assert_eq!(
        got.borrow().clone().expect("ran"),
        "error {bad_combination,[{auto_shutdown,never},{significant,true}]}"
    );
}

#[test]
fn sup23_terminate_restart_and_delete_child() {
    // SUP-23: terminate_child is ok (also when not running), not_found for an unknown
    // id, deletes a temporary spec; restart_child only for a stopped child (running,
    // not_found), a failed start there leaves pid undefined and counts nothing;
    // delete_child only for a stopped child.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![
            W::new("a", &l)
                .plans(&[Plan::Ok, Plan::Stop(atom("no_db"))])
                .spec(),
            W::new("t", &l).spec().restart(Restart::Temporary),
        ];
        let sup = start(&ctx, one_for_one(), specs).await?;
        let a = || atom("a");
        let out = vec![
            show_pid(supervisor::restart_child(&ctx, sup, a()).await),
            show(supervisor::delete_child(&ctx, sup, a()).await.map(|_| "")),
            show(
                supervisor::terminate_child(&ctx, sup, a())
                    .await
                    .map(|_| ""),
            ),
            show(
                supervisor::terminate_child(&ctx, sup, a())
                    .await
                    .map(|_| ""),
            ),
            show_pid(supervisor::restart_child(&ctx, sup, a()).await),
            format!("{:?}", which(&ctx, sup).await),
            show(
                supervisor::terminate_child(&ctx, sup, atom("t"))
                    .await
                    .map(|_| ""),
            ),
            show(
                supervisor::terminate_child(&ctx, sup, atom("zz"))
                    .await
                    .map(|_| ""),
            ),
            show_pid(supervisor::restart_child(&ctx, sup, atom("zz")).await),
            show(supervisor::delete_child(&ctx, sup, a()).await.map(|_| "")),
            show(supervisor::delete_child(&ctx, sup, a()).await.map(|_| "")),
            format!("{:?}", which(&ctx, sup).await),
        ];
        *g.borrow_mut() = Some((sup, out));
        Ok(())
    });
    let (sup, out) = got.borrow().clone().expect("ran");
    assert_eq!(
        out,
        [
            "error running",
            "error running",
            "ok ",
            "ok ",
            "error no_db",
            "[\"t:pid\", \"a:undefined\"]",
            "ok ",
            "error not_found",
            "error not_found",
            "ok ",
            "error not_found",
            "[]",
        ]
    );
    assert!(only(&sup_events(&sim, Some(sup)), "count").is_empty());
}

#[test]
fn sup24_which_children_and_count_children() {
    // SUP-24: which_children in reverse start order; count_children: specs, active
    // (live pids), supervisors and workers by type, alive or not.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let specs = vec![
            W::new("c1", &l).spec(),
            W::new("c2", &l).plans(&[Plan::Ignore]).spec(),
            ChildSpec::supervisor("c3", one_for_one(), vec![]),
            W::new("c4", &l).spec(),
        ];
        let sup = start(&ctx, one_for_one(), specs).await?;
        let rows = supervisor::which_children(&ctx, sup).await;
        let types: Vec<_> = rows
            .iter()
            .map(|c| (c.id.to_string(), c.child_type))
            .collect();
        let counts = supervisor::count_children(&ctx, sup).await;
        *g.borrow_mut() = Some((which(&ctx, sup).await, types, counts));
        Ok(())
    });
    let (rows, types, counts) = got.borrow().clone().expect("ran");
    assert_eq!(rows, ["c4:pid", "c3:pid", "c2:undefined", "c1:pid"]);
    assert_eq!(types[1], ("c3".to_string(), ChildType::Supervisor));
    assert_eq!(
        counts,
        ChildCounts {
            specs: 4,
            active: 3,
            supervisors: 1,
            workers: 3
        }
    );
}

#[test]
fn sup25_stop_shuts_all_children_down_then_exits_with_the_reason() {
    // SUP-25: stop, or an EXIT from the parent with R: all children get shutdown in
    // reverse start order, then the supervisor exits with R.
    for by_parent in [false, true] {
        let log = log();
        let got = slot();
        let (g, l) = (got.clone(), log.clone());
        let mut sim = sim();
        sim.spawn(move |ctx| async move {
            ctx.trap_exit(true);
            let gg = g.clone();
            let ll = l.clone();
            let parent = ctx.spawn(move |p| async move {
                let specs = ["c1", "c2"]
                    .map(|n| W::new(n, &ll).trapping(0).spec())
                    .to_vec();
                let sup = start(&p, one_for_one(), specs).await?;
                *gg.borrow_mut() = Some(sup);
                if by_parent {
                    return Err(atom("going"));
                }
                supervisor::stop(&p, sup, atom("bye")).await?;
                p.recv().await;
                Ok(())
            });
            let _ = parent;
            Ok(())
        });
        sim.run();
        let sup = got.borrow().expect("started");
        let want = if by_parent {
            atom("going")
        } else {
            atom("bye")
        };
        assert_eq!(exit_reason(&sim, sup), Some(want.clone()));
        let terms: Vec<_> = lines(&log)
            .into_iter()
            .filter(|l| l.starts_with("terminate"))
            .collect();
        assert_eq!(
            terms,
            ["terminate c2 shutdown @0", "terminate c1 shutdown @0"]
        );
        let ev = sup_events(&sim, Some(sup));
        assert_eq!(ev.last().cloned(), Some(format!("sup_exit {want}")));
    }
}

#[test]
fn sup26_a_killed_supervisor_has_no_orderly_shutdown() {
    // SUP-26: each child gets the link signal killed: trapping gen_servers run
    // terminate(killed), non-trapping children die with killed.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        ctx.trap_exit(true);
        let specs = vec![
            W::new("plain", &l).spec(),
            W::new("trap", &l).trapping(0).spec(),
        ];
        let sup = start(&ctx, one_for_one(), specs).await?;
        let plain = pid_of(&ctx, sup, "plain").await.expect("plain");
        ctx.exit(sup, Term::KILL);
        ctx.sleep(ms(1)).await;
        *g.borrow_mut() = Some((sup, plain));
        Ok(())
    });
    let (sup, plain) = got.borrow().expect("ran");
    assert_eq!(exit_reason(&sim, plain), Some(Term::KILLED));
    let terms: Vec<_> = lines(&log)
        .into_iter()
        .filter(|l| l.starts_with("terminate"))
        .collect();
    assert_eq!(terms, ["terminate trap killed @0"]);
    assert!(only(&sup_events(&sim, Some(sup)), "sup_exit").is_empty());
}

#[test]
fn sup19_reports_have_trace_counterparts() {
    // SUP-19: progress on every successful start (child_start ok), child_terminated
    // (child_exit_seen), start_error (child_start {error,R}), shutdown_error
    // (child_down accepted=false) and reached_max_restart_intensity
    // (intensity_exceeded).
    let log = log();
    let l = log.clone();
    let (sim, _) = run(move |ctx| async move {
        ctx.trap_exit(true);
        let specs = vec![
            W::new("ok", &l).spec(),
            W::new("slow", &l)
                .trapping(ms(100))
                .spec()
                .shutdown(supervisor::Shutdown::Timeout(10)),
            W::new("bad", &l)
                .plans(&[Plan::Ok, Plan::Stop(atom("no_db"))])
                .spec(),
        ];
        let sup = start(&ctx, one_for_one().intensity(1, 5), specs).await?;
        ctx.exit(pid_of(&ctx, sup, "bad").await.expect("bad"), boom());
        ctx.recv_match(|m| m.tag() == Some("EXIT"), None).await;
        Ok(())
    });
    let ev = sup_events(&sim, None);
    let kinds: Vec<_> = ev
        .iter()
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        ev[..5],
        [
            "start ok ok init",
            "start slow ok init",
            "start bad ok init",
            "exit bad boom restart",
            "count bad 0s 1/1",
        ]
    );
    assert!(ev.contains(&"start bad {error,no_db} restart".to_string()));
    assert!(ev.contains(&"exceeded bad".to_string()));
    assert!(ev.contains(&"down slow killed false".to_string()));
    assert_eq!(kinds.last(), Some(&"sup_exit"));
}
