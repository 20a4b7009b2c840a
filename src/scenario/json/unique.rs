//! Duplicate ids across a document, reported with both positions.

use super::error::{quoted, LoadError, Note};
use super::reader::Reader;
use super::span::Span;
use std::collections::BTreeMap;

/// Detects duplicate ids (child ids, process names) across a document, reporting both
/// positions.
///
/// ```
/// # use otpsim::scenario::json::{Document, UniqueIds};
/// let doc = Document::parse("s.json", r#"[{"id": "db"}, {"id": "db"}]"#).unwrap();
/// let mut ids = UniqueIds::new("id");
/// let items = doc.reader().expect_array().unwrap();
/// let mut results = items.iter().map(|c| {
///     ids.check(&c.expect_object()?.required("id")?)
/// });
/// assert_eq!(results.next().unwrap().unwrap(), "db");
/// assert_eq!(
///     results.next().unwrap().unwrap_err().to_string(),
///     "s.json:1:23: at $[1].id: duplicate id `db`; first defined at 1:9 ($[0].id)"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct UniqueIds<'a> {
    what: String,
    seen: BTreeMap<&'a str, (Span, String)>,
}

impl<'a> UniqueIds<'a> {
    /// A detector for ids called `what` in messages (`id`, `name`).
    pub fn new(what: &str) -> UniqueIds<'a> {
        UniqueIds {
            what: what.to_string(),
            seen: BTreeMap::new(),
        }
    }

    /// The string at `id`, or an error if it is not a string or was seen before.
    pub fn check(&mut self, id: &Reader<'a>) -> Result<&'a str, LoadError> {
        let s = id.expect_str()?;
        if let Some((span, path)) = self.seen.get(s) {
            let note = Note {
                span: *span,
                path: Some(path.clone()),
                message: "first defined".to_string(),
            };
            let d = id
                .diagnostic(format!("duplicate {} {}", self.what, quoted(s)))
                .with_note(note);
            return Err(d.into());
        }
        self.seen.insert(s, (id.span(), id.path()));
        Ok(s)
    }
}
