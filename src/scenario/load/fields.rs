//! Small readers every section shares: field sets, ids, bounded durations and
//! fractions.

use crate::scenario::json::{closest, Diagnostic, LoadError, ObjectReader, Reader};

/// The longest id or name (node ids, client ids, phase and scenario names).
pub(super) const MAX_ID_CHARS: usize = 64;

pub(super) use crate::scenario::json::{one_of_list, quoted};

/// Rejects every field of `obj` not in `allowed`, all in one error, each at its key.
/// A field that belongs to a sibling form (`strategy` on a registry, `reason` on a
/// pause) is named as misplaced, with `owner` ("a registry node"); anything else is
/// unknown, with a did-you-mean over `allowed`.
pub(super) fn check_fields(
    obj: &ObjectReader<'_>,
    allowed: &[&str],
    owner: &str,
    elsewhere: &[&str],
) -> Result<(), LoadError> {
    let expected = one_of_list(allowed);
    let mut found = Vec::new();
    for (key, key_span, field) in obj.fields() {
        if allowed.contains(&key) {
            continue;
        }
        let message = if elsewhere.contains(&key) {
            format!("field {} does not apply to {owner}", quoted(key))
        } else {
            let mut m = format!("unknown field {}", quoted(key));
            if let Some(near) = closest(key, allowed) {
                m.push_str(&format!("; did you mean {}?", quoted(near)));
            }
            m
        };
        found.push(
            Diagnostic::new(obj.as_reader().document().file(), message)
                .with_span(key_span)
                .with_path(field.path())
                .with_expected(expected.clone()),
        );
    }
    LoadError::from_diagnostics(found).map_or(Ok(()), Err)
}

/// An id: 1 to 64 letters, digits, `_`, `.` or `-` (no `/`, which separates path
/// segments, and no `*`, which patterns use).
pub(super) fn read_id<'a>(r: &Reader<'a>) -> Result<&'a str, LoadError> {
    let s = r.expect_str()?;
    check_charset(r, s, true)?;
    Ok(s)
}

/// A name: 1 to 64 letters, digits, `_` or `-`.
pub(super) fn read_name<'a>(r: &Reader<'a>) -> Result<&'a str, LoadError> {
    let s = r.expect_str()?;
    check_charset(r, s, false)?;
    Ok(s)
}

fn check_charset(r: &Reader<'_>, s: &str, dots: bool) -> Result<(), LoadError> {
    let expected = if dots {
        "1 to 64 letters, digits, `_`, `.` or `-`"
    } else {
        "1 to 64 letters, digits, `_` or `-`"
    };
    if s.is_empty() {
        return Err(r.error_expected("empty name", expected));
    }
    if let Some(c) = s
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || (dots && c == '.')))
    {
        let c = c.escape_debug();
        return Err(r.error_expected(format!("{} contains `{c}`", quoted(s)), expected));
    }
    if s.chars().count() > MAX_ID_CHARS {
        return Err(r.error_expected(
            format!("{} is longer than {MAX_ID_CHARS} characters", quoted(s)),
            expected,
        ));
    }
    Ok(())
}

/// A duration greater than zero.
pub(super) fn positive_duration_us(r: &Reader<'_>) -> Result<u64, LoadError> {
    let us = r.expect_duration_us()?;
    if us == 0 {
        return Err(r.error_expected("the duration is zero", "a duration greater than 0"));
    }
    Ok(us)
}

/// A time within the run: strictly before its end when `end_us` is known.
pub(super) fn time_before_end_us(r: &Reader<'_>, end_us: Option<u64>) -> Result<u64, LoadError> {
    let us = r.expect_duration_us()?;
    match end_us {
        Some(end) if us >= end => Err(r.error_expected(
            format!(
                "{} is not before the end of the run",
                super::names::duration(us)
            ),
            format!(
                "a time less than the scenario's duration, {}",
                super::names::duration(end)
            ),
        )),
        _ => Ok(us),
    }
}

/// A number from 0 to 1 (a probability or a ratio).
pub(super) fn fraction(r: &Reader<'_>) -> Result<f64, LoadError> {
    let x = r.expect_f64()?;
    if !(0.0..=1.0).contains(&x) {
        return Err(r.error_expected(format!("{x} is out of range"), "a number from 0 to 1"));
    }
    Ok(x)
}

/// An integer from `min` to `max`.
pub(super) fn bounded(r: &Reader<'_>, min: u64, max: u64) -> Result<u64, LoadError> {
    let n = r.expect_size(max)?;
    if n < min {
        return Err(r.error_expected(
            format!("{n} is too small"),
            format!("an integer from {min} to {max}"),
        ));
    }
    Ok(n)
}

/// The optional field `key`, read with `read`, or `default` when absent. Errors are
/// recorded in `errors` and give `None`.
pub(super) fn opt<'a, T>(
    obj: &ObjectReader<'a>,
    key: &str,
    errors: &mut crate::scenario::json::Errors,
    default: T,
    read: impl FnOnce(&Reader<'a>) -> Result<T, LoadError>,
) -> Option<T> {
    match obj.optional(key) {
        None => Some(default),
        Some(r) => errors.check(read(&r)),
    }
}

/// The required field `key`, read with `read`. Errors are recorded and give `None`.
pub(super) fn req<'a, T>(
    obj: &ObjectReader<'a>,
    key: &str,
    errors: &mut crate::scenario::json::Errors,
    read: impl FnOnce(&Reader<'a>) -> Result<T, LoadError>,
) -> Option<T> {
    errors.check(obj.required(key).and_then(|r| read(&r)))
}

/// The errors recorded while reading the value at `r`; a reader that gives up records
/// why first, so the fallback only guards against a bug.
pub(super) fn failed(errors: crate::scenario::json::Errors, r: &Reader<'_>) -> LoadError {
    errors
        .finish()
        .err()
        .unwrap_or_else(|| r.error("internal error: a check failed without saying why"))
}

/// How many did-you-mean searches one load may make: each compares a word with up to
/// thousands of names, and a hostile file can hold hundreds of thousands of bad
/// references; past this, errors come without suggestions.
const MAX_SUGGESTIONS: u32 = 200;

thread_local! {
    static SUGGESTIONS_LEFT: std::cell::Cell<u32> = const { std::cell::Cell::new(MAX_SUGGESTIONS) };
}

/// Resets the did-you-mean budget at the start of a load.
pub(super) fn reset_suggestions() {
    SUGGESTIONS_LEFT.with(|c| c.set(MAX_SUGGESTIONS));
}

/// The candidate closest to `word` (see [`closest`]), within the load's budget.
pub(super) fn near<'s>(word: &str, candidates: &[&'s str]) -> Option<&'s str> {
    let left = SUGGESTIONS_LEFT.with(|c| {
        let n = c.get();
        c.set(n.saturating_sub(1));
        n
    });
    if left == 0 {
        return None;
    }
    closest(word, candidates)
}
