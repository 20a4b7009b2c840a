//! otpsim against real Elixir: `tests/otp_fixtures/registry/cleanup.exs` was run on
//! Elixir 1.14.0 / OTP 25.2.3 and its facts committed as `cleanup.out` (REG-6, REG-7,
//! metadata, unknown registries, partitions). The test replays the probe in otpsim and
//! compares every fact. Elixir is not needed.

mod registry_support;

use otpsim::behaviour::gen_server::{sys_resume, sys_suspend};
use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::kernel::{Ctx, ProcResult};
use otpsim::term::{atom, Atom, Pid, Term};
use registry_support::replay::*;
use registry_support::*;

const REG_U: Registry = Registry::named("reg_u");
const REG_D: Registry = Registry::named("reg_d");
const REG_L: Registry = Registry::named("reg_l");
const REG_M: Registry = Registry::named("reg_m");
const REG_P: Registry = Registry::named("reg_p");
const NONE: Registry = Registry::named("no_such_registry");

/// REG-6 with the partition held by `sys:suspend`: the reads see the dead holder.
async fn stale(ctx: &Ctx, f: &Facts) -> ProcResult {
    f.name(ctx.me(), "main");
    let main = ctx.me();
    let dsup = REG_D
        .start_link(ctx, Keys::Duplicate, RegistryOpts::default())
        .await;
    f.name(dsup.into_result()?, "dsup");
    let dpart0 = f.name(partition(ctx, &REG_D, 0), "dpart0");
    let k = atom("k");
    REG_D.register(ctx, k.clone(), Term::Int(1))?;
    let (p2, _) = holder(ctx, |c| {
        ok_or_error(REG_D.register(c, atom("k"), Term::Int(2)))
    })
    .await;
    f.name(p2, "p2");
    let sup = REG_U
        .start_link(ctx, Keys::Unique, RegistryOpts::default())
        .await;
    f.name(sup.into_result()?, "sup");
    let called = |entries: &[(Pid, Term)]| ctx.send(main, Term::tagged("called", pairs(entries)));
    sys_suspend(ctx, dpart0, None).await?;
    kill_and_wait(ctx, p2).await;
    REG_D.register(ctx, k.clone(), Term::Int(9))?;
    f.fact("reg6.stale.lookup", pairs(&REG_D.lookup(ctx, &k)));
    f.fact("reg6.stale.count", REG_D.count(ctx) as i64);
    f.fact(
        "reg6.stale.count_match",
        REG_D.count_match(ctx, &k, |_| true) as i64,
    );
    REG_D.dispatch(ctx, &k, called);
    f.fact("reg6.stale.dispatch_calls", Term::list(drain(ctx).await));
    sys_resume(ctx, dpart0, None).await?;
    sync(ctx, dpart0).await;
    f.fact("reg6.cleaned.lookup", pairs(&REG_D.lookup(ctx, &k)));
    Ok(())
}

/// REG-6 without a suspended partition: what a lookup sees straight after the holder's
/// `DOWN`, over many runs. OTP's outcome depends on its scheduler; otpsim's default
/// schedule is one of the outcomes OTP showed.
async fn after_down(ctx: &Ctx, reg: Registry, runs: i64) -> Vec<Term> {
    let mut outcomes = Vec::new();
    for i in 0..runs {
        let key = Term::tuple([atom("w"), Term::Int(i)]);
        let (k, r) = (key.clone(), reg.clone());
        let (p, _) = holder(ctx, move |c| ok_or_error(r.register(c, k, atom("x")))).await;
        kill_and_wait(ctx, p).await;
        let seen = if reg.lookup(ctx, &key).is_empty() {
            "cleaned"
        } else {
            "stale"
        };
        if !outcomes.contains(&atom(seen)) {
            outcomes.push(atom(seen));
        }
    }
    outcomes.sort();
    outcomes
}

async fn listeners(ctx: &Ctx, f: &Facts) -> ProcResult {
    let listener = ctx.spawn(|c| async move {
        let to = c.recv_match(|m| m.tag() == Some("report"), None).await;
        let heard = drain(&c).await;
        if let Some(Term::Pid(to)) = to.as_ref().and_then(|m| m.as_tuple()).map(|t| t[1].clone()) {
            c.send(to, Term::tagged("heard", Term::list(heard)));
        }
        c.recv_match(|m| m.is_atom("stop"), None).await;
        Ok(())
    });
    f.name(listener, "listener");
    ctx.register(Atom::from_static("reg_listener"), listener)?;
    let opts = RegistryOpts {
        listeners: vec![Atom::from_static("reg_listener")],
        ..RegistryOpts::default()
    };
    f.name(
        REG_L
            .start_link(ctx, Keys::Unique, opts)
            .await
            .into_result()?,
        "lsup",
    );
    REG_L.register(ctx, atom("a"), Term::Int(1))?;
    REG_L.unregister(ctx, &atom("a"));
    REG_L.unregister(ctx, &atom("never_registered"));
    let (p3, _) = holder(ctx, |c| {
        ok_or_error(REG_L.register(c, atom("b"), Term::Int(2)))
    })
    .await;
    f.name(p3, "p3");
    kill_and_wait(ctx, p3).await;
    sync(ctx, partition(ctx, &REG_L, 0)).await;
    f.fact(
        "reg7.lookup_after_death",
        pairs(&REG_L.lookup(ctx, &atom("b"))),
    );
    ctx.send(listener, Term::tagged("report", Term::Pid(ctx.me())));
    let heard = ctx
        .recv_match(|m| m.tag() == Some("heard"), None)
        .await
        .expect("heard");
    f.fact(
        "reg7.listener_heard",
        heard.as_tuple().expect("t")[1].clone(),
    );

    let (p4, _) = holder(ctx, |c| {
        ok_or_error(REG_L.register(c, atom("c"), Term::Int(3)))
    })
    .await;
    f.name(p4, "p4");
    let main = ctx.me();
    let p5 = ctx.spawn(move |c| async move {
        c.trap_exit(true);
        REG_L.register(&c, atom("d"), Term::Int(4))?;
        c.send(main, atom("p5_ready"));
        c.recv_match(|m| m.tag() == Some("report"), None).await;
        let heard = drain(&c).await;
        c.send(main, Term::tagged("p5_heard", Term::list(heard)));
        Ok(())
    });
    f.name(p5, "p5");
    ctx.recv_match(|m| m.is_atom("p5_ready"), None).await;
    let lpart0 = f.name(partition(ctx, &REG_L, 0), "lpart0");
    let mref = ctx.monitor(p4);
    ctx.exit(lpart0, Term::KILL);
    let down = ctx
        .recv_match(
            move |m| matches!(m.as_tuple(), Some([_, Term::Ref(r), ..]) if *r == mref),
            None,
        )
        .await
        .expect("DOWN");
    f.fact(
        "reg7.partition_killed.registered_exits",
        down.as_tuple().expect("t")[4].clone(),
    );
    f.fact("reg7.partition_killed.trapping_alive", ctx.is_alive(p5));
    ctx.send(p5, Term::tagged("report", Term::Pid(main)));
    let heard = ctx
        .recv_match(|m| m.tag() == Some("p5_heard"), None)
        .await
        .expect("p5");
    f.fact(
        "reg7.partition_killed.trapping_heard",
        heard.as_tuple().expect("t")[1].clone(),
    );
    f.fact(
        "reg7.partition_killed.entries_gone",
        pairs(&REG_L.lookup(ctx, &atom("d"))),
    );
    Ok(())
}

async fn meta_and_partitions(ctx: &Ctx, f: &Facts) -> ProcResult {
    let opts = RegistryOpts {
        meta: vec![(atom("custom"), Term::Int(1))],
        ..RegistryOpts::default()
    };
    f.name(
        REG_M
            .start_link(ctx, Keys::Unique, opts)
            .await
            .into_result()?,
        "msup",
    );
    let meta = |key: &Term| {
        REG_M
            .meta(ctx, key)
            .map_or(atom("error"), |v| Term::tuple([Term::OK, v]))
    };
    f.fact("meta.get", meta(&atom("custom")));
    f.fact("meta.missing", meta(&atom("nope")));
    REG_M.put_meta(ctx, atom("other"), Term::Int(2));
    f.fact("meta.put", Term::OK);
    f.fact("meta.get_put", meta(&atom("other")));

    let psup = REG_P
        .start_link(ctx, Keys::Unique, RegistryOpts::partitions(4))
        .await;
    f.name(psup.into_result()?, "psup");
    let parts: Vec<Pid> = (0..4).map(|i| partition(ctx, &REG_P, i)).collect();
    f.fact("partitions.count", parts.len() as i64);
    let owners: Vec<Pid> = (1..=8)
        .map(|i| REG_P.register(ctx, Term::Int(i), Term::Int(i)))
        .collect::<Result<_, _>>()?;
    f.fact(
        "partitions.owner_same_for_all_keys",
        owners.iter().all(|o| *o == owners[0]),
    );
    f.fact(
        "partitions.owner_is_a_partition",
        parts.contains(&owners[0]),
    );
    f.fact("partitions.count_entries", REG_P.count(ctx) as i64);
    f.fact("partitions.keys", sorted(REG_P.keys(ctx, ctx.me())));
    Ok(())
}

#[test]
fn otp_cleanup_probe() {
    let mut fx = Fixture::load("registry/cleanup");
    let facts = Facts::default();
    let errors = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let (f, errs) = (facts.clone(), errors.clone());
    let runs: i64 = fx.get("reg6.after_down.runs").parse().expect("runs");
    let mut sim = sim();
    sim.spawn(move |ctx| async move {
        stale(&ctx, &f).await?;
        f.fact("reg6.after_down.runs", runs);
        let seen = after_down(&ctx, REG_D, runs).await;
        f.fact("reg6.after_down.lookup_outcomes", Term::list(seen));
        let seen = after_down(&ctx, REG_U, runs).await;
        f.fact("reg6.after_down.unique_lookup_outcomes", Term::list(seen));
        listeners(&ctx, &f).await?;
        meta_and_partitions(&ctx, &f).await?;
        for (key, call) in [
            ("meta.unknown_registry", 0),
            ("unknown_registry.lookup", 1),
            ("unknown_registry.register", 2),
        ] {
            let r = try_raise(async {
                match call {
                    0 => NONE.meta(&ctx, &atom("custom")).unwrap_or(Term::UNDEFINED),
                    1 => pairs(&NONE.lookup(&ctx, &atom("k"))),
                    _ => ok_or_error(NONE.register(&ctx, atom("k"), Term::Int(1))),
                }
            })
            .await;
            errs.borrow_mut()
                .push((key, r.err().unwrap_or(Term::UNDEFINED)));
        }
        Ok(())
    });
    run_clean(&mut sim);
    // The after-DOWN outcomes race in OTP: otpsim's must be among those OTP showed.
    let racy = [
        "reg6.after_down.lookup_outcomes",
        "reg6.after_down.unique_lookup_outcomes",
    ];
    facts.check_all(&mut fx, &racy);
    for key in racy {
        let value = facts.value(key);
        let items: Vec<String> = value
            .as_list()
            .unwrap_or(&[])
            .iter()
            .map(|t| t.to_string())
            .collect();
        let otp_has = |otp: &str| {
            let otp: Vec<&str> = otp.trim_matches(['[', ']']).split(',').collect();
            !items.is_empty() && items.iter().all(|i| otp.contains(&i.as_str()))
        };
        fx.check_with(key, &facts.show(&value), otp_has);
    }
    for (key, err) in errors.borrow().iter() {
        let shown = err.to_string();
        fx.check_with(key, &shown, |otp| {
            same_argument_error(otp, err, "no_such_registry")
        });
    }
    fx.finish();
}
