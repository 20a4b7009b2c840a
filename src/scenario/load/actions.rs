//! What a fault does: the action names and the fields each one takes.

use super::fields::{bounded, fraction, opt, positive_duration_us, read_id, req};
use super::terms::read_term;
use super::tree::{read_node, Parent, TreeCounter};
use crate::scenario::json::{Errors, ObjectReader, Reader};
use crate::scenario::spec::{FaultAction, SupervisorCall};
use crate::term::Term;

/// The actions of a scheduled fault.
pub(super) const ACTIONS: &[&str] = &[
    "exit",
    "crash",
    "degrade",
    "drop_messages",
    "delay_messages",
    "pause",
    "upgrade",
    "terminate_child",
    "restart_child",
    "delete_child",
    "start_child",
];

/// The actions a random fault may take.
pub(super) const RANDOM_ACTIONS: &[&str] = &["crash", "exit", "degrade"];

/// Every action's fields.
pub(super) const ACTION_FIELDS: &[&str] = &[
    "reason",
    "error_rate",
    "latency",
    "for",
    "probability",
    "delay",
    "to_version",
    "child",
];

/// The default reason of an `exit` fault.
pub(super) const DEFAULT_EXIT_REASON: &str = "kill";
/// The default reason of a `crash` fault.
pub(super) const DEFAULT_CRASH_REASON: &str = "crashed";

/// The fields `action` takes.
pub(super) fn fields_of(action: &str) -> &'static [&'static str] {
    match action {
        "exit" | "crash" => &["reason"],
        "degrade" => &["error_rate", "latency", "for"],
        "drop_messages" => &["probability", "for"],
        "delay_messages" => &["delay", "for"],
        "pause" => &["for"],
        "upgrade" => &["to_version"],
        _ => &["child"],
    }
}

/// Reads the fields of `action` from the fault `obj`. For `start_child`,
/// `start_parent` is the new child's depth and parent, when the target is known.
pub(super) fn read_action(
    obj: &ObjectReader<'_>,
    action: &str,
    start_parent: Option<(usize, Parent)>,
    errors: &mut Errors,
) -> Option<FaultAction> {
    let for_us = |errors: &mut Errors| req(obj, "for", errors, positive_duration_us);
    Some(match action {
        "exit" => FaultAction::Exit {
            reason: reason(obj, DEFAULT_EXIT_REASON, errors)?,
        },
        "crash" => FaultAction::Crash {
            reason: reason(obj, DEFAULT_CRASH_REASON, errors)?,
        },
        "degrade" => {
            let error_rate = opt(obj, "error_rate", errors, 1.0, fraction);
            let latency_us = opt(obj, "latency", errors, 0, Reader::expect_duration_us);
            let for_us = for_us(errors);
            FaultAction::Degrade {
                error_rate: error_rate?,
                latency_us: latency_us?,
                for_us: for_us?,
            }
        }
        "drop_messages" => {
            let probability = opt(obj, "probability", errors, 1.0, fraction);
            let for_us = for_us(errors);
            FaultAction::DropMessages {
                probability: probability?,
                for_us: for_us?,
            }
        }
        "delay_messages" => {
            let delay_us = req(obj, "delay", errors, positive_duration_us);
            let for_us = for_us(errors);
            FaultAction::DelayMessages {
                delay_us: delay_us?,
                for_us: for_us?,
            }
        }
        "pause" => FaultAction::Pause {
            for_us: for_us(errors)?,
        },
        "upgrade" => FaultAction::Upgrade {
            to_vsn: req(obj, "to_version", errors, |r| {
                bounded(r, 1, u64::from(u32::MAX)).map(|v| v as u32)
            })?,
        },
        "start_child" => {
            let r = errors.check(obj.required("child"))?;
            let (depth, parent) = start_parent.unwrap_or((2, Parent::Unknown));
            let node = read_node(&r, depth, parent, &mut TreeCounter::default(), errors)?;
            FaultAction::SupervisorCall {
                call: SupervisorCall::StartChild,
                child: node.id.clone(),
                spec: Some(Box::new(node)),
            }
        }
        call => FaultAction::SupervisorCall {
            call: match call {
                "terminate_child" => SupervisorCall::TerminateChild,
                "restart_child" => SupervisorCall::RestartChild,
                _ => SupervisorCall::DeleteChild,
            },
            child: req(obj, "child", errors, |r| read_id(r).map(str::to_string))?,
            spec: None,
        },
    })
}

fn reason(obj: &ObjectReader<'_>, default: &'static str, errors: &mut Errors) -> Option<Term> {
    opt(obj, "reason", errors, Term::atom_owned(default), read_term)
}
