//! Restart intensity, exceeding it, and failed restarts (SUP-14, SUP-16, SUP-17).

mod supervisor_common;

use otpsim::behaviour::gen_server::StartOpts;
use otpsim::behaviour::supervisor::{self, ChildSpec, Restart, Strategy, SupFlags};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use supervisor_common::*;

async fn start(ctx: &Ctx, flags: SupFlags, specs: Vec<ChildSpec>) -> Result<Pid, Term> {
    supervisor::start_link(ctx, flags, specs, StartOpts::default())
        .await
        .into_result()
}

/// Crashes child `c` at each of `at_ms` (absolute virtual times); returns whether the
/// supervisor is still alive at the end and the supervisor's events.
fn crash_at(max_restarts: u32, period_s: u32, at_ms: &'static [u64]) -> (bool, Vec<String>) {
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        ctx.trap_exit(true);
        let flags = SupFlags::new(Strategy::OneForOne).intensity(max_restarts, period_s);
        let sup = start(&ctx, flags, vec![W::new("c", &l).spec()]).await?;
        for &t in at_ms {
            ctx.sleep(ms(t) - ctx.now_us()).await;
            if let Some(c) = pid_of(&ctx, sup, "c").await {
                ctx.exit(c, boom());
            }
        }
        ctx.sleep(ms(1)).await;
        *g.borrow_mut() = Some(ctx.is_alive(sup));
        Ok(())
    });
    let alive = got.borrow().expect("ran");
    (alive, sup_events(&sim, None))
}

#[test]
fn sup14_adjacent_second_ticks_share_a_window() {
    // SUP-14: MaxR 1, Period 1: crashes 1001 ms apart over adjacent second ticks end
    // the supervisor; 1999 ms apart over two ticks do not.
    let (alive, ev) = crash_at(1, 1, &[500, 1501]);
    assert!(!alive);
    assert_eq!(only(&ev, "count"), ["count c 0s 1/1", "count c 1s 2/1"]);
    let (alive, ev) = crash_at(1, 1, &[500, 2499]);
    assert!(alive);
    assert_eq!(only(&ev, "count"), ["count c 0s 1/1", "count c 2s 1/1"]);
}

#[test]
fn sup14_limit_hits_on_the_max_plus_first_restart() {
    // SUP-14: the limit hits on the (MaxR+1)-th restart inside the window; MaxR 0 means
    // the first crash ends the supervisor; the window is inclusive.
    let (alive, _) = crash_at(3, 5, &[100, 200, 300]);
    assert!(alive);
    let (alive, ev) = crash_at(3, 5, &[100, 200, 300, 5900]);
    assert!(!alive, "stamp 5 - 5 = 0 keeps the stamps at 0: {ev:?}");
    let (alive, _) = crash_at(3, 5, &[100, 200, 300, 6100]);
    assert!(alive, "at 6 s the stamps at 0 s have left the window");
    let (alive, ev) = crash_at(0, 5, &[100]);
    assert!(!alive);
    assert_eq!(only(&ev, "count"), ["count c 0s 1/0"]);
}

#[test]
fn sup16_exceeded_removes_the_offender_and_shuts_the_rest_down() {
    // SUP-16: restart nothing, remove the offender, shut the others down in reverse
    // start order, exit shutdown.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        ctx.trap_exit(true);
        let specs = ["c1", "c2", "c3"].map(|n| W::new(n, &l).spec()).to_vec();
        let flags = SupFlags::new(Strategy::OneForOne).intensity(0, 5);
        let sup = start(&ctx, flags, specs).await?;
        ctx.exit(pid_of(&ctx, sup, "c2").await.expect("c2"), boom());
        let exit = ctx.recv_match(|m| m.tag() == Some("EXIT"), None).await;
        *g.borrow_mut() = Some((sup, exit));
        Ok(())
    });
    let (sup, exit) = got.borrow().clone().expect("ran");
    assert_eq!(exit_reason(&sim, sup), Some(Term::SHUTDOWN));
    assert_eq!(
        exit.map(|m| m.to_string()),
        Some(format!("{{'EXIT',{sup},shutdown}}"))
    );
    assert_eq!(
        sup_events(&sim, Some(sup))[3..],
        [
            "exit c2 boom restart",
            "count c2 0s 1/0",
            "exceeded c2",
            "shutdown c3 shutdown 5000",
            "down c3 shutdown true",
            "shutdown c1 shutdown 5000",
            "down c1 shutdown true",
            "sup_exit shutdown",
        ]
    );
}

/// A parent supervisor with a child supervisor of `restart` type whose single child
/// crashes past the child supervisor's intensity (max 0).
fn escalate(restart: Restart) -> (Vec<String>, Vec<String>) {
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let inner_flags = SupFlags::new(Strategy::OneForOne).intensity(0, 5);
        let inner = ChildSpec::supervisor("sub", inner_flags, vec![W::new("w", &l).spec()])
            .restart(restart);
        let top = start(&ctx, SupFlags::new(Strategy::OneForOne), vec![inner]).await?;
        let sub = pid_of(&ctx, top, "sub").await.expect("sub");
        ctx.exit(pid_of(&ctx, sub, "w").await.expect("w"), boom());
        settle(&ctx).await;
        *g.borrow_mut() = Some((top, which(&ctx, top).await));
        Ok(())
    });
    let (top, after) = got.borrow().clone().expect("ran");
    (sup_events(&sim, Some(top)), after)
}

#[test]
fn sup16_escalation_restarts_a_permanent_child_supervisor_only() {
    // SUP-16: to the parent this is an exit with reason shutdown: a permanent child
    // supervisor is restarted (one restart counted there), a transient one is not.
    let (ev, after) = escalate(Restart::Permanent);
    assert_eq!(
        ev[1..4],
        [
            "exit sub shutdown restart",
            "count sub 0s 1/3",
            "start sub ok restart"
        ]
    );
    assert_eq!(after, ["sub:pid"]);
    let (ev, after) = escalate(Restart::Transient);
    assert_eq!(ev[1..2], ["exit sub shutdown keep"]);
    assert_eq!(after, ["sub:undefined"]);
}

#[test]
fn sup17_one_for_one_retries_through_the_mailbox_until_intensity_ends_it() {
    // SUP-17: a failed restart marks the child restarting and casts try_again to the
    // back of the mailbox (an earlier call is answered first); each attempt counts;
    // with MaxR 3: crash, 3 failed attempts, then the 4th count ends the supervisor.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        ctx.trap_exit(true);
        let fail = Plan::Stop(atom("no_db"));
        let w = W::new("c", &l).slow_init(ms(10)).plans(&[
            Plan::Ok,
            fail.clone(),
            fail.clone(),
            fail.clone(),
            fail,
        ]);
        let sup = start(&ctx, SupFlags::new(Strategy::OneForOne), vec![w.spec()]).await?;
        ctx.exit(pid_of(&ctx, sup, "c").await.expect("c"), boom());
        ctx.sleep(ms(5)).await;
        let during = which(&ctx, sup).await;
        let counts = supervisor::count_children(&ctx, sup).await;
        ctx.recv_match(|m| m.tag() == Some("EXIT"), None).await;
        *g.borrow_mut() = Some((sup, during, counts.active));
        Ok(())
    });
    let (sup, during, active) = got.borrow().clone().expect("ran");
    assert_eq!(during, ["c:restarting"]);
    assert_eq!(active, 0);
    assert_eq!(
        sup_events(&sim, Some(sup))[1..],
        [
            "exit c boom restart",
            "count c 0s 1/3",
            "start c {error,no_db} restart",
            "try_again c",
            // The failed child's own EXIT was queued before the cast (SUP-9).
            "exit undefined no_db ignore_unknown",
            "count c 0s 2/3",
            "start c {error,no_db} try_again",
            "try_again c",
            "exit undefined no_db ignore_unknown",
            "count c 0s 3/3",
            "start c {error,no_db} try_again",
            "try_again c",
            "exit undefined no_db ignore_unknown",
            "count c 0s 4/3",
            "exceeded c",
            "sup_exit shutdown",
        ]
    );
}

#[test]
fn sup17_terminate_child_cancels_a_pending_retry() {
    // SUP-17: delete_child and restart_child on a restarting child return
    // {error,restarting}; terminate_child clears the state and cancels the retry.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let w = W::new("c", &l)
            .slow_init(ms(10))
            .plans(&[Plan::Ok, Plan::Stop(atom("no_db"))]);
        let sup = start(&ctx, SupFlags::new(Strategy::OneForOne), vec![w.spec()]).await?;
        ctx.exit(pid_of(&ctx, sup, "c").await.expect("c"), boom());
        ctx.sleep(ms(5)).await;
        // Three calls queue up while the failing start runs, ahead of the retry.
        let answers = slot::<Vec<String>>();
        *answers.borrow_mut() = Some(Vec::new());
        for op in ["delete", "restart", "terminate"] {
            let a = answers.clone();
            ctx.spawn(move |c| async move {
                let id = atom("c");
                let r = match op {
                    "delete" => supervisor::delete_child(&c, sup, id)
                        .await
                        .map(|_| Term::OK),
                    "restart" => supervisor::restart_child(&c, sup, id)
                        .await
                        .map(|_| Term::OK),
                    _ => supervisor::terminate_child(&c, sup, id)
                        .await
                        .map(|_| Term::OK),
                };
                let text = match r {
                    Ok(t) => t.to_string(),
                    Err(e) => format!("error {e}"),
                };
                if let Some(v) = a.borrow_mut().as_mut() {
                    v.push(format!("{op}: {text}"));
                }
                Ok(())
            });
        }
        ctx.sleep(ms(20)).await;
        let after = which(&ctx, sup).await;
        let got_answers = answers.borrow().clone().unwrap_or_default();
        *g.borrow_mut() = Some((sup, got_answers, after));
        Ok(())
    });
    let (sup, answers, after) = got.borrow().clone().expect("ran");
    assert_eq!(
        answers,
        [
            "delete: error restarting",
            "restart: error restarting",
            "terminate: ok"
        ]
    );
    assert_eq!(after, ["c:undefined"]);
    let ev = sup_events(&sim, Some(sup));
    assert_eq!(
        only(&ev, "count").len(),
        1,
        "the retry was cancelled: {ev:?}"
    );
}

#[test]
fn sup17_rest_for_one_retries_from_the_failed_child_onward() {
    // SUP-17: under rest_for_one the start sequence stops at the failed child, later
    // children stay down; the retry starts from the failed child onward and leaves
    // the children before it alone.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![
            W::new("c1", &l).spec(),
            W::new("c2", &l).spec(),
            W::new("c3", &l)
                .plans(&[Plan::Ok, Plan::Stop(atom("no_db"))])
                .spec(),
            W::new("c4", &l).spec(),
        ];
        let sup = start(&ctx, SupFlags::new(Strategy::RestForOne), specs).await?;
        ctx.exit(pid_of(&ctx, sup, "c2").await.expect("c2"), boom());
        settle(&ctx).await;
        *g.borrow_mut() = Some((sup, which(&ctx, sup).await));
        Ok(())
    });
    let (sup, after) = got.borrow().clone().expect("ran");
    assert_eq!(after, ["c4:pid", "c3:pid", "c2:pid", "c1:pid"]);
    let ev: Vec<_> = sup_events(&sim, Some(sup))[4..]
        .iter()
        .filter(|l| !l.starts_with("down"))
        .take(11)
        .cloned()
        .collect();
    assert_eq!(
        ev,
        [
            "exit c2 boom restart",
            "count c2 0s 1/3",
            "shutdown c4 shutdown 5000",
            "shutdown c3 shutdown 5000",
            "start c2 ok restart",
            "start c3 {error,no_db} restart",
            "try_again c3",
            "exit undefined no_db ignore_unknown",
            "count c3 0s 2/3",
            "start c3 ok try_again",
            "start c4 ok try_again",
        ]
    );
}

#[test]
fn sup17_one_for_all_retry_restarts_the_whole_group_again() {
    // SUP-17: under one_for_all the retry shuts down and restarts the whole group,
    // including the children started in the failed attempt.
    let log = log();
    let l = log.clone();
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![
            W::new("c1", &l).spec(),
            W::new("c2", &l)
                .plans(&[Plan::Ok, Plan::Stop(atom("no_db"))])
                .spec(),
            W::new("c3", &l).spec(),
        ];
        let sup = start(&ctx, SupFlags::new(Strategy::OneForAll), specs).await?;
        ctx.exit(pid_of(&ctx, sup, "c1").await.expect("c1"), boom());
        settle(&ctx).await;
        Ok(())
    });
    let ev: Vec<_> = sup_events(&sim, None)[3..]
        .iter()
        .filter(|l| !l.starts_with("down"))
        .take(13)
        .cloned()
        .collect();
    assert_eq!(
        ev,
        [
            "exit c1 boom restart",
            "count c1 0s 1/3",
            "shutdown c3 shutdown 5000",
            "shutdown c2 shutdown 5000",
            "start c1 ok restart",
            "start c2 {error,no_db} restart",
            "try_again c2",
            "exit undefined no_db ignore_unknown",
            "count c2 0s 2/3",
            "shutdown c1 shutdown 5000",
            "start c1 ok try_again",
            "start c2 ok try_again",
            "start c3 ok try_again",
        ]
    );
}
