//! Scenario files: the JSON format a user writes to describe a system, its faults and
//! its expectations.
//!
//! Bad input must never panic, never fall back to a silent default and never lose
//! information: every problem becomes a [`json::LoadError`] that names the file, the
//! JSON path and the line:column of the offending value. [`json`] is the layer that makes
//! that possible: a JSON parser that keeps every value's position, and a reader that
//! walks the tree while tracking the path. [`load`] reads a file into a [`spec::Scenario`]
//! (the format is described in `docs/scenario-format.md`); [`schema`] describes the
//! format as a JSON Schema, and [`tree_draw`] draws a scenario's supervision tree.

pub mod build;
pub mod faults;
pub mod json;
pub mod load;
pub mod run;
pub mod schema;
pub mod spec;
pub mod to_json;
pub mod tree_draw;

pub use load::{load_document, load_file, load_str, pattern_matches};
pub use to_json::format_duration;
pub use tree_draw::TreeFormat;
