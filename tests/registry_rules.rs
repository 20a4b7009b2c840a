//! Registry conformance, REG-1, REG-2, REG-4, REG-5 and REG-8 (REG-3, REG-6 and REG-7
//! are in `registry_cleanup_rules.rs`, REG-9 in `registry_via.rs`; the replays of the
//! real-Elixir probes are in `registry_otp_*.rs`).

mod registry_support;

use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::kernel::{ms, Ctx, Sim};
use otpsim::term::{atom, Pid, Term};
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

#[test]
fn reg1_partitions_trap_exits_and_reads_run_in_the_caller() {
    // REG-1: each partition traps exits; lookup, dispatch, count, select, keys, meta and
    // whereis_name run in the caller and send no message.
    let mut sim = sim();
    let reader = std::rc::Rc::new(std::cell::Cell::new(None));
    let r = reader.clone();
    sim.spawn(move |ctx| async move {
        REG.start_link(&ctx, Keys::Unique, RegistryOpts::partitions(3))
            .await
            .into_result()?;
        registered(&ctx, atom("k"), Term::Int(1));
        ctx.sleep(ms(1)).await;
        let q = ctx.spawn(|c| async move {
            let before = c.now_us();
            assert_eq!(REG.lookup(&c, &atom("k")).len(), 1);
            let mut calls = 0;
            REG.dispatch(&c, &atom("k"), |_| calls += 1);
            assert_eq!(calls, 1);
            assert_eq!(REG.count(&c), 1);
            assert_eq!(REG.select(&c, |e| Some(e.key.clone())), vec![atom("k")]);
            assert_eq!(REG.meta(&c, &atom("none")), None);
            assert!(REG.whereis_name(&c, &atom("k")).is_some());
            assert_eq!(c.now_us(), before);
            Ok(())
        });
        r.set(Some(q));
        Ok(())
    });
    run_clean(&mut sim);
    let q = reader.get().expect("reader");
    assert_eq!(exit_reason(&sim, q), Some(Term::NORMAL));
    let evs = events(&sim);
    assert!(!evs
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Send { from: Some(f), .. } if *f == q)));
    let parts: Vec<Pid> = evs
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Register { pid, name } if name.as_str().starts_with("reg.PIDPartition") => {
                Some(*pid)
            }
            _ => None,
        })
        .collect();
    assert_eq!(parts.len(), 3);
    for p in parts {
        assert!(evs
            .iter()
            .any(|e| matches!(e.kind, EventKind::TrapExit { pid, on: true } if pid == p)));
    }
}

#[test]
fn reg2_register_writes_at_once_links_to_the_partition_and_is_traced() {
    // REG-2: run by the registering process itself, it writes the table at once, links
    // the caller to the partition and returns {ok, PartitionPid}.
    let mut sim = sim();
    let main = sim.spawn(|ctx| async move {
        REG.start_link(&ctx, Keys::Unique, RegistryOpts::default())
            .await
            .into_result()?;
        let part = REG.register(&ctx, atom("k"), atom("v"))?;
        assert_eq!(part, partition(&ctx, 0));
        assert_eq!(REG.lookup(&ctx, &atom("k")), vec![(ctx.me(), atom("v"))]);
        Ok(())
    });
    run_clean(&mut sim);
    let evs = events(&sim);
    let part = evs
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Register { pid, name } if name.as_str() == "reg.PIDPartition0" => Some(*pid),
            _ => None,
        })
        .expect("partition");
    assert!(evs
        .iter()
        .any(|e| e.kind == EventKind::Link { a: main, b: part }));
    assert!(evs.iter().any(|e| e.kind
        == EventKind::RegRegister {
            registry: atom("reg"),
            key: atom("k"),
            pid: main,
            value: atom("v"),
            result: Term::OK,
        }));
}

#[test]
fn reg4_duplicate_keys_keep_registration_order() {
    // REG-4: never a conflict, the same process may register a key several times, and
    // lookup gives the entries in registration order.
    let mut sim = sim();
    sim.spawn(|ctx| async move {
        REG.start_link(&ctx, Keys::Duplicate, RegistryOpts::default())
            .await
            .into_result()?;
        let me = ctx.me();
        REG.register(&ctx, atom("k"), Term::Int(1))?;
        let other = registered(&ctx, atom("k"), Term::Int(2));
        ctx.sleep(ms(1)).await;
        REG.register(&ctx, atom("k"), Term::Int(3))?;
        REG.register(&ctx, atom("k"), Term::Int(3))?;
        let expected = vec![
            (me, Term::Int(1)),
            (other, Term::Int(2)),
            (me, Term::Int(3)),
            (me, Term::Int(3)),
        ];
        assert_eq!(REG.lookup(&ctx, &atom("k")), expected);
        assert_eq!(REG.keys(&ctx, me), vec![atom("k"); 3]);
        ctx.send(other, atom("stop"));
        Ok(())
    });
    run_clean(&mut sim);
}

#[test]
fn reg5_unregister_removes_the_callers_entries_and_unlinks_when_none_are_left() {
    // REG-5: unregister always returns; it removes all the caller's entries under the
    // key and unlinks the caller once it has none left.
    let mut sim = sim();
    let main = sim.spawn(|ctx| async move {
        REG.start_link(&ctx, Keys::Duplicate, RegistryOpts::default())
            .await
            .into_result()?;
        let other = registered(&ctx, atom("k"), Term::Int(0));
        ctx.sleep(ms(1)).await;
        REG.register(&ctx, atom("k"), Term::Int(1))?;
        REG.register(&ctx, atom("k"), Term::Int(2))?;
        REG.register(&ctx, atom("j"), Term::Int(3))?;
        REG.unregister(&ctx, &atom("k"));
        assert_eq!(REG.lookup(&ctx, &atom("k")), vec![(other, Term::Int(0))]);
        assert_eq!(REG.keys(&ctx, ctx.me()), vec![atom("j")]);
        mark(&ctx, "one_left").await;
        REG.unregister(&ctx, &atom("j"));
        REG.unregister(&ctx, &atom("never"));
        mark(&ctx, "none_left").await;
        assert!(REG.keys(&ctx, ctx.me()).is_empty());
        ctx.send(other, atom("stop"));
        Ok(())
    });
    run_clean(&mut sim);
    let part = events(&sim)
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::Register { pid, name } if name.as_str() == "reg.PIDPartition0" => Some(pid),
            _ => None,
        })
        .expect("partition");
    assert!(linked_at(&sim, main, part, "one_left"));
    assert!(!linked_at(&sim, main, part, "none_left"));
    let explicit = events(&sim)
        .into_iter()
        .filter(|e| {
            matches!(&e.kind,
        EventKind::RegUnregister { pid, cause, .. } if *pid == main && cause.as_str() == "explicit")
        })
        .count();
    assert_eq!(explicit, 2, "one event per key that had entries");
}

#[test]
fn reg8_dispatch_calls_once_with_every_entry_and_never_for_none() {
    // REG-8: dispatch calls the function once, in the caller, with the whole list, and
    // not at all when there are no entries; count gives every entry; count_match and
    // select work on {key, pid, value}.
    let mut sim = sim();
    sim.spawn(|ctx| async move {
        REG.start_link(&ctx, Keys::Duplicate, RegistryOpts::default())
            .await
            .into_result()?;
        let me = ctx.me();
        for v in 1..=3 {
            REG.register(&ctx, atom("k"), Term::Int(v))?;
        }
        REG.register(&ctx, atom("j"), Term::tagged("tag", Term::Int(7)))?;
        let mut calls = Vec::new();
        REG.dispatch(&ctx, &atom("k"), |entries| calls.push(entries.to_vec()));
        assert_eq!(
            calls,
            vec![(1..=3).map(|v| (me, Term::Int(v))).collect::<Vec<_>>()]
        );
        REG.dispatch(&ctx, &atom("none"), |_| panic!("called for no entries"));
        assert_eq!(REG.count(&ctx), 4);
        assert_eq!(
            REG.count_match(&ctx, &atom("k"), |e| e.value.as_int() > Some(1)),
            2
        );
        assert_eq!(
            REG.match_key(&ctx, &atom("k"), |e| e.value == Term::Int(2)),
            vec![(me, Term::Int(2))]
        );
        let tags = REG.select(&ctx, |e| e.value.as_tuple().map(|t| t[1].clone()));
        assert_eq!(tags, vec![Term::Int(7)]);
        assert_eq!(
            REG.count_select(&ctx, |e| e.pid == me && e.key == atom("k")),
            3
        );
        REG.put_meta(&ctx, atom("m"), Term::Int(9));
        assert_eq!(REG.meta(&ctx, &atom("m")), Some(Term::Int(9)));
        Ok(())
    });
    run_clean(&mut sim);
}

#[test]
fn reg1_restarts_follow_elixirs_supervisor_and_give_up_after_three_in_five_seconds() {
    // REG-1 (Registry.Supervisor): unique registries restart all partitions, duplicate
    // ones only the dead one; a fourth restart within 5 s shuts the registry down.
    for (keys, all) in [(Keys::Unique, true), (Keys::Duplicate, false)] {
        let mut sim = sim();
        sim.spawn(move |ctx| async move {
            ctx.trap_exit(true);
            let reg = REG
                .start_link(&ctx, keys, RegistryOpts::partitions(2))
                .await
                .into_result()?;
            let before = [partition(&ctx, 0), partition(&ctx, 1)];
            ctx.exit(before[0], Term::KILL);
            ctx.sleep(ms(1)).await;
            assert_ne!(partition(&ctx, 0), before[0]);
            assert_eq!(partition(&ctx, 1) != before[1], all);
            for _ in 0..3 {
                ctx.exit(partition(&ctx, 1), Term::KILL);
                ctx.sleep(ms(1)).await;
            }
            let m = ctx.recv().await;
            assert_eq!(
                m,
                Term::tuple([atom("EXIT"), Term::Pid(reg), Term::SHUTDOWN])
            );
            Ok(())
        });
        run_clean(&mut sim);
    }
}
