//! Schedule perturbation (issue #6): `Random` and `Pct` permute same-instant
//! deliveries across different senders to expose ordering races FIFO never shows,
//! while keeping per-pair FIFO and exact replay.

use otpsim::kernel::{Ctx, ProcResult, Schedule, Sim, SimConfig};
use otpsim::term::{atom, Pid, Term};
use proptest::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A store that must be initialised before it is used. The initialiser and the user
/// are started in that order at the same instant; nothing orders their messages, so
/// OTP allows `use` to arrive first, which crashes the store. FIFO always runs the
/// initialiser first and never shows the bug.
fn race(seed: u64, schedule: Schedule) -> bool {
    let mut sim = Sim::new(SimConfig {
        seed,
        schedule,
        ..SimConfig::default()
    });
    let crashed = Rc::new(Cell::new(false));
    let seen = crashed.clone();
    let store = sim.spawn(move |ctx: Ctx| async move {
        let mut ready = false;
        for _ in 0..2 {
            let msg = ctx.recv().await;
            if msg.is_atom("init") {
                ready = true;
            } else if !ready {
                seen.set(true);
                return Err(atom("not_initialised"));
            }
        }
        Ok(())
    });
    sim.spawn(move |ctx: Ctx| async move {
        ctx.send(store, atom("init"));
        Ok(())
    });
    sim.spawn(move |ctx: Ctx| async move {
        ctx.send(store, atom("use"));
        Ok(())
    });
    sim.run();
    crashed.get()
}

fn first_exposing(schedule: Schedule) -> Option<u64> {
    (0..200).find(|&seed| race(seed, schedule))
}

#[test]
fn fifo_never_exposes_the_race() {
    assert_eq!(first_exposing(Schedule::Fifo), None);
}

#[test]
fn random_exposes_the_race_within_200_seeds() {
    let seed = first_exposing(Schedule::Random).expect("random finds the race");
    // Replays exactly.
    assert!(race(seed, Schedule::Random));
}

#[test]
fn pct_exposes_the_race_within_200_seeds() {
    let schedule = Schedule::Pct { depth: 3 };
    let seed = first_exposing(schedule).expect("pct finds the race");
    assert!(race(seed, schedule));
}

/// `senders` processes each send `per_sender` numbered messages to one receiver, which
/// logs `(sender index, n)` in arrival order. Returns the log and the run fingerprint.
fn fan_in(
    seed: u64,
    schedule: Schedule,
    senders: usize,
    per_sender: i64,
) -> (Vec<(i64, i64)>, u64) {
    let mut sim = Sim::new(SimConfig {
        seed,
        schedule,
        ..SimConfig::default()
    });
    let log: Rc<RefCell<Vec<(i64, i64)>>> = Rc::default();
    let out = log.clone();
    let total = senders as i64 * per_sender;
    let receiver = sim.spawn(move |ctx: Ctx| async move {
        for _ in 0..total {
            let msg = ctx.recv().await;
            if let Some([Term::Int(who), Term::Int(n)]) = msg.as_tuple() {
                out.borrow_mut().push((*who, *n));
            }
        }
        Ok(())
    });
    for who in 0..senders as i64 {
        sim.spawn(move |ctx: Ctx| sender(ctx, receiver, who, per_sender));
    }
    let report = sim.run();
    let got = log.borrow().clone();
    (got, report.fingerprint)
}

async fn sender(ctx: Ctx, to: Pid, who: i64, count: i64) -> ProcResult {
    for n in 0..count {
        ctx.send(to, Term::tuple([Term::Int(who), Term::Int(n)]));
        // Yield between sends so other senders interleave at the same instant.
        if n % 2 == 1 {
            ctx.sleep(0).await;
        }
    }
    Ok(())
}

fn perturbed() -> impl Strategy<Value = Schedule> {
    prop_oneof![
        Just(Schedule::Random),
        (1u32..5).prop_map(|depth| Schedule::Pct { depth }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn per_pair_fifo_holds(seed in any::<u64>(), schedule in perturbed(),
                           senders in 2usize..6, per_sender in 1i64..8) {
        let (log, _) = fan_in(seed, schedule, senders, per_sender);
        prop_assert_eq!(log.len() as i64, senders as i64 * per_sender);
        for who in 0..senders as i64 {
            let ns: Vec<i64> = log.iter().filter(|(w, _)| *w == who).map(|(_, n)| *n).collect();
            prop_assert_eq!(ns, (0..per_sender).collect::<Vec<_>>());
        }
    }

    #[test]
    fn same_seed_and_schedule_same_fingerprint(seed in any::<u64>(), schedule in perturbed()) {
        let a = fan_in(seed, schedule, 4, 5);
        let b = fan_in(seed, schedule, 4, 5);
        prop_assert_eq!(a, b);
    }
}

#[test]
fn perturbed_schedules_do_reorder_senders() {
    let fifo = fan_in(1, Schedule::Fifo, 4, 4).0;
    for schedule in [Schedule::Random, Schedule::Pct { depth: 2 }] {
        let differs = (0..20).any(|seed| fan_in(seed, schedule, 4, 4).0 != fifo);
        assert!(differs, "{schedule:?} never reorders the senders");
    }
}
