//! A parsed file: its name, its text and its value tree.

use super::error::{Diagnostic, LoadError};
use super::parse::{parse, Limits};
use super::reader::Reader;
use super::span::span_at;
use super::value::Node;

/// A JSON file, parsed: every value carries its position, and errors found while
/// reading it name the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    file: String,
    text: String,
    root: Node,
}

impl Document {
    /// Parses `text`, naming it `file` in errors, within the default [`Limits`].
    ///
    /// ```
    /// use otpsim::scenario::json::Document;
    ///
    /// let err = Document::parse("s.json", "{\n  \"seed\": 7,\n}").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "s.json:2:12: at $: trailing comma: JSON allows no `,` before `}`"
    /// );
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<Document, LoadError> {
        Document::parse_with(file, text, Limits::default())
    }

    /// Parses `text` within `limits`.
    pub fn parse_with(file: &str, text: &str, limits: Limits) -> Result<Document, LoadError> {
        let root = parse(file, text, limits)?;
        Ok(Document {
            file: file.to_string(),
            text: text.to_string(),
            root,
        })
    }

    /// Parses raw file contents, which must be UTF-8 (an invalid byte is reported at its
    /// line and column). `bytes` may be only the start of the file, read one byte past
    /// the limit, so its length is not quoted as the file's.
    pub fn from_bytes(file: &str, bytes: &[u8], limits: Limits) -> Result<Document, LoadError> {
        if bytes.len() > limits.max_bytes {
            let d = Diagnostic::new(file, "the file is too large")
                .with_expected(format!("at most {} bytes", limits.max_bytes));
            return Err(d.into());
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Document::parse_with(file, text, limits),
            Err(e) => {
                let good = e.valid_up_to();
                // The prefix is valid UTF-8, so positions can be counted on it.
                let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
                let mut span = span_at(prefix, good, 0);
                span.end = good + e.error_len().unwrap_or(1);
                let d = Diagnostic::new(
                    file,
                    format!("found the byte 0x{:02X}, which is not UTF-8", bytes[good]),
                )
                .with_span(span)
                .with_expected("UTF-8 text");
                Err(d.into())
            }
        }
    }

    /// The file name given to the parser.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The top-level value.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// A reader at the top-level value, path `$`.
    pub fn reader(&self) -> Reader<'_> {
        Reader::new(self)
    }

    /// `error` with the offending lines of this document quoted under carets.
    pub fn render(&self, error: &LoadError) -> String {
        error.render(&self.text)
    }
}
