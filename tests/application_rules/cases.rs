//! The APP- rule tests; helpers and probe applications are in the parent file.

use super::*;

/// Loads and ensure-starts the fixture's first set: a needs [b, c], b needs [d].
async fn abcd(ctx: &Ctx, log: &Log) -> Result<Term, Term> {
    for (app, deps) in [
        ("a", &["b", "c"][..]),
        ("b", &["d"]),
        ("c", &[]),
        ("d", &[]),
    ] {
        application::load(ctx, probe(app, deps, Mode::Sup, log)).await?;
    }
    let missing = unit(application::start(ctx, "a", AppType::Temporary).await);
    assert_eq!(missing, fact("main", "app1_start_missing_dep"));
    Ok(as_otp(
        application::ensure_all_started(ctx, "a", AppType::Temporary)
            .await
            .map(apps),
    ))
}

// APP-1: "start(A) requires every app in A's applications list to be running, else
// {error,{not_started,Dep}}; ensure_all_started starts the dependencies first,
// depth-first in list order, and returns {ok, [started apps in start order]};
// starting a running app gives {error,{already_started,A}}."
#[test]
fn app1_dependencies_ensure_all_started_and_already_started_match_otp() {
    let log: Log = Rc::default();
    let l = log.clone();
    run(move |ctx| async move {
        assert_eq!(
            abcd(&ctx, &l).await?,
            fact("main", "app1_ensure_all_started")
        );
        let starts: Vec<Term> = take(&l)
            .as_list()
            .unwrap_or(&[])
            .iter()
            .filter(|e| e.tag() == Some("start"))
            .map(|e| e.as_tuple().expect("event")[1].clone())
            .collect();
        assert_eq!(Term::list(starts), fact("main", "app1_start_order"));
        let again = unit(application::start(&ctx, "a", AppType::Temporary).await);
        assert_eq!(again, fact("main", "app1_already_started"));
        let ensure = as_otp(
            application::ensure_all_started(&ctx, "a", AppType::Temporary)
                .await
                .map(apps),
        );
        assert_eq!(ensure, fact("main", "app1_ensure_again"));
        // OTP looks for nope.app on disk; otpsim has no .app files: not_loaded.
        assert!(fact_text("main", "app1_start_not_loaded").contains("nope.app"));
        let nope = application::start(&ctx, "nope", AppType::Temporary).await;
        assert_eq!(nope, Err(Term::tagged("not_loaded", atom("nope"))));
        Ok(())
    });
}

// APP-1: ensure_all_started stops what it started when a dependency fails to start.
#[test]
fn app1_ensure_all_started_undoes_its_starts_on_failure() {
    let log: Log = Rc::default();
    let l = log.clone();
    run(move |ctx| async move {
        let err = Mode::Error(atom("db_down"));
        application::load(&ctx, probe("e_err", &[], err, &l)).await?;
        application::load(&ctx, probe("f", &["g", "e_err"], Mode::Sup, &l)).await?;
        application::load(&ctx, probe("g", &[], Mode::Sup, &l)).await?;
        let r = as_otp(
            application::ensure_all_started(&ctx, "f", AppType::Temporary)
                .await
                .map(apps),
        );
        assert_eq!(r, fact("main", "app1_ensure_failing_dep"));
        assert_eq!(take(&l), fact("main", "app1_ensure_failing_dep_events"));
        assert_eq!(
            only(running(&ctx).await, &["f", "g"]),
            fact("main", "app1_ensure_failing_dep_running")
        );
        Ok(())
    });
}

// APP-2: "{error, R} makes the start return {error, {R, {Mod, start, [normal, Args]}}}";
// other returns are {bad_return, ..}; a failed temporary start leaves nothing running.
#[test]
fn app2_failed_start_error_shapes_match_otp() {
    let log: Log = Rc::default();
    let l = log.clone();
    run(move |ctx| async move {
        let modes = [
            ("e_err", Mode::Error(atom("db_down"))),
            ("e_ign", Mode::Ignore),
            ("e_crash", Mode::Crash),
        ];
        for (app, mode) in modes {
            application::load(&ctx, probe(app, &[], mode, &l)).await?;
        }
        let start = |app: &'static str| {
            let ctx = ctx.clone();
            async move { unit(application::start(&ctx, app, AppType::Temporary).await) }
        };
        assert_eq!(start("e_err").await, fact("main", "app2_start_error"));
        assert_eq!(start("e_ign").await, fact("main", "app2_start_ignore"));
        // OTP: {'EXIT',{start_crashed,Stack}}; otpsim: {'EXIT',{panic,<<"start_crashed">>}}.
        let crash = start("e_crash").await;
        let expected = fact_text("main", "app2_start_crash")
            .replace("{start_crashed,stack}", "{panic,<<\"start_crashed\">>}");
        assert_eq!(crash, parse_term(&expected).expect("term"));
        let failed = only(running(&ctx).await, &["e_err", "e_ign", "e_crash", "e_bad"]);
        assert_eq!(failed, fact("main", "app2_failed_not_running"));
        Ok(())
    });
}

// APP-3: "prep_stop runs while the tree is still alive; the top supervisor gets
// exit(TopSup, shutdown), waited for; stop runs after the tree is gone; the master kills
// the leftovers; apps that depend on A keep running."
#[test]
fn app3_stop_runs_prep_stop_shutdown_stop_then_kills_leftovers() {
    let log: Log = Rc::default();
    let l = log.clone();
    run(move |ctx| async move {
        abcd(&ctx, &l).await?;
        take(&l);
        let left = ctx.whereis(&Atom::new("b_leftover")).expect("leftover");
        let mref = ctx.monitor(left);
        assert_eq!(
            unit(application::stop(&ctx, "b").await),
            fact("main", "app3_stop_dependency")
        );
        let down = ctx
            .recv_match(
                move |m| matches!(m.as_tuple(), Some([_, Term::Ref(r), ..]) if *r == mref),
                Some(ms(1000)),
            )
            .await;
        assert_eq!(take(&l), fact("main", "app3_stop_events"));
        let reason = down.and_then(|d| d.as_tuple().map(|t| t[4].clone()));
        assert_eq!(reason, Some(fact("main", "app3_leftover_reason")));
        assert_eq!(
            only(running(&ctx).await, &["a", "c", "d"]),
            fact("main", "app3_dependents_running")
        );
        assert_eq!(
            unit(application::stop(&ctx, "b").await),
            fact("main", "app3_stop_not_running")
        );
        let again = unit(application::start(&ctx, "b", AppType::Temporary).await);
        assert_eq!(again, fact("main", "app3_restart_with_dependents_running"));
        Ok(())
    });
}

// APP-3: the trace shows prep_stop, the tree's shutdown, stop and the app's exit, in order.
#[test]
fn app3_stop_events_come_in_otp_order() {
    let log: Log = Rc::default();
    let l = log.clone();
    let events = run(move |ctx| async move {
        application::load(&ctx, probe("solo", &[], Mode::Sup, &l)).await?;
        application::start(&ctx, "solo", AppType::Temporary).await?;
        application::stop(&ctx, "solo").await
    });
    let kinds: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AppStart {
                result, app_type, ..
            } => Some(format!("start {app_type} {result}")),
            EventKind::AppPrepStop { .. } => Some("prep_stop".into()),
            EventKind::SupExit { reason, .. } => Some(format!("sup_exit {reason}")),
            EventKind::AppStop { .. } => Some("stop".into()),
            EventKind::AppExit {
                reason,
                consequence,
                ..
            } => Some(format!("exit {reason} {consequence}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "start temporary ok",
            "prep_stop",
            "sup_exit shutdown",
            "stop",
            "exit stopped logged"
        ]
    );
}

// APP-4: "When the node stops, applications are stopped in reverse start order, each as
// in APP-3."
#[test]
fn app4_stop_all_stops_in_reverse_start_order() {
    let log: Log = Rc::default();
    let l = log.clone();
    run(move |ctx| async move {
        for app in ["a", "b", "c"] {
            application::load(&ctx, probe(app, &[], Mode::Sup, &l)).await?;
        }
        for app in ["b", "a", "c"] {
            application::start(&ctx, app, AppType::Temporary).await?;
        }
        take(&l);
        ev(&l, atom("init_stop"));
        application::stop_all(&ctx).await?;
        assert_eq!(take(&l), fact("init_stop", "events"));
        assert_eq!(running(&ctx).await, Vec::<Atom>::new());
        Ok(())
    });
}

// APP-5: "temporary: logged, other apps go on; transient with normal: logged": prep_stop
// and stop still run, with the tree already dead, and the app can start again.
#[test]
fn app5_temporary_and_transient_normal_exits_are_only_logged() {
    let log: Log = Rc::default();
    let l = log.clone();
    let events = run(move |ctx| async move {
        abcd(&ctx, &l).await?;
        application::stop(&ctx, "b").await?;
        for app in ["t_norm", "t_shut", "tr_norm"] {
            application::load(&ctx, probe(app, &[], Mode::Plain, &l)).await?;
        }
        application::start(&ctx, "t_norm", AppType::Temporary).await?;
        application::start(&ctx, "t_shut", AppType::Temporary).await?;
        application::start(&ctx, "tr_norm", AppType::Transient).await?;
        take(&l);
        for (app, reason) in [
            ("t_norm", Term::NORMAL),
            ("t_shut", Term::SHUTDOWN),
            ("tr_norm", Term::NORMAL),
        ] {
            let top = ctx.whereis(&name(app, "sup")).expect("top");
            let mref = ctx.monitor(top);
            ctx.send(top, Term::tagged("exit_with", reason));
            ctx.recv_match(
                move |m| matches!(m.as_tuple(), Some([_, Term::Ref(r), ..]) if *r == mref),
                None,
            )
            .await;
            ctx.sleep(ms(100)).await;
        }
        assert_eq!(take(&l), fact("main", "app5_events"));
        let keep = ["a", "c", "d", "t_norm", "t_shut", "tr_norm"];
        assert_eq!(
            only(running(&ctx).await, &keep),
            fact("main", "app5_still_running")
        );
        let again = unit(application::start(&ctx, "t_shut", AppType::Temporary).await);
        assert_eq!(again, fact("main", "app5_restartable"));
        Ok(())
    });
    let exits: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AppExit {
                app,
                reason,
                app_type,
                consequence,
            } => Some(format!("{app} {reason} {app_type} {consequence}")),
            _ => None,
        })
        .collect();
    assert!(
        exits.contains(&"t_shut shutdown temporary logged".to_string()),
        "{exits:?}"
    );
    assert!(
        exits.contains(&"tr_norm normal transient logged".to_string()),
        "{exits:?}"
    );
}

// APP-6: "get_env returns undefined/nil for a missing key; set_env/put_env take effect
// at once and last until the app is unloaded; a stop and start keeps them; env is
// readable while the app is stopped but loaded."
#[test]
fn app6_env_lives_with_the_loaded_app() {
    let log: Log = Rc::default();
    let l = log.clone();
    run(move |ctx| async move {
        application::load(&ctx, probe("c", &[], Mode::Sup, &l)).await?;
        application::start(&ctx, "c", AppType::Temporary).await?;
        let get = |key: &str| {
            application::get_env(&ctx, "c", key)
                .map_or(Term::UNDEFINED, |v| Term::tuple([Term::OK, v]))
        };
        assert_eq!(get("colour"), fact("main", "app6_get_env"));
        assert_eq!(get("nope"), fact("main", "app6_get_env_missing"));
        let all: Vec<Term> = application::get_all_env(&ctx, "c")
            .into_iter()
            .map(|(k, v)| Term::tuple([Term::atom_owned(&k), v]))
            .collect();
        assert_eq!(Term::list(all), fact("main", "app6_get_all_env"));
        application::put_env(&ctx, "c", "colour", atom("red"))?;
        assert_eq!(get("colour"), fact("main", "app6_after_set_env"));
        application::stop(&ctx, "c").await?;
        assert_eq!(get("colour"), fact("main", "app6_while_stopped_loaded"));
        application::start(&ctx, "c", AppType::Temporary).await?;
        assert_eq!(get("colour"), fact("main", "app6_after_restart"));
        application::stop(&ctx, "c").await?;
        application::unload(&ctx, "c").await?;
        assert_eq!(get("colour"), fact("main", "app6_after_unload"));
        application::load(&ctx, probe("c", &[], Mode::Sup, &l)).await?;
        assert_eq!(get("colour"), fact("main", "app6_after_reload"));
        assert_eq!(application::get_env(&ctx, "never_loaded", "colour"), None);
        assert_eq!(fact("main", "app6_unloaded_app"), Term::UNDEFINED);
        Ok(())
    });
}

// APP-6: "sys.config and Elixir's config files, applied at load time, override" the
// app's env; "fetch_env! raises" for a missing key.
#[test]
fn app6_config_overrides_env_and_fetch_env_crashes_on_missing_keys() {
    let mut sim = Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    });
    let fetcher = sim.spawn(|ctx| async move {
        let mut opts = ControllerOpts::default();
        opts.config
            .insert("c".into(), [("size".to_string(), Term::Int(9))].into());
        application::start_controller(&ctx, opts)
            .await
            .into_result()?;
        let log: Log = Rc::default();
        application::load(&ctx, probe("c", &[], Mode::Sup, &log)).await?;
        assert_eq!(application::fetch_env(&ctx, "c", "size"), Term::Int(9));
        assert_eq!(application::fetch_env(&ctx, "c", "colour"), atom("blue"));
        application::fetch_env(&ctx, "c", "nope");
        Ok(())
    });
    sim.run();
    let exit = sim.events().into_iter().find_map(|e| match e.kind {
        EventKind::Exit { pid, reason } if pid == fetcher => Some(reason.to_string()),
        _ => None,
    });
    assert!(exit
        .expect("exited")
        .contains("could not fetch application environment :nope"));
}
