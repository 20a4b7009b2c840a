//! The configurable test worker, twin of conf_worker.erl, and the registry of the
//! tree's processes by path that the driver and the workers share.

use super::scenario::{InitSpec, Node};
use otpsim::behaviour::gen_server::{GenServer, Init, Response};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{parse_term, Pid, Term};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Parses a reason written in Erlang syntax; a scenario with a bad one is a bug in
/// the scenario.
pub fn reason(text: &str) -> Term {
    parse_term(text).unwrap_or_else(|e| panic!("bad term {text:?} in scenario: {e}"))
}

/// What init does on one start.
#[derive(Clone, Debug)]
pub enum InitPlan {
    Ok,
    Ignore,
    /// `{stop, R}`: the starter gets `{error, R}`.
    Error(Term),
    /// A panic with this message: the reason is `{panic, <<"message">>}`.
    Crash(String),
}

impl InitPlan {
    fn from_spec(spec: &InitSpec) -> InitPlan {
        match spec {
            InitSpec::Word(w) if w == "ok" => InitPlan::Ok,
            InitSpec::Word(w) if w == "ignore" => InitPlan::Ignore,
            InitSpec::Word(w) => panic!("unknown init result {w:?}"),
            InitSpec::Error { error } => InitPlan::Error(reason(error)),
            InitSpec::Crash { crash } => InitPlan::Crash(crash.clone()),
        }
    }
}

/// A worker's configuration, taken from its scenario node.
#[derive(Debug)]
pub struct WorkerCfg {
    pub trap_exit: bool,
    pub terminate_ms: u64,
    pub init: InitPlan,
    /// (start number, init result of that start).
    pub fail_on: Vec<(u32, InitPlan)>,
}

impl WorkerCfg {
    pub fn from_node(node: &Node) -> WorkerCfg {
        WorkerCfg {
            trap_exit: node.trap_exit,
            terminate_ms: node.terminate_ms,
            init: InitPlan::from_spec(&node.init),
            fail_on: node
                .fail_on
                .iter()
                .map(|f| (f.start, InitPlan::from_spec(&f.init)))
                .collect(),
        }
    }

    fn plan(&self, start: u32) -> InitPlan {
        self.fail_on
            .iter()
            .find(|(n, _)| *n == start)
            .map_or_else(|| self.init.clone(), |(_, p)| p.clone())
    }
}

#[derive(Default)]
struct RegistryInner {
    starts: BTreeMap<String, u32>,
    current: BTreeMap<String, Pid>,
    names: BTreeMap<Pid, String>,
}

/// The tree's processes by path, as the OTP side's recorder keeps them: how many times
/// each path was started, the latest pid of each path, and each pid's name
/// (`root/c1#2`). Workers register themselves in `init`; supervisors are registered
/// by whoever starts them.
#[derive(Clone, Default)]
pub struct Registry(Rc<RefCell<RegistryInner>>);

impl Registry {
    /// Counts one more start of `path` and returns its number (1 for the first).
    pub fn next_start(&self, path: &str) -> u32 {
        let mut r = self.0.borrow_mut();
        let n = r.starts.entry(path.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    /// Records that start `n` of `path` is `pid`.
    pub fn set(&self, path: &str, n: u32, pid: Pid) {
        let mut r = self.0.borrow_mut();
        r.current.insert(path.to_string(), pid);
        r.names.insert(pid, format!("{path}#{n}"));
    }

    /// The latest pid of `path`, dead or alive.
    pub fn pid_of(&self, path: &str) -> Option<Pid> {
        self.0.borrow().current.get(path).copied()
    }

    /// `t` with every known pid replaced by its name as an atom, as conf_rec:named/1.
    pub fn named(&self, t: &Term) -> Term {
        match t {
            Term::Pid(p) => match self.0.borrow().names.get(p) {
                Some(name) => Term::atom_owned(name),
                None => t.clone(),
            },
            Term::Tuple(items) => Term::tuple(items.iter().map(|x| self.named(x))),
            Term::List(items) => Term::list(items.iter().map(|x| self.named(x))),
            _ => t.clone(),
        }
    }
}

/// The worker's start arguments.
#[derive(Clone)]
pub struct WorkerArgs {
    pub path: String,
    pub cfg: Rc<WorkerCfg>,
    pub registry: Registry,
}

/// The worker: a gen_server that traps exits or not, answers init as configured for
/// the current start, stops when cast `{stop_with, Reason}`, and spends
/// `terminate_ms` in terminate.
pub struct Worker {
    terminate_ms: u64,
}

impl GenServer for Worker {
    type Args = WorkerArgs;

    async fn init(ctx: &Ctx, args: WorkerArgs) -> Init<Self> {
        let n = args.registry.next_start(&args.path);
        args.registry.set(&args.path, n, ctx.me());
        if args.cfg.trap_exit {
            ctx.trap_exit(true);
        }
        match args.cfg.plan(n) {
            InitPlan::Ok => Init::Ok(Worker {
                terminate_ms: args.cfg.terminate_ms,
            }),
            InitPlan::Ignore => Init::Ignore,
            InitPlan::Error(r) => Init::Stop(r),
            InitPlan::Crash(message) => panic!("{message}"),
        }
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, request: Term) -> Response {
        match request.as_tuple() {
            Some([tag, reason]) if tag.is_atom("stop_with") => Response::Stop(reason.clone()),
            _ => Response::noreply(),
        }
    }

    async fn terminate(&mut self, ctx: &Ctx, _reason: &Term) {
        if self.terminate_ms > 0 {
            ctx.sleep(ms(self.terminate_ms)).await;
        }
    }
}
