//! Helpers shared by the kernel conformance tests (`tests/kernel_*.rs`).
//!
//! Everything here goes through the public API only: processes write what they observe
//! into a [`Log`], and the tests read exit reasons and orders from the recorded trace.
#![allow(dead_code)]

#[path = "../support/fixture.rs"]
pub mod fixture;
pub mod otp;
#[path = "../support/scrub.rs"]
pub mod scrub;

use otpsim::kernel::{Ctx, Limits, ProcResult, Sim, SimConfig};
use otpsim::term::{atom, Pid, Ref, Term};
use otpsim::trace::{Event, EventKind};
use std::cell::RefCell;
use std::rc::Rc;

/// A simulation that keeps its events, with default limits.
pub fn recording_sim() -> Sim {
    Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    })
}

/// A recording simulation with the given limits.
pub fn sim_with_limits(limits: Limits) -> Sim {
    Sim::new(SimConfig {
        record: true,
        limits,
        ..SimConfig::default()
    })
}

/// A shared, append-only list of observations. Processes push into it; the test reads
/// it after the run. Single-threaded, like the simulation itself.
#[derive(Clone, Default)]
pub struct Log(Rc<RefCell<Vec<Term>>>);

impl Log {
    pub fn new() -> Log {
        Log::default()
    }

    pub fn push(&self, t: impl Into<Term>) {
        self.0.borrow_mut().push(t.into());
    }

    pub fn get(&self) -> Vec<Term> {
        self.0.borrow().clone()
    }
}

/// `{'EXIT', From, Reason}`.
pub fn exit_msg(from: Pid, reason: Term) -> Term {
    Term::tuple([Term::atom_owned("EXIT"), Term::Pid(from), reason])
}

/// `{'DOWN', Ref, process, Object, Reason}`.
pub fn down_msg(mref: Ref, object: Term, reason: Term) -> Term {
    Term::tuple([
        Term::atom_owned("DOWN"),
        Term::Ref(mref),
        atom("process"),
        object,
        reason,
    ])
}

/// `{shutdown, x}`.
pub fn shutdown_x() -> Term {
    Term::tagged("shutdown", atom("x"))
}

/// The reason `pid` terminated with, read from its `exit` event (needs recording).
pub fn exit_reason(sim: &Sim, pid: Pid) -> Option<Term> {
    sim.events().into_iter().find_map(|e| match e.kind {
        EventKind::Exit { pid: p, reason } if p == pid => Some(reason),
        _ => None,
    })
}

/// The recorded events for which `f` is true.
pub fn events_where(sim: &Sim, f: impl Fn(&EventKind) -> bool) -> Vec<Event> {
    sim.events().into_iter().filter(|e| f(&e.kind)).collect()
}

/// The children `parent` spawned, in spawn order.
pub fn children_of(sim: &Sim, parent: Pid) -> Vec<Pid> {
    sim.events()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Spawn {
                parent: Some(p),
                child,
                ..
            } if p == parent => Some(child),
            _ => None,
        })
        .collect()
}

/// The messages `pid` took from its mailbox, in order (from its `recv` events).
pub fn received_by(sim: &Sim, pid: Pid) -> Vec<Term> {
    sim.events()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Recv { pid: p, msg } if p == pid => Some(msg),
            _ => None,
        })
        .collect()
}

/// Takes every message already queued, without waiting (`receive M -> ... after 0`).
pub async fn drain(ctx: &Ctx) -> Vec<Term> {
    let mut out = Vec::new();
    while let Some(m) = ctx.recv_timeout(0).await {
        out.push(m);
    }
    out
}

/// A process body that waits for the atom `stop`, then exits `normal`.
pub async fn idle(ctx: Ctx) -> ProcResult {
    ctx.recv_match(|m| m.is_atom("stop"), None).await;
    Ok(())
}

/// A process body that waits for ever (only a signal ends it).
pub async fn forever(ctx: Ctx) -> ProcResult {
    ctx.recv_match(|_| false, None).await;
    Ok(())
}

/// The exit reason of `body` run in a fresh monitored process (probe_helpers'
/// `observe/1`).
pub async fn exit_reason_of<F, Fut>(ctx: &Ctx, body: F) -> Term
where
    F: FnOnce(Ctx) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), Term>> + 'static,
{
    let (_, mref) = ctx.spawn_monitor(body);
    let down = ctx
        .recv_match(
            move |m| matches!(m.as_tuple(), Some([_, Term::Ref(r), _, _, _]) if *r == mref),
            None,
        )
        .await;
    down.and_then(|d| d.as_tuple().map(|t| t[4].clone()))
        .unwrap_or(Term::UNDEFINED)
}
