//! Helpers shared by the registry tests (`tests/registry_*.rs`): a recording
//! simulation, the real-Elixir facts under `tests/otp_fixtures/registry/`, and the
//! probe's pid naming, so otpsim's terms print like the probe's.
#![allow(dead_code)]

pub mod replay;
#[path = "../support/scrub.rs"]
mod scrub;

use otpsim::kernel::{Ctx, Sim, SimConfig};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::EventKind;
use std::cell::RefCell;
use std::rc::Rc;

/// A simulation that keeps its events.
pub fn sim() -> Sim {
    Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    })
}

/// Runs `sim` to the end and fails the test if the run did not end normally, if any
/// process crashed with a panic (a failed `assert!` inside a process is a panic, which
/// the kernel turns into an exit), or if a process the test spawned at the top level
/// exited with anything but `normal`.
pub fn run_clean(sim: &mut Sim) {
    let report = sim.run();
    assert!(
        report.outcome.is_normal(),
        "run ended with {:?}",
        report.outcome
    );
    let events = sim.events();
    let tops: Vec<Pid> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Spawn {
                parent: None,
                child,
                ..
            } => Some(child),
            _ => None,
        })
        .collect();
    for e in &events {
        if let EventKind::Exit { pid, reason } = &e.kind {
            assert!(
                reason.tag() != Some("panic"),
                "process {pid} crashed: {reason}"
            );
            assert!(
                !tops.contains(pid) || *reason == Term::NORMAL,
                "top-level process {pid} exited with {reason}"
            );
        }
    }
}

#[path = "../support/fixture.rs"]
mod fixture;
pub use fixture::Fixture;

/// Facts recorded inside a simulation and the names given to pids there (the probe's
/// `Probe.name/2`), printed after the run.
#[derive(Clone, Default)]
pub struct Facts {
    facts: Rc<RefCell<Vec<(String, Term)>>>,
    names: Rc<RefCell<Vec<(Pid, String)>>>,
}

impl Facts {
    pub fn fact(&self, key: &str, value: impl Into<Term>) {
        self.facts
            .borrow_mut()
            .push((key.to_string(), value.into()));
    }

    pub fn name(&self, pid: Pid, name: &str) -> Pid {
        self.names.borrow_mut().push((pid, name.to_string()));
        pid
    }

    pub fn pid(&self, name: &str) -> Pid {
        self.names
            .borrow()
            .iter()
            .find(|(_, n)| n == name)
            .map(|(p, _)| *p)
            .unwrap_or_else(|| panic!("no pid named {name}"))
    }

    /// `t` as the probe prints it: named pids by name, other pids `pid`, refs `ref`.
    pub fn show(&self, t: &Term) -> String {
        self.scrub(t).to_string()
    }

    fn scrub(&self, t: &Term) -> Term {
        scrub::scrub(&self.names.borrow(), t)
    }

    /// The value recorded for `key`.
    pub fn value(&self, key: &str) -> Term {
        let facts = self.facts.borrow();
        let found = facts.iter().find(|(k, _)| k == key);
        found.map(|(_, v)| v.clone()).expect("fact recorded")
    }

    /// Checks every recorded fact against the fixture, except those in `special`
    /// (the caller compares them its own way).
    pub fn check_all(&self, fx: &mut Fixture, special: &[&str]) {
        for (key, value) in self.facts.borrow().iter() {
            if !special.contains(&key.as_str()) {
                fx.check(key, self.show(value));
            }
        }
    }
}

/// `[{Pid, Value}]` as a term.
pub fn pairs(entries: &[(Pid, Term)]) -> Term {
    Term::list(
        entries
            .iter()
            .map(|(p, v)| Term::tuple([Term::Pid(*p), v.clone()])),
    )
}

/// `{ok, Pid}` or `{error, Reason}` as a term.
pub fn ok_or_error(r: Result<Pid, Term>) -> Term {
    match r {
        Ok(p) => Term::tuple([Term::OK, Term::Pid(p)]),
        Err(e) => Term::tagged("error", e),
    }
}

/// Takes every message already queued, without waiting.
pub async fn drain(ctx: &Ctx) -> Vec<Term> {
    let mut out = Vec::new();
    while let Some(m) = ctx.recv_timeout(0).await {
        out.push(m);
    }
    out
}

/// A mark in the trace: the process sends itself `{mark, Name}` and takes it back, so
/// that [`linked_at`] can tell what the links were at that point.
pub async fn mark(ctx: &Ctx, name: &'static str) {
    let m = Term::tagged("mark", atom(name));
    ctx.send(ctx.me(), m.clone());
    ctx.recv_match(move |x| *x == m, None).await;
}

/// Whether `a` and `b` were linked when the mark `name` was sent, replaying the
/// trace's spawn, link, unlink and exit events (`process_info(P, links)`).
pub fn linked_at(sim: &Sim, a: Pid, b: Pid, name: &'static str) -> bool {
    let pair = |x: Pid, y: Pid| (x == a && y == b) || (x == b && y == a);
    let mut linked = false;
    for e in sim.events() {
        match e.kind {
            EventKind::Spawn {
                parent: Some(p),
                child,
                linked: true,
                ..
            } if pair(p, child) => linked = true,
            EventKind::Link { a: x, b: y } if pair(x, y) => linked = true,
            EventKind::Unlink { a: x, b: y } if pair(x, y) => linked = false,
            EventKind::Exit { pid, .. } if pid == a || pid == b => linked = false,
            EventKind::Send { msg, .. } if msg == Term::tagged("mark", atom(name)) => {
                return linked
            }
            _ => {}
        }
    }
    panic!("no mark {name} in the trace")
}

/// Runs `fut` in the caller and reports a panic the way the probe reports an Elixir
/// exception: `{raised, 'Elixir.ArgumentError', <<"message">>}`.
pub async fn try_raise<T>(fut: impl std::future::Future<Output = T>) -> Result<T, Term> {
    otpsim::kernel::catch_crash(fut)
        .await
        .map_err(|crash| match crash.as_tuple() {
            Some([tag, msg]) if tag.is_atom("panic") => {
                Term::tuple([atom("raised"), atom("Elixir.ArgumentError"), msg.clone()])
            }
            _ => crash,
        })
}

/// Whether an Elixir `ArgumentError` fact and a Rust panic say the same: the panic
/// message, with Elixir's `:atom` spelling for `name`, opens the exception's message.
pub fn same_argument_error(otp: &str, otpsim: &Term, name: &str) -> bool {
    let Some([_, _, Term::Bin(msg)]) = otpsim.as_tuple() else {
        return false;
    };
    let elixir = if name.is_empty() {
        msg.to_string()
    } else {
        msg.replace(&format!(": {name}"), &format!(": :{name}"))
    };
    otp.starts_with(&format!("{{raised,'Elixir.ArgumentError',<<\"{elixir}"))
}
