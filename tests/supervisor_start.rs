//! Supervisor start-up: child specs and starting children (SUP-2 to SUP-8).

mod supervisor_common;

use otpsim::behaviour::gen_server::{StartOpts, StartResult};
use otpsim::behaviour::supervisor::{
    self, AutoShutdown, ChildSpec, Restart, StartFn, Strategy, SupFlags,
};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Term};
use std::rc::Rc;
use supervisor_common::*;

fn flags(strategy: Strategy) -> SupFlags {
    SupFlags::new(strategy)
}

#[test]
fn sup2_duplicate_ids_fail_the_whole_start() {
    // SUP-2: a duplicate id fails the start with {error,{start_spec,{duplicate_child_name,Id}}}.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        ctx.trap_exit(true);
        let specs = vec![W::new("a", &l).spec(), W::new("a", &l).spec()];
        let r = supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            specs,
            StartOpts::default(),
        )
        .await;
        *g.borrow_mut() = Some(r);
        Ok(())
    });
    let expected = Term::tagged(
        "start_spec",
        Term::tagged("duplicate_child_name", atom("a")),
    );
    assert_eq!(got.borrow().clone(), Some(StartResult::Error(expected)));
    assert!(lines(&log).is_empty(), "no child may start");
}

#[test]
fn sup3_significant_permanent_or_never_is_a_bad_combination() {
    // SUP-3: significant with a permanent child, or with auto_shutdown never, gives
    // {error,{start_spec,{bad_combination,[...]}}}.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        ctx.trap_exit(true);
        let never = vec![W::new("a", &l)
            .spec()
            .restart(Restart::Transient)
            .significant(true)];
        let r1 = supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            never,
            StartOpts::default(),
        )
        .await;
        let perm = vec![W::new("b", &l).spec().significant(true)];
        let any = flags(Strategy::OneForOne).auto_shutdown(AutoShutdown::AnySignificant);
        let r2 = supervisor::start_link(&ctx, any, perm, StartOpts::default()).await;
        *g.borrow_mut() = Some((r1, r2));
        Ok(())
    });
    let (r1, r2) = got.borrow().clone().expect("ran");
    assert_eq!(
        r1.to_term().to_string(),
        "{error,{start_spec,{bad_combination,[{auto_shutdown,never},{significant,true}]}}}"
    );
    assert_eq!(
        r2.to_term().to_string(),
        "{error,{start_spec,{bad_combination,[{restart,permanent},{significant,true}]}}}"
    );
}

#[test]
fn sup4_the_supervisor_never_links_by_itself() {
    // SUP-4: the start function must link the child; the supervisor does not, so an
    // unlinked child's death goes unseen and nothing is restarted.
    let log = log();
    let l = log.clone();
    let starts = Rc::new(std::cell::Cell::new(0));
    let s = starts.clone();
    let start: StartFn = Rc::new(move |ctx: Ctx| {
        s.set(s.get() + 1);
        Box::pin(async move {
            let pid = ctx.spawn(|c| async move {
                c.recv_match(|m| m.is_atom("die"), None).await;
                Err(atom("boom"))
            });
            StartResult::Ok(pid)
        })
    });
    let (sim, _) = run(move |ctx| async move {
        let spec = ChildSpec::new(atom("loose"), start);
        let sup = supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            vec![spec],
            StartOpts::default(),
        )
        .await
        .into_result()?;
        let child = pid_of(&ctx, sup, "loose").await.expect("running");
        ctx.send(child, atom("die"));
        ctx.sleep(ms(10)).await;
        let rows = which(&ctx, sup).await;
        l.borrow_mut().push(format!("{rows:?}"));
        Ok(())
    });
    assert_eq!(starts.get(), 1, "never restarted");
    assert_eq!(lines(&log), ["[\"loose:pid\"]"]);
    assert!(only(&sup_events(&sim, None), "exit").is_empty());
}

#[test]
fn sup5_children_start_one_at_a_time_left_to_right() {
    // SUP-5: child k+1's init begins only after child k's init has ended; start_link
    // returns after the last child.
    let log = log();
    let l = log.clone();
    run(move |ctx| async move {
        let specs = ["c1", "c2", "c3"]
            .map(|n| W::new(n, &l).slow_init(ms(10)).spec())
            .to_vec();
        supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            specs,
            StartOpts::default(),
        )
        .await
        .into_result()?;
        l.borrow_mut()
            .push(format!("returned @{}", ctx.now_us() / 1000));
        Ok(())
    });
    let got = lines(&log);
    assert_eq!(
        &got[..7],
        [
            "init c1 @0",
            "init done c1 @10",
            "init c2 @10",
            "init done c2 @20",
            "init c3 @20",
            "init done c3 @30",
            "returned @30"
        ]
    );
}

#[test]
fn sup6_ignore_keeps_the_spec_and_a_temporary_child_is_dropped() {
    // SUP-6: an ignoring child keeps its spec with pid undefined; a temporary one is
    // dropped; start-up goes on.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let specs = vec![
            W::new("c1", &l).spec(),
            W::new("c2", &l).plans(&[Plan::Ignore]).spec(),
            W::new("c3", &l)
                .plans(&[Plan::Ignore])
                .spec()
                .restart(Restart::Temporary),
            W::new("c4", &l).spec(),
        ];
        let sup = supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            specs,
            StartOpts::default(),
        )
        .await
        .into_result()?;
        *g.borrow_mut() = Some(which(&ctx, sup).await);
        Ok(())
    });
    assert_eq!(
        got.borrow().clone().expect("ran"),
        ["c4:pid", "c2:undefined", "c1:pid"]
    );
}

#[test]
fn sup7_a_failed_start_shuts_down_the_started_children_in_reverse() {
    // SUP-7: children k-1..1 are shut down in reverse start order, the supervisor exits
    // {shutdown,{failed_to_start_child,Id,R}}, start_link returns it as an error, and
    // later children never start.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        ctx.trap_exit(true);
        let specs = vec![
            W::new("c1", &l).spec(),
            W::new("c2", &l).spec(),
            W::new("c3", &l).plans(&[Plan::Stop(atom("no_db"))]).spec(),
            W::new("c4", &l).spec(),
        ];
        let r = supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            specs,
            StartOpts::default(),
        )
        .await;
        *g.borrow_mut() = Some(r);
        Ok(())
    });
    assert_eq!(
        got.borrow().clone().expect("ran").to_term().to_string(),
        "{error,{shutdown,{failed_to_start_child,c3,no_db}}}"
    );
    let events = sup_events(&sim, None);
    assert_eq!(
        only(&events, "shutdown"),
        ["shutdown c2 shutdown 5000", "shutdown c1 shutdown 5000"]
    );
    assert_eq!(
        events.last().map(String::as_str),
        Some("sup_exit {shutdown,{failed_to_start_child,c3,no_db}}")
    );
    assert!(!lines(&log).iter().any(|l| l.starts_with("init c4")));
}

#[test]
fn sup7_a_non_trapping_linked_caller_dies_with_the_failure() {
    // SUP-7 with GS-3: {shutdown,_} is not normal, so a non-trapping caller dies; a
    // crashing init gives the crash as R.
    let log = log();
    let l = log.clone();
    let (sim, driver) = run(move |ctx| async move {
        let specs = vec![W::new("c1", &l).plans(&[Plan::Crash]).spec()];
        let _ = supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            specs,
            StartOpts::default(),
        )
        .await;
        ctx.sleep(ms(1)).await;
        Err(atom("survived"))
    });
    assert_eq!(
        exit_reason(&sim, driver).map(|r| r.to_string()),
        Some("{shutdown,{failed_to_start_child,c1,{panic,<<\"init crashed\">>}}}".to_string())
    );
}

#[test]
fn sup8_start_child_is_the_latest_and_restart_child_keeps_its_place() {
    // SUP-8: a child added with start_child counts as the latest started (first in
    // which_children, shut down first); restart_child keeps the child's place.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![W::new("c1", &l).spec(), W::new("c2", &l).spec()];
        let sup = supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            specs,
            StartOpts::default(),
        )
        .await
        .into_result()?;
        supervisor::start_child(&ctx, sup, W::new("c3", &l).spec()).await?;
        supervisor::terminate_child(&ctx, sup, atom("c1")).await?;
        supervisor::restart_child(&ctx, sup, atom("c1")).await?;
        *g.borrow_mut() = Some(which(&ctx, sup).await);
        supervisor::stop(&ctx, sup, Term::NORMAL).await
    });
    assert_eq!(
        got.borrow().clone().expect("ran"),
        ["c3:pid", "c2:pid", "c1:pid"]
    );
    let shutdowns = only(&sup_events(&sim, None), "shutdown");
    assert_eq!(
        shutdowns,
        [
            "shutdown c1 shutdown 5000",
            "shutdown c3 shutdown 5000",
            "shutdown c2 shutdown 5000",
            "shutdown c1 shutdown 5000"
        ]
    );
}

#[test]
fn children_are_labelled_with_their_path() {
    // Trace labels: supervisor label + "/" + child id, nested for child supervisors.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let inner = vec![W::new("w", &l).spec()];
        let specs = vec![
            W::new("db", &l).spec(),
            ChildSpec::supervisor("sub", flags(Strategy::OneForAll), inner),
        ];
        let top = supervisor::start_link(&ctx, flags(Strategy::OneForOne), specs, labelled("app"))
            .await
            .into_result()?;
        let db = pid_of(&ctx, top, "db").await.expect("db");
        let sub = pid_of(&ctx, top, "sub").await.expect("sub");
        let w = pid_of(&ctx, sub, "w").await.expect("w");
        *g.borrow_mut() = Some((top, db, sub, w));
        Ok(())
    });
    let (top, db, sub, w) = got.borrow().expect("ran");
    assert_eq!(label_of(&sim, top).as_deref(), Some("app"));
    assert_eq!(label_of(&sim, db).as_deref(), Some("app/db"));
    assert_eq!(label_of(&sim, sub).as_deref(), Some("app/sub"));
    assert_eq!(label_of(&sim, w).as_deref(), Some("app/sub/w"));
}

#[test]
fn a_named_supervisor_labels_children_with_its_name() {
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        let specs = vec![W::new("db", &l).spec()];
        let top = supervisor::start_link(
            &ctx,
            flags(Strategy::OneForOne),
            specs,
            StartOpts::named("root"),
        )
        .await
        .into_result()?;
        *g.borrow_mut() = pid_of(&ctx, atom_pid(&ctx, "root", top), "db").await;
        Ok(())
    });
    let db = got.borrow().expect("db");
    assert_eq!(label_of(&sim, db).as_deref(), Some("root/db"));
}

fn atom_pid(ctx: &Ctx, name: &'static str, fallback: otpsim::term::Pid) -> otpsim::term::Pid {
    ctx.whereis(&otpsim::term::Atom::from_static(name))
        .unwrap_or(fallback)
}

#[test]
fn sup1_a_zero_period_is_refused() {
    // SUP-1: the period must be an integer > 0; the start fails with
    // {error,{supervisor_data,{invalid_period,0}}}.
    let got = slot();
    let g = got.clone();
    run(move |ctx| async move {
        ctx.trap_exit(true);
        let flags = flags(Strategy::OneForOne).intensity(1, 0);
        let r = supervisor::start_link(&ctx, flags, vec![], StartOpts::default()).await;
        *g.borrow_mut() = Some(r.to_term().to_string());
        Ok(())
    });
    assert_eq!(
        got.borrow().clone().expect("ran"),
        "{error,{supervisor_data,{invalid_period,0}}}"
    );
}
