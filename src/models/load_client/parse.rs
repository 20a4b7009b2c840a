//! Reading a load client's parameters, and their schema.

use super::{Mode, Op, Params, TargetSpec};
use crate::kernel::{ms, secs};
use crate::models::params::{self, read_term, Params as Fields};
use crate::models::Model;
use crate::scenario::json::{Diagnostic, LoadError, Reader};
use crate::term::atom;
use serde_json::{json, Value};
use std::rc::Rc;

const FIELDS: &[&str] = &[
    "target",
    "mode",
    "rate",
    "arrivals",
    "max_in_flight",
    "concurrency",
    "think",
    "op",
    "request",
    "keys",
    "hold",
    "call_timeout",
    "start_after",
    "stop_after",
];
const OPEN_ONLY: &[&str] = &["rate", "arrivals", "max_in_flight"];
const CLOSED_ONLY: &[&str] = &["concurrency", "think"];
const CALL_ONLY: &[&str] = &["request", "keys"];
const CHECKOUT_ONLY: &[&str] = &["hold"];

fn read_target(r: &Reader<'_>) -> Result<TargetSpec, LoadError> {
    if let Ok(path) = r.expect_str() {
        if path.is_empty() {
            return Err(r.error_expected("empty target", "a path such as \"root/db\""));
        }
        return Ok(TargetSpec::Path(path.to_string()));
    }
    let o = r.expect_object().map_err(|_| {
        r.wrong_type("a path such as \"root/db\", or {\"registry\": PATH, \"key\": TERM}")
    })?;
    o.deny_unknown_fields(&["registry", "key"])?;
    let registry = o.required("registry")?.expect_str()?.to_string();
    let key = read_term(&o.required("key")?)?;
    Ok(TargetSpec::Registry { registry, key })
}

/// Reads the `"params"` object.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let mut p = Fields::open(params, FIELDS);
    let target = match p.field("target") {
        Some(_) => p.read("target", None, |r| read_target(r).map(Some)),
        None => {
            if let Some(Err(missing)) = params
                .and_then(|r| r.expect_object().ok())
                .map(|o| o.required("target"))
            {
                p.push(missing);
            }
            None
        }
    };
    let mode_name = p.choice("mode", &["open", "closed"], "open");
    let op_name = p.choice("op", &["call", "checkout"], "call");
    let mut not_here: Vec<&str> = Vec::new();
    not_here.extend(if mode_name == "open" {
        CLOSED_ONLY
    } else {
        OPEN_ONLY
    });
    not_here.extend(if op_name == "call" {
        CHECKOUT_ONLY
    } else {
        CALL_ONLY
    });
    for key in not_here {
        if let Some(r) = p.field(key) {
            let which = if OPEN_ONLY.contains(&key) || CLOSED_ONLY.contains(&key) {
                format!("mode `{mode_name}`")
            } else {
                format!("op `{op_name}`")
            };
            p.push(r.error(format!("`{key}` does not apply to {which}")));
        }
    }
    let mode = if mode_name == "open" {
        Mode::Open {
            rate: p.read("rate", 10.0, read_rate),
            poisson: p.choice("arrivals", &["fixed", "poisson"], "fixed") == "poisson",
            max_in_flight: p.size("max_in_flight", 1_000, 1, 1_000_000),
        }
    } else {
        Mode::Closed {
            concurrency: p.size("concurrency", 1, 1, 100_000),
            think_us: p.read("think", ms(100), read_think),
        }
    };
    let op = if op_name == "call" {
        Op::Call {
            request: p.term("request", atom("ping")),
            keys: p.size("keys", 1, 1, 1_000_000_000),
        }
    } else {
        Op::Checkout {
            hold_us: p.duration_us("hold", ms(10)),
        }
    };
    let call_timeout_us = p.whole_ms("call_timeout", secs(5));
    let start_after_us = p.duration_us("start_after", 0);
    let stop_after_us = p.opt_duration_us("stop_after");
    if let (Some(stop), Some(r)) = (stop_after_us, p.field("stop_after")) {
        if stop <= start_after_us {
            p.push(r.error_expected(
                "`stop_after` is not after `start_after`",
                "stop_after > start_after",
            ));
        }
    }
    let parsed = target.map(|target| Params {
        target,
        mode,
        op,
        call_timeout_us,
        start_after_us,
        stop_after_us,
    });
    match (p.finish(()), parsed) {
        (Err(e), _) => Err(e),
        (Ok(()), Some(parsed)) => Ok(Rc::new(parsed) as Rc<dyn Model>),
        // No params at all, so no position to point at: the loader's caller knows the
        // node and the file.
        (Ok(()), None) => Err(LoadError::from(Diagnostic::new(
            "",
            "model `load_client` needs `params` with a `target`",
        ))),
    }
}

fn read_rate(r: &Reader<'_>) -> Result<f64, LoadError> {
    let rate = r.expect_f64()?;
    if rate <= 0.0 || rate > 1_000_000.0 {
        return Err(r.error_expected(
            format!("{rate} is out of range"),
            "a rate above 0, at most 1000000 per second",
        ));
    }
    Ok(rate)
}

fn read_think(r: &Reader<'_>) -> Result<u64, LoadError> {
    let us = params::read_duration_us(r)?;
    if us == 0 {
        // A zero pause against a dead target would loop at one instant for ever.
        return Err(r.error_expected("a closed-loop client needs a pause", "a duration above 0"));
    }
    Ok(us)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let d = params::duration_schema;
    let n = |kind: &str, desc: &str, default: Value, min: Value, max: Value| {
        params::number_schema(kind, desc, default, min, max)
    };
    let mut s = params::object_schema(vec![
        (
            "target",
            json!({"description": "the server: a tree path, or {\"registry\": PATH, \"key\": TERM}",
            "oneOf": [{"type": "string", "minLength": 1},
                      {"type": "object", "additionalProperties": false, "required": ["registry", "key"],
                       "properties": {"registry": {"type": "string"}, "key": {"type": "string"}}}]}),
        ),
        (
            "mode",
            json!({"enum": ["open", "closed"], "default": "open", "description": "open loop (a rate) or closed loop (callers)"}),
        ),
        (
            "rate",
            n(
                "number",
                "open: requests per second",
                json!(10),
                json!(0),
                json!(1_000_000),
            ),
        ),
        (
            "arrivals",
            json!({"enum": ["fixed", "poisson"], "default": "fixed", "description": "open: inter-arrival times"}),
        ),
        (
            "max_in_flight",
            n(
                "integer",
                "open: outstanding requests at most",
                json!(1000),
                json!(1),
                json!(1_000_000),
            ),
        ),
        (
            "concurrency",
            n(
                "integer",
                "closed: callers",
                json!(1),
                json!(1),
                json!(100_000),
            ),
        ),
        (
            "think",
            d("closed: pause after each call (above 0)", Some(ms(100))),
        ),
        (
            "op",
            json!({"enum": ["call", "checkout"], "default": "call", "description": "a call, or a pool checkout/checkin"}),
        ),
        (
            "request",
            params::term_schema(
                "call: the request; '$key' atoms are replaced by a key",
                &atom("ping"),
            ),
        ),
        (
            "keys",
            n(
                "integer",
                "call: keys drawn for '$key'",
                json!(1),
                json!(1),
                json!(1_000_000_000),
            ),
        ),
        (
            "hold",
            d("checkout: how long a worker is held", Some(ms(10))),
        ),
        (
            "call_timeout",
            d("the call timeout (whole milliseconds)", Some(secs(5))),
        ),
        ("start_after", d("delay before the first request", Some(0))),
        (
            "stop_after",
            d(
                "time after start from which no request is sent (default: never)",
                None,
            ),
        ),
    ]);
    s["required"] = json!(["target"]);
    s
}
