//! The shared probe-output reader (`tests/support/fixture.rs`).

#[path = "../support/fixture.rs"]
mod shared;
pub use shared::Fixture;
