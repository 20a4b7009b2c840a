//! Tree nodes: the fields every node has (id, restart, shutdown, significant) and the
//! choice between a model leaf and a typed supervisor-like node.

use super::fields::{check_fields, opt, read_id};
use super::kinds::read_kind;
use crate::scenario::json::{closest, Errors, LoadError, ObjectReader, Reader, UniqueIds};
use crate::scenario::spec::{AutoShutdownSpec, Node, NodeKind, RestartSpec, ShutdownSpec};

/// The deepest tree: the root is level 1.
pub(super) const MAX_DEPTH: usize = 16;
/// The most children one supervisor may have.
pub(super) const MAX_CHILDREN: usize = 100_000;
/// The most nodes (partitions counted one by one) a tree may have.
pub(super) const MAX_NODES: u64 = 1_000_000;
/// A model's default shutdown budget.
pub(super) const DEFAULT_WORKER_SHUTDOWN_US: u64 = 5_000_000;

/// The node types a `"type"` field may name.
pub(super) const NODE_TYPES: &[&str] = &[
    "supervisor",
    "dynamic_supervisor",
    "task_supervisor",
    "partition_supervisor",
    "registry",
];

/// Fields every node has.
const COMMON: &[&str] = &["id", "restart", "shutdown", "significant"];

/// The fields of each kind of node, common ones included.
pub(super) fn fields_of(kind: &str) -> Vec<&'static str> {
    let own: &[&str] = match kind {
        "model" => &["model", "params"],
        "supervisor" => &[
            "type",
            "strategy",
            "max_restarts",
            "max_seconds",
            "auto_shutdown",
            "children",
        ],
        "dynamic_supervisor" => &[
            "type",
            "max_restarts",
            "max_seconds",
            "max_children",
            "children",
        ],
        "task_supervisor" => &["type", "max_restarts", "max_seconds", "max_children"],
        "partition_supervisor" => &[
            "type",
            "partitions",
            "strategy",
            "max_restarts",
            "max_seconds",
            "child",
        ],
        _ => &["type", "keys", "partitions"],
    };
    COMMON.iter().chain(own).copied().collect()
}

/// Every field any node may have, for telling a misplaced field from an unknown one.
fn all_node_fields() -> Vec<&'static str> {
    let mut all: Vec<&str> = Vec::new();
    for kind in std::iter::once("model").chain(NODE_TYPES.iter().copied()) {
        for f in fields_of(kind) {
            if !all.contains(&f) {
                all.push(f);
            }
        }
    }
    all
}

/// Who starts a node, which decides what it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::scenario) enum Parent {
    /// The application master starts the root.
    Application,
    /// A supervisor with this auto_shutdown.
    Supervisor(AutoShutdownSpec),
    /// A dynamic supervisor: models only.
    DynamicSupervisor,
    /// A partition supervisor: one model, copied per partition.
    PartitionSupervisor,
    /// A parent that could not be read; checks that need it are skipped.
    Unknown,
}

/// Counts nodes across the whole tree against [`MAX_NODES`].
#[derive(Default, Debug)]
pub(in crate::scenario) struct TreeCounter {
    nodes: u64,
    reported: bool,
}

impl TreeCounter {
    /// Counts `n` more nodes; false (after one error) once the tree is too large.
    pub(super) fn add(&mut self, n: u64, r: &Reader<'_>, errors: &mut Errors) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes <= MAX_NODES {
            return true;
        }
        if !self.reported {
            self.reported = true;
            errors.push(r.error_expected(
                format!("the tree has more than {MAX_NODES} nodes"),
                format!("at most {MAX_NODES} nodes, partitions counted one by one"),
            ));
        }
        false
    }
}

/// Reads one node at `depth` (the root is 1), recording every problem in `errors`;
/// `None` when the node has an error. `ids` checks the id against its siblings'.
pub(in crate::scenario) fn read_node<'a>(
    r: &Reader<'a>,
    depth: usize,
    parent: Parent,
    counter: &mut TreeCounter,
    errors: &mut Errors,
) -> Option<Node> {
    read_node_with_ids(r, depth, parent, counter, None, errors)
}

/// [`read_node`], checking the id against siblings' in `ids`.
pub(super) fn read_node_with_ids<'a>(
    r: &Reader<'a>,
    depth: usize,
    parent: Parent,
    counter: &mut TreeCounter,
    ids: Option<&mut UniqueIds<'a>>,
    errors: &mut Errors,
) -> Option<Node> {
    let obj = errors.check(r.expect_object())?;
    if depth > MAX_DEPTH {
        errors.push(r.error_expected(
            format!("the tree is more than {MAX_DEPTH} levels deep"),
            format!("at most {MAX_DEPTH} levels, the root being the first"),
        ));
        return None;
    }
    if !counter.add(1, r, errors) {
        return None;
    }
    let kind = node_kind_name(&obj, parent, errors);
    let id = read_node_id(&obj, parent, ids, errors);
    let kind = kind?;
    let all = all_node_fields();
    let owner = match kind {
        "model" => "a model node".to_string(),
        t => format!("a `{t}` node"),
    };
    let fields_ok = errors
        .check(check_fields(&obj, &fields_of(kind), &owner, &all))
        .is_some();
    let restart = opt(
        &obj,
        "restart",
        errors,
        RestartSpec::Permanent,
        read_restart,
    );
    let default_shutdown = match kind {
        "model" => ShutdownSpec::Timeout(DEFAULT_WORKER_SHUTDOWN_US),
        _ => ShutdownSpec::Infinity,
    };
    let shutdown = opt(&obj, "shutdown", errors, default_shutdown, read_shutdown);
    let significant = opt(&obj, "significant", errors, false, |s| {
        let yes = s.expect_bool()?;
        if yes {
            check_significant(s, parent, restart)?;
        }
        Ok(yes)
    });
    let kind = read_kind(&obj, kind, depth, counter, errors);
    let id = match (id, &kind) {
        (Some(Some(id)), _) => id,
        // A partition child's id is optional: partitions are numbered, not named.
        (Some(None), Some(NodeKind::Model(m))) => m.name.to_string(),
        _ => return None,
    };
    fields_ok.then_some(())?;
    Some(Node {
        id,
        restart: restart?,
        shutdown: shutdown?,
        significant: significant?,
        kind: kind?,
    })
}

/// `"model"` or the node's `"type"`, if it can be told; records why not.
fn node_kind_name(
    obj: &ObjectReader<'_>,
    parent: Parent,
    errors: &mut Errors,
) -> Option<&'static str> {
    let models_only = matches!(
        parent,
        Parent::DynamicSupervisor | Parent::PartitionSupervisor
    );
    match (obj.optional("model"), obj.optional("type")) {
        (Some(_), Some(t)) => {
            errors.push(t.error_expected(
                "a node has `model` or `type`, not both",
                "`model` for a model leaf, or `type` for a supervisor or registry",
            ));
            None
        }
        (Some(_), None) => Some("model"),
        (None, Some(t)) if models_only => {
            let who = match parent {
                Parent::DynamicSupervisor => "a dynamic supervisor's children",
                _ => "a partition supervisor's child",
            };
            errors.push(t.error_expected(
                format!("{who} must be models"),
                "a node with `model` and `params`",
            ));
            None
        }
        (None, Some(t)) => errors.check(t.one_of(NODE_TYPES)),
        (None, None) => {
            errors.push(obj.as_reader().error_expected(
                "missing field `model` or `type`",
                "`model` for a model leaf, or `type` for a supervisor or registry",
            ));
            None
        }
    }
}

/// The id (`Some(None)` when a partition child leaves it out).
fn read_node_id<'a>(
    obj: &ObjectReader<'a>,
    parent: Parent,
    ids: Option<&mut UniqueIds<'a>>,
    errors: &mut Errors,
) -> Option<Option<String>> {
    let r = match obj.optional("id") {
        None if parent == Parent::PartitionSupervisor => return Some(None),
        None => {
            errors.push(obj.as_reader().error("missing field `id`"));
            return None;
        }
        Some(r) => r,
    };
    let id = errors.check(read_id(&r))?;
    if let Some(ids) = ids {
        errors.check(ids.check(&r))?;
    }
    Some(Some(id.to_string()))
}

fn read_restart(r: &Reader<'_>) -> Result<RestartSpec, LoadError> {
    Ok(match r.one_of(&["permanent", "transient", "temporary"])? {
        "permanent" => RestartSpec::Permanent,
        "transient" => RestartSpec::Transient,
        _ => RestartSpec::Temporary,
    })
}

/// `"brutal_kill"`, `"infinity"` or a duration.
pub(super) fn read_shutdown(r: &Reader<'_>) -> Result<ShutdownSpec, LoadError> {
    if let Ok(s) = r.expect_str() {
        match s {
            "brutal_kill" => return Ok(ShutdownSpec::BrutalKill),
            "infinity" => return Ok(ShutdownSpec::Infinity),
            _ if !s.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {
                // A word, not a number: a misspelt keyword, not a malformed duration.
                let mut msg = format!("unknown shutdown {}", super::fields::quoted(s));
                if let Some(near) = closest(s, &["brutal_kill", "infinity"]) {
                    msg.push_str(&format!("; did you mean `{near}`?"));
                }
                return Err(r.error_expected(msg, "`brutal_kill`, `infinity` or a duration"));
            }
            _ => {}
        }
    }
    r.expect_duration_us().map(ShutdownSpec::Timeout)
}

/// OTP's two bad combinations for significant children (supervisor:check_childspec):
/// under a supervisor whose auto_shutdown is never, and with restart permanent.
fn check_significant(
    s: &Reader<'_>,
    parent: Parent,
    restart: Option<RestartSpec>,
) -> Result<(), LoadError> {
    match parent {
        Parent::Supervisor(AutoShutdownSpec::Never) => {
            return Err(s.error_expected(
                "a significant child under a supervisor whose auto_shutdown is `never`",
                "`\"auto_shutdown\": \"any_significant\"` or `\"all_significant\"` on the parent supervisor",
            ))
        }
        Parent::Supervisor(_) | Parent::Unknown => {}
        _ => {
            return Err(s.error_expected(
                "only a child of a `supervisor` node can be significant",
                "`\"significant\": false`",
            ))
        }
    }
    if restart == Some(RestartSpec::Permanent) {
        return Err(s.error_expected(
            "a significant child cannot be permanent",
            "`\"restart\": \"transient\"` or `\"temporary\"` on a significant child",
        ));
    }
    Ok(())
}
