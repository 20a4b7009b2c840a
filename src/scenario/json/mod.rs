//! JSON that remembers where everything is, and a reader that turns mistakes in it into
//! precise errors.
//!
//! serde_json reports positions for syntax errors only; a scenario loader must also say
//! where an unknown model name, a negative duration or a duplicate id is. So this module
//! parses JSON (RFC 8259) into a [`Node`] tree in which every value and every object key
//! carries its [`Span`], and offers a [`Reader`] that walks the tree while tracking the
//! JSON path. Every check fails with a [`LoadError`] that displays as
//! `FILE:LINE:COL: at $.json.path: message (expected ...)`.
//!
//! ```
//! use otpsim::scenario::json::{Document, Errors};
//!
//! let text = r#"{
//!   "name": "demo",
//!   "sed": 7,
//!   "app": {"children": [{"id": "db", "model": "wroker", "timeout": "-5s"}]}
//! }"#;
//! let doc = Document::parse("demo.json", text).unwrap();
//! let top = doc.reader().expect_object().unwrap();
//! let mut errors = Errors::new();
//! errors.check(top.deny_unknown_fields(&["name", "seed", "app"]));
//! let app = top.required("app").and_then(|a| a.expect_object()).unwrap();
//! for child in app.required("children").and_then(|c| c.expect_array()).unwrap().iter() {
//!     let child = child.expect_object().unwrap();
//!     errors.check(child.required("model").and_then(|m| m.one_of(&["worker", "counter"])));
//!     errors.check(child.required("timeout").and_then(|t| t.expect_duration_us()));
//! }
//! let err = errors.finish().unwrap_err();
//! assert_eq!(err.to_string(), "\
//! demo.json:3:3: at $.sed: unknown field `sed`; did you mean `seed`? (expected `name`, `seed` or `app`)
//! demo.json:4:46: at $.app.children[0].model: unknown model `wroker`; did you mean `worker`? (expected `worker` or `counter`)
//! demo.json:4:67: at $.app.children[0].timeout: negative duration `-5s` (expected a duration: an integer number of milliseconds, or a string such as \"250us\", \"150ms\", \"1.5s\", \"2m\" or \"1h\")");
//! ```

mod document;
mod error;
mod lex;
mod number;
mod parse;
mod path;
mod reader;
mod render;
mod span;
mod suggest;
mod unique;
mod units;
mod value;

pub use document::Document;
pub(crate) use error::{one_of_list, quoted};
pub use error::{Diagnostic, Errors, LoadError, Note};
pub use number::{Number, NumberError};
pub use parse::Limits;
pub use reader::{ArrayReader, ObjectReader, Reader};
pub use span::Span;
pub use suggest::{closest, edit_distance};
pub use unique::UniqueIds;
pub use units::{parse_duration_us, DurationError, DURATION_FORMS};
pub use value::{Member, Node, Object, Value};

#[cfg(test)]
mod parse_tests;
