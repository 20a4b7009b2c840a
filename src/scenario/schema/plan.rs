//! Schema definitions of faults, targets, phases, swarm bounds and expectations.

use super::{d, dd, obj, r};
use serde_json::{json, Map, Value};

/// Adds `fault`, `target`, `phase`, `swarm_bound`, `expectation`, `state_cond` and
/// `at_end_cond`.
pub(super) fn add_defs(defs: &mut Map<String, Value>) {
    defs.insert("target".into(), target());
    defs.insert("fault".into(), fault());
    defs.insert("phase".into(), phase());
    defs.insert("swarm_bound".into(), swarm_bound());
    defs.insert("state_cond".into(), state_cond());
    defs.insert("at_end_cond".into(), at_end_cond());
    defs.insert("expectation".into(), expectation());
}

fn target() -> Value {
    json!({
        "description": "Whom a fault hits: a node's path (or `D/<id>` for a child that a dynamic or task supervisor node `D` started at run time), or a key of a unique registry.",
        "oneOf": [
            r("path"),
            obj(vec![
                ("registry", d("The path of a registry node with unique keys.", r("path"))),
                ("key", d("The key, as term text.", r("term"))),
            ], &["registry", "key"])
        ]
    })
}

fn fraction(description: &str, default: f64) -> Value {
    dd(
        description,
        json!({"type": "number", "minimum": 0, "maximum": 1}),
        json!(default),
    )
}

/// The fields of each action, as schema properties.
fn action_fields(action: &str) -> Vec<(&'static str, Value)> {
    let for_ = || ("for", d("How long it lasts (more than 0).", r("duration")));
    match action {
        "exit" => vec![(
            "reason",
            dd(
                "The exit reason, as term text (`kill`, `shutdown`, `{shutdown, x}`...).",
                r("term"),
                json!("kill"),
            ),
        )],
        "crash" => vec![(
            "reason",
            dd(
                "The reason the process fails with, from inside.",
                r("term"),
                json!("crashed"),
            ),
        )],
        "degrade" => vec![
            (
                "error_rate",
                fraction("The probability that a request fails.", 1.0),
            ),
            (
                "latency",
                dd("Extra latency per request.", r("duration"), json!(0)),
            ),
            for_(),
        ],
        "drop_messages" => vec![
            (
                "probability",
                fraction(
                    "The probability that a message to the target is dropped.",
                    1.0,
                ),
            ),
            for_(),
        ],
        "delay_messages" => vec![
            (
                "delay",
                d(
                    "How late each message to the target arrives (more than 0).",
                    r("duration"),
                ),
            ),
            for_(),
        ],
        "pause" => vec![for_()],
        "upgrade" => vec![(
            "to_version",
            d(
                "A version the target's model can be upgraded to.",
                json!({"type": "integer", "minimum": 1, "maximum": u32::MAX}),
            ),
        )],
        "start_child" => vec![("child", d("The child to add, given whole.", r("node")))],
        _ => vec![(
            "child",
            d("The id of a child of the target supervisor.", r("id")),
        )],
    }
}

const ACTIONS: &[(&str, &str)] = &[
    ("exit", "exit(Pid, Reason) from outside."),
    ("crash", "The process fails from inside with a reason."),
    (
        "degrade",
        "A dependency fails requests or slows down for a while.",
    ),
    (
        "drop_messages",
        "Messages to the target are dropped for a while.",
    ),
    (
        "delay_messages",
        "Messages to the target arrive late for a while.",
    ),
    ("pause", "The process is suspended, then resumed."),
    ("upgrade", "The process's model is upgraded (code_change)."),
    (
        "terminate_child",
        "supervisor:terminate_child(Target, Child).",
    ),
    ("restart_child", "supervisor:restart_child(Target, Child)."),
    ("delete_child", "supervisor:delete_child(Target, Child)."),
    ("start_child", "supervisor:start_child(Target, Spec)."),
];

fn fault() -> Value {
    let mut variants = Vec::new();
    for (action, what) in ACTIONS {
        let mut p = vec![
            ("at", d("When, before the end of the run.", r("duration"))),
            ("target", d("Whom it hits.", r("target"))),
            ("action", d(what, json!({"const": action}))),
        ];
        p.extend(action_fields(action));
        let mut required = vec!["at", "target", "action"];
        required.extend(
            p.iter()
                .filter(|(k, v)| {
                    v.get("default").is_none() && !["at", "target", "action"].contains(k)
                })
                .map(|(k, _)| *k),
        );
        variants.push(d(
            &format!("A scheduled `{action}` fault."),
            obj(p, &required),
        ));
    }
    for action in ["crash", "exit", "degrade"] {
        let mut p = vec![
            (
                "random",
                d("What each failure does.", json!({"const": action})),
            ),
            (
                "targets",
                d(
                    "Which nodes: path patterns, each failing on its own.",
                    json!({"type": "array", "items": r("pattern"), "minItems": 1}),
                ),
            ),
            (
                "mtbf",
                d(
                    "Mean time between failures per target (more than 0).",
                    r("duration"),
                ),
            ),
        ];
        p.extend(action_fields(action));
        let mut required = vec!["random", "targets", "mtbf"];
        if action == "degrade" {
            required.push("for");
        }
        variants.push(d(
            &format!("Random `{action}` faults: a Poisson process per matched target, during fault phases."),
            obj(p, &required),
        ));
    }
    json!({"description": "A fault: scheduled (`at`, `target`, `action`) or random (`random`, `targets`, `mtbf`).", "oneOf": variants})
}

fn phase() -> Value {
    d(
        "A named window of the run.",
        obj(
            vec![
                (
                    "name",
                    d(
                        "Unique among phases.",
                        json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}),
                    ),
                ),
                ("from", d("Start, inclusive.", r("duration"))),
                (
                    "until",
                    d("End, exclusive; at most the duration.", r("duration")),
                ),
                (
                    "faults",
                    dd(
                        "Random faults fire in this phase.",
                        json!({"type": "boolean"}),
                        json!(true),
                    ),
                ),
            ],
            &["name", "from", "until"],
        ),
    )
}

fn swarm_bound() -> Value {
    d(
        "The range `explore --swarm` draws a random fault's mtbf from.",
        obj(
            vec![
                (
                    "fault",
                    d(
                        "The index of a random fault in `faults`.",
                        json!({"type": "integer", "minimum": 0}),
                    ),
                ),
                (
                    "mtbf",
                    d(
                        "[min, max], min <= max.",
                        json!({"type": "array", "items": r("duration"), "minItems": 2, "maxItems": 2}),
                    ),
                ),
            ],
            &["fault", "mtbf"],
        ),
    )
}

fn state_cond() -> Value {
    json!({
        "description": "A condition on the state at an instant.",
        "oneOf": [
            obj(vec![("alive", d("A process runs at this path.", r("path")))], &["alive"]),
            obj(vec![
                ("breaker", d("The path of a circuit_breaker model.", r("path"))),
                ("state", d("The breaker's state.", json!({"enum": ["closed", "open", "half_open"]}))),
            ], &["breaker", "state"])
        ]
    })
}

fn at_end_cond() -> Value {
    json!({
        "description": "A condition on the state at the end of the run.",
        "oneOf": [
            obj(vec![("alive", d("A process runs at this path.", r("path")))], &["alive"]),
            obj(vec![("dead", d("No process runs at this path.", r("path")))], &["dead"]),
            obj(vec![
                ("children", d("The path of a supervisor.", r("path"))),
                ("count", d("How many live children it has.", json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}))),
            ], &["children", "count"])
        ]
    })
}

fn window(by: bool) -> Vec<(&'static str, Value)> {
    let mut w = vec![
        (
            "from",
            dd("Start of the window, inclusive.", r("duration"), json!(0)),
        ),
        (
            "until",
            d(
                "End of the window, exclusive; by default the end of the run.",
                r("duration"),
            ),
        ),
        (
            "during",
            d(
                "The window is this phase (not with from/until).",
                json!({"type": "string"}),
            ),
        ),
    ];
    if by {
        w.push(("by", d("The deadline (same as `until`).", r("duration"))));
    }
    w
}

fn count_bound(description: &str) -> Value {
    d(description, json!({"type": "integer", "minimum": 0}))
}

fn expectation() -> Value {
    let name = || {
        (
            "name",
            d(
                "How reports name it; by default generated from the check (`never alive root/x`).",
                json!({"type": "string", "minLength": 1, "maxLength": 200}),
            ),
        )
    };
    let mut variants = Vec::new();
    for (check, what) in [
        (
            "always",
            "The condition holds at every event in the window.",
        ),
        ("never", "The condition holds at no event in the window."),
        (
            "sometimes",
            "The condition holds at some event in the window.",
        ),
        (
            "eventually",
            "The condition comes to hold in the window and still holds at its end.",
        ),
    ] {
        let mut p = vec![name(), (check, d(what, r("state_cond")))];
        p.extend(window(check == "eventually"));
        variants.push(obj(p, &[check]));
    }
    let mut p = vec![
        name(),
        (
            "count",
            d(
                "What to count.",
                json!({"enum": ["crash", "restart", "escalation", "killed_over_budget", "breaker_open", "fault", "model_event"]}),
            ),
        ),
        ("of", d("Where: a path or pattern.", r("pattern"))),
        (
            "what",
            d(
                "For `model_event` only: the model event to count (`expired`, `overflow`, ...).",
                json!({"type": "string", "pattern": "^[a-z0-9_]{1,64}$"}),
            ),
        ),
        ("at_least", count_bound("At least this many.")),
        ("at_most", count_bound("At most this many.")),
        (
            "equals",
            count_bound("Exactly this many (not with at_least/at_most)."),
        ),
    ];
    p.extend(window(false));
    variants.push(obj(p, &["count", "of"]));
    variants.push(obj(
        vec![
            name(),
            ("calls", d("A client id from `workload`.", r("id"))),
            (
                "min_success_ratio",
                d(
                    "Lowest acceptable ok / total.",
                    json!({"type": "number", "minimum": 0, "maximum": 1}),
                ),
            ),
            ("max_timeouts", count_bound("Most acceptable timeouts.")),
            ("max_errors", count_bound("Most acceptable errors.")),
            ("min_calls", count_bound("Fewest calls made.")),
        ],
        &["calls"],
    ));
    variants.push(obj(
        vec![
            name(),
            (
                "at_end",
                d("The state at the end of the run.", r("at_end_cond")),
            ),
        ],
        &["at_end"],
    ));
    variants.push(obj(
        vec![
            name(),
            (
                "nothing_lost",
                d("Every call answered or timed out; every accepted item flushed or reported lost.", json!({"const": true})),
            ),
        ],
        &["nothing_lost"],
    ));
    json!({"description": "What must hold: one check per expectation.", "oneOf": variants})
}
