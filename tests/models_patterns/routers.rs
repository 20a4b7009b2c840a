//! conn_pool (random pick among a supervisor's running connections) and keyed (one
//! via-named worker per key, started on demand).

use super::support::{call, model_child, name, run, spec, start_model, supervisor_at, t, Ran};
use otpsim::behaviour::dynamic_supervisor::{self, DynSupFlags};
use otpsim::behaviour::gen_server::{ServerName, StartOpts};
use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::kernel::{ms, secs, Ctx};
use otpsim::term::{atom, Atom, Term};

const ROUTER: &str = "root/router";

fn conn_pool_run(seed: u64) -> Ran {
    let worker = spec("worker", "{}");
    let router = spec(
        "conn_pool",
        r#"{"supervisor": "root/conns", "call_timeout": "100ms"}"#,
    );
    run(seed, secs(5), move |ctx: Ctx| async move {
        let conns = (1..=3)
            .map(|i| model_child(&format!("c{i}"), worker.clone()))
            .collect();
        supervisor_at(&ctx, "root/conns", conns).await;
        start_model(&ctx, ROUTER, &router).await;
        for i in 0..20 {
            let q = Term::tagged("query", Term::Int(i));
            assert_eq!(
                call(&ctx, name(ROUTER), q.clone()).await,
                Ok(Term::tagged("ok", q))
            );
        }
        assert_eq!(
            call(&ctx, name(ROUTER), atom("hello")).await,
            Ok(t("{error, invalid_message}"))
        );
        Ok(())
    })
}

fn picks(ran: &Ran) -> Vec<i64> {
    ran.details("picked")
        .into_iter()
        .map(|(_, d)| {
            let d = d.as_tuple().unwrap().to_vec();
            assert_eq!(d[1], Term::Int(3), "three running connections");
            d[0].as_int().unwrap()
        })
        .collect()
}

#[test]
fn conn_pool_picks_at_random_deterministically_per_seed() {
    let (a, b, c) = (conn_pool_run(1), conn_pool_run(1), conn_pool_run(2));
    assert_eq!(a.fingerprint, b.fingerprint);
    assert_eq!(picks(&a), picks(&b));
    assert_ne!(picks(&a), picks(&c), "another seed, other picks");
    let mut used = picks(&a);
    assert_eq!(used.len(), 20);
    used.sort();
    used.dedup();
    assert_eq!(used, [0, 1, 2], "every connection gets queries");
}

#[test]
fn conn_pool_without_running_connections_says_so() {
    let slow = spec("worker", r#"{"work": "200ms"}"#);
    let empty = spec("conn_pool", r#"{"supervisor": "root/empty"}"#);
    let absent = spec("conn_pool", r#"{"supervisor": "root/absent"}"#);
    let timing = spec(
        "conn_pool",
        r#"{"supervisor": "root/slow", "call_timeout": "100ms"}"#,
    );
    run(1, secs(5), move |ctx: Ctx| async move {
        supervisor_at(&ctx, "root/empty", Vec::new()).await;
        supervisor_at(&ctx, "root/slow", vec![model_child("c1", slow)]).await;
        start_model(&ctx, "root/r1", &empty).await;
        start_model(&ctx, "root/r2", &absent).await;
        start_model(&ctx, "root/r3", &timing).await;
        let q = t("{query, 1}");
        let none = Ok(t("{error, no_connections}"));
        assert_eq!(call(&ctx, name("root/r1"), q.clone()).await, none);
        assert_eq!(call(&ctx, name("root/r2"), q.clone()).await, none);
        assert_eq!(
            call(&ctx, name("root/r3"), q.clone()).await,
            Ok(t("{error, timeout}"))
        );
        assert_eq!(ctx.now_us(), ms(100));
        Ok(())
    });
}

const KEYED: &str = "root/keyed";
const SESSIONS: &str = "root/sessions";

async fn keyed_tree(ctx: &Ctx, params: &str) {
    Registry::new(Atom::new("root/reg"))
        .start_link(ctx, Keys::Unique, RegistryOpts::default())
        .await
        .into_result()
        .expect("registry");
    let opts = StartOpts {
        name: Some(ServerName::Local(Atom::new(SESSIONS))),
        label: Some(SESSIONS.into()),
        ..StartOpts::default()
    };
    dynamic_supervisor::start_link(ctx, DynSupFlags::new(), opts)
        .await
        .into_result()
        .expect("dynsup");
    start_model(ctx, KEYED, &spec("keyed", params)).await;
}

async fn request(ctx: &Ctx, key: &str, req: &str) -> Result<Term, Term> {
    call(
        ctx,
        name(KEYED),
        Term::tuple([atom("request"), t(key), t(req)]),
    )
    .await
}

#[test]
fn keyed_starts_one_worker_per_key_on_demand_and_reuses_it() {
    let params = r#"{"registry": "root/reg", "dynamic_supervisor": "root/sessions",
                     "worker": {"model": "session", "params": {"idle_timeout": "1s"}}}"#;
    let ran = run(1, secs(10), move |ctx: Ctx| async move {
        keyed_tree(&ctx, params).await;
        let reg = Registry::new(Atom::new("root/reg"));
        assert_eq!(request(&ctx, "alice", "ping").await, Ok(atom("pong")));
        let alice = reg
            .whereis_name(&ctx, &atom("alice"))
            .expect("alice's session");
        assert_eq!(ctx.label_of(alice).as_deref(), Some("root/sessions/alice"));
        assert_eq!(request(&ctx, "alice", "hello").await, Ok(t("{ok, hello}")));
        assert_eq!(request(&ctx, "42", "ping").await, Ok(atom("pong")));
        assert_eq!(
            reg.whereis_name(&ctx, &atom("alice")),
            Some(alice),
            "reused"
        );
        assert_eq!(
            dynamic_supervisor::which_children(&ctx, name(SESSIONS))
                .await
                .len(),
            2
        );
        // A crashed session is restarted by its supervisor (transient) under the same
        // via-name; the next request finds it without starting another.
        ctx.exit(alice, atom("boom"));
        ctx.sleep(ms(1)).await;
        let again = reg.whereis_name(&ctx, &atom("alice")).expect("restarted");
        assert_ne!(again, alice);
        assert_eq!(request(&ctx, "alice", "ping").await, Ok(atom("pong")));
        // Idle sessions stop normal and are not restarted; a request starts a new one.
        ctx.sleep(secs(1) + ms(1)).await;
        assert_eq!(
            dynamic_supervisor::which_children(&ctx, name(SESSIONS))
                .await
                .len(),
            0
        );
        assert_eq!(request(&ctx, "alice", "ping").await, Ok(atom("pong")));
        assert_eq!(request(&ctx, "alice", "{x}").await, Ok(t("{ok, {x}}")));
        assert_eq!(
            call(&ctx, name(KEYED), t("{request, alice}")).await,
            Ok(t("{error, invalid_message}"))
        );
        Ok(())
    });
    let started: Vec<String> = ran
        .details("started_on_demand")
        .into_iter()
        .map(|(_, d)| d.to_string())
        .collect();
    assert_eq!(started, ["alice", "42", "alice"]);
    // 42 and the restarted alice went idle (the last alice goes when the test ends).
    let idle: Vec<Option<String>> = ran
        .model("idle_stop")
        .into_iter()
        .map(|(_, p, _)| ran.label(p))
        .collect();
    assert_eq!(
        idle,
        [
            Some("root/sessions/42".to_string()),
            Some("root/sessions/alice".to_string())
        ]
    );
}

#[test]
fn keyed_reports_a_worker_that_cannot_start_and_a_missing_registry() {
    let failing = r#"{"registry": "root/reg", "dynamic_supervisor": "root/sessions",
                      "worker": {"model": "worker", "params": {"init": "error", "fail_reason": "no_db"}}}"#;
    run(1, secs(5), move |ctx: Ctx| async move {
        keyed_tree(&ctx, failing).await;
        assert_eq!(request(&ctx, "k", "ping").await, Ok(t("{error, no_db}")));
        let lonely = spec(
            "keyed",
            r#"{"registry": "root/nope", "dynamic_supervisor": "root/sessions"}"#,
        );
        start_model(&ctx, "root/lonely", &lonely).await;
        let req = t("{request, k, ping}");
        assert_eq!(
            call(&ctx, name("root/lonely"), req).await,
            Ok(t("{error, noproc}"))
        );
        Ok(())
    });
}
