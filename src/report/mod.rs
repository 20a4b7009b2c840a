//! Reports on a run for people and programs. Like the checker, a report reads only
//! the trace (and the run's totals), never the kernel.

pub mod html;
pub mod summary;
mod text;
pub mod trace_print;

pub use summary::{BreakerStats, ClientStats, FaultStats, Summary, SupervisorStats};
pub use text::printable;
