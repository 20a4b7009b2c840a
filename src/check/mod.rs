//! Expectations, evaluated over the trace.
//!
//! The trace is the single source of truth (design section 1): [`evaluate`] reads only
//! events, never the kernel. It replays them once into a [`World`] (which process runs
//! at which tree path, what each breaker last said) and feeds every expectation a
//! probe that watches the same pass.
//!
//! The state "at" a virtual instant is the state after every event of that instant:
//! a child restarted in zero virtual time was never observably absent, and a process
//! that starts and dies within one instant was never observably alive. State
//! conditions are sampled at the window's start and at every instant in the window
//! that has events (the state cannot change in between).

mod calls;
mod counts;
mod lost;
mod state;
mod temporal;
mod time;

pub use calls::{call_outcome, client_of, CallOutcome, CallStats};
pub use counts::{classify, Counted};
pub use state::{child_path, World};
pub use time::format_us;

use crate::scenario::spec::{Check, EndCond, Scenario, Window};
use crate::trace::Event;

/// The verdict on one expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectationResult {
    /// The expectation's name, as the scenario gives or generates it.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// What was observed, for people: `"12 restarts, at most 5 allowed; first over the
    /// bound at 14.2s"`.
    pub detail: String,
}

/// One expectation watching the pass over the events.
trait Probe {
    /// `event` happens; `world` is the state just before it.
    fn event(&mut self, _event: &Event, _world: &World) {}

    /// The next instant with events is `next_us`; `world` is the state at every time
    /// from the previous instant up to (not including) `next_us`.
    fn advance(&mut self, _next_us: u64, _world: &World) {}

    /// Every event of instant `t_us` has happened; `world` is the state then.
    fn instant(&mut self, _t_us: u64, _world: &World) {}

    /// The run is over at `end_us` and `world` is its final state: the verdict and
    /// what was seen.
    fn finish(self: Box<Self>, world: &World, end_us: u64) -> (bool, String);
}

/// Where a run's check windows end: a run that went quiet early stopped only because
/// nothing was left to happen, so its state holds to the scenario's `duration_us`; a
/// run that reached its duration or was cut short by a limit says nothing past the
/// point it reached.
pub fn window_end_us(report: &crate::kernel::RunReport, duration_us: u64) -> u64 {
    let reached = report.virtual_time_us;
    if report.outcome == crate::kernel::Outcome::Quiescent {
        reached.max(duration_us)
    } else {
        reached
    }
}

/// Evaluates every expectation of `scenario` over a run's `events`; `end_us` is the
/// virtual time the run reached (the end of windows without an `until`). Results come
/// in the scenario's order.
pub fn evaluate(scenario: &Scenario, events: &[Event], end_us: u64) -> Vec<ExpectationResult> {
    let mut probes: Vec<Box<dyn Probe>> = scenario
        .expectations
        .iter()
        .map(|e| probe_for(&e.check, end_us))
        .collect();
    let mut world = World::new();
    let mut i = 0;
    while i < events.len() {
        let t = events[i].t;
        for p in probes.iter_mut() {
            p.advance(t, &world);
        }
        while i < events.len() && events[i].t == t {
            for p in probes.iter_mut() {
                p.event(&events[i], &world);
            }
            world.apply(&events[i]);
            i += 1;
        }
        for p in probes.iter_mut() {
            p.instant(t, &world);
        }
    }
    for p in probes.iter_mut() {
        p.advance(u64::MAX, &world);
    }
    scenario
        .expectations
        .iter()
        .zip(probes)
        .map(|(e, p)| {
            let (passed, detail) = p.finish(&world, end_us);
            ExpectationResult {
                name: e.name.clone(),
                passed,
                detail,
            }
        })
        .collect()
}

fn probe_for(check: &Check, end_us: u64) -> Box<dyn Probe> {
    match check {
        Check::Always(c, w) => temporal::always(c, resolve(w, end_us)),
        Check::Never(c, w) => temporal::never(c, resolve(w, end_us)),
        Check::Sometimes(c, w) => temporal::sometimes(c, resolve(w, end_us)),
        Check::Eventually(c, w) => temporal::eventually(c, resolve(w, end_us)),
        Check::Count {
            what,
            window,
            at_least,
            at_most,
        } => counts::probe(what, resolve(window, end_us), *at_least, *at_most),
        Check::Calls {
            client,
            min_success_ratio,
            max_timeouts,
            max_errors,
            min_calls,
        } => calls::probe(calls::CallBounds {
            client: client.clone(),
            min_success_ratio: *min_success_ratio,
            max_timeouts: *max_timeouts,
            max_errors: *max_errors,
            min_calls: *min_calls,
        }),
        Check::AtEnd(cond) => Box::new(AtEnd(cond.clone())),
        Check::NothingLost => lost::probe(),
    }
}

/// A window with its end filled in: `[from_us, until_us)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    from_us: u64,
    until_us: u64,
}

impl Span {
    fn contains(&self, t_us: u64) -> bool {
        self.from_us <= t_us && t_us < self.until_us
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}, {})",
            format_us(self.from_us),
            format_us(self.until_us)
        )
    }
}

fn resolve(window: &Window, end_us: u64) -> Span {
    Span {
        from_us: window.from_us,
        until_us: window.until_us.unwrap_or(end_us),
    }
}

/// `at_end`: only the final state matters.
struct AtEnd(EndCond);

impl Probe for AtEnd {
    fn finish(self: Box<Self>, world: &World, end_us: u64) -> (bool, String) {
        let at = format_us(end_us);
        match &self.0 {
            EndCond::Alive(path) => {
                let alive = world.is_alive(path);
                let state = if alive { "alive" } else { "not alive" };
                (alive, format!("{path} {state} at the end ({at})"))
            }
            EndCond::Dead(path) => {
                let alive = world.is_alive(path);
                let state = if alive { "still alive" } else { "dead" };
                (!alive, format!("{path} {state} at the end ({at})"))
            }
            EndCond::Children(path, want) => {
                let n = world.live_children(path);
                let detail =
                    format!("{path} has {n} live children at the end ({at}), {want} expected");
                (n == *want as usize, detail)
            }
        }
    }
}
