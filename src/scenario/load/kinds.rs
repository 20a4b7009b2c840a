//! What a node is: the fields of a model leaf, a supervisor, a dynamic, task or
//! partition supervisor, or a registry.

use super::fields::{bounded, opt, req};
use super::tree::{read_node, read_node_with_ids, Parent, TreeCounter, MAX_CHILDREN};
use crate::models::ModelSpec;
use crate::scenario::json::{Errors, LoadError, ObjectReader, Reader, UniqueIds};
use crate::scenario::spec::{
    AutoShutdownSpec, Intensity, Node, NodeKind, RegistryKeys, StrategySpec,
};

/// The largest `max_restarts` and `max_seconds`.
pub(super) const MAX_INTENSITY: u64 = 1_000_000;
/// The most partitions of a partition supervisor or registry.
pub(super) const MAX_PARTITIONS: u64 = 1024;
/// The largest `max_children` (the most processes a run may have).
pub(super) const MAX_MAX_CHILDREN: u64 = 10_000_000;

/// Reads the kind-specific fields of a node whose kind is `kind` (`"model"` or a
/// `"type"`).
pub(super) fn read_kind(
    obj: &ObjectReader<'_>,
    kind: &str,
    depth: usize,
    counter: &mut TreeCounter,
    errors: &mut Errors,
) -> Option<NodeKind> {
    match kind {
        "model" => {
            let params = obj.optional("params");
            req(obj, "model", errors, |m| {
                ModelSpec::parse(m, params.as_ref())
            })
            .map(NodeKind::Model)
        }
        "supervisor" => {
            let strategy = opt(
                obj,
                "strategy",
                errors,
                StrategySpec::OneForOne,
                read_strategy,
            );
            let intensity = read_intensity(obj, errors);
            let auto_shutdown = opt(obj, "auto_shutdown", errors, AutoShutdownSpec::Never, |r| {
                Ok(
                    match r.one_of(&["never", "any_significant", "all_significant"])? {
                        "never" => AutoShutdownSpec::Never,
                        "any_significant" => AutoShutdownSpec::AnySignificant,
                        _ => AutoShutdownSpec::AllSignificant,
                    },
                )
            });
            let parent = auto_shutdown.map_or(Parent::Unknown, Parent::Supervisor);
            let children = match obj.required("children") {
                Ok(r) => read_children(&r, depth, parent, counter, errors),
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            Some(NodeKind::Supervisor {
                strategy: strategy?,
                intensity: intensity?,
                auto_shutdown: auto_shutdown?,
                children: children?,
            })
        }
        "dynamic_supervisor" => {
            let intensity = read_intensity(obj, errors);
            let max_children = opt(obj, "max_children", errors, None, read_max_children);
            let children = match obj.optional("children") {
                Some(r) => read_children(&r, depth, Parent::DynamicSupervisor, counter, errors),
                None => Some(Vec::new()),
            };
            Some(NodeKind::DynamicSupervisor {
                intensity: intensity?,
                max_children: max_children?,
                children: children?,
            })
        }
        "task_supervisor" => {
            let intensity = read_intensity(obj, errors);
            let max_children = opt(obj, "max_children", errors, None, read_max_children);
            Some(NodeKind::TaskSupervisor {
                intensity: intensity?,
                max_children: max_children?,
            })
        }
        "partition_supervisor" => {
            let partitions = req(obj, "partitions", errors, read_partitions);
            let strategy = opt(
                obj,
                "strategy",
                errors,
                StrategySpec::OneForOne,
                read_strategy,
            );
            let intensity = read_intensity(obj, errors);
            let child = match obj.required("child") {
                Ok(r) => read_node(&r, depth + 1, Parent::PartitionSupervisor, counter, errors),
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            let partitions = partitions?;
            // Partitions beyond the first count as nodes of their own.
            if !counter.add(
                u64::from(partitions).saturating_sub(1),
                obj.as_reader(),
                errors,
            ) {
                return None;
            }
            Some(NodeKind::PartitionSupervisor {
                partitions,
                child: Box::new(child?),
                strategy: strategy?,
                intensity: intensity?,
            })
        }
        _ => {
            let keys = req(obj, "keys", errors, |r| {
                Ok(match r.one_of(&["unique", "duplicate"])? {
                    "unique" => RegistryKeys::Unique,
                    _ => RegistryKeys::Duplicate,
                })
            });
            let partitions = opt(obj, "partitions", errors, 1, read_partitions);
            Some(NodeKind::Registry {
                keys: keys?,
                partitions: partitions?,
            })
        }
    }
}

/// A children array: at most [`MAX_CHILDREN`], ids unique among them.
fn read_children(
    r: &Reader<'_>,
    depth: usize,
    parent: Parent,
    counter: &mut TreeCounter,
    errors: &mut Errors,
) -> Option<Vec<Node>> {
    let items = errors.check(r.expect_array())?;
    if items.len() > MAX_CHILDREN {
        errors.push(r.error_expected(
            format!("{} children", items.len()),
            format!("at most {MAX_CHILDREN} children per supervisor"),
        ));
        return None;
    }
    let mut ids = UniqueIds::new("child id");
    let mut children = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items.iter() {
        match read_node_with_ids(&item, depth + 1, parent, counter, Some(&mut ids), errors) {
            Some(n) => children.push(n),
            None => ok = false,
        }
    }
    ok.then_some(children)
}

fn read_strategy(r: &Reader<'_>) -> Result<StrategySpec, LoadError> {
    Ok(
        match r.one_of(&["one_for_one", "one_for_all", "rest_for_one"])? {
            "one_for_one" => StrategySpec::OneForOne,
            "one_for_all" => StrategySpec::OneForAll,
            _ => StrategySpec::RestForOne,
        },
    )
}

/// `max_restarts` (default 3) and `max_seconds` (default 5, at least 1).
fn read_intensity(obj: &ObjectReader<'_>, errors: &mut Errors) -> Option<Intensity> {
    let max_restarts = opt(obj, "max_restarts", errors, 3, |r| {
        bounded(r, 0, MAX_INTENSITY)
    });
    let max_seconds = opt(obj, "max_seconds", errors, 5, |r| {
        bounded(r, 1, MAX_INTENSITY)
    });
    // Both are bounded by MAX_INTENSITY, far below u32::MAX.
    Some(Intensity {
        max_restarts: max_restarts? as u32,
        max_seconds: max_seconds? as u32,
    })
}

/// A positive integer or `"infinity"` (`None`).
fn read_max_children(r: &Reader<'_>) -> Result<Option<u32>, LoadError> {
    if r.expect_str().is_ok() {
        r.one_of(&["infinity"])?;
        return Ok(None);
    }
    // Bounded by MAX_MAX_CHILDREN, far below u32::MAX.
    Ok(Some(bounded(r, 1, MAX_MAX_CHILDREN)? as u32))
}

fn read_partitions(r: &Reader<'_>) -> Result<u32, LoadError> {
    Ok(bounded(r, 1, MAX_PARTITIONS)? as u32)
}
