//! Load clients' call outcomes, from their `call_outcome` model events.

use super::{Probe, World};
use crate::term::Pid;
use crate::trace::{Event, EventKind};

/// How one client call ended (the load client's classification).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CallOutcome {
    /// A reply that is not an error or a rejection.
    Ok,
    /// `error`, `{error, _}`, or a call exit other than `timeout`.
    Error,
    /// The call timed out.
    Timeout,
    /// The server refused: rate limited, full, circuit open.
    Rejected,
}

/// The outcome and latency of a `call_outcome` model event
/// (`detail = {Outcome, LatencyUs}`), with the client's pid.
pub fn call_outcome(event: &Event) -> Option<(Pid, CallOutcome, u64)> {
    let EventKind::Model {
        pid, what, detail, ..
    } = &event.kind
    else {
        return None;
    };
    if what.as_str() != "call_outcome" {
        return None;
    }
    let [outcome, latency] = detail.as_tuple()? else {
        return None;
    };
    let outcome = match outcome.as_atom()? {
        "ok" => CallOutcome::Ok,
        "error" => CallOutcome::Error,
        "timeout" => CallOutcome::Timeout,
        "rejected" => CallOutcome::Rejected,
        _ => return None,
    };
    let latency_us = u64::try_from(latency.as_int()?).ok()?;
    Some((*pid, outcome, latency_us))
}

/// The client id a process label belongs to: `workload/<id>` and the processes it
/// labels `workload/<id>/...` both belong to `<id>`.
pub fn client_of(label: &str) -> Option<&str> {
    let rest = label.strip_prefix("workload/")?;
    let id = rest.split('/').next()?;
    (!id.is_empty()).then_some(id)
}

/// One client's call totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Calls that succeeded.
    pub ok: u64,
    /// Calls that failed.
    pub errors: u64,
    /// Calls that timed out.
    pub timeouts: u64,
    /// Calls the server refused.
    pub rejected: u64,
    /// Every call's latency, in the order the calls ended.
    pub latencies_us: Vec<u64>,
}

impl CallStats {
    /// Counts one call.
    pub fn add(&mut self, outcome: CallOutcome, latency_us: u64) {
        match outcome {
            CallOutcome::Ok => self.ok += 1,
            CallOutcome::Error => self.errors += 1,
            CallOutcome::Timeout => self.timeouts += 1,
            CallOutcome::Rejected => self.rejected += 1,
        }
        self.latencies_us.push(latency_us);
    }

    /// All calls counted.
    pub fn total(&self) -> u64 {
        self.ok + self.errors + self.timeouts + self.rejected
    }

    /// ok / total; `None` with no calls.
    pub fn success_ratio(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| self.ok as f64 / total as f64)
    }

    /// The nearest-rank `pct` percentile of every call's latency (`pct` in 1..=100);
    /// `None` with no calls.
    pub fn latency_percentile_us(&self, pct: u32) -> Option<u64> {
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let n = sorted.len() as u64;
        if n == 0 {
            return None;
        }
        let rank = (u64::from(pct.clamp(1, 100)) * n).div_ceil(100);
        sorted.get(rank.saturating_sub(1) as usize).copied()
    }

    /// `120 calls: 110 ok, 4 errors, 6 timeouts, 0 rejected`.
    pub fn describe(&self) -> String {
        format!(
            "{} calls: {} ok, {} errors, {} timeouts, {} rejected",
            self.total(),
            self.ok,
            self.errors,
            self.timeouts,
            self.rejected
        )
    }
}

/// The bounds of a `calls` expectation.
pub(super) struct CallBounds {
    pub(super) client: String,
    pub(super) min_success_ratio: Option<f64>,
    pub(super) max_timeouts: Option<u64>,
    pub(super) max_errors: Option<u64>,
    pub(super) min_calls: Option<u64>,
}

struct Calls {
    bounds: CallBounds,
    stats: CallStats,
}

pub(super) fn probe(bounds: CallBounds) -> Box<dyn Probe> {
    Box::new(Calls {
        bounds,
        stats: CallStats::default(),
    })
}

impl Probe for Calls {
    fn event(&mut self, event: &Event, world: &World) {
        let Some((pid, outcome, latency_us)) = call_outcome(event) else {
            return;
        };
        if world.label(pid).and_then(client_of) == Some(self.bounds.client.as_str()) {
            self.stats.add(outcome, latency_us);
        }
    }

    fn finish(self: Box<Self>, _world: &World, _end_us: u64) -> (bool, String) {
        let s = &self.stats;
        let b = &self.bounds;
        let mut failures = Vec::new();
        let mut notes = Vec::new();
        if let Some(min) = b.min_calls {
            if s.total() < min {
                failures.push(format!("at least {min} calls required"));
            }
        }
        if let Some(min) = b.min_success_ratio {
            match s.success_ratio() {
                Some(r) if r >= min => notes.push(format!("success ratio {r:.3}")),
                Some(r) => failures.push(format!("success ratio {r:.3}, at least {min} required")),
                None => failures.push(format!(
                    "no calls, so no success ratio (at least {min} required)"
                )),
            }
        }
        if let Some(max) = b.max_timeouts {
            if s.timeouts > max {
                failures.push(format!("{} timeouts, at most {max} allowed", s.timeouts));
            }
        }
        if let Some(max) = b.max_errors {
            if s.errors > max {
                failures.push(format!("{} errors, at most {max} allowed", s.errors));
            }
        }
        let mut detail = format!("client {}: {}", b.client, s.describe());
        for part in notes.iter().chain(&failures) {
            detail.push_str("; ");
            detail.push_str(part);
        }
        (failures.is_empty(), detail)
    }
}
