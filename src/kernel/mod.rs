//! The process kernel: processes, mailboxes, signals, timers and names on a virtual
//! clock, run by a single-threaded executor.
//!
//! A process is an `async` body that blocks only on kernel primitives ([`Ctx::recv`],
//! [`Ctx::recv_match`], [`Ctx::sleep`]). Everything else (send, link, monitor, exit,
//! register, timers) takes effect at once, in virtual time. The semantics follow the
//! PROC, SIG, MON and NAME rules of the OTP semantics reference; the orders OTP leaves
//! open follow SIM-1 to SIM-4.

mod body;
mod buggify;
mod catch;
mod ctx;
mod ctx_hooks;
mod hooks;
mod limits;
mod ordered;
mod small_map;
pub(crate) use ordered::OrderedMap;
mod panics;
mod process;
pub mod rng;
mod schedule;
mod sim;
mod state;
mod timers;
mod wait;

pub use buggify::BuggifyConfig;
pub use catch::{catch_crash, catch_crash_pinned};
pub use ctx::{Ctx, SpawnOpts};
pub use hooks::InboundFault;
pub use limits::{Limits, Outcome};
pub use process::ProcResult;
pub use schedule::{Schedule, DEFAULT_PCT_DEPTH};
pub use sim::{RunReport, Sim, SimConfig};
pub use wait::{Receive, Sleep};

/// Microseconds in `n` milliseconds: `ms(50)` for a 50 ms timeout.
pub const fn ms(n: u64) -> u64 {
    n * 1_000
}

/// Microseconds in `n` seconds.
pub const fn secs(n: u64) -> u64 {
    n * 1_000_000
}
