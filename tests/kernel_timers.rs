//! Timers (`send_after`, `cancel_timer`, `read_timer`, `send_after_named`), receive
//! timeouts and `sleep`/`work` in virtual time, and SIM-4 (semantics reference §13).

mod common;

use common::*;
use otpsim::kernel::{ms, secs};
use otpsim::term::{atom, Atom, Term};
use otpsim::trace::EventKind;

fn opt(v: Option<u64>) -> Term {
    v.map_or(atom("false"), |us| Term::Int(us as i64))
}

// send_after: the message arrives at exactly now + delay of virtual time.
#[test]
fn send_after_delivers_at_the_exact_virtual_instant() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        ctx.sleep(ms(3)).await;
        ctx.send_after(ms(7), ctx.me(), atom("tick"));
        l.push(ctx.recv().await);
        l.push(Term::Int(ctx.now_us() as i64));
        Ok(())
    });
    let report = sim.run();
    assert_eq!(log.get(), vec![atom("tick"), Term::Int(10_000)]);
    assert_eq!(report.outcome.name(), "quiescent");
    assert_eq!(report.virtual_time_us, 10_000);
}

// cancel_timer before expiry: returns the µs that were left, the message never comes,
// and the timer is gone (read_timer and a second cancel give None, i.e. false).
#[test]
fn cancel_timer_before_expiry_returns_the_time_left() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let tref = ctx.send_after(ms(1000), ctx.me(), atom("tmo1"));
        ctx.sleep(ms(300)).await;
        l.push(opt(ctx.read_timer(tref)));
        l.push(opt(ctx.cancel_timer(tref)));
        l.push(opt(ctx.read_timer(tref)));
        l.push(opt(ctx.cancel_timer(tref)));
        l.push(ctx.recv_timeout(ms(2000)).await.unwrap_or(atom("none")));
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.get(),
        vec![
            Term::Int(700_000),
            Term::Int(700_000),
            atom("false"),
            atom("false"),
            atom("none")
        ]
    );
    assert!(events_where(&sim, |k| matches!(k, EventKind::TimerFire { .. })).is_empty());
}

// cancel_timer after expiry (PROC-5): None, and the message stays in the mailbox.
#[test]
fn cancel_timer_after_expiry_returns_none_and_the_message_stays() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(move |ctx| async move {
        let tref = ctx.send_after(ms(10), ctx.me(), atom("tmo2"));
        ctx.sleep(ms(20)).await;
        l.push(opt(ctx.read_timer(tref)));
        l.push(opt(ctx.cancel_timer(tref)));
        ctx.sleep(ms(1)).await;
        Ok(())
    });
    sim.run_until(ms(20));
    assert_eq!(sim.mailbox(p), vec![atom("tmo2")]);
    sim.run();
    assert_eq!(log.get(), vec![atom("false"), atom("false")]);
}

// read_timer counts down with virtual time.
#[test]
fn read_timer_reports_the_time_left() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let tref = ctx.send_after(ms(50), ctx.me(), atom("t"));
        l.push(opt(ctx.read_timer(tref)));
        ctx.sleep(ms(20)).await;
        l.push(opt(ctx.read_timer(tref)));
        ctx.recv().await;
        l.push(opt(ctx.read_timer(tref)));
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.get(),
        vec![Term::Int(50_000), Term::Int(30_000), atom("false")]
    );
}

// send_after(0): the message comes once the process waits; the timer is then gone
// (fixture cancel_timer.out, zero_timeout).
#[test]
fn send_after_zero_delivers_at_once_when_the_process_waits() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        let tref = ctx.send_after(0, ctx.me(), atom("tmo4"));
        l.push(ctx.recv_timeout(ms(100)).await.unwrap_or(atom("none")));
        l.push(opt(ctx.read_timer(tref)));
        l.push(Term::Int(ctx.now_us() as i64));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![atom("tmo4"), atom("false"), Term::Int(0)]);
}

// send_after_named: the name is looked up when the timer fires, not when it is set; if
// nobody holds the name then, the message is lost.
#[test]
fn send_after_named_resolves_the_name_at_expiry() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let late_holder = sim.spawn(move |ctx| async move {
        ctx.sleep(ms(1)).await;
        ctx.register(Atom::new("later"), ctx.me()).unwrap();
        l.push(ctx.recv().await);
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        ctx.send_after_named(ms(5), Atom::new("later"), atom("found"));
        ctx.send_after_named(ms(5), Atom::new("never"), atom("lost"));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![atom("found")]);
    assert_eq!(received_by(&sim, late_holder), vec![atom("found")]);
    let fires = events_where(&sim, |k| matches!(k, EventKind::TimerFire { .. }));
    assert_eq!(fires.len(), 2, "both timers fire; one finds nobody");
    assert!(fires.iter().all(|e| e.t == ms(5)));
}

// Receive timeouts run on the virtual clock: a 50 ms timeout wakes at exactly 50_000 µs.
#[test]
fn receive_timeout_wakes_at_exactly_the_deadline() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        l.push(ctx.recv_timeout(ms(50)).await.unwrap_or(atom("timeout")));
        l.push(Term::Int(ctx.now_us() as i64));
        Ok(())
    });
    let report = sim.run();
    assert_eq!(log.get(), vec![atom("timeout"), Term::Int(50_000)]);
    assert_eq!(report.virtual_time_us, 50_000);
}

// A receive with a timeout that gets its message early returns at the message's
// instant, and its stale timeout later changes nothing.
#[test]
fn receive_with_timeout_returns_early_on_a_message() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(move |ctx| async move {
        l.push(ctx.recv_timeout(ms(50)).await.unwrap_or(atom("timeout")));
        l.push(Term::Int(ctx.now_us() as i64));
        l.push(ctx.recv_timeout(ms(100)).await.unwrap_or(atom("timeout")));
        l.push(Term::Int(ctx.now_us() as i64));
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        ctx.sleep(ms(10)).await;
        ctx.send(p, atom("early"));
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.get(),
        vec![
            atom("early"),
            Term::Int(10_000),
            atom("timeout"),
            Term::Int(110_000)
        ]
    );
}

// recv_timeout(0) (`receive ... after 0`): takes a queued message, or times out at once
// without moving the clock (PROC-4).
#[test]
fn receive_timeout_zero_takes_a_queued_message_or_times_out_at_once() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        ctx.sleep(ms(2)).await;
        ctx.send(ctx.me(), atom("queued"));
        l.push(ctx.recv_timeout(0).await.unwrap_or(atom("timeout")));
        l.push(ctx.recv_timeout(0).await.unwrap_or(atom("timeout")));
        l.push(Term::Int(ctx.now_us() as i64));
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.get(),
        vec![atom("queued"), atom("timeout"), Term::Int(2_000)]
    );
}

// sleep and work spend virtual time; messages that arrive meanwhile wait in the mailbox
// and do not cut the sleep short.
#[test]
fn sleep_and_work_advance_virtual_time_and_messages_wait() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(move |ctx| async move {
        ctx.sleep(ms(10)).await;
        l.push(Term::Int(ctx.now_us() as i64));
        ctx.work(ms(5)).await;
        l.push(Term::Int(ctx.now_us() as i64));
        l.push(Term::Int(ctx.mailbox_len() as i64));
        ctx.work(secs(2)).await;
        l.push(Term::Int(ctx.now_us() as i64));
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        ctx.sleep(ms(1)).await;
        ctx.send(p, atom("a"));
        ctx.sleep(ms(10)).await;
        ctx.send(p, atom("b"));
        Ok(())
    });
    sim.run_until(ms(12));
    assert_eq!(sim.mailbox(p), vec![atom("a"), atom("b")]);
    sim.run();
    assert_eq!(
        log.get(),
        vec![
            Term::Int(10_000),
            Term::Int(15_000),
            Term::Int(2),
            Term::Int(2_015_000)
        ]
    );
    assert!(received_by(&sim, p).is_empty());
}

// SIM-4: "Timers ... fire at exact virtual instants. A message and a timeout due at the
// same instant: the message wins if it was queued first, under the same-instant seq
// order." Here the timer was set before the receive armed its timeout.
#[test]
fn sim4_message_due_with_a_timeout_wins_when_set_first() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn_labelled("waiter", move |ctx| async move {
        ctx.sleep(1).await; // let the timer be set first
        l.push(
            ctx.recv_timeout(ms(50) - 1)
                .await
                .unwrap_or(atom("timeout")),
        );
        l.push(Term::Int(ctx.now_us() as i64));
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        ctx.send_after(ms(50), p, atom("msg"));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![atom("msg"), Term::Int(50_000)]);
}

// SIM-4: the other way round: the receive's timeout was armed first, so it wins; the
// process resumes before the later same-instant timer entry, and the message is queued
// just after, at the same instant.
#[test]
fn sim4_timeout_due_with_a_message_wins_when_armed_first() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(move |ctx| async move {
        l.push(ctx.recv_timeout(ms(50)).await.unwrap_or(atom("timeout")));
        l.push(Term::Int(ctx.now_us() as i64));
        l.push(ctx.recv_timeout(0).await.unwrap_or(atom("none")));
        l.push(ctx.recv().await);
        l.push(Term::Int(ctx.now_us() as i64));
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        ctx.send_after(ms(50), p, atom("msg"));
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.get(),
        vec![
            atom("timeout"),
            Term::Int(50_000),
            atom("none"),
            atom("msg"),
            Term::Int(50_000)
        ]
    );
}
