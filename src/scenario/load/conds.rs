//! The bodies of expectations: state conditions, counts, call outcomes and the state
//! at the end.

use super::fields::{check_fields, fraction, one_of_list, opt, quoted};
use super::paths::{Entry, Known};
use super::targets::{check_path, describe, read_pattern};
use crate::scenario::json::{Errors, LoadError, ObjectReader, Reader};
use crate::scenario::spec::{Check, ClientSpec, EndCond, EventMatch, NodeKind, StateCond, Window};

/// The model whose state `breaker` conditions read.
pub(super) const BREAKER_MODEL: &str = "circuit_breaker";

/// The states a circuit breaker can be in.
pub(super) const BREAKER_STATES: &[&str] = &["closed", "open", "half_open"];

/// The events a count may count.
pub(super) const COUNTED: &[&str] = &[
    "crash",
    "restart",
    "escalation",
    "killed_over_budget",
    "breaker_open",
    "fault",
    "model_event",
];

fn is_breaker(e: &Entry<'_>) -> bool {
    matches!(&e.node.kind, NodeKind::Model(m) if m.name == BREAKER_MODEL)
}

/// A plain path that must name a node (at any time), when the tree is known.
fn read_path(r: &Reader<'_>, known: Option<&Known<'_>>) -> Result<String, LoadError> {
    let s = r.expect_str()?;
    if let Some(k) = known {
        check_path(r, s, k, None)?;
    }
    Ok(s.to_string())
}

/// `{"alive": PATH}` or `{"breaker": PATH, "state": STATE}`.
pub(super) fn read_state_cond(
    r: &Reader<'_>,
    known: Option<&Known<'_>>,
) -> Result<StateCond, LoadError> {
    let obj = r.expect_object()?;
    if let Some(p) = obj.optional("alive") {
        check_fields(
            &obj,
            &["alive"],
            "an `alive` condition",
            &["breaker", "state"],
        )?;
        return Ok(StateCond::Alive(read_path(&p, known)?));
    }
    if let Some(p) = obj.optional("breaker") {
        check_fields(
            &obj,
            &["breaker", "state"],
            "a `breaker` condition",
            &["alive"],
        )?;
        let path = read_path(&p, known)?;
        if let Some(e) = known.and_then(|k| k.get(&path)) {
            if !is_breaker(e) {
                return Err(p.error_expected(
                    format!(
                        "{} is {}, not a circuit breaker",
                        quoted(&path),
                        describe(e)
                    ),
                    format!("the path of a `{BREAKER_MODEL}` model node"),
                ));
            }
        }
        let state = obj.required("state")?.one_of(BREAKER_STATES)?;
        return Ok(StateCond::BreakerState(path, state.to_string()));
    }
    check_fields(&obj, &["alive", "breaker", "state"], "a condition", &[])?;
    Err(r.error_expected(
        "a condition without `alive` or `breaker`",
        "`{\"alive\": PATH}` or `{\"breaker\": PATH, \"state\": STATE}`",
    ))
}

/// `{"count": WHAT, "of": PATTERN, bounds...}`.
pub(super) fn read_count(
    obj: &ObjectReader<'_>,
    what_at: &Reader<'_>,
    known: Option<&Known<'_>>,
    window: Option<Window>,
    errors: &mut Errors,
) -> Option<Check> {
    let what = errors.check(what_at.one_of(COUNTED));
    let of = errors.check(obj.required("of").and_then(|r| {
        let p = read_pattern(&r, known)?;
        if let (Some("breaker_open"), Some(k)) = (what, known) {
            let found = k.find_match(&p, is_breaker).map_err(|_| {
                r.error_expected(
                    format!("checking {} would compare too many paths", quoted(&p)),
                    "fewer patterns, or a literal prefix such as `root/db/*`",
                )
            })?;
            if found.is_none() {
                return Err(r.error_expected(
                    format!("{} matches no circuit breaker", quoted(&p)),
                    format!("a pattern matching a `{BREAKER_MODEL}` model node"),
                ));
            }
        }
        Ok(p)
    }));
    // `what` names the model event a `model_event` count counts, and nothing else.
    let model_what = match (what, obj.optional("what")) {
        (Some("model_event"), Some(w)) => errors.check(read_model_what(&w)),
        (Some("model_event"), None) => {
            errors.push(obj.as_reader().error_expected(
                "a `model_event` count without `what`",
                "`\"what\"`: the model event to count, such as `\"expired\"`",
            ));
            None
        }
        (_, Some(w)) => {
            errors.push(w.error_expected(
                "field `what` only applies to a `model_event` count",
                "no `what`, or `\"count\": \"model_event\"`",
            ));
            None
        }
        (_, None) => Some(String::new()),
    };
    let at_least = opt(obj, "at_least", errors, None, |r| r.expect_u64().map(Some));
    let at_most = opt(obj, "at_most", errors, None, |r| r.expect_u64().map(Some));
    let equals = opt(obj, "equals", errors, None, |r| r.expect_u64().map(Some));
    let (at_least, at_most) = match (at_least?, at_most?, equals?) {
        (None, None, None) => {
            errors.push(obj.as_reader().error_expected(
                "a count without a bound",
                "`at_least`, `at_most` or `equals`",
            ));
            return None;
        }
        (a, b, Some(n)) => {
            if a.is_some() || b.is_some() {
                let at = obj
                    .optional("equals")
                    .unwrap_or_else(|| obj.as_reader().clone());
                errors.push(at.error_expected(
                    "`equals` with `at_least` or `at_most`",
                    "`equals` alone, or `at_least` and/or `at_most`",
                ));
                return None;
            }
            (Some(n), Some(n))
        }
        (Some(a), Some(b), None) if a > b => {
            let at = obj
                .optional("at_most")
                .unwrap_or_else(|| obj.as_reader().clone());
            errors.push(at.error_expected(
                format!("no count is at least {a} and at most {b}"),
                "`at_most` no smaller than `at_least`",
            ));
            return None;
        }
        (a, b, None) => (a, b),
    };
    let of = of?;
    let what = match what? {
        "crash" => EventMatch::Crash(of),
        "restart" => EventMatch::Restart(of),
        "escalation" => EventMatch::Escalation(of),
        "killed_over_budget" => EventMatch::KilledOverBudget(of),
        "breaker_open" => EventMatch::BreakerOpen(of),
        "model_event" => EventMatch::ModelEvent {
            of,
            what: model_what?,
        },
        _ => EventMatch::Fault(of),
    };
    Some(Check::Count {
        what,
        window: window?,
        at_least,
        at_most,
    })
}

/// A model event name: lower-case letters, digits and `_`, as models emit them.
fn read_model_what(r: &Reader<'_>) -> Result<String, LoadError> {
    let s = r.expect_str()?;
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(r.error_expected(
            format!("{} is not a model event name", quoted(s)),
            "lower-case letters, digits and `_`, such as `expired` or `overflow`",
        ))
    }
}

/// `{"calls": CLIENT, bounds...}`; the client must be in the workload.
pub(super) fn read_calls(
    obj: &ObjectReader<'_>,
    client_at: &Reader<'_>,
    clients: Option<&[ClientSpec]>,
    errors: &mut Errors,
) -> Option<Check> {
    let client = errors.check(client_at.expect_str().and_then(|c| {
        let Some(clients) = clients else {
            return Ok(c);
        };
        if clients.iter().any(|k| k.id == c) {
            return Ok(c);
        }
        let ids: Vec<&str> = clients.iter().map(|k| k.id.as_str()).collect();
        let mut m = format!("unknown client {}", quoted(c));
        if let Some(near) = super::fields::near(c, &ids) {
            m.push_str(&format!("; did you mean {}?", quoted(near)));
        }
        let expected = match ids.len() {
            0 => "a client id, but the scenario has no `workload`".to_string(),
            n if n <= 10 => format!("a client id: {}", one_of_list(&ids)),
            n => format!("one of the {n} client ids in `workload`"),
        };
        Err(client_at.error_expected(m, expected))
    }));
    let ratio = opt(obj, "min_success_ratio", errors, None, |r| {
        fraction(r).map(Some)
    });
    let timeouts = opt(obj, "max_timeouts", errors, None, |r| {
        r.expect_u64().map(Some)
    });
    let errs = opt(obj, "max_errors", errors, None, |r| {
        r.expect_u64().map(Some)
    });
    let calls = opt(obj, "min_calls", errors, None, |r| r.expect_u64().map(Some));
    let (ratio, timeouts, errs, calls) = (ratio?, timeouts?, errs?, calls?);
    if ratio.is_none() && timeouts.is_none() && errs.is_none() && calls.is_none() {
        errors.push(obj.as_reader().error_expected(
            "a `calls` expectation without a bound",
            "`min_success_ratio`, `max_timeouts`, `max_errors` or `min_calls`",
        ));
        return None;
    }
    Some(Check::Calls {
        client: client?.to_string(),
        min_success_ratio: ratio,
        max_timeouts: timeouts,
        max_errors: errs,
        min_calls: calls,
    })
}

/// `{"alive": PATH}`, `{"dead": PATH}` or `{"children": SUPERVISOR PATH, "count": N}`.
pub(super) fn read_at_end(r: &Reader<'_>, known: Option<&Known<'_>>) -> Result<EndCond, LoadError> {
    let obj = r.expect_object()?;
    let all = ["alive", "dead", "children", "count"];
    if let Some(p) = obj.optional("alive") {
        check_fields(&obj, &["alive"], "an `alive` condition", &all)?;
        return Ok(EndCond::Alive(read_path(&p, known)?));
    }
    if let Some(p) = obj.optional("dead") {
        check_fields(&obj, &["dead"], "a `dead` condition", &all)?;
        return Ok(EndCond::Dead(read_path(&p, known)?));
    }
    if let Some(p) = obj.optional("children") {
        check_fields(&obj, &["children", "count"], "a `children` condition", &all)?;
        let path = read_path(&p, known)?;
        if let Some(e) = known.and_then(|k| k.get(&path)) {
            let sup = matches!(
                e.node.kind,
                NodeKind::Supervisor { .. }
                    | NodeKind::DynamicSupervisor { .. }
                    | NodeKind::TaskSupervisor { .. }
                    | NodeKind::PartitionSupervisor { .. }
            );
            if !sup {
                return Err(p.error_expected(
                    format!(
                        "{} is {}, which has no children",
                        quoted(&path),
                        describe(e)
                    ),
                    "the path of a supervisor",
                ));
            }
        }
        let count = obj.required("count")?.expect_size(u64::from(u32::MAX))?;
        return Ok(EndCond::Children(path, count as u32));
    }
    check_fields(&obj, &all, "an `at_end` condition", &[])?;
    Err(r.error_expected(
        "an `at_end` condition without `alive`, `dead` or `children`",
        "`{\"alive\": PATH}`, `{\"dead\": PATH}` or `{\"children\": PATH, \"count\": N}`",
    ))
}
