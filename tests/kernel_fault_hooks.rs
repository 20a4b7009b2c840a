//! The kernel calls fault injection stands on: labels (`label_of`, `find_by_label`),
//! `suspend_process`/`resume_process` (compared with real OTP 25: probe
//! `tests/otp_fixtures/kernel/fault_hooks/suspend_process`), and inbound message
//! faults (`set_inbound_fault`: drop or delay what is sent to a process, keeping
//! per-sender order).

mod common;

use common::*;
use otpsim::kernel::{ms, Ctx, InboundFault, ProcResult, Sim, SimConfig, SpawnOpts};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::EventKind;
use std::rc::Rc;

#[path = "kernel_fault_hooks/suspend_probe.rs"]
mod suspend_probe;

/// Whatever arrives within `us`, in order (probe.hrl's drain/1).
async fn drain_for(ctx: &Ctx, us: u64) -> Vec<Term> {
    let mut out = Vec::new();
    while let Some(m) = ctx.recv_timeout(us).await {
        out.push(m);
    }
    out
}

// ----- labels ----------------------------------------------------------------------------

fn labelled(label: &str) -> SpawnOpts {
    SpawnOpts {
        label: Some(label.into()),
        ..SpawnOpts::default()
    }
}

#[test]
fn the_label_index_built_at_the_first_lookup_knows_the_newest() {
    // The index is built from the live processes when a label is first looked up.
    // Slots are reused last-freed first, so here the newer process sits in the lower
    // slot: the index must follow spawn order, not slot order.
    let seen = Log::new();
    let out = seen.clone();
    let mut sim = recording_sim();
    sim.spawn(move |ctx| async move {
        let (x1, _) = ctx.spawn_opt(SpawnOpts::default(), idle);
        let (x2, _) = ctx.spawn_opt(SpawnOpts::default(), idle);
        ctx.send(x1, atom("stop"));
        ctx.sleep(ms(1)).await;
        ctx.send(x2, atom("stop"));
        ctx.sleep(ms(1)).await;
        let (old, _) = ctx.spawn_opt(labelled("root/db"), idle);
        let (new, _) = ctx.spawn_opt(labelled("root/db"), idle);
        out.push(Term::from(ctx.find_by_label("root/db") == Some(new)));
        ctx.send(new, atom("stop"));
        ctx.sleep(ms(1)).await;
        out.push(Term::from(ctx.find_by_label("root/db") == Some(old)));
        ctx.send(old, atom("stop"));
        Ok(())
    });
    sim.run();
    assert_eq!(seen.get(), vec![Term::TRUE; 2]);
}

#[test]
fn labels_name_live_processes_and_the_newest_wins() {
    // What a fault resolving a tree path needs: the process running there now. While
    // a restarted child's predecessor is still dying, both carry the label: the newer
    // one is the one running there.
    let seen = Log::new();
    let out = seen.clone();
    let mut sim = recording_sim();
    sim.spawn(move |ctx| async move {
        let (old, _) = ctx.spawn_opt(labelled("root/db"), idle);
        let (plain, _) = ctx.spawn_opt(SpawnOpts::default(), idle);
        out.push(Term::from(ctx.find_by_label("root/db") == Some(old)));
        out.push(Term::from(ctx.label_of(old).as_deref() == Some("root/db")));
        out.push(Term::from(ctx.label_of(plain).is_none()));
        let (new, _) = ctx.spawn_opt(labelled("root/db"), idle);
        out.push(Term::from(ctx.find_by_label("root/db") == Some(new)));
        ctx.send(new, atom("stop"));
        ctx.sleep(ms(1)).await;
        // The newest died: the older one is what runs there now.
        out.push(Term::from(ctx.find_by_label("root/db") == Some(old)));
        out.push(Term::from(ctx.label_of(new).is_none()));
        ctx.send(old, atom("stop"));
        ctx.sleep(ms(1)).await;
        out.push(Term::from(ctx.find_by_label("root/db").is_none()));
        out.push(Term::from(ctx.find_by_label("root").is_none()));
        ctx.send(plain, atom("stop"));
        Ok(())
    });
    sim.run();
    assert_eq!(seen.get(), vec![Term::TRUE; 8]);
}

// ----- suspension beyond the probe ---------------------------------------------------------

#[test]
fn a_suspended_sleeper_keeps_its_timers_and_resumes_where_it_was() {
    // A process suspended in the middle of `work` finishes the work only once resumed;
    // its send_after timers still put their messages in its mailbox meanwhile.
    let seen = Log::new();
    let out = seen.clone();
    let mut sim = recording_sim();
    sim.spawn(move |ctx| async move {
        let main = ctx.me();
        let w = ctx.spawn(move |c| async move {
            c.send_after(ms(5), c.me(), atom("tick"));
            c.work(ms(10)).await;
            c.send(
                main,
                Term::tagged("worked_at_ms", Term::Int((c.now_us() / 1000) as i64)),
            );
            let tick = c.recv().await;
            c.send(main, Term::tagged("then", tick));
            Ok(())
        });
        ctx.sleep(ms(2)).await;
        ctx.suspend_process(w)?;
        ctx.sleep(ms(30)).await;
        ctx.resume_process(w)?;
        for m in drain_for(&ctx, ms(10)).await {
            out.push(m);
        }
        Ok(())
    });
    sim.run();
    assert_eq!(
        seen.get(),
        vec![
            Term::tagged("worked_at_ms", Term::Int(32)),
            Term::tagged("then", atom("tick"))
        ]
    );
}

// ----- inbound faults --------------------------------------------------------------------

/// A receiver that records `(time_ms, message)` for everything it takes.
fn recorder(
    log: Log,
) -> impl FnOnce(Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = ProcResult>>> {
    move |ctx: Ctx| {
        Box::pin(async move {
            ctx.trap_exit(true);
            loop {
                let m = ctx.recv().await;
                log.push(Term::tuple([Term::Int((ctx.now_us() / 1000) as i64), m]));
            }
        })
    }
}

fn at(t_ms: i64, m: Term) -> Term {
    Term::tuple([Term::Int(t_ms), m])
}

#[test]
fn dropped_messages_leave_a_drop_event_and_signals_get_through() {
    // Drop with probability 1 for 10 ms: ordinary messages go (each with a `drop`
    // event saying `fault`); trapped EXITs, DOWNs and the receiver's own timers do not.
    let got = Log::new();
    let g = got.clone();
    let downs = Log::new();
    let w = downs.clone();
    let mut sim = recording_sim();
    sim.spawn(move |ctx| async move {
        let r = ctx.spawn(recorder(g));
        // Let it set trap_exit first.
        ctx.sleep(1).await;
        ctx.set_inbound_fault(
            r,
            InboundFault::Drop {
                probability_ppm: 1_000_000,
            },
            ms(10),
        );
        ctx.send(r, atom("lost"));
        ctx.send_after(ms(1), r, atom("timer"));
        ctx.exit(r, atom("signal"));
        let r2 = r;
        ctx.spawn(move |c| async move {
            c.send(r2, atom("from_other"));
            Ok(())
        });
        // A faulted watcher still gets its DOWN.
        let (helper, _) = ctx.spawn_opt(labelled("helper"), idle);
        let watcher = ctx.spawn(move |c| async move {
            c.monitor(helper);
            c.send(helper, atom("stop"));
            let down = c.recv().await;
            w.push(down);
            Ok(())
        });
        ctx.set_inbound_fault(
            watcher,
            InboundFault::Drop {
                probability_ppm: 1_000_000,
            },
            ms(10),
        );
        ctx.sleep(ms(10)).await;
        ctx.send(r, atom("after_window"));
        ctx.sleep(ms(1)).await;
        ctx.exit(r, Term::KILL);
        Ok(())
    });
    sim.run();
    let got = got.get();
    let trapped = got.iter().any(|t| {
        matches!(t.as_tuple(), Some([Term::Int(0), m]) if matches!(m.as_tuple(), Some([tag, _, r]) if tag.is_atom("EXIT") && r.is_atom("signal")))
    });
    assert!(trapped, "the trapped EXIT got through: {got:?}");
    assert!(got.contains(&at(1, atom("timer"))));
    assert!(got.contains(&at(10, atom("after_window"))));
    assert_eq!(got.len(), 3, "{got:?}");
    let drops = events_where(
        &sim,
        |k| matches!(k, EventKind::Drop { why, .. } if why.as_str() == "fault"),
    );
    let dropped: Vec<Term> = drops
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Drop { msg, .. } => Some(msg.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(dropped, vec![atom("lost"), atom("from_other")]);
    let downs = downs.get();
    assert_eq!(downs.len(), 1);
    assert_eq!(
        downs[0].as_tuple().map(|t| t[4].clone()),
        Some(Term::NORMAL)
    );
}

#[test]
fn partial_drops_come_from_the_seed() {
    // Which messages a 50% drop takes is fixed by the run's seed (stream faults:net).
    let run = |seed: u64| {
        let got = Log::new();
        let g = got.clone();
        let mut sim = Sim::new(SimConfig {
            seed,
            ..SimConfig::default()
        });
        sim.spawn(move |ctx| async move {
            let r = ctx.spawn(recorder(g));
            ctx.set_inbound_fault(
                r,
                InboundFault::Drop {
                    probability_ppm: 500_000,
                },
                ms(1),
            );
            for i in 0..64 {
                ctx.send(r, Term::Int(i));
            }
            ctx.sleep(ms(2)).await;
            ctx.exit(r, Term::KILL);
            Ok(())
        });
        sim.run();
        got.get()
    };
    let (a, b, c) = (run(7), run(7), run(8));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.len() > 16 && a.len() < 48, "about half kept: {}", a.len());
}

#[test]
fn delayed_messages_keep_per_sender_order_after_the_window() {
    // Delay 10 ms until t = 5 ms. A's message at 0 arrives at 10; A's message at 6
    // (after the window) waits behind it, so it arrives at 10 too, second. B's message
    // at 6 is not behind anything of B's: it arrives at once, overtaking A's.
    let got = Log::new();
    let g = got.clone();
    let mut sim = recording_sim();
    sim.spawn(move |ctx| async move {
        let r = ctx.spawn(recorder(g));
        ctx.set_inbound_fault(r, InboundFault::Delay { delay_us: ms(10) }, ms(5));
        let a = ctx.spawn(move |c| async move {
            c.send(r, atom("a1"));
            c.sleep(ms(6)).await;
            c.send(r, atom("a2"));
            c.sleep(ms(10)).await;
            c.send(r, atom("a3"));
            Ok(())
        });
        let _ = a;
        ctx.spawn(move |c| async move {
            c.sleep(ms(6)).await;
            c.send(r, atom("b1"));
            Ok(())
        });
        ctx.sleep(ms(30)).await;
        ctx.exit(r, Term::KILL);
        Ok(())
    });
    sim.run();
    assert_eq!(
        got.get(),
        vec![
            at(6, atom("b1")),
            at(10, atom("a1")),
            at(10, atom("a2")),
            at(16, atom("a3"))
        ]
    );
}

#[test]
fn a_new_fault_replaces_the_old_and_delayed_messages_keep_their_place() {
    // Delay, then (at 2 ms) drop-nothing until 20 ms: the delayed message still
    // arrives at 10, and the sender's next message waits behind it.
    let got = Log::new();
    let g = got.clone();
    let mut sim = recording_sim();
    sim.spawn(move |ctx| async move {
        let r = ctx.spawn(recorder(g));
        ctx.set_inbound_fault(r, InboundFault::Delay { delay_us: ms(10) }, ms(20));
        ctx.send(r, atom("m1"));
        ctx.sleep(ms(2)).await;
        ctx.set_inbound_fault(r, InboundFault::Drop { probability_ppm: 0 }, ms(20));
        ctx.send(r, atom("m2"));
        ctx.sleep(ms(30)).await;
        ctx.send(r, atom("m3"));
        ctx.sleep(ms(1)).await;
        ctx.exit(r, Term::KILL);
        Ok(())
    });
    sim.run();
    assert_eq!(
        got.get(),
        vec![at(10, atom("m1")), at(10, atom("m2")), at(32, atom("m3"))]
    );
}

#[test]
fn hooks_left_unused_change_no_fingerprint() {
    // The same run with and without a label index lookup and an expired fault on an
    // unrelated process: identical traces, since neither emits anything.
    let run = |touch: bool| {
        let mut sim = recording_sim();
        sim.spawn(move |ctx| async move {
            let (r, _) = ctx.spawn_opt(labelled("x"), idle);
            let other = ctx.spawn(idle);
            if touch {
                let _ = ctx.find_by_label("x");
                ctx.set_inbound_fault(other, InboundFault::Delay { delay_us: 5 }, 0);
            }
            ctx.send(r, atom("stop"));
            ctx.send(other, atom("stop"));
            Ok(())
        });
        sim.run().fingerprint
    };
    assert_eq!(run(false), run(true));
}
