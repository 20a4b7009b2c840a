//! `suspend_process` against real OTP 25: the probe
//! `tests/otp_fixtures/kernel/fault_hooks/suspend_process`, replayed case by case.

use super::*;
use common::fixture::Fixture;
use common::scrub::scrub;
use std::cell::{Cell, RefCell};

// ----- helpers ----------------------------------------------------------------------

/// P of the probe: forwards every message it handles to `main` as `{got, M}`.
async fn echo(ctx: Ctx, main: Pid, trap: bool) -> ProcResult {
    ctx.trap_exit(trap);
    loop {
        let m = ctx.recv().await;
        ctx.send(main, Term::tagged("got", m));
    }
}

/// The DOWN reason of `mref` within 100 ms, or `still_alive` (the probe's down/2).
async fn down(ctx: &Ctx, mref: otpsim::term::Ref) -> Term {
    let is_down = move |m: &Term| matches!(m.as_tuple(), Some([_, Term::Ref(r), ..]) if *r == mref);
    match ctx.recv_match(is_down, Some(ms(100))).await {
        Some(d) => d.as_tuple().map_or(Term::UNDEFINED, |t| t[4].clone()),
        None => {
            ctx.demonitor(mref, true);
            atom("still_alive")
        }
    }
}

/// Facts a probe case writes, and the names its pids print as.
#[derive(Clone, Default)]
struct Facts {
    facts: Rc<RefCell<Vec<(String, Term)>>>,
    names: Rc<RefCell<Vec<(Pid, String)>>>,
}

impl Facts {
    fn fact(&self, key: &str, value: impl Into<Term>) {
        let shown = scrub(&self.names.borrow(), &value.into());
        self.facts.borrow_mut().push((key.to_string(), shown));
    }
    fn name(&self, pid: Pid, name: &str) {
        self.names.borrow_mut().push((pid, name.to_string()));
    }
}

fn list(items: Vec<Term>) -> Term {
    Term::list(items)
}

/// Runs `body` as `main`, stopping the clock at each instant of `pauses` so that
/// `inspect(sim, at)` can read mailboxes from outside (the probe's process_info).
fn run_case<F, Fut>(facts: &Facts, body: F, pauses: &[u64], mut inspect: impl FnMut(&Sim, u64))
where
    F: FnOnce(Ctx) -> Fut + 'static,
    Fut: std::future::Future<Output = ProcResult> + 'static,
{
    let mut sim = recording_sim();
    let f = facts.clone();
    sim.spawn(move |ctx| {
        f.name(ctx.me(), "main");
        body(ctx)
    });
    for at in pauses {
        sim.run_until(*at);
        inspect(&sim, *at);
    }
    sim.run();
}

/// The probe's status/1 as far as otpsim shows it: a live echo process with messages
/// still queued has not been run, so it is suspended; one with an empty queue waits.
fn status(sim: &Sim, p: Pid) -> Term {
    if !sim.is_alive(p) {
        atom("dead")
    } else if sim.mailbox(p).is_empty() {
        atom("waiting")
    } else {
        atom("suspended")
    }
}

fn spawn_echo(ctx: &Ctx, facts: &Facts, trap: bool) -> Pid {
    let main = ctx.me();
    let p = ctx.spawn(move |c| echo(c, main, trap));
    facts.name(p, "p");
    p
}

// ----- the probe, case by case ---------------------------------------------------------

fn case_queued(f: &Facts) {
    let p_cell = Rc::new(Cell::new(None));
    let (fc, pc) = (f.clone(), p_cell.clone());
    let body = move |ctx: Ctx| async move {
        let p = spawn_echo(&ctx, &fc, false);
        pc.set(Some(p));
        ctx.sleep(ms(1)).await;
        ctx.suspend_process(p)?;
        ctx.send(p, atom("a"));
        ctx.send(p, atom("b"));
        ctx.sleep(ms(20)).await;
        fc.fact(
            "queued.handled_while_suspended",
            list(drain_for(&ctx, ms(20)).await),
        );
        ctx.resume_process(p)?;
        fc.fact(
            "queued.handled_after_resume",
            list(drain_for(&ctx, ms(20)).await),
        );
        ctx.exit(p, Term::KILL);
        Ok(())
    };
    let fo = f.clone();
    run_case(f, body, &[ms(10)], |sim, _| {
        let p = p_cell.get().expect("p started");
        fo.fact("queued.status", status(sim, p));
        fo.fact("queued.queue", list(sim.mailbox(p)));
    });
}

/// A non-trapping suspended P gets `signal`; the DOWN says whether it died.
fn case_dies(f: &Facts, name: &'static str, signal: fn(&Ctx, &Facts, Pid)) {
    let fc = f.clone();
    run_case(
        f,
        move |ctx: Ctx| async move {
            let p = spawn_echo(&ctx, &fc, false);
            ctx.sleep(ms(1)).await;
            ctx.suspend_process(p)?;
            let mref = ctx.monitor(p);
            signal(&ctx, &fc, p);
            fc.fact(&format!("{name}.down"), down(&ctx, mref).await);
            let _ = ctx.resume_process(p);
            ctx.exit(p, Term::KILL);
            Ok(())
        },
        &[],
        |_, _| {},
    );
}

/// A spawns, links itself to P, and exits `crash` when told `go`.
fn linked_crasher(ctx: &Ctx, f: &Facts, p: Pid) -> Pid {
    let a = ctx.spawn(move |c| async move {
        c.link(p)?;
        c.recv_match(|m| m.is_atom("go"), None).await;
        Err(atom("crash"))
    });
    f.name(a, "a");
    a
}

fn case_normal(f: &Facts) {
    let p_cell = Rc::new(Cell::new(None));
    let (fc, pc) = (f.clone(), p_cell.clone());
    let body = move |ctx: Ctx| async move {
        let p = spawn_echo(&ctx, &fc, false);
        pc.set(Some(p));
        ctx.sleep(ms(1)).await;
        ctx.suspend_process(p)?;
        let mref = ctx.monitor(p);
        ctx.exit(p, Term::NORMAL);
        fc.fact("normal.down", down(&ctx, mref).await);
        ctx.sleep(ms(10)).await;
        let _ = ctx.resume_process(p);
        ctx.exit(p, Term::KILL);
        Ok(())
    };
    let fo = f.clone();
    run_case(f, body, &[ms(105)], |sim, _| {
        let p = p_cell.get().expect("p started");
        fo.fact("normal.queue", list(sim.mailbox(p)));
    });
}

fn case_trapped(f: &Facts) {
    let p_cell = Rc::new(Cell::new(None));
    let (fc, pc) = (f.clone(), p_cell.clone());
    let body = move |ctx: Ctx| async move {
        let p = spawn_echo(&ctx, &fc, true);
        pc.set(Some(p));
        ctx.sleep(ms(1)).await;
        ctx.suspend_process(p)?;
        let a = linked_crasher(&ctx, &fc, p);
        ctx.sleep(ms(1)).await;
        let mref = ctx.monitor(p);
        ctx.exit(p, atom("boom"));
        ctx.send(a, atom("go"));
        ctx.sleep(ms(20)).await;
        fc.fact("trapped.down", down(&ctx, mref).await);
        fc.fact(
            "trapped.handled_while_suspended",
            list(drain_for(&ctx, ms(20)).await),
        );
        ctx.resume_process(p)?;
        fc.fact(
            "trapped.handled_after_resume",
            list(drain_for(&ctx, ms(20)).await),
        );
        ctx.exit(p, Term::KILL);
        Ok(())
    };
    let fo = f.clone();
    run_case(f, body, &[ms(15)], |sim, _| {
        let p = p_cell.get().expect("p started");
        fo.fact("trapped.status", status(sim, p));
        fo.fact("trapped.queue", list(sim.mailbox(p)));
    });
}

fn case_trapped_kill(f: &Facts) {
    let fc = f.clone();
    run_case(
        f,
        move |ctx: Ctx| async move {
            let p = spawn_echo(&ctx, &fc, true);
            ctx.sleep(ms(1)).await;
            ctx.suspend_process(p)?;
            let mref = ctx.monitor(p);
            ctx.exit(p, Term::KILL);
            fc.fact("trapped_kill.down", down(&ctx, mref).await);
            Ok(())
        },
        &[],
        |_, _| {},
    );
}

/// Status is read from outside with a `ping` queued: handled means not suspended.
fn case_count(f: &Facts) {
    let p_cell = Rc::new(Cell::new(None));
    let (fc, pc) = (f.clone(), p_cell.clone());
    let body = move |ctx: Ctx| async move {
        let p = spawn_echo(&ctx, &fc, false);
        pc.set(Some(p));
        ctx.sleep(ms(1)).await;
        ctx.suspend_process(p)?;
        ctx.suspend_process(p)?;
        ctx.resume_process(p)?;
        ctx.send(p, atom("ping"));
        ctx.sleep(ms(10)).await;
        ctx.resume_process(p)?;
        ctx.sleep(ms(10)).await;
        ctx.exit(p, Term::KILL);
        Ok(())
    };
    let fo = f.clone();
    run_case(f, body, &[ms(5), ms(15)], |sim, at| {
        let p = p_cell.get().expect("p started");
        let key = if at == ms(5) {
            "count.status_after_one_resume"
        } else {
            "count.status_after_two_resumes"
        };
        fo.fact(key, status(sim, p));
    });
}

fn case_suspender_dies(f: &Facts) {
    let p_cell = Rc::new(Cell::new(None));
    let (fc, pc) = (f.clone(), p_cell.clone());
    let body = move |ctx: Ctx| async move {
        let p = spawn_echo(&ctx, &fc, false);
        pc.set(Some(p));
        let main = ctx.me();
        let s = ctx.spawn(move |c| async move {
            c.suspend_process(p)?;
            c.send(main, atom("suspended"));
            c.recv_match(|m| m.is_atom("stop"), None).await;
            Ok(())
        });
        ctx.recv_match(|m| m.is_atom("suspended"), None).await;
        ctx.send(p, atom("a"));
        ctx.sleep(ms(20)).await;
        ctx.send(s, atom("stop"));
        ctx.sleep(ms(20)).await;
        fc.fact(
            "suspender_dies.handled",
            list(drain_for(&ctx, ms(20)).await),
        );
        ctx.exit(p, Term::KILL);
        Ok(())
    };
    let fo = f.clone();
    run_case(f, body, &[ms(10), ms(35)], |sim, at| {
        let p = p_cell.get().expect("p started");
        let key = if at == ms(10) {
            "suspender_dies.status_before"
        } else {
            "suspender_dies.status_after"
        };
        fo.fact(key, status(sim, p));
    });
}

fn try_(r: Result<(), Term>) -> Term {
    match r {
        Ok(()) => Term::tagged("returned", Term::TRUE),
        Err(e) => Term::tuple([atom("error"), e]),
    }
}

fn case_errors(f: &Facts) {
    let fc = f.clone();
    run_case(
        f,
        move |ctx: Ctx| async move {
            fc.fact("errors.suspend_self", try_(ctx.suspend_process(ctx.me())));
            let dead = ctx.spawn(|_| async { Ok(()) });
            ctx.sleep(ms(1)).await;
            fc.fact("errors.suspend_dead", try_(ctx.suspend_process(dead)));
            let p = spawn_echo(&ctx, &fc, false);
            fc.fact("errors.resume_not_suspended", try_(ctx.resume_process(p)));
            let main = ctx.me();
            let s = ctx.spawn(move |c| async move {
                c.suspend_process(p)?;
                c.send(main, atom("suspended"));
                c.recv_match(|m| m.is_atom("stop"), None).await;
                Ok(())
            });
            ctx.recv_match(|m| m.is_atom("suspended"), None).await;
            fc.fact(
                "errors.resume_suspended_by_other",
                try_(ctx.resume_process(p)),
            );
            ctx.send(s, atom("stop"));
            ctx.exit(p, Term::KILL);
            Ok(())
        },
        &[],
        |_, _| {},
    );
}

#[test]
fn otp_suspend_process() {
    let f = Facts::default();
    case_queued(&f);
    case_dies(&f, "kill", |ctx, _, p| ctx.exit(p, Term::KILL));
    case_dies(&f, "exit_reason", |ctx, _, p| ctx.exit(p, atom("boom")));
    case_dies(&f, "link_crash", |ctx, f, p| {
        let a = linked_crasher(ctx, f, p);
        ctx.send(a, atom("go"));
    });
    case_normal(&f);
    case_trapped(&f);
    case_trapped_kill(&f);
    case_count(&f);
    case_suspender_dies(&f);
    case_errors(&f);
    let mut fx = Fixture::load("kernel/fault_hooks/suspend_process");
    for (key, value) in f.facts.borrow().iter() {
        fx.check(key, value.to_string());
    }
    fx.finish();
}
