//! Replaying the real-OTP kernel probes (`tests/otp_fixtures/kernel/`): reading the
//! committed `.out` facts, and otpsim counterparts of probe.hrl's helpers.

use super::{exit_reason, recording_sim, Log};
use otpsim::kernel::{ms, Ctx, ProcResult, SpawnOpts};
use otpsim::term::{atom, Pid, Term};
use std::cell::RefCell;
use std::future::Future;
use std::path::PathBuf;
use std::rc::Rc;

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/otp_fixtures/kernel")
}

/// The probes recorded in `dir` (their `.out` files without the suffix), sorted: each
/// test file checks it has a test for every one.
#[allow(dead_code)]
pub fn recorded_probes(dir: &std::path::Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".out").map(str::to_string)
        })
        .collect();
    found.sort();
    found
}

// The probe-output reader itself is shared by every test crate.
#[allow(unused_imports)]
pub use super::fixture::Fixture;

/// What a probe process noted, with names for the pids it met (probe.hrl's note/name).
#[derive(Clone, Default)]
pub struct Probe {
    notes: Log,
    names: Rc<RefCell<Vec<(Pid, String)>>>,
}

impl Probe {
    pub fn note(&self, t: impl Into<Term>) {
        self.notes.push(t);
    }

    pub fn name(&self, pid: Pid, name: &str) -> Pid {
        self.names.borrow_mut().push((pid, name.to_string()));
        pid
    }

    /// `t` printed like `~0p` after scrub/2: named pids by name, others `pid`, refs `ref`.
    pub fn show(&self, t: &Term) -> String {
        self.scrub(t).to_string()
    }

    fn scrub(&self, t: &Term) -> Term {
        super::scrub::scrub(&self.names.borrow(), t)
    }

    /// The notes tagged `{tag, X}`, as the list of X.
    pub fn tagged(&self, tag: &str) -> Term {
        Term::list(self.notes.get().iter().filter_map(|n| match n.as_tuple() {
            Some([t, x]) if t.is_atom(tag) => Some(x.clone()),
            _ => None,
        }))
    }

    /// Everything noted, in order.
    pub fn notes(&self) -> Vec<Term> {
        self.notes.get()
    }

    /// The first note tagged `{tag, X}`, X printed.
    pub fn first(&self, tag: &str) -> String {
        match self.tagged(tag).as_list() {
            Some([x, ..]) => self.show(x),
            _ => panic!("no note tagged {tag}"),
        }
    }

    pub fn has(&self, note: &str) -> bool {
        self.notes.get().iter().any(|n| n.is_atom(note))
    }
}

/// probe.hrl's observe/1: runs `body` as a fresh process (named `self`); returns its
/// notes and exit reason once the simulation is quiescent.
pub fn observe<F, Fut>(body: F) -> (Probe, Term)
where
    F: FnOnce(Ctx, Probe) -> Fut,
    Fut: Future<Output = ProcResult> + 'static,
{
    let mut sim = recording_sim();
    let probe = Probe::default();
    let p = probe.clone();
    let pid = sim.spawn(move |ctx| {
        p.name(ctx.me(), "self");
        body(ctx, p)
    });
    sim.run();
    let reason = exit_reason(&sim, pid).expect("the probe process ended");
    (probe, reason)
}

/// probe.hrl's drain/1: whatever arrives within `us`, in order.
pub async fn drain_for(ctx: &Ctx, us: u64) -> Vec<Term> {
    let mut out = Vec::new();
    while let Some(m) = ctx.recv_timeout(us).await {
        out.push(m);
    }
    out
}

/// `[{Outcome, Runs}]`: a racy fact that came out the same in every run. otpsim is
/// deterministic, so one run stands for all of them.
pub fn all_runs(outcome: &str, runs: &str) -> String {
    format!("[{{{outcome},{runs}}}]")
}

pub fn try_(r: Result<(), Term>, returned: Term) -> Term {
    match r {
        Ok(()) => Term::tagged("returned", returned),
        Err(e) => Term::tagged("error", e),
    }
}

pub fn end_of_body() -> ProcResult {
    Err(atom("end_of_body"))
}

/// `fun() -> receive go -> exit(Reason) end end`; reason `normal` returns normally.
pub async fn exit_on_go(ctx: Ctx, reason: Term) -> ProcResult {
    ctx.recv_match(|m| m.is_atom("go"), None).await;
    if reason.is_atom("normal") {
        Ok(())
    } else {
        Err(reason)
    }
}

/// `spawn_opt(F, [link, monitor])`.
pub fn link_monitor() -> SpawnOpts {
    SpawnOpts {
        link: true,
        monitor: true,
        ..SpawnOpts::default()
    }
}

/// `[note({msg, M}) || M <- drain(Ms)]`.
pub async fn note_drain(ctx: &Ctx, probe: &Probe, us: u64) {
    for m in drain_for(ctx, us).await {
        probe.note(Term::tagged("msg", m));
    }
}

// Replaying probes whose notes are `{Tag, V}` facts (tests/otp_fixtures/gen_server/).

/// `{panic, <<"R">>}` shown as the atom R, anywhere in `t` (a panic is how the Rust
/// server does the probe's `exit(R)`).
pub fn panic_as_exit(t: &Term) -> Term {
    match t {
        Term::Tuple(items) => match items.as_ref() {
            [tag, Term::Bin(msg)] if tag.is_atom("panic") => Term::atom_owned(msg),
            _ => Term::tuple(items.iter().map(panic_as_exit)),
        },
        Term::List(items) => Term::list(items.iter().map(panic_as_exit)),
        other => other.clone(),
    }
}

/// `catch Expr` of a call: the value, or `{'EXIT', Reason}`.
pub fn caught(r: Result<Term, Term>) -> Term {
    r.unwrap_or_else(|reason| Term::tuple([Term::atom_owned("EXIT"), reason]))
}

/// Compares each note `{Tag, V}` with the fact `Case.Tag` (`Tag` for an empty case).
pub fn check_notes(fx: &mut Fixture, case: &str, probe: &Probe) {
    for n in probe.notes() {
        let [tag, v] = n.as_tuple().expect("{Tag, V}") else {
            panic!("note {n}")
        };
        let tag = tag.as_atom().expect("tag");
        let key = if case.is_empty() {
            tag.to_string()
        } else {
            format!("{case}.{tag}")
        };
        fx.check(&key, probe.show(&panic_as_exit(v)));
    }
}

/// `note({Tag, V})`.
pub fn note(p: &Probe, tag: &'static str, v: Term) {
    p.note(Term::tagged(tag, v));
}

/// `note({mailbox, drain(WaitMs)})`.
pub async fn note_mailbox(ctx: &Ctx, p: &Probe, wait_ms: u64) {
    note(p, "mailbox", Term::list(drain_for(ctx, ms(wait_ms)).await));
}
