//! Conformance tests for the SIG rules (semantics reference §2), one per rule and one per
//! row of the SIG-3 table, plus SIM-2 (§13).

mod common;

use common::*;
use otpsim::kernel::{ms, Sim};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::{EventKind, SignalOutcome};

/// What happened to a target process: its exit reason (`end_of_body` when it survived to
/// the end of its body) and the messages it found queued after 1 ms.
struct Seen {
    reason: Term,
    messages: Vec<Term>,
}

fn seen(sim: &Sim, pid: Pid, log: &Log) -> Seen {
    Seen {
        reason: exit_reason(sim, pid).expect("the target ended"),
        messages: log.get(),
    }
}

/// A target with the given `trap_exit` that gets `exit(Target, reason)` from another
/// process. Returns the sender's pid and what the target saw.
fn exit_call_case(trap: bool, reason: Term) -> (Pid, Seen) {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let target = sim.spawn(move |ctx| async move {
        ctx.trap_exit(trap);
        ctx.sleep(ms(1)).await;
        for m in drain(&ctx).await {
            l.push(m);
        }
        Err(atom("end_of_body"))
    });
    let sender = sim.spawn(move |ctx| async move {
        ctx.exit(target, reason);
        Ok(())
    });
    sim.run();
    (sender, seen(&sim, target, &log))
}

/// A target with the given `trap_exit` whose `spawn_link`ed child exits with `reason`.
/// Returns the child's pid and what the target saw.
fn link_case(trap: bool, reason: Term) -> (Pid, Seen) {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let target = sim.spawn(move |ctx| async move {
        ctx.trap_exit(trap);
        ctx.spawn_link(move |_c| async move { Err(reason) });
        ctx.sleep(ms(1)).await;
        for m in drain(&ctx).await {
            l.push(m);
        }
        Err(atom("end_of_body"))
    });
    sim.run();
    let child = children_of(&sim, target)[0];
    (child, seen(&sim, target, &log))
}

// SIG-1: "A link is symmetric, and there is at most one link between two processes
// (linking twice changes nothing). unlink removes it in both directions."
#[test]
fn sig1_link_is_symmetric_single_and_unlink_removes_both_directions() {
    let mut sim = recording_sim();
    let b = sim.spawn(idle);
    let a = sim.spawn(move |ctx| async move {
        ctx.link(b).unwrap();
        ctx.link(b).unwrap();
        ctx.sleep(ms(1)).await;
        ctx.unlink(b);
        ctx.sleep(ms(1)).await;
        Err(atom("boom"))
    });
    sim.run_until(ms(1) - 1);
    assert_eq!(sim.links(a), vec![b]);
    assert_eq!(sim.links(b), vec![a]);
    let links = events_where(&sim, |k| matches!(k, EventKind::Link { .. }));
    assert_eq!(links.len(), 1, "linking twice changes nothing");
    sim.run_until(ms(1));
    assert!(sim.links(a).is_empty());
    assert!(sim.links(b).is_empty());
    sim.run_until(ms(3));
    // a died with boom after unlinking: b, not trapping, is unaffected.
    assert_eq!(exit_reason(&sim, a), Some(atom("boom")));
    assert!(sim.is_alive(b));
}

// SIG-1: "Once unlink returns, no exit signal caused by that link reaches the caller ...
// An EXIT message that arrived earlier stays in the mailbox."
#[test]
fn sig1_unlink_keeps_an_exit_message_that_already_arrived() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        let p1 = ctx.spawn_link(|_c| async { Err(atom("bye")) });
        ctx.sleep(ms(1)).await;
        ctx.unlink(p1);
        l.push(Term::Int(ctx.mailbox_len() as i64));
        l.push(ctx.recv_timeout(0).await.unwrap_or(atom("none")));
        l.push(Term::Pid(p1));
        Ok(())
    });
    sim.run();
    let got = log.get();
    let p1 = got[2].as_pid().unwrap();
    assert_eq!(got[..2], [Term::Int(1), exit_msg(p1, atom("bye"))]);
}

// SIG-2: "Linking to a process that is already dead: a caller that traps exits gets the
// message {'EXIT', Pid, noproc}; a caller that does not trap gets a noproc error raised by
// the link call itself. The error can be caught, and the caller does not die."
#[test]
fn sig2_link_to_a_dead_process() {
    for trap in [true, false] {
        let mut sim = recording_sim();
        let log = Log::new();
        let l = log.clone();
        let caller = sim.spawn(move |ctx| async move {
            ctx.trap_exit(trap);
            let dead = ctx.spawn(|_c| async { Ok(()) });
            ctx.sleep(ms(1)).await;
            l.push(match ctx.link(dead) {
                Ok(()) => atom("true"),
                Err(e) => Term::tagged("error", e),
            });
            ctx.sleep(ms(1)).await;
            l.push(Term::list(drain(&ctx).await));
            l.push(Term::Pid(dead));
            Err(atom("end_of_body"))
        });
        sim.run();
        let got = log.get();
        let dead = got[2].as_pid().unwrap();
        if trap {
            assert_eq!(got[0], atom("true"));
            assert_eq!(got[1], Term::list([exit_msg(dead, atom("noproc"))]));
        } else {
            assert_eq!(got[0], Term::tagged("error", atom("noproc")));
            assert_eq!(got[1], Term::list([]));
        }
        assert_eq!(exit_reason(&sim, caller), Some(atom("end_of_body")));
    }
}

// SIG-3 row 1: "kill, sent with exit(P, kill): P dies, reason killed (cannot be trapped)."
#[test]
fn sig3_kill_via_exit_call_is_untrappable() {
    for trap in [false, true] {
        let (_, seen) = exit_call_case(trap, atom("kill"));
        assert_eq!(seen.reason, atom("killed"), "trap_exit {trap}");
        assert!(seen.messages.is_empty());
        // exit(self(), kill) too (fixture exit_self.out).
        let (_, by_self) = exit_self_case(trap, atom("kill"));
        assert_eq!(by_self.reason, atom("killed"), "trap_exit {trap}");
        assert!(by_self.messages.is_empty());
    }
}

// SIG-3 row 2: "kill, arriving over a link ... P not trapping: P dies with reason kill."
#[test]
fn sig3_kill_over_link_kills_a_non_trapping_process_with_reason_kill() {
    let (_, seen) = link_case(false, atom("kill"));
    assert_eq!(seen.reason, atom("kill"));
}

// SIG-3 row 2: "kill, arriving over a link ... P trapping: message {'EXIT', From, kill}."
#[test]
fn sig3_kill_over_link_is_trapped_as_an_exit_message() {
    let (child, seen) = link_case(true, atom("kill"));
    assert_eq!(seen.reason, atom("end_of_body"));
    assert_eq!(seen.messages, vec![exit_msg(child, atom("kill"))]);
}

// SIG-3 row 3: "normal, From ≠ P: P not trapping: ignored."
#[test]
fn sig3_normal_from_another_process_is_ignored_when_not_trapping() {
    let (_, by_call) = exit_call_case(false, atom("normal"));
    let (_, by_link) = link_case(false, atom("normal"));
    for seen in [by_call, by_link] {
        assert_eq!(seen.reason, atom("end_of_body"));
        assert!(seen.messages.is_empty());
    }
}

// SIG-3 row 3: "normal, From ≠ P: P trapping: message {'EXIT', From, normal}."
#[test]
fn sig3_normal_from_another_process_is_trapped_as_a_message() {
    let (sender, by_call) = exit_call_case(true, atom("normal"));
    assert_eq!(by_call.messages, vec![exit_msg(sender, atom("normal"))]);
    let (child, by_link) = link_case(true, atom("normal"));
    assert_eq!(by_link.messages, vec![exit_msg(child, atom("normal"))]);
    assert_eq!(by_link.reason, atom("end_of_body"));
}

/// A process that calls `exit(self(), reason)`, logs `next`, waits 1 ms, then logs
/// `after_wait` and whatever it was sent.
fn exit_self_case(trap: bool, reason: Term) -> (Pid, Seen) {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(move |ctx| async move {
        ctx.trap_exit(trap);
        ctx.exit(ctx.me(), reason);
        l.push(atom("next"));
        ctx.sleep(ms(1)).await;
        l.push(atom("after_wait"));
        for m in drain(&ctx).await {
            l.push(m);
        }
        Err(atom("end_of_body"))
    });
    sim.run();
    (p, seen(&sim, p, &log))
}

// SIG-3 row 4: "normal, From = P (exit(self(), normal)): P not trapping: P dies, reason
// normal." As in OTP (fixture exit_self.out), the process ends inside the exit/2 call:
// the statement right after it never runs.
#[test]
fn sig3_exit_self_normal_kills_a_non_trapping_process() {
    let (_, seen) = exit_self_case(false, atom("normal"));
    assert_eq!(seen.reason, atom("normal"));
    assert!(seen.messages.is_empty(), "ran on: {:?}", seen.messages);
}

// SIG-3 row 4: "normal, From = P: P trapping: message."
#[test]
fn sig3_exit_self_normal_is_trapped_as_a_message() {
    let (p, seen) = exit_self_case(true, atom("normal"));
    assert_eq!(seen.reason, atom("end_of_body"));
    assert_eq!(
        seen.messages,
        vec![
            atom("next"),
            atom("after_wait"),
            exit_msg(p, atom("normal"))
        ]
    );
}

// SIG-3 row 5: "anything else, including shutdown, {shutdown,_}, killed: P not trapping:
// P dies with the same R."
#[test]
fn sig3_other_reasons_kill_a_non_trapping_process_with_the_same_reason() {
    for reason in [atom("shutdown"), shutdown_x(), atom("killed"), atom("boom")] {
        let (_, by_call) = exit_call_case(false, reason.clone());
        assert_eq!(by_call.reason, reason);
        let (_, by_link) = link_case(false, reason.clone());
        assert_eq!(by_link.reason, reason);
        let (_, by_self) = exit_self_case(false, reason.clone());
        assert_eq!(by_self.reason, reason);
        assert!(
            by_self.messages.is_empty(),
            "exit(self(), R) ends it at once"
        );
    }
}

// SIG-3 row 5: "anything else ...: P trapping: message {'EXIT', From, R}."
#[test]
fn sig3_other_reasons_are_trapped_as_exit_messages() {
    for reason in [atom("shutdown"), shutdown_x(), atom("killed"), atom("boom")] {
        let (sender, by_call) = exit_call_case(true, reason.clone());
        assert_eq!(by_call.messages, vec![exit_msg(sender, reason.clone())]);
        let (child, by_link) = link_case(true, reason.clone());
        assert_eq!(by_link.messages, vec![exit_msg(child, reason.clone())]);
        assert_eq!(by_link.reason, atom("end_of_body"));
    }
}

// SIG-3: "The trap_exit flag that counts is the one in force when P handles the signal,
// not when it was sent."
#[test]
fn sig3_trap_exit_flag_in_force_at_handling_time_counts() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        ctx.sleep(ms(1)).await; // the first signal arrives while trapping
        l.push(Term::list(drain(&ctx).await));
        ctx.trap_exit(false);
        ctx.sleep(ms(1)).await; // the second one while not trapping
        l.push(atom("survived"));
        Ok(())
    });
    let sender = sim.spawn(move |ctx| async move {
        ctx.exit(p, atom("shutdown"));
        ctx.sleep(ms(1) + 1).await;
        ctx.exit(p, atom("shutdown"));
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.get(),
        vec![Term::list([exit_msg(sender, atom("shutdown"))])]
    );
    assert_eq!(exit_reason(&sim, p), Some(atom("shutdown")));
    let outcomes: Vec<SignalOutcome> = events_where(
        &sim,
        |k| matches!(k, EventKind::ExitSignalHandled { to, .. } if *to == p),
    )
    .into_iter()
    .map(|e| match e.kind {
        EventKind::ExitSignalHandled { outcome, .. } => outcome,
        _ => unreachable!(),
    })
    .collect();
    assert_eq!(
        outcomes,
        vec![SignalOutcome::Trapped, SignalOutcome::KilledReceiver]
    );
}

// SIG-4: "To the runtime, only normal spares a non-trapping linked process. A linked child
// that exits with {shutdown, x} kills a non-trapping parent with that same reason."
#[test]
fn sig4_clean_shutdown_reasons_still_kill_a_non_trapping_linked_parent() {
    for reason in [shutdown_x(), atom("shutdown")] {
        let (_, seen) = link_case(false, reason.clone());
        assert_eq!(seen.reason, reason);
    }
    let (_, spared) = link_case(false, atom("normal"));
    assert_eq!(spared.reason, atom("end_of_body"));
}

// SIG-5: "killed spreads onward as killed, never as kill: processes linked to a killed
// process get an ordinary, trappable killed signal."
#[test]
fn sig5_killed_spreads_onward_as_trappable_killed() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let victim = sim.spawn(forever);
    let plain = sim.spawn(move |ctx| async move {
        ctx.link(victim).unwrap();
        forever(ctx).await
    });
    let trapper = sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        ctx.link(victim).unwrap();
        l.push(ctx.recv().await);
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        ctx.exit(victim, atom("kill"));
        Ok(())
    });
    sim.run();
    assert_eq!(exit_reason(&sim, victim), Some(atom("killed")));
    assert_eq!(exit_reason(&sim, plain), Some(atom("killed")));
    assert_eq!(log.get(), vec![exit_msg(victim, atom("killed"))]);
    assert_eq!(exit_reason(&sim, trapper), Some(atom("normal")));
}

// SIG-6: "spawn_link creates the process and the link in one step, so no death of the
// child can be missed."
#[test]
fn sig6_spawn_link_links_from_the_first_instant() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let parent = sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        // Killed before it ever runs: the link already exists.
        let never_ran = ctx.spawn_link(forever);
        ctx.exit(never_ran, atom("kill"));
        // Crashes on its very first step.
        let crasher = ctx.spawn_link(|_c| async { Err(atom("boom")) });
        l.push(ctx.recv().await);
        l.push(ctx.recv().await);
        l.push(Term::Pid(never_ran));
        l.push(Term::Pid(crasher));
        Ok(())
    });
    sim.run();
    let got = log.get();
    let (never_ran, crasher) = (got[2].as_pid().unwrap(), got[3].as_pid().unwrap());
    assert_eq!(
        got[..2],
        [
            exit_msg(never_ran, atom("killed")),
            exit_msg(crasher, atom("boom"))
        ]
    );
    // One spawn event with linked: true per child, and no separate link event.
    let spawns = events_where(
        &sim,
        |k| matches!(k, EventKind::Spawn { parent: Some(p), linked: true, .. } if *p == parent),
    );
    assert_eq!(spawns.len(), 2);
    assert!(events_where(&sim, |k| matches!(k, EventKind::Link { .. })).is_empty());
}

// SIM-2: "A non-trapping process that gets a fatal exit signal dies as soon as it runs
// again, even with messages it has not yet received ahead of the signal in its mailbox;
// those messages are lost. It does not wait for a matching receive." A trapped EXIT joins
// the mailbox in arrival order.
#[test]
fn sim2_fatal_signal_overtakes_queued_messages_and_trapped_exit_keeps_its_place() {
    for trap in [false, true] {
        let mut sim = recording_sim();
        let p = sim.spawn(move |ctx| async move {
            ctx.trap_exit(trap);
            ctx.sleep(ms(1)).await;
            // Waits for a message nobody sends, then takes what is queued.
            ctx.recv_match(|m| m.is_atom("go"), Some(ms(1))).await;
            drain(&ctx).await;
            Err(atom("end_of_body"))
        });
        let sender = sim.spawn(move |ctx| async move {
            ctx.send(p, atom("m1"));
            ctx.exit(p, atom("boom"));
            ctx.send(p, atom("m2"));
            Ok(())
        });
        sim.run();
        if trap {
            assert_eq!(
                received_by(&sim, p),
                vec![atom("m1"), exit_msg(sender, atom("boom")), atom("m2")]
            );
            assert_eq!(exit_reason(&sim, p), Some(atom("end_of_body")));
        } else {
            assert!(received_by(&sim, p).is_empty(), "queued messages are lost");
            assert_eq!(exit_reason(&sim, p), Some(atom("boom")));
            // It died at the instant of the signal, not after its 1 ms sleep.
            let exit = events_where(
                &sim,
                |k| matches!(k, EventKind::Exit { pid, .. } if *pid == p),
            );
            assert_eq!(exit[0].t, 0);
        }
    }
}
