//! Helpers shared by the supervisor conformance tests (`tests/supervisor_*.rs`,
//! `tests/dynamic_supervisor_*.rs`): a scriptable worker and a one-line rendering of
//! the supervisor trace events.
#![allow(dead_code)]

pub mod fixture;
pub mod probe;

use otpsim::behaviour::gen_server::{GenServer, Init, Response};
use otpsim::behaviour::supervisor::{self, ChildPid, ChildSpec};
use otpsim::kernel::{Ctx, Sim, SimConfig};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::EventKind;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// What the test processes saw, in order.
pub type Log = Rc<RefCell<Vec<String>>>;

pub fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

pub fn lines(log: &Log) -> Vec<String> {
    log.borrow().clone()
}

pub fn sim() -> Sim {
    Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    })
}

/// How one start of a worker's `init` goes.
#[derive(Clone, Debug)]
pub enum Plan {
    Ok,
    Ignore,
    Stop(Term),
    Crash,
}

/// A worker's script: shared by every start of the same child spec.
#[derive(Clone)]
pub struct W {
    pub name: &'static str,
    pub log: Log,
    /// Consumed one per start; `Ok` once empty.
    pub plans: Rc<RefCell<VecDeque<Plan>>>,
    pub trap: bool,
    /// Virtual time `init` spends before returning.
    pub init_us: u64,
    /// Virtual time `terminate` spends (a kill may cut it short).
    pub terminate_us: u64,
}

impl W {
    pub fn new(name: &'static str, log: &Log) -> W {
        W {
            name,
            log: log.clone(),
            plans: Rc::new(RefCell::new(VecDeque::new())),
            trap: false,
            init_us: 0,
            terminate_us: 0,
        }
    }

    pub fn plans(self, plans: &[Plan]) -> W {
        self.plans.borrow_mut().extend(plans.iter().cloned());
        self
    }

    pub fn trapping(self, terminate_us: u64) -> W {
        W {
            trap: true,
            terminate_us,
            ..self
        }
    }

    pub fn slow_init(self, init_us: u64) -> W {
        W { init_us, ..self }
    }

    pub fn spec(self) -> ChildSpec {
        let id = self.name;
        ChildSpec::worker::<Worker>(id, self)
    }
}

pub struct Worker {
    w: W,
}

impl GenServer for Worker {
    type Args = W;

    async fn init(ctx: &Ctx, w: W) -> Init<Self> {
        w.log
            .borrow_mut()
            .push(format!("init {} @{}", w.name, ctx.now_us() / 1000));
        if w.init_us > 0 {
            ctx.sleep(w.init_us).await;
            w.log
                .borrow_mut()
                .push(format!("init done {} @{}", w.name, ctx.now_us() / 1000));
        }
        if w.trap {
            ctx.trap_exit(true);
        }
        let plan = w.plans.borrow_mut().pop_front().unwrap_or(Plan::Ok);
        match plan {
            Plan::Ok => Init::Ok(Worker { w }),
            Plan::Ignore => Init::Ignore,
            Plan::Stop(r) => Init::Stop(r),
            Plan::Crash => panic!("init crashed"),
        }
    }

    /// `{stop, Reason}` makes the worker exit with Reason (e.g. `normal`).
    async fn handle_cast(&mut self, _ctx: &Ctx, req: Term) -> Response {
        match req.as_tuple() {
            Some([tag, reason]) if tag.is_atom("stop") => Response::Stop(reason.clone()),
            _ => Response::noreply(),
        }
    }

    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        let w = &self.w;
        w.log.borrow_mut().push(format!(
            "terminate {} {reason} @{}",
            w.name,
            ctx.now_us() / 1000
        ));
        if w.terminate_us > 0 {
            ctx.sleep(w.terminate_us).await;
            w.log
                .borrow_mut()
                .push(format!("terminated {} @{}", w.name, ctx.now_us() / 1000));
        }
    }
}

/// Makes the worker `pid` exit with `reason` from inside (its terminate runs).
pub fn stop_worker(ctx: &Ctx, pid: Pid, reason: Term) {
    otpsim::behaviour::gen_server::cast(ctx, pid, Term::tagged("stop", reason));
}

/// The current pid of child `id`, if it is running.
pub async fn pid_of(ctx: &Ctx, sup: Pid, id: &str) -> Option<Pid> {
    let id = Term::atom_owned(id);
    supervisor::which_children(ctx, sup)
        .await
        .into_iter()
        .find(|c| c.id == id)
        .and_then(|c| match c.pid {
            ChildPid::Pid(p) => Some(p),
            _ => None,
        })
}

/// `[c3, c2, c1]`-style rendering of which_children.
pub async fn which(ctx: &Ctx, sup: Pid) -> Vec<String> {
    supervisor::which_children(ctx, sup)
        .await
        .into_iter()
        .map(|c| {
            let state = match c.pid {
                ChildPid::Pid(_) => "pid",
                ChildPid::Restarting => "restarting",
                ChildPid::Undefined => "undefined",
            };
            format!("{}:{state}", c.id)
        })
        .collect()
}

/// Lets everything due at this instant happen (1 µs of virtual time).
pub async fn settle(ctx: &Ctx) {
    ctx.sleep(1).await;
}

/// The supervisor events of `sup` (all supervisors when `None`), one line each.
pub fn sup_events(sim: &Sim, sup: Option<Pid>) -> Vec<String> {
    sim.events()
        .into_iter()
        .filter_map(|e| {
            let (s, line) = match e.kind {
                EventKind::ChildStart {
                    sup,
                    id,
                    result,
                    cause,
                    ..
                } => (sup, format!("start {id} {result} {cause}")),
                EventKind::ChildExitSeen {
                    sup,
                    id,
                    reason,
                    decision,
                    ..
                } => (sup, format!("exit {id} {reason} {decision}")),
                EventKind::RestartCounted {
                    sup,
                    id,
                    stamp_s,
                    window_len,
                    max,
                } => (sup, format!("count {id} {stamp_s}s {window_len}/{max}")),
                EventKind::ChildShutdown {
                    sup,
                    id,
                    method,
                    timeout,
                    ..
                } => (sup, format!("shutdown {id} {method} {timeout}")),
                EventKind::ChildShutdownTimeout { sup, id, .. } => (sup, format!("timeout {id}")),
                EventKind::ChildDown {
                    sup,
                    id,
                    reason,
                    accepted,
                    ..
                } => (sup, format!("down {id} {reason} {accepted}")),
                EventKind::TryAgain { sup, id } => (sup, format!("try_again {id}")),
                EventKind::IntensityExceeded { sup, offender_id } => {
                    (sup, format!("exceeded {offender_id}"))
                }
                EventKind::AutoShutdown {
                    sup,
                    trigger_id,
                    mode,
                } => (sup, format!("auto_shutdown {trigger_id} {mode}")),
                EventKind::SupExit { sup, reason } => (sup, format!("sup_exit {reason}")),
                _ => return None,
            };
            (sup.is_none_or(|p| p == s)).then_some(line)
        })
        .collect()
}

/// Only the lines starting with `prefix`.
pub fn only(lines: &[String], prefix: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with(prefix))
        .cloned()
        .collect()
}

/// The exit reason of `pid` from the trace.
pub fn exit_reason(sim: &Sim, pid: Pid) -> Option<Term> {
    sim.events().into_iter().find_map(|e| match e.kind {
        EventKind::Exit { pid: p, reason } if p == pid => Some(reason),
        _ => None,
    })
}

/// The label a process was spawned with.
pub fn label_of(sim: &Sim, pid: Pid) -> Option<String> {
    sim.events().into_iter().find_map(|e| match e.kind {
        EventKind::Spawn { child, label, .. } if child == pid => label,
        _ => None,
    })
}

pub fn a(name: &str) -> Term {
    Term::atom_owned(name)
}

pub fn shutdown_tuple(t: Term) -> Term {
    Term::tagged("shutdown", t)
}

pub fn boom() -> Term {
    atom("boom")
}

/// Runs `body` as the driver process of a fresh recording simulation, to the end.
pub fn run<F, Fut>(body: F) -> (Sim, Pid)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = otpsim::kernel::ProcResult> + 'static,
{
    let mut sim = sim();
    let driver = sim.spawn(body);
    sim.run();
    (sim, driver)
}

/// Options with a trace label.
pub fn labelled(label: &str) -> otpsim::behaviour::gen_server::StartOpts {
    otpsim::behaviour::gen_server::StartOpts {
        label: Some(label.into()),
        ..Default::default()
    }
}

/// A shared slot a driver fills in for the test to read after the run.
pub type Slot<T> = Rc<RefCell<Option<T>>>;

pub fn slot<T>() -> Slot<T> {
    Rc::new(RefCell::new(None))
}
