//! Load errors: what was wrong, in which file, at which JSON path and line:column.

use super::span::Span;
use std::fmt;

/// One problem found in an input file.
///
/// Displays as `FILE:LINE:COL: at $.json.path: message (expected ...)`, leaving out the
/// parts that do not apply (a file too large to read has no position and no path). A
/// [`Note`] (the first of two duplicates, say) follows as `; first defined at LINE:COL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file name, as given to the loader.
    pub file: String,
    /// Where the problem is, if it is somewhere in particular.
    pub span: Option<Span>,
    /// The JSON path of the offending value (`$.app.children[2].model`), if known.
    pub path: Option<String>,
    /// What is wrong (``unknown field `sed`; did you mean `seed`?``).
    pub message: String,
    /// What would have been accepted, if that can be said.
    pub expected: Option<String>,
    /// A second position that explains the first.
    pub note: Option<Note>,
}

/// A second position attached to a [`Diagnostic`], such as where a duplicate key was
/// first defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Where.
    pub span: Span,
    /// The JSON path there, if known.
    pub path: Option<String>,
    /// What is there (`first defined`).
    pub message: String,
}

/// Everything wrong with an input file: one [`Diagnostic`] or several, never none.
///
/// Displays one diagnostic per line. Bad input is an error value, never a panic; the
/// CLI prints it (with [`LoadError::render`] for the source lines) and exits with code 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
}

impl Diagnostic {
    /// A diagnostic with only a file and a message; add the rest with the `with_`
    /// methods.
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            span: None,
            path: None,
            message: message.into(),
            expected: None,
            note: None,
        }
    }

    /// Sets the position.
    pub fn with_span(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Sets the JSON path.
    pub fn with_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    /// Sets what would have been accepted.
    pub fn with_expected(mut self, expected: impl Into<String>) -> Diagnostic {
        self.expected = Some(expected.into());
        self
    }

    /// Attaches a second position.
    pub fn with_note(mut self, note: Note) -> Diagnostic {
        self.note = Some(note);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(span) = self.span {
            write!(f, ":{span}")?;
        }
        f.write_str(": ")?;
        if let Some(path) = &self.path {
            write!(f, "at {path}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected})")?;
        }
        if let Some(note) = &self.note {
            write!(f, "; {} at {}", note.message, note.span)?;
            if note.path.is_some() && note.path != self.path {
                write!(f, " ({})", note.path.as_deref().unwrap_or_default())?;
            }
        }
        Ok(())
    }
}

impl LoadError {
    /// The diagnostics, in the order found (source order where the loader walks in
    /// source order).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The first diagnostic.
    pub fn first(&self) -> &Diagnostic {
        // The constructors never make an empty list.
        &self.diagnostics[0]
    }

    /// Appends another error's diagnostics.
    pub fn extend(&mut self, other: LoadError) {
        self.diagnostics.extend(other.diagnostics);
    }

    /// Builds an error from diagnostics, or `None` if there are none.
    pub fn from_diagnostics(diagnostics: Vec<Diagnostic>) -> Option<LoadError> {
        (!diagnostics.is_empty()).then_some(LoadError { diagnostics })
    }
}

impl From<Diagnostic> for LoadError {
    fn from(d: Diagnostic) -> LoadError {
        LoadError {
            diagnostics: vec![d],
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Collects errors so a loader can go on after one and report them all at once.
///
/// ```
/// # use otpsim::scenario::json::{Document, Errors};
/// let doc = Document::parse("s.json", r#"{"seed": -1, "name": 7}"#).unwrap();
/// let obj = doc.reader().expect_object().unwrap();
/// let mut errors = Errors::new();
/// let seed = errors.check(obj.required("seed").and_then(|r| r.expect_u64()));
/// let name = errors.check(obj.required("name").and_then(|r| r.expect_str()));
/// assert_eq!((seed, name), (None, None));
/// let err = errors.finish().unwrap_err();
/// assert_eq!(err.diagnostics().len(), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Errors {
    diagnostics: Vec<Diagnostic>,
}

impl Errors {
    /// No errors yet.
    pub fn new() -> Errors {
        Errors::default()
    }

    /// Records an error.
    pub fn push(&mut self, error: LoadError) {
        self.diagnostics.extend(error.diagnostics);
    }

    /// The value of `result`, or `None` after recording its error.
    pub fn check<T>(&mut self, result: Result<T, LoadError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    /// True if nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// `Ok(())` if nothing was recorded, else everything recorded.
    pub fn finish(self) -> Result<(), LoadError> {
        match LoadError::from_diagnostics(self.diagnostics) {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// `Ok(value)` if nothing was recorded, else everything recorded.
    pub fn into_result<T>(self, value: T) -> Result<T, LoadError> {
        self.finish().map(|()| value)
    }
}

/// `text` in backticks for a message, with control characters escaped and long text
/// cut, so a hostile key cannot break the one-line format or flood the terminal.
pub(crate) fn quoted(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    let mut out = String::from("`");
    for (i, c) in text.chars().enumerate() {
        if i == MAX_CHARS {
            out.push_str("...");
            break;
        }
        if c == '`' {
            out.push_str("\\`");
        } else if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// `items` as `` `a`, `b` or `c` ``.
pub(crate) fn one_of_list(items: &[&str]) -> String {
    let q: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    match q.len() {
        0 => "nothing".to_string(),
        1 => q[0].clone(),
        n => format!("{} or {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(line: usize, column: usize) -> Span {
        Span {
            offset: 0,
            end: 1,
            line,
            column,
        }
    }

    #[test]
    fn display_has_file_position_path_message_and_expected() {
        let d = Diagnostic::new("s.json", "found a string")
            .with_span(span(3, 11))
            .with_path("$.seed")
            .with_expected("an integer");
        assert_eq!(
            d.to_string(),
            "s.json:3:11: at $.seed: found a string (expected an integer)"
        );
        assert_eq!(
            Diagnostic::new("s.json", "too big").to_string(),
            "s.json: too big"
        );
    }

    #[test]
    fn notes_show_their_path_only_when_it_differs() {
        let note = |path: &str| Note {
            span: span(2, 5),
            path: Some(path.to_string()),
            message: "first defined".into(),
        };
        let d = Diagnostic::new("f", "duplicate key `a`")
            .with_span(span(4, 5))
            .with_path("$.a");
        assert_eq!(
            d.clone().with_note(note("$.a")).to_string(),
            "f:4:5: at $.a: duplicate key `a`; first defined at 2:5"
        );
        assert_eq!(
            d.with_note(note("$[0].a")).to_string(),
            "f:4:5: at $.a: duplicate key `a`; first defined at 2:5 ($[0].a)"
        );
    }

    #[test]
    fn errors_collect_in_order_and_finish() {
        let mut errors = Errors::new();
        assert!(errors.is_empty());
        assert_eq!(errors.check::<u8>(Ok(1)), Some(1));
        assert_eq!(
            errors.check::<u8>(Err(Diagnostic::new("f", "one").into())),
            None
        );
        errors.push(Diagnostic::new("f", "two").into());
        let err = errors.into_result(()).unwrap_err();
        assert_eq!(err.to_string(), "f: one\nf: two");
        assert_eq!(err.first().message, "one");
        assert!(Errors::new().finish().is_ok());
        assert!(LoadError::from_diagnostics(vec![]).is_none());
    }

    #[test]
    fn quoting_escapes_and_truncates() {
        assert_eq!(quoted("seed"), "`seed`");
        assert_eq!(quoted("a\nb`"), "`a\\nb\\``");
        assert_eq!(quoted(&"x".repeat(100)), format!("`{}...`", "x".repeat(60)));
        assert_eq!(one_of_list(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(one_of_list(&["a"]), "`a`");
    }
}
