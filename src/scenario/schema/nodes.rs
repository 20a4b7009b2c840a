//! Schema definitions of tree nodes, model parameters, clients and the environment.

use super::{d, dd, int, obj, r};
use crate::models::catalog::CATALOG;
use serde_json::{json, Map, Value};

const INTENSITY_MAX: u64 = 1_000_000;

/// Adds `node`, `root_node`, each node kind, `model_node`, `partition_child`,
/// `client` and `env_value`.
pub(super) fn add_defs(defs: &mut Map<String, Value>) {
    let kinds = [
        ("supervisor_node", supervisor()),
        ("dynamic_supervisor_node", dynamic_supervisor()),
        ("task_supervisor_node", task_supervisor()),
        ("partition_supervisor_node", partition_supervisor()),
        ("registry_node", registry()),
        ("model_node", model_node(true)),
        ("partition_child", model_node(false)),
    ];
    for (name, schema) in kinds {
        defs.insert(name.into(), schema);
    }
    defs.insert(
        "node".into(),
        json!({
            "description": "A node of the tree: a model leaf (`model`) or a supervisor or registry (`type`).",
            "oneOf": [r("model_node"), r("supervisor_node"), r("dynamic_supervisor_node"),
                      r("task_supervisor_node"), r("partition_supervisor_node"), r("registry_node")]
        }),
    );
    defs.insert(
        "root_node".into(),
        json!({
            "description": "The root: a supervisor of any kind (not a model or a registry).",
            "oneOf": [r("supervisor_node"), r("dynamic_supervisor_node"),
                      r("task_supervisor_node"), r("partition_supervisor_node")]
        }),
    );
    defs.insert("client".into(), client());
    defs.insert(
        "env_value".into(),
        json!({
            "description": "An environment value: an integer, a boolean (atom), a string (binary), null (nil), an array (list) or an object (keyword list).",
            "type": ["integer", "boolean", "string", "null", "array", "object"],
            "items": r("env_value"),
            "additionalProperties": r("env_value")
        }),
    );
}

/// The fields every node has; `shutdown_default` is the kind's.
fn common(id_required: bool, shutdown_default: &str) -> Vec<(&'static str, Value)> {
    let id = d(
        if id_required {
            "The child id, unique among its siblings; the last segment of the node's path."
        } else {
            "Optional and unused in paths (partitions are `P/0`, `P/1`, ...); by default the model's name."
        },
        r("id"),
    );
    vec![
        ("id", id),
        (
            "restart",
            dd(
                "When the parent restarts it: always, after an abnormal exit, or never.",
                json!({"enum": ["permanent", "transient", "temporary"]}),
                json!("permanent"),
            ),
        ),
        (
            "shutdown",
            dd(
                "The shutdown budget: killed at once, waited for without limit, or killed after this long.",
                json!({"anyOf": [{"enum": ["brutal_kill", "infinity"]}, r("duration")]}),
                json!(shutdown_default),
            ),
        ),
        (
            "significant",
            dd(
                "A significant child (auto_shutdown): only under a supervisor whose auto_shutdown is not never, and never permanent.",
                json!({"type": "boolean"}),
                json!(false),
            ),
        ),
    ]
}

fn type_const(name: &str) -> (&'static str, Value) {
    ("type", d("The node's type.", json!({"const": name})))
}

fn intensity() -> Vec<(&'static str, Value)> {
    vec![
        (
            "max_restarts",
            dd(
                "Restarts allowed in any max_seconds window.",
                int(0, INTENSITY_MAX),
                json!(3),
            ),
        ),
        (
            "max_seconds",
            dd(
                "The intensity window, in seconds.",
                int(1, INTENSITY_MAX),
                json!(5),
            ),
        ),
    ]
}

fn strategy() -> (&'static str, Value) {
    (
        "strategy",
        dd(
            "Which children restart when one fails.",
            json!({"enum": ["one_for_one", "one_for_all", "rest_for_one"]}),
            json!("one_for_one"),
        ),
    )
}

fn max_children() -> (&'static str, Value) {
    (
        "max_children",
        dd(
            "The most children at once.",
            json!({"anyOf": [int(1, 10_000_000), {"const": "infinity"}]}),
            json!("infinity"),
        ),
    )
}

fn partitions(required: bool) -> (&'static str, Value) {
    let s = int(1, 1024);
    let s = if required {
        d("How many partitions, 1 to 1024.", s)
    } else {
        dd("How many partitions, 1 to 1024.", s, json!(1))
    };
    ("partitions", s)
}

fn supervisor() -> Value {
    let mut p = common(true, "infinity");
    p.push(type_const("supervisor"));
    p.push(strategy());
    p.extend(intensity());
    p.push((
        "auto_shutdown",
        dd(
            "Whether significant children's exits stop the supervisor.",
            json!({"enum": ["never", "any_significant", "all_significant"]}),
            json!("never"),
        ),
    ));
    p.push((
        "children",
        d(
            "The children, in start order (may be empty).",
            json!({"type": "array", "items": r("node"), "maxItems": 100_000}),
        ),
    ));
    d(
        "A Supervisor with static children.",
        obj(p, &["id", "type", "children"]),
    )
}

fn dynamic_supervisor() -> Value {
    let mut p = common(true, "infinity");
    p.push(type_const("dynamic_supervisor"));
    p.extend(intensity());
    p.push(max_children());
    p.push((
        "children",
        dd(
            "Models started (in order) right after the supervisor, at `path/id`.",
            json!({"type": "array", "items": r("model_node"), "maxItems": 100_000}),
            json!([]),
        ),
    ));
    d("A DynamicSupervisor.", obj(p, &["id", "type"]))
}

fn task_supervisor() -> Value {
    let mut p = common(true, "infinity");
    p.push(type_const("task_supervisor"));
    p.extend(intensity());
    p.push(max_children());
    d(
        "A Task.Supervisor (models start tasks under it).",
        obj(p, &["id", "type"]),
    )
}

fn partition_supervisor() -> Value {
    let mut p = common(true, "infinity");
    p.push(type_const("partition_supervisor"));
    p.push(partitions(true));
    p.push(strategy());
    p.extend(intensity());
    p.push((
        "child",
        d(
            "The model every partition runs, at `path/0`, `path/1`, ...",
            r("partition_child"),
        ),
    ));
    d(
        "A PartitionSupervisor of copies of one model.",
        obj(p, &["id", "type", "partitions", "child"]),
    )
}

fn registry() -> Value {
    let mut p = common(true, "infinity");
    p.push(type_const("registry"));
    p.push((
        "keys",
        d(
            "One process per key, or many.",
            json!({"enum": ["unique", "duplicate"]}),
        ),
    ));
    p.push(partitions(false));
    d("A Registry.", obj(p, &["id", "type", "keys"]))
}

/// The `model` and `params` fields, and an `if`/`then` per catalogued model choosing
/// its params schema.
fn model_fields() -> (Vec<(&'static str, Value)>, Vec<Value>) {
    let names: Vec<&str> = CATALOG.iter().map(|m| m.name).collect();
    let described: Vec<String> = CATALOG
        .iter()
        .map(|m| format!("{}: {}", m.name, m.summary))
        .collect();
    let fields = vec![
        (
            "model",
            d(
                &format!("A built-in model. {}", described.join("; ")),
                json!({"enum": names}),
            ),
        ),
        (
            "params",
            dd(
                "The model's parameters; each absent one takes its documented default.",
                json!({"type": "object"}),
                json!({}),
            ),
        ),
    ];
    let branches = CATALOG
        .iter()
        .map(|m| {
            json!({
                "if": {"properties": {"model": {"const": m.name}}, "required": ["model"]},
                "then": {"properties": {"params": (m.schema)()}}
            })
        })
        .collect();
    (fields, branches)
}

fn model_node(id_required: bool) -> Value {
    let mut p = common(id_required, "5s");
    let (fields, branches) = model_fields();
    p.extend(fields);
    let required: &[&str] = if id_required {
        &["id", "model"]
    } else {
        &["model"]
    };
    let mut s = d("A built-in model.", obj(p, required));
    s["allOf"] = Value::Array(branches);
    s
}

fn client() -> Value {
    let (mut p, branches) = model_fields();
    p.insert(
        0,
        (
            "id",
            d(
                "The client's id, unique among clients; its label is `workload/<id>`.",
                r("id"),
            ),
        ),
    );
    let mut s = d(
        "A load client: a model started after the application.",
        obj(p, &["id", "model"]),
    );
    s["allOf"] = Value::Array(branches);
    s
}
