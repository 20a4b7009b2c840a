//! Property tests of the scenario loader: any bytes, any JSON and any damage to a good
//! scenario give a scenario or an error, never a panic; generated valid scenarios load
//! and round-trip through `to_json`.

use otpsim::scenario::json::Document;
use otpsim::scenario::load::{load_document, parse_limits};
use otpsim::scenario::load_str;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Loads `text`; on error, every diagnostic names the file and renders.
fn load_checked(text: &str) -> Result<Option<otpsim::scenario::spec::Scenario>, TestCaseError> {
    match load_str("s.json", text) {
        Ok(s) => Ok(Some(s)),
        Err(e) => {
            let _ = e.render(text);
            for d in e.diagnostics() {
                prop_assert!(d.to_string().starts_with("s.json"), "{}", d);
            }
            Ok(None)
        }
    }
}

/// A loaded scenario written back and loaded again is equal to itself.
fn round_trips(s: &otpsim::scenario::spec::Scenario) -> Result<(), TestCaseError> {
    let text = s.to_json().to_string();
    let mut back =
        load_str("back.json", &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    back.file = s.file.clone();
    prop_assert_eq!(&back, s);
    Ok(())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "root",
            "1s",
            "-5s",
            "worker",
            "kill",
            "{a,b}",
            "supervisor",
            "root/w",
            "",
            "*"
        ])
        .prop_map(|s| json!(s)),
        "[a-z_/*0-9]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "otpsim", "name", "duration", "app", "root", "id", "type", "model",
                        "children", "faults", "at", "target", "action", "expect", "phases", "x",
                        "params", "child",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

/// A valid scenario exercising most of the format, for mutation.
fn base() -> Value {
    json!({
        "otpsim": 1, "name": "base", "seed": 9, "duration": "60s",
        "limits": {"max_events": 100000},
        "app": {"env": {"pool": 3, "db": {"host": "h"}}, "root": {"id": "root", "type": "supervisor", "strategy": "one_for_all", "children": [
            {"id": "db", "type": "supervisor", "auto_shutdown": "any_significant", "children": [
                {"id": "conn1", "model": "worker", "params": {"work": "5ms"}},
                {"id": "conn2", "model": "worker", "restart": "transient", "significant": true}]},
            {"id": "reg", "type": "registry", "keys": "unique"},
            {"id": "dyn", "type": "dynamic_supervisor", "max_children": 5, "children": [{"id": "s1", "model": "counter"}]},
            {"id": "parts", "type": "partition_supervisor", "partitions": 2, "child": {"model": "counter"}}
        ]}},
        "workload": [{"id": "users", "model": "load_client", "params": {"target": "root/db/conn1"}}],
        "faults": [
            {"at": "1s", "target": "root/db/conn1", "action": "crash", "reason": "{shutdown, x}"},
            {"at": "2s", "target": "root/db", "action": "terminate_child", "child": "conn2"},
            {"random": "exit", "targets": ["root/db/*"], "mtbf": "10s"}
        ],
        "phases": [{"name": "chaos", "from": 0, "until": "30s"}, {"name": "heal", "from": "30s", "until": "60s", "faults": false}],
        "swarm": [{"fault": 2, "mtbf": ["1s", "20s"]}],
        "expect": [
            {"eventually": {"alive": "root/db/conn1"}, "during": "heal"},
            {"count": "restart", "of": "root/**", "at_most": 50},
            {"calls": "users", "min_success_ratio": 0.5},
            {"at_end": {"children": "root", "count": 4}}
        ]
    })
}

/// Every (object, key) location in `v`, as a list of steps from the root, with whether
/// it lies under `env` (which takes any key).
fn object_fields(v: &Value, at: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, bool)>, in_env: bool) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(Step::Key(k.clone()));
                out.push((at.clone(), in_env));
                object_fields(child, at, out, in_env || k == "env");
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                at.push(Step::Index(i));
                object_fields(child, at, out, in_env);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn at_mut<'v>(v: &'v mut Value, steps: &[Step]) -> &'v mut Value {
    steps.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// A different-typed replacement for `v`.
fn other_type(v: &Value, pick: usize) -> Value {
    let options = [
        json!(null),
        json!(true),
        json!(-7),
        json!(2.5),
        json!("zz"),
        json!([]),
        json!({}),
    ];
    let same = |o: &Value| std::mem::discriminant(o) == std::mem::discriminant(v);
    let choices: Vec<&Value> = options.iter().filter(|o| !same(o)).collect();
    choices[pick % choices.len()].clone()
}

/// A valid scenario: a random tree, faults at its paths, phases and expectations.
fn valid_scenario() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        (0u64..50, any::<bool>()).prop_map(|(work, trap)| json!({"model": "worker", "params": {"work": format!("{work}ms"), "trap_exit": trap}})),
        Just(json!({"model": "counter"})),
        Just(json!({"type": "registry", "keys": "unique", "partitions": 2})),
        Just(json!({"type": "task_supervisor", "max_children": 3})),
    ];
    let tree = leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner, 0..5), 0usize..3, 0u32..10, 1u32..100).prop_map(|(kids, st, r, s)| {
                let strategy = ["one_for_one", "one_for_all", "rest_for_one"][st];
                json!({"type": "supervisor", "strategy": strategy,
                       "max_restarts": r, "max_seconds": s, "children": kids})
            }),
            (1u32..5).prop_map(|n| json!({"type": "partition_supervisor", "partitions": n, "child": {"model": "counter"}})),
            Just(json!({"type": "dynamic_supervisor", "children": [{"id": "d0", "model": "worker"}]})),
        ]
    });
    let restart = prop::sample::select(vec!["permanent", "transient", "temporary"]);
    let shutdown = prop_oneof![
        Just(json!("brutal_kill")),
        Just(json!("infinity")),
        (1u64..10_000).prop_map(|ms| json!(ms))
    ];
    (
        prop::collection::vec((tree, restart, shutdown), 1..5),
        1u64..3_600,
        any::<u64>(),
        prop::collection::vec((any::<prop::sample::Index>(), 0u64..1_000_000, 0usize..6), 0..6),
        prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, 0u64..20), 0..5),
        0u64..4,
    )
        .prop_map(|(kids, duration_s, seed, faults, expects, phase_cuts)| {
            let mut children: Vec<Value> = kids
                .into_iter()
                .map(|(mut n, r, s)| {
                    n["restart"] = json!(r);
                    n["shutdown"] = s;
                    n
                })
                .collect();
            for (i, c) in children.iter_mut().enumerate() {
                name_ids(c, &format!("n{i}"));
            }
            let root = json!({"id": "root", "type": "supervisor", "children": children});
            let mut paths = Vec::new();
            collect_paths(&root, "", &mut paths);
            let duration_ms = duration_s * 1000;
            let faults: Vec<Value> = faults
                .iter()
                .map(|(ix, at, kind)| {
                    let target = &paths[ix.index(paths.len())];
                    let at = format!("{}ms", at % duration_ms);
                    match kind {
                        0 => json!({"at": at, "target": target, "action": "exit", "reason": "shutdown"}),
                        1 => json!({"at": at, "target": target, "action": "crash"}),
                        2 => json!({"at": at, "target": target, "action": "degrade", "error_rate": 0.25, "latency": "3ms", "for": "1s"}),
                        3 => json!({"at": at, "target": target, "action": "pause", "for": "10ms"}),
                        4 => json!({"at": at, "target": target, "action": "delay_messages", "delay": "1ms", "for": "1s"}),
                        _ => json!({"random": "crash", "targets": [format!("{target}/**")], "mtbf": "5s"}),
                    }
                })
                .collect();
            let expect: Vec<Value> = expects
                .iter()
                .enumerate()
                .map(|(i, (ix, kind, n))| {
                    let path = &paths[ix.index(paths.len())];
                    let name = format!("e{i}");
                    match kind {
                        0 => json!({"name": name, "always": {"alive": path}}),
                        1 => json!({"name": name, "never": {"alive": path}, "from": "0ms", "until": format!("{duration_ms}ms")}),
                        2 => json!({"name": name, "count": "crash", "of": path, "at_least": n}),
                        _ => json!({"name": name, "at_end": {"dead": path}}),
                    }
                })
                .collect();
            let cut = duration_ms / 4 * phase_cuts.max(1);
            let phases = if phase_cuts == 0 || cut == 0 || cut >= duration_ms {
                json!([])
            } else {
                json!([{"name": "a", "from": 0, "until": cut}, {"name": "b", "from": cut, "until": duration_ms, "faults": false}])
            };
            json!({"otpsim": 1, "name": "gen", "seed": seed, "duration": format!("{duration_s}s"),
                   "app": {"root": root}, "faults": faults, "phases": phases, "expect": expect})
        })
}

/// Gives the node `v` the id `id` and its children ids under it.
fn name_ids(v: &mut Value, id: &str) {
    v["id"] = json!(id);
    if let Some(kids) = v.get_mut("children").and_then(Value::as_array_mut) {
        for (i, k) in kids.iter_mut().enumerate() {
            name_ids(k, &format!("{id}_{i}"));
        }
    }
}

fn collect_paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    let id = v["id"].as_str().unwrap_or_default();
    let path = if prefix.is_empty() {
        id.to_string()
    } else {
        format!("{prefix}/{id}")
    };
    out.push(path.clone());
    if let Some(kids) = v.get("children").and_then(Value::as_array) {
        for k in kids {
            collect_paths(k, &path, out);
        }
    }
    if let Some(n) = v
        .get("partitions")
        .filter(|_| v.get("child").is_some())
        .and_then(Value::as_u64)
    {
        for i in 0..n {
            out.push(format!("{path}/{i}"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        match Document::from_bytes("s.json", &bytes, parse_limits()) {
            Ok(doc) => {
                if let Err(e) = load_document(&doc) {
                    let _ = doc.render(&e);
                }
            }
            Err(e) => prop_assert!(e.to_string().starts_with("s.json")),
        }
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        load_checked(&v.to_string())?;
        let mut top = base();
        top["app"]["root"]["children"][0] = v;
        load_checked(&top.to_string())?;
    }

    #[test]
    fn mutated_scenarios_never_panic(at in any::<prop::sample::Index>(), how in 0..3u8, pick in 0usize..7) {
        let mut v = base();
        let mut fields = Vec::new();
        object_fields(&v, &mut Vec::new(), &mut fields, false);
        let (steps, in_env) = fields[at.index(fields.len())].clone();
        let (last, parent) = steps.split_last().unwrap();
        let Step::Key(key) = last else { unreachable!() };
        match how {
            0 => {
                at_mut(&mut v, parent).as_object_mut().unwrap().remove(key);
            }
            1 => {
                let old = at_mut(&mut v, &steps).clone();
                *at_mut(&mut v, &steps) = other_type(&old, pick);
            }
            _ => {
                at_mut(&mut v, parent).as_object_mut().unwrap().insert("zzq_unknown".into(), json!(1));
            }
        }
        let loaded = load_checked(&v.to_string())?;
        match (how, loaded) {
            (2, Some(_)) => prop_assert!(in_env, "an unknown key was accepted at {:?}", steps),
            (2, None) if !in_env => {
                let e = load_str("s.json", &v.to_string()).unwrap_err();
                prop_assert!(e.diagnostics().iter().any(|d| d.message.contains("zzq_unknown")), "{}", e);
            }
            (_, Some(s)) => round_trips(&s)?,
            _ => {}
        }
    }

    #[test]
    fn generated_scenarios_load_and_round_trip(v in valid_scenario()) {
        let text = serde_json::to_string_pretty(&v).unwrap();
        let s = load_str("g.json", &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(s.seed, v["seed"].as_u64().unwrap());
        round_trips(&s)?;
    }
}
