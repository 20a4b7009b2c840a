//! Run limits (design §3, rule 6): "Everything has a limit ... Hitting one ends the run
//! with a named outcome and a clear message, never a hang or an out-of-memory." Each
//! test below would hang or exhaust memory if its limit did not stop the run.

mod common;

use common::*;
use otpsim::kernel::{ms, Limits, Outcome, Sim, SimConfig};
use otpsim::term::{atom, Term};

fn limits() -> Limits {
    Limits {
        max_events: 1_000_000,
        max_events_per_instant: 10_000,
        max_processes: 1_000,
        max_mailbox_len: 1_000,
        max_virtual_time_us: 3_600_000_000,
    }
}

/// Checks the parts every limit outcome shares: a stable name, not normal, a message.
fn assert_limit(outcome: &Outcome, name: &str) {
    assert_eq!(outcome.name(), name, "{outcome}");
    assert!(!outcome.is_normal());
    assert!(outcome.to_string().contains("limit"), "{outcome}");
}

// A run with nothing left to do ends as quiescent, a normal outcome.
#[test]
fn a_finished_run_is_quiescent() {
    let mut sim = sim_with_limits(limits());
    sim.spawn(|ctx| async move {
        ctx.sleep(ms(1)).await;
        Ok(())
    });
    let report = sim.run();
    assert_eq!(report.outcome, Outcome::Quiescent);
    assert!(report.outcome.is_normal());
    assert_eq!(report.virtual_time_us, ms(1));
}

// max_events_per_instant: a process that sends to itself and receives for ever, without
// time moving on, ends the run as livelock_limit.
#[test]
fn livelock_send_to_self_and_receive_ends_as_livelock_limit() {
    let mut sim = sim_with_limits(limits());
    let p = sim.spawn(|ctx| async move {
        ctx.sleep(ms(3)).await;
        loop {
            ctx.send(ctx.me(), atom("again"));
            ctx.recv().await;
        }
    });
    let report = sim.run();
    assert_limit(&report.outcome, "livelock_limit");
    assert_eq!(
        report.outcome,
        Outcome::LivelockLimit {
            limit: 10_000,
            at_us: ms(3)
        }
    );
    assert_eq!(report.virtual_time_us, ms(3));
    // The process is left as it was: the run stopped, nobody killed it.
    assert!(sim.is_alive(p));
}

// max_events_per_instant also catches two processes ping-ponging at one instant.
#[test]
fn livelock_between_two_processes_ends_as_livelock_limit() {
    let mut sim = sim_with_limits(limits());
    let a = sim.spawn(|ctx| async move {
        loop {
            let m = ctx.recv().await;
            ctx.send(m.as_pid().unwrap(), Term::Pid(ctx.me()));
        }
    });
    sim.spawn(move |ctx| async move {
        ctx.send(a, Term::Pid(ctx.me()));
        loop {
            let m = ctx.recv().await;
            ctx.send(m.as_pid().unwrap(), Term::Pid(ctx.me()));
        }
    });
    let report = sim.run();
    assert_limit(&report.outcome, "livelock_limit");
}

// max_processes: a process spawning in an endless loop ends the run as process_limit.
#[test]
fn endless_spawning_ends_as_process_limit() {
    let mut sim = sim_with_limits(limits());
    sim.spawn(|ctx| async move {
        loop {
            ctx.spawn(forever);
        }
    });
    let report = sim.run();
    assert_limit(&report.outcome, "process_limit");
    assert_eq!(report.outcome, Outcome::ProcessLimit { limit: 1_000 });
    assert_eq!(sim.live_processes(), 1_000);
}

// max_processes, with a spawner that yields between spawns (each child lives on).
#[test]
fn spawning_across_instants_ends_as_process_limit() {
    let mut sim = sim_with_limits(limits());
    sim.spawn(|ctx| async move {
        loop {
            ctx.spawn_link(forever);
            ctx.sleep(1).await;
        }
    });
    let report = sim.run();
    assert_limit(&report.outcome, "process_limit");
    assert!(report.virtual_time_us >= 998);
}

// max_mailbox_len: flooding a process that never receives ends as mailbox_limit, naming
// the process whose mailbox overflowed.
#[test]
fn mailbox_flood_ends_as_mailbox_limit() {
    let mut sim = sim_with_limits(limits());
    let sink = sim.spawn(|ctx| async move {
        ctx.sleep(ms(1_000)).await;
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        let mut i = 0;
        loop {
            ctx.send(sink, Term::Int(i));
            i += 1;
            if i % 100 == 0 {
                ctx.sleep(1).await; // not a livelock: time moves on
            }
        }
    });
    let report = sim.run();
    assert_limit(&report.outcome, "mailbox_limit");
    assert_eq!(
        report.outcome,
        Outcome::MailboxLimit {
            limit: 1_000,
            pid: sink
        }
    );
    assert_eq!(sim.mailbox(sink).len(), 1_000);
}

// max_events: a run that goes on for ever (time moving on) ends as event_limit.
#[test]
fn endless_ticking_ends_as_event_limit() {
    let mut sim = sim_with_limits(Limits {
        max_events: 5_000,
        ..limits()
    });
    sim.spawn(|ctx| async move {
        loop {
            ctx.send_after(ms(1), ctx.me(), atom("tick"));
            ctx.recv().await;
        }
    });
    let report = sim.run();
    assert_limit(&report.outcome, "event_limit");
    assert_eq!(report.outcome, Outcome::EventLimit { limit: 5_000 });
    assert!(
        report.events >= 5_000 && report.events < 5_010,
        "{report:?}"
    );
}

// run_until: a run with timers still pending at the end time stops as duration_reached
// at exactly that time, and can be continued.
#[test]
fn run_until_ends_as_duration_reached_and_can_continue() {
    let mut sim = sim_with_limits(limits());
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        loop {
            ctx.sleep(ms(1)).await;
            l.push(Term::Int(ctx.now_us() as i64));
        }
    });
    let first = sim.run_until(ms(10));
    assert_eq!(first.outcome, Outcome::DurationReached { at_us: ms(10) });
    assert!(first.outcome.is_normal());
    assert_eq!(first.virtual_time_us, ms(10));
    assert_eq!(
        log.get().len(),
        10,
        "events at the end time itself still happen"
    );
    let second = sim.run_until(ms(25));
    assert_eq!(second.outcome, Outcome::DurationReached { at_us: ms(25) });
    assert_eq!(log.get().len(), 25);
    assert_eq!(second.virtual_time_us, ms(25));
}

// max_virtual_time_us: run() of a program that never ends stops as duration_reached.
#[test]
fn max_virtual_time_ends_run_as_duration_reached() {
    let mut sim = Sim::new(SimConfig {
        limits: Limits {
            max_virtual_time_us: ms(5),
            ..limits()
        },
        ..SimConfig::default()
    });
    sim.spawn(|ctx| async move {
        loop {
            ctx.sleep(ms(2)).await;
        }
    });
    let report = sim.run();
    assert_eq!(report.outcome, Outcome::DurationReached { at_us: ms(5) });
    assert_eq!(report.virtual_time_us, ms(5));
    assert_eq!(sim.now_us(), ms(5));
}
