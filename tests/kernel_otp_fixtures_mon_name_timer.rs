//! otpsim against real OTP, part 2: the monitor, name and timer probes under
//! `tests/otp_fixtures/kernel/` (part 1, with the signal probes and the check that every
//! probe is covered, is `kernel_otp_fixtures.rs`). Only the committed `.out` files are
//! read; Erlang is not needed.

mod common;

use common::otp::*;
use common::*;
use otpsim::kernel::ms;
use otpsim::term::{atom, Atom, Term};

// demonitor_flush: demonitor/1,2 with the DOWN already queued, and on a live monitor
// (MON-4).
#[test]
fn otp_demonitor_flush() {
    let mut fx = Fixture::load("kernel/demonitor_flush");
    for (key, flush) in [
        ("demonitor_1", false),
        ("demonitor_2.[]", false),
        ("demonitor_2.[flush]", true),
    ] {
        let (probe, _) = observe(move |ctx, p| async move {
            let p1 = p.name(ctx.spawn(|c| exit_on_go(c, atom("bye"))), "p1");
            let r = ctx.monitor(p1);
            ctx.send(p1, atom("go"));
            ctx.sleep(ms(1)).await;
            p.note(Term::tagged(
                "returned",
                Term::from(ctx.demonitor(r, flush)),
            ));
            p.note(Term::tagged("mailbox_after", Term::list(drain(&ctx).await)));
            Ok(())
        });
        fx.check(&format!("{key}.returned"), probe.first("returned"));
        fx.check(
            &format!("{key}.mailbox_after"),
            probe.first("mailbox_after"),
        );
    }
    let (probe, _) = observe(|ctx, p| async move {
        let p1 = ctx.spawn(|c| exit_on_go(c, atom("normal")));
        let r = ctx.monitor(p1);
        p.note(Term::tagged(
            "returned",
            Term::from(ctx.demonitor(r, false)),
        ));
        ctx.send(p1, atom("go"));
        p.note(Term::tagged(
            "mailbox_after",
            Term::list(drain_for(&ctx, ms(20)).await),
        ));
        Ok(())
    });
    fx.check("live.demonitor_2.[].returned", probe.first("returned"));
    fx.check(
        "live.demonitor_2.[].mailbox_after",
        probe.first("mailbox_after"),
    );
    let no_info = "otpsim's demonitor has no info option";
    for key in ["[info]", "[flush,info]"] {
        fx.skip(&format!("demonitor_2.{key}.returned"), no_info);
        fx.skip(&format!("demonitor_2.{key}.mailbox_after"), no_info);
    }
    fx.skip("live.demonitor_2.[info].returned", no_info);
    fx.skip("live.demonitor_2.[info].mailbox_after", no_info);
    fx.finish();
}

// monitor_noproc: monitors on a dead pid or an unregistered name (MON-1, MON-2).
#[test]
fn otp_monitor_noproc() {
    let mut fx = Fixture::load("kernel/monitor_noproc");
    // otpsim is never distributed: every node name is nonode@nohost.
    let (probe, _) = observe(|ctx, p| async move {
        let r = ctx.monitor_name(&Atom::new("x"));
        let down = ctx.recv().await;
        p.note(down.as_tuple().unwrap()[3].as_tuple().unwrap()[1].clone());
        let _ = r;
        Ok(())
    });
    fx.check("node", probe.show(&probe.notes()[0]));
    let (probe, _) = observe(|ctx, p| async move {
        let dead = p.name(ctx.spawn(|_c| async { Ok(()) }), "p1");
        ctx.sleep(1).await;
        let r = ctx.monitor(dead);
        let down = ctx.recv_timeout(ms(1000)).await.unwrap();
        p.note(Term::tagged(
            "same_ref",
            Term::from(down.as_tuple().unwrap()[1] == Term::Ref(r)),
        ));
        p.note(Term::tagged("down", down));
        Ok(())
    });
    fx.check("dead_pid.down", probe.first("down"));
    fx.check("dead_pid.same_ref", probe.first("same_ref"));
    // otpsim has local names only: monitoring {Name, node()} is monitoring Name.
    for key in ["unregistered_atom", "unregistered_tuple"] {
        let (probe, _) = observe(|ctx, p| async move {
            let r = ctx.monitor_name(&Atom::new("probe_no_such_name"));
            let down = ctx.recv_timeout(ms(1000)).await.unwrap();
            p.note(Term::tagged(
                "same_ref",
                Term::from(down.as_tuple().unwrap()[1] == Term::Ref(r)),
            ));
            p.note(Term::tagged("object", down.as_tuple().unwrap()[3].clone()));
            p.note(Term::tagged("down", down));
            Ok(())
        });
        for fact in ["down", "object", "same_ref"] {
            fx.check(&format!("{key}.{fact}"), probe.first(fact));
        }
    }
    let (probe, _) = observe(|ctx, p| async move {
        let p1 = p.name(ctx.spawn(|c| exit_on_go(c, atom("bye"))), "p1");
        ctx.register(Atom::new("probe_live_name"), p1).unwrap();
        ctx.monitor_name(&Atom::new("probe_live_name"));
        ctx.send(p1, atom("go"));
        p.note(Term::tagged(
            "down",
            ctx.recv_timeout(ms(1000)).await.unwrap(),
        ));
        Ok(())
    });
    fx.check("registered_then_dies.down", probe.first("down"));
    fx.finish();
}

// register_errors: failing register/2 and unregister/1 calls, and the name table after
// a DOWN (NAME-1, NAME-2).
#[test]
fn otp_register_errors() {
    let mut fx = Fixture::load("kernel/register_errors");
    let runs = fx.get("after_down.runs").to_string();
    fx.check("after_down.runs", runs.clone());
    let (probe, _) = observe(|ctx, p| async move {
        let p1 = ctx.spawn(idle);
        let p2 = ctx.spawn(idle);
        let dead = ctx.spawn(|_c| async { Ok(()) });
        ctx.sleep(1).await;
        let name = Atom::new;
        let r = |res| try_(res, Term::TRUE);
        p.note(Term::from(ctx.register(name("probe_taken"), p1).is_ok()));
        p.note(r(ctx.register(name("probe_taken"), p2)));
        p.note(r(ctx.register(name("probe_other"), p1)));
        p.note(r(ctx.register(name("probe_dead"), dead)));
        p.note(r(ctx.register(name("undefined"), p2)));
        p.note(r(ctx.register(name("probe_taken"), p1)));
        p.note(r(ctx.unregister(&name("probe_never_registered"))));
        // After the DOWN of a registered process: whereis, then register again.
        let victim = ctx.spawn(idle);
        ctx.register(name("probe_gone"), victim).unwrap();
        let mref = ctx.monitor(victim);
        ctx.exit(victim, atom("kill"));
        ctx.recv_match(
            move |m| m.as_tuple().is_some_and(|t| t[1] == Term::Ref(mref)),
            None,
        )
        .await;
        let w = ctx
            .whereis(&name("probe_gone"))
            .map_or(atom("undefined"), Term::Pid);
        p.note(Term::tuple([
            w,
            r(ctx.register(name("probe_gone"), ctx.me())),
        ]));
        for q in [p1, p2] {
            ctx.exit(q, atom("kill"));
        }
        Ok(())
    });
    let notes = probe.notes();
    let keys = [
        "register_ok",
        "name_taken",
        "pid_already_named",
        "dead_pid",
        "name_undefined",
        "same_name_same_pid_again",
        "unregister_unknown",
    ];
    for (key, note) in keys.iter().zip(&notes) {
        fx.check(key, probe.show(note));
    }
    let after_down = all_runs(&probe.show(&notes[keys.len()]), &runs);
    fx.check("after_down.{whereis,register_again}", after_down);
    fx.finish();
}

// send_unregistered: Name ! Msg to an unregistered atom is badarg; to a dead pid it is
// not (NAME-3).
#[test]
fn otp_send_unregistered() {
    let mut fx = Fixture::load("kernel/send_unregistered");
    let (probe, _) = observe(|ctx, p| async move {
        let msg = atom("msg");
        let nobody = Atom::new("probe_no_such_name");
        p.note(try_(ctx.send_named(&nobody, msg.clone()), msg.clone()));
        let dead = ctx.spawn(|_c| async { Ok(()) });
        ctx.sleep(1).await;
        ctx.send(dead, msg.clone()); // never fails
        p.note(try_(Ok(()), msg));
        Ok(())
    });
    let notes = probe.notes();
    fx.check("bang_atom", probe.show(&notes[0]));
    // erlang:send/2 and ! are the same operation in otpsim.
    fx.check("erlang_send_atom", probe.show(&notes[0]));
    fx.check("bang_dead_pid", probe.show(&notes[1]));
    fx.skip(
        "bang_name_node_tuple",
        "otpsim has no {Name, Node} destinations",
    );
    fx.finish();
}

// cancel_timer: send_after, read_timer and cancel_timer before and after expiry
// (PROC-5). OTP counts in ms, otpsim in µs; the facts record only the shape.
#[test]
fn otp_cancel_timer() {
    let mut fx = Fixture::load("kernel/cancel_timer");
    let (probe, _) = observe(|ctx, p| async move {
        let me = ctx.me();
        let shape = |t: Option<u64>, max| {
            t.map_or(atom("false"), |us| {
                Term::tuple([atom("integer"), Term::from(us > 0 && us <= max)])
            })
        };
        let note = |k: &'static str, v: Term| p.note(Term::tuple([atom(k), v]));
        let t1 = ctx.send_after(ms(1000), me, atom("tmo1"));
        note(
            "before_expiry.read_timer",
            shape(ctx.read_timer(t1), ms(1000)),
        );
        note(
            "before_expiry.cancel_timer",
            shape(ctx.cancel_timer(t1), ms(1000)),
        );
        note(
            "before_expiry.message_after_cancel",
            Term::list(drain_for(&ctx, ms(20)).await),
        );
        note("cancelled.read_timer", shape(ctx.read_timer(t1), 0));
        note(
            "cancelled.cancel_timer_again",
            shape(ctx.cancel_timer(t1), 0),
        );
        let t2 = ctx.send_after(ms(10), me, atom("tmo2"));
        while ctx.mailbox_len() < 1 {
            ctx.sleep(ms(1)).await;
        }
        note("after_expiry.read_timer", shape(ctx.read_timer(t2), 0));
        note("after_expiry.cancel_timer", shape(ctx.cancel_timer(t2), 0));
        note("after_expiry.mailbox", Term::list(drain(&ctx).await));
        let t4 = ctx.send_after(0, me, atom("tmo4"));
        let m4 = ctx.recv_timeout(ms(100)).await.unwrap_or(atom("none"));
        note("zero_timeout.message", m4);
        note("zero_timeout.read_timer", shape(ctx.read_timer(t4), 0));
        Ok(())
    });
    for n in probe.notes() {
        let [k, v] = n.as_tuple().unwrap() else {
            unreachable!()
        };
        fx.check(k.as_atom().unwrap(), probe.show(v));
    }
    fx.skip(
        "start_timer.message",
        "otpsim has send_after only, no start_timer",
    );
    fx.finish();
}
