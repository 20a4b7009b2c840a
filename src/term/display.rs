//! Erlang syntax for terms, as `io:format("~p")` would print them (without line breaks):
//! `{shutdown,{failed_to_start_child,db,boom}}`, `<0.12.0>`, `#Ref<0.0.0.7>`, `<<"text">>`.

use super::{Atom, Pid, Ref, Term};
use std::fmt::{self, Display, Formatter, Write};

/// True when an atom can be written without quotes: a lower-case letter, then letters,
/// digits, `_` or `@`.
pub(crate) fn atom_needs_quotes(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() => {}
        _ => return true,
    }
    !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@')
}

fn write_escaped(f: &mut Formatter<'_>, text: &str, quote: char) -> fmt::Result {
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c if c == quote => {
                f.write_char('\\')?;
                f.write_char(c)?
            }
            c => f.write_char(c)?,
        }
    }
    Ok(())
}

/// Writes an atom, quoted when Erlang would quote it.
pub(crate) fn write_atom(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if atom_needs_quotes(name) {
        f.write_char('\'')?;
        write_escaped(f, name, '\'')?;
        f.write_char('\'')
    } else {
        f.write_str(name)
    }
}

fn write_seq(f: &mut Formatter<'_>, items: &[Term]) -> fmt::Result {
    for (i, t) in items.iter().enumerate() {
        if i > 0 {
            f.write_char(',')?;
        }
        Display::fmt(t, f)?;
    }
    Ok(())
}

impl Display for Pid {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "<0.{}.0>", self.serial)
    }
}

impl Display for Ref {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "#Ref<0.0.0.{}>", self.0)
    }
}

impl Display for Term {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Term::Int(i) => write!(f, "{i}"),
            Term::Atom(a) => write_atom(f, Atom::as_str(a)),
            Term::Ref(r) => Display::fmt(r, f),
            Term::Pid(p) => Display::fmt(p, f),
            Term::Tuple(items) => {
                f.write_char('{')?;
                write_seq(f, items)?;
                f.write_char('}')
            }
            Term::List(items) => {
                f.write_char('[')?;
                write_seq(f, items)?;
                f.write_char(']')
            }
            Term::Fun(fun) => write!(f, "#Fun<{}>", fun.name()),
            Term::Bin(text) => {
                f.write_str("<<\"")?;
                write_escaped(f, text, '"')?;
                f.write_str("\">>")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::term::{atom, Pid, Term};

    #[test]
    fn prints_like_erlang() {
        let t = Term::tuple_of([
            atom("shutdown"),
            Term::tuple_of([atom("failed_to_start_child"), atom("db"), Term::Int(-3)]),
        ]);
        assert_eq!(t.to_string(), "{shutdown,{failed_to_start_child,db,-3}}");
        assert_eq!(atom("EXIT").to_string(), "'EXIT'");
        assert_eq!(atom("it's").to_string(), "'it\\'s'");
        assert_eq!(Term::bin("a\"b").to_string(), "<<\"a\\\"b\">>");
        assert_eq!(Term::Pid(Pid::from_parts(0, 12)).to_string(), "<0.12.0>");
        assert_eq!(Term::list([Term::Int(1), atom("b")]).to_string(), "[1,b]");
    }
}
