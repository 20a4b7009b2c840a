//! circuit_breaker: tripping after consecutive failures, refusing while open, and the
//! half-open trial after the reset timeout, on the virtual clock.

use super::support::{call, name, run, set_dep, spec, start_dep, start_model, t};
use otpsim::behaviour::gen_server;
use otpsim::kernel::{ms, secs, Ctx};
use otpsim::term::{atom, Term};

const DEP: &str = "root/dep";
const BREAKER: &str = "root/breaker";

fn states(ran: &super::support::Ran) -> Vec<(u64, String)> {
    ran.details("breaker_state")
        .into_iter()
        .map(|(t, d)| (t, d.to_string()))
        .collect()
}

fn open() -> Result<Term, Term> {
    Ok(t("{error, circuit_open}"))
}

#[test]
fn trips_after_the_threshold_and_recovers_through_a_half_open_trial() {
    let breaker = spec(
        "circuit_breaker",
        r#"{"dependency": "root/dep", "failure_threshold": 3, "reset_timeout": "1s", "call_timeout": "100ms"}"#,
    );
    let tripped = std::rc::Rc::new(std::cell::Cell::new(0));
    let at = tripped.clone();
    let ran = run(1, secs(10), move |ctx: Ctx| async move {
        start_dep(&ctx, DEP).await;
        start_model(&ctx, BREAKER, &breaker).await;
        assert_eq!(
            call(&ctx, name(BREAKER), atom("ping")).await,
            Ok(t("{ok, ping}"))
        );
        set_dep(&ctx, DEP, false, 0).await;
        ctx.sleep(ms(20)).await;
        for _ in 0..3 {
            assert_eq!(
                call(&ctx, name(BREAKER), atom("q")).await,
                Ok(t("{error, unavailable}"))
            );
        }
        at.set(ctx.now_us());
        // Open: refused at once, without calling the dependency.
        assert_eq!(call(&ctx, name(BREAKER), atom("q")).await, open());
        set_dep(&ctx, DEP, true, 0).await;
        ctx.sleep(secs(1) - ms(1)).await;
        assert_eq!(
            call(&ctx, name(BREAKER), atom("q")).await,
            open(),
            "still open 1 ms before the reset"
        );
        ctx.sleep(ms(2)).await;
        // Half-open: the trial goes through, succeeds, and closes the breaker.
        assert_eq!(call(&ctx, name(BREAKER), atom("q")).await, Ok(t("{ok, q}")));
        assert_eq!(call(&ctx, name(BREAKER), atom("q")).await, Ok(t("{ok, q}")));
        Ok(())
    });
    let open_at = tripped.get();
    assert_eq!(
        states(&ran),
        vec![
            (0, "closed".to_string()),
            (open_at, "open".to_string()),
            (open_at + secs(1), "half_open".to_string()),
            (open_at + secs(1) + ms(1), "closed".to_string()),
        ]
    );
    // The breaker's helpers carry its path.
    let helper = ran.events.iter().find_map(|e| match &e.kind {
        otpsim::trace::EventKind::Spawn {
            child,
            label: Some(l),
            ..
        } if l == "root/breaker/call" => Some(*child),
        _ => None,
    });
    assert!(
        helper.is_some(),
        "a forwarding helper labelled root/breaker/call"
    );
}

#[test]
fn timeouts_and_noproc_are_failures_and_a_failed_trial_reopens() {
    let breaker = spec(
        "circuit_breaker",
        r#"{"dependency": "root/dep", "failure_threshold": 2, "reset_timeout": "500ms", "call_timeout": "100ms"}"#,
    );
    let ran = run(1, secs(10), move |ctx: Ctx| async move {
        start_dep(&ctx, DEP).await;
        start_model(&ctx, BREAKER, &breaker).await;
        set_dep(&ctx, DEP, true, 300).await;
        assert_eq!(
            call(&ctx, name(BREAKER), atom("a")).await,
            Ok(t("{error, timeout}"))
        );
        assert_eq!(ctx.now_us(), ms(100), "answered at the call timeout");
        // A failure, then a success: the count of consecutive failures starts again.
        set_dep(&ctx, DEP, true, 0).await;
        ctx.sleep(ms(300)).await; // the dependency finishes the slow call first
        assert_eq!(call(&ctx, name(BREAKER), atom("b")).await, Ok(t("{ok, b}")));
        set_dep(&ctx, DEP, true, 300).await;
        ctx.sleep(ms(300)).await;
        assert_eq!(
            call(&ctx, name(BREAKER), atom("c")).await,
            Ok(t("{error, timeout}"))
        );
        assert_eq!(
            call(&ctx, name(BREAKER), atom("d")).await,
            Ok(t("{error, timeout}"))
        );
        let opened = ctx.now_us();
        assert_eq!(call(&ctx, name(BREAKER), atom("e")).await, open());
        // The dependency goes away: the half-open trial fails with noproc.
        gen_server::stop(&ctx, name(DEP), Term::NORMAL, None).await?;
        ctx.sleep(opened + ms(501) - ctx.now_us()).await;
        assert_eq!(
            call(&ctx, name(BREAKER), atom("f")).await,
            Ok(t("{error, noproc}"))
        );
        assert_eq!(call(&ctx, name(BREAKER), atom("g")).await, open());
        Ok(())
    });
    let names: Vec<String> = states(&ran).into_iter().map(|(_, s)| s).collect();
    // The last: half-open again one reset timeout after the failed trial.
    assert_eq!(names, ["closed", "open", "half_open", "open", "half_open"]);
}

#[test]
fn half_open_lets_only_half_open_max_trials_through() {
    let breaker = spec(
        "circuit_breaker",
        r#"{"dependency": "root/dep", "failure_threshold": 1, "reset_timeout": "1s", "call_timeout": "1s", "half_open_max": 1}"#,
    );
    let ran = run(1, secs(10), move |ctx: Ctx| async move {
        start_dep(&ctx, DEP).await;
        start_model(&ctx, BREAKER, &breaker).await;
        set_dep(&ctx, DEP, false, 0).await;
        assert_eq!(
            call(&ctx, name(BREAKER), atom("x")).await,
            Ok(t("{error, unavailable}"))
        );
        set_dep(&ctx, DEP, true, 50).await;
        ctx.sleep(secs(1) + ms(1)).await;
        // One trial in flight (50 ms): a second caller is refused meanwhile.
        let trial = ctx.spawn_link(|c| async move {
            assert_eq!(
                call(&c, name(BREAKER), atom("trial")).await,
                Ok(t("{ok, trial}"))
            );
            Ok(())
        });
        ctx.sleep(ms(10)).await;
        assert_eq!(call(&ctx, name(BREAKER), atom("other")).await, open());
        ctx.sleep(ms(50)).await;
        assert!(!ctx.is_alive(trial));
        assert_eq!(
            call(&ctx, name(BREAKER), atom("after")).await,
            Ok(t("{ok, after}"))
        );
        Ok(())
    });
    let names: Vec<String> = states(&ran).into_iter().map(|(_, s)| s).collect();
    assert_eq!(names, ["closed", "open", "half_open", "closed"]);
}
