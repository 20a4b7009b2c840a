//! The APP- rule tests that halt the node: a top supervisor's exit under a transient or
//! permanent type (APP-5), and a failed start of such an application (APP-2, as OTP 25
//! really behaves).

use super::*;

/// Runs one of the halting scenarios and checks the callbacks' events, the halt
/// reason and that every process is gone.
fn halting(run_name: &'static str, app_type: AppType, mode: Mode, reason: Term) {
    let log: Log = Rc::default();
    let l = log.clone();
    let events = run(move |ctx| async move {
        for app in ["a", "b", "c"] {
            application::load(&ctx, probe(app, &[], Mode::Sup, &l)).await?;
        }
        let intensity = matches!(mode, Mode::Sup);
        application::load(&ctx, probe("x", &[], mode, &l)).await?;
        application::start(&ctx, "a", AppType::Temporary).await?;
        application::start(&ctx, "b", AppType::Temporary).await?;
        application::start(&ctx, "x", app_type).await?;
        application::start(&ctx, "c", AppType::Temporary).await?;
        take(&l);
        ev(&l, atom("killing_top"));
        let top = ctx.whereis(&name("x", "sup")).expect("top");
        if intensity {
            let rows = supervisor::which_children(&ctx, top).await;
            let otpsim::behaviour::supervisor::ChildPid::Pid(w) = rows[0].pid else {
                panic!()
            };
            ctx.exit(w, Term::KILL);
        } else {
            ctx.send(top, Term::tagged("exit_with", reason));
        }
        ctx.sleep(ms(2000)).await;
        ev(&l, atom("node_survived"));
        Ok(())
    });
    assert_eq!(take(&log), fact(run_name, "events"));
    let halt = events.iter().find_map(|e| match &e.kind {
        EventKind::NodeHalt { reason } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(halt, Some(fact(run_name, "halt_reason")));
    assert_eq!(fact_text(run_name, "exit_code"), "1");
    let consequence = events.iter().find_map(|e| match &e.kind {
        EventKind::AppExit {
            app, consequence, ..
        } if app.as_str() == "x" => Some(consequence.as_str().to_string()),
        _ => None,
    });
    assert_eq!(consequence.as_deref(), Some("node_halt"));
}

// APP-5: "transient, any other R (including shutdown): all other apps stopped (reverse
// order), then the node halts".
#[test]
fn app5_transient_shutdown_halts_the_node_after_stopping_the_others() {
    halting(
        "halt_transient",
        AppType::Transient,
        Mode::Plain,
        Term::SHUTDOWN,
    );
}

// APP-5: "permanent, R = normal: node halts".
#[test]
fn app5_permanent_normal_halts_the_node() {
    halting(
        "halt_permanent",
        AppType::Permanent,
        Mode::Plain,
        Term::NORMAL,
    );
}

// APP-5: "an app whose top supervisor reached its intensity limit brings the node down
// under transient": the supervisor exits shutdown (SUP-16).
#[test]
fn app5_intensity_limit_under_transient_halts_the_node() {
    halting(
        "halt_intensity",
        AppType::Transient,
        Mode::Sup,
        Term::SHUTDOWN,
    );
}

/// A failed start of `x` (permanent or transient), with a and b running.
fn failed_start_halts(run_name: &'static str, app_type: AppType) {
    let log: Log = Rc::default();
    let l = log.clone();
    let events = run(move |ctx| async move {
        for app in ["a", "b"] {
            application::load(&ctx, probe(app, &[], Mode::Sup, &l)).await?;
        }
        application::load(&ctx, probe("x", &[], Mode::Error(atom("db_down")), &l)).await?;
        application::start(&ctx, "a", AppType::Temporary).await?;
        application::start(&ctx, "b", AppType::Temporary).await?;
        take(&l);
        let returned = unit(application::start(&ctx, "x", app_type).await);
        ev(&l, Term::tagged("start_returned", returned));
        ctx.sleep(ms(4000)).await;
        ev(&l, atom("node_survived"));
        Ok(())
    });
    assert_eq!(take(&log), fact(run_name, "events"));
    let halt = events.iter().find_map(|e| match &e.kind {
        EventKind::NodeHalt { reason } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(halt, Some(fact(run_name, "halt_reason")));
}

// APP-2 (corrected by OTP 25): a failed start never halts the node for a temporary app,
// but for a permanent one the caller gets {error, ..} and then the node halts with
// {application_start_failure, App, R}; the reference says it never does.
#[test]
fn app2_failed_permanent_start_halts_the_node_as_otp_does() {
    failed_start_halts("halt_start_permanent", AppType::Permanent);
}

// APP-2 (corrected by OTP 25): the same for a transient app.
#[test]
fn app2_failed_transient_start_halts_the_node_as_otp_does() {
    failed_start_halts("halt_start_transient", AppType::Transient);
}
