//! Reading terms back from the Erlang syntax that [`Display`](std::fmt::Display)
//! writes, so that traces, fixtures and command lines can name terms as text.
//!
//! The parser is iterative: nesting costs heap, not stack, so no input can overflow
//! the stack, and the depth limit is a policy rather than a safety net.

use super::{Atom, Pid, Ref, Term};
use std::fmt;
use std::rc::Rc;
use std::str::FromStr;

/// The deepest nesting of tuples and lists [`parse_term`] accepts.
pub const MAX_PARSE_DEPTH: usize = 256;

/// Why text is not a term: where the parser stopped and what it expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermParseError {
    offset: usize,
    message: String,
}

impl TermParseError {
    fn new(offset: usize, message: impl Into<String>) -> TermParseError {
        TermParseError {
            offset,
            message: message.into(),
        }
    }

    /// The byte offset in the input where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What was expected there, for example ``expected `,` or `}`, found `]` ``.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TermParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for TermParseError {}

/// Parses one term written in Erlang syntax, as [`Term`]'s `Display` prints it.
///
/// Accepts whitespace between tokens, integers (negative too), atoms bare or quoted,
/// `<0.N.0>` pids (with slot `u32::MAX`: the slot is not printed, and pids compare by
/// serial), `#Ref<0.0.0.N>` references, tuples, lists, `<<"text">>` binaries, and a
/// bare `"text"` as a binary. Never panics; nesting deeper than [`MAX_PARSE_DEPTH`] is
/// an error.
pub fn parse_term(text: &str) -> Result<Term, TermParseError> {
    let mut p = Parser { src: text, pos: 0 };
    let term = p.term()?;
    p.skip_ws();
    if p.pos < text.len() {
        return Err(p.expected("end of input"));
    }
    Ok(term)
}

impl FromStr for Term {
    type Err = TermParseError;

    fn from_str(s: &str) -> Result<Term, TermParseError> {
        parse_term(s)
    }
}

impl FromStr for Pid {
    type Err = TermParseError;

    fn from_str(s: &str) -> Result<Pid, TermParseError> {
        parse_term(s)?
            .as_pid()
            .ok_or_else(|| TermParseError::new(0, "expected a pid like `<0.12.0>`"))
    }
}

impl FromStr for Ref {
    type Err = TermParseError;

    fn from_str(s: &str) -> Result<Ref, TermParseError> {
        parse_term(s)?
            .as_ref()
            .ok_or_else(|| TermParseError::new(0, "expected a reference like `#Ref<0.0.0.7>`"))
    }
}

/// A tuple or list still open: its closing byte and the elements read so far.
struct Open {
    close: u8,
    items: Vec<Term>,
}

impl Open {
    fn finish(self) -> Term {
        let items: Rc<[Term]> = self.items.into();
        if self.close == b'}' {
            Term::Tuple(items)
        } else {
            Term::List(items)
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn found(&self) -> String {
        match self.src[self.pos..].chars().next() {
            None => "end of input".to_string(),
            Some(c) => format!("`{}`", c.escape_debug()),
        }
    }

    fn expected(&self, what: &str) -> TermParseError {
        TermParseError::new(self.pos, format!("expected {what}, found {}", self.found()))
    }

    fn eat(&mut self, literal: &str) -> bool {
        if self.src[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            true
        } else {
            false
        }
    }

    fn term(&mut self) -> Result<Term, TermParseError> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            self.skip_ws();
            let mut value = match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if stack.len() == MAX_PARSE_DEPTH {
                        return Err(TermParseError::new(
                            self.pos,
                            format!("terms nested deeper than {MAX_PARSE_DEPTH} are not accepted"),
                        ));
                    }
                    self.pos += 1;
                    let close = if open == b'{' { b'}' } else { b']' };
                    let container = Open {
                        close,
                        items: Vec::new(),
                    };
                    self.skip_ws();
                    if self.peek() != Some(close) {
                        stack.push(container);
                        continue;
                    }
                    self.pos += 1;
                    container.finish()
                }
                _ => self.scalar()?,
            };
            // Attach the finished value to the innermost open container; closing that
            // container finishes another value, so keep going outwards.
            loop {
                let Some(mut open) = stack.pop() else {
                    return Ok(value);
                };
                open.items.push(value);
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        stack.push(open);
                        break;
                    }
                    Some(b) if b == open.close => {
                        self.pos += 1;
                        value = open.finish();
                    }
                    _ => return Err(self.expected(&format!("`,` or `{}`", open.close as char))),
                }
            }
        }
    }

    fn scalar(&mut self) -> Result<Term, TermParseError> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.int(),
            Some(b'a'..=b'z') => Ok(Term::Atom(Atom::new(self.bare_atom()))),
            Some(b'\'') => Ok(Term::Atom(Atom::new(&self.quoted(b'\'', "quoted atom")?))),
            Some(b'"') => Ok(Term::Bin(self.quoted(b'"', "string")?.into())),
            Some(b'<') if self.src[self.pos..].starts_with("<<") => self.binary(),
            Some(b'<') => self.pid(),
            Some(b'#') => self.reference(),
            Some(b'A'..=b'Z' | b'_') => Err(self.expected(
                "a term (an atom starting with an upper-case letter or `_` needs quotes)",
            )),
            _ => Err(self.expected("a term")),
        }
    }

    fn digits(&mut self) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    fn int(&mut self) -> Result<Term, TermParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if self.digits().is_empty() {
            return Err(self.expected("a digit"));
        }
        // Parsing the sign with the digits is what lets i64::MIN through.
        self.src[start..self.pos]
            .parse::<i64>()
            .map(Term::Int)
            .map_err(|_| TermParseError::new(start, "integer does not fit in 64 bits"))
    }

    fn bare_atom(&mut self) -> &str {
        let start = self.pos;
        self.pos += 1;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'@')
        {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    /// Reads `quote`-delimited text with Erlang's escapes; `what` names it in errors.
    fn quoted(&mut self, quote: u8, what: &str) -> Result<String, TermParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.src[self.pos..];
            let Some(i) = rest.bytes().position(|b| b == quote || b == b'\\') else {
                return Err(TermParseError::new(
                    start,
                    format!(
                        "unterminated {what}: expected a closing `{}`",
                        quote as char
                    ),
                ));
            };
            out.push_str(&rest[..i]);
            self.pos += i + 1;
            if rest.as_bytes()[i] == quote {
                return Ok(out);
            }
            let escape_at = self.pos - 1;
            let Some(c) = self.src[self.pos..].chars().next() else {
                return Err(TermParseError::new(
                    start,
                    format!("unterminated {what}: input ends inside an escape"),
                ));
            };
            out.push(match c {
                '\\' | '\'' | '"' => c,
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                's' => ' ',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'v' => '\u{b}',
                'e' => '\u{1b}',
                'd' => '\u{7f}',
                _ => {
                    return Err(TermParseError::new(
                        escape_at,
                        format!(
                            "expected an escape (one of \\\\ \\' \\\" \\n \\t \\r \\s \\b \\f \\v \\e \\d), found `\\{}`",
                            c.escape_debug()
                        ),
                    ))
                }
            });
            self.pos += c.len_utf8();
        }
    }

    fn binary(&mut self) -> Result<Term, TermParseError> {
        self.pos += 2;
        self.skip_ws();
        if self.eat(">>") {
            return Ok(Term::bin(""));
        }
        if self.peek() != Some(b'"') {
            return Err(self.expected("`\"` or `>>` in a binary"));
        }
        let text = self.quoted(b'"', "string")?;
        self.skip_ws();
        if !self.eat(">>") {
            return Err(self.expected("`>>` to close the binary"));
        }
        Ok(Term::Bin(text.into()))
    }

    /// Reads a decimal number of type `T` that must fit; `what` names it in errors.
    fn number<T: FromStr>(&mut self, what: &str) -> Result<T, TermParseError> {
        let start = self.pos;
        let digits = self.digits();
        if digits.is_empty() {
            return Err(self.expected(what));
        }
        digits
            .parse::<T>()
            .map_err(|_| TermParseError::new(start, format!("{what} is out of range")))
    }

    fn pid(&mut self) -> Result<Term, TermParseError> {
        if !self.eat("<0.") {
            return Err(self.expected("a pid like `<0.12.0>`"));
        }
        let serial = self.number::<u32>("the pid's serial number")?;
        if !self.eat(".0>") {
            return Err(self.expected("`.0>` to end the pid"));
        }
        Ok(Term::Pid(Pid::from_parts(u32::MAX, serial)))
    }

    fn reference(&mut self) -> Result<Term, TermParseError> {
        if self.eat("#Fun<") {
            let start = self.pos;
            while self
                .peek()
                .is_some_and(|b| super::fun::is_name_char(char::from(b)))
            {
                self.pos += 1;
            }
            let name = self.src[start..self.pos].to_string();
            if !self.eat(">") {
                return Err(self.expected("`>` to end the fun"));
            }
            return Ok(Term::Fun(super::Fun::named(&name)));
        }
        if !self.eat("#Ref<0.0.0.") {
            return Err(self.expected("a reference like `#Ref<0.0.0.7>`"));
        }
        let n = self.number::<u64>("the reference's number")?;
        if !self.eat(">") {
            return Err(self.expected("`>` to end the reference"));
        }
        Ok(Term::Ref(Ref(n)))
    }
}

#[cfg(test)]
mod tests;
