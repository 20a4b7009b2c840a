//! The list of built-in models: name, parameter parser, parameter schema, summary.

use super::Model;
use crate::scenario::json::{LoadError, Reader};
use std::rc::Rc;

/// One catalogued model.
pub struct ModelDef {
    /// The name a scenario writes in `"model"`.
    pub name: &'static str,
    /// One line on what it is, for `otpsim schema` and the docs.
    pub summary: &'static str,
    /// Reads the `"params"` object (`None` when absent).
    pub parse: fn(Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError>,
    /// A JSON Schema of the `"params"` object.
    pub schema: fn() -> serde_json::Value,
}

/// Every built-in model, in the order documentation lists them.
pub const CATALOG: &[ModelDef] = &[
    // --- core models (helper M1 adds entries here)
    // --- pattern models (helper M2 adds entries here)
];

/// The catalogued names, in order.
pub fn names() -> Vec<&'static str> {
    CATALOG.iter().map(|d| d.name).collect()
}

/// The model called `name`.
pub fn find(name: &str) -> Option<&'static ModelDef> {
    CATALOG.iter().find(|d| d.name == name)
}
