//! `"faults"`: scheduled faults (at a time, to a target) and random ones (a Poisson
//! process per target matched by patterns).
//!
//! Targets are checked after every fault is read, because a `start_child` fault adds
//! paths that faults anywhere in the file (at a later time) may name.

use super::actions::{read_action, ACTIONS, ACTION_FIELDS, RANDOM_ACTIONS};
use super::fields::{check_fields, failed, positive_duration_us, quoted, time_before_end_us};
use super::paths::Known;
use super::targets::{check_target, describe, read_pattern, read_target};
use super::top::Header;
use crate::scenario::json::{Errors, LoadError, ObjectReader, Reader};
use crate::scenario::spec::{FaultAction, FaultSpec, NodeKind, SupervisorCall, Target};

const SCHEDULED_FIELDS: &[&str] = &["at", "target", "action"];
/// The most sibling ids a bad supervisor call's message considers.
const MAX_LISTED_CHILDREN: usize = 4096;
const RANDOM_FIELDS: &[&str] = &["random", "targets", "mtbf"];

/// A target check that waits until every `start_child` fault is known.
struct Deferred<'a> {
    at: Reader<'a>,
    target: Target,
    at_us: u64,
    action: FaultAction,
    /// The fault's object, for pointing at its other fields.
    fault: ObjectReader<'a>,
}

/// Reads `"faults"`; `known` is the tree's paths, `None` when the tree did not load.
pub(super) fn read_faults(
    top: &ObjectReader<'_>,
    header: &Header,
    known: Option<&Known<'_>>,
    errors: &mut Errors,
) -> Option<Vec<FaultSpec>> {
    let Some(r) = top.optional("faults") else {
        return Some(Vec::new());
    };
    let items = errors.check(r.expect_array())?;
    let mut faults = Vec::with_capacity(items.len());
    let mut deferred = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        let fault = errors.check(item.expect_object()).and_then(|obj| {
            if obj.optional("random").is_some() {
                read_random(&obj, known, errors)
            } else {
                read_scheduled(&obj, header, known, &mut deferred, errors)
            }
        });
        match fault {
            Some(f) => faults.push(f),
            None => ok = false,
        }
    }
    if let Some(known) = known {
        let known = known.clone().with_started_children(&faults);
        for d in &deferred {
            errors.check(check_deferred(d, &known));
        }
    }
    ok.then_some(faults)
}

fn read_scheduled<'a>(
    obj: &ObjectReader<'a>,
    header: &Header,
    known: Option<&Known<'_>>,
    deferred: &mut Vec<Deferred<'a>>,
    errors: &mut Errors,
) -> Option<FaultSpec> {
    let action_name = errors.check(obj.required("action").and_then(|a| a.one_of(ACTIONS)));
    let mut elsewhere: Vec<&str> = RANDOM_FIELDS.to_vec();
    elsewhere.extend(ACTION_FIELDS);
    let allowed: Vec<&str> = match action_name {
        Some(a) => SCHEDULED_FIELDS
            .iter()
            .chain(super::actions::fields_of(a))
            .copied()
            .collect(),
        // The action is unknown: its fields cannot be told from misplaced ones.
        None => SCHEDULED_FIELDS
            .iter()
            .chain(ACTION_FIELDS)
            .copied()
            .collect(),
    };
    let owner = format!("a `{}` fault", action_name.unwrap_or("scheduled"));
    let fields_ok = errors.check(check_fields(obj, &allowed, &owner, &elsewhere));
    let at_us = errors.check(
        obj.required("at")
            .and_then(|r| time_before_end_us(&r, header.duration_us)),
    );
    let target_at = errors.check(obj.required("target"));
    let target = target_at
        .as_ref()
        .and_then(|t| errors.check(read_target(t)));
    let start_parent = match (action_name, &target, known) {
        (Some("start_child"), Some(t), Some(k)) => {
            let at = target_at.as_ref()?;
            Some(errors.check(start_child_parent(at, t, k))?)
        }
        _ => None,
    };
    let action = read_action(obj, action_name?, start_parent, errors)?;
    fields_ok?;
    let (at_us, target, target_at) = (at_us?, target?, target_at?);
    // start_child targets were checked above, against the tree built at start.
    if !matches!(
        action,
        FaultAction::SupervisorCall {
            call: SupervisorCall::StartChild,
            ..
        }
    ) {
        deferred.push(Deferred {
            at: target_at,
            target: target.clone(),
            at_us,
            action: action.clone(),
            fault: obj.clone(),
        });
    }
    Some(FaultSpec::Scheduled {
        at_us,
        target,
        action,
    })
}

/// The target of a `start_child`: a supervisor (any node may be added) or a dynamic
/// supervisor (models only), given as a path; returns the new child's depth and its
/// parent.
fn start_child_parent(
    at: &Reader<'_>,
    target: &Target,
    known: &Known<'_>,
) -> Result<(usize, super::tree::Parent), LoadError> {
    use super::tree::Parent;
    let Some(entry) = check_target(at, target, known, None)? else {
        return Err(at.error_expected(
            "`start_child` needs a supervisor named by its path",
            "the path of a `supervisor` or `dynamic_supervisor` node",
        ));
    };
    let depth = entry.path.split('/').count() + 1;
    match entry.node.kind {
        NodeKind::Supervisor { auto_shutdown, .. } => {
            Ok((depth, Parent::Supervisor(auto_shutdown)))
        }
        NodeKind::DynamicSupervisor { .. } => Ok((depth, Parent::DynamicSupervisor)),
        _ => Err(at.error_expected(
            format!(
                "{} is {}; `start_child` needs a supervisor",
                quoted(&entry.path),
                describe(entry)
            ),
            "the path of a `supervisor` or `dynamic_supervisor` node",
        )),
    }
}

/// The dynamic or task supervisor that may have started a child at `path` at run time
/// by `at_us` (`path` is `D/<id>` and not a known path), for faults on the children a
/// `keyed` router starts, or that `explore --shrink` writes from random firings.
fn run_time_parent<'k, 's>(
    path: &str,
    known: &'k Known<'s>,
    at_us: u64,
) -> Option<&'k super::paths::Entry<'s>> {
    let (parent, id) = path.rsplit_once('/')?;
    let entry = known.get(parent)?;
    let dynamic = matches!(
        entry.node.kind,
        NodeKind::DynamicSupervisor { .. } | NodeKind::TaskSupervisor { .. }
    );
    (!id.is_empty() && dynamic && entry.from_us <= at_us && known.get(path).is_none())
        .then_some(entry)
}

/// The checks that need the whole tree, `start_child` additions included.
fn check_deferred(d: &Deferred<'_>, known: &Known<'_>) -> Result<(), LoadError> {
    if let Target::Path(path) = &d.target {
        if let Some(sup) = run_time_parent(path, known, d.at_us) {
            // The process is found by its label at run time (`missed` if none runs);
            // only actions that need a node of the tree are refused.
            return match d.action {
                FaultAction::Upgrade { .. } | FaultAction::SupervisorCall { .. } => {
                    Err(d.at.error_expected(
                        format!(
                            "{} is a child that {} starts at run time, not a node of the tree",
                            quoted(path),
                            quoted(&sup.path)
                        ),
                        "for this action, the path of a node of the tree",
                    ))
                }
                _ => Ok(()),
            };
        }
    }
    let entry = check_target(&d.at, &d.target, known, Some(d.at_us))?;
    match &d.action {
        FaultAction::Upgrade { to_vsn } => {
            // A registry key names a process the loader cannot see: checked at run time.
            let Some(entry) = entry else { return Ok(()) };
            let NodeKind::Model(m) = &entry.node.kind else {
                return Err(d.at.error_expected(
                    format!(
                        "{} is {}, which has no code to upgrade",
                        quoted(&entry.path),
                        describe(entry)
                    ),
                    "the path of a model node",
                ));
            };
            if m.versions().contains(to_vsn) {
                return Ok(());
            }
            let has = match m.versions() {
                [] => format!(
                    "a version `{}` can be upgraded to, but it has only one",
                    m.name
                ),
                vs => {
                    let list: Vec<String> = vs.iter().map(u32::to_string).collect();
                    format!(
                        "a version `{}` can be upgraded to: {}",
                        m.name,
                        list.join(", ")
                    )
                }
            };
            let at = d
                .fault
                .optional("to_version")
                .unwrap_or_else(|| d.at.clone());
            Err(at.error_expected(
                format!("the `{}` model has no version {to_vsn}", m.name),
                has,
            ))
        }
        FaultAction::SupervisorCall { call, child, .. } => {
            let Some(entry) = entry else {
                return Err(d.at.error_expected(
                    "a supervisor call needs a supervisor named by its path",
                    "the path of a `supervisor` node",
                ));
            };
            let fits = match entry.node.kind {
                NodeKind::Supervisor { .. } => true,
                NodeKind::DynamicSupervisor { .. } => *call == SupervisorCall::TerminateChild,
                _ => false,
            };
            if !fits {
                return Err(d.at.error_expected(
                    format!("{} is {}", quoted(&entry.path), describe(entry)),
                    "the path of a `supervisor` node (`terminate_child` also takes a `dynamic_supervisor`)",
                ));
            }
            check_child(d, known, &entry.path, child)
        }
        _ => Ok(()),
    }
}

/// The child id of a supervisor call must name a child of the target at that time.
fn check_child(
    d: &Deferred<'_>,
    known: &Known<'_>,
    sup: &str,
    child: &str,
) -> Result<(), LoadError> {
    if known
        .get(&format!("{sup}/{child}"))
        .is_some_and(|e| e.from_us <= d.at_us)
    {
        return Ok(());
    }
    // Only for the message: a bounded look at the siblings, so that many bad calls on
    // a huge supervisor stay cheap.
    let ids: Vec<&str> = known
        .children_of(sup)
        .filter(|e| e.from_us <= d.at_us)
        .map(|e| e.node.id.as_str())
        .take(MAX_LISTED_CHILDREN)
        .collect();
    let at = d.fault.optional("child").unwrap_or_else(|| d.at.clone());
    let mut message = format!("{} is not a child of {}", quoted(child), quoted(sup));
    if let Some(near) = super::fields::near(child, &ids) {
        message.push_str(&format!("; did you mean {}?", quoted(near)));
    }
    let expected = match ids.len() {
        0 => format!(
            "a child id, but {} has no children at this time",
            quoted(sup)
        ),
        n if n <= 10 => format!("one of {}", super::fields::one_of_list(&ids)),
        _ => format!("the id of one of the children of {}", quoted(sup)),
    };
    Err(at.error_expected(message, expected))
}

fn read_random(
    obj: &ObjectReader<'_>,
    known: Option<&Known<'_>>,
    errors: &mut Errors,
) -> Option<FaultSpec> {
    let kind = errors.check(
        obj.required("random")
            .and_then(|a| a.one_of(RANDOM_ACTIONS)),
    );
    let mut elsewhere: Vec<&str> = SCHEDULED_FIELDS.to_vec();
    elsewhere.extend(ACTION_FIELDS);
    let allowed: Vec<&str> = match kind {
        Some(a) => RANDOM_FIELDS
            .iter()
            .chain(super::actions::fields_of(a))
            .copied()
            .collect(),
        None => RANDOM_FIELDS.iter().chain(ACTION_FIELDS).copied().collect(),
    };
    let owner = format!("a random `{}` fault", kind.unwrap_or("random"));
    let fields_ok = errors.check(check_fields(obj, &allowed, &owner, &elsewhere));
    let targets = errors.check(
        obj.required("targets")
            .and_then(|r| read_patterns(&r, known)),
    );
    let mtbf_us = errors.check(obj.required("mtbf").and_then(|r| positive_duration_us(&r)));
    let action = read_action(obj, kind?, None, errors)?;
    fields_ok?;
    Some(FaultSpec::Random {
        targets: targets?,
        mtbf_us: mtbf_us?,
        action,
    })
}

fn read_patterns(r: &Reader<'_>, known: Option<&Known<'_>>) -> Result<Vec<String>, LoadError> {
    let items = r.expect_array()?;
    if items.is_empty() {
        return Err(r.error_expected("no targets", "at least one path pattern"));
    }
    let mut errors = Errors::new();
    let mut out = Vec::new();
    for item in items.iter() {
        if let Some(p) = errors.check(read_pattern(&item, known)) {
            out.push(p);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(failed(errors, r))
    }
}
