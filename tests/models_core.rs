//! The core built-in models (issue #5), each driven directly in a `Sim`: parameters
//! (defaults, round trips, errors with their positions), replies, model events and
//! virtual timing. The tests of each group of models are in models_core/.

#[path = "models_core/support.rs"]
mod support;

#[path = "support/model_harness.rs"]
mod model_harness;

#[path = "models_core/load_client.rs"]
mod load_client;

#[path = "models_core/servers.rs"]
mod servers;

#[path = "models_core/dependencies.rs"]
mod dependencies;

use otpsim::models::{catalog, ModelSpec};
use otpsim::scenario::json::Document;
use support::{parse_error, spec};

const CORE: [&str; 9] = [
    "worker",
    "counter",
    "cache",
    "session",
    "rate_limiter",
    "flaky",
    "load_client",
    "buffered_writer",
    "settings",
];

fn round_trips(s: &ModelSpec) {
    let again = spec(s.name, &s.model.params_json().to_string());
    assert_eq!(&again, s, "{} does not round-trip", s.name);
    assert_eq!(again.model.params_json(), s.model.params_json());
}

#[test]
fn every_core_model_is_catalogued_with_a_schema_naming_its_parameters() {
    for name in CORE {
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
        let params = if name == "load_client" {
            r#"{"target": "root/x"}"#
        } else {
            "{}"
        };
        let s = spec(name, params);
        round_trips(&s);
        // Every parameter written is in the schema; with defaults, all of them are
        // written except the ones another mode or op would use.
        let written = s.model.params_json();
        for key in written.as_object().unwrap().keys() {
            assert!(
                props.contains_key(key),
                "{name}: {key} written but not in the schema"
            );
        }
        if name != "load_client" {
            assert_eq!(written.as_object().unwrap().len(), props.len(), "{name}");
        }
    }
}

#[test]
fn absent_params_mean_every_default() {
    for name in CORE.iter().filter(|n| **n != "load_client") {
        let text = format!(r#"{{"model": "{name}"}}"#);
        let doc = Document::parse("t.json", &text).unwrap();
        let o = doc.reader().expect_object().unwrap();
        let s = ModelSpec::parse(&o.required("model").unwrap(), None).unwrap();
        assert_eq!(s, spec(name, "{}"), "{name}");
    }
}

#[test]
fn parameters_other_than_the_defaults_round_trip() {
    let cases = [
        (
            "worker",
            r#"{"work": "5ms", "trap_exit": true, "terminate": "2s", "init": "crash", "init_time": "250us", "fail_on_start": [3, 1, 3], "fail_reason": "{shutdown, db_down}"}"#,
        ),
        ("worker", r#"{"fail_on_start": 2, "init": "ignore"}"#),
        ("counter", r#"{"initial": -42}"#),
        ("cache", r#"{"ttl": "1.5s", "cleanup_every": 0}"#),
        ("session", r#"{"idle_timeout": 250}"#),
        ("rate_limiter", r#"{"max_requests": 3, "window": "1m"}"#),
        (
            "flaky",
            r#"{"latency": {"dist": "uniform", "min": "1ms", "max": "3ms"}, "error_rate": 0.125}"#,
        ),
        (
            "flaky",
            r#"{"latency": {"dist": "exponential", "mean": "20ms"}, "error_rate": 1}"#,
        ),
        (
            "load_client",
            r#"{"target": {"registry": "root/reg", "key": "{user, 7}"}, "mode": "closed", "concurrency": 4, "think": "1s", "request": "{get, '$key'}", "keys": 100, "call_timeout": "250ms", "start_after": "1s", "stop_after": "1m"}"#,
        ),
        (
            "load_client",
            r#"{"target": "root/pool", "rate": 0.5, "arrivals": "poisson", "max_in_flight": 3, "op": "checkout", "hold": "20ms"}"#,
        ),
        (
            "buffered_writer",
            r#"{"flush_every": 0, "batch": 7, "terminate_flush": "2s", "flush_on_crash": false}"#,
        ),
        ("settings", "{}"),
    ];
    for (name, params) in cases {
        round_trips(&spec(name, params));
    }
    let w = spec("worker", r#"{"fail_on_start": [3, 1, 3]}"#);
    assert_eq!(
        w.model.params_json()["fail_on_start"],
        serde_json::json!([1, 3])
    );
}

#[test]
fn bad_parameters_are_reported_at_their_position_with_a_suggestion() {
    let cases = [
        (
            "{\"model\": \"worker\",\n \"params\": {\"wrok\": \"5ms\"}}",
            "t.json:2:13: at $.params.wrok: unknown field `wrok`; did you mean `work`?",
        ),
        (
            r#"{"model": "worker", "params": {"trap_exit": "yes"}}"#,
            "t.json:1:45: at $.params.trap_exit: found the string \"yes\" (expected `true` or `false`)",
        ),
        (
            r#"{"model": "worker", "params": {"init": "crsh"}}"#,
            "t.json:1:40: at $.params.init: unknown init `crsh`; did you mean `crash`?",
        ),
        (
            r#"{"model": "worker", "params": {"fail_on_start": 0}}"#,
            "t.json:1:49: at $.params.fail_on_start: 0 is too small (expected at least 1)",
        ),
        (
            r#"{"model": "worker", "params": {"fail_reason": "{a,"}}"#,
            "t.json:1:47: at $.params.fail_reason: invalid term at byte 3",
        ),
        (
            r#"{"model": "flaky", "params": {"error_rate": 1.5}}"#,
            "t.json:1:45: at $.params.error_rate: 1.5 is out of range (expected a probability from 0 to 1)",
        ),
        (
            r#"{"model": "flaky", "params": {"latency": "-5ms"}}"#,
            "t.json:1:42: at $.params.latency: negative duration `-5ms`",
        ),
        (
            r#"{"model": "cache", "params": {"ttl": "800h"}}"#,
            "t.json:1:38: at $.params.ttl: duration is too long (expected at most 720h (30 days))",
        ),
        (
            r#"{"model": "session", "params": {"idle_timeout": "1500us"}}"#,
            "t.json:1:49: at $.params.idle_timeout: duration is not a positive whole number of milliseconds",
        ),
        (
            r#"{"model": "rate_limiter", "params": {"max_requests": 0}}"#,
            "t.json:1:54: at $.params.max_requests: 0 is too small (expected at least 1)",
        ),
        (
            r#"{"model": "buffered_writer", "params": {"batch": 10000000}}"#,
            "t.json:1:50: at $.params.batch: 10000000 is too large (expected at most 1000000)",
        ),
        (
            r#"{"model": "counter", "params": {"initial": 1.5}}"#,
            "t.json:1:44: at $.params.initial: found the non-integer 1.5",
        ),
        (
            r#"{"model": "settings", "params": {"x": 1}}"#,
            "t.json:1:34: at $.params.x: unknown field `x`",
        ),
        (
            r#"{"model": "load_client", "params": {"mode": "closed"}}"#,
            "t.json:1:36: at $.params: missing field `target`",
        ),
        (
            r#"{"model": "load_client", "params": {"target": "a", "mode": "closed", "rate": 5}}"#,
            "t.json:1:78: at $.params.rate: `rate` does not apply to mode `closed`",
        ),
        (
            r#"{"model": "load_client", "params": {"target": "a", "hold": "1s"}}"#,
            "t.json:1:60: at $.params.hold: `hold` does not apply to op `call`",
        ),
        (
            r#"{"model": "load_client", "params": {"target": "a", "mode": "closed", "think": 0}}"#,
            "t.json:1:79: at $.params.think: a closed-loop client needs a pause",
        ),
        (
            r#"{"model": "load_client", "params": {"target": "a", "rate": 0}}"#,
            "t.json:1:60: at $.params.rate: 0 is out of range",
        ),
        (
            r#"{"model": "load_client", "params": {"target": "a", "start_after": "2s", "stop_after": "1s"}}"#,
            "t.json:1:87: at $.params.stop_after: `stop_after` is not after `start_after`",
        ),
        (
            r#"{"model": "load_client", "params": {"target": {"registry": "r", "kee": "k"}}}"#,
            "t.json:1:65: at $.params.target.kee: unknown field `kee`; did you mean `key`?",
        ),
    ];
    for (text, want) in cases {
        let err = parse_error(text);
        assert!(
            err.starts_with(want),
            "for {text}\n got: {err}\nwant: {want}"
        );
    }
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let err =
        parse_error(r#"{"model": "worker", "params": {"work": -1, "terminate": "x", "extra": 1}}"#);
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn a_load_client_without_params_is_an_error() {
    let doc = Document::parse("t.json", r#"{"model": "load_client"}"#).unwrap();
    let o = doc.reader().expect_object().unwrap();
    let err = ModelSpec::parse(&o.required("model").unwrap(), None).unwrap_err();
    assert!(
        err.to_string().contains("needs `params` with a `target`"),
        "{err}"
    );
}
