//! fanout: a sliding window of tasks under a Task.Supervisor, with a per-task timeout.

use super::support::{call, name, run, spec, start_model, t, Ran};
use otpsim::behaviour::dynamic_supervisor::DynSupFlags;
use otpsim::behaviour::gen_server::{self, ServerName, StartOpts};
use otpsim::behaviour::task::supervisor as task_sup;
use otpsim::kernel::{ms, secs, Ctx};
use otpsim::term::{atom, Atom, Term};

const FAN: &str = "root/fan";
const TASKS: &str = "root/tasks";

async fn task_supervisor(ctx: &Ctx) {
    let opts = StartOpts {
        name: Some(ServerName::Local(Atom::new(TASKS))),
        label: Some(TASKS.into()),
        ..StartOpts::default()
    };
    task_sup::start_link(ctx, DynSupFlags::new(), opts)
        .await
        .into_result()
        .expect("task supervisor");
}

fn fan(params: &str) -> otpsim::models::ModelSpec {
    spec(
        "fanout",
        &format!(r#"{{"task_supervisor": "root/tasks", {params}}}"#),
    )
}

/// Runs one `run` request and returns the reply and how long it took.
fn one_run(seed: u64, params: &str) -> (Ran, Term, u64) {
    let model = fan(params);
    let out = std::rc::Rc::new(std::cell::RefCell::new((Term::OK, 0)));
    let o = out.clone();
    let ran = run(seed, secs(10), move |ctx: Ctx| async move {
        task_supervisor(&ctx).await;
        start_model(&ctx, FAN, &model).await;
        let reply = call(&ctx, name(FAN), atom("run")).await?;
        *o.borrow_mut() = (reply, ctx.now_us());
        Ok(())
    });
    let (reply, took) = out.borrow().clone();
    (ran, reply, took)
}

#[test]
fn every_item_done_in_windows_of_max_concurrency() {
    let (ran, reply, took) = one_run(
        1,
        r#""items": 10, "work": "10ms", "max_concurrency": 4, "timeout": "50ms""#,
    );
    assert_eq!(reply, t("{ok, 10, 0}"));
    assert_eq!(took, ms(30), "three windows of 10 ms: 4 + 4 + 2 tasks");
    assert_eq!(
        ran.details("fanout")
            .into_iter()
            .map(|(_, d)| d)
            .collect::<Vec<_>>(),
        [t("{10, 0}")]
    );
    // The tasks are children of the task supervisor, labelled by it.
    let tasks = ran
        .events
        .iter()
        .filter(|e| matches!(&e.kind, otpsim::trace::EventKind::Spawn { label: Some(l), .. } if l == "root/tasks/task"))
        .count();
    assert_eq!(tasks, 10);
}

#[test]
fn late_tasks_are_killed_and_counted_as_timed_out() {
    let (_, reply, took) = one_run(
        1,
        r#""items": 6, "work": "80ms", "max_concurrency": 4, "timeout": "50ms""#,
    );
    assert_eq!(reply, t("{ok, 0, 6}"));
    assert_eq!(took, ms(100), "two windows cut at 50 ms each");
    // Mixed work: every item is done or timed out, and the split is the seed's.
    let mixed = r#""items": 20, "work": {"dist": "uniform", "min": "10ms", "max": "90ms"}, "timeout": "50ms""#;
    let (a, reply_a, _) = one_run(7, mixed);
    let (b, reply_b, _) = one_run(7, mixed);
    assert_eq!((reply_a.clone(), a.fingerprint), (reply_b, b.fingerprint));
    let counts = reply_a.as_tuple().unwrap().to_vec();
    let (done, late) = (counts[1].as_int().unwrap(), counts[2].as_int().unwrap());
    assert_eq!(done + late, 20);
    assert!(done > 0 && late > 0, "{reply_a}");
}

#[test]
fn on_timeout_exit_ends_the_server_with_the_stream_timeout() {
    let model = fan(r#""items": 3, "work": "80ms", "timeout": "50ms", "on_timeout": "exit""#);
    let ran = run(1, secs(10), move |ctx: Ctx| async move {
        ctx.trap_exit(true);
        task_supervisor(&ctx).await;
        let pid = start_model(&ctx, FAN, &model).await;
        let err = gen_server::call(&ctx, name(FAN), atom("run"), Some(5_000))
            .await
            .unwrap_err();
        let reason = t("{timeout, {'Elixir.Task.Supervised', stream, [50]}}");
        assert_eq!(err.as_tuple().unwrap()[0], reason);
        assert_eq!(ctx.now_us(), ms(50));
        assert!(!ctx.is_alive(pid));
        // Its tasks were killed with it: the supervisor has none left.
        assert!(task_sup::children(&ctx, name(TASKS)).await.is_empty());
        Ok(())
    });
    assert!(ran.model("fanout").is_empty());
    assert!(ran.events.iter().any(|e| matches!(&e.kind,
        otpsim::trace::EventKind::Exit { reason, .. } if *reason == t("{timeout, {'Elixir.Task.Supervised', stream, [50]}}"))));
}
