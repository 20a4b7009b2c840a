//! pool: poolboy's checkout, overflow, blocking waiters, timeouts, monitored borrowers
//! and replaced workers.

use super::support::{call, name, run, spec, start_model, t, Ran};
use otpsim::behaviour::gen_server;
use otpsim::kernel::{ms, secs, Ctx};
use otpsim::term::{atom, Pid, Term};

const POOL: &str = "root/pool";

async fn checkout(ctx: &Ctx, request: &str) -> Pid {
    match call(ctx, name(POOL), t(request)).await {
        Ok(Term::Pid(p)) => p,
        other => panic!("{request}: {other:?}"),
    }
}

async fn status(ctx: &Ctx) -> String {
    call(ctx, name(POOL), atom("status"))
        .await
        .unwrap()
        .to_string()
}

fn checkin(ctx: &Ctx, worker: Pid) {
    gen_server::cast(ctx, name(POOL), Term::tagged("checkin", Term::Pid(worker)));
}

/// A process that checks a worker out, sends it to `to`, then waits for ever.
fn borrower(ctx: &Ctx, to: Pid) -> Pid {
    ctx.spawn(move |c| async move {
        let w = checkout(&c, "checkout").await;
        c.send(to, Term::Pid(w));
        c.recv().await;
        Ok(())
    })
}

fn details(ran: &Ran, what: &str) -> Vec<String> {
    ran.details(what)
        .into_iter()
        .map(|(_, d)| d.to_string())
        .collect()
}

#[test]
fn exhaustion_overflow_and_a_blocked_checkout_served_by_a_checkin() {
    let pool = spec("pool", r#"{"size": 2, "max_overflow": 1}"#);
    let ran = run(1, secs(5), move |ctx: Ctx| async move {
        start_model(&ctx, POOL, &pool).await;
        assert_eq!(status(&ctx).await, "{ready,2,0,0}");
        let w1 = checkout(&ctx, "checkout").await;
        let w2 = checkout(&ctx, "{checkout, true}").await;
        assert_eq!(status(&ctx).await, "{overflow,0,0,2}");
        let w3 = checkout(&ctx, "checkout").await;
        assert_eq!(status(&ctx).await, "{full,0,1,3}");
        assert_eq!(
            call(&ctx, name(POOL), t("{checkout, false}")).await,
            Ok(atom("full"))
        );
        // A blocking checkout waits until a worker comes back, and gets that worker.
        let waiter = borrower(&ctx, ctx.me());
        ctx.sleep(ms(10)).await;
        assert_eq!(ctx.mailbox_len(), 0, "the waiter is still waiting");
        checkin(&ctx, w1);
        assert_eq!(ctx.recv().await, Term::Pid(w1));
        assert_eq!(status(&ctx).await, "{full,0,1,3}");
        // With nobody waiting, the overflow worker is stopped on checkin.
        checkin(&ctx, w3);
        assert_eq!(status(&ctx).await, "{overflow,0,0,2}");
        assert!(!ctx.is_alive(w3), "the overflow worker was dismissed");
        checkin(&ctx, w2);
        assert_eq!(status(&ctx).await, "{ready,1,0,1}");
        // A checkin of a worker not checked out changes nothing.
        checkin(&ctx, w2);
        assert_eq!(status(&ctx).await, "{ready,1,0,1}");
        assert!(ctx.is_alive(waiter));
        Ok(())
    });
    assert_eq!(details(&ran, "overflow"), ["1", "0"]);
    assert_eq!(
        ran.model("full").len(),
        2,
        "the non-blocking and the blocking checkout"
    );
    assert_eq!(ran.model("checkout").len(), 4);
    assert_eq!(ran.model("checkin").len(), 3);
    let labels: Vec<String> = ran
        .model("checkout")
        .iter()
        .filter_map(|(_, _, d)| d.as_pid().and_then(|p| ran.label(p)))
        .collect();
    // lifo takes the last of the idle workers: the second started goes out first.
    assert_eq!(
        labels,
        [
            "root/pool/workers/2",
            "root/pool/workers/1",
            "root/pool/workers/3",
            "root/pool/workers/2"
        ]
    );
}

#[test]
fn a_checkout_that_timed_out_is_not_served_later() {
    let pool = spec("pool", r#"{"size": 1}"#);
    run(1, secs(20), move |ctx: Ctx| async move {
        start_model(&ctx, POOL, &pool).await;
        let w = checkout(&ctx, "checkout").await;
        let me = ctx.me();
        ctx.spawn(move |c| async move {
            let got = gen_server::call(&c, name(POOL), t("{checkout, true, 100}"), Some(100)).await;
            c.send(me, Term::tagged("got", got.unwrap_or_else(|e| e)));
            Ok(())
        });
        let got = ctx.recv().await;
        assert_eq!(ctx.now_us(), ms(100));
        assert_eq!(
            got.as_tuple().unwrap()[1].as_tuple().unwrap()[0],
            Term::TIMEOUT
        );
        ctx.sleep(ms(50)).await;
        checkin(&ctx, w);
        assert_eq!(
            status(&ctx).await,
            "{ready,1,0,0}",
            "the worker is idle, not lost to the gone waiter"
        );
        // A waiter with no timeout of its own gets the pool's checkout_timeout (5 s).
        let w = checkout(&ctx, "checkout").await;
        let late = ctx.spawn(move |c| async move {
            let _ = gen_server::call(&c, name(POOL), atom("checkout"), Some(5_000)).await;
            c.recv().await;
            Ok(())
        });
        ctx.sleep(secs(5) + ms(1)).await;
        checkin(&ctx, w);
        assert_eq!(status(&ctx).await, "{ready,1,0,0}");
        assert!(ctx.is_alive(late));
        Ok(())
    });
}

#[test]
fn a_crashed_borrower_returns_its_worker_and_a_crashed_worker_is_replaced() {
    let pool = spec("pool", r#"{"size": 2, "strategy": "fifo"}"#);
    let ran = run(1, secs(5), move |ctx: Ctx| async move {
        start_model(&ctx, POOL, &pool).await;
        let me = ctx.me();
        let holder = borrower(&ctx, me);
        let held = ctx.recv().await.as_pid().unwrap();
        let other = checkout(&ctx, "checkout").await;
        assert_eq!(
            status(&ctx).await,
            "{full,0,0,2}",
            "no overflow allowed: full"
        );
        // fifo: the first worker started went out first.
        assert_eq!(ran_label(&ctx, held), "root/pool/workers/1");
        // The borrower dies: its worker goes to the waiter first in line.
        let waiter = borrower(&ctx, me);
        ctx.sleep(ms(10)).await;
        ctx.exit(holder, atom("boom"));
        assert_eq!(ctx.recv().await, Term::Pid(held));
        ctx.exit(waiter, atom("boom"));
        ctx.sleep(ms(1)).await;
        assert_eq!(status(&ctx).await, "{ready,1,0,1}");
        // A checked-out worker that crashes is replaced by a new one.
        ctx.exit(other, atom("boom"));
        ctx.sleep(ms(1)).await;
        assert_eq!(status(&ctx).await, "{ready,2,0,0}");
        // An idle worker that crashes too.
        ctx.exit(held, Term::KILL);
        ctx.sleep(ms(1)).await;
        assert_eq!(status(&ctx).await, "{ready,2,0,0}");
        let a = checkout(&ctx, "checkout").await;
        let b = checkout(&ctx, "checkout").await;
        assert!(a != held && b != held && a != other && b != other);
        Ok(())
    });
    let started: Vec<String> = ran
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            otpsim::trace::EventKind::Spawn { label: Some(l), .. }
                if l.starts_with("root/pool/workers/") =>
            {
                Some(l.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        started,
        [
            "root/pool/workers/1",
            "root/pool/workers/2",
            "root/pool/workers/3",
            "root/pool/workers/4"
        ]
    );
}

fn ran_label(ctx: &Ctx, pid: Pid) -> String {
    ctx.label_of(pid).unwrap_or_default()
}

#[test]
fn lifo_hands_out_the_last_returned_worker_and_stopping_the_pool_stops_its_workers() {
    let pool = spec("pool", r#"{"size": 2}"#);
    run(1, secs(5), move |ctx: Ctx| async move {
        ctx.trap_exit(true);
        let pid = start_model(&ctx, POOL, &pool).await;
        let a = checkout(&ctx, "checkout").await;
        let b = checkout(&ctx, "checkout").await;
        checkin(&ctx, b);
        checkin(&ctx, a);
        assert_eq!(checkout(&ctx, "checkout").await, a);
        let sup = ctx
            .find_by_label("root/pool/workers")
            .expect("the worker supervisor");
        gen_server::stop(&ctx, pid, Term::SHUTDOWN, None).await?;
        ctx.sleep(ms(1)).await;
        assert!(!ctx.is_alive(sup) && !ctx.is_alive(a) && !ctx.is_alive(b));
        Ok(())
    });
}
