//! otpsim against real OTP: the kernel probes under `tests/otp_fixtures/kernel/` were run
//! on Erlang/OTP 25.2.3 and their facts committed as `NAME.out` (`key=value`, the value
//! printed with `~0p`, pids and refs replaced by names). Each test below replays one probe
//! in otpsim, prints what it sees the same way, and compares fact by fact. Erlang is not
//! needed: only the committed `.out` files are read.
//!
//! Every fact of every `.out` file is either checked or skipped with the reason (a
//! feature otpsim does not model), so a regenerated or new probe shows up here. This part
//! has the signal and ordering probes; `kernel_otp_fixtures_mon_name_timer.rs` has the
//! monitor, name and timer ones.

mod common;

use common::otp::*;
use common::*;
use otpsim::kernel::ms;
use otpsim::term::{atom, Term};

// Every probe has a test, here or in kernel_otp_fixtures_mon_name_timer.rs.
#[test]
fn every_fixture_file_is_covered_here() {
    let known = [
        "cancel_timer",
        "demonitor_flush",
        "exit_kill_link",
        "exit_self",
        "link_dead",
        "monitor_noproc",
        "msg_before_exit",
        "normal_signals",
        "receive_order",
        "register_errors",
        "send_unregistered",
        "shutdown_tuple",
        "signal_order",
        "unlink_flush",
    ];
    assert_eq!(
        recorded_probes(&fixture_dir()),
        known,
        "add a test for each new probe"
    );
}

// exit_self: exit(self(), R) with and without trap_exit (SIG-3 rows 1, 4 and 5).
#[test]
fn otp_exit_self() {
    let mut fx = Fixture::load("kernel/exit_self");
    let runs = fx.get("runs").to_string();
    fx.check("runs", runs.clone());
    for trap in [false, true] {
        for reason in ["kill", "normal", "shutdown"] {
            let (probe, exit) = observe(move |ctx, p| async move {
                ctx.trap_exit(trap);
                ctx.exit(ctx.me(), Term::atom_owned(reason));
                p.note(atom("next_statement_ran"));
                note_drain(&ctx, &p, ms(2)).await;
                p.note(atom("alive_after_wait"));
                end_of_body()
            });
            let prefix = format!(
                "{}.{reason}.",
                if trap { "trapping" } else { "nontrapping" }
            );
            let count = |note| {
                if probe.has(note) {
                    runs.clone()
                } else {
                    "0".into()
                }
            };
            fx.check(
                &(prefix.clone() + "next_statement_ran"),
                count("next_statement_ran"),
            );
            fx.check(
                &(prefix.clone() + "alive_after_wait"),
                count("alive_after_wait"),
            );
            let msgs = probe.show(&probe.tagged("msg"));
            fx.check(&(prefix.clone() + "messages"), all_runs(&msgs, &runs));
            fx.check(
                &(prefix + "exit_reason"),
                all_runs(&probe.show(&exit), &runs),
            );
        }
    }
    fx.finish();
}

// link_dead: link/1 to a dead pid (SIG-2).
#[test]
fn otp_link_dead() {
    let mut fx = Fixture::load("kernel/link_dead");
    for trap in [true, false] {
        let (probe, exit) = observe(move |ctx, p| async move {
            ctx.trap_exit(trap);
            let dead = p.name(ctx.spawn(|_c| async { Ok(()) }), "p1");
            ctx.sleep(1).await;
            match ctx.link(dead) {
                Ok(()) => p.note(Term::tagged("returned", Term::TRUE)),
                Err(e) => p.note(Term::tagged("caught", Term::tagged("error", e))),
            }
            note_drain(&ctx, &p, ms(20)).await;
            p.note(atom("alive_after_wait"));
            end_of_body()
        });
        let prefix = if trap { "trapping." } else { "nontrapping." };
        let key = |k: &str| format!("{prefix}{k}");
        fx.check(&key("link_return"), probe.show(&probe.tagged("returned")));
        fx.check(&key("messages"), probe.show(&probe.tagged("msg")));
        fx.check(&key("exit_reason"), probe.show(&exit));
        if !trap {
            fx.check(&key("caught"), probe.show(&probe.tagged("caught")));
            fx.check(
                &key("alive_after_wait"),
                probe.has("alive_after_wait").to_string(),
            );
        }
    }
    fx.finish();
}

// exit_kill_link: kill from the process itself versus exit(A, kill) (SIG-3 rows 1-2,
// SIG-5, MON-3, PROC-6's EXIT-before-DOWN).
#[test]
fn otp_exit_kill_link() {
    let mut fx = Fixture::load("kernel/exit_kill_link");
    for how in ["own_kill", "external_kill"] {
        for trap in [false, true] {
            let (probe, exit) = observe(move |ctx, p| async move {
                ctx.trap_exit(trap);
                let (a, _) = ctx.spawn_opt(link_monitor(), |c| exit_on_go(c, atom("kill")));
                p.name(a, "a");
                if how == "own_kill" {
                    ctx.send(a, atom("go"));
                } else {
                    ctx.spawn(move |c| async move {
                        c.exit(a, atom("kill"));
                        Ok(())
                    });
                }
                note_drain(&ctx, &p, ms(20)).await;
                end_of_body()
            });
            let prefix = format!(
                "{how}.{}.",
                if trap { "b_trapping" } else { "b_nontrapping" }
            );
            fx.check(
                &(prefix.clone() + "b_messages"),
                probe.show(&probe.tagged("msg")),
            );
            fx.check(&(prefix + "b_exit_reason"), probe.show(&exit));
        }
    }
    fx.finish();
}

// normal_signals: reason normal by exit/2 and over a link (SIG-3 row 3).
#[test]
fn otp_normal_signals() {
    let mut fx = Fixture::load("kernel/normal_signals");
    for trap in [false, true] {
        // main sends exit(P, normal), then asks P (p1) for the messages it kept.
        let mut sim = recording_sim();
        let probe = Probe::default();
        let pr = probe.clone();
        let main = sim.spawn(move |ctx| async move {
            let me = ctx.me();
            let target = pr.name(
                ctx.spawn(move |c| async move {
                    c.trap_exit(trap);
                    c.send(me, atom("ready"));
                    let mut kept = Vec::new();
                    loop {
                        let m = c.recv().await;
                        match m.as_tuple() {
                            Some([t, Term::Pid(from)]) if t.is_atom("report") => {
                                let reply =
                                    [atom("report"), Term::Pid(c.me()), Term::list(kept.clone())];
                                c.send(*from, Term::tuple(reply));
                            }
                            _ => kept.push(m),
                        }
                    }
                }),
                "p1",
            );
            ctx.recv_match(|m| m.is_atom("ready"), None).await;
            ctx.exit(target, atom("normal"));
            ctx.send(target, Term::tuple([atom("report"), Term::Pid(me)]));
            let reply = ctx.recv_timeout(ms(1000)).await;
            let msgs = reply.map_or(atom("no_reply"), |r| r.as_tuple().unwrap()[2].clone());
            pr.note(Term::tagged("alive", Term::from(ctx.is_alive(target))));
            pr.note(Term::tagged("messages", msgs));
            ctx.exit(target, atom("kill"));
            Ok(())
        });
        probe.name(main, "main");
        sim.run();
        let prefix = if trap {
            "exit_normal.trapping."
        } else {
            "exit_normal.nontrapping."
        };
        fx.check(&format!("{prefix}alive"), probe.first("alive"));
        fx.check(&format!("{prefix}messages"), probe.first("messages"));
    }
    for trap in [false, true] {
        let (probe, exit) = observe(move |ctx, p| async move {
            ctx.trap_exit(trap);
            let a = ctx.spawn_link(|c| exit_on_go(c, atom("normal")));
            p.name(a, "a");
            ctx.send(a, atom("go"));
            note_drain(&ctx, &p, ms(20)).await;
            p.note(atom("alive_after_wait"));
            end_of_body()
        });
        let prefix = if trap {
            "link_normal.trapping."
        } else {
            "link_normal.nontrapping."
        };
        let key = |k: &str| format!("{prefix}{k}");
        fx.check(
            &key("alive_after_wait"),
            probe.has("alive_after_wait").to_string(),
        );
        fx.check(&key("messages"), probe.show(&probe.tagged("msg")));
        fx.check(&key("exit_reason"), probe.show(&exit));
    }
    fx.finish();
}

// shutdown_tuple: a linked partner exits {shutdown, x} or shutdown (SIG-3 row 5, SIG-4).
#[test]
fn otp_shutdown_tuple() {
    let mut fx = Fixture::load("kernel/shutdown_tuple");
    for reason in [shutdown_x(), atom("shutdown")] {
        for trap in [false, true] {
            let r = reason.clone();
            let (probe, exit) = observe(move |ctx, p| async move {
                ctx.trap_exit(trap);
                let a = ctx.spawn_link(move |c| exit_on_go(c, r));
                p.name(a, "a");
                ctx.send(a, atom("go"));
                note_drain(&ctx, &p, ms(20)).await;
                end_of_body()
            });
            let prefix = format!(
                "{reason}.{}.",
                if trap { "trapping" } else { "nontrapping" }
            );
            fx.check(
                &(prefix.clone() + "messages"),
                probe.show(&probe.tagged("msg")),
            );
            fx.check(&(prefix + "exit_reason"), probe.show(&exit));
        }
    }
    fx.finish();
}

// msg_before_exit: m, then EXIT, then DOWN (PROC-3, PROC-6).
#[test]
fn otp_msg_before_exit() {
    let mut fx = Fixture::load("kernel/msg_before_exit");
    let runs = fx.get("runs").to_string();
    fx.check("runs", runs.clone());
    for reason in ["r", "normal", "kill"] {
        let (probe, _) = observe(move |ctx, p| async move {
            ctx.trap_exit(true);
            let w = ctx.me();
            let (child, _) = ctx.spawn_opt(link_monitor(), move |c| async move {
                c.recv_match(|m| m.is_atom("go"), None).await;
                c.send(w, atom("m"));
                if reason == "normal" {
                    Ok(())
                } else {
                    Err(Term::atom_owned(reason))
                }
            });
            ctx.send(child, atom("go"));
            let mut order = Vec::new();
            for _ in 0..3 {
                let m = ctx.recv_timeout(ms(1000)).await.unwrap_or(atom("timeout"));
                order.push(notice_kind(m));
            }
            p.note(Term::list(order));
            Ok(())
        });
        let order = probe.show(&probe.notes()[0]);
        fx.check(&format!("reason_{reason}.orders"), all_runs(&order, &runs));
    }
    fx.finish();
}

// unlink_flush: an EXIT already queued stays after unlink (SIG-1).
#[test]
fn otp_unlink_flush() {
    let mut fx = Fixture::load("kernel/unlink_flush");
    let runs = fx.get("runs").to_string();
    fx.check("runs", runs.clone());
    let (probe, _) = observe(|ctx, p| async move {
        ctx.trap_exit(true);
        let p1 = p.name(ctx.spawn_link(|c| exit_on_go(c, atom("bye"))), "p1");
        ctx.send(p1, atom("go"));
        ctx.sleep(ms(1)).await;
        ctx.unlink(p1); // unlink/1 always returns true
        let mailbox = Term::list(drain(&ctx).await);
        p.note(Term::tuple([Term::TRUE, mailbox]));
        Ok(())
    });
    let result = probe.show(&probe.notes()[0]);
    fx.check("{unlink_returned,mailbox_after}", all_runs(&result, &runs));
    fx.finish();
}

// receive_order: selective receive keeps the others in order, `after 0` takes a queued
// match (PROC-4); a return ends a process `normal`, exit(R) with R (PROC-7).
#[test]
fn otp_receive_order() {
    let mut fx = Fixture::load("kernel/receive_order");
    let (probe, _) = observe(|ctx, p| async move {
        for m in ["a", "b", "c"] {
            ctx.send(ctx.me(), atom(m));
        }
        let selected = ctx.recv_match(|m| m.is_atom("c"), None).await;
        p.note(Term::tagged("selected", selected.expect("c")));
        // The probe peeks at its mailbox; nothing follows, so taking it is the same.
        p.note(Term::tagged("rest", Term::list(drain_for(&ctx, 0).await)));
        ctx.send(ctx.me(), atom("a"));
        ctx.send(ctx.me(), atom("x"));
        let timeout = || atom("timeout");
        let x = ctx.recv_match(|m| m.is_atom("x"), Some(0)).await;
        p.note(Term::tagged("after0_match", x.unwrap_or_else(timeout)));
        let y = ctx.recv_match(|m| m.is_atom("y"), Some(0)).await;
        p.note(Term::tagged("after0_no_match", y.unwrap_or_else(timeout)));
        p.note(Term::tagged(
            "after0_left",
            Term::list(drain_for(&ctx, 0).await),
        ));
        end_of_body()
    });
    check_notes(&mut fx, "", &probe);
    let (_, returned) = observe(|_, _| async { Ok(()) });
    fx.check("end.returned", returned.to_string());
    let (_, exited) = observe(|_, _| async { Err(atom("bye")) });
    fx.check("end.exit", exited.to_string());
    fx.finish();
}

/// `{'EXIT', R}` or `{'DOWN', R}` for a death notice, anything else as it is.
fn notice_kind(m: Term) -> Term {
    match m.as_tuple() {
        Some([t, _, r]) if t.is_atom("EXIT") => Term::tuple([t.clone(), r.clone()]),
        Some([t, _, _, _, r]) if t.is_atom("DOWN") => Term::tuple([t.clone(), r.clone()]),
        _ => m,
    }
}

// signal_order: messages, an exit signal, a link and the death notices from one
// sender arrive in the order sent (PROC-1); spawn_link misses no early death (SIG-6).
#[test]
fn otp_signal_order() {
    let mut fx = Fixture::load("kernel/signal_order");
    let runs = fx.get("runs").to_string();
    fx.check("runs", runs.clone());
    let (probe, _) = observe(|ctx, p| async move {
        ctx.trap_exit(true);
        let w = ctx.me();
        let (a, _) = ctx.spawn_monitor(move |c| async move {
            c.recv_match(|m| m.is_atom("go"), None).await;
            c.send(w, atom("m1"));
            c.exit(w, atom("r1"));
            c.send(w, atom("m2"));
            c.link(w)?;
            Err(atom("done"))
        });
        ctx.send(a, atom("go"));
        let mut order = Vec::new();
        for _ in 0..5 {
            let m = ctx.recv_timeout(ms(1000)).await.unwrap_or(atom("timeout"));
            order.push(notice_kind(m));
        }
        p.note(Term::list(order));
        Ok(())
    });
    let order = probe.show(&probe.notes()[0]);
    fx.check("one_sender.orders", all_runs(&order, &runs));
    let (probe, _) = observe(|ctx, p| async move {
        ctx.trap_exit(true);
        ctx.spawn_link(|_| async { Err(atom("x")) });
        let got = ctx.recv_timeout(ms(1000)).await.unwrap_or(atom("timeout"));
        p.note(notice_kind(got));
        Ok(())
    });
    let got = probe.show(&probe.notes()[0]);
    fx.check("spawn_link_early_death.got", all_runs(&got, &runs));
    fx.finish();
}
