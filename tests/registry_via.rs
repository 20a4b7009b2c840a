//! Names through the registry (REG-9) and gen.erl's name check (NAME-4). The replay of
//! the real-Elixir probe `via.exs` is in `registry_otp_via.rs`.

mod registry_support;

use otpsim::behaviour::gen_server::{self, StartOpts, StartResult, DEFAULT_TIMEOUT};
use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Atom, Term};
use otpsim::trace::EventKind;
use registry_support::replay::*;
use registry_support::*;

const REG_V: Registry = Registry::named("reg_v");
const REG_VD: Registry = Registry::named("reg_vd");

async fn start_registries(ctx: &Ctx) -> Result<(), Term> {
    REG_V
        .start_link(ctx, Keys::Unique, RegistryOpts::default())
        .await
        .into_result()?;
    REG_VD
        .start_link(ctx, Keys::Duplicate, RegistryOpts::default())
        .await
        .into_result()?;
    Ok(())
}

#[test]
fn reg9_start_call_cast_under_a_via_name() {
    // REG-9: {via, Registry, {N, key}} names a server; a call and a cast reach it; the
    // registry holds it with value nil, or with the value the name carries.
    let mut sim = sim();
    let main = sim.spawn(|ctx| async move {
        start_registries(&ctx).await?;
        let s1 = REG_V.via(atom("s1"));
        let pid = gen_server::start_link::<Srv>(&ctx, "ok", StartOpts::via(s1.clone()))
            .await
            .into_result()?;
        assert_eq!(REG_V.lookup(&ctx, &atom("s1")), vec![(pid, atom("nil"))]);
        assert_eq!(
            gen_server::call(&ctx, &s1, atom("ping"), DEFAULT_TIMEOUT).await?,
            atom("pong")
        );
        gen_server::cast(&ctx, &s1, Term::tagged("note", Term::Pid(ctx.me())));
        assert_eq!(ctx.recv().await, Term::tagged("cast_seen", Term::Pid(pid)));
        let s2 = REG_V.via(atom("s2")).with_value(atom("val"));
        let pid2 = gen_server::start::<Srv>(&ctx, "ok", StartOpts::via(s2))
            .await
            .into_result()?;
        assert_eq!(REG_V.lookup(&ctx, &atom("s2")), vec![(pid2, atom("val"))]);
        // The value in a name used to reach the server does not matter.
        let other = REG_V.via(atom("s2")).with_value(atom("other"));
        assert_eq!(
            gen_server::call(&ctx, other, atom("ping"), None).await?,
            atom("pong")
        );
        Ok(())
    });
    run_clean(&mut sim);
    assert_eq!(exit_reason(&sim, main), Some(Term::NORMAL));
}

#[test]
fn reg9_a_taken_via_name_gives_already_started_and_spawns_nothing() {
    // REG-9 and NAME-4: {error, {already_started, Pid}}; gen.erl looks the name up in
    // the starter first, so no process is spawned and a trapping starter gets no EXIT.
    let mut sim = sim();
    let main = sim.spawn(|ctx| async move {
        start_registries(&ctx).await?;
        ctx.trap_exit(true);
        let name = REG_V.via(atom("s1"));
        let pid = gen_server::start_link::<Srv>(&ctx, "ok", StartOpts::via(name.clone()))
            .await
            .into_result()?;
        let again = gen_server::start_link::<Srv>(&ctx, "ok", StartOpts::via(name)).await;
        assert_eq!(
            again,
            StartResult::Error(Term::tagged("already_started", Term::Pid(pid)))
        );
        assert_eq!(ctx.recv_timeout(ms(100)).await, None);
        Ok(())
    });
    run_clean(&mut sim);
    let spawned = sim
        .events()
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::Spawn { parent: Some(p), .. } if p == main))
        .count();
    assert_eq!(spawned, 3, "two registries and one server");
}

#[test]
fn reg9_missing_via_name_call_exits_noproc_cast_is_ok_send_is_badarg() {
    // REG-9: a call to a missing via-name exits {noproc, {gen_server, call, [Via, Req,
    // Timeout]}}; a cast returns ok; Registry.send to a missing key is badarg.
    let mut sim = sim();
    sim.spawn(|ctx| async move {
        start_registries(&ctx).await?;
        let missing = REG_V.via(atom("missing"));
        let r = gen_server::call(&ctx, &missing, atom("ping"), Some(1000)).await;
        let server = Term::tuple([
            atom("via"),
            atom("Elixir.Registry"),
            Term::tuple([atom("reg_v"), atom("missing")]),
        ]);
        let mfa = Term::tuple([
            atom("gen_server"),
            atom("call"),
            Term::list([server, atom("ping"), Term::Int(1000)]),
        ]);
        assert_eq!(r, Err(Term::tuple([Term::NOPROC, mfa])));
        gen_server::cast(&ctx, &missing, atom("hi"));
        assert_eq!(
            REG_V.send(&ctx, &atom("missing"), atom("hi")),
            Err(atom("badarg"))
        );
        Ok(())
    });
    run_clean(&mut sim);
}

#[test]
fn reg9_duplicate_registries_refuse_via_names() {
    // REG-9: only unique registries name servers; Elixir raises ArgumentError in the
    // caller, otpsim panics with the same message; a cast still returns ok.
    let mut sim = sim();
    let starter = sim.spawn(|ctx| async move {
        start_registries(&ctx).await?;
        gen_server::cast(&ctx, REG_VD.via(atom("d")), atom("hi"));
        let _ = gen_server::start::<Srv>(&ctx, "ok", StartOpts::via(REG_VD.via(atom("d")))).await;
        Ok(())
    });
    assert!(sim.run().outcome.is_normal());
    let expected = Term::tuple([
        atom("panic"),
        Term::bin(":via is not supported for duplicate registries"),
    ]);
    assert_eq!(exit_reason(&sim, starter), Some(expected));
}

#[test]
fn reg9_whereis_name_checks_liveness_but_lookup_does_not() {
    // REG-9 with REG-6: a via-name whose holder died resolves to nothing at once (the
    // call fails noproc), while lookup may still list the dead holder.
    let mut sim = sim();
    sim.spawn(|ctx| async move {
        start_registries(&ctx).await?;
        let part = ctx
            .whereis(&Atom::new("reg_v.PIDPartition0"))
            .expect("partition");
        let name = REG_V.via(atom("s"));
        let pid = gen_server::start::<Srv>(&ctx, "ok", StartOpts::via(name.clone()))
            .await
            .into_result()?;
        gen_server::sys_suspend(&ctx, part, None).await?;
        ctx.exit(pid, Term::KILL);
        ctx.sleep(ms(1)).await;
        assert_eq!(REG_V.lookup(&ctx, &atom("s")), vec![(pid, atom("nil"))]);
        assert_eq!(REG_V.whereis_name(&ctx, &atom("s")), None);
        let r = gen_server::call(&ctx, &name, atom("ping"), None).await;
        assert_eq!(
            r.err().and_then(|e| e.as_tuple().map(|t| t[0].clone())),
            Some(Term::NOPROC)
        );
        Ok(())
    });
    run_clean(&mut sim);
}
