//! The scenario format as a JSON Schema (draft 2020-12), for `otpsim schema`: editors
//! validate and complete scenario files with it. Each model's `"params"` schema comes
//! from the catalogue, chosen by an `if`/`then` on `"model"`.
//!
//! The schema checks shape (field names, types, enums, ranges); the loader checks the
//! rest (paths that exist, times within the run, unique ids), so a file the schema
//! accepts may still be rejected, with a precise message, by `otpsim check`.

mod nodes;
mod plan;

use serde_json::{json, Map, Value};

/// The schema of the whole format.
///
/// ```
/// let s = otpsim::scenario::schema::json_schema();
/// assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
/// assert_eq!(s["required"], serde_json::json!(["otpsim", "name", "duration", "app"]));
/// ```
pub fn json_schema() -> Value {
    let mut defs = Map::new();
    defs.insert("duration".into(), duration());
    defs.insert("term".into(), term());
    defs.insert("id".into(), id());
    defs.insert("path".into(), path());
    defs.insert("pattern".into(), pattern());
    nodes::add_defs(&mut defs);
    plan::add_defs(&mut defs);
    let limits = crate::scenario::spec::ScenarioLimits::default();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:otpsim:scenario:1",
        "title": "otpsim scenario",
        "description": "A scenario for otpsim: an application's supervision tree of built-in models, its load, its faults and what must hold. See docs/scenario-format.md.",
        "type": "object",
        "additionalProperties": false,
        "required": ["otpsim", "name", "duration", "app"],
        "properties": {
            "otpsim": {"description": "The format version.", "const": crate::scenario::spec::FORMAT_VERSION},
            "name": d("A short identifier.", json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"})),
            "description": dd("What the scenario shows, for people.", json!({"type": "string"}), json!("")),
            "seed": dd("The seed `run` uses when none is given.", json!({"type": "integer", "minimum": 0}), json!(1)),
            "duration": d("How much virtual time a run covers: more than 0, at most 24h.", r("duration")),
            "limits": dd("The run's bounds; hitting one ends the run with a named outcome.", obj(vec![
                ("max_events", dd("Events in the whole run.", int(1, 1_000_000_000), json!(limits.max_events))),
                ("max_events_per_instant", dd("Events at one virtual instant (livelock guard).", int(1, 1_000_000_000), json!(limits.max_events_per_instant))),
                ("max_processes", dd("Processes alive at once.", int(1, 10_000_000), json!(limits.max_processes))),
                ("max_mailbox_len", dd("Messages waiting in one mailbox.", int(1, 10_000_000), json!(limits.max_mailbox_len))),
            ], &[]), json!({})),
            "app": d("The application: its environment and its supervision tree.", obj(vec![
                ("name", d("The application's name; by default the scenario's name.", json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}))),
                ("type", dd("The application's restart type.", json!({"enum": ["temporary", "transient", "permanent"]}), json!("temporary"))),
                ("env", dd("The environment (Application.get_env): integers, booleans, strings (binaries), null (nil), arrays (lists) and objects (keyword lists).", json!({"type": "object", "additionalProperties": r("env_value")}), json!({}))),
                ("stop_at", d("Stop the application at this time (graceful shutdown); before the end of the run.", r("duration"))),
                ("root", d("The root supervisor: a supervisor, dynamic, partition or task supervisor.", r("root_node"))),
            ], &["root"])),
            "workload": dd("Load clients, started after the application, in order.", json!({"type": "array", "items": r("client")}), json!([])),
            "faults": dd("Scheduled and random faults.", json!({"type": "array", "items": r("fault")}), json!([])),
            "phases": dd("Named windows of the run that do not overlap; random faults fire only in phases with faults on (everywhere when there are no phases).", json!({"type": "array", "items": r("phase")}), json!([])),
            "swarm": dd("Bounds on random fault rates that `explore --swarm` draws from.", json!({"type": "array", "items": r("swarm_bound")}), json!([])),
            "buggify": d("Switches the models' BUGGIFY injection points on: each site is on for the run with probability `enable`, then fires with probability `fire` each time it is reached, only where random faults may fire.", obj(vec![
                ("enable", dd("The probability that a site is switched on for the run.", json!({"type": "number", "minimum": 0, "maximum": 1}), json!(0.25))),
                ("fire", dd("The probability that a switched-on site fires each time it is reached.", json!({"type": "number", "minimum": 0, "maximum": 1}), json!(0.25))),
            ], &[])),
            "expect": dd("What must hold, evaluated over the trace.", json!({"type": "array", "items": r("expectation")}), json!([])),
        },
        "$defs": Value::Object(defs),
    })
}

/// `schema` with a description.
pub(super) fn d(description: &str, schema: Value) -> Value {
    let mut s = schema;
    if let Value::Object(m) = &mut s {
        m.insert("description".into(), json!(description));
    } else {
        s = json!({"description": description, "allOf": [s]});
    }
    s
}

/// `schema` with a description and a default.
pub(super) fn dd(description: &str, schema: Value, default: Value) -> Value {
    let mut s = d(description, schema);
    s["default"] = default;
    s
}

/// A reference to a definition.
pub(super) fn r(name: &str) -> Value {
    json!({"$ref": format!("#/$defs/{name}")})
}

/// An integer from `min` to `max`.
pub(super) fn int(min: u64, max: u64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

/// A closed object: exactly these properties, `required` among them.
pub(super) fn obj(props: Vec<(&str, Value)>, required: &[&str]) -> Value {
    let props: Map<String, Value> = props.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    json!({"type": "object", "additionalProperties": false, "required": required, "properties": props})
}

fn duration() -> Value {
    json!({
        "description": "A duration: an integer number of milliseconds, or a string with a unit (us, ms, s, m, h) such as \"250us\", \"150ms\", \"1.5s\", \"2m\", \"1h\"; fractions must come out in whole microseconds.",
        "oneOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(us|\u{b5}s|\u{3bc}s|ms|s|m|h)$"}
        ]
    })
}

fn term() -> Value {
    json!({"description": "An Erlang term, as text: `kill`, `normal`, `{shutdown, db_down}`, `<<\"bin\">>`, `[1, 2]`.", "type": "string"})
}

fn id() -> Value {
    json!({"description": "An id: 1 to 64 letters, digits, `_`, `.` or `-`.", "type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"})
}

fn path() -> Value {
    json!({"description": "A node's path: the ids from the root down, joined by `/` (`root/db/conn1`); a partition is `P/<index>`.", "type": "string", "pattern": "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"})
}

fn pattern() -> Value {
    json!({"description": "A path pattern: a `*` segment matches any one id, a trailing `/**` the node and everything under it. It must match a node (or be `P/*` under a dynamic or task supervisor `P`, which also matches the children `P` starts at run time).", "type": "string", "pattern": "^(\\*\\*|([A-Za-z0-9_.-]+|\\*)(/([A-Za-z0-9_.-]+|\\*))*(/\\*\\*)?)$"})
}
