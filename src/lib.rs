//! otpsim: a deterministic simulator of Erlang/OTP supervision trees.
//!
//! One thread, one virtual clock, one seed: one exact history. The [`kernel`] runs
//! processes as tasks on a single-threaded executor with OTP's signal semantics; the
//! [`trace`] records every observable step as JSON Lines with a stable fingerprint.
//!
//! ```
//! use otpsim::kernel::{Sim, SimConfig};
//! use otpsim::term::{atom, Term};
//!
//! let mut sim = Sim::new(SimConfig::default());
//! let echo = sim.spawn(|ctx| async move {
//!     let msg = ctx.recv().await;
//!     if let Some([Term::Pid(from), body]) = msg.as_tuple() {
//!         ctx.send(*from, body.clone());
//!     }
//!     Ok(())
//! });
//! sim.spawn(move |ctx| async move {
//!     ctx.send(echo, Term::tuple_of([Term::Pid(ctx.me()), atom("hello")]));
//!     assert!(ctx.recv().await.is_atom("hello"));
//!     Ok(())
//! });
//! let report = sim.run();
//! assert_eq!(report.outcome.name(), "quiescent");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod behaviour;
pub mod check;
pub mod explore;
pub mod kernel;
pub mod models;
pub mod report;
pub mod scenario;
pub mod term;
pub mod testing;
pub mod trace;
pub mod workloads;

// The README's examples run as doctests, so the front page cannot drift from the code.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
