//! Automatic shutdown on significant children's exits (SUP-18).

mod supervisor_common;

use otpsim::behaviour::gen_server::StartOpts;
use otpsim::behaviour::supervisor::{self, AutoShutdown, ChildSpec, Restart, Strategy, SupFlags};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use supervisor_common::*;

async fn start(ctx: &Ctx, flags: SupFlags, specs: Vec<ChildSpec>) -> Result<Pid, Term> {
    supervisor::start_link(ctx, flags, specs, StartOpts::default())
        .await
        .into_result()
}

fn one_for_one() -> SupFlags {
    SupFlags::new(Strategy::OneForOne)
}

/// Makes significant child `id` exit with `reason` under `mode`; returns whether the
/// supervisor is alive afterwards and its events.
fn significant(
    mode: AutoShutdown,
    restart: Restart,
    reason: Term,
    two: bool,
) -> (bool, Vec<String>) {
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        ctx.trap_exit(true);
        let mut specs = vec![
            W::new("plain", &l).spec(),
            W::new("s1", &l).spec().restart(restart).significant(true),
        ];
        if two {
            specs.push(W::new("s2", &l).spec().restart(restart).significant(true));
        }
        let flags = one_for_one().auto_shutdown(mode);
        let sup = start(&ctx, flags, specs).await?;
        stop_worker(&ctx, pid_of(&ctx, sup, "s1").await.expect("s1"), reason);
        ctx.sleep(ms(1)).await;
        *g.borrow_mut() = Some((sup, ctx.is_alive(sup)));
        Ok(())
    });
    let (sup, alive) = got.borrow().expect("ran");
    (alive, sup_events(&sim, Some(sup)))
}

#[test]
fn sup18_any_significant_shuts_down_on_the_first_termination() {
    // SUP-18: a significant child "terminates" only when not restarted; under
    // any_significant that shuts all others down in reverse and exits shutdown.
    let (alive, ev) = significant(
        AutoShutdown::AnySignificant,
        Restart::Transient,
        Term::NORMAL,
        true,
    );
    assert!(!alive);
    assert_eq!(
        ev[3..],
        [
            "exit s1 normal keep",
            "auto_shutdown s1 any_significant",
            "shutdown s2 shutdown 5000",
            "down s2 shutdown true",
            "shutdown plain shutdown 5000",
            "down plain shutdown true",
            "sup_exit shutdown",
        ]
    );
    let (alive, ev) = significant(
        AutoShutdown::AnySignificant,
        Restart::Temporary,
        boom(),
        false,
    );
    assert!(!alive);
    assert!(only(&ev, "exceeded").is_empty());
    let (alive, ev) = significant(
        AutoShutdown::AnySignificant,
        Restart::Transient,
        boom(),
        false,
    );
    assert!(
        alive,
        "a crashing significant transient child is restarted: {ev:?}"
    );
}

#[test]
fn sup18_all_significant_waits_for_the_last_one() {
    // SUP-18: all_significant shuts down only when no significant child is left.
    let (alive, _) = significant(
        AutoShutdown::AllSignificant,
        Restart::Transient,
        Term::SHUTDOWN,
        true,
    );
    assert!(alive);
    let (alive, ev) = significant(
        AutoShutdown::AllSignificant,
        Restart::Transient,
        Term::SHUTDOWN,
        false,
    );
    assert!(!alive);
    assert!(ev.contains(&"auto_shutdown s1 all_significant".to_string()));
}

#[test]
fn sup18_terminate_child_does_not_trigger_auto_shutdown() {
    // SUP-18: stopping a significant child with terminate_child does not shut down.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    run(move |ctx| async move {
        let specs = vec![W::new("s", &l)
            .spec()
            .restart(Restart::Transient)
            .significant(true)];
        let flags = one_for_one().auto_shutdown(AutoShutdown::AnySignificant);
        let sup = start(&ctx, flags, specs).await?;
        supervisor::terminate_child(&ctx, sup, atom("s")).await?;
        settle(&ctx).await;
        *g.borrow_mut() = Some(ctx.is_alive(sup));
        Ok(())
    });
    assert_eq!(*got.borrow(), Some(true));
}
