//! Strings, numbers and syntax error messages for the parser.

use super::error::{quoted, Diagnostic, LoadError};
use super::number::Number;
use super::parse::Parser;
use super::span::span_at;

/// What the parser was looking for when it failed, to pick a hint.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    /// The start of a value.
    Value,
    /// An object key.
    Key,
    /// Punctuation.
    Other,
}

const ESCAPES: &str = r#"one of `\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t` `\uXXXX`"#;

impl Parser<'_> {
    /// Reads the string whose opening quote is at the cursor; leaves the cursor after
    /// the closing quote.
    pub(super) fn string(&mut self) -> Result<String, LoadError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            // Byte-wise is safe: bytes of multi-byte characters are all >= 0x80, so
            // they never look like a quote, a backslash or a control character.
            match self.peek() {
                None => {
                    return Err(self
                        .error_at(open, "unterminated string")
                        .with_expected("a closing `\"`")
                        .into())
                }
                Some(b'"') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.pos]);
                    out.push(self.escape()?);
                    run = self.pos;
                }
                Some(b'\n') => {
                    return Err(self
                        .error_at(self.pos, "found a line break inside a string")
                        .with_expected("a closing `\"` before the end of the line, or `\\n`")
                        .into())
                }
                Some(b) if b < 0x20 => {
                    let msg = format!("found control character U+{b:04X} inside a string");
                    return Err(self
                        .error_at(self.pos, msg)
                        .with_expected("it escaped, as `\\t` or `\\u00XX`")
                        .into());
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Reads the escape sequence at the cursor (a backslash).
    fn escape(&mut self) -> Result<char, LoadError> {
        let at = self.pos;
        let c = match self.bytes.get(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(),
            Some(_) => {
                let next = self.text[at + 1..].chars().next().unwrap_or(' ');
                let mut bad = String::from("\\");
                bad.push(next);
                return Err(self
                    .error_at(at, format!("found invalid escape {}", quoted(&bad)))
                    .with_expected(ESCAPES)
                    .into());
            }
            None => {
                return Err(self
                    .error_at(at, "found the end of the input after `\\`")
                    .with_expected(ESCAPES)
                    .into())
            }
        };
        self.pos += 2;
        Ok(c)
    }

    /// Reads `\uXXXX`, or a surrogate pair `\uD8xx\uDCxx`, at the cursor.
    fn unicode_escape(&mut self) -> Result<char, LoadError> {
        let at = self.pos;
        let high = self.hex4(at)?;
        self.pos += 6;
        if !(0xD800..0xE000).contains(&high) {
            // Outside the surrogate range every code point is a char.
            return Ok(char::from_u32(high).unwrap_or('\u{fffd}'));
        }
        let lone = |p: &Self| {
            p.error_at(at, format!("found lone surrogate `\\u{high:04X}`"))
                .with_expected("a surrogate pair, a high one `\\uD800`-`\\uDBFF` then a low one `\\uDC00`-`\\uDFFF`")
        };
        if high >= 0xDC00 || self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
            return Err(lone(self).into());
        }
        let low = self.hex4(self.pos)?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(lone(self).into());
        }
        self.pos += 6;
        let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        Ok(char::from_u32(c).unwrap_or('\u{fffd}'))
    }

    /// The four hex digits after the `\u` at `at`.
    fn hex4(&self, at: usize) -> Result<u32, LoadError> {
        let digits = self.bytes.get(at + 2..at + 6);
        match digits {
            Some(d) if d.iter().all(u8::is_ascii_hexdigit) => Ok(d.iter().fold(0, |acc, &b| {
                acc * 16 + (b as char).to_digit(16).unwrap_or(0)
            })),
            _ => {
                let shown: String = self.text[at..].chars().take(6).collect();
                Err(self
                    .error_at(
                        at,
                        format!("found invalid unicode escape {}", quoted(&shown)),
                    )
                    .with_expected("`\\u` and four hex digits")
                    .into())
            }
        }
    }

    /// Reads the number at the cursor (`-` or a digit), checking RFC 8259's grammar.
    pub(super) fn number(&mut self) -> Result<Number, LoadError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(self
                        .error_at(start, "found a number with a leading zero")
                        .with_expected("no leading zeros, as in `7` or `0.7`")
                        .into());
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => {
                return Err(self
                    .unexpected(self.pos, "a digit after `-`", Ctx::Other)
                    .into())
            }
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self
                    .unexpected(self.pos, "a digit after `.`", Ctx::Other)
                    .into());
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self
                    .unexpected(self.pos, "a digit in the exponent", Ctx::Other)
                    .into());
            }
            self.digits();
        }
        Ok(Number::new(self.text[start..self.pos].to_string()))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// An error at byte `offset`, spanning the character there, with the path of the
    /// value being parsed (errors about a container's punctuation replace the path).
    pub(super) fn error_at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let len = self.text.get(offset..).and_then(|r| r.chars().next());
        Diagnostic::new(self.file, message)
            .with_span(span_at(self.text, offset, len.map_or(0, char::len_utf8)))
            .with_path(self.path(true))
    }

    /// `found X (expected ...)` at `offset`, with a hint for the usual non-JSON habits.
    pub(super) fn unexpected(&self, offset: usize, expected: &str, ctx: Ctx) -> Diagnostic {
        let rest = self.text.get(offset..).unwrap_or("");
        let word = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let (found, len) = match rest.chars().next() {
            None => ("the end of the input".to_string(), 0),
            Some(_) if word > 0 => (quoted(&rest[..word]), word),
            Some(c) => (quoted(c.encode_utf8(&mut [0; 4])), c.len_utf8()),
        };
        let hint = match rest.as_bytes().first() {
            Some(b'\'') => Some("JSON strings take double quotes"),
            Some(b'/' | b'#') => Some("JSON has no comments"),
            Some(b'+') if ctx == Ctx::Value => Some("JSON numbers take no `+`"),
            Some(b'.') if ctx == Ctx::Value => Some("JSON numbers need a digit before `.`"),
            _ if ctx == Ctx::Value && ["NaN", "Infinity"].contains(&&rest[..word]) => {
                Some("JSON has no NaN or infinity")
            }
            Some(b) if ctx == Ctx::Key && (b.is_ascii_alphabetic() || *b == b'_') => {
                Some("keys take double quotes")
            }
            _ => None,
        };
        let message = match hint {
            Some(h) => format!("found {found}: {h}"),
            None => format!("found {found}"),
        };
        Diagnostic::new(self.file, message)
            .with_span(span_at(self.text, offset, len))
            .with_path(self.path(true))
            .with_expected(expected)
    }
}
