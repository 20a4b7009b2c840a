//! The messages the fault injector sends to models, and how a model reads them.
//!
//! A fault that acts from inside a model is an ordinary message, so it goes through the
//! model's mailbox like anything else (a paused or busy model takes it late, as a real
//! process would):
//!
//! - `{'$otpsim_fault', crash, Reason}`: the model stops with `Reason` from its
//!   `handle_info`, so its `terminate` runs (unlike an exit signal `kill`);
//! - `{'$otpsim_fault', degrade, ErrorRatePpm, LatencyUs, UntilUs}`: a dependency
//!   (the `flaky` model, and any model that chooses to) fails each request with
//!   probability `ErrorRatePpm / 1_000_000` and adds `LatencyUs` to each, until the
//!   virtual time `UntilUs`. Models that are not dependencies ignore it.
//!
//! Every model's `handle_info` starts with [`on_info`]; the injector builds the
//! messages with [`message_crash`] and [`message_degrade`].
//!
//! ```
//! use otpsim::models::fault::{self, Degrade};
//! use otpsim::term::{atom, Term};
//!
//! let crash = fault::message_crash(atom("boom"));
//! assert_eq!(fault::crash_reason(&crash), Some(atom("boom")));
//! let d = Degrade { error_rate_ppm: 500_000, latency_us: 2_000, until_us: 10_000_000 };
//! assert_eq!(fault::degrade(&fault::message_degrade(&d)), Some(d));
//! assert_eq!(fault::crash_reason(&atom("timeout")), None);
//! ```

use crate::behaviour::gen_server::Response;
use crate::term::{atom, Term};

/// The first element of every fault message.
pub const FAULT_TAG: &str = "$otpsim_fault";

/// A degradation window, as the `degrade` message carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Degrade {
    /// Probability of failing a request, in parts per million (0 to 1_000_000).
    pub error_rate_ppm: u32,
    /// Latency added to every request, in microseconds.
    pub latency_us: u64,
    /// Virtual time at which the degradation ends (exclusive).
    pub until_us: u64,
}

impl Degrade {
    /// True while the window is open at `now_us`.
    pub fn active(&self, now_us: u64) -> bool {
        now_us < self.until_us
    }

    /// The error rate as a probability from 0 to 1.
    pub fn error_rate(&self) -> f64 {
        f64::from(self.error_rate_ppm) / 1_000_000.0
    }
}

fn is_fault(items: &[Term], action: &str) -> bool {
    items.len() >= 2 && items[0].is_atom(FAULT_TAG) && items[1].is_atom(action)
}

/// The reason of a `{'$otpsim_fault', crash, Reason}` message.
pub fn crash_reason(msg: &Term) -> Option<Term> {
    match msg.as_tuple()? {
        items @ [_, _, reason] if is_fault(items, "crash") => Some(reason.clone()),
        _ => None,
    }
}

/// The window of a `{'$otpsim_fault', degrade, ErrorRatePpm, LatencyUs, UntilUs}`
/// message. Out-of-range numbers (negative, or a rate above one million) make it not a
/// degrade message at all, rather than a silently clamped one.
pub fn degrade(msg: &Term) -> Option<Degrade> {
    match msg.as_tuple()? {
        items @ [_, _, Term::Int(ppm), Term::Int(latency), Term::Int(until)]
            if is_fault(items, "degrade") =>
        {
            let error_rate_ppm = u32::try_from(*ppm).ok().filter(|p| *p <= 1_000_000)?;
            Some(Degrade {
                error_rate_ppm,
                latency_us: u64::try_from(*latency).ok()?,
                until_us: u64::try_from(*until).ok()?,
            })
        }
        _ => None,
    }
}

/// `{'$otpsim_fault', crash, Reason}`.
pub fn message_crash(reason: Term) -> Term {
    Term::tuple_of([Term::atom_owned(FAULT_TAG), atom("crash"), reason])
}

/// `{'$otpsim_fault', degrade, ErrorRatePpm, LatencyUs, UntilUs}`. Times beyond
/// `i64::MAX` microseconds (about 292 000 years) are written as `i64::MAX`.
pub fn message_degrade(d: &Degrade) -> Term {
    let int = |v: u64| Term::Int(i64::try_from(v).unwrap_or(i64::MAX));
    Term::tuple_of([
        Term::atom_owned(FAULT_TAG),
        atom("degrade"),
        Term::Int(i64::from(d.error_rate_ppm)),
        int(d.latency_us),
        int(d.until_us),
    ])
}

/// The shared first step of every model's `handle_info`: `Some(Response::Stop(Reason))`
/// for a crash fault; `None` for anything else (a degrade message included: only
/// dependencies act on it, through [`degrade`]).
pub fn on_info(msg: &Term) -> Option<Response> {
    crash_reason(msg).map(Response::Stop)
}

/// The degradation a dependency is under: the latest `degrade` message it received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DegradeState {
    current: Option<Degrade>,
}

impl DegradeState {
    /// Takes a `degrade` message; true when `msg` was one. A new window replaces the
    /// previous one, as a second fault on the same target overrides the first.
    pub fn take(&mut self, msg: &Term) -> bool {
        match degrade(msg) {
            Some(d) => {
                self.current = Some(d);
                true
            }
            None => false,
        }
    }

    /// The window in force at `now_us`, if any.
    pub fn active(&self, now_us: u64) -> Option<Degrade> {
        self.current.filter(|d| d.active(now_us))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_fault_messages_are_not_faults() {
        let tag = Term::atom_owned(FAULT_TAG);
        let short = Term::tuple_of([tag.clone(), atom("crash")]);
        assert_eq!(crash_reason(&short), None);
        let other = Term::tuple_of([atom("x"), atom("crash"), atom("r")]);
        assert_eq!(crash_reason(&other), None);
        let too_high = Term::tuple_of([
            tag.clone(),
            atom("degrade"),
            Term::Int(1_000_001),
            Term::Int(0),
            Term::Int(5),
        ]);
        assert_eq!(degrade(&too_high), None);
        let negative = Term::tuple_of([
            tag,
            atom("degrade"),
            Term::Int(1),
            Term::Int(-1),
            Term::Int(5),
        ]);
        assert_eq!(degrade(&negative), None);
        assert!(on_info(&negative).is_none());
    }

    #[test]
    fn a_degrade_window_ends_at_its_until_time() {
        let d = Degrade {
            error_rate_ppm: 250_000,
            latency_us: 7,
            until_us: 100,
        };
        let mut state = DegradeState::default();
        assert!(state.take(&message_degrade(&d)));
        assert!(!state.take(&atom("tick")));
        assert_eq!(state.active(99), Some(d));
        assert_eq!(state.active(100), None);
        assert_eq!(d.error_rate(), 0.25);
    }

    #[test]
    fn a_crash_fault_stops_with_its_reason() {
        let msg = message_crash(Term::tagged("shutdown", atom("db_down")));
        assert_eq!(
            on_info(&msg),
            Some(Response::Stop(Term::tagged("shutdown", atom("db_down"))))
        );
    }
}
