//! The run summary: what a run did, added up from its trace, and how its expectations
//! fared. `otpsim run` prints it as text or as one JSON object.

use crate::check::{
    call_outcome, classify, client_of, CallStats, Counted, ExpectationResult, World,
};
use crate::kernel::{Outcome, RunReport};
use crate::trace::{Event, EventKind};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A run, added up.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The scenario's name.
    pub scenario: String,
    /// The run's seed.
    pub seed: u64,
    /// How many events the run recorded.
    pub events: u64,
    /// The virtual time the run reached, in microseconds.
    pub virtual_time_us: u64,
    /// The outcome's short name (`duration_reached`, `event_limit`, ...).
    pub outcome: String,
    /// The outcome for people (`event limit: the run reached 1000 events`).
    pub outcome_detail: String,
    /// The run's fingerprint.
    pub fingerprint: u64,
    /// Abnormal exits of every labelled process.
    pub crashes: u64,
    /// Per supervisor path, in path order.
    pub supervisors: Vec<SupervisorStats>,
    /// Per load client id, in id order.
    pub clients: Vec<ClientStats>,
    /// Per circuit breaker path, in path order.
    pub breakers: Vec<BreakerStats>,
    /// The faults injected.
    pub faults: FaultStats,
    /// Each expectation's verdict, in the scenario's order.
    pub expectations: Vec<ExpectationResult>,
}

/// What one supervisor saw and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SupervisorStats {
    /// The supervisor's tree path.
    pub path: String,
    /// Children that exited abnormally under it.
    pub child_crashes: u64,
    /// Restarts it made (failed attempts included).
    pub restarts: u64,
    /// Times its restart intensity was exceeded.
    pub escalations: u64,
    /// The most restarts its window held at any restart it counted, this one
    /// included (SUP-14); more than `max_restarts` when it escalated.
    pub window_peak: u64,
    /// Its max_restarts, once it has counted a restart.
    pub max_restarts: Option<u64>,
}

/// One load client's calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientStats {
    /// The client's id (its label is `workload/<id>`).
    pub id: String,
    /// Its call outcomes and latencies.
    pub calls: CallStats,
}

/// One circuit breaker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakerStats {
    /// The breaker's tree path.
    pub path: String,
    /// Times it opened.
    pub trips: u64,
    /// Its state at the end, when a breaker was running there.
    pub final_state: Option<String>,
}

/// The faults of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// Faults that hit something (every `fault` event but `missed` and `resume`).
    pub injected: u64,
    /// Of those, the ones drawn from the faults stream.
    pub random: u64,
    /// Faults that found no process at their target.
    pub missed: u64,
    /// Injected faults per action (`crash`, `exit`, `degrade`, ...).
    pub by_action: BTreeMap<String, u64>,
}

impl Summary {
    /// Adds up a run: `report` and `seed` describe it, `events` are its trace (recorded),
    /// `expectations` the verdicts of [`check::evaluate`](crate::check::evaluate).
    pub fn new(
        scenario: &str,
        seed: u64,
        report: &RunReport,
        events: &[Event],
        expectations: Vec<ExpectationResult>,
    ) -> Summary {
        let mut tally = Tally::default();
        let mut world = World::new();
        for event in events {
            tally.event(event, &world);
            world.apply(event);
        }
        let breakers = tally
            .breakers
            .into_iter()
            .map(|(path, trips)| BreakerStats {
                final_state: world.breaker_state(&path).map(str::to_string),
                path,
                trips,
            })
            .collect();
        Summary {
            scenario: scenario.to_string(),
            seed,
            events: report.events,
            virtual_time_us: report.virtual_time_us,
            outcome: report.outcome.name().to_string(),
            outcome_detail: outcome_detail(&report.outcome, &world),
            fingerprint: report.fingerprint,
            crashes: tally.crashes,
            supervisors: tally.supervisors.into_values().collect(),
            clients: tally
                .clients
                .into_iter()
                .map(|(id, calls)| ClientStats { id, calls })
                .collect(),
            breakers,
            faults: tally.faults,
            expectations,
        }
    }

    /// True when the run reached its end (quiet or at its duration) and every
    /// expectation held (vacuously with none). A run a limit cut short fails: what
    /// it would have done after the limit was never checked.
    pub fn passed(&self) -> bool {
        self.completed() && self.expectations.iter().all(|e| e.passed)
    }

    /// True unless a limit (events, processes, mailbox, livelock) ended the run.
    pub fn completed(&self) -> bool {
        matches!(self.outcome.as_str(), "quiescent" | "duration_reached")
    }

    /// The fingerprint as 16 hex digits, as trace footers write it.
    pub fn fingerprint_hex(&self) -> String {
        format!("{:016x}", self.fingerprint)
    }

    /// The summary as one JSON object: `scenario`, `seed`, `events`,
    /// `virtual_time_us`, `outcome`, `outcome_detail`, `fingerprint` (16 hex digits),
    /// `crashes`, `supervisors`, `clients`, `breakers`, `faults`, `expectations`
    /// (`name`, `passed`, `detail`) and `passed`.
    pub fn to_json(&self) -> Value {
        let supervisors: Vec<Value> = self
            .supervisors
            .iter()
            .map(|s| {
                json!({"path": s.path, "child_crashes": s.child_crashes,
                       "restarts": s.restarts, "escalations": s.escalations,
                       "window_peak": s.window_peak, "max_restarts": s.max_restarts})
            })
            .collect();
        let clients: Vec<Value> = self
            .clients
            .iter()
            .map(|c| {
                let s = &c.calls;
                json!({"id": c.id, "calls": s.total(), "ok": s.ok, "errors": s.errors,
                       "timeouts": s.timeouts, "rejected": s.rejected,
                       "success_ratio": s.success_ratio(),
                       "p50_latency_us": s.latency_percentile_us(50),
                       "p99_latency_us": s.latency_percentile_us(99)})
            })
            .collect();
        let breakers: Vec<Value> = self
            .breakers
            .iter()
            .map(|b| json!({"path": b.path, "trips": b.trips, "state": b.final_state}))
            .collect();
        let expectations: Vec<Value> = self
            .expectations
            .iter()
            .map(|e| json!({"name": e.name, "passed": e.passed, "detail": e.detail}))
            .collect();
        json!({
            "scenario": self.scenario,
            "seed": self.seed,
            "events": self.events,
            "virtual_time_us": self.virtual_time_us,
            "outcome": self.outcome,
            "outcome_detail": self.outcome_detail,
            "fingerprint": self.fingerprint_hex(),
            "crashes": self.crashes,
            "supervisors": supervisors,
            "clients": clients,
            "breakers": breakers,
            "faults": {
                "injected": self.faults.injected,
                "random": self.faults.random,
                "missed": self.faults.missed,
                "by_action": self.faults.by_action,
            },
            "expectations": expectations,
            "passed": self.passed(),
        })
    }
}

/// The running totals while the events go by.
#[derive(Default)]
struct Tally {
    crashes: u64,
    supervisors: BTreeMap<String, SupervisorStats>,
    clients: BTreeMap<String, CallStats>,
    breakers: BTreeMap<String, u64>,
    faults: FaultStats,
}

impl Tally {
    fn supervisor(&mut self, world: &World, sup: crate::term::Pid) -> &mut SupervisorStats {
        let path = match world.label(sup) {
            Some(label) => label.to_string(),
            None => sup.to_string(),
        };
        self.supervisors
            .entry(path.clone())
            .or_insert_with(|| SupervisorStats {
                path,
                ..SupervisorStats::default()
            })
    }

    fn event(&mut self, event: &Event, world: &World) {
        match (&event.kind, classify(event, world)) {
            (EventKind::ChildStart { sup, .. }, Some((Counted::Restart, _))) => {
                self.supervisor(world, *sup).restarts += 1;
            }
            (EventKind::ChildStart { sup, .. }, _) => {
                self.supervisor(world, *sup);
            }
            (EventKind::IntensityExceeded { sup, .. }, _) => {
                self.supervisor(world, *sup).escalations += 1;
            }
            (
                EventKind::RestartCounted {
                    sup,
                    window_len,
                    max,
                    ..
                },
                _,
            ) => {
                let s = self.supervisor(world, *sup);
                s.window_peak = s.window_peak.max(*window_len);
                s.max_restarts = Some(*max);
            }
            (EventKind::ChildExitSeen { sup, reason, .. }, _) if !reason.is_clean_exit() => {
                self.supervisor(world, *sup).child_crashes += 1;
            }
            (EventKind::Exit { .. }, Some((Counted::Crash, _))) => self.crashes += 1,
            (EventKind::Model { pid, what, .. }, counted) if what.as_str() == "breaker_state" => {
                if let Some(path) = world.label(*pid) {
                    let trips = self.breakers.entry(path.to_string()).or_default();
                    if matches!(counted, Some((Counted::BreakerOpen, _))) {
                        *trips += 1;
                    }
                }
            }
            (EventKind::Fault { action, cause, .. }, counted) => {
                if action.as_str() == "missed" {
                    self.faults.missed += 1;
                } else if matches!(counted, Some((Counted::Fault, _))) {
                    self.faults.injected += 1;
                    if cause.as_str() == "random" {
                        self.faults.random += 1;
                    }
                    *self
                        .faults
                        .by_action
                        .entry(action.as_str().to_string())
                        .or_default() += 1;
                }
            }
            _ => {}
        }
        if let Some((pid, outcome, latency_us)) = call_outcome(event) {
            if let Some(id) = world.label(pid).and_then(client_of) {
                self.clients
                    .entry(id.to_string())
                    .or_default()
                    .add(outcome, latency_us);
            }
        }
    }
}

/// The outcome for people. A pid alone means nothing to the reader of a scenario, so
/// the process whose mailbox overflowed is named by its tree path too.
fn outcome_detail(outcome: &Outcome, world: &World) -> String {
    match outcome {
        Outcome::MailboxLimit { limit, pid } => match world.label(*pid) {
            Some(label) => format!("mailbox limit: {label} ({pid}) has {limit} messages waiting"),
            None => outcome.to_string(),
        },
        _ => outcome.to_string(),
    }
}
