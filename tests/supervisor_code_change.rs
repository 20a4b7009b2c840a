//! SUP-27, a supervisor's code change: replays the real-OTP probe
//! (`tests/otp_fixtures/supervisor_probes/sup_code_change_probe.erl`) in otpsim and
//! compares every recorded fact. Each test replays one of the probe's scenarios and
//! checks the facts under its prefix; the others are left to the other tests.

mod supervisor_common;

use otpsim::behaviour::gen_server::{self, StartOpts};
use otpsim::behaviour::supervisor::{
    self, AutoShutdown, ChildPid, ChildSpec, Restart, Strategy, SupFlags, SupInit,
};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use std::rc::Rc;
use supervisor_common::fixture::Fixture;
use supervisor_common::probe::{crash, record, run, Facts, Probe};

const FIXTURE: &str = "supervisor_probes/sup_code_change_probe";

/// The probe's flags map with only `strategy` set: OTP's defaults, 1 restart in 5 s.
fn flags(strategy: Strategy) -> SupFlags {
    SupFlags::new(strategy).intensity(1, 5)
}

async fn start_sup(ctx: &Ctx, flags: SupFlags, specs: Vec<ChildSpec>) -> Result<Pid, Term> {
    supervisor::start_link(ctx, flags, specs, StartOpts::default())
        .await
        .into_result()
}

async fn pid_of(ctx: &Ctx, sup: Pid, id: &str) -> Pid {
    supervisor_common::pid_of(ctx, sup, id)
        .await
        .expect("running")
}

type Which = Vec<(Term, ChildPid)>;

async fn which(ctx: &Ctx, sup: Pid) -> Which {
    supervisor::which_children(ctx, sup)
        .await
        .into_iter()
        .map(|c| (c.id, c.pid))
        .collect()
}

/// The probe's `vs/2`: each child of `after` as `same` or `new` against `before`'s
/// pid for its id, or `undefined` / `restarting`.
fn vs(before: &Which, after: &Which) -> Term {
    Term::list(after.iter().map(|(id, pid)| {
        let state = match pid {
            ChildPid::Pid(_) if before.contains(&(id.clone(), *pid)) => atom("same"),
            ChildPid::Pid(_) => atom("new"),
            ChildPid::Restarting => atom("restarting"),
            ChildPid::Undefined => Term::UNDEFINED,
        };
        Term::tuple([id.clone(), state])
    }))
}

/// What `sys:change_code` returned, as the probe prints it.
fn result(r: Result<(), Term>) -> Term {
    r.map_or_else(|e| e, |()| Term::OK)
}

/// The supervisor's exit reason if it exits within `wait_ms`, else `alive`.
async fn sup_exit(ctx: &Ctx, sup: Pid, wait_ms: u64) -> Term {
    let exit = move |m: &Term| matches!(m.as_tuple(), Some([t, Term::Pid(p), _]) if t.is_atom("EXIT") && *p == sup);
    match ctx.recv_match(exit, Some(ms(wait_ms))).await {
        Some(m) => m.as_tuple().map_or(Term::UNDEFINED, |t| t[2].clone()),
        None => atom("alive"),
    }
}

/// Runs one scenario and checks its facts (those whose key starts with `prefix.`)
/// against the fixture; every one of them must be replayed.
fn replay<F, Fut>(prefix: &str, body: F)
where
    F: FnOnce(Ctx, Facts, Probe) -> Fut + 'static,
    Fut: std::future::Future<Output = otpsim::kernel::ProcResult> + 'static,
{
    let facts: Facts = Rc::default();
    let (f, p) = (facts.clone(), Probe::new(&[]));
    run(move |ctx| async move {
        ctx.trap_exit(true);
        body(ctx, f, p).await
    });
    let mut fx = Fixture::load(FIXTURE);
    let path = format!(
        "{}/tests/otp_fixtures/{FIXTURE}.out",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    let mine = format!("{prefix}.");
    for key in text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k)
    {
        if !key.starts_with(&mine) {
            fx.skip(key, "replayed by another SUP-27 test");
        }
    }
    let facts = facts.borrow().clone();
    assert!(!facts.is_empty(), "{prefix}: the scenario recorded nothing");
    for (k, v) in facts {
        assert!(k.starts_with(&mine), "{k} is not under {prefix}");
        fx.check(&k, v);
    }
    fx.finish();
}

#[test]
fn sup27_new_flags_and_specs_keep_pids_add_without_starting_and_keep_the_left_out() {
    // SUP-27: c and a reordered (a now temporary), n new, b left out; one_for_all.
    replay("update", |ctx, f, p| async move {
        let specs = vec![p.spec("a"), p.spec("b"), p.spec("c")];
        let sup = start_sup(&ctx, flags(Strategy::OneForOne), specs).await?;
        p.take();
        let w0 = which(&ctx, sup).await;
        record(&f, "update.before", vs(&w0, &w0));
        let specs = vec![
            p.spec("c"),
            p.spec("a").restart(Restart::Temporary),
            p.spec("n"),
        ];
        let r = supervisor::change_code(&ctx, sup, flags(Strategy::OneForAll), specs).await;
        record(&f, "update.result", result(r));
        ctx.sleep(ms(20)).await;
        record(&f, "update.events", p.take());
        let w1 = which(&ctx, sup).await;
        record(&f, "update.after", vs(&w0, &w1));
        let c = supervisor::count_children(&ctx, sup).await;
        let counts = format!(
            "[{{specs,{}}},{{active,{}}},{{supervisors,{}}},{{workers,{}}}]",
            c.specs, c.active, c.supervisors, c.workers
        );
        record(&f, "update.count", counts);
        let started = supervisor::restart_child(&ctx, sup, atom("n")).await;
        record(&f, "update.restart_n", matches!(started, Ok(Some(_))));
        ctx.sleep(ms(20)).await;
        record(&f, "update.restart_n.events", p.take());
        let w2 = which(&ctx, sup).await;
        crash(&ctx, pid_of(&ctx, sup, "a").await);
        ctx.sleep(ms(50)).await;
        record(&f, "update.crash_temporary.events", p.take());
        let w3 = which(&ctx, sup).await;
        record(&f, "update.crash_temporary.after", vs(&w2, &w3));
        crash(&ctx, pid_of(&ctx, sup, "c").await);
        ctx.sleep(ms(50)).await;
        record(&f, "update.crash_permanent.events", p.take());
        let w4 = which(&ctx, sup).await;
        record(&f, "update.crash_permanent.after", vs(&w3, &w4));
        record(&f, "update.sup", sup_exit(&ctx, sup, 20).await);
        Ok(())
    });
}

#[test]
fn sup27_restart_history_survives_and_meets_the_new_intensity() {
    // SUP-27: two restarts under 3-in-60 s, then 2-in-60 s: the third crash is one
    // too many.
    replay("intensity", |ctx, f, p| async move {
        let three = SupFlags::new(Strategy::OneForOne).intensity(3, 60);
        let sup = start_sup(&ctx, three, vec![p.spec("a")]).await?;
        for _ in 0..2 {
            crash(&ctx, pid_of(&ctx, sup, "a").await);
            ctx.sleep(ms(20)).await;
        }
        record(&f, "intensity.before_change", sup_exit(&ctx, sup, 0).await);
        let two = SupFlags::new(Strategy::OneForOne).intensity(2, 60);
        let r = supervisor::change_code(&ctx, sup, two, vec![p.spec("a")]).await;
        record(&f, "intensity.result", result(r));
        p.take();
        crash(&ctx, pid_of(&ctx, sup, "a").await);
        record(
            &f,
            "intensity.third_crash.sup",
            sup_exit(&ctx, sup, 200).await,
        );
        ctx.sleep(ms(20)).await;
        record(&f, "intensity.third_crash.events", p.take());
        Ok(())
    });
}

#[test]
fn sup27_invalid_flags_are_refused_and_the_old_state_rules() {
    // SUP-27: period 0 gives {error, {error, {invalid_period, 0}}}; one_for_one stays.
    replay("invalid_flags", |ctx, f, p| async move {
        let specs = vec![p.spec("a"), p.spec("b")];
        let sup = start_sup(&ctx, flags(Strategy::OneForOne), specs).await?;
        p.take();
        let w0 = which(&ctx, sup).await;
        let bad = flags(Strategy::OneForAll).intensity(1, 0);
        let specs = vec![p.spec("a"), p.spec("b"), p.spec("n")];
        let r = supervisor::change_code(&ctx, sup, bad, specs).await;
        record(&f, "invalid_flags.result", result(r));
        record(&f, "invalid_flags.after", vs(&w0, &which(&ctx, sup).await));
        crash(&ctx, pid_of(&ctx, sup, "a").await);
        ctx.sleep(ms(50)).await;
        record(&f, "invalid_flags.crash.events", p.take());
        record(
            &f,
            "invalid_flags.crash.after",
            vs(&w0, &which(&ctx, sup).await),
        );
        Ok(())
    });
}

#[test]
fn sup27_invalid_specs_are_refused_with_their_valid_flags() {
    // SUP-27: a duplicate id, and a significant child under auto_shutdown never.
    replay("invalid_spec", |ctx, f, p| async move {
        let specs = vec![p.spec("a"), p.spec("b")];
        let sup = start_sup(&ctx, flags(Strategy::OneForOne), specs).await?;
        p.take();
        let w0 = which(&ctx, sup).await;
        let dup = vec![p.spec("a"), p.spec("n"), p.spec("n")];
        let r = supervisor::change_code(&ctx, sup, flags(Strategy::OneForAll), dup).await;
        record(&f, "invalid_spec.duplicate.result", result(r));
        let sig = vec![
            p.spec("a"),
            p.spec("b").restart(Restart::Transient).significant(true),
        ];
        let r = supervisor::change_code(&ctx, sup, flags(Strategy::OneForAll), sig).await;
        record(&f, "invalid_spec.significant.result", result(r));
        record(&f, "invalid_spec.after", vs(&w0, &which(&ctx, sup).await));
        crash(&ctx, pid_of(&ctx, sup, "a").await);
        ctx.sleep(ms(50)).await;
        record(&f, "invalid_spec.crash.events", p.take());
        record(
            &f,
            "invalid_spec.crash.after",
            vs(&w0, &which(&ctx, sup).await),
        );
        Ok(())
    });
}

#[test]
fn sup27_specs_are_checked_against_the_new_auto_shutdown() {
    // SUP-27: the same change turns auto_shutdown on and makes a significant; its
    // clean exit then ends the supervisor.
    replay("significant", |ctx, f, p| async move {
        let specs = vec![p.spec("a"), p.spec("b")];
        let sup = start_sup(&ctx, flags(Strategy::OneForOne), specs).await?;
        p.take();
        let any = flags(Strategy::OneForOne).auto_shutdown(AutoShutdown::AnySignificant);
        let specs = vec![
            p.spec("a").restart(Restart::Transient).significant(true),
            p.spec("b"),
        ];
        let r = supervisor::change_code(&ctx, sup, any, specs).await;
        record(&f, "significant.result", result(r));
        let a = pid_of(&ctx, sup, "a").await;
        gen_server::cast(&ctx, a, Term::tagged("stop", Term::NORMAL));
        record(&f, "significant.sup", sup_exit(&ctx, sup, 200).await);
        record(&f, "significant.events", p.take());
        Ok(())
    });
}

#[test]
fn sup27_init_ignore_is_ok_and_changes_nothing() {
    // SUP-27: `ignore` from the re-run init: ok, same children, one_for_one still.
    replay("ignore", |ctx, f, p| async move {
        let specs = vec![p.spec("a"), p.spec("b")];
        let sup = start_sup(&ctx, flags(Strategy::OneForOne), specs).await?;
        p.take();
        let w0 = which(&ctx, sup).await;
        let r = supervisor::change_code_with(&ctx, sup, SupInit::Ignore).await;
        record(&f, "ignore.result", result(r));
        record(&f, "ignore.after", vs(&w0, &which(&ctx, sup).await));
        crash(&ctx, pid_of(&ctx, sup, "a").await);
        ctx.sleep(ms(50)).await;
        record(&f, "ignore.crash.events", p.take());
        record(&f, "ignore.crash.after", vs(&w0, &which(&ctx, sup).await));
        Ok(())
    });
}

#[test]
fn sup27_any_other_init_answer_is_the_error() {
    // SUP-27: init answering {error, no_config}: refused with that term, unchanged.
    replay("init_error", |ctx, f, p| async move {
        let sup = start_sup(&ctx, flags(Strategy::OneForOne), vec![p.spec("a")]).await?;
        let w0 = which(&ctx, sup).await;
        let answer = Term::tagged("error", atom("no_config"));
        let r = supervisor::change_code_with(&ctx, sup, SupInit::Error(answer)).await;
        record(&f, "init_error.result", result(r));
        record(&f, "init_error.after", vs(&w0, &which(&ctx, sup).await));
        Ok(())
    });
}
