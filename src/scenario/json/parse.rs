//! The parser: RFC 8259 JSON into a [`Node`] tree, iteratively, within limits.

use super::error::{quoted, Diagnostic, LoadError, Note};
use super::lex::Ctx;
use super::path::{push_index, push_key};
use super::span::{bom_len, Span};
use super::value::{Member, Node, Object, Value};
use std::collections::BTreeMap;

/// What a JSON value may start with, for "expected" messages.
pub(crate) const A_VALUE: &str =
    "a JSON value: an object, an array, a string, a number, `true`, `false` or `null`";

/// Bounds on what the parser accepts, so a hostile or broken file ends in an error,
/// never in a stack overflow or an out-of-memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The deepest nesting of arrays and objects (the top-level value is depth 1).
    pub max_depth: usize,
    /// The largest input, in bytes.
    pub max_bytes: usize,
}

impl Limits {
    /// The default nesting limit: far deeper than any scenario.
    pub const DEFAULT_MAX_DEPTH: usize = 128;
    /// The default size limit: 16 MiB, far larger than any hand-written scenario.
    pub const DEFAULT_MAX_BYTES: usize = 16 << 20;
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: Limits::DEFAULT_MAX_DEPTH,
            max_bytes: Limits::DEFAULT_MAX_BYTES,
        }
    }
}

/// An array or object still open, innermost last.
enum Frame {
    Array {
        start: Span,
        items: Vec<Node>,
    },
    Object {
        start: Span,
        members: Vec<Member>,
        /// Keys seen so far and where, to reject duplicates in O(log n).
        seen: BTreeMap<String, Span>,
        /// The key whose value is being parsed.
        key: Option<(String, Span)>,
    },
}

pub(super) struct Parser<'s> {
    pub(super) file: &'s str,
    pub(super) text: &'s str,
    pub(super) bytes: &'s [u8],
    pub(super) pos: usize,
    line: usize,
    /// A position on the current line whose column is known, so locating the next
    /// value counts only the characters since: linear overall, even on one long line.
    mark_pos: usize,
    mark_col: usize,
    stack: Vec<Frame>,
    limits: Limits,
    /// Iterations of the main loop; each consumes input, which the tests check.
    pub(super) steps: usize,
}

/// Parses `text` (named `file` in errors) into a value tree.
pub(crate) fn parse(file: &str, text: &str, limits: Limits) -> Result<Node, LoadError> {
    parse_counting_steps(file, text, limits).0
}

/// [`parse`], also returning how many main-loop iterations it took.
pub(super) fn parse_counting_steps(
    file: &str,
    text: &str,
    limits: Limits,
) -> (Result<Node, LoadError>, usize) {
    if text.len() > limits.max_bytes {
        let d = Diagnostic::new(file, format!("the file is {} bytes", text.len()))
            .with_expected(format!("at most {} bytes", limits.max_bytes));
        return (Err(d.into()), 0);
    }
    let start = bom_len(text);
    let mut p = Parser {
        file,
        text,
        bytes: text.as_bytes(),
        pos: start,
        line: 1,
        mark_pos: start,
        mark_col: 1,
        stack: Vec::new(),
        limits,
        steps: 0,
    };
    let result = p.run();
    (result, p.steps)
}

impl Frame {
    /// The finished container, now that its closing bracket ends before byte `end`.
    fn finish(self, end: usize) -> Node {
        match self {
            Frame::Array { start, items } => Node {
                span: Span { end, ..start },
                value: Value::Array(items),
            },
            Frame::Object { start, members, .. } => Node {
                span: Span { end, ..start },
                value: Value::Object(Object { members }),
            },
        }
    }
}

impl<'s> Parser<'s> {
    fn run(&mut self) -> Result<Node, LoadError> {
        'value: loop {
            self.steps += 1;
            self.skip_ws();
            let start = self.here();
            let mut done = match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if self.stack.len() >= self.limits.max_depth {
                        return Err(self
                            .error_at(self.pos, "arrays and objects are nested too deeply")
                            .with_expected(format!(
                                "at most {} levels of nesting",
                                self.limits.max_depth
                            ))
                            .into());
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        let value = if open == b'{' {
                            Value::Object(Object::default())
                        } else {
                            Value::Array(Vec::new())
                        };
                        self.node(start, value)
                    } else if open == b'{' {
                        self.stack.push(Frame::Object {
                            start,
                            members: Vec::new(),
                            seen: BTreeMap::new(),
                            key: None,
                        });
                        self.object_key(true)?;
                        continue 'value;
                    } else {
                        self.stack.push(Frame::Array {
                            start,
                            items: Vec::new(),
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let s = self.string()?;
                    self.node(start, Value::String(s))
                }
                Some(b'-' | b'0'..=b'9') => {
                    let n = self.number()?;
                    self.node(start, Value::Number(n))
                }
                _ => {
                    let word = self.word();
                    let value = match word {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        "null" => Value::Null,
                        _ => return Err(self.unexpected(self.pos, A_VALUE, Ctx::Value).into()),
                    };
                    self.pos += word.len();
                    self.node(start, value)
                }
            };
            // A value is complete: hand it to the innermost open container, closing
            // containers for as long as their closing bracket follows.
            loop {
                self.steps += 1;
                let Some(mut frame) = self.stack.pop() else {
                    self.skip_ws();
                    if self.pos < self.bytes.len() {
                        let e = self.unexpected(self.pos, "the end of the input", Ctx::Other);
                        return Err(e.with_path("$").into());
                    }
                    return Ok(done);
                };
                let is_array = match &mut frame {
                    Frame::Array { items, .. } => {
                        items.push(done);
                        true
                    }
                    Frame::Object { members, key, .. } => {
                        // Every object value is preceded by its key.
                        let (key, key_span) = key.take().unwrap_or_default();
                        members.push(Member {
                            key,
                            key_span,
                            value: done,
                        });
                        false
                    }
                };
                self.skip_ws();
                let close = if is_array { b']' } else { b'}' };
                if self.peek() == Some(close) {
                    self.pos += 1;
                    done = frame.finish(self.pos);
                    continue;
                }
                self.stack.push(frame);
                if self.peek() != Some(b',') {
                    let expected = if is_array { "`,` or `]`" } else { "`,` or `}`" };
                    let e = self.unexpected(self.pos, expected, Ctx::Other);
                    return Err(e.with_path(self.path(false)).into());
                }
                let comma = self.pos;
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(close) {
                    let msg = format!(
                        "trailing comma: JSON allows no `,` before `{}`",
                        close as char
                    );
                    let e = self.error_at(comma, msg);
                    return Err(e.with_path(self.path(false)).into());
                }
                if !is_array {
                    self.object_key(false)?;
                }
                continue 'value;
            }
        }
    }

    /// Reads `"key"` and `:` in the innermost object.
    fn object_key(&mut self, first: bool) -> Result<(), LoadError> {
        if self.peek() != Some(b'"') {
            let expected = if first {
                "a string key in double quotes, or `}`"
            } else {
                "a string key in double quotes"
            };
            let e = self.unexpected(self.pos, expected, Ctx::Key);
            return Err(e.with_path(self.path(false)).into());
        }
        let start = self.here();
        let key = self.string()?;
        let key_span = Span {
            end: self.pos,
            ..start
        };
        let mut path = self.path(false);
        push_key(&mut path, &key);
        if let Some(Frame::Object {
            seen, key: slot, ..
        }) = self.stack.last_mut()
        {
            if let Some(first) = seen.get(&key) {
                let note = Note {
                    span: *first,
                    path: Some(path.clone()),
                    message: "first defined".to_string(),
                };
                let d = Diagnostic::new(self.file, format!("duplicate key {}", quoted(&key)))
                    .with_span(key_span)
                    .with_path(path)
                    .with_note(note);
                return Err(d.into());
            }
            seen.insert(key.clone(), key_span);
            *slot = Some((key, key_span));
        }
        self.skip_ws();
        if self.peek() != Some(b':') {
            let e = self.unexpected(self.pos, "`:` after the key", Ctx::Other);
            return Err(e.with_path(path).into());
        }
        self.pos += 1;
        Ok(())
    }

    fn node(&self, start: Span, value: Value) -> Node {
        Node {
            span: Span {
                end: self.pos,
                ..start
            },
            value,
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.mark_pos = self.pos;
                    self.mark_col = 1;
                }
                _ => break,
            }
        }
    }

    /// The position of the current byte, located incrementally (it is never before the
    /// last located position, and never on an earlier line).
    fn here(&mut self) -> Span {
        let skipped = &self.bytes[self.mark_pos..self.pos];
        // Count characters: every byte except UTF-8 continuation bytes starts one.
        self.mark_col += skipped.iter().filter(|&&b| b & 0xC0 != 0x80).count();
        self.mark_pos = self.pos;
        Span {
            offset: self.pos,
            end: self.pos,
            line: self.line,
            column: self.mark_col,
        }
    }

    /// The run of ASCII letters, digits and `_` at the cursor (a keyword, or a bare
    /// word the user meant as one).
    fn word(&self) -> &'s str {
        let rest = &self.bytes[self.pos..];
        let n = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        &self.text[self.pos..self.pos + n]
    }

    /// The JSON path of the value being parsed (`with_last`) or of the innermost open
    /// container.
    pub(super) fn path(&self, with_last: bool) -> String {
        let mut out = String::from("$");
        let n = self.stack.len();
        let upto = if with_last { n } else { n.saturating_sub(1) };
        for frame in &self.stack[..upto] {
            match frame {
                Frame::Array { items, .. } => push_index(&mut out, items.len()),
                Frame::Object {
                    key: Some((k, _)), ..
                } => push_key(&mut out, k),
                Frame::Object { key: None, .. } => {}
            }
        }
        out
    }
}
