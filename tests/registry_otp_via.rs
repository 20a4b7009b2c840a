//! otpsim against real Elixir: `tests/otp_fixtures/registry/via.exs` was run on
//! Elixir 1.14.0 / OTP 25.2.3 and its facts committed as `via.out` (REG-9, NAME-4).
//! The test replays the probe in otpsim and compares every fact. Elixir is not needed.

mod registry_support;

use otpsim::behaviour::gen_server::{self, StartOpts, StartResult, DEFAULT_TIMEOUT};
use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::kernel::{ms, Ctx, ProcResult};
use otpsim::term::{atom, Term};
use registry_support::replay::*;
use registry_support::*;

const REG_V: Registry = Registry::named("reg_v");
const REG_VD: Registry = Registry::named("reg_vd");
const NO_REG: Registry = Registry::named("no_reg");

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

async fn probe(ctx: &Ctx, f: &Facts) -> ProcResult {
    f.name(ctx.me(), "main");
    let main = ctx.me();
    start_registries(ctx).await?;
    f.name(ctx.whereis(REG_V.name()).expect("sup"), "sup");
    f.name(ctx.whereis(REG_VD.name()).expect("dsup"), "dsup");
    let via = |k: &'static str| REG_V.via(atom(k));
    let s1 = gen_server::start_link::<Srv>(ctx, "ok", StartOpts::via(via("s1"))).await;
    f.name(s1.clone().into_result()?, "s1");
    f.fact("reg9.start", s1.to_term());
    f.fact("reg9.lookup", pairs(&REG_V.lookup(ctx, &atom("s1"))));
    f.fact(
        "reg9.whereis",
        REG_V
            .whereis_name(ctx, &atom("s1"))
            .map_or(atom("nil"), Term::Pid),
    );
    f.fact(
        "reg9.call",
        gen_server::call(ctx, via("s1"), atom("ping"), DEFAULT_TIMEOUT).await?,
    );
    gen_server::cast(ctx, via("s1"), Term::tagged("note", Term::Pid(main)));
    f.fact("reg9.cast", Term::OK);
    let mut seen = Vec::new();
    while let Some(m) = ctx.recv_timeout(ms(100)).await {
        seen.push(m);
    }
    f.fact("reg9.cast_seen", Term::list(seen));
    REG_V.send(ctx, &atom("s1"), atom("hello"))?;
    f.fact("reg9.send", atom("hello"));
    let s2 = REG_V.via(atom("s2")).with_value(atom("val"));
    f.name(
        gen_server::start_link::<Srv>(ctx, "ok", StartOpts::via(s2))
            .await
            .into_result()?,
        "s2",
    );
    f.fact(
        "reg9.start_with_value.lookup",
        pairs(&REG_V.lookup(ctx, &atom("s2"))),
    );
    let other = REG_V.via(atom("s2")).with_value(atom("other"));
    f.fact(
        "reg9.call_with_value_name",
        gen_server::call(ctx, other, atom("ping"), None).await?,
    );
    f.fact(
        "reg9.start_taken",
        gen_server::start_link::<Srv>(ctx, "ok", StartOpts::via(via("s1")))
            .await
            .to_term(),
    );
    f.fact(
        "reg9.start_taken_nolink",
        gen_server::start::<Srv>(ctx, "ok", StartOpts::via(via("s1")))
            .await
            .to_term(),
    );
    f.fact(
        "reg9.call_missing",
        exit(gen_server::call(ctx, via("missing"), atom("ping"), DEFAULT_TIMEOUT).await),
    );
    f.fact(
        "reg9.call_missing_timeout",
        exit(gen_server::call(ctx, via("missing"), atom("ping"), Some(1000)).await),
    );
    f.fact(
        "reg9.erlang_call_missing_timeout",
        exit(gen_server::call(ctx, via("missing"), atom("ping"), Some(1000)).await),
    );
    gen_server::cast(ctx, via("missing"), atom("hi"));
    f.fact("reg9.cast_missing", Term::OK);
    f.fact(
        "reg9.whereis_missing",
        REG_V
            .whereis_name(ctx, &atom("missing"))
            .map_or(atom("nil"), Term::Pid),
    );
    let stop = gen_server::stop(ctx, via("missing"), Term::NORMAL, None).await;
    f.fact("reg9.stop_missing", exit(stop.map(|()| Term::OK)));
    ctx.trap_exit(true);
    let r = gen_server::start_link::<Srv>(ctx, "stop", StartOpts::via(via("s3"))).await;
    f.fact("reg9.init_stop", Term::tagged("returned", r.to_term()));
    // gen.erl gives the name back before acknowledging a failed init.
    let held = |key: &'static str| {
        Term::list(
            REG_V
                .lookup(ctx, &atom(key))
                .into_iter()
                .map(|(p, _)| Term::Pid(p)),
        )
    };
    f.fact("reg9.init_stop.lookup_at_once", held("s3"));
    let r = gen_server::start_link::<Srv>(ctx, "ignore", StartOpts::via(via("s4i"))).await;
    assert_eq!(r, gen_server::StartResult::Ignore);
    f.fact("reg9.init_ignore.lookup_at_once", held("s4i"));
    drain(ctx).await;
    let s6 = gen_server::start::<Srv>(ctx, "ok", StartOpts::via(via("s6")))
        .await
        .into_result()?;
    f.name(s6, "s6");
    gen_server::stop(ctx, s6, Term::NORMAL, None).await?;
    f.fact(
        "reg9.after_stop.whereis",
        REG_V
            .whereis_name(ctx, &atom("s6"))
            .map_or(atom("nil"), Term::Pid),
    );
    f.fact(
        "reg9.after_stop.call",
        exit(gen_server::call(ctx, via("s6"), atom("ping"), DEFAULT_TIMEOUT).await),
    );
    f.fact(
        "reg9.duplicate.lookup",
        pairs(&REG_VD.lookup(ctx, &atom("d"))),
    );
    gen_server::cast(ctx, REG_VD.via(atom("d")), atom("hi"));
    f.fact("reg9.duplicate.cast", Term::tagged("returned", Term::OK));
    for (key, local) in [
        ("name4.via_taken.exit_msgs", false),
        ("name4.local_taken.exit_msgs", true),
    ] {
        if local {
            let l1 = gen_server::start_link::<Srv>(ctx, "ok", StartOpts::named("local_l1")).await;
            f.name(l1.into_result()?, "l1");
        }
        let opts = if local {
            StartOpts::named("local_l1")
        } else {
            StartOpts::via(via("s1"))
        };
        let r = gen_server::start_link::<Srv>(ctx, "ok", opts).await;
        assert!(matches!(r, StartResult::Error(_)));
        let mut msgs = Vec::new();
        while let Some(m) = ctx.recv_timeout(ms(100)).await {
            msgs.push(m);
        }
        f.fact(key, Term::list(msgs));
    }
    Ok(())
}

/// What `f` gave, or the exception it raised, as the probe shows them.
async fn raised(f: impl std::future::Future<Output = Term>) -> Term {
    try_raise(f).await.unwrap_or_else(|e| e)
}

#[test]
fn otp_via_probe() {
    let mut fx = Fixture::load("registry/via");
    let facts = Facts::default();
    let raises = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let (f, out) = (facts.clone(), raises.clone());
    let mut sim = sim();
    sim.spawn(move |ctx| async move {
        probe(&ctx, &f).await?;
        let c = ctx.clone();
        let dup_start = raised(async move {
            gen_server::start::<Srv>(&c, "ok", StartOpts::via(REG_VD.via(atom("d"))))
                .await
                .to_term()
        })
        .await;
        let c = ctx.clone();
        let dup_whereis = raised(async move {
            REG_VD
                .whereis_name(&c, &atom("d"))
                .map_or(Term::UNDEFINED, Term::Pid)
        })
        .await;
        let c = ctx.clone();
        let dup_call = raised(async move {
            exit(gen_server::call(&c, REG_VD.via(atom("d")), atom("ping"), None).await)
        })
        .await;
        let c = ctx.clone();
        let unknown_start = raised(async move {
            gen_server::start::<Srv>(&c, "ok", StartOpts::via(NO_REG.via(atom("d"))))
                .await
                .to_term()
        })
        .await;
        let c = ctx.clone();
        let unknown_call = raised(async move {
            exit(gen_server::call(&c, NO_REG.via(atom("d")), atom("ping"), None).await)
        })
        .await;
        let missing_send = REG_V.send(&ctx, &atom("missing"), atom("hi"));
        out.borrow_mut().extend([
            ("reg9.duplicate.start", dup_start, ""),
            ("reg9.duplicate.whereis", dup_whereis, ""),
            ("reg9.duplicate.call", dup_call, ""),
            ("reg9.unknown.start", unknown_start, "no_reg"),
            ("reg9.unknown.call", unknown_call, "no_reg"),
        ]);
        f.fact("send_missing", missing_send.err().unwrap_or(Term::OK));
        Ok(())
    });
    run_clean(&mut sim);
    let elixir_side = [
        "reg9.call_missing",
        "reg9.call_missing_timeout",
        "reg9.stop_missing",
        "reg9.after_stop.call",
        "send_missing",
    ];
    facts.check_all(&mut fx, &elixir_side);
    // Elixir's GenServer shows itself as 'Elixir.GenServer' where gen_server shows
    // gen_server; otpsim's client is gen_server's.
    for key in &elixir_side[..4] {
        let shown = facts.show(&facts.value(key));
        fx.check_with(key, &shown, |otp| {
            otp.replace("'Elixir.GenServer'", "gen_server") == shown
        });
    }
    // gen_server:call/2 leaves the timeout out of the list; otpsim's call always has one.
    let with_timeout = facts.show(&facts.value("reg9.erlang_call_missing_timeout"));
    fx.check_with("reg9.erlang_call_missing", &with_timeout, |otp| {
        with_timeout.replace(",ping,1000]", ",ping]") == otp
    });
    let badarg = facts.value("send_missing");
    fx.check_with("reg9.send_missing", &badarg.to_string(), |otp| {
        badarg == atom("badarg") && otp == "{raised,'Elixir.ArgumentError',<<\"argument error\">>}"
    });
    for (key, term, name) in raises.borrow().iter() {
        fx.check_with(key, &term.to_string(), |otp| {
            same_argument_error(otp, term, name)
        });
    }
    for key in [
        "reg9.init_stop.lookup_at_once",
        "reg9.init_ignore.lookup_at_once",
    ] {
        let shown = facts.show(&facts.value(key));
        fx.check_with(key, &shown, |otp| otp == shown);
    }
    fx.finish();
}
