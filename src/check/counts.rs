//! Counting events by kind and tree path: crashes, restarts, escalations, children
//! killed over their shutdown budget, breaker trips and injected faults.

use super::state::child_path;
use super::{format_us, Probe, Span, World};
use crate::scenario::pattern_matches;
use crate::scenario::spec::EventMatch;
use crate::trace::{Event, EventKind};

/// The kinds of event a `count` expectation (and the run summary) counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Counted {
    /// A process exited with a reason other than `normal`, `shutdown` or
    /// `{shutdown, _}`; the path is the process's.
    Crash,
    /// A supervisor (re)started a child after an exit (`ChildStart` with cause
    /// `restart`, `try_again` or `restart_child`, failed attempts included); the path
    /// is the child's.
    Restart,
    /// A supervisor's restart intensity was exceeded; the path is the supervisor's.
    Escalation,
    /// A child overran its shutdown budget and was killed; the path is the child's.
    KilledOverBudget,
    /// A circuit breaker went from another state (or none) to `open`; the path is the
    /// breaker's.
    BreakerOpen,
    /// A fault was injected (a `fault` event other than `missed` and `resume`); the
    /// path is the fault's target.
    Fault,
}

impl Counted {
    /// The word a detail uses for `n` of these: `1 crash`, `3 restarts`.
    pub fn noun(self, n: u64) -> String {
        let (one, many) = match self {
            Counted::Crash => ("crash", "crashes"),
            Counted::Restart => ("restart", "restarts"),
            Counted::Escalation => ("escalation", "escalations"),
            Counted::KilledOverBudget => ("kill over budget", "kills over budget"),
            Counted::BreakerOpen => ("breaker opening", "breaker openings"),
            Counted::Fault => ("fault", "faults"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

/// What `event` counts as, and at which path, given the `world` just before it.
/// Events of unlabelled processes have no path and count as nothing.
pub fn classify(event: &Event, world: &World) -> Option<(Counted, String)> {
    match &event.kind {
        EventKind::Exit { pid, reason } if !reason.is_clean_exit() => {
            Some((Counted::Crash, world.label(*pid)?.to_string()))
        }
        EventKind::ChildStart {
            sup,
            id,
            pid,
            cause,
            ..
        } if matches!(cause.as_str(), "restart" | "try_again" | "restart_child") => {
            Some((Counted::Restart, child_path(world, *sup, id, *pid)?))
        }
        EventKind::IntensityExceeded { sup, .. } => {
            Some((Counted::Escalation, world.label(*sup)?.to_string()))
        }
        EventKind::ChildShutdownTimeout { sup, id, pid } => Some((
            Counted::KilledOverBudget,
            child_path(world, *sup, id, Some(*pid))?,
        )),
        EventKind::Model {
            pid, what, detail, ..
        } if what.as_str() == "breaker_state"
            && detail.is_atom("open")
            && world.breaker_state_of(*pid) != Some("open") =>
        {
            Some((Counted::BreakerOpen, world.label(*pid)?.to_string()))
        }
        EventKind::Fault { target, action, .. }
            if !matches!(action.as_str(), "missed" | "resume") =>
        {
            Some((Counted::Fault, target.clone()))
        }
        _ => None,
    }
}

/// The counted kind and pattern of a match; `None` for model events, which are counted
/// by their `what` instead.
fn split(what: &EventMatch) -> Option<(Counted, &str)> {
    Some(match what {
        EventMatch::Crash(p) => (Counted::Crash, p),
        EventMatch::Restart(p) => (Counted::Restart, p),
        EventMatch::Escalation(p) => (Counted::Escalation, p),
        EventMatch::KilledOverBudget(p) => (Counted::KilledOverBudget, p),
        EventMatch::BreakerOpen(p) => (Counted::BreakerOpen, p),
        EventMatch::Fault(p) => (Counted::Fault, p),
        EventMatch::ModelEvent { .. } => return None,
    })
}

/// The path of a `model` event reporting `what`, from a labelled process.
fn model_event_path(event: &Event, world: &World, what: &str) -> Option<String> {
    match &event.kind {
        EventKind::Model { pid, what: w, .. } if w.as_str() == what => {
            Some(world.label(*pid)?.to_string())
        }
        _ => None,
    }
}

struct Count {
    kind: Counted,
    /// Set for a `model_event` count: the model event's `what` (then `kind` is unused).
    model_what: Option<String>,
    pattern: String,
    window: Span,
    at_least: Option<u64>,
    at_most: Option<u64>,
    n: u64,
    first_us: Option<u64>,
    /// When the count first went past `at_most`.
    over_us: Option<u64>,
    /// When the count reached `at_least`.
    reached_us: Option<u64>,
}

pub(super) fn probe(
    what: &EventMatch,
    window: Span,
    at_least: Option<u64>,
    at_most: Option<u64>,
) -> Box<dyn Probe> {
    let (kind, pattern, model_what) = match (split(what), what) {
        (Some((kind, pattern)), _) => (kind, pattern, None),
        (None, EventMatch::ModelEvent { of, what }) => {
            (Counted::Fault, of.as_str(), Some(what.clone()))
        }
        (None, _) => unreachable!("split covers every other match"),
    };
    Box::new(Count {
        kind,
        model_what,
        pattern: pattern.to_string(),
        window,
        at_least,
        at_most,
        n: 0,
        first_us: None,
        over_us: None,
        reached_us: None,
    })
}

impl Probe for Count {
    fn event(&mut self, event: &Event, world: &World) {
        if !self.window.contains(event.t) {
            return;
        }
        let path = match &self.model_what {
            Some(what) => model_event_path(event, world, what),
            None => classify(event, world)
                .filter(|(kind, _)| *kind == self.kind)
                .map(|(_, path)| path),
        };
        if !path.is_some_and(|p| pattern_matches(&self.pattern, &p)) {
            return;
        }
        self.n += 1;
        self.first_us.get_or_insert(event.t);
        if self.at_most.is_some_and(|max| self.n > max) {
            self.over_us.get_or_insert(event.t);
        }
        if self.at_least == Some(self.n) {
            self.reached_us = Some(event.t);
        }
    }

    fn finish(self: Box<Self>, _world: &World, _end_us: u64) -> (bool, String) {
        let noun = match &self.model_what {
            Some(what) => format!(
                "{} `{what}` model event{}",
                self.n,
                if self.n == 1 { "" } else { "s" }
            ),
            None => self.kind.noun(self.n),
        };
        let seen = format!("{noun} of {} in {}", self.pattern, self.window);
        let low = self.at_least.is_some_and(|min| self.n < min);
        let high = self.at_most.is_some_and(|max| self.n > max);
        let bounds = match (self.at_least, self.at_most) {
            (Some(a), Some(b)) if a == b => format!("exactly {a} expected"),
            (Some(a), Some(b)) => format!("between {a} and {b} expected"),
            (Some(a), None) => format!("at least {a} expected"),
            (None, Some(b)) => format!("at most {b} allowed"),
            (None, None) => "no bound given".to_string(),
        };
        let mut detail = format!("{seen}, {bounds}");
        if let Some(t) = self.over_us {
            detail.push_str(&format!("; first over the bound at {}", format_us(t)));
        } else if let (Some(t), false) = (self.reached_us, low) {
            if self.at_least.is_some_and(|a| a > 0) {
                detail.push_str(&format!("; reached at {}", format_us(t)));
            }
        } else if let (Some(t), true) = (self.first_us, low) {
            detail.push_str(&format!("; first at {}", format_us(t)));
        }
        (!low && !high, detail)
    }
}
