//! The shutdown protocol (SUP-20 to SUP-22).

mod supervisor_common;

use otpsim::behaviour::gen_server::StartOpts;
use otpsim::behaviour::supervisor::{self, ChildSpec, Shutdown, Strategy, SupFlags};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use supervisor_common::*;

async fn start(ctx: &Ctx, strategy: Strategy, specs: Vec<ChildSpec>) -> Result<Pid, Term> {
    supervisor::start_link(ctx, SupFlags::new(strategy), specs, StartOpts::default())
        .await
        .into_result()
}

#[test]
fn sup20_children_are_shut_down_one_after_another_within_their_budgets() {
    // SUP-20: monitor, exit(shutdown) and wait up to T (then kill), or exit(kill) for
    // brutal_kill, or wait for ever for infinity; strictly one after another: the
    // reference's experiment took 500 + 0 + 300 + 0 ms.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![
            W::new("c1", &l)
                .trapping(ms(500))
                .spec()
                .shutdown(Shutdown::Infinity),
            W::new("c2", &l)
                .trapping(ms(500))
                .spec()
                .shutdown(Shutdown::BrutalKill),
            W::new("c3", &l)
                .trapping(ms(1000))
                .spec()
                .shutdown(Shutdown::Timeout(300)),
            W::new("c4", &l).trapping(0).spec(),
        ];
        let sup = start(&ctx, Strategy::OneForOne, specs).await?;
        supervisor::stop(&ctx, sup, Term::NORMAL).await?;
        *g.borrow_mut() = Some((sup, ctx.now_us() / 1000));
        Ok(())
    });
    let (sup, stopped_ms) = got.borrow().expect("ran");
    assert_eq!(stopped_ms, 800);
    assert_eq!(
        sup_events(&sim, Some(sup))[4..],
        [
            "shutdown c4 shutdown 5000",
            "down c4 shutdown true",
            "shutdown c3 shutdown 300",
            "timeout c3",
            "down c3 killed false",
            "shutdown c2 kill brutal_kill",
            "down c2 killed true",
            "shutdown c1 shutdown infinity",
            "down c1 shutdown true",
            "sup_exit normal",
        ]
    );
}

#[test]
fn sup21_how_children_see_a_shutdown() {
    // SUP-21: a trapping gen_server runs terminate(shutdown); a non-trapping child dies
    // with shutdown without terminate; a terminate longer than T is cut short by the
    // kill.
    let log = log();
    let l = log.clone();
    run(move |ctx| async move {
        let specs = vec![
            W::new("plain", &l).spec(),
            W::new("slow", &l)
                .trapping(ms(1000))
                .spec()
                .shutdown(Shutdown::Timeout(100)),
            W::new("trap", &l).trapping(ms(10)).spec(),
        ];
        let sup = start(&ctx, Strategy::OneForOne, specs).await?;
        supervisor::stop(&ctx, sup, Term::NORMAL).await
    });
    let got: Vec<_> = lines(&log)
        .into_iter()
        .filter(|l| !l.starts_with("init"))
        .collect();
    assert_eq!(
        got,
        [
            "terminate trap shutdown @0",
            "terminated trap @10",
            "terminate slow shutdown @10",
        ]
    );
}

#[test]
fn sup21_a_child_supervisor_shuts_its_subtree_down_first() {
    // SUP-21: a child supervisor shuts its own subtree down (depth-first, right to left)
    // and then exits shutdown.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let inner = vec![
            W::new("w1", &l).trapping(0).spec(),
            W::new("w2", &l).trapping(0).spec(),
        ];
        let specs = vec![
            W::new("a", &l).trapping(0).spec(),
            ChildSpec::supervisor("sub", SupFlags::new(Strategy::OneForOne), inner),
            W::new("z", &l).trapping(0).spec(),
        ];
        let sup = start(&ctx, Strategy::OneForOne, specs).await?;
        let sub = pid_of(&ctx, sup, "sub").await.expect("sub");
        supervisor::stop(&ctx, sup, Term::NORMAL).await?;
        *g.borrow_mut() = Some(sub);
        Ok(())
    });
    let sub = got.borrow().expect("ran");
    let order: Vec<_> = lines(&log)
        .into_iter()
        .filter(|l| l.starts_with("terminate"))
        .collect();
    assert_eq!(
        order,
        [
            "terminate z shutdown @0",
            "terminate w2 shutdown @0",
            "terminate w1 shutdown @0",
            "terminate a shutdown @0",
        ]
    );
    assert_eq!(exit_reason(&sim, sub), Some(Term::SHUTDOWN));
}

#[test]
fn sup22_a_child_already_dead_gives_its_true_reason_and_is_not_restarted() {
    // SUP-22: if C was already dead, the monitor reports noproc at once, the flushed
    // EXIT supplies the true reason, and C is not restarted.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let sup = start(&ctx, Strategy::OneForOne, vec![W::new("c", &l).spec()]).await?;
        let c = pid_of(&ctx, sup, "c").await.expect("c");
        // The EXIT reaches the supervisor after this call, which finds c dead.
        ctx.exit(c, boom());
        supervisor::terminate_child(&ctx, sup, atom("c")).await?;
        settle(&ctx).await;
        *g.borrow_mut() = Some((sup, which(&ctx, sup).await));
        Ok(())
    });
    let (sup, after) = got.borrow().clone().expect("ran");
    assert_eq!(after, ["c:undefined"]);
    let ev = sup_events(&sim, Some(sup));
    assert_eq!(ev[1..3], ["shutdown c shutdown 5000", "down c boom false"]);
    assert!(
        only(&ev, "exit").is_empty(),
        "the EXIT was consumed: {ev:?}"
    );
}

#[test]
fn sup22_two_children_crashing_together_give_one_one_for_all_episode() {
    // SUP-22: in one_for_all, two children crashing together give a single restart
    // episode: the second one's EXIT is consumed during the shutdown phase.
    let log = log();
    let l = log.clone();
    let (sim, _) = run(move |ctx| async move {
        let specs = ["c1", "c2", "c3"].map(|n| W::new(n, &l).spec()).to_vec();
        let sup = start(&ctx, Strategy::OneForAll, specs).await?;
        let (c1, c3) = (pid_of(&ctx, sup, "c1").await, pid_of(&ctx, sup, "c3").await);
        ctx.exit(c1.expect("c1"), boom());
        ctx.exit(c3.expect("c3"), atom("bang"));
        settle(&ctx).await;
        Ok(())
    });
    let ev = sup_events(&sim, None);
    assert_eq!(only(&ev, "count").len(), 1);
    assert!(ev.contains(&"down c3 bang false".to_string()), "{ev:?}");
    assert_eq!(only(&ev, "exit"), ["exit c1 boom restart"]);
}
