//! The pattern models (issue #5): circuit_breaker, pool, conn_pool, fanout and keyed,
//! each driven directly in a `Sim` with hand-built trees; and their parameters
//! (defaults, round trips, errors with their positions).

#[path = "models_patterns/support.rs"]
mod support;

#[path = "support/model_harness.rs"]
mod model_harness;

#[path = "models_patterns/breaker.rs"]
mod breaker;

#[path = "models_patterns/pool.rs"]
mod pool;

#[path = "models_patterns/routers.rs"]
mod routers;

#[path = "models_patterns/fanout.rs"]
mod fanout;

use otpsim::models::{catalog, ModelSpec};
use otpsim::scenario::json::Document;
use support::{parse_error, spec};

/// Each pattern model with the smallest params it accepts.
const PATTERNS: [(&str, &str); 5] = [
    ("circuit_breaker", r#"{"dependency": "root/db"}"#),
    ("pool", "{}"),
    ("conn_pool", r#"{"supervisor": "root/conns"}"#),
    ("fanout", r#"{"task_supervisor": "root/tasks"}"#),
    (
        "keyed",
        r#"{"registry": "root/reg", "dynamic_supervisor": "root/sessions"}"#,
    ),
];

fn round_trips(s: &ModelSpec) {
    let again = spec(s.name, &s.model.params_json().to_string());
    assert_eq!(&again, s, "{} does not round-trip", s.name);
}

#[test]
fn every_pattern_model_is_catalogued_with_a_schema_of_every_parameter() {
    for (name, params) in PATTERNS {
        let def = catalog::find(name).unwrap_or_else(|| panic!("{name} not catalogued"));
        let schema = (def.schema)();
        assert_eq!(schema["type"], "object", "{name}");
        assert_eq!(schema["additionalProperties"], false, "{name}");
        let props = schema["properties"].as_object().unwrap();
        for (key, prop) in props {
            assert!(
                prop["description"].is_string(),
                "{name}.{key} has no description"
            );
        }
        let s = spec(name, params);
        round_trips(&s);
        let written = s.model.params_json();
        let written: Vec<&String> = written.as_object().unwrap().keys().collect();
        let mut documented: Vec<&String> = props.keys().collect();
        documented.sort();
        let mut written_sorted = written.clone();
        written_sorted.sort();
        assert_eq!(
            written_sorted, documented,
            "{name}: every parameter written, and only those"
        );
    }
}

#[test]
fn defaults_are_the_documented_ones() {
    let breaker = spec("circuit_breaker", r#"{"dependency": "root/db"}"#)
        .model
        .params_json();
    assert_eq!(
        breaker,
        serde_json::json!({"dependency": "root/db", "failure_threshold": 5, "reset_timeout": "30s", "call_timeout": "1s", "half_open_max": 1})
    );
    let pool = spec("pool", "{}").model.params_json();
    assert_eq!(pool["size"], 5);
    assert_eq!(pool["max_overflow"], 0);
    assert_eq!(pool["strategy"], "lifo");
    assert_eq!(pool["checkout_timeout"], "5s");
    assert_eq!(pool["worker"]["model"], "worker");
    let fan = spec("fanout", r#"{"task_supervisor": "t"}"#)
        .model
        .params_json();
    assert_eq!(
        fan,
        serde_json::json!({"task_supervisor": "t", "items": 10, "work": {"dist": "fixed", "value": "10ms"}, "max_concurrency": 4, "timeout": "50ms", "on_timeout": "kill_task"})
    );
    let keyed = spec("keyed", r#"{"registry": "r", "dynamic_supervisor": "d"}"#)
        .model
        .params_json();
    assert_eq!(
        keyed["worker"],
        serde_json::json!({"model": "session", "params": {"idle_timeout": "30s"}})
    );
    assert_eq!(keyed["restart"], "transient");
    assert_eq!(keyed["call_timeout"], "5s");
    let conn = spec("conn_pool", r#"{"supervisor": "s"}"#)
        .model
        .params_json();
    assert_eq!(conn["call_timeout"], "5s");
}

#[test]
fn parameters_other_than_the_defaults_round_trip() {
    let cases = [
        (
            "circuit_breaker",
            r#"{"dependency": "a/b.c-d", "failure_threshold": 1, "reset_timeout": "250ms", "call_timeout": 20, "half_open_max": 3}"#,
        ),
        (
            "pool",
            r#"{"size": 0, "max_overflow": 7, "strategy": "fifo", "checkout_timeout": "2m", "worker": {"model": "flaky", "params": {"error_rate": 0.5}}}"#,
        ),
        (
            "pool",
            r#"{"worker": {"model": "pool", "params": {"size": 1}}}"#,
        ),
        (
            "conn_pool",
            r#"{"supervisor": "root", "call_timeout": "1ms"}"#,
        ),
        (
            "fanout",
            r#"{"task_supervisor": "t", "items": 1, "work": {"dist": "exponential", "mean": "3ms"}, "max_concurrency": 1, "timeout": "1s", "on_timeout": "exit"}"#,
        ),
        (
            "keyed",
            r#"{"registry": "r", "dynamic_supervisor": "d", "worker": {"model": "counter"}, "restart": "permanent", "call_timeout": "1h"}"#,
        ),
    ];
    for (name, params) in cases {
        round_trips(&spec(name, params));
    }
    assert_eq!(
        spec("pool", r#"{"strategy": "fifo"}"#).model.params_json()["strategy"],
        "fifo"
    );
}

#[test]
fn bad_parameters_are_reported_at_their_position() {
    let cases = [
        (
            r#"{"model": "circuit_breaker", "params": {"dependency": "db", "failure_treshold": 3}}"#,
            "t.json:1:61: at $.params.failure_treshold: unknown field `failure_treshold`; did you mean `failure_threshold`?",
        ),
        (
            r#"{"model": "circuit_breaker", "params": {"reset_timeout": "1s"}}"#,
            "t.json:1:40: at $.params: missing field `dependency`",
        ),
        (
            r#"{"model": "circuit_breaker", "params": {"dependency": "db", "call_timeout": "1500us"}}"#,
            "t.json:1:77: at $.params.call_timeout: duration is not a positive whole number of milliseconds",
        ),
        (
            r#"{"model": "circuit_breaker", "params": {"dependency": "db//x"}}"#,
            "t.json:1:55: at $.params.dependency: `db//x` is not a tree path",
        ),
        (
            r#"{"model": "pool", "params": {"size": 10001}}"#,
            "t.json:1:38: at $.params.size: 10001 is too large (expected at most 10000)",
        ),
        (
            r#"{"model": "pool", "params": {"strategy": "lilo"}}"#,
            "t.json:1:42: at $.params.strategy: unknown strategy `lilo`; did you mean `lifo`?",
        ),
        (
            r#"{"model": "pool", "params": {"worker": {"model": "wroker"}}}"#,
            "t.json:1:50: at $.params.worker.model: unknown model `wroker`; did you mean `worker`?",
        ),
        (
            r#"{"model": "pool", "params": {"worker": {"model": "worker", "params": {"work": -1}}}}"#,
            "t.json:1:79: at $.params.worker.params.work: negative duration",
        ),
        (
            r#"{"model": "pool", "params": {"worker": {"model": "worker", "size": 1}}}"#,
            "t.json:1:60: at $.params.worker.size: unknown field `size`",
        ),
        (
            r#"{"model": "pool", "params": {"worker": "worker"}}"#,
            "t.json:1:40: at $.params.worker: found the string \"worker\" (expected an object)",
        ),
        (
            r#"{"model": "fanout", "params": {"task_supervisor": "t", "on_timeout": "kill_tsk"}}"#,
            "t.json:1:70: at $.params.on_timeout: unknown on_timeout `kill_tsk`; did you mean `kill_task`?",
        ),
        (
            r#"{"model": "fanout", "params": {"task_supervisor": "t", "max_concurrency": 0}}"#,
            "t.json:1:75: at $.params.max_concurrency: 0 is too small (expected at least 1)",
        ),
        (
            r#"{"model": "keyed", "params": {"registry": "r"}}"#,
            "t.json:1:30: at $.params: missing field `dynamic_supervisor`",
        ),
        (
            r#"{"model": "keyed", "params": {"registry": "r", "dynamic_supervisor": "d", "restart": "always"}}"#,
            "t.json:1:86: at $.params.restart: unknown restart `always`",
        ),
        (
            r#"{"model": "conn_pool", "params": []}"#,
            "t.json:1:34: at $.params: found an array (expected an object)",
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .map(|(text, want)| (text, want, parse_error(text)))
        .filter(|(_, want, err)| !err.starts_with(*want))
        .map(|(text, want, err)| format!("{text}\n got: {err}\nwant: {want}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Several mistakes are reported together, in source order.
    let err = parse_error(
        r#"{"model": "pool", "params": {"size": -1, "strategy": 3, "checkout_timeout": "0ms"}}"#,
    );
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn required_parameters_without_a_params_object_are_an_error_at_the_model() {
    let cases = [
        ("circuit_breaker", "field `dependency`"),
        ("conn_pool", "field `supervisor`"),
        ("fanout", "field `task_supervisor`"),
        ("keyed", "fields `registry` and `dynamic_supervisor`"),
    ];
    for (name, fields) in cases {
        let text = format!("{{\"id\": \"x\",\n \"model\": \"{name}\"}}");
        let doc = Document::parse("t.json", &text).unwrap();
        let o = doc.reader().expect_object().unwrap();
        let err = ModelSpec::parse(&o.required("model").unwrap(), None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.json:2:11: at $.model: "), "{err}");
        assert!(
            err.contains(&format!("missing {fields} of the {name} model")),
            "{err}"
        );
    }
    // The models without required parameters take their defaults.
    let doc = Document::parse("t.json", r#"{"model": "pool"}"#).unwrap();
    let o = doc.reader().expect_object().unwrap();
    assert_eq!(
        ModelSpec::parse(&o.required("model").unwrap(), None).unwrap(),
        spec("pool", "{}")
    );
}

#[test]
fn every_pattern_model_stops_on_a_crash_fault() {
    use otpsim::behaviour::dynamic_supervisor::DynSupFlags;
    use otpsim::behaviour::gen_server::StartOpts;
    use otpsim::behaviour::task::supervisor as task_sup;
    use otpsim::kernel::{ms, secs};
    use otpsim::models::fault;
    use otpsim::term::atom;
    use std::cell::RefCell;
    use std::rc::Rc;

    let pids = Rc::new(RefCell::new(Vec::new()));
    let out = pids.clone();
    let ran = support::run(1, secs(1), move |ctx| async move {
        ctx.trap_exit(true);
        let opts = StartOpts {
            name: Some(otpsim::behaviour::gen_server::ServerName::Local(
                otpsim::term::Atom::new("root/tasks"),
            )),
            ..StartOpts::default()
        };
        task_sup::start_link(&ctx, DynSupFlags::new(), opts)
            .await
            .into_result()?;
        for (i, (name, params)) in PATTERNS.iter().enumerate() {
            let pid = support::start_model(&ctx, &format!("root/m{i}"), &spec(name, params)).await;
            ctx.send(pid, fault::message_crash(atom("injected")));
            out.borrow_mut().push(pid);
        }
        ctx.sleep(ms(1)).await;
        Ok(())
    });
    for pid in pids.borrow().iter() {
        assert_eq!(
            ran.exit(*pid).map(|(_, r)| r),
            Some(otpsim::term::atom("injected")),
            "{:?}",
            ran.label(*pid)
        );
    }
}
