//! Realising a run's faults: what the injector actually did, written down as explicit
//! scheduled faults, so the shrinker can remove and move each firing on its own.
//!
//! Every `fault` event of the run becomes one scheduled fault at its time, in trace
//! order (the injector fires same-instant scheduled faults in file order, so the
//! order survives). A firing that found nobody (`missed`) did nothing and is left
//! out, as is the `resume` that ends a pause (the pause's own fault brings it back),
//! and so are buggify firings (the scenario's `buggify` section brings them back).
//! A scheduled fault of the scenario keeps its own spec (a supervisor call's child
//! spec is not in the event); a random firing is rebuilt from the event: its target
//! path, and its action and parameters (`exit` or `crash` with the reason, `degrade`
//! with the rate, latency and window end the event gives).

use crate::scenario::spec::{FaultAction, FaultSpec, Scenario, Target};
use crate::term::Term;
use crate::trace::{Event, EventKind};

/// The faults of a run of `scenario` whose events are `events`, as scheduled faults in
/// firing order. An error names a random firing whose action cannot be written as a
/// scheduled fault.
pub fn realise(scenario: &Scenario, events: &[Event]) -> Result<Vec<FaultSpec>, String> {
    // The order the injector fires scheduled faults in: by time, file order at ties.
    let mut scheduled: Vec<&FaultSpec> = scenario
        .faults
        .iter()
        .filter(|f| matches!(f, FaultSpec::Scheduled { .. }))
        .collect();
    scheduled.sort_by_key(|f| match f {
        FaultSpec::Scheduled { at_us, .. } => *at_us,
        FaultSpec::Random { .. } => u64::MAX,
    });
    let mut scheduled = scheduled.into_iter();
    let mut out = Vec::new();
    for event in events {
        let EventKind::Fault {
            target,
            action,
            detail,
            cause,
            ..
        } = &event.kind
        else {
            continue;
        };
        let action = action.as_str();
        // A buggify firing is the model's own doing, not the injector's: the scenario's
        // `buggify` section and seed bring it back.
        if action == "resume" || cause.as_str() == "buggify" {
            continue;
        }
        if cause.as_str() == "scheduled" {
            let spec = scheduled.next().ok_or_else(|| {
                format!(
                    "the trace has more scheduled fault firings than the scenario has \
                     scheduled faults (one at {}us on {target})",
                    event.t
                )
            })?;
            if action != "missed" {
                out.push(spec.clone());
            }
        } else if action != "missed" {
            out.push(FaultSpec::Scheduled {
                at_us: event.t,
                target: Target::Path(target.clone()),
                action: action_of(action, detail, event.t).ok_or_else(|| {
                    format!(
                        "cannot write the random `{action}` fault on {target} at {}us \
                         as a scheduled fault (detail {detail})",
                        event.t
                    )
                })?,
            });
        }
    }
    Ok(out)
}

/// The action a `fault` event at `t_us` describes (the inverse of the injector's
/// `describe` for the actions random faults and windows use).
fn action_of(action: &str, detail: &Term, t_us: u64) -> Option<FaultAction> {
    // Windows are given by their end; the scheduled form wants their length.
    let window = || keyword(detail, "until_us").map(|u| u.saturating_sub(t_us));
    Some(match action {
        "exit" => FaultAction::Exit {
            reason: detail.clone(),
        },
        "crash" => FaultAction::Crash {
            reason: detail.clone(),
        },
        "degrade" => FaultAction::Degrade {
            error_rate: keyword(detail, "error_rate_ppm")? as f64 / 1e6,
            latency_us: keyword(detail, "latency_us")?,
            for_us: window()?,
        },
        "drop_messages" => FaultAction::DropMessages {
            probability: keyword(detail, "probability_ppm")? as f64 / 1e6,
            for_us: window()?,
        },
        "delay_messages" => FaultAction::DelayMessages {
            delay_us: keyword(detail, "delay_us")?,
            for_us: window()?,
        },
        "pause" => FaultAction::Pause { for_us: window()? },
        _ => return None,
    })
}

/// The integer under `key` in a keyword list `[{Key, Int}, ...]`.
fn keyword(list: &Term, key: &str) -> Option<u64> {
    let Term::List(items) = list else {
        return None;
    };
    items.iter().find_map(|item| match item {
        Term::Tuple(pair) if pair.len() == 2 => match (&pair[0], &pair[1]) {
            (Term::Atom(k), Term::Int(v)) if k.as_str() == key => u64::try_from(*v).ok(),
            _ => None,
        },
        _ => None,
    })
}
