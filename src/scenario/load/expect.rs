//! `"expect"`: what must hold over the run. Each expectation is one check with its
//! window; names are given or generated, and unique.

use super::conds::{read_at_end, read_calls, read_count, read_state_cond};
use super::fields::{check_fields, failed, one_of_list, quoted, time_before_end_us};
use super::names::{default_name, duration};
use super::paths::Known;
use crate::scenario::json::{Errors, LoadError, ObjectReader, Reader};
use crate::scenario::spec::{Check, ClientSpec, Expectation, Phase, Window};
use std::collections::BTreeMap;

/// What expectations may refer to; each `None` when its section did not load (the
/// checks against it are then skipped).
pub(super) struct Refs<'k, 's> {
    pub duration_us: Option<u64>,
    pub known: Option<&'k Known<'s>>,
    pub phases: Option<&'k [Phase]>,
    pub clients: Option<&'k [ClientSpec]>,
}

/// The checks an expectation may make, one per expectation.
pub(super) const CHECKS: &[&str] = &[
    "always",
    "never",
    "sometimes",
    "eventually",
    "count",
    "calls",
    "at_end",
    "nothing_lost",
];

const WINDOW: &[&str] = &["from", "until", "during"];

/// The fields besides `name` and the check itself.
fn fields_of(check: &str) -> Vec<&'static str> {
    match check {
        "always" | "never" | "sometimes" => WINDOW.to_vec(),
        "eventually" => vec!["from", "until", "by", "during"],
        "count" => {
            let mut f = vec!["of", "what", "at_least", "at_most", "equals"];
            f.extend(WINDOW);
            f
        }
        "calls" => vec![
            "min_success_ratio",
            "max_timeouts",
            "max_errors",
            "min_calls",
        ],
        _ => Vec::new(),
    }
}

/// Reads `"expect"`.
pub(super) fn read_expectations(
    top: &ObjectReader<'_>,
    refs: &Refs<'_, '_>,
    errors: &mut Errors,
) -> Option<Vec<Expectation>> {
    let Some(r) = top.optional("expect") else {
        return Some(Vec::new());
    };
    let items = errors.check(r.expect_array())?;
    let mut out = Vec::with_capacity(items.len());
    let mut names: BTreeMap<String, Reader<'_>> = BTreeMap::new();
    let mut ok = true;
    for item in items.iter() {
        let Some((e, at)) = errors.check(read_expectation(&item, refs)) else {
            ok = false;
            continue;
        };
        if let Some(first) = names.get(&e.name) {
            let given = at.path() != item.path();
            let hint = if given {
                ""
            } else {
                " (generated from the check; give one a `name`)"
            };
            errors.push(at.error_expected(
                format!(
                    "duplicate expectation name {}{hint}; first at {}",
                    quoted(&e.name),
                    first.span()
                ),
                "unique names",
            ));
            ok = false;
            continue;
        }
        names.insert(e.name.clone(), at);
        out.push(e);
    }
    ok.then_some(out)
}

/// One expectation, and where its name is (its `"name"`, or the object when the name
/// is generated).
fn read_expectation<'a>(
    r: &Reader<'a>,
    refs: &Refs<'_, '_>,
) -> Result<(Expectation, Reader<'a>), LoadError> {
    let obj = r.expect_object()?;
    let present: Vec<(&str, Reader<'a>)> = obj
        .fields()
        .filter(|(k, _, _)| CHECKS.contains(k))
        .map(|(k, _, v)| (k, v))
        .collect();
    let (check_name, check_at) = match present.as_slice() {
        [] => {
            return Err(r.error_expected(
                "an expectation without a check",
                format!("one of {}", one_of_list(CHECKS)),
            ))
        }
        [(k, v)] => (*k, v.clone()),
        [(a, _), (b, v), ..] => {
            return Err(v.error_expected(
                format!("an expectation has one check; found `{a}` and `{b}`"),
                "one check per expectation: split it in two",
            ))
        }
    };
    let mut errors = Errors::new();
    let mut allowed = vec!["name", check_name];
    allowed.extend(fields_of(check_name));
    let mut elsewhere: Vec<&str> = Vec::new();
    for c in CHECKS {
        elsewhere.extend(fields_of(c));
    }
    let owner = format!("a `{check_name}` expectation");
    errors.check(check_fields(&obj, &allowed, &owner, &elsewhere));
    let name = super::fields::opt(&obj, "name", &mut errors, None, |n| {
        let s = n.expect_str()?;
        if s.trim().is_empty() || s.chars().count() > 200 {
            return Err(n.error_expected("a blank or overlong name", "1 to 200 characters"));
        }
        Ok(Some((s.to_string(), n.clone())))
    });
    let windowed = !matches!(check_name, "calls" | "at_end" | "nothing_lost");
    let window = if windowed {
        read_window(&obj, refs, &mut errors)
    } else {
        Some((Window::default(), None))
    };
    let check = match check_name {
        "always" | "never" | "sometimes" | "eventually" => {
            let cond = errors.check(read_state_cond(&check_at, refs.known));
            match (cond, &window) {
                (Some(c), Some((w, _))) => Some(match check_name {
                    "always" => Check::Always(c, *w),
                    "never" => Check::Never(c, *w),
                    "sometimes" => Check::Sometimes(c, *w),
                    _ => Check::Eventually(c, *w),
                }),
                _ => None,
            }
        }
        "count" => {
            let w = window.as_ref().map(|(w, _)| *w);
            read_count(&obj, &check_at, refs.known, w, &mut errors)
        }
        "calls" => read_calls(&obj, &check_at, refs.clients, &mut errors),
        "at_end" => errors
            .check(read_at_end(&check_at, refs.known))
            .map(Check::AtEnd),
        _ => errors.check(match check_at.expect_bool() {
            Ok(true) => Ok(Check::NothingLost),
            Ok(false) => Err(check_at.error_expected(
                "`\"nothing_lost\": false` checks nothing",
                "`\"nothing_lost\": true`, or no such expectation",
            )),
            Err(e) => Err(e),
        }),
    };
    match (check, name, window) {
        (Some(check), Some(name), Some((_, during))) => {
            let (name, at) = match name {
                Some((n, at)) => (n, at),
                None => (default_name(&check, during.as_deref()), r.clone()),
            };
            errors.into_result((Expectation { name, check }, at))
        }
        _ => Err(failed(errors, r)),
    }
}

/// The window of a check: `from`, `until` (or `by`), or `during` a phase. Also returns
/// the phase's name, for the generated name.
fn read_window(
    obj: &ObjectReader<'_>,
    refs: &Refs<'_, '_>,
    errors: &mut Errors,
) -> Option<(Window, Option<String>)> {
    let (from, until, by) = (
        obj.optional("from"),
        obj.optional("until"),
        obj.optional("by"),
    );
    if let Some(d) = obj.optional("during") {
        if let Some(other) = [("from", &from), ("until", &until), ("by", &by)]
            .iter()
            .find_map(|(k, v)| v.as_ref().map(|_| *k))
        {
            errors.push(d.error_expected(
                format!("`during` sets the whole window; it cannot be combined with `{other}`"),
                "either `during` or `from`/`until`",
            ));
            return None;
        }
        let name = errors.check(d.expect_str())?;
        let Some(phases) = refs.phases else {
            return Some((Window::default(), Some(name.to_string())));
        };
        let Some(p) = phases.iter().find(|p| p.name == name) else {
            let names: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
            let mut m = format!("unknown phase {}", quoted(name));
            if let Some(near) = super::fields::near(name, &names) {
                m.push_str(&format!("; did you mean {}?", quoted(near)));
            }
            let expected = match names.len() {
                0 => "a phase name, but the scenario has no `phases`".to_string(),
                n if n <= 10 => format!("a phase name: {}", one_of_list(&names)),
                n => format!("one of the {n} phase names"),
            };
            errors.push(d.error_expected(m, expected));
            return None;
        };
        let w = Window {
            from_us: p.from_us,
            until_us: Some(p.until_us),
        };
        return Some((w, Some(name.to_string())));
    }
    if let (Some(_), Some(b)) = (&until, &by) {
        errors.push(b.error_expected(
            "`by` and `until` both given",
            "one of them: they mean the same",
        ));
        return None;
    }
    let from_us = match &from {
        Some(f) => errors.check(time_before_end_us(f, refs.duration_us))?,
        None => 0,
    };
    let Some(u) = until.or(by) else {
        return Some((
            Window {
                from_us,
                until_us: None,
            },
            None,
        ));
    };
    let until_us = errors.check(u.expect_duration_us())?;
    if let Some(end) = refs.duration_us.filter(|end| until_us > *end) {
        errors.push(u.error_expected(
            format!("{} is after the end of the run", duration(until_us)),
            format!("at most the scenario's duration, {}", duration(end)),
        ));
        return None;
    }
    if until_us <= from_us {
        errors.push(u.error_expected(
            format!(
                "the window ends ({}) before it starts ({})",
                duration(until_us),
                duration(from_us)
            ),
            "an end later than `from`",
        ));
        return None;
    }
    Some((
        Window {
            from_us,
            until_us: Some(until_us),
        },
        None,
    ))
}
