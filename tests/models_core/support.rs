//! Helpers for the core model tests: parsing a model from JSON text, running a test
//! process in a recorded `Sim`, and reading model events back from the trace.

#![allow(dead_code)]

use otpsim::models::ModelEnv;

pub use crate::model_harness::{call, parse_error, run, spec, t, Ran};

/// A static tree child's environment at `path`, in application `app`.
pub fn env(path: &str) -> ModelEnv {
    ModelEnv::at_path(path, "app")
}

/// A workload client's environment: labelled `workload/<id>`, not registered.
pub fn client_env(id: &str) -> ModelEnv {
    ModelEnv {
        path: format!("workload/{id}"),
        name: None,
        app: "app".to_string(),
    }
}
