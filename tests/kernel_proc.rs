//! Conformance tests for the PROC rules (semantics reference §1), SIM-1 and SIM-3 (§13),
//! and the determinism of whole runs (design §3).

mod common;

use common::*;
use otpsim::kernel::{ms, Ctx, Sim, SimConfig, SpawnOpts};
use otpsim::term::{atom, Atom, Pid, Term};
use otpsim::trace::{EventKind, Via};
use rand_core::RngCore;

// PROC-1: "Signals from one sender to one receiver arrive in the order they were sent."
#[test]
fn proc1_signals_from_one_sender_arrive_in_send_order() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let receiver = sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        for _ in 0..101 {
            l.push(ctx.recv().await);
        }
        Ok(())
    });
    let sender = sim.spawn(move |ctx| async move {
        for i in 0..50 {
            ctx.send(receiver, Term::Int(i));
        }
        // An exit signal between messages: trapped, it joins the mailbox in order.
        ctx.exit(receiver, atom("normal"));
        for i in 50..100 {
            ctx.send(receiver, Term::Int(i));
        }
        Ok(())
    });
    let mut expected: Vec<Term> = (0..50).map(Term::Int).collect();
    expected.push(exit_msg(sender, atom("normal")));
    expected.extend((50..100).map(Term::Int));
    sim.run();
    let got = log.get();
    assert_eq!(got.len(), 101);
    assert_eq!(got, expected);
}

// PROC-2: "There is no ordering between different senders ... otpsim's default (delivery
// in global send order, which keeps causal order) is one legal OTP behaviour."
#[test]
fn proc2_default_schedule_delivers_across_senders_in_global_send_order() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let b = sim.spawn(move |ctx| async move {
        l.push(ctx.recv().await);
        l.push(ctx.recv().await);
        Ok(())
    });
    let c = sim.spawn(move |ctx| async move {
        let m = ctx.recv().await;
        ctx.send(b, Term::tagged("fwd", m));
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        ctx.send(b, atom("m1"));
        ctx.send(c, atom("m2"));
        Ok(())
    });
    sim.run();
    // OTP would also allow {fwd, m2} first; otpsim's default keeps the global send order.
    assert_eq!(log.get(), vec![atom("m1"), Term::tagged("fwd", atom("m2"))]);
}

/// PROC-3 scenario: a linked, monitored child sends `m` to its trapping parent, then exits.
fn message_then_death(reason: Term) -> Vec<Term> {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        let w = ctx.me();
        let opts = SpawnOpts {
            link: true,
            monitor: true,
            ..SpawnOpts::default()
        };
        let (p, _) = ctx.spawn_opt(opts, move |c| async move {
            c.recv().await;
            c.send(w, atom("m"));
            Err(reason)
        });
        ctx.send(p, atom("go"));
        for _ in 0..3 {
            let m = ctx.recv().await;
            // Keep the shape and the reason, drop the pid and ref.
            let shown = match m.as_tuple() {
                Some([t, _, r]) if t.is_atom("EXIT") => Term::tuple([t.clone(), r.clone()]),
                Some([t, _, _, _, r]) if t.is_atom("DOWN") => Term::tuple([t.clone(), r.clone()]),
                _ => m.clone(),
            };
            l.push(shown);
        }
        Ok(())
    });
    sim.run();
    log.get()
}

// PROC-3: "A message that a process sends before it dies reaches the receiver before the
// EXIT or DOWN caused by that death."
#[test]
fn proc3_message_sent_before_death_arrives_before_exit_and_down() {
    for reason in [atom("r"), atom("normal"), atom("kill")] {
        let tag = |t: &'static str| Term::tuple([Term::atom_owned(t), reason.clone()]);
        assert_eq!(
            message_then_death(reason.clone()),
            vec![atom("m"), tag("EXIT"), tag("DOWN")],
            "reason {reason}"
        );
    }
}

// PROC-4: "receive is selective. Messages that do not match stay in the mailbox in arrival
// order and are tried first at the next receive. receive … after 0 takes a matching
// message if one is already queued, and only otherwise times out."
#[test]
fn proc4_selective_receive_keeps_unmatched_messages_in_order() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(move |ctx| async move {
        ctx.sleep(ms(1)).await;
        l.push(ctx.recv_match(|m| m.is_atom("c"), None).await.unwrap());
        // after 0 with a matching message queued: takes it.
        let b = ctx.recv_match(|m| m.is_atom("b"), Some(0)).await;
        l.push(b.unwrap());
        // after 0 with nothing matching: times out at once, the clock does not move.
        let before = ctx.now_us();
        assert_eq!(ctx.recv_match(|m| m.is_atom("z"), Some(0)).await, None);
        assert_eq!(ctx.now_us(), before);
        l.push(ctx.recv().await);
        l.push(ctx.recv().await);
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        for m in ["a", "b", "c", "d"] {
            ctx.send(p, atom(m));
        }
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![atom("c"), atom("b"), atom("a"), atom("d")]);
}

// PROC-5: "Timer messages are sent by the runtime at expiry ... If cancel_timer comes after
// expiry, the message is already in the mailbox and stays there."
#[test]
fn proc5_timer_message_sent_at_expiry_stays_after_late_cancel() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(move |ctx| async move {
        let tref = ctx.send_after(ms(1), ctx.me(), atom("tick"));
        ctx.sleep(ms(2)).await;
        l.push(Term::from(ctx.cancel_timer(tref).is_none()));
        l.push(ctx.recv_timeout(0).await.unwrap_or(atom("none")));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![Term::TRUE, atom("tick")]);
    let fires = events_where(&sim, |k| matches!(k, EventKind::TimerFire { .. }));
    assert_eq!(fires.len(), 1);
    assert_eq!(fires[0].t, ms(1));
    assert!(matches!(&fires[0].kind, EventKind::TimerFire { owner, .. } if *owner == Term::Pid(p)));
}

// PROC-6 / SIM-3: "release the name, then send link signals ..., then DOWNs in
// monitor-creation order." otpsim deliberately sends the link signals in partner spawn
// order (pid order), not link-creation order: here B links first, A is signalled first.
#[test]
fn proc6_sim3_death_releases_name_then_links_then_downs() {
    let mut sim = recording_sim();
    let trapping_linker = |delay: u64| {
        move |ctx: Ctx| async move {
            ctx.trap_exit(true);
            ctx.sleep(delay).await;
            let p = ctx.whereis(&Atom::new("victim")).unwrap();
            ctx.link(p).unwrap();
            ctx.recv().await;
            Ok(())
        }
    };
    let monitorer = |delay: u64| {
        move |ctx: Ctx| async move {
            ctx.sleep(delay).await;
            let p = ctx.whereis(&Atom::new("victim")).unwrap();
            ctx.monitor(p);
            ctx.recv().await;
            Ok(())
        }
    };
    let victim = sim.spawn(|ctx| async move {
        ctx.register(Atom::new("victim"), ctx.me()).unwrap();
        ctx.sleep(ms(10)).await;
        Err(atom("boom"))
    });
    let a = sim.spawn(trapping_linker(2)); // spawned first, links second
    let b = sim.spawn(trapping_linker(1)); // spawned second, links first
    let m2 = sim.spawn(monitorer(4)); // spawned first, monitors second
    let m1 = sim.spawn(monitorer(3)); // spawned second, monitors first
    sim.run();
    let death: Vec<EventKind> = sim
        .events()
        .into_iter()
        .skip_while(|e| !matches!(&e.kind, EventKind::Exit { pid, .. } if *pid == victim))
        .map(|e| e.kind)
        .filter(|k| {
            matches!(
                k,
                EventKind::Exit { .. }
                    | EventKind::Unregister { .. }
                    | EventKind::ExitSignal { .. }
                    | EventKind::Down { .. }
            )
        })
        .take(6)
        .collect();
    let order: Vec<(&str, Option<Pid>)> = death
        .iter()
        .map(|k| match k {
            EventKind::Exit { pid, .. } => ("exit", Some(*pid)),
            EventKind::Unregister { pid, .. } => ("unregister", Some(*pid)),
            EventKind::ExitSignal { to, via, .. } => {
                assert_eq!(*via, Via::Link);
                ("exit_signal", Some(*to))
            }
            EventKind::Down { watcher, .. } => ("down", Some(*watcher)),
            _ => ("other", None),
        })
        .collect();
    assert_eq!(
        order,
        vec![
            ("exit", Some(victim)),
            ("unregister", Some(victim)),
            ("exit_signal", Some(a)),
            ("exit_signal", Some(b)),
            ("down", Some(m1)),
            ("down", Some(m2)),
        ]
    );
    assert_eq!(sim.whereis(&Atom::new("victim")), None);
}

// PROC-6: "For one receiver that both links to and monitors P, the EXIT arrived before the
// DOWN ..., in whichever order the link and monitor were made."
#[test]
fn proc6_exit_before_down_whichever_was_made_first() {
    for monitor_first in [true, false] {
        let mut sim = recording_sim();
        let log = Log::new();
        let l = log.clone();
        sim.spawn(move |ctx| async move {
            ctx.trap_exit(true);
            let p = ctx.spawn(|c| async move {
                c.sleep(ms(1)).await;
                Err(atom("bye"))
            });
            if monitor_first {
                ctx.monitor(p);
                ctx.link(p).unwrap();
            } else {
                ctx.link(p).unwrap();
                ctx.monitor(p);
            }
            for _ in 0..2 {
                l.push(Term::atom_owned(ctx.recv().await.tag().unwrap_or("?")));
            }
            Ok(())
        });
        sim.run();
        assert_eq!(log.get(), vec![atom("EXIT"), atom("DOWN")]);
    }
}

// PROC-7: "returning from its initial function means reason normal; exit(R) means R; an
// uncaught error E means {E, Stacktrace}." In otpsim a body returns Ok(()) (normal) or
// Err(R) (R); a Rust panic is the uncaught error and gives {panic, <<"msg">>}. throw/1
// has no Rust counterpart.
#[test]
fn proc7_end_states_give_normal_the_returned_reason_or_panic() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        ctx.spawn_monitor(|_c| async { Ok(()) });
        ctx.spawn_monitor(|_c| async { Err(atom("my_reason")) });
        ctx.spawn_monitor(|_c| async { panic!("kaput") });
        for _ in 0..3 {
            let down = ctx.recv().await;
            l.push(down.as_tuple().unwrap()[4].clone());
        }
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.get(),
        vec![
            atom("normal"),
            atom("my_reason"),
            Term::tuple([atom("panic"), Term::bin("kaput")])
        ]
    );
}

// SIM-1: "Deliver every signal into the receiver's queue at send time, with a global
// sequence number."
#[test]
fn sim1_signals_are_queued_at_send_time_with_a_global_sequence() {
    let mut sim = recording_sim();
    let receiver = sim.spawn(|ctx| async move {
        ctx.trap_exit(true);
        ctx.sleep(ms(1000)).await;
        Ok(())
    });
    let sender = sim.spawn(move |ctx| async move {
        ctx.send(receiver, atom("m1"));
        ctx.exit(receiver, atom("shutdown"));
        ctx.send(receiver, atom("m2"));
        Ok(())
    });
    sim.run_until(ms(500));
    // The receiver has not run since: everything is already in its queue, in send order.
    assert_eq!(
        sim.mailbox(receiver),
        vec![atom("m1"), exit_msg(sender, atom("shutdown")), atom("m2")]
    );
    sim.run();
    let events = sim.events();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64, "seq without gaps");
    }
    assert!(
        events.windows(2).all(|w| w[0].t <= w[1].t),
        "t never decreases"
    );
}

/// A small but busy program: a ring of processes passing a token, with random work
/// times from the run's seed, a timer, a crash and a monitor.
fn program(sim: &mut Sim) {
    sim.spawn(|ctx| async move {
        let mut rng = ctx.rng("ring");
        let mut next = ctx.me();
        for _ in 0..5 {
            let me_next = next;
            next = ctx.spawn_link(move |c| async move {
                let mut rng = c.rng("member");
                loop {
                    let m = c.recv().await;
                    c.work(rng.next_u64() % 100).await;
                    c.send(me_next, m.clone());
                    if m.as_int() == Some(0) {
                        return Ok(());
                    }
                }
            });
        }
        ctx.send_after(ms(1), ctx.me(), atom("late"));
        for hops in (0..20).rev() {
            ctx.send(next, Term::Int(hops));
            ctx.recv_match(|m| m.as_int().is_some(), None).await;
            ctx.work(rng.next_u64() % 50).await;
        }
        ctx.spawn_monitor(|_c| async { panic!("inner crash") });
        ctx.recv().await;
        ctx.recv().await;
        Ok(())
    });
}

fn run_program(seed: u64, record: bool) -> otpsim::kernel::RunReport {
    let mut sim = Sim::new(SimConfig {
        seed,
        record,
        ..SimConfig::default()
    });
    program(&mut sim);
    sim.run()
}

// Design §3 rule 5: "Same scenario, seed and otpsim version → same fingerprint."
#[test]
fn determinism_same_program_twice_gives_the_same_fingerprint() {
    let a = run_program(7, false);
    let b = run_program(7, false);
    assert_eq!(a, b);
    assert!(a.events > 50, "the program does something: {a:?}");
    let other_seed = run_program(8, false);
    assert_ne!(a.fingerprint, other_seed.fingerprint, "the seed matters");
}

// Recorder: "switching recording off never changes the fingerprint."
#[test]
fn determinism_recording_on_or_off_gives_the_same_fingerprint() {
    assert_eq!(run_program(7, true), run_program(7, false));
    let mut sim = Sim::new(SimConfig {
        seed: 7,
        record: true,
        ..SimConfig::default()
    });
    program(&mut sim);
    let report = sim.run();
    assert_eq!(sim.events().len() as u64, report.events);
    assert_eq!(sim.fingerprint(), report.fingerprint);
}

// A receive from a mark looks only at later messages, and finds them even when
// earlier ones were taken out meanwhile (the BEAM's receive mark).
#[test]
fn receive_since_mark_sees_only_later_messages() {
    use otpsim::term::atom;
    let mut sim = otpsim::kernel::Sim::new(otpsim::kernel::SimConfig::default());
    let got = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let g = got.clone();
    sim.spawn(move |ctx| async move {
        let me = ctx.me();
        ctx.send(me, atom("old"));
        ctx.send(me, atom("x"));
        let mark = ctx.mailbox_mark();
        ctx.send(me, atom("new"));
        ctx.send(me, atom("x"));
        // Taking a pre-mark message out must not make the marked receive skip one.
        let first = ctx.recv_match(|m| m.is_atom("old"), Some(0)).await;
        g.borrow_mut().push(first);
        let marked = ctx
            .recv_match(|m| m.is_atom("x"), Some(0))
            .since_mark(mark)
            .await;
        g.borrow_mut().push(marked);
        // The pre-mark `x` is still there for an unmarked receive.
        let old_x = ctx.recv_match(|m| m.is_atom("x"), Some(0)).await;
        g.borrow_mut().push(old_x);
        let last = ctx.recv_timeout(0).await;
        g.borrow_mut().push(last);
        Ok(())
    });
    sim.run();
    assert_eq!(
        *got.borrow(),
        vec![
            Some(atom("old")),
            Some(atom("x")),
            Some(atom("x")),
            Some(atom("new"))
        ]
    );
}
