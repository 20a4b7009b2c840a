//! Terms in a scenario: Erlang term text (exit reasons, registry keys) and the
//! application environment's JSON values.

use super::fields::quoted;
use crate::scenario::json::{LoadError, Reader, Value};
use crate::term::parse_term;
use crate::term::{atom, Term};

/// What term text looks like, for messages.
const TERM_FORMS: &str = "Erlang term text such as `kill`, `normal` or `{shutdown, db_down}`";

/// A string holding one term in Erlang syntax (`"{shutdown, db_down}"`); a syntax
/// error points at the string and says where in it the parser stopped.
pub(super) fn read_term(r: &Reader<'_>) -> Result<Term, LoadError> {
    let s = r.expect_str()?;
    parse_term(s)
        .map_err(|e| r.error_expected(format!("invalid term {}: {e}", quoted(s)), TERM_FORMS))
}

/// An environment value as a term: an integer is an integer, `true`/`false` the
/// atoms, a string a binary, `null` the atom `nil` (as Elixir writes it), an array a
/// list and an object a keyword list `[{key, value}]`, sorted by key: a scenario is
/// written back through `serde_json`, whose objects keep their keys sorted, so the
/// sorted order is the only one that survives a round trip. A non-integer number has no
/// term to become, so it is an error rather than a silent rounding.
pub(super) fn env_term(r: &Reader<'_>) -> Result<Term, LoadError> {
    Ok(match r.node().value() {
        Value::Null => atom("nil"),
        Value::Bool(true) => Term::TRUE,
        Value::Bool(false) => Term::FALSE,
        Value::Number(_) => Term::Int(r.expect_i64()?),
        Value::String(s) => Term::bin(s),
        Value::Array(_) => {
            let items = r.expect_array()?;
            let mut out = Vec::with_capacity(items.len());
            let mut errors = crate::scenario::json::Errors::new();
            for item in items.iter() {
                if let Some(t) = errors.check(env_term(&item)) {
                    out.push(t);
                }
            }
            errors.into_result(Term::list(out))?
        }
        Value::Object(_) => {
            let obj = r.expect_object()?;
            let mut out = Vec::new();
            let mut errors = crate::scenario::json::Errors::new();
            for (key, _, value) in obj.fields() {
                if let Some(t) = errors.check(env_term(&value)) {
                    out.push((key, t));
                }
            }
            // Key order: see `sorted_env`.
            out.sort_by(|a, b| a.0.cmp(b.0));
            let pairs = out
                .into_iter()
                .map(|(k, t)| Term::tuple_of([Term::atom_owned(k), t]));
            errors.into_result(Term::list(pairs))?
        }
    })
}

/// The inverse of [`env_term`], for writing a scenario back: a list whose elements
/// are all `{atom, value}` pairs is an object (only an object makes one), `[]` is `[]`.
pub(crate) fn env_json(t: &Term) -> serde_json::Value {
    use serde_json::Value as J;
    match t {
        Term::Int(i) => J::from(*i),
        Term::Atom(a) if a.as_str() == "true" => J::Bool(true),
        Term::Atom(a) if a.as_str() == "false" => J::Bool(false),
        Term::Atom(a) if a.as_str() == "nil" => J::Null,
        Term::Bin(s) => J::String(s.to_string()),
        Term::List(items) => {
            let pairs: Option<Vec<(String, J)>> = items
                .iter()
                .map(|i| match i.as_tuple() {
                    Some([Term::Atom(k), v]) => Some((k.as_str().to_string(), env_json(v))),
                    _ => None,
                })
                .collect();
            match pairs {
                Some(p) if !p.is_empty() => J::Object(p.into_iter().collect()),
                _ => J::Array(items.iter().map(env_json).collect()),
            }
        }
        // No JSON value loads as any other term; write its text so nothing is lost.
        other => J::String(other.to_string()),
    }
}
