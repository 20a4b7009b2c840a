//! otpsim against real Elixir: `tests/otp_fixtures/registry/registry.exs` was run on
//! Elixir 1.14.0 / OTP 25.2.3 and its facts committed as `registry.out` (REG-1 to
//! REG-5, REG-8). The test replays the probe step by step in otpsim, prints what it
//! sees the same way and compares every fact. Elixir is not needed.

mod registry_support;

use otpsim::behaviour::gen_server::{sys_resume, sys_suspend};
use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::kernel::{Ctx, ProcResult};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::EventKind;
use registry_support::replay::*;
use registry_support::*;

const REG_U: Registry = Registry::named("reg_u");
const REG_D: Registry = Registry::named("reg_d");

async fn basics(ctx: &Ctx, f: &Facts) -> ProcResult {
    f.name(ctx.me(), "main");
    let sup = REG_U
        .start_link(ctx, Keys::Unique, RegistryOpts::default())
        .await;
    let sup_pid = f.name(sup.clone().into_result()?, "sup");
    let part0 = f.name(partition(ctx, &REG_U, 0), "part0");
    f.fact("reg1.start_link", sup.to_term());
    f.fact(
        "reg1.sup_registered_as_name",
        ctx.whereis(REG_U.name()) == Some(sup_pid),
    );
    mark(ctx, "reg1").await;
    let again = REG_U
        .start_link(ctx, Keys::Unique, RegistryOpts::default())
        .await;
    f.fact("reg1.start_again", again.to_term());
    f.fact(
        "reg2.register",
        ok_or_error(REG_U.register(ctx, atom("k"), atom("v"))),
    );
    mark(ctx, "reg2").await;
    f.fact("reg2.lookup", pairs(&REG_U.lookup(ctx, &atom("k"))));
    let main = ctx.me();
    ctx.spawn(move |c| async move {
        c.send(
            main,
            Term::tagged("other", pairs(&REG_U.lookup(&c, &atom("k")))),
        );
        Ok(())
    });
    let other = ctx.recv_match(|m| m.tag() == Some("other"), None).await;
    f.fact(
        "reg2.lookup_from_other",
        other.expect("reply").as_tuple().expect("t")[1].clone(),
    );
    f.fact(
        "reg2.lookup_missing",
        pairs(&REG_U.lookup(ctx, &atom("missing"))),
    );
    f.fact("reg2.keys", Term::list(REG_U.keys(ctx, main)));

    // REG-3
    f.fact(
        "reg3.register_again_self",
        ok_or_error(REG_U.register(ctx, atom("k"), atom("other"))),
    );
    let (_, r) = holder(ctx, |c| {
        ok_or_error(REG_U.register(c, atom("k"), atom("x")))
    })
    .await;
    f.fact("reg3.register_from_other", r);
    f.fact("reg3.lookup_kept", pairs(&REG_U.lookup(ctx, &atom("k"))));
    let (p1, r) = holder(ctx, |c| {
        ok_or_error(REG_U.register(c, atom("k2"), atom("old")))
    })
    .await;
    f.name(p1, "p1");
    f.fact("reg3.p1_register", r);
    sys_suspend(ctx, part0, None).await?;
    kill_and_wait(ctx, p1).await;
    f.fact("reg3.stale.lookup", pairs(&REG_U.lookup(ctx, &atom("k2"))));
    f.fact("reg3.stale.count", REG_U.count(ctx) as i64);
    f.fact("reg3.stale.keys_of_dead", Term::list(REG_U.keys(ctx, p1)));
    f.fact(
        "reg3.stale.whereis_name",
        opt_pid(REG_U.whereis_name(ctx, &atom("k2"))),
    );
    f.fact(
        "reg3.stale.register_replaces",
        ok_or_error(REG_U.register(ctx, atom("k2"), atom("new"))),
    );
    f.fact(
        "reg3.stale.lookup_after_replace",
        pairs(&REG_U.lookup(ctx, &atom("k2"))),
    );
    sys_resume(ctx, part0, None).await?;
    sync(ctx, part0).await;
    f.fact(
        "reg3.cleaned.lookup",
        pairs(&REG_U.lookup(ctx, &atom("k2"))),
    );
    f.fact("reg3.cleaned.keys", sorted(REG_U.keys(ctx, main)));

    // REG-5
    REG_U.unregister(ctx, &atom("k"));
    f.fact("reg5.unregister", Term::OK);
    mark(ctx, "reg5.k2").await;
    REG_U.unregister(ctx, &atom("k2"));
    f.fact("reg5.unregister_k2", Term::OK);
    mark(ctx, "reg5.none").await;
    REG_U.unregister(ctx, &atom("never"));
    f.fact("reg5.unregister_unknown", Term::OK);
    f.fact("reg5.keys_after", Term::list(REG_U.keys(ctx, main)));
    f.fact("reg5.lookup_after", pairs(&REG_U.lookup(ctx, &atom("k"))));
    Ok(())
}

async fn duplicates(ctx: &Ctx, f: &Facts) -> ProcResult {
    let main = ctx.me();
    let dsup = REG_D
        .start_link(ctx, Keys::Duplicate, RegistryOpts::default())
        .await;
    f.name(dsup.into_result()?, "dsup");
    f.name(partition(ctx, &REG_D, 0), "dpart0");
    let k = atom("k");
    f.fact(
        "reg4.register_1",
        ok_or_error(REG_D.register(ctx, k.clone(), Term::Int(1))),
    );
    let (p2, r) = holder(ctx, |c| {
        ok_or_error(REG_D.register(c, atom("k"), Term::Int(2)))
    })
    .await;
    f.name(p2, "p2");
    f.fact("reg4.p2_register", r);
    f.fact(
        "reg4.register_3",
        ok_or_error(REG_D.register(ctx, k.clone(), Term::Int(3))),
    );
    f.fact(
        "reg4.register_same_again",
        ok_or_error(REG_D.register(ctx, k.clone(), Term::Int(3))),
    );
    f.fact("reg4.lookup", pairs(&REG_D.lookup(ctx, &k)));
    f.fact("reg4.keys", Term::list(REG_D.keys(ctx, main)));
    f.fact("reg4.count", REG_D.count(ctx) as i64);

    // REG-8
    let called = |entries: &[(Pid, Term)]| ctx.send(main, Term::tagged("called", pairs(entries)));
    REG_D.dispatch(ctx, &k, called);
    f.fact("reg8.dispatch", Term::OK);
    f.fact("reg8.dispatch_calls", Term::list(drain(ctx).await));
    REG_D.dispatch(ctx, &atom("none"), called);
    f.fact("reg8.dispatch_missing", Term::OK);
    f.fact("reg8.dispatch_missing_calls", Term::list(drain(ctx).await));
    REG_D.register(ctx, atom("j"), Term::tagged("tag", Term::Int(7)))?;
    let int = |e: &otpsim::behaviour::registry::Entry| e.value.as_int();
    f.fact(
        "reg8.count_match_k_all",
        REG_D.count_match(ctx, &k, |_| true) as i64,
    );
    f.fact(
        "reg8.count_match_k_3",
        REG_D.count_match(ctx, &k, |e| e.value == Term::Int(3)) as i64,
    );
    f.fact(
        "reg8.count_match_guard",
        REG_D.count_match(ctx, &k, |e| int(e) > Some(1)) as i64,
    );
    f.fact(
        "reg8.match_k_guard",
        pairs(&REG_D.match_key(ctx, &k, |e| int(e) > Some(1))),
    );
    let all = REG_D.select(ctx, |e| {
        Some(Term::tuple([
            e.key.clone(),
            Term::Pid(e.pid),
            e.value.clone(),
        ]))
    });
    f.fact("reg8.select_all", sorted(all));
    let tagged = REG_D.select(ctx, |e| match e.value.as_tuple() {
        Some([t, x]) if t.is_atom("tag") => Some(Term::tuple([e.key.clone(), x.clone()])),
        _ => None,
    });
    f.fact("reg8.select_tuple_values", Term::list(tagged));
    f.fact(
        "reg8.count_select",
        REG_D.count_select(ctx, |e| int(e).is_some()) as i64,
    );
    f.fact("reg8.count", REG_D.count(ctx) as i64);

    REG_D.unregister(ctx, &k);
    f.fact("reg5.dup_unregister", Term::OK);
    f.fact("reg5.dup_lookup_after", pairs(&REG_D.lookup(ctx, &k)));
    mark(ctx, "reg5.dup").await;
    Ok(())
}

#[test]
fn otp_registry_probe() {
    let mut fx = Fixture::load("registry/registry");
    let facts = Facts::default();
    let f = facts.clone();
    let mut sim = sim();
    sim.spawn(move |ctx| async move {
        basics(&ctx, &f).await?;
        duplicates(&ctx, &f).await
    });
    run_clean(&mut sim);
    facts.check_all(&mut fx, &[]);
    let (main, sup, part0) = (facts.pid("main"), facts.pid("sup"), facts.pid("part0"));
    let dpart0 = facts.pid("dpart0");
    let links = [
        ("reg1.partition_linked_to_sup", sup, part0, "reg1"),
        ("reg2.caller_linked_to_partition", main, part0, "reg2"),
        ("reg5.still_linked_with_k2", main, part0, "reg5.k2"),
        ("reg5.unlinked_when_none_left", main, part0, "reg5.none"),
        ("reg5.dup_still_linked_with_j", main, dpart0, "reg5.dup"),
    ];
    for (key, a, b, at) in links {
        fx.check(key, linked_at(&sim, a, b, at).to_string());
    }
    let traps = sim
        .events()
        .into_iter()
        .any(|e| matches!(e.kind, EventKind::TrapExit { pid, on: true } if pid == part0));
    fx.check(
        "reg1.partition_traps_exits",
        format!("{{trap_exit,{traps}}}"),
    );
    fx.finish();
}
