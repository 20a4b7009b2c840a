//! The child the real-OTP supervisor probes use (`tests/otp_fixtures/supervisor_probes/`),
//! replayed in otpsim: it reports `{init, Name}` (or `{init, Args}` under a dynamic
//! supervisor) and `{terminate, Name, Reason}`, and pops one start plan per start.

use otpsim::behaviour::dynamic_supervisor::DynChildSpec;
use otpsim::behaviour::gen_server::{self, GenServer, Init, Response};
use otpsim::behaviour::supervisor::ChildSpec;
use otpsim::kernel::{ms, Ctx, ProcResult};
use otpsim::term::{atom, Pid, Term};
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub enum P {
    Ignore,
    SlowTerminate(u64),
    SlowFail(u64),
    Stop(&'static str),
}

pub type Plans = Rc<RefCell<BTreeMap<&'static str, VecDeque<P>>>>;
pub type Reports = Rc<RefCell<Vec<Term>>>;

/// The probes' child: reports `{init, Name}` (or `{init, Args}` under a dynamic
/// supervisor) and `{terminate, Name, Reason}`; its start plans are popped per start.
#[derive(Clone)]
pub struct Pa {
    name: &'static str,
    plans: Plans,
    reports: Reports,
    trap: bool,
    extra: Option<Vec<Term>>,
}

pub struct Pw {
    a: Pa,
    slow_terminate_ms: u64,
}

impl GenServer for Pw {
    type Args = Pa;

    async fn init(ctx: &Ctx, a: Pa) -> Init<Self> {
        ctx.trap_exit(a.trap);
        let name = Term::atom_owned(a.name);
        let what = match &a.extra {
            Some(extra) => Term::list(extra.iter().cloned().chain([name])),
            None => name,
        };
        a.reports.borrow_mut().push(Term::tagged("init", what));
        let plan = a
            .plans
            .borrow_mut()
            .get_mut(a.name)
            .and_then(VecDeque::pop_front);
        match plan {
            None => Init::Ok(Pw {
                a,
                slow_terminate_ms: 0,
            }),
            Some(P::SlowTerminate(t)) => Init::Ok(Pw {
                a,
                slow_terminate_ms: t,
            }),
            Some(P::Ignore) => Init::Ignore,
            Some(P::Stop(r)) => Init::Stop(Term::atom_owned(r)),
            Some(P::SlowFail(t)) => {
                ctx.sleep(ms(t)).await;
                Init::Stop(atom("no_db"))
            }
        }
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, req: Term) -> Response {
        match req.as_tuple() {
            Some([_, reason]) => Response::Stop(reason.clone()),
            _ => Response::noreply(),
        }
    }

    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        let name = Term::atom_owned(self.a.name);
        let t = Term::tuple([atom("terminate"), name, reason.clone()]);
        self.a.reports.borrow_mut().push(t);
        ctx.sleep(ms(self.slow_terminate_ms)).await;
    }
}

/// One probe scenario: shared plans and reports, and a way to make children.
#[derive(Clone, Default)]
pub struct Probe {
    pub plans: Plans,
    pub reports: Reports,
}

impl Probe {
    pub fn new(plans: &[(&'static str, &[P])]) -> Probe {
        let p = Probe::default();
        for (name, ps) in plans {
            p.plans
                .borrow_mut()
                .insert(name, ps.iter().cloned().collect());
        }
        p
    }

    pub fn args(&self, name: &'static str, trap: bool, extra: Option<Vec<Term>>) -> Pa {
        Pa {
            name,
            plans: self.plans.clone(),
            reports: self.reports.clone(),
            trap,
            extra,
        }
    }

    pub fn spec(&self, name: &'static str) -> ChildSpec {
        ChildSpec::worker::<Pw>(name, self.args(name, true, None))
    }

    pub fn dspec(&self, name: &'static str) -> DynChildSpec {
        let a = self.args(name, true, Some(Vec::new()));
        DynChildSpec::worker_with::<Pw>(name, move |extra| Pa {
            extra: Some(extra),
            ..a.clone()
        })
    }

    /// The reports since the last call, as one list term.
    pub fn take(&self) -> String {
        Term::list(std::mem::take(&mut *self.reports.borrow_mut())).to_string()
    }
}

pub fn run<F, Fut>(body: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ProcResult> + 'static,
{
    let mut sim = super::sim();
    sim.spawn(body);
    sim.run();
}

pub fn crash(ctx: &Ctx, pid: Pid) {
    gen_server::cast(ctx, pid, Term::tagged("stop", atom("boom")));
}

pub type Facts = Rc<RefCell<Vec<(String, String)>>>;

pub fn record(facts: &Facts, key: &str, value: impl ToString) {
    facts
        .borrow_mut()
        .push((key.to_string(), value.to_string()));
}
