//! Scenario files: the JSON format a user writes to describe a system, its faults and
//! its expectations.
//!
//! Bad input must never panic, never fall back to a silent default and never lose
//! information: every problem becomes a [`json::LoadError`] that names the file, the
//! JSON path and the line:column of the offending value. [`json`] is the layer that makes
//! that possible: a JSON parser that keeps every value's position, and a reader that
//! walks the tree while tracking the path.

pub mod json;
pub mod spec;
