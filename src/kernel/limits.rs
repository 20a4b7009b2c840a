//! Run limits and the named outcomes that end a run.

use crate::term::Pid;

/// The bounds every run lives within (design §3, rule 6). Hitting one ends the run with
/// a named [`Outcome`], never a hang or an out-of-memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Trace events in the whole run.
    pub max_events: u64,
    /// Trace events at one virtual instant: a guard against livelock, where processes
    /// keep each other busy without time ever moving on.
    pub max_events_per_instant: u64,
    /// Processes alive at once.
    pub max_processes: u32,
    /// Messages waiting in one mailbox.
    pub max_mailbox_len: u32,
    /// Virtual time the run may reach, in microseconds.
    pub max_virtual_time_us: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_events: 50_000_000,
            max_events_per_instant: 1_000_000,
            max_processes: 2_000_000,
            max_mailbox_len: 1_000_000,
            max_virtual_time_us: 24 * 3600 * 1_000_000,
        }
    }
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was left to do: no runnable process and no pending timer.
    Quiescent,
    /// Virtual time reached the run's duration (the normal end of a timed run).
    DurationReached {
        /// The duration, in microseconds.
        at_us: u64,
    },
    /// The run emitted `max_events` events.
    EventLimit {
        /// The limit.
        limit: u64,
    },
    /// One virtual instant saw `max_events_per_instant` events.
    LivelockLimit {
        /// The limit.
        limit: u64,
        /// The instant, in microseconds.
        at_us: u64,
    },
    /// `max_processes` processes were alive at once.
    ProcessLimit {
        /// The limit.
        limit: u32,
    },
    /// A mailbox held `max_mailbox_len` messages.
    MailboxLimit {
        /// The limit.
        limit: u32,
        /// The process whose mailbox overflowed.
        pid: Pid,
    },
}

impl Outcome {
    /// A short stable name: `quiescent`, `duration_reached`, `event_limit`,
    /// `livelock_limit`, `process_limit`, `mailbox_limit`.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Quiescent => "quiescent",
            Outcome::DurationReached { .. } => "duration_reached",
            Outcome::EventLimit { .. } => "event_limit",
            Outcome::LivelockLimit { .. } => "livelock_limit",
            Outcome::ProcessLimit { .. } => "process_limit",
            Outcome::MailboxLimit { .. } => "mailbox_limit",
        }
    }

    /// True for the outcomes that end a run normally (not by hitting a limit).
    pub fn is_normal(&self) -> bool {
        matches!(self, Outcome::Quiescent | Outcome::DurationReached { .. })
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Quiescent => {
                write!(f, "quiescent: no process can run and no timer is pending")
            }
            Outcome::DurationReached { at_us } => write!(f, "duration reached at {at_us} us"),
            Outcome::EventLimit { limit } => {
                write!(f, "event limit: the run reached {limit} events")
            }
            Outcome::LivelockLimit { limit, at_us } => write!(
                f,
                "livelock limit: {limit} events at virtual time {at_us} us without time moving on"
            ),
            Outcome::ProcessLimit { limit } => {
                write!(f, "process limit: {limit} processes alive at once")
            }
            Outcome::MailboxLimit { limit, pid } => {
                write!(f, "mailbox limit: {pid} has {limit} messages waiting")
            }
        }
    }
}
