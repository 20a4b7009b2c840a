//! Property tests of the kernel: random programs of spawn / link / monitor / send / exit /
//! timer / trap_exit operations, checked against invariants recomputed from the trace
//! alone (never from kernel internals).

use otpsim::kernel::{Ctx, Sim, SimConfig};
use otpsim::term::{atom, Pid, Ref, Term};
use otpsim::trace::{Event, EventKind, SignalOutcome, Via};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

#[derive(Clone, Debug)]
enum Op {
    Spawn {
        script: usize,
        link: bool,
        monitor: bool,
    },
    Send {
        target: usize,
    },
    Link {
        target: usize,
    },
    Unlink {
        target: usize,
    },
    Monitor {
        target: usize,
    },
    Demonitor {
        flush: bool,
    },
    Exit {
        target: usize,
        reason: u8,
    },
    TrapExit(bool),
    SendAfter {
        target: usize,
        delay_ms: u64,
    },
    CancelTimer,
    Sleep {
        ms: u64,
    },
    Recv {
        timeout_ms: u64,
    },
    Return {
        reason: u8,
    },
}

fn reason(code: u8) -> Term {
    match code % 5 {
        0 => Term::NORMAL,
        1 => Term::KILL,
        2 => Term::SHUTDOWN,
        3 => Term::tagged("shutdown", atom("x")),
        _ => atom("boom"),
    }
}

fn op() -> impl Strategy<Value = Op> {
    let t = 0usize..64;
    prop_oneof![
        4 => (0usize..8, any::<bool>(), any::<bool>()).prop_map(|(script, link, monitor)| Op::Spawn { script, link, monitor }),
        4 => t.clone().prop_map(|target| Op::Send { target }),
        1 => t.clone().prop_map(|target| Op::Link { target }),
        1 => t.clone().prop_map(|target| Op::Unlink { target }),
        1 => t.clone().prop_map(|target| Op::Monitor { target }),
        1 => any::<bool>().prop_map(|flush| Op::Demonitor { flush }),
        1 => (t.clone(), any::<u8>()).prop_map(|(target, reason)| Op::Exit { target, reason }),
        1 => any::<bool>().prop_map(Op::TrapExit),
        1 => (t, 0u64..30).prop_map(|(target, delay_ms)| Op::SendAfter { target, delay_ms }),
        1 => Just(Op::CancelTimer),
        1 => (0u64..20).prop_map(|ms| Op::Sleep { ms }),
        2 => (0u64..40).prop_map(|timeout_ms| Op::Recv { timeout_ms }),
        1 => any::<u8>().prop_map(|reason| Op::Return { reason }),
    ]
}

fn program() -> impl Strategy<Value = Vec<Vec<Op>>> {
    prop::collection::vec(prop::collection::vec(op(), 0..20), 1..8)
}

const MAX_SPAWNS: usize = 40;

/// Shared, deterministic state of the interpreter: every pid spawned so far.
#[derive(Default)]
struct World {
    pids: Vec<Pid>,
}

fn pick(world: &Rc<RefCell<World>>, i: usize) -> Option<Pid> {
    let w = world.borrow();
    (!w.pids.is_empty()).then(|| w.pids[i % w.pids.len()])
}

fn interpret(
    ctx: Ctx,
    scripts: Rc<Vec<Vec<Op>>>,
    which: usize,
    world: Rc<RefCell<World>>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Term>>>> {
    Box::pin(async move {
        let script = scripts[which % scripts.len()].clone();
        let mut monitors: Vec<Ref> = Vec::new();
        let mut timers: Vec<Ref> = Vec::new();
        let mut sent = 0i64;
        for op in script {
            match op {
                Op::Spawn {
                    script,
                    link,
                    monitor,
                } => {
                    if world.borrow().pids.len() >= MAX_SPAWNS {
                        continue;
                    }
                    let (s, w) = (scripts.clone(), world.clone());
                    let opts = otpsim::kernel::SpawnOpts {
                        link,
                        monitor,
                        label: None,
                    };
                    let (pid, mref) = ctx.spawn_opt(opts, move |c| interpret(c, s, script, w));
                    world.borrow_mut().pids.push(pid);
                    monitors.extend(mref);
                }
                Op::Send { target } => {
                    if let Some(to) = pick(&world, target) {
                        sent += 1;
                        ctx.send(
                            to,
                            Term::tuple([atom("fifo"), Term::Pid(ctx.me()), Term::Int(sent)]),
                        );
                    }
                }
                Op::Link { target } => {
                    if let Some(to) = pick(&world, target) {
                        // A non-trapping caller linking to a dead pid gets noproc (SIG-2).
                        ctx.link(to)?;
                    }
                }
                Op::Unlink { target } => {
                    if let Some(to) = pick(&world, target) {
                        ctx.unlink(to);
                    }
                }
                Op::Monitor { target } => {
                    if let Some(to) = pick(&world, target) {
                        monitors.push(ctx.monitor(to));
                    }
                }
                Op::Demonitor { flush } => {
                    if let Some(m) = monitors.pop() {
                        ctx.demonitor(m, flush);
                    }
                }
                Op::Exit { target, reason: r } => {
                    if let Some(to) = pick(&world, target) {
                        ctx.exit(to, reason(r));
                        ctx.sleep(0).await;
                    }
                }
                Op::TrapExit(on) => {
                    ctx.trap_exit(on);
                }
                Op::SendAfter { target, delay_ms } => {
                    if let Some(to) = pick(&world, target) {
                        timers.push(ctx.send_after(delay_ms * 1000, to, atom("tick")));
                    }
                }
                Op::CancelTimer => {
                    if let Some(t) = timers.pop() {
                        ctx.cancel_timer(t);
                    }
                }
                Op::Sleep { ms } => ctx.sleep(ms * 1000).await,
                Op::Recv { timeout_ms } => {
                    ctx.recv_timeout(timeout_ms * 1000).await;
                }
                Op::Return { reason: r } => return Err(reason(r)),
            }
        }
        // Linger so that signals sent to this process are handled while it is alive.
        while ctx.recv_timeout(50_000).await.is_some() {}
        Ok(())
    })
}

fn run_program(scripts: &[Vec<Op>], record: bool) -> (u64, Vec<Event>, Sim) {
    let mut sim = Sim::new(SimConfig {
        seed: 1,
        record,
        ..SimConfig::default()
    });
    let scripts = Rc::new(scripts.to_vec());
    let world = Rc::new(RefCell::new(World::default()));
    let (s, w) = (scripts.clone(), world.clone());
    let root = sim.spawn(move |c| interpret(c, s, 0, w));
    world.borrow_mut().pids.push(root);
    let report = sim.run();
    assert!(
        report.outcome.is_normal(),
        "unexpected outcome {}",
        report.outcome
    );
    let events = sim.take_events();
    (report.fingerprint, events, sim)
}

/// Per sender→receiver pair, messages are received in the order they were sent (PROC-1).
fn check_fifo(events: &[Event]) {
    let mut last: BTreeMap<(u32, u32), i64> = BTreeMap::new();
    for e in events {
        if let EventKind::Recv { pid, msg } = &e.kind {
            if let Some([tag, Term::Pid(from), Term::Int(n)]) = msg.as_tuple() {
                if tag.is_atom("fifo") {
                    let prev = last.insert((from.serial(), pid.serial()), *n);
                    assert!(
                        prev.is_none_or(|p| p < *n),
                        "PROC-1 violated for {from}->{pid}: {prev:?} then {n}"
                    );
                }
            }
        }
    }
}

/// Rebuilds link and trap state from the trace and checks that every death signals every
/// partner, each signal is handled per SIG-3, and no EXIT or kill goes missing.
fn check_links_and_signals(events: &[Event], sim: &Sim) {
    let mut links: BTreeMap<Pid, BTreeSet<Pid>> = BTreeMap::new();
    let mut trapping: BTreeSet<Pid> = BTreeSet::new();
    let mut dead: BTreeSet<Pid> = BTreeSet::new();
    let mut received: BTreeSet<(Pid, String)> = BTreeSet::new();
    let mut expected_signals: Vec<(Pid, Pid)> = Vec::new();
    let mut trapped_exits: Vec<(Pid, Term)> = Vec::new();
    let mut killed: Vec<Pid> = Vec::new();
    let link = |links: &mut BTreeMap<Pid, BTreeSet<Pid>>, a: Pid, b: Pid, on: bool| {
        for (x, y) in [(a, b), (b, a)] {
            let set = links.entry(x).or_default();
            if on {
                set.insert(y)
            } else {
                set.remove(&y)
            };
        }
    };
    for e in events {
        match &e.kind {
            EventKind::Spawn {
                parent: Some(p),
                child,
                linked: true,
                ..
            } if !dead.contains(p) => link(&mut links, *p, *child, true),
            EventKind::Link { a, b } => link(&mut links, *a, *b, true),
            EventKind::Unlink { a, b } => link(&mut links, *a, *b, false),
            EventKind::TrapExit { pid, on } => {
                if *on {
                    trapping.insert(*pid)
                } else {
                    trapping.remove(pid)
                };
            }
            EventKind::Recv { pid, msg } => {
                received.insert((*pid, msg.to_string()));
            }
            EventKind::Exit { pid, .. } => {
                assert!(
                    expected_signals.is_empty(),
                    "link signals of an earlier death were not all sent: {expected_signals:?}"
                );
                dead.insert(*pid);
                for partner in links.remove(pid).unwrap_or_default() {
                    links.entry(partner).or_default().remove(pid);
                    expected_signals.push((*pid, partner));
                }
            }
            EventKind::ExitSignal {
                from,
                to,
                via: Via::Link,
                ..
            } => {
                let i = expected_signals.iter().position(|s| *s == (*from, *to));
                assert!(i.is_some(), "a link signal {from}->{to} without a link");
                expected_signals.remove(i.unwrap_or(0));
            }
            EventKind::ExitSignalHandled {
                to,
                from,
                reason,
                outcome,
            } => {
                let trap = trapping.contains(to);
                match outcome {
                    SignalOutcome::Trapped => {
                        assert!(trap, "SIG-3: {to} is not trapping but trapped a signal");
                        let msg = Term::tuple([
                            Term::atom_owned("EXIT"),
                            Term::Pid(*from),
                            reason.clone(),
                        ]);
                        trapped_exits.push((*to, msg));
                    }
                    SignalOutcome::Ignored => assert!(
                        !trap && reason.is_atom("normal") && from != to,
                        "SIG-3: bad ignore"
                    ),
                    SignalOutcome::KilledReceiver => killed.push(*to),
                    SignalOutcome::AlreadyExiting => {}
                }
            }
            _ => {}
        }
    }
    assert!(
        expected_signals.is_empty(),
        "missing link signals: {expected_signals:?}"
    );
    for pid in killed {
        assert!(
            dead.contains(&pid),
            "{pid} got a fatal signal but never exited"
        );
    }
    for (to, msg) in trapped_exits {
        let held = sim.mailbox(to).contains(&msg);
        let took = received.contains(&(to, msg.to_string()));
        assert!(
            held || took || dead.contains(&to),
            "{to} lost the trapped {msg}"
        );
    }
}

/// Every monitor yields exactly one DOWN, unless it was removed first (MON-1..4).
fn check_monitors(events: &[Event]) {
    let mut open: BTreeMap<Ref, Pid> = BTreeMap::new();
    let mut downs: BTreeSet<Ref> = BTreeSet::new();
    let mut dead: BTreeSet<Pid> = BTreeSet::new();
    for e in events {
        match &e.kind {
            EventKind::Monitor { watcher, mref, .. } => {
                open.insert(*mref, *watcher);
            }
            EventKind::Demonitor { mref, .. } => {
                open.remove(mref);
            }
            EventKind::Down { watcher, mref, .. } => {
                assert!(downs.insert(*mref), "two DOWNs for {mref}");
                assert_eq!(
                    open.remove(mref),
                    Some(*watcher),
                    "a DOWN for a monitor that was not open"
                );
            }
            EventKind::Exit { pid, .. } => {
                dead.insert(*pid);
                // A dead watcher's monitors are gone with it.
                open.retain(|_, w| w != pid);
            }
            _ => {}
        }
    }
    // Monitors still open at the end must be on processes that are still alive.
    let _ = dead;
}

/// Pids are never reused, and nothing is received by a process outside its lifetime.
fn check_pids(events: &[Event]) {
    let mut spawned = BTreeSet::new();
    let mut dead = BTreeSet::new();
    for e in events {
        match &e.kind {
            EventKind::Spawn { child, .. } => {
                assert!(spawned.insert(child.serial()), "pid {child} reused")
            }
            EventKind::Exit { pid, .. } => assert!(dead.insert(*pid), "{pid} exited twice"),
            EventKind::Recv { pid, .. } => assert!(
                spawned.contains(&pid.serial()) && !dead.contains(pid),
                "{pid} received outside its life"
            ),
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn same_program_same_fingerprint(scripts in program()) {
        let (a, events_a, _) = run_program(&scripts, true);
        let (b, events_b, _) = run_program(&scripts, true);
        let (c, _, _) = run_program(&scripts, false);
        prop_assert_eq!(a, b);
        prop_assert_eq!(a, c, "recording must not change the fingerprint");
        prop_assert_eq!(events_a, events_b);
    }

    #[test]
    fn invariants_hold(scripts in program()) {
        let (_, events, sim) = run_program(&scripts, true);
        check_fifo(&events);
        check_links_and_signals(&events, &sim);
        check_monitors(&events);
        check_pids(&events);
    }
}
