//! What every model's parameters are made of: a reader that collects every error in a
//! `"params"` object at once, typed field readers (durations, probabilities, sizes,
//! Erlang term text, latency distributions), their JSON and JSON Schema forms, and the
//! deterministic sampling the models draw with.
//!
//! ```
//! use otpsim::models::params::{Latency, Params};
//! use otpsim::scenario::json::Document;
//!
//! let doc = Document::parse("s.json", r#"{"work": "5ms", "error_rat": 0.5}"#).unwrap();
//! let mut p = Params::open(Some(&doc.reader()), &["work", "error_rate", "latency"]);
//! assert_eq!(p.duration_us("work", 0), 5_000);
//! assert_eq!(p.latency("latency", Latency::Fixed(1_000)), Latency::Fixed(1_000));
//! let err = p.finish(()).unwrap_err();
//! assert!(err.to_string().starts_with("s.json:1:17: at $.error_rat: unknown field `error_rat`; did you mean `error_rate`?"));
//! ```

mod sample;

pub use sample::{chance, exponential_us, ln, unit, Latency};

use super::ModelEnv;
use crate::behaviour::gen_server::StartOpts;
use crate::kernel::Ctx;
use crate::scenario::json::{Errors, LoadError, ObjectReader, Reader, DURATION_FORMS};
use crate::term::{parse_term, Atom, Term};
use crate::trace::EventKind;
use serde_json::{json, Value};

/// The longest duration a model parameter may have: 30 days. Longer is a typo (and
/// could overflow virtual time arithmetic); runs last at most 24 hours.
pub const MAX_DURATION_US: u64 = 30 * 24 * 3_600 * 1_000_000;

/// How every model starts: registered under `env.name`, labelled with its path.
pub fn start_opts(env: &ModelEnv) -> StartOpts {
    StartOpts {
        name: env.name.clone(),
        timeout_ms: None,
        label: Some(Atom::new(&env.path)),
    }
}

/// Emits a model event (`EventKind::Model`) from the calling process.
pub fn model_event(ctx: &Ctx, model: &'static str, what: &'static str, detail: Term) {
    ctx.emit(EventKind::Model {
        pid: ctx.me(),
        model: Atom::from_static(model),
        what: Atom::from_static(what),
        detail,
    });
}

/// A duration as scenario JSON, in the largest unit that writes it exactly: `"5s"`,
/// `"150ms"`, `"250us"`.
pub fn duration_json(us: u64) -> Value {
    const UNITS: [(&str, u64); 4] = [
        ("h", 3_600_000_000),
        ("m", 60_000_000),
        ("s", 1_000_000),
        ("ms", 1_000),
    ];
    let unit = UNITS.iter().find(|(_, size)| us > 0 && us % size == 0);
    Value::String(match unit {
        Some((name, size)) => format!("{}{name}", us / size),
        None if us == 0 => "0ms".to_string(),
        None => format!("{us}us"),
    })
}

/// A term as scenario JSON: its Erlang text.
pub fn term_json(t: &Term) -> Value {
    Value::String(t.to_string())
}

/// Reads a duration (see [`Reader::expect_duration_us`]) of at most [`MAX_DURATION_US`].
pub fn read_duration_us(r: &Reader<'_>) -> Result<u64, LoadError> {
    let us = r.expect_duration_us()?;
    if us > MAX_DURATION_US {
        return Err(r.error_expected("duration is too long", "at most 720h (30 days)"));
    }
    Ok(us)
}

/// Reads a duration that must be a whole number of milliseconds, at least 1 ms: for
/// timeouts handed to `gen_server` calls and idle timeouts, which count in
/// milliseconds as OTP's do. Returns microseconds.
pub fn read_whole_ms(r: &Reader<'_>) -> Result<u64, LoadError> {
    let us = read_duration_us(r)?;
    if us == 0 || us % 1_000 != 0 {
        return Err(r.error_expected(
            "duration is not a positive whole number of milliseconds",
            "a duration such as \"1ms\", \"250ms\" or \"5s\"",
        ));
    }
    Ok(us)
}

/// Reads a probability: a number from 0 to 1.
pub fn read_probability(r: &Reader<'_>) -> Result<f64, LoadError> {
    let p = r.expect_f64()?;
    if !(0.0..=1.0).contains(&p) {
        return Err(r.error_expected(format!("{p} is out of range"), "a probability from 0 to 1"));
    }
    Ok(p)
}

/// Reads an integer from `min` to `max`.
pub fn read_int(r: &Reader<'_>, min: i64, max: i64) -> Result<i64, LoadError> {
    let v = r.expect_i64()?;
    if v < min || v > max {
        return Err(r.error_expected(
            format!("{v} is out of range"),
            format!("an integer from {min} to {max}"),
        ));
    }
    Ok(v)
}

/// Reads a size or count from `min` to `max`.
pub fn read_size(r: &Reader<'_>, min: u64, max: u64) -> Result<u64, LoadError> {
    let v = r.expect_size(max)?;
    if v < min {
        return Err(r.error_expected(format!("{v} is too small"), format!("at least {min}")));
    }
    Ok(v)
}

/// Reads Erlang term text (`"kill"`, `"{shutdown, db_down}"`); a syntax error points
/// at the string and says what the term parser expected.
pub fn read_term(r: &Reader<'_>) -> Result<Term, LoadError> {
    let text = r.expect_str()?;
    parse_term(text).map_err(|e| {
        r.error_expected(
            format!("invalid term at byte {}: {}", e.offset(), e.message()),
            "Erlang term text such as \"ping\", \"{shutdown, db_down}\" or \"[1, 2]\"",
        )
    })
}

/// Collects a `"params"` object's fields and every error in them, so a model's `parse`
/// reads each field with a default and reports all mistakes at once.
///
/// A field that fails to read is recorded and its default returned, so reading can go
/// on; [`Params::finish`] then returns the errors.
pub struct Params<'a> {
    object: Option<ObjectReader<'a>>,
    errors: Errors,
}

impl<'a> Params<'a> {
    /// Opens the `"params"` value (`None` when absent: every field at its default):
    /// it must be an object whose fields are all in `fields`.
    pub fn open(params: Option<&Reader<'a>>, fields: &[&str]) -> Params<'a> {
        let mut errors = Errors::new();
        let object = params.and_then(|p| errors.check(p.expect_object()));
        if let Some(o) = &object {
            errors.check(o.deny_unknown_fields(fields));
        }
        Params { object, errors }
    }

    /// The field `key`, if present.
    pub fn field(&self, key: &str) -> Option<Reader<'a>> {
        self.object.as_ref()?.optional(key)
    }

    /// Records an error found by a model's own check.
    pub fn push(&mut self, error: LoadError) {
        self.errors.push(error);
    }

    /// Reads `key` with `read`, or gives `default` when it is absent or wrong.
    pub fn read<T>(
        &mut self,
        key: &str,
        default: T,
        read: impl FnOnce(&Reader<'a>) -> Result<T, LoadError>,
    ) -> T {
        match self.field(key) {
            None => default,
            Some(r) => self.errors.check(read(&r)).unwrap_or(default),
        }
    }

    /// A duration in microseconds ([`read_duration_us`]).
    pub fn duration_us(&mut self, key: &str, default_us: u64) -> u64 {
        self.read(key, default_us, read_duration_us)
    }

    /// A duration of whole milliseconds, at least 1 ms ([`read_whole_ms`]); in µs.
    pub fn whole_ms(&mut self, key: &str, default_us: u64) -> u64 {
        self.read(key, default_us, read_whole_ms)
    }

    /// An optional duration: absent or `null` is `None`.
    pub fn opt_duration_us(&mut self, key: &str) -> Option<u64> {
        match self.field(key) {
            Some(r) if !r.is_null() => self.errors.check(read_duration_us(&r)),
            _ => None,
        }
    }

    /// A probability from 0 to 1.
    pub fn probability(&mut self, key: &str, default: f64) -> f64 {
        self.read(key, default, read_probability)
    }

    /// An integer from `min` to `max`.
    pub fn int(&mut self, key: &str, default: i64, min: i64, max: i64) -> i64 {
        self.read(key, default, |r| read_int(r, min, max))
    }

    /// A count from `min` to `max`.
    pub fn size(&mut self, key: &str, default: u64, min: u64, max: u64) -> u64 {
        self.read(key, default, |r| read_size(r, min, max))
    }

    /// `true` or `false`.
    pub fn flag(&mut self, key: &str, default: bool) -> bool {
        self.read(key, default, Reader::expect_bool)
    }

    /// One of `allowed` strings, with a did-you-mean for a near miss.
    pub fn choice(
        &mut self,
        key: &str,
        allowed: &[&'static str],
        default: &'static str,
    ) -> &'static str {
        self.read(key, default, |r| r.one_of(allowed))
    }

    /// Erlang term text ([`read_term`]).
    pub fn term(&mut self, key: &str, default: Term) -> Term {
        self.read(key, default, read_term)
    }

    /// A latency distribution ([`Latency::read`]).
    pub fn latency(&mut self, key: &str, default: Latency) -> Latency {
        self.read(key, default, Latency::read)
    }

    /// `Ok(value)` if every field read well, else every error found.
    pub fn finish<T>(self, value: T) -> Result<T, LoadError> {
        self.errors.into_result(value)
    }
}

/// JSON Schema of a duration parameter.
pub fn duration_schema(description: &str, default_us: Option<u64>) -> Value {
    let mut s = json!({
        "description": description,
        "oneOf": [
            {"type": "integer", "minimum": 0, "description": "milliseconds"},
            {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(us|µs|μs|ms|s|m|h)$"}
        ]
    });
    if let Some(us) = default_us {
        s["default"] = duration_json(us);
    }
    s
}

/// JSON Schema of a latency distribution parameter.
pub fn latency_schema(description: &str, default: &Latency) -> Value {
    let d = || duration_schema("a duration", None);
    json!({
        "description": format!("{description} {DURATION_FORMS}, or a distribution object"),
        "default": default.to_json(),
        "oneOf": [
            d(),
            {"type": "object", "additionalProperties": false, "required": ["dist", "value"],
             "properties": {"dist": {"const": "fixed"}, "value": d()}},
            {"type": "object", "additionalProperties": false, "required": ["dist", "min", "max"],
             "properties": {"dist": {"const": "uniform"}, "min": d(), "max": d()}},
            {"type": "object", "additionalProperties": false, "required": ["dist", "mean"],
             "properties": {"dist": {"const": "exponential"}, "mean": d()}}
        ]
    })
}

/// JSON Schema of a number or integer parameter with bounds.
pub fn number_schema(
    kind: &str,
    description: &str,
    default: Value,
    min: Value,
    max: Value,
) -> Value {
    json!({"type": kind, "description": description, "default": default, "minimum": min, "maximum": max})
}

/// JSON Schema of an Erlang-term-text parameter.
pub fn term_schema(description: &str, default: &Term) -> Value {
    json!({"type": "string", "description": format!("{description} (Erlang term text)"), "default": default.to_string()})
}

/// JSON Schema of a `"params"` object with these properties and no others.
pub fn object_schema(properties: Vec<(&str, Value)>) -> Value {
    let props: serde_json::Map<String, Value> = properties
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    json!({"type": "object", "additionalProperties": false, "properties": props})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::json::Document;

    #[test]
    fn durations_write_in_the_largest_exact_unit() {
        let cases = [
            (0, "0ms"),
            (250, "250us"),
            (1_500, "1500us"),
            (150_000, "150ms"),
            (5_000_000, "5s"),
            (120_000_000, "2m"),
            (7_200_000_000, "2h"),
        ];
        for (us, text) in cases {
            assert_eq!(duration_json(us), Value::String(text.into()));
        }
    }

    #[test]
    fn fields_report_every_error_with_its_position() {
        let text = "{\"p\": 1.5,\n \"t\": \"{a,\",\n \"ms\": \"1500us\", \"n\": 0}";
        let doc = Document::parse("p.json", text).unwrap();
        let mut p = Params::open(Some(&doc.reader()), &["p", "t", "ms", "n"]);
        assert_eq!(p.probability("p", 0.25), 0.25);
        p.term("t", Term::OK);
        p.whole_ms("ms", 1_000);
        p.size("n", 1, 1, 10);
        let err = p.finish(()).unwrap_err().to_string();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 4, "{err}");
        assert!(
            lines[0].starts_with("p.json:1:7: at $.p: 1.5 is out of range"),
            "{err}"
        );
        assert!(
            lines[1].starts_with("p.json:2:7: at $.t: invalid term at byte 3"),
            "{err}"
        );
        assert!(
            lines[2].starts_with("p.json:3:8: at $.ms: duration is not a positive whole"),
            "{err}"
        );
        assert!(
            lines[3].starts_with("p.json:3:23: at $.n: 0 is too small"),
            "{err}"
        );
    }
}
