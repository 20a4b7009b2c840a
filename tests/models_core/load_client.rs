//! The load client: arrivals, callers, outcomes and their classification, labels,
//! targets by path and by registry key, pool checkouts, and determinism.

use super::support::{client_env, env, run, spec, t, Ran};
use otpsim::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Response, ServerName, StartOpts,
};
use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
use otpsim::kernel::{ms, secs, Ctx};
use otpsim::models::load_client::classify;
use otpsim::models::ModelEnv;
use otpsim::term::{atom, Atom, Pid, Term};
use otpsim::trace::EventKind;
use std::cell::Cell;
use std::rc::Rc;

/// One `call_outcome`: when, the emitting process's label, the outcome, the latency.
type Outcome = (u64, String, String, u64);

fn outcomes(ran: &Ran) -> Vec<Outcome> {
    ran.model("call_outcome")
        .into_iter()
        .map(|(at, pid, detail)| {
            let d = detail.as_tuple().unwrap().to_vec();
            let label = ran.label(pid).unwrap_or_default();
            (
                at,
                label,
                d[0].as_atom().unwrap().to_string(),
                d[1].as_int().unwrap() as u64,
            )
        })
        .collect()
}

/// Starts `target` (a model at `path`) and the client, then waits `for_us`.
fn drive(seed: u64, target: Option<(&str, &str, &str)>, client: &str, for_us: u64) -> Ran {
    let target = target.map(|(name, path, params)| (spec(name, params), path.to_string()));
    let client = spec("load_client", client);
    run(seed, for_us + secs(1), move |ctx| async move {
        if let Some((model, path)) = target {
            model
                .start(ctx.clone(), env(&path), vec![])
                .await
                .into_result()?;
        }
        client
            .start(ctx.clone(), client_env("c"), vec![])
            .await
            .into_result()?;
        ctx.sleep(for_us).await;
        Ok(())
    })
}

#[test]
fn an_open_loop_client_sends_at_its_rate_each_request_from_its_own_process() {
    let ran = drive(
        1,
        Some(("worker", "root/w", "{}")),
        r#"{"target": "root/w", "rate": 10, "stop_after": "1s"}"#,
        secs(3),
    );
    let got = outcomes(&ran);
    let want: Vec<Outcome> = (0..10)
        .map(|i| {
            (
                ms(100) * i,
                format!("workload/c/{}", i + 1),
                "ok".to_string(),
                0,
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn closed_loop_callers_call_then_think() {
    let ran = drive(
        1,
        Some(("worker", "root/w", r#"{"work": "50ms"}"#)),
        r#"{"target": "root/w", "mode": "closed", "concurrency": 2, "think": "100ms", "stop_after": "1s"}"#,
        secs(3),
    );
    let got = outcomes(&ran);
    assert_eq!(got.len(), 14, "{got:?}");
    let by = |label: &str| {
        got.iter()
            .filter(|o| o.1 == label)
            .map(|o| o.0 - o.3)
            .collect::<Vec<u64>>()
    };
    let starts_ms = |v: Vec<u64>| v.into_iter().map(|us| us / 1_000).collect::<Vec<u64>>();
    assert_eq!(
        starts_ms(by("workload/c/1")),
        vec![0, 150, 300, 450, 600, 750, 900]
    );
    assert_eq!(
        starts_ms(by("workload/c/2")),
        vec![0, 200, 350, 500, 650, 800, 950]
    );
    let slow: Vec<&Outcome> = got.iter().filter(|o| o.3 != ms(50)).collect();
    assert_eq!(
        slow,
        vec![&(
            ms(100),
            "workload/c/2".to_string(),
            "ok".to_string(),
            ms(100)
        )]
    );
}

#[test]
fn a_timed_out_call_is_a_timeout_and_a_missing_target_an_error() {
    let ran = drive(
        1,
        Some(("worker", "root/w", r#"{"work": "1s"}"#)),
        r#"{"target": "root/w", "mode": "closed", "think": "1s", "call_timeout": "100ms", "stop_after": "1500ms"}"#,
        secs(4),
    );
    let kinds: Vec<(u64, String, u64)> = outcomes(&ran)
        .into_iter()
        .map(|o| (o.0, o.2, o.3))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ms(100), "timeout".into(), ms(100)),
            (ms(1_200), "timeout".into(), ms(100))
        ]
    );
    for target in [
        r#""root/nobody""#,
        r#"{"registry": "root/reg", "key": "k"}"#,
    ] {
        let client = format!(r#"{{"target": {target}, "rate": 1, "stop_after": "1500ms"}}"#);
        let ran = drive(1, None, &client, secs(3));
        let kinds: Vec<(u64, String)> = outcomes(&ran).into_iter().map(|o| (o.0, o.2)).collect();
        assert_eq!(
            kinds,
            vec![(0, "error".into()), (secs(1), "error".into())],
            "{target}"
        );
    }
}

#[test]
fn replies_are_classified_as_the_conventions_say() {
    let ok = |reply: &str| classify(&Ok(t(reply)));
    for reply in ["ok", "{ok, 1}", "pong", "miss", "42", "{ok, 1, v2}"] {
        assert_eq!(ok(reply), "ok", "{reply}");
    }
    for reply in [
        "rate_limited",
        "full",
        "circuit_open",
        "{error, circuit_open}",
        "{error, rate_limited}",
        "{rejected, busy}",
    ] {
        assert_eq!(ok(reply), "rejected", "{reply}");
    }
    for reply in ["error", "{error, unavailable}"] {
        assert_eq!(ok(reply), "error", "{reply}");
    }
    let exit = |reason: &str| {
        classify(&Err(Term::tuple([
            t(reason),
            t("{gen_server, call, [x, ping, 5000]}"),
        ])))
    };
    assert_eq!(exit("timeout"), "timeout");
    assert_eq!(exit("noproc"), "error");
    assert_eq!(exit("{shutdown, db_down}"), "error");
}

#[test]
fn a_rate_limited_reply_is_rejected() {
    let ran = drive(
        1,
        Some(("rate_limiter", "root/rl", r#"{"max_requests": 2}"#)),
        r#"{"target": "root/rl", "rate": 10, "request": "check", "stop_after": "500ms"}"#,
        secs(1),
    );
    let kinds: Vec<String> = outcomes(&ran).into_iter().map(|o| o.2).collect();
    assert_eq!(kinds, ["ok", "ok", "rejected", "rejected", "rejected"]);
}

#[test]
fn arrivals_beyond_max_in_flight_are_shed_by_the_client() {
    let ran = drive(
        1,
        Some(("worker", "root/w", r#"{"work": "1s"}"#)),
        r#"{"target": "root/w", "rate": 10, "max_in_flight": 3, "stop_after": "1s"}"#,
        secs(5),
    );
    let got = outcomes(&ran);
    let shed: Vec<&Outcome> = got.iter().filter(|o| o.2 == "rejected").collect();
    assert_eq!(shed.len(), 7);
    assert!(
        shed.iter().all(|o| o.1 == "workload/c" && o.3 == 0),
        "{shed:?}"
    );
    assert_eq!(
        shed.iter().map(|o| o.0).collect::<Vec<u64>>(),
        (3..10).map(|i| ms(100) * i).collect::<Vec<u64>>()
    );
    let served: Vec<u64> = got.iter().filter(|o| o.2 == "ok").map(|o| o.3).collect();
    assert_eq!(served, vec![secs(1), ms(1_900), ms(2_800)]);
}

#[test]
fn a_client_reaches_a_server_through_a_registry_key() {
    let worker = spec("worker", "{}");
    let hit = spec(
        "load_client",
        r#"{"target": {"registry": "root/reg", "key": "k1"}, "rate": 1, "stop_after": "500ms"}"#,
    );
    let miss = spec(
        "load_client",
        r#"{"target": {"registry": "root/reg", "key": "k2"}, "rate": 1, "stop_after": "500ms"}"#,
    );
    let ran = run(1, secs(2), move |ctx| async move {
        let reg = Registry::new(Atom::new("root/reg"));
        reg.start_link(&ctx, Keys::Unique, RegistryOpts::default())
            .await
            .into_result()?;
        let name = ServerName::Via(reg.via(atom("k1")));
        let w_env = ModelEnv {
            path: "root/reg/k1".into(),
            name: Some(name),
            app: "app".into(),
        };
        worker
            .start(ctx.clone(), w_env, vec![])
            .await
            .into_result()?;
        hit.start(ctx.clone(), client_env("hit"), vec![])
            .await
            .into_result()?;
        miss.start(ctx.clone(), client_env("miss"), vec![])
            .await
            .into_result()?;
        ctx.sleep(secs(1)).await;
        Ok(())
    });
    let got: Vec<(String, String)> = outcomes(&ran).into_iter().map(|o| (o.1, o.2)).collect();
    assert_eq!(
        got,
        vec![
            ("workload/hit/1".into(), "ok".into()),
            ("workload/miss/1".into(), "error".into())
        ]
    );
}

/// A one-worker pool speaking the pool model's protocol: call `{checkout, true,
/// TimeoutMs}` → a pid or `full` (never blocking, to keep the test short); cast
/// `{checkin, Pid}`.
struct TestPool {
    free: bool,
    checkins: Rc<Cell<u32>>,
}

impl GenServer for TestPool {
    type Args = Rc<Cell<u32>>;

    async fn init(_ctx: &Ctx, checkins: Self::Args) -> Init<Self> {
        Init::Ok(TestPool {
            free: true,
            checkins,
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        assert_eq!(request, t("{checkout, true, 5000}"));
        if self.free {
            self.free = false;
            CallResponse::reply(Term::Pid(ctx.me()))
        } else {
            CallResponse::reply(atom("full"))
        }
    }

    async fn handle_cast(&mut self, ctx: &Ctx, request: Term) -> Response {
        assert_eq!(request, Term::tagged("checkin", Term::Pid(ctx.me())));
        self.free = true;
        self.checkins.set(self.checkins.get() + 1);
        Response::noreply()
    }
}

#[test]
fn a_checkout_client_holds_the_worker_then_checks_it_in() {
    let client = spec(
        "load_client",
        r#"{"target": "root/pool", "rate": 10, "op": "checkout", "hold": "150ms", "stop_after": "500ms"}"#,
    );
    let checkins = Rc::new(Cell::new(0));
    let seen = checkins.clone();
    let ran = run(1, secs(2), move |ctx| async move {
        let opts = StartOpts {
            name: Some(ServerName::Local(Atom::new("root/pool"))),
            ..StartOpts::default()
        };
        gen_server::start_link::<TestPool>(&ctx, checkins, opts)
            .await
            .into_result()?;
        client
            .start(ctx.clone(), client_env("c"), vec![])
            .await
            .into_result()?;
        ctx.sleep(secs(1)).await;
        Ok(())
    });
    let kinds: Vec<String> = outcomes(&ran).into_iter().map(|o| o.2).collect();
    assert_eq!(kinds, ["ok", "rejected", "ok", "rejected", "ok"]);
    assert_eq!(seen.get(), 3);
}

fn keyed_run(seed: u64) -> (u64, Vec<Term>) {
    let ran = drive(
        seed,
        Some((
            "flaky",
            "root/db",
            r#"{"latency": {"dist": "exponential", "mean": "5ms"}, "error_rate": 0.3}"#,
        )),
        r#"{"target": "root/db", "rate": 50, "arrivals": "poisson", "request": "{get, '$key'}", "keys": 10, "stop_after": "2s"}"#,
        secs(3),
    );
    let requests = ran
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Call { request, .. } => Some(request.clone()),
            _ => None,
        })
        .collect();
    (ran.fingerprint, requests)
}

#[test]
fn a_poisson_client_with_random_keys_is_deterministic_per_seed() {
    let (fa, ra) = keyed_run(3);
    let (fb, rb) = keyed_run(3);
    let (fc, rc) = keyed_run(4);
    assert_eq!((fa, &ra), (fb, &rb));
    assert_ne!(fa, fc);
    assert_ne!(ra, rc);
    assert!(
        (60..=140).contains(&ra.len()),
        "{} requests in 2 s at 50/s",
        ra.len()
    );
    let keys: Vec<i64> = ra
        .iter()
        .map(|r| r.as_tuple().unwrap()[1].as_int().unwrap())
        .collect();
    assert!(keys.iter().all(|k| (0..10).contains(k)));
    let mut distinct = keys.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 10);
}

#[test]
fn a_client_process_is_labelled_with_its_path() {
    let ran = drive(
        1,
        Some(("worker", "root/w", "{}")),
        r#"{"target": "root/w", "rate": 1, "stop_after": "1ms"}"#,
        secs(1),
    );
    let client: Vec<Pid> = ran
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Spawn {
                child,
                label: Some(l),
                ..
            } if l == "workload/c" => Some(*child),
            _ => None,
        })
        .collect();
    assert_eq!(client.len(), 1);
}
