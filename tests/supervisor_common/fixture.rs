//! The shared probe-output reader (`tests/support/fixture.rs`).

#[path = "../support/fixture.rs"]
mod shared;
// Not every crate that includes supervisor_common replays probes.
#[allow(unused_imports)]
pub use shared::Fixture;
