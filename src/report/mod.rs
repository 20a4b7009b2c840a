//! Reports on a run for people and programs. Like the checker, a report reads only
//! the trace (and the run's totals), never the kernel.

pub mod summary;
mod text;

pub use summary::{BreakerStats, ClientStats, FaultStats, Summary, SupervisorStats};
