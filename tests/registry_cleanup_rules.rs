//! Registry conformance when processes die: REG-3 (conflicts and a dead holder's
//! replacement), REG-6 (the asynchronous clean-up) and REG-7 (listeners, a partition's
//! death).

mod registry_support;

use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::kernel::{ms, Ctx, Sim};
use otpsim::term::{atom, Atom, Pid, Term};
use otpsim::trace::{Event, EventKind};
use registry_support::replay::{exit_reason, partition as partition_of};
use registry_support::*;

const REG: Registry = Registry::named("reg");

fn partition(ctx: &Ctx, i: usize) -> Pid {
    partition_of(ctx, &REG, i)
}

fn events(sim: &Sim) -> Vec<Event> {
    sim.events()
}

fn registered(ctx: &Ctx, key: Term, value: Term) -> Pid {
    registry_support::replay::registered(ctx, REG, key, value)
}

/// The REG-6 window in otpsim's default schedule: `holder` registers `key`, wakes
/// `watcher` with a message and exits. The watcher was made runnable before the
/// holder's `EXIT` reached the partition, so it runs first and sees the dead holder.
fn window(keys: Keys, watch: impl FnOnce(Ctx, Pid) -> Result<(), Term> + 'static) -> Sim {
    let mut sim = sim();
    sim.spawn(move |ctx| async move {
        REG.start_link(&ctx, keys, RegistryOpts::default())
            .await
            .into_result()?;
        let watcher = ctx.spawn(move |c| async move {
            let m = c.recv().await;
            watch(c.clone(), m.as_pid().expect("holder pid"))?;
            c.sleep(ms(1)).await;
            assert!(REG
                .lookup(&c, &atom("k"))
                .iter()
                .all(|(p, _)| c.is_alive(*p)));
            Ok(())
        });
        ctx.spawn(move |c| async move {
            REG.register(&c, atom("k"), atom("old"))?;
            c.send(watcher, Term::Pid(c.me()));
            Ok(())
        });
        // The registry lives as long as its parent: wait for the watcher.
        let mref = ctx.monitor(watcher);
        let down = ctx
            .recv_match(
                move |m| m.as_tuple().is_some_and(|t| t[1] == Term::Ref(mref)),
                None,
            )
            .await;
        match down
            .as_ref()
            .and_then(|d| d.as_tuple())
            .map(|t| t[4].clone())
        {
            Some(r) if r == Term::NORMAL => Ok(()),
            other => Err(Term::tagged(
                "watcher_failed",
                other.unwrap_or(Term::UNDEFINED),
            )),
        }
    });
    run_clean(&mut sim);
    sim
}

#[test]
fn reg3_unique_conflicts_name_the_live_holder() {
    // REG-3: a key held by a live process, the caller included, gives
    // {error, {already_registered, Holder}}.
    let mut sim = sim();
    sim.spawn(|ctx| async move {
        REG.start_link(&ctx, Keys::Unique, RegistryOpts::default())
            .await
            .into_result()?;
        let me = ctx.me();
        REG.register(&ctx, atom("k"), atom("v"))?;
        let taken = Err(Term::tagged("already_registered", Term::Pid(me)));
        assert_eq!(REG.register(&ctx, atom("k"), atom("w")), taken);
        let other = ctx.spawn(move |c| async move {
            assert_eq!(REG.register(&c, atom("k"), atom("x")), taken);
            assert!(REG.keys(&c, c.me()).is_empty());
            Ok(())
        });
        ctx.sleep(ms(1)).await;
        assert_eq!(REG.lookup(&ctx, &atom("k")), vec![(me, atom("v"))]);
        assert!(!ctx.is_alive(other));
        Ok(())
    });
    run_clean(&mut sim);
    let refused = events(&sim)
        .into_iter()
        .filter(|e| {
            matches!(&e.kind,
        EventKind::RegRegister { result, .. } if result.tag() == Some("error"))
        })
        .count();
    assert_eq!(refused, 2);
}

#[test]
fn reg3_a_dead_holder_not_yet_cleaned_up_is_replaced() {
    // REG-3: if the holder is dead but not yet cleaned up, a new registration replaces it.
    let sim = window(Keys::Unique, |c, holder| {
        assert!(!c.is_alive(holder));
        assert_eq!(REG.lookup(&c, &atom("k")), vec![(holder, atom("old"))]);
        REG.register(&c, atom("k"), atom("new"))?;
        assert_eq!(REG.lookup(&c, &atom("k")), vec![(c.me(), atom("new"))]);
        Ok(())
    });
    let evs = events(&sim);
    let holder = evs
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::RegRegister { pid, value, .. } if *value == atom("old") => Some(*pid),
            _ => None,
        })
        .expect("holder");
    let gone: Vec<Term> = evs
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::RegUnregister { cause, pid, .. } if pid == holder => Some(Term::Atom(cause)),
            _ => None,
        })
        .collect();
    // The replaced entry is reported once; the partition's later clean-up finds nothing.
    assert_eq!(gone, vec![atom("cleanup")]);
}

#[test]
fn reg6_reads_see_a_dead_holder_until_the_partition_handles_its_exit() {
    // REG-6: clean-up is asynchronous; lookup, dispatch, count and select can still
    // return the dead pid, while whereis_name checks liveness.
    for keys in [Keys::Unique, Keys::Duplicate] {
        window(keys, move |c, holder| {
            assert!(!c.is_alive(holder));
            assert_eq!(REG.lookup(&c, &atom("k")), vec![(holder, atom("old"))]);
            assert_eq!(REG.count(&c), 1);
            assert_eq!(REG.select(&c, |e| Some(e.pid)), vec![holder]);
            let mut seen = Vec::new();
            REG.dispatch(&c, &atom("k"), |entries| seen.extend_from_slice(entries));
            assert_eq!(seen, vec![(holder, atom("old"))]);
            if keys == Keys::Unique {
                assert_eq!(REG.whereis_name(&c, &atom("k")), None);
            }
            Ok(())
        });
    }
}

#[test]
fn reg6_clean_up_happens_when_the_partition_handles_the_exit() {
    // REG-6: the partition removes the entries when it handles the dead process's EXIT
    // (the next thing it does), not at the death itself.
    let sim = window(Keys::Unique, |_, _| Ok(()));
    let evs = events(&sim);
    let holder = evs
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::RegRegister { pid, .. } => Some(*pid),
            _ => None,
        })
        .expect("holder");
    let died = evs
        .iter()
        .position(|e| matches!(e.kind, EventKind::Exit { pid, .. } if pid == holder))
        .expect("death");
    let handled = evs
        .iter()
        .position(|e| {
            matches!(&e.kind, EventKind::Handle { message, .. }
        if message.as_tuple().is_some_and(|t| t[0].is_atom("EXIT") && t[1] == Term::Pid(holder)))
        })
        .expect("EXIT handled");
    let cleaned = evs
        .iter()
        .position(|e| {
            matches!(&e.kind, EventKind::RegUnregister { pid, cause, .. }
        if *pid == holder && cause.as_str() == "cleanup")
        })
        .expect("clean-up");
    assert!(died < handled);
    assert_eq!(
        cleaned,
        handled + 1,
        "the clean-up is the handling of the EXIT"
    );
}

#[test]
fn reg7_listeners_hear_explicit_calls_but_not_deaths() {
    // REG-7: listeners are told of explicit register and unregister calls, never of the
    // clean-up after a death.
    let mut sim = sim();
    sim.spawn(|ctx| async move {
        ctx.register(Atom::from_static("listener"), ctx.me())?;
        let opts = RegistryOpts {
            listeners: vec![Atom::from_static("listener")],
            ..RegistryOpts::default()
        };
        REG.start_link(&ctx, Keys::Unique, opts)
            .await
            .into_result()?;
        let holder = registered(&ctx, atom("b"), Term::Int(2));
        ctx.sleep(ms(1)).await;
        ctx.exit(holder, Term::KILL);
        ctx.sleep(ms(1)).await;
        assert!(REG.lookup(&ctx, &atom("b")).is_empty());
        let heard = drain(&ctx).await;
        let note = Term::tuple([
            atom("register"),
            atom("reg"),
            atom("b"),
            Term::Pid(holder),
            Term::Int(2),
        ]);
        assert_eq!(heard, vec![note]);
        Ok(())
    });
    run_clean(&mut sim);
}

#[test]
fn reg7_a_partition_death_takes_its_linked_processes_with_it() {
    // REG-7: if a partition dies, every registered process linked to it gets its exit
    // signal and dies unless it traps exits.
    let mut sim = sim();
    let holder = std::rc::Rc::new(std::cell::Cell::new(None));
    let h = holder.clone();
    sim.spawn(move |ctx| async move {
        REG.start_link(&ctx, Keys::Unique, RegistryOpts::default())
            .await
            .into_result()?;
        ctx.trap_exit(true);
        REG.register(&ctx, atom("trapper"), Term::Int(1))?;
        h.set(Some(registered(&ctx, atom("plain"), Term::Int(2))));
        ctx.sleep(ms(1)).await;
        let part = partition(&ctx, 0);
        ctx.exit(part, Term::KILL);
        let m = ctx.recv().await;
        assert_eq!(
            m,
            Term::tuple([atom("EXIT"), Term::Pid(part), Term::KILLED])
        );
        // The registry restarted the partition with an empty table.
        ctx.sleep(ms(1)).await;
        assert_ne!(partition(&ctx, 0), part);
        assert_eq!(REG.count(&ctx), 0);
        Ok(())
    });
    run_clean(&mut sim);
    assert_eq!(
        exit_reason(&sim, holder.get().expect("holder")),
        Some(Term::KILLED)
    );
}
