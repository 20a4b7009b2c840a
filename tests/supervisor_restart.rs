//! Supervisor reactions to a child's exit: the decision table and the three
//! strategies (SUP-9 to SUP-13, SUP-15).

mod supervisor_common;

use otpsim::behaviour::gen_server::StartOpts;
use otpsim::behaviour::supervisor::{self, ChildSpec, Restart, Strategy, SupFlags};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use supervisor_common::*;

async fn start(ctx: &Ctx, strategy: Strategy, specs: Vec<ChildSpec>) -> Result<Pid, Term> {
    supervisor::start_link(ctx, SupFlags::new(strategy), specs, StartOpts::default())
        .await
        .into_result()
}

#[test]
fn sup9_an_exit_from_an_unknown_pid_is_ignored() {
    // SUP-9: an EXIT from a pid the supervisor does not know (a child that died during
    // its own failed start) is ignored.
    let log = log();
    let l = log.clone();
    let (sim, _) = run(move |ctx| async move {
        let sup = start(&ctx, Strategy::OneForOne, vec![]).await?;
        let bad = W::new("bad", &l).plans(&[Plan::Stop(atom("nope"))]).spec();
        let r = supervisor::start_child(&ctx, sup, bad).await;
        l.borrow_mut().push(format!(
            "{}",
            r.expect_err("fails")
                .as_tuple()
                .map_or(Term::UNDEFINED, |t| t[0].clone())
        ));
        settle(&ctx).await;
        let rows = which(&ctx, sup).await;
        l.borrow_mut().push(format!("{rows:?}"));
        Ok(())
    });
    assert_eq!(lines(&log)[1..], ["nope".to_string(), "[]".to_string()]);
    let exits = only(&sup_events(&sim, None), "exit");
    assert_eq!(exits, ["exit undefined nope ignore_unknown"]);
}

/// Starts one child of `restart` type, makes it exit with `reason`, and returns the
/// supervisor's decision and which_children afterwards.
fn decide(restart: Restart, reason: Term) -> (Vec<String>, Vec<String>) {
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let spec = W::new("c", &l).spec().restart(restart);
        let sup = start(&ctx, Strategy::OneForOne, vec![spec]).await?;
        let c = pid_of(&ctx, sup, "c").await.expect("c");
        stop_worker(&ctx, c, reason);
        ctx.sleep(ms(1)).await;
        let after = which(&ctx, sup).await;
        let same = pid_of(&ctx, sup, "c").await == Some(c);
        *g.borrow_mut() = Some((after, same));
        Ok(())
    });
    let (after, same) = got.borrow().clone().expect("ran");
    assert!(!same, "a dead pid is never kept");
    (only(&sup_events(&sim, None), "exit"), after)
}

#[test]
fn sup10_decision_table() {
    // SUP-10: permanent always restarts; transient restarts only on an abnormal reason
    // and otherwise keeps its spec with pid undefined; temporary is always deleted.
    let sx = shutdown_tuple(atom("x"));
    let cases = [
        (Restart::Permanent, Term::NORMAL, "restart", vec!["c:pid"]),
        (Restart::Permanent, Term::SHUTDOWN, "restart", vec!["c:pid"]),
        (Restart::Permanent, sx.clone(), "restart", vec!["c:pid"]),
        (Restart::Permanent, boom(), "restart", vec!["c:pid"]),
        (
            Restart::Transient,
            Term::NORMAL,
            "keep",
            vec!["c:undefined"],
        ),
        (
            Restart::Transient,
            Term::SHUTDOWN,
            "keep",
            vec!["c:undefined"],
        ),
        (Restart::Transient, sx.clone(), "keep", vec!["c:undefined"]),
        (Restart::Transient, boom(), "restart", vec!["c:pid"]),
        (Restart::Temporary, Term::NORMAL, "delete", vec![]),
        (Restart::Temporary, Term::SHUTDOWN, "delete", vec![]),
        (Restart::Temporary, sx, "delete", vec![]),
        (Restart::Temporary, boom(), "delete", vec![]),
    ];
    for (restart, reason, decision, after) in cases {
        let (exits, which) = decide(restart, reason.clone());
        assert_eq!(
            exits,
            [format!("exit c {reason} {decision}")],
            "{restart:?} {reason}"
        );
        assert_eq!(which, after, "{restart:?} {reason}");
    }
}

#[test]
fn sup11_one_for_one_restarts_only_the_dead_child() {
    // SUP-11: only the dead child starts again, with a new pid, the same id and place.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = ["c1", "c2", "c3"].map(|n| W::new(n, &l).spec()).to_vec();
        let sup = start(&ctx, Strategy::OneForOne, specs).await?;
        let before = supervisor::which_children(&ctx, sup).await;
        ctx.exit(pid_of(&ctx, sup, "c2").await.expect("c2"), Term::KILL);
        settle(&ctx).await;
        let after = supervisor::which_children(&ctx, sup).await;
        *g.borrow_mut() = Some((before, after));
        Ok(())
    });
    let (before, after) = got.borrow().clone().expect("ran");
    let ids = |v: &[supervisor::ChildInfo]| v.iter().map(|c| c.id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&after), ["c3", "c2", "c1"]);
    assert_eq!(before[0].pid, after[0].pid);
    assert_ne!(before[1].pid, after[1].pid);
    assert_eq!(before[2].pid, after[2].pid);
    let ev = sup_events(&sim, None);
    assert_eq!(
        ev[3..6],
        [
            "exit c2 killed restart",
            "count c2 0s 1/3",
            "start c2 ok restart"
        ]
    );
}

#[test]
fn sup12_one_for_all_shuts_down_in_reverse_and_starts_in_order() {
    // SUP-12: every other child is shut down in reverse start order (c4, c3, c1), then
    // every child starts in start order; the episode counts as one restart.
    let log = log();
    let l = log.clone();
    let (sim, _) = run(move |ctx| async move {
        let specs = ["c1", "c2", "c3", "c4"]
            .map(|n| W::new(n, &l).spec())
            .to_vec();
        let sup = start(&ctx, Strategy::OneForAll, specs).await?;
        ctx.exit(pid_of(&ctx, sup, "c2").await.expect("c2"), boom());
        settle(&ctx).await;
        Ok(())
    });
    let ev = sup_events(&sim, None);
    let episode: Vec<_> = ev[4..]
        .iter()
        .filter(|l| !l.starts_with("down"))
        .take(9)
        .cloned()
        .collect();
    assert_eq!(
        episode,
        [
            "exit c2 boom restart",
            "count c2 0s 1/3",
            "shutdown c4 shutdown 5000",
            "shutdown c3 shutdown 5000",
            "shutdown c1 shutdown 5000",
            "start c1 ok restart",
            "start c2 ok restart",
            "start c3 ok restart",
            "start c4 ok restart",
        ]
    );
    assert_eq!(only(&ev, "count").len(), 1);
}

#[test]
fn sup12_one_for_all_removes_temporary_and_starts_stopped_children() {
    // SUP-12: temporary siblings are shut down and removed; children not running
    // before (a transient that exited normal, one stopped by terminate_child) start.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![
            W::new("c1", &l).spec().restart(Restart::Transient),
            W::new("c2", &l).spec(),
            W::new("c3", &l).spec().restart(Restart::Temporary),
            W::new("c4", &l).spec(),
        ];
        let sup = start(&ctx, Strategy::OneForAll, specs).await?;
        stop_worker(
            &ctx,
            pid_of(&ctx, sup, "c1").await.expect("c1"),
            Term::NORMAL,
        );
        supervisor::terminate_child(&ctx, sup, atom("c4")).await?;
        settle(&ctx).await;
        let mid = which(&ctx, sup).await;
        ctx.exit(pid_of(&ctx, sup, "c2").await.expect("c2"), boom());
        settle(&ctx).await;
        *g.borrow_mut() = Some((mid, which(&ctx, sup).await));
        Ok(())
    });
    let (mid, after) = got.borrow().clone().expect("ran");
    assert_eq!(mid, ["c4:undefined", "c3:pid", "c2:pid", "c1:undefined"]);
    assert_eq!(after, ["c4:pid", "c2:pid", "c1:pid"]);
    let ev = sup_events(&sim, None);
    let starts = only(&ev, "start");
    assert_eq!(
        starts[4..],
        [
            "start c1 ok restart",
            "start c2 ok restart",
            "start c4 ok restart"
        ]
    );
    assert!(ev.contains(&"down c3 shutdown true".to_string()));
}

#[test]
fn sup13_rest_for_one_restarts_the_dead_child_and_those_after_it() {
    // SUP-13: c4, c3 are shut down in reverse, then c2, c3, c4 start in order, c1 is
    // untouched; temporary children in the group are removed, stopped ones start;
    // one restart is counted.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![
            W::new("c1", &l).spec(),
            W::new("c2", &l).spec(),
            W::new("c3", &l).spec(),
            W::new("c4", &l).spec(),
            W::new("c5", &l).spec().restart(Restart::Temporary),
        ];
        let sup = start(&ctx, Strategy::RestForOne, specs).await?;
        supervisor::terminate_child(&ctx, sup, atom("c3")).await?;
        let c1 = pid_of(&ctx, sup, "c1").await;
        ctx.exit(pid_of(&ctx, sup, "c2").await.expect("c2"), boom());
        settle(&ctx).await;
        let c1_after = pid_of(&ctx, sup, "c1").await;
        *g.borrow_mut() = Some((c1 == c1_after, which(&ctx, sup).await));
        Ok(())
    });
    let (c1_same, after) = got.borrow().clone().expect("ran");
    assert!(c1_same, "children before X are not touched");
    assert_eq!(after, ["c4:pid", "c3:pid", "c2:pid", "c1:pid"]);
    let ev: Vec<_> = sup_events(&sim, None)[5..]
        .iter()
        .filter(|l| !l.starts_with("down"))
        .take(8)
        .cloned()
        .collect();
    assert_eq!(
        ev,
        [
            "shutdown c3 shutdown 5000",
            "exit c2 boom restart",
            "count c2 0s 1/3",
            "shutdown c5 shutdown 5000",
            "shutdown c4 shutdown 5000",
            "start c2 ok restart",
            "start c3 ok restart",
            "start c4 ok restart",
        ]
    );
}

#[test]
fn sup15_only_real_restarts_count() {
    // SUP-15: restart_child, terminate_child, a transient clean exit and a temporary
    // exit count nothing; with max_restarts 0 the supervisor survives all of them.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![
            W::new("p", &l).spec(),
            W::new("tr", &l).spec().restart(Restart::Transient),
            W::new("tmp", &l).spec().restart(Restart::Temporary),
        ];
        let flags = SupFlags::new(Strategy::OneForOne).intensity(0, 5);
        let sup = supervisor::start_link(&ctx, flags, specs, StartOpts::default())
            .await
            .into_result()?;
        for _ in 0..3 {
            supervisor::terminate_child(&ctx, sup, atom("p")).await?;
            supervisor::restart_child(&ctx, sup, atom("p")).await?;
        }
        stop_worker(
            &ctx,
            pid_of(&ctx, sup, "tr").await.expect("tr"),
            Term::SHUTDOWN,
        );
        ctx.exit(pid_of(&ctx, sup, "tmp").await.expect("tmp"), boom());
        settle(&ctx).await;
        *g.borrow_mut() = Some((ctx.is_alive(sup), which(&ctx, sup).await));
        Ok(())
    });
    let (alive, after) = got.borrow().clone().expect("ran");
    assert!(alive);
    assert_eq!(after, ["tr:undefined", "p:pid"]);
    assert!(only(&sup_events(&sim, None), "count").is_empty());
}
