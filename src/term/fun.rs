//! Funs: Rust values carried inside terms, as Erlang messages carry funs.
//!
//! Agent sends the function to run inside the agent process; a hot code upgrade sends
//! the new code to the server. A fun is known to the trace only by its name
//! (`#Fun<agent.update>`): equality, order, hashing and the fingerprint use the name,
//! and a fun read back from a trace file has no payload.

use std::any::Any;
use std::rc::Rc;

/// A named, opaque value inside a term.
#[derive(Clone)]
pub struct Fun(Rc<Inner>);

/// Behind one pointer, so a fun does not make every [`crate::term::Term`] larger.
struct Inner {
    name: Box<str>,
    payload: Option<Rc<dyn Any>>,
}

impl Fun {
    /// A fun called `name` carrying `payload`.
    pub fn new<T: 'static>(name: &str, payload: T) -> Fun {
        Fun(Rc::new(Inner {
            name: name.into(),
            payload: Some(Rc::new(payload)),
        }))
    }

    /// A fun with a name only, as read back from a trace.
    pub fn named(name: &str) -> Fun {
        Fun(Rc::new(Inner {
            name: name.into(),
            payload: None,
        }))
    }

    /// The fun's name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The payload, if it is a `T`.
    pub fn payload<T: 'static>(&self) -> Option<Rc<T>> {
        self.0.payload.clone()?.downcast::<T>().ok()
    }
}

impl std::fmt::Debug for Fun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#Fun<{}>", self.name())
    }
}

impl PartialEq for Fun {
    fn eq(&self, other: &Fun) -> bool {
        self.name() == other.name()
    }
}
impl Eq for Fun {}
impl PartialOrd for Fun {
    fn partial_cmp(&self, other: &Fun) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Fun {
    fn cmp(&self, other: &Fun) -> std::cmp::Ordering {
        self.name().cmp(other.name())
    }
}

/// True for the characters a fun name may use, so `#Fun<name>` parses back.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-')
}

#[cfg(test)]
mod tests {
    use crate::term::{parse_term, Term};

    #[test]
    fn funs_print_parse_and_compare_by_name() {
        let f = Term::fun("agent.update", 41i64);
        assert_eq!(f.to_string(), "#Fun<agent.update>");
        let back = parse_term("#Fun<agent.update>").expect("parses");
        assert_eq!(back, f);
        assert_eq!(
            f.as_fun().and_then(|f| f.payload::<i64>()).map(|v| *v),
            Some(41)
        );
        assert!(back.as_fun().and_then(|f| f.payload::<i64>()).is_none());
    }
}
