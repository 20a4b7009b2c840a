//! The dependency, output and configuration models: flaky, buffered_writer and
//! settings.

use super::support::{call, env, run, spec, t};
use otpsim::behaviour::application::{self, AppSpec, ControllerOpts};
use otpsim::behaviour::gen_server::{self, StartResult};
use otpsim::kernel::{ms, secs};
use otpsim::models::fault::{self, Degrade};
use otpsim::term::{atom, Term};
use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn flaky_takes_its_latency_and_a_degrade_fault_makes_it_fail_until_the_window_ends() {
    let f = spec("flaky", r#"{"latency": "5ms"}"#);
    run(1, secs(10), move |ctx| async move {
        let pid = f
            .start(ctx.clone(), env("root/db"), vec![])
            .await
            .into_result()?;
        let t0 = ctx.now_us();
        assert_eq!(call(&ctx, pid, atom("q")).await?, t("{ok, q}"));
        assert_eq!(ctx.now_us() - t0, ms(5));
        let until_us = ctx.now_us() + ms(100);
        let d = Degrade {
            error_rate_ppm: 1_000_000,
            latency_us: ms(10),
            until_us,
        };
        ctx.send(pid, fault::message_degrade(&d));
        let t1 = ctx.now_us();
        assert_eq!(call(&ctx, pid, atom("q")).await?, t("{error, unavailable}"));
        assert_eq!(ctx.now_us() - t1, ms(15));
        ctx.sleep(ms(100)).await;
        assert_eq!(call(&ctx, pid, atom("q")).await?, t("{ok, q}"));
        Ok(())
    });
}

fn flaky_replies(seed: u64) -> (Vec<Term>, u64) {
    let f = spec(
        "flaky",
        r#"{"latency": {"dist": "exponential", "mean": "2ms"}, "error_rate": 0.5}"#,
    );
    let log = Rc::new(RefCell::new(Vec::new()));
    let out = log.clone();
    let ran = run(seed, secs(100), move |ctx| async move {
        let pid = f
            .start(ctx.clone(), env("root/db"), vec![])
            .await
            .into_result()?;
        for i in 0..60 {
            let reply = call(&ctx, pid, Term::Int(i)).await?;
            out.borrow_mut().push(reply.as_tuple().unwrap()[0].clone());
        }
        Ok(())
    });
    let replies = log.borrow().clone();
    (replies, ran.fingerprint)
}

#[test]
fn flaky_failures_and_latencies_are_deterministic_per_seed() {
    let (a, fa) = flaky_replies(7);
    let (b, fb) = flaky_replies(7);
    let (c, fc) = flaky_replies(8);
    assert_eq!((a.clone(), fa), (b, fb));
    assert_ne!(fa, fc);
    assert_ne!(a, c);
    let errors = a.iter().filter(|r| r.is_atom("error")).count();
    assert!(
        (15..=45).contains(&errors),
        "{errors} errors of 60 at rate 0.5"
    );
}

#[test]
fn buffered_writer_flushes_by_batch_by_timer_and_in_terminate() {
    let w = spec(
        "buffered_writer",
        r#"{"batch": 3, "flush_every": "1s", "terminate_flush": "500ms"}"#,
    );
    let ran = run(1, secs(10), move |ctx| async move {
        ctx.trap_exit(true);
        let pid = w
            .start(ctx.clone(), env("root/log"), vec![])
            .await
            .into_result()?;
        for i in 0..4 {
            assert_eq!(
                call(&ctx, pid, Term::tagged("write", Term::Int(i))).await?,
                Term::OK
            );
        }
        ctx.sleep(ms(1_500)).await;
        gen_server::cast(&ctx, pid, t("{write, x}"));
        gen_server::cast(&ctx, pid, t("{write, y}"));
        assert_eq!(call(&ctx, pid, atom("buffered")).await?, Term::Int(2));
        let t0 = ctx.now_us();
        gen_server::stop(&ctx, pid, Term::SHUTDOWN, None).await?;
        assert_eq!(ctx.now_us() - t0, ms(500));
        Ok(())
    });
    let flushed: Vec<(u64, Term)> = ran
        .model("flushed")
        .into_iter()
        .map(|(at, _, d)| (at, d))
        .collect();
    assert_eq!(
        flushed,
        vec![
            (0, Term::Int(3)),
            (secs(1), Term::Int(1)),
            (ms(2_000), Term::Int(2))
        ]
    );
    assert_eq!(ran.model("accepted").len(), 6);
    assert!(ran.model("lost").is_empty());
}

#[test]
fn a_killed_writer_flushes_nothing_and_a_distrustful_one_reports_its_loss() {
    for (params, kill, lost) in [
        (r#"{"flush_every": 0}"#, true, None),
        (
            r#"{"flush_every": 0, "flush_on_crash": false}"#,
            false,
            Some(Term::Int(2)),
        ),
    ] {
        let w = spec("buffered_writer", params);
        let ran = run(1, secs(10), move |ctx| async move {
            ctx.trap_exit(true);
            let pid = w
                .start(ctx.clone(), env("root/log"), vec![])
                .await
                .into_result()?;
            gen_server::cast(&ctx, pid, t("{write, 1}"));
            gen_server::cast(&ctx, pid, t("{write, 2}"));
            assert_eq!(call(&ctx, pid, atom("buffered")).await?, Term::Int(2));
            if kill {
                ctx.exit(pid, Term::KILL);
            } else {
                ctx.send(pid, fault::message_crash(atom("boom")));
            }
            let _ = ctx.recv().await;
            Ok(())
        });
        assert_eq!(ran.model("accepted").len(), 2);
        assert!(ran.model("flushed").is_empty());
        assert_eq!(ran.model("lost").into_iter().map(|e| e.2).next(), lost);
    }
}

#[test]
fn settings_reads_the_application_env_and_writes_it_back() {
    let s = spec("settings", "{}");
    run(1, secs(10), move |ctx| async move {
        application::start_controller(&ctx, ControllerOpts::default())
            .await
            .into_result()?;
        let app = AppSpec::new("app", |_ctx| async { StartResult::Ignore })
            .env("pool_size", Term::Int(4));
        application::load(&ctx, app).await?;
        let pid = s
            .start(ctx.clone(), env("root/config"), vec![])
            .await
            .into_result()?;
        assert_eq!(call(&ctx, pid, t("{get, pool_size}")).await?, Term::Int(4));
        assert_eq!(
            call(&ctx, pid, t("{get, <<\"pool_size\">>}")).await?,
            Term::Int(4)
        );
        assert_eq!(call(&ctx, pid, t("{get, nope}")).await?, Term::UNDEFINED);
        assert_eq!(call(&ctx, pid, t("{put, timeout, 50}")).await?, Term::OK);
        assert_eq!(
            application::get_env(&ctx, "app", "timeout"),
            Some(Term::Int(50))
        );
        assert_eq!(
            call(&ctx, pid, atom("keys")).await?,
            t("[pool_size, timeout]")
        );
        Ok(())
    });
}
