//! The reader: typed access to a value tree, with the JSON path of every value, so that
//! every rejection says exactly where it is.

use super::document::Document;
use super::error::{one_of_list, quoted, Diagnostic, LoadError};
use super::number::{Number, NumberError};
use super::path::Path;
use super::span::Span;
use super::suggest::closest;
use super::units::{number_duration_us, parse_duration_us};
use super::value::{Node, Object, Value};
use std::rc::Rc;

/// A cursor on one value of a [`Document`], knowing its JSON path.
///
/// Cloning is cheap. The `expect_*` methods check the value's type and range and return
/// it, or a [`LoadError`] at this value's position and path.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    doc: &'a Document,
    node: &'a Node,
    path: Rc<Path<'a>>,
}

/// A reader on a value known to be an object.
#[derive(Clone, Debug)]
pub struct ObjectReader<'a> {
    reader: Reader<'a>,
    object: &'a Object,
}

/// A reader on a value known to be an array.
#[derive(Clone, Debug)]
pub struct ArrayReader<'a> {
    reader: Reader<'a>,
    items: &'a [Node],
}

impl<'a> Reader<'a> {
    /// A reader at the document's top-level value (`$`).
    pub fn new(doc: &'a Document) -> Reader<'a> {
        Reader {
            doc,
            node: doc.root(),
            path: Rc::new(Path::Root),
        }
    }

    fn child(&self, node: &'a Node, link: Path<'a>) -> Reader<'a> {
        Reader {
            doc: self.doc,
            node,
            path: Rc::new(link),
        }
    }

    /// The value under the cursor.
    pub fn node(&self) -> &'a Node {
        self.node
    }

    /// The value's position.
    pub fn span(&self) -> Span {
        self.node.span()
    }

    /// The value's JSON path (`$.app.children[2].model`).
    pub fn path(&self) -> String {
        self.path.render()
    }

    /// The document being read.
    pub fn document(&self) -> &'a Document {
        self.doc
    }

    /// True if the value is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.node.value(), Value::Null)
    }

    /// An error about this value.
    pub fn error(&self, message: impl Into<String>) -> LoadError {
        self.diagnostic(message).into()
    }

    /// An error about this value, saying what would have been accepted.
    pub fn error_expected(
        &self,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> LoadError {
        self.diagnostic(message).with_expected(expected).into()
    }

    pub(crate) fn diagnostic(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.doc.file(), message)
            .with_span(self.span())
            .with_path(self.path())
    }

    /// `found <this value> (expected ...)`.
    pub fn wrong_type(&self, expected: &str) -> LoadError {
        self.error_expected(format!("found {}", self.describe()), expected)
    }

    /// The value in a few words: `a string "7"`, `a number 3.5`, `an object`, ...
    fn describe(&self) -> String {
        match self.node.value() {
            Value::String(s) => {
                let cut: String = s.chars().take(40).collect();
                let json = serde_json::to_string(&cut).unwrap_or_default();
                if cut.len() < s.len() {
                    format!("the string {json}...")
                } else {
                    format!("the string {json}")
                }
            }
            Value::Number(n) => format!("the number {}", cut_literal(n)),
            other => other.kind_name().to_string(),
        }
    }

    /// The value as an object.
    pub fn expect_object(&self) -> Result<ObjectReader<'a>, LoadError> {
        match self.node.value() {
            Value::Object(object) => Ok(ObjectReader {
                reader: self.clone(),
                object,
            }),
            _ => Err(self.wrong_type("an object")),
        }
    }

    /// The value as an array.
    pub fn expect_array(&self) -> Result<ArrayReader<'a>, LoadError> {
        match self.node.value() {
            Value::Array(items) => Ok(ArrayReader {
                reader: self.clone(),
                items,
            }),
            _ => Err(self.wrong_type("an array")),
        }
    }

    /// The value as a string.
    pub fn expect_str(&self) -> Result<&'a str, LoadError> {
        match self.node.value() {
            Value::String(s) => Ok(s),
            _ => Err(self.wrong_type("a string")),
        }
    }

    /// The value as a boolean.
    pub fn expect_bool(&self) -> Result<bool, LoadError> {
        match self.node.value() {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.wrong_type("`true` or `false`")),
        }
    }

    fn number(&self, expected: &str) -> Result<&'a Number, LoadError> {
        self.node
            .value()
            .as_number()
            .ok_or_else(|| self.wrong_type(expected))
    }

    /// The value as a `u64`: an integer literal from 0 to `u64::MAX`.
    pub fn expect_u64(&self) -> Result<u64, LoadError> {
        self.expect_size(u64::MAX)
    }

    /// The value as an `i64`: an integer literal in `i64`'s range.
    pub fn expect_i64(&self) -> Result<i64, LoadError> {
        let expected = "an integer";
        let n = self.number(expected)?;
        n.as_i64().map_err(|e| match e {
            NumberError::TooLarge => self.error_expected(
                format!("{} is too large", cut_literal(n)),
                format!("at most {}", i64::MAX),
            ),
            NumberError::TooSmall => self.error_expected(
                format!("{} is too small", cut_literal(n)),
                format!("at least {}", i64::MIN),
            ),
            _ => self.number_error(n, e, expected),
        })
    }

    /// The value as an `f64`: any number within `f64`'s range.
    pub fn expect_f64(&self) -> Result<f64, LoadError> {
        let n = self.number("a number")?;
        n.as_f64()
            .map_err(|e| self.number_error(n, e, "a number within the range of a 64-bit float"))
    }

    /// The value as a size or count: an integer from 0 to `max`, the caller's bound on
    /// what is sane (a pool of a billion workers is a typo, not a plan).
    ///
    /// ```
    /// # use otpsim::scenario::json::Document;
    /// let doc = Document::parse("s.json", r#"{"pool": 1000000}"#).unwrap();
    /// let pool = doc.reader().expect_object().unwrap().required("pool").unwrap();
    /// assert_eq!(
    ///     pool.expect_size(10_000).unwrap_err().to_string(),
    ///     "s.json:1:10: at $.pool: 1000000 is too large (expected at most 10000)"
    /// );
    /// ```
    pub fn expect_size(&self, max: u64) -> Result<u64, LoadError> {
        let expected = if max == u64::MAX {
            "a non-negative integer".to_string()
        } else {
            format!("an integer from 0 to {max}")
        };
        let n = self.number(&expected)?;
        match n.as_u64() {
            Ok(v) if v <= max => Ok(v),
            Ok(_) | Err(NumberError::TooLarge) => Err(self.error_expected(
                format!("{} is too large", cut_literal(n)),
                format!("at most {max}"),
            )),
            Err(e) => Err(self.number_error(n, e, &expected)),
        }
    }

    fn number_error(&self, n: &Number, e: NumberError, expected: &str) -> LoadError {
        let what = match e {
            NumberError::NotAnInteger => "the non-integer",
            NumberError::Negative => "the negative number",
            NumberError::TooLarge => "the too large number",
            NumberError::TooSmall => "the too small number",
            NumberError::NotFinite => "the out-of-range number",
        };
        self.error_expected(format!("found {what} {}", cut_literal(n)), expected)
    }

    /// The value as a duration in microseconds: a string with a unit (`"250us"`,
    /// `"150ms"`, `"1.5s"`, `"2m"`, `"1h"`) or an integer number of milliseconds.
    /// Negative, inexact (`"0.5us"`), overflowing and unit-less strings are rejected.
    pub fn expect_duration_us(&self) -> Result<u64, LoadError> {
        let (result, shown) = match self.node.value() {
            Value::String(s) => (parse_duration_us(s), s.as_str()),
            Value::Number(n) => (number_duration_us(n), n.literal()),
            _ => return Err(self.wrong_type(super::units::DURATION_FORMS)),
        };
        result.map_err(|e| self.error_expected(e.message(shown), e.expected()))
    }

    /// The value as one of `allowed` strings (an enum); a near miss gets a suggestion:
    /// ``unknown model `wroker`; did you mean `worker`?``. The noun is the field name
    /// when the value is an object field with a plain name, else `value`.
    pub fn one_of<'s>(&self, allowed: &[&'s str]) -> Result<&'s str, LoadError> {
        let expected = one_of_list(allowed);
        let s = match self.node.value() {
            Value::String(s) => s,
            _ => return Err(self.wrong_type(&expected)),
        };
        if let Some(hit) = allowed.iter().find(|a| **a == s) {
            return Ok(hit);
        }
        // A field name reads as a noun ("unknown model"); anything else would garble
        // the sentence.
        let noun = self
            .path
            .last_key()
            .filter(|k| k.len() <= 30 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or("value");
        let mut message = format!("unknown {noun} {}", quoted(s));
        if let Some(near) = closest(s, allowed) {
            message.push_str(&format!("; did you mean {}?", quoted(near)));
        }
        Err(self.error_expected(message, expected))
    }
}

/// A number's literal, cut for messages.
fn cut_literal(n: &Number) -> String {
    let lit = n.literal();
    if lit.len() > 40 {
        format!("{}...", &lit[..40])
    } else {
        lit.to_string()
    }
}

impl<'a> ObjectReader<'a> {
    /// The object as a plain reader.
    pub fn as_reader(&self) -> &Reader<'a> {
        &self.reader
    }

    /// The object in the tree.
    pub fn object(&self) -> &'a Object {
        self.object
    }

    /// The field `key`, or `None` if absent. A field set to `null` is present: call
    /// [`Reader::is_null`] to treat it as absent, where that is meant.
    pub fn optional(&self, key: &str) -> Option<Reader<'a>> {
        let m = self.object.get(key)?;
        Some(self.field_reader(m.key(), m.value()))
    }

    fn field_reader(&self, key: &'a str, node: &'a Node) -> Reader<'a> {
        self.reader
            .child(node, Path::Key(self.reader.path.clone(), key))
    }

    /// The field `key`, or an error at the object (`missing field `seed``).
    pub fn required(&self, key: &str) -> Result<Reader<'a>, LoadError> {
        self.optional(key)
            .ok_or_else(|| self.reader.error(format!("missing field {}", quoted(key))))
    }

    /// The fields in source order, each with the position of its key.
    pub fn fields(&self) -> impl Iterator<Item = (&'a str, Span, Reader<'a>)> + '_ {
        self.object
            .members()
            .iter()
            .map(|m| (m.key(), m.key_span(), self.field_reader(m.key(), m.value())))
    }

    /// Rejects every field not in `allowed`, all in one error, each at its key, with a
    /// suggestion when a field is a near miss of an allowed one.
    pub fn deny_unknown_fields(&self, allowed: &[&str]) -> Result<(), LoadError> {
        let expected = one_of_list(allowed);
        let mut unknown = Vec::new();
        for (key, key_span, field) in self.fields() {
            if allowed.contains(&key) {
                continue;
            }
            let mut message = format!("unknown field {}", quoted(key));
            if let Some(near) = closest(key, allowed) {
                message.push_str(&format!("; did you mean {}?", quoted(near)));
            }
            unknown.push(
                Diagnostic::new(self.reader.doc.file(), message)
                    .with_span(key_span)
                    .with_path(field.path())
                    .with_expected(expected.clone()),
            );
        }
        match LoadError::from_diagnostics(unknown) {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

impl<'a> ArrayReader<'a> {
    /// The array as a plain reader.
    pub fn as_reader(&self) -> &Reader<'a> {
        &self.reader
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True if the array is `[]`.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The element at `index`.
    pub fn get(&self, index: usize) -> Option<Reader<'a>> {
        let node = self.items.get(index)?;
        Some(
            self.reader
                .child(node, Path::Index(self.reader.path.clone(), index)),
        )
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = Reader<'a>> + '_ {
        (0..self.items.len()).filter_map(|i| self.get(i))
    }
}
