//! Conformance tests for the NAME rules (semantics reference §4) that belong to the
//! kernel. NAME-3's gen_server:cast / GenServer.call parts and all of NAME-4 (starting a
//! gen_server or supervisor under a taken name) belong to the behaviour layer and are
//! tested there, not here.

mod common;

use common::*;
use otpsim::kernel::ms;
use otpsim::term::{atom, Atom, Term};
use otpsim::trace::EventKind;

fn name(s: &str) -> Atom {
    Atom::new(s)
}

/// `register/2` as a term: `true` or `{error, badarg}`.
fn shown(r: Result<(), Term>) -> Term {
    match r {
        Ok(()) => Term::TRUE,
        Err(e) => Term::tagged("error", e),
    }
}

fn badarg() -> Term {
    Term::tagged("error", atom("badarg"))
}

// NAME-1: "register(Name, Pid) fails (badarg) when the name is taken, when Pid already has
// a name, or when Pid is dead. A process has at most one name."
#[test]
fn name1_register_fails_when_taken_already_named_or_dead() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p1 = sim.spawn(idle);
    let p2 = sim.spawn(idle);
    sim.spawn(move |ctx| async move {
        let dead = ctx.spawn(|_c| async { Ok(()) });
        ctx.sleep(ms(1)).await;
        l.push(shown(ctx.register(name("taken"), p1)));
        l.push(shown(ctx.register(name("taken"), p2))); // name taken
        l.push(shown(ctx.register(name("other"), p1))); // pid already named
        l.push(shown(ctx.register(name("for_dead"), dead))); // pid dead
        l.push(shown(ctx.register(name("taken"), p1))); // same name, same pid again
        Ok(())
    });
    sim.run_until(ms(2));
    assert_eq!(
        log.get(),
        vec![Term::TRUE, badarg(), badarg(), badarg(), badarg()]
    );
    assert_eq!(sim.whereis(&name("taken")), Some(p1));
    assert_eq!(sim.whereis(&name("other")), None);
    assert_eq!(sim.whereis(&name("for_dead")), None);
    let registers = events_where(&sim, |k| matches!(k, EventKind::Register { .. }));
    assert_eq!(registers.len(), 1);
}

// NAME-1 (fixture register_errors.out: name_undefined={error,badarg}): the atom
// `undefined` cannot be registered, since whereis/1 answers it for "no such name".
#[test]
fn name1_register_undefined_is_badarg() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        l.push(shown(ctx.register(name("undefined"), ctx.me())));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![badarg()]);
}

// NAME-1: unregister/1 frees the name for another process; an unknown name is badarg
// (fixture register_errors.out: unregister_unknown={error,badarg}).
#[test]
fn name1_unregister_frees_the_name_and_unknown_is_badarg() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p1 = sim.spawn(idle);
    let p2 = sim.spawn(idle);
    sim.spawn(move |ctx| async move {
        l.push(shown(ctx.register(name("n"), p1)));
        l.push(shown(ctx.unregister(&name("n"))));
        l.push(shown(ctx.unregister(&name("n"))));
        l.push(shown(ctx.register(name("n"), p2)));
        // p1 lost its name, so it may take another one.
        l.push(shown(ctx.register(name("m"), p1)));
        Ok(())
    });
    sim.run_until(0);
    assert_eq!(
        log.get(),
        vec![Term::TRUE, Term::TRUE, badarg(), Term::TRUE, Term::TRUE]
    );
    assert_eq!(sim.whereis(&name("n")), Some(p2));
    assert_eq!(sim.whereis(&name("m")), Some(p1));
}

// NAME-1: a registered name can be used to send (Name ! Msg) and is seen by whereis/1.
#[test]
fn name1_send_by_name_reaches_the_holder() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let holder = sim.spawn(move |ctx| async move {
        ctx.register(name("server"), ctx.me()).unwrap();
        l.push(ctx.recv().await);
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        assert_eq!(ctx.whereis(&name("server")), Some(holder));
        ctx.send_named(&name("server"), atom("hello")).unwrap();
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![atom("hello")]);
    assert_eq!(sim.whereis(&name("server")), None, "released at death");
}

// NAME-2: "The name is released as part of termination, before any link or monitor
// signal arrives: whereis returns undefined once the DOWN has been received." And the
// name can be registered again at once (fixture register_errors.out, after_down).
#[test]
fn name2_name_is_released_before_the_down_arrives() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    sim.spawn(move |ctx| async move {
        ctx.trap_exit(true);
        let p = ctx.spawn_link(forever);
        ctx.register(name("gone"), p).unwrap();
        let r = ctx.monitor(p);
        ctx.exit(p, atom("kill"));
        // The EXIT comes first (PROC-6); the name is already gone then.
        ctx.recv_match(|m| m.tag() == Some("EXIT"), None).await;
        l.push(Term::from(ctx.whereis(&name("gone")).is_none()));
        ctx.recv_match(
            move |m| m.as_tuple().is_some_and(|t| t[1] == Term::Ref(r)),
            None,
        )
        .await;
        l.push(Term::from(ctx.whereis(&name("gone")).is_none()));
        l.push(shown(ctx.register(name("gone"), ctx.me())));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![Term::TRUE, Term::TRUE, Term::TRUE]);
}

// NAME-2: "Just after exit(P, kill) is sent, whereis may still return P, because signals
// are delivered asynchronously." In otpsim P keeps its name until it is next scheduled,
// which is after the sender suspends.
#[test]
fn name2_whereis_still_finds_p_just_after_the_kill_is_sent() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let p = sim.spawn(|ctx| async move {
        ctx.register(name("victim"), ctx.me()).unwrap();
        forever(ctx).await
    });
    sim.spawn(move |ctx| async move {
        ctx.exit(p, atom("kill"));
        l.push(Term::from(ctx.whereis(&name("victim")) == Some(p)));
        l.push(Term::from(ctx.is_alive(p)));
        ctx.sleep(0).await;
        l.push(Term::from(ctx.whereis(&name("victim")).is_none()));
        l.push(Term::from(ctx.is_alive(p)));
        Ok(())
    });
    sim.run();
    assert_eq!(
        log.get(),
        vec![Term::TRUE, Term::TRUE, Term::TRUE, Term::FALSE]
    );
}

// NAME-3: "Sending to an unregistered atom raises badarg in the sender." (The
// gen_server:cast / GenServer.call parts of NAME-3 belong to the behaviour layer.)
// In otpsim the badarg is returned as Err, which the sender may ignore or turn into an
// exit; the trace records the send with outcome badarg.
#[test]
fn name3_send_to_an_unregistered_name_is_badarg() {
    let mut sim = recording_sim();
    let log = Log::new();
    let l = log.clone();
    let sender = sim.spawn(move |ctx| async move {
        l.push(shown(ctx.send_named(&name("nobody"), atom("msg"))));
        // Uncaught, the error ends the sender with reason badarg.
        ctx.send_named(&name("nobody"), atom("msg"))?;
        l.push(atom("not_reached"));
        Ok(())
    });
    sim.run();
    assert_eq!(log.get(), vec![badarg()]);
    assert_eq!(exit_reason(&sim, sender), Some(atom("badarg")));
    let failed = events_where(&sim, |k| {
        matches!(k, EventKind::Send { to, outcome: Some(o), .. }
            if *to == atom("nobody") && o.as_str() == "badarg")
    });
    assert_eq!(failed.len(), 2);
}

// Named tables are the kernel's ETS: read without a message, dropped with their owner.
#[test]
fn tables_are_shared_by_name_and_die_with_their_owner() {
    use otpsim::term::Atom;
    use std::cell::RefCell;
    use std::rc::Rc;
    let mut sim = otpsim::kernel::Sim::new(otpsim::kernel::SimConfig::default());
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let owner = sim.spawn(|ctx| async move {
        ctx.table_new(Atom::from_static("reg"), Rc::new(RefCell::new(7i64)))?;
        assert!(ctx
            .table_new(Atom::from_static("reg"), Rc::new(0i64))
            .is_err());
        ctx.recv().await;
        Ok(())
    });
    sim.spawn(move |ctx| async move {
        ctx.sleep(1).await;
        let t = ctx
            .table::<RefCell<i64>>(&Atom::from_static("reg"))
            .expect("table");
        *t.borrow_mut() += 1;
        s.borrow_mut().push(*t.borrow());
        assert!(ctx.table::<String>(&Atom::from_static("reg")).is_none());
        assert!(!ctx.table_delete(&Atom::from_static("reg")));
        ctx.exit(owner, otpsim::term::atom("bye"));
        ctx.sleep(1).await;
        s.borrow_mut().push(i64::from(
            ctx.table::<RefCell<i64>>(&Atom::from_static("reg"))
                .is_some(),
        ));
        Ok(())
    });
    sim.run();
    assert_eq!(*seen.borrow(), vec![8, 0]);
}
