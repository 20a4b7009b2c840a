//! Paths inside model parameters: a load client's target, a breaker's dependency, the
//! supervisor a pool draws from. Models read them as plain paths (they cannot see the
//! tree); the loader checks that each names a node of the right kind.

use super::fields::quoted;
use super::paths::Known;
use super::targets::{check_target, describe, read_target};
use crate::scenario::json::{Errors, ObjectReader, Reader};
use crate::scenario::spec::{NodeKind, RegistryKeys, Target};

/// What a path parameter must name.
#[derive(Clone, Copy)]
enum Want {
    /// Any node, or a registry key.
    Any,
    Supervisor,
    DynamicSupervisor,
    TaskSupervisor,
    UniqueRegistry,
}

/// The path parameters of the built-in models: (model, parameter, what it names).
const PATH_PARAMS: &[(&str, &str, Want)] = &[
    ("load_client", "target", Want::Any),
    ("circuit_breaker", "dependency", Want::Any),
    ("conn_pool", "supervisor", Want::Supervisor),
    ("keyed", "registry", Want::UniqueRegistry),
    ("keyed", "dynamic_supervisor", Want::DynamicSupervisor),
    ("fanout", "task_supervisor", Want::TaskSupervisor),
];

/// Checks the path parameters of every model in the file: tree nodes, workload
/// clients and children added by `start_child` faults.
pub(super) fn check_model_refs(top: &ObjectReader<'_>, known: &Known<'_>, errors: &mut Errors) {
    let mut models = Vec::new();
    if let Some(root) = top
        .optional("app")
        .and_then(|a| a.expect_object().ok())
        .and_then(|a| a.optional("root"))
    {
        collect(&root, &mut models);
    }
    for item in array(top, "workload") {
        if let Ok(obj) = item.expect_object() {
            models.push(obj);
        }
    }
    for item in array(top, "faults") {
        let Ok(obj) = item.expect_object() else {
            continue;
        };
        let start = obj.optional("action").and_then(|a| a.expect_str().ok()) == Some("start_child");
        if let (true, Some(child)) = (start, obj.optional("child")) {
            collect(&child, &mut models);
        }
    }
    for obj in &models {
        check_model(obj, known, errors);
    }
}

fn array<'a>(obj: &ObjectReader<'a>, key: &str) -> Vec<Reader<'a>> {
    obj.optional(key)
        .and_then(|r| r.expect_array().ok().map(|a| a.iter().collect()))
        .unwrap_or_default()
}

/// Every model node at or under the node at `r`.
fn collect<'a>(r: &Reader<'a>, out: &mut Vec<ObjectReader<'a>>) {
    let Ok(obj) = r.expect_object() else { return };
    for child in array(&obj, "children") {
        collect(&child, out);
    }
    if let Some(child) = obj.optional("child") {
        collect(&child, out);
    }
    if obj.optional("model").is_some() {
        out.push(obj);
    }
}

fn check_model(obj: &ObjectReader<'_>, known: &Known<'_>, errors: &mut Errors) {
    let Some(name) = obj.optional("model").and_then(|m| m.expect_str().ok()) else {
        return;
    };
    let Some(params) = obj.optional("params").and_then(|p| p.expect_object().ok()) else {
        return;
    };
    for &(model, key, want) in PATH_PARAMS {
        if model != name {
            continue;
        }
        let Some(r) = params.optional(key) else {
            continue;
        };
        // A malformed value is the model's error, already reported.
        let Ok(target) = read_target(&r) else {
            continue;
        };
        if matches!(target, Target::RegistryKey { .. }) && !matches!(want, Want::Any) {
            continue;
        }
        match check_target(&r, &target, known, None) {
            Err(e) => errors.push(e),
            Ok(None) => {}
            Ok(Some(entry)) => {
                let (fits, what) = match want {
                    Want::Any => (true, ""),
                    Want::Supervisor => (
                        matches!(entry.node.kind, NodeKind::Supervisor { .. }),
                        "a `supervisor` node",
                    ),
                    Want::DynamicSupervisor => (
                        matches!(entry.node.kind, NodeKind::DynamicSupervisor { .. }),
                        "a `dynamic_supervisor` node",
                    ),
                    Want::TaskSupervisor => (
                        matches!(entry.node.kind, NodeKind::TaskSupervisor { .. }),
                        "a `task_supervisor` node",
                    ),
                    Want::UniqueRegistry => (
                        matches!(
                            entry.node.kind,
                            NodeKind::Registry {
                                keys: RegistryKeys::Unique,
                                ..
                            }
                        ),
                        "a `registry` node with unique keys",
                    ),
                };
                if !fits {
                    errors.push(r.error_expected(
                        format!("{} is {}", quoted(&entry.path), describe(entry)),
                        format!("the path of {what}"),
                    ));
                }
            }
        }
    }
}
