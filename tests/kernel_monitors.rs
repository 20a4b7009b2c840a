//! Conformance tests for the MON rules (semantics reference §3) and for aliases, the
//! kernel half of GS-7 (a reply through an inactive alias is dropped).

mod common;

use common::*;
use otpsim::kernel::ms;
use otpsim::term::{atom, Atom, Term};
use otpsim::trace::EventKind;

const NODE: &str = "nonode@nohost";

// MON-1: "monitor(process, Target) goes one way only and returns a fresh reference each
// time; monitoring twice gives two independent monitors and two DOWNs."
#[test]
fn mon1_monitoring_twice_gives_two_refs_and_two_downs() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let p = ctx.spawn(|c| async move {
            c.sleep(ms(1)).await;
            Err(atom("bye"))
        });
        let r1 = ctx.monitor(p);
        let r2 = ctx.monitor(p);
        assert_ne!(r1, r2, "a fresh reference each time");
        let mut downs = vec![ctx.recv().await, ctx.recv().await];
        // The order of several DOWNs for one watcher is not asserted (PROC-6).
        downs.sort();
        let mut expected = vec![
            down_msg(r1, Term::Pid(p), atom("bye")),
            down_msg(r2, Term::Pid(p), atom("bye")),
        ];
        expected.sort();
        l.push(Term::from(downs == expected));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![Term::TRUE]);
}

// MON-1: "... two independent monitors": removing one leaves the other.
#[test]
fn mon1_two_monitors_are_independent() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let p = ctx.spawn(|c| async move {
            c.sleep(ms(1)).await;
            Err(atom("bye"))
        });
        let r1 = ctx.monitor(p);
        let r2 = ctx.monitor(p);
        ctx.demonitor(r1, false);
        l.push(ctx.recv().await);
        l.push(ctx.recv_timeout(ms(5)).await.unwrap_or(atom("none")));
        l.push(Term::tuple([Term::Ref(r2), Term::Pid(p)]));
        Ok(())
    });
    sim.run();
    let got = log.get();
    let [r2, p] = got[2].as_tuple().unwrap() else {
        panic!()
    };
    assert_eq!(
        got[..2],
        [
            down_msg(r2.as_ref().unwrap(), p.clone(), atom("bye")),
            atom("none")
        ]
    );
}

// MON-1: "A DOWN always arrives as a message, whatever trap_exit says", and a monitor goes
// one way only: the watcher survives the target's crash.
#[test]
fn mon1_down_is_a_message_whatever_trap_exit_says() {
    for trap in [false, true] {
        let mut sim = recording_sim();
        let log = Log::new();
        let l = log.clone();
        let watcher = sim.spawn(move |ctx| async move {
            ctx.trap_exit(trap);
            let (p, r) = ctx.spawn_monitor(|_c| async { Err(atom("boom")) });
            let down = ctx.recv().await;
            l.push(Term::from(down == down_msg(r, Term::Pid(p), atom("boom"))));
            Ok(())
        });
        sim.run();
        assert_eq!(log.get(), vec![Term::TRUE], "trap_exit {trap}");
        assert_eq!(exit_reason(&sim, watcher), Some(atom("normal")));
    }
}

// MON-1: "monitor(process, Target) goes one way only": the watcher's death does not touch
// the target, and the target's later death sends no DOWN anywhere.
#[test]
fn mon1_a_monitor_goes_one_way_only() {
    let mut sim = recording_sim();
    let target = sim.spawn(|ctx| async move {
        ctx.sleep(ms(5)).await;
        Err(atom("later"))
    });
    let watcher = sim.spawn(move |ctx| async move {
        ctx.monitor(target);
        ctx.sleep(ms(1)).await;
        Err(atom("boom"))
    });
    sim.run_until(ms(2));
    assert!(!sim.is_alive(watcher));
    assert!(sim.is_alive(target));
    assert!(sim.mailbox(target).is_empty());
    sim.run();
    assert_eq!(exit_reason(&sim, target), Some(atom("later")));
    assert!(events_where(&sim, |k| matches!(k, EventKind::Down { .. })).is_empty());
}

// MON-1: "Its form is {'DOWN', Ref, process, Object, Reason}, where Object is the pid, or
// {Name, Node} when the monitor was made by name."
#[test]
fn mon1_monitor_by_name_reports_name_and_node() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let named = sim.spawn(|ctx| async move {
        ctx.register(Atom::new("live_name"), ctx.me()).unwrap();
        ctx.sleep(ms(1)).await;
        Err(atom("bye"))
    });
    sim.spawn(move |ctx| async move {
        let r = ctx.monitor_name(&Atom::new("live_name"));
        let down = ctx.recv().await;
        let object = Term::tuple([atom("live_name"), Term::atom_owned(NODE)]);
        l.push(Term::from(down == down_msg(r, object, atom("bye"))));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![Term::TRUE]);
    assert_eq!(exit_reason(&sim, named), Some(atom("bye")));
}

// MON-2: "If the target is already dead ... a DOWN with reason noproc is delivered at once."
#[test]
fn mon2_monitoring_a_dead_pid_gives_noproc_at_once() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let dead = ctx.spawn(|_c| async { Ok(()) });
        ctx.sleep(ms(1)).await;
        let r = ctx.monitor(dead);
        // Already queued before this process suspends again.
        l.push(Term::Int(ctx.mailbox_len() as i64));
        let down = ctx.recv_timeout(0).await.unwrap();
        l.push(Term::from(
            down == down_msg(r, Term::Pid(dead), atom("noproc")),
        ));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![Term::Int(1), Term::TRUE]);
}

// MON-2: "... or the name is not registered, a DOWN with reason noproc is delivered at once."
#[test]
fn mon2_monitoring_an_unregistered_name_gives_noproc_at_once() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let r = ctx.monitor_name(&Atom::new("no_such_name"));
        let down = ctx.recv_timeout(0).await.unwrap();
        let object = Term::tuple([atom("no_such_name"), Term::atom_owned(NODE)]);
        l.push(Term::from(down == down_msg(r, object, atom("noproc"))));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![Term::TRUE]);
}

// MON-3: "The DOWN reason is the target's exit reason (killed after a kill)."
#[test]
fn mon3_down_reason_is_the_exit_reason() {
    let cases = [
        (atom("normal"), atom("normal"), false),
        (atom("boom"), atom("boom"), false),
        (shutdown_x(), shutdown_x(), false),
        (atom("kill"), atom("kill"), false), // the target itself exits with kill
        (atom("kill"), atom("killed"), true), // someone calls exit(Target, kill)
    ];
    for (reason, expected, external) in cases {
        let mut sim = recording_sim();
        let log = Log::new();
        let l = log.clone();
        let r2 = reason.clone();
        sim.spawn(move |ctx| async move {
            let (p, _) = ctx.spawn_monitor(move |c| async move {
                c.sleep(ms(1)).await;
                if r2.is_atom("normal") {
                    Ok(())
                } else {
                    Err(r2)
                }
            });
            if external {
                ctx.exit(p, reason);
            }
            l.push(ctx.recv().await.as_tuple().unwrap()[4].clone());
            Ok(())
        });
        sim.run();
        assert_eq!(log.get(), vec![expected]);
    }
}

/// A watcher whose target dies while the watcher sleeps; then it demonitors with
/// `flush` and reports (returned value, messages left).
fn demonitor_after_down(flush: bool) -> Vec<Term> {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let p = ctx.spawn(|_c| async { Err(atom("bye")) });
        let r = ctx.monitor(p);
        ctx.sleep(ms(1)).await;
        l.push(Term::from(ctx.demonitor(r, flush)));
        l.push(Term::list(drain(&ctx).await));
        l.push(Term::tuple([Term::Ref(r), Term::Pid(p)]));
        Ok(())
    });
    sim.run();
    log.get()
}

// MON-4: "demonitor(Ref) stops future DOWNs, but a DOWN that is already queued stays in
// the mailbox ... Both return true, even when the monitor has already fired."
#[test]
fn mon4_demonitor_keeps_a_down_already_queued() {
    let got = demonitor_after_down(false);
    let [r, p] = got[2].as_tuple().unwrap() else {
        panic!()
    };
    let down = down_msg(r.as_ref().unwrap(), p.clone(), atom("bye"));
    assert_eq!(got[..2], [Term::TRUE, Term::list([down])]);
}

// MON-4: "demonitor(Ref, [flush]) also removes it."
#[test]
fn mon4_demonitor_flush_removes_a_queued_down() {
    let got = demonitor_after_down(true);
    assert_eq!(got[..2], [Term::TRUE, Term::list([])]);
}

// MON-4: "demonitor(Ref) stops future DOWNs."
#[test]
fn mon4_demonitor_before_death_stops_the_down() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let watcher = sim.spawn(move |ctx| async move {
        let p = ctx.spawn(|c| async move {
            c.sleep(ms(1)).await;
            Err(atom("bye"))
        });
        let r = ctx.monitor(p);
        l.push(Term::from(ctx.demonitor(r, false)));
        l.push(ctx.recv_timeout(ms(5)).await.unwrap_or(atom("none")));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![Term::TRUE, atom("none")]);
    assert_eq!(sim.monitors_held(watcher), 0);
    assert!(events_where(&sim, |k| matches!(k, EventKind::Down { .. })).is_empty());
}

/// The `drop` events of the run: (to, msg, why).
fn drops(sim: &otpsim::kernel::Sim) -> Vec<(Term, Term, String)> {
    sim.events()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Drop { to, msg, why } => Some((Term::Pid(to), msg, why.to_string())),
            _ => None,
        })
        .collect()
}

// Aliases: a message sent through an active alias is delivered.
#[test]
fn alias_send_to_an_active_alias_delivers() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let alias = ctx.alias();
        let me = ctx.me();
        ctx.spawn(move |c| async move {
            c.send_alias(me, alias, atom("reply"));
            Ok(())
        });
        l.push(ctx.recv_timeout(ms(1)).await.unwrap_or(atom("none")));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![atom("reply")]);
    assert!(drops(&sim).is_empty());
}

// GS-7 (kernel half): after unalias/1, a message through the alias is dropped and the
// trace records a drop with why inactive_alias.
#[test]
fn gs7_message_to_an_alias_after_unalias_is_dropped() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let owner = sim.spawn(move |ctx| async move {
        let alias = ctx.alias();
        l.push(Term::from(ctx.unalias(alias)));
        l.push(Term::from(ctx.unalias(alias)));
        let me = ctx.me();
        ctx.spawn(move |c| async move {
            c.send_alias(me, alias, atom("late_reply"));
            Ok(())
        });
        l.push(ctx.recv_timeout(ms(1)).await.unwrap_or(atom("none")));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![Term::TRUE, Term::FALSE, atom("none")]);
    assert_eq!(
        drops(&sim),
        vec![(
            Term::Pid(owner),
            atom("late_reply"),
            "inactive_alias".into()
        )]
    );
}

// GS-7 (kernel half): a monitor reference made an alias with {alias, demonitor} stops
// being one at demonitor/1; a late reply through it is dropped.
#[test]
fn gs7_message_to_an_alias_monitor_after_demonitor_is_dropped() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let caller = sim.spawn(move |ctx| async move {
        let me = ctx.me();
        let server = ctx.spawn(move |c| async move {
            let alias = c.recv().await.as_ref().unwrap();
            c.sleep(ms(10)).await; // replies too late
            c.send_alias(me, alias, atom("late_reply"));
            Ok(())
        });
        let mref = ctx.monitor(server);
        ctx.activate_alias(mref);
        ctx.send(server, Term::Ref(mref));
        let got = ctx.recv_timeout(ms(5)).await; // the call times out
        l.push(got.unwrap_or(atom("timeout")));
        ctx.demonitor(mref, true);
        l.push(ctx.recv_timeout(ms(10)).await.unwrap_or(atom("none")));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![atom("timeout"), atom("none")]);
    assert_eq!(
        drops(&sim),
        vec![(
            Term::Pid(caller),
            atom("late_reply"),
            "inactive_alias".into()
        )]
    );
}

// GS-7 (kernel half), OTP's erlang:monitor/3 option {alias, demonitor}: "the alias will
// be automatically deactivated when the monitor is removed ... either via an explicit
// call to demonitor/1 or when it is automatically removed when a 'DOWN' message is
// delivered". A reply that a third process sends after the DOWN is dropped.
#[test]
fn gs7_alias_monitor_is_deactivated_when_its_down_fires() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let caller = sim.spawn(move |ctx| async move {
        let me = ctx.me();
        let server = ctx.spawn(|c| async move {
            c.sleep(ms(1)).await;
            Err(atom("crashed"))
        });
        let mref = ctx.monitor(server);
        ctx.activate_alias(mref);
        // A helper that replies through the alias after the server's death.
        ctx.spawn(move |c| async move {
            c.sleep(ms(2)).await;
            c.send_alias(me, mref, atom("late_reply"));
            Ok(())
        });
        l.push(ctx.recv().await.tag().map_or(atom("?"), Term::atom_owned));
        l.push(ctx.recv_timeout(ms(10)).await.unwrap_or(atom("none")));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![atom("DOWN"), atom("none")]);
    assert_eq!(
        drops(&sim),
        vec![(
            Term::Pid(caller),
            atom("late_reply"),
            "inactive_alias".into()
        )]
    );
}

// ADR 003: steps taken inside Ctx::folded happen in full but emit no events of their
// own; an outcome no summary can tell (a message dropped by an inactive alias) still
// shows; events after the fold are traced again.
#[test]
fn folded_steps_happen_untraced_but_drops_still_show() {
    use otpsim::kernel::{Sim, SimConfig};
    use otpsim::term::{atom, Term};
    use otpsim::trace::EventKind;
    let mut sim = Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    });
    let sink = sim.spawn(|ctx| async move {
        ctx.recv().await;
        Ok(())
    });
    let worker = sim.spawn(move |ctx| async move {
        let stale = ctx.make_ref();
        ctx.folded(|| {
            ctx.monitor(sink);
            ctx.send(sink, atom("quiet"));
            ctx.send_alias(sink, stale, atom("late"));
        });
        ctx.send(sink, atom("loud"));
        Ok(())
    });
    sim.run();
    let events = sim.events();
    let by_worker = |e: &&otpsim::trace::Event| match &e.kind {
        EventKind::Monitor { watcher, .. } => *watcher == worker,
        EventKind::Send { from, .. } => *from == Some(worker),
        _ => false,
    };
    let traced: Vec<_> = events
        .iter()
        .filter(by_worker)
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(
        traced.len(),
        1,
        "only the send after the fold is traced: {traced:?}"
    );
    assert!(matches!(&traced[0], EventKind::Send { msg, .. } if msg.is_atom("loud")));
    let drops = events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Drop { msg, .. } if msg.is_atom("late")))
        .count();
    assert_eq!(drops, 1);
    // The folded send was delivered: the sink received `quiet` first.
    let first_recv = events.iter().find_map(|e| match &e.kind {
        EventKind::Recv { pid, msg } if *pid == sink => Some(msg.clone()),
        _ => None,
    });
    assert_eq!(first_recv, Some(Term::atom_owned("quiet")));
}
