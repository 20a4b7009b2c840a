//! "Let it crash" for Rust code (design §2): "A Rust panic inside actor code is caught at
//! the task boundary and becomes that process's exit with a reason that carries the panic
//! message." The exit reason is `{panic, <<"msg">>}`.

mod common;

use common::*;
use otpsim::kernel::ms;
use otpsim::term::{atom, Term};

fn panic_reason(msg: &str) -> Term {
    Term::tuple([atom("panic"), Term::bin(msg)])
}

// A panic becomes the exit reason {panic, <<"msg">>}, for &str and formatted payloads,
// before or after the first suspension.
#[test]
fn panic_becomes_the_exit_reason() {
    let mut sim = recording_sim();
    let at_once = sim.spawn(|_ctx| async { panic!("boom") });
    let formatted = sim.spawn(|ctx| async move {
        ctx.sleep(ms(1)).await;
        let n = 42;
        panic!("bad value {n}");
    });
    let unwrapped = sim.spawn(|ctx| async move {
        let none: Option<u8> = ctx.recv_timeout(0).await.and(None);
        none.expect("nothing there");
        Ok(())
    });
    let odd_payload = sim.spawn(|_ctx| async { std::panic::panic_any(7u32) });
    let report = sim.run();
    assert_eq!(report.outcome.name(), "quiescent");
    assert_eq!(exit_reason(&sim, at_once), Some(panic_reason("boom")));
    assert_eq!(
        exit_reason(&sim, formatted),
        Some(panic_reason("bad value 42"))
    );
    assert_eq!(
        exit_reason(&sim, unwrapped),
        Some(panic_reason("nothing there"))
    );
    assert_eq!(
        exit_reason(&sim, odd_payload),
        Some(panic_reason("non-string panic payload"))
    );
}

// Linked processes see the panic like any other crash (SIG-3): a trapping one gets
// {'EXIT', P, {panic, Msg}}, a non-trapping one dies with the same reason, and a
// monitor gets the DOWN.
#[test]
fn linked_and_monitoring_processes_see_the_panic() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let crasher = sim.spawn(|ctx| async move {
        ctx.sleep(ms(1)).await;
        panic!("kaput");
    });
    let trapper = sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        ctx.link(crasher).unwrap();
        l.push(ctx.recv().await);
        Ok(())
    });
    let plain = sim.spawn(move |ctx| async move {
        ctx.link(crasher).unwrap();
        forever(ctx).await
    });
    let watcher_log = Log::new();
    let wl = watcher_log.clone();
    sim.spawn(move |ctx| async move {
        let r = ctx.monitor(crasher);
        let down = ctx.recv().await;
        wl.push(Term::from(
            down == down_msg(r, Term::Pid(crasher), panic_reason("kaput")),
        ));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![exit_msg(crasher, panic_reason("kaput"))]);
    assert_eq!(exit_reason(&sim, trapper), Some(atom("normal")));
    assert_eq!(exit_reason(&sim, plain), Some(panic_reason("kaput")));
    assert_eq!(watcher_log.get(), vec![Term::TRUE]);
}

/// Three workers; the second panics. Returns the workers' pids.
fn three_workers(sim: &mut otpsim::kernel::Sim, log: &Log) -> Vec<otpsim::term::Pid> {
    (0..3)
        .map(|i| {
            let l = log.clone();
            sim.spawn(move |ctx| async move {
                ctx.sleep(ms(1 + i)).await;
                if i == 1 {
                    panic!("worker {i} failed");
                }
                ctx.sleep(ms(10)).await;
                l.push(Term::Int(i as i64));
                Ok(())
            })
        })
        .collect()
}

// The simulation keeps running after a panic: the other processes finish normally.
#[test]
fn the_simulation_keeps_running_after_a_panic() {
    let mut sim = recording_sim();
    let log = Log::new();
    let workers = three_workers(&mut sim, &log);
    let report = sim.run();
    assert_eq!(report.outcome.name(), "quiescent");
    assert_eq!(report.virtual_time_us, ms(13));
    assert_eq!(log.get(), vec![Term::Int(0), Term::Int(2)]);
    assert_eq!(exit_reason(&sim, workers[0]), Some(atom("normal")));
    assert_eq!(
        exit_reason(&sim, workers[1]),
        Some(panic_reason("worker 1 failed"))
    );
    assert_eq!(exit_reason(&sim, workers[2]), Some(atom("normal")));
    assert_eq!(sim.live_processes(), 0);
    // A run with a crash is as deterministic as any other.
    let mut again = recording_sim();
    three_workers(&mut again, &Log::new());
    assert_eq!(again.run(), report);
}

// A panic while messages are still queued ends only that process (the messages die with
// it); the others carry on.
#[test]
fn a_panic_while_holding_messages_ends_only_that_process() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let victim = sim.spawn(|ctx| async move {
        ctx.sleep(ms(1)).await;
        let m = ctx.recv_timeout(0).await.unwrap();
        panic!("cannot handle {m}");
    });
    sim.spawn(move |ctx| async move {
        ctx.send(victim, atom("poison"));
        ctx.send(victim, atom("lost"));
        ctx.sleep(ms(5)).await;
        l.push(Term::from(ctx.is_alive(victim)));
        Ok(())
    });
    sim.run();
    assert_eq!(
        exit_reason(&sim, victim),
        Some(panic_reason("cannot handle poison"))
    );
    assert_eq!(log.get(), vec![Term::FALSE]);
}
