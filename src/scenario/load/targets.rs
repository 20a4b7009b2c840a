//! Targets and patterns: reading them, and checking them against the tree.

use super::fields::{check_fields, quoted};
use super::paths::{Entry, Known, MAX_PATTERN_WORK};
use super::terms::read_term;
use crate::scenario::json::{Errors, LoadError, Reader};
use crate::scenario::spec::{NodeKind, RegistryKeys, Target};

/// Reads a target: a path string, or `{"registry": PATH, "key": TERM}`. Only the form
/// is checked here; [`check_target`] checks it against the tree.
pub(super) fn read_target(r: &Reader<'_>) -> Result<Target, LoadError> {
    if let Ok(s) = r.expect_str() {
        no_wildcards(r, s)?;
        return Ok(Target::Path(s.to_string()));
    }
    let obj = r.expect_object().map_err(|_| {
        r.wrong_type("a path string such as \"root/db\", or {\"registry\": PATH, \"key\": TERM}")
    })?;
    let mut errors = Errors::new();
    errors.check(check_fields(
        &obj,
        &["registry", "key"],
        "a registry target",
        &[],
    ));
    let registry = errors.check(obj.required("registry").and_then(|p| {
        let s = p.expect_str()?;
        no_wildcards(&p, s)?;
        Ok(s.to_string())
    }));
    let key = errors.check(obj.required("key").and_then(|k| read_term(&k)));
    match (registry, key) {
        (Some(registry), Some(key)) => errors.into_result(Target::RegistryKey { registry, key }),
        _ => Err(super::fields::failed(errors, r)),
    }
}

fn no_wildcards(r: &Reader<'_>, s: &str) -> Result<(), LoadError> {
    if s.contains('*') {
        return Err(r.error_expected(
            format!("{} is a pattern; a target names one node", quoted(s)),
            "a path without `*`, such as \"root/db\"",
        ));
    }
    Ok(())
}

/// The entry at the path `path` read at `r`, which must exist at `at_us` (a child that
/// a `start_child` fault adds exists from that fault's time on).
pub(super) fn check_path<'k, 's>(
    r: &Reader<'_>,
    path: &str,
    known: &'k Known<'s>,
    at_us: Option<u64>,
) -> Result<&'k Entry<'s>, LoadError> {
    let Some(entry) = known.get(path) else {
        let mut message = format!("unknown path {}", quoted(path));
        if let Some(near) = known.suggest(path) {
            message.push_str(&format!("; did you mean {}?", quoted(near)));
        }
        return Err(r.error_expected(
            message,
            format!(
                "the path of a node in the tree, such as {}",
                quoted(known.example())
            ),
        ));
    };
    match at_us {
        Some(at) if entry.from_us > at => Err(r.error_expected(
            format!(
                "{} is started by a `start_child` fault at {}, after this time ({})",
                quoted(path),
                super::names::duration(entry.from_us),
                super::names::duration(at)
            ),
            "a node that exists at this time",
        )),
        _ => Ok(entry),
    }
}

/// Checks a target against the tree: a path must exist (at `at_us`, if given); a
/// registry target must name a registry with unique keys. Returns the entry a path
/// names.
pub(super) fn check_target<'k, 's>(
    r: &Reader<'_>,
    target: &Target,
    known: &'k Known<'s>,
    at_us: Option<u64>,
) -> Result<Option<&'k Entry<'s>>, LoadError> {
    match target {
        Target::Path(p) => check_path(r, p, known, at_us).map(Some),
        Target::RegistryKey { registry, .. } => {
            let at = r
                .expect_object()
                .ok()
                .and_then(|o| o.optional("registry"))
                .unwrap_or_else(|| r.clone());
            let entry = check_path(&at, registry, known, at_us)?;
            match entry.node.kind {
                NodeKind::Registry {
                    keys: RegistryKeys::Unique,
                    ..
                } => Ok(None),
                NodeKind::Registry { .. } => Err(at.error_expected(
                    format!("the registry {} has duplicate keys", quoted(registry)),
                    "a registry with `\"keys\": \"unique\"`: only then does a key name one process",
                )),
                _ => Err(at.error_expected(
                    format!(
                        "{} is {}, not a registry",
                        quoted(registry),
                        describe(entry)
                    ),
                    "the path of a registry node",
                )),
            }
        }
    }
}

/// What a node is, in a few words: `a supervisor`, `the model `worker``.
pub(super) fn describe(entry: &Entry<'_>) -> String {
    match &entry.node.kind {
        NodeKind::Supervisor { .. } => "a supervisor".to_string(),
        NodeKind::DynamicSupervisor { .. } => "a dynamic supervisor".to_string(),
        NodeKind::TaskSupervisor { .. } => "a task supervisor".to_string(),
        NodeKind::PartitionSupervisor { .. } => "a partition supervisor".to_string(),
        NodeKind::Registry { .. } => "a registry".to_string(),
        NodeKind::Model(m) => format!("a `{}` model", m.name),
    }
}

/// Reads a path pattern (`root/db/*`, `root/db/**`): segments are ids or `*`, with an
/// optional trailing `**`. With the tree known, it must match at least one node, or be
/// `P/*` where `P` matches a dynamic or task supervisor (whose children are started
/// at run time, so cannot be listed).
pub(super) fn read_pattern(r: &Reader<'_>, known: Option<&Known<'_>>) -> Result<String, LoadError> {
    let s = r.expect_str()?;
    let expected =
        "a path whose segments are ids or `*`, optionally ending in `/**`, such as \"root/db/*\"";
    let segments: Vec<&str> = s.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let ok = *seg == "*"
            || (*seg == "**" && last)
            || (!seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
        if !ok {
            return Err(r.error_expected(
                format!("invalid pattern {}: bad segment {}", quoted(s), quoted(seg)),
                expected,
            ));
        }
    }
    let Some(known) = known else {
        return Ok(s.to_string());
    };
    let costly = |_| {
        r.error_expected(
            format!("checking {} would compare too many paths", quoted(s)),
            format!(
                "patterns checked with at most {MAX_PATTERN_WORK} path comparisons in all: fewer patterns, or a literal prefix such as `root/db/*`"
            ),
        )
    };
    if known.find_match(s, |_| true).map_err(costly)?.is_some() {
        return Ok(s.to_string());
    }
    if let Some((parent, "*")) = s.rsplit_once('/') {
        let dynamic = known
            .find_match(parent, |e| {
                matches!(
                    e.node.kind,
                    NodeKind::DynamicSupervisor { .. } | NodeKind::TaskSupervisor { .. }
                )
            })
            .map_err(costly)?;
        if dynamic.is_some() {
            return Ok(s.to_string());
        }
    }
    let mut message = format!("the pattern {} matches no node", quoted(s));
    if !s.contains('*') {
        if let Some(near) = known.suggest(s) {
            message.push_str(&format!("; did you mean {}?", quoted(near)));
        }
    }
    Err(r.error_expected(
        message,
        format!(
            "a pattern matching paths of the tree, such as {}",
            quoted(known.example())
        ),
    ))
}
