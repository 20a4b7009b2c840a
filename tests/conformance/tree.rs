//! Scenario nodes turned into otpsim supervisor flags and child specs, as
//! conf_sup.erl turns them into OTP ones. Every process is labelled with its path
//! (`root/db/w1`), which is how the trace names it.

use super::scenario::{Node, ShutdownSpec};
use super::worker::{Registry, Worker, WorkerArgs, WorkerCfg};
use otpsim::behaviour::dynamic_supervisor::{self, DynChildSpec, DynStartFn, DynSupFlags};
use otpsim::behaviour::gen_server::{self, StartOpts, StartResult};
use otpsim::behaviour::supervisor::{
    self, AutoShutdown, ChildSpec, ChildType, Restart, Shutdown, StartFn, Strategy, SupFlags,
};
use otpsim::kernel::Ctx;
use otpsim::term::Term;
use std::collections::BTreeMap;
use std::rc::Rc;

/// What a path of the tree is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Worker,
    Sup,
    DynSup,
}

/// The supervisor flags of a node.
pub fn flags(node: &Node) -> SupFlags {
    let strategy = match node.strategy.as_str() {
        "one_for_one" => Strategy::OneForOne,
        "one_for_all" => Strategy::OneForAll,
        "rest_for_one" => Strategy::RestForOne,
        s => panic!("unknown strategy {s:?}"),
    };
    let auto = match node.auto_shutdown.as_str() {
        "never" => AutoShutdown::Never,
        "any_significant" => AutoShutdown::AnySignificant,
        "all_significant" => AutoShutdown::AllSignificant,
        s => panic!("unknown auto_shutdown {s:?}"),
    };
    SupFlags {
        strategy,
        max_restarts: node.max_restarts,
        max_seconds: node.max_seconds,
        auto_shutdown: auto,
    }
}

/// Starts the supervisor of `node` at `path` linked to the caller, counting the start
/// in the registry first (a failed start is an incarnation too, as on the OTP side).
pub async fn start_sup(ctx: &Ctx, node: &Node, path: &str, registry: &Registry) -> StartResult {
    let n = registry.next_start(path);
    let children = node
        .children
        .iter()
        .map(|c| child_spec(c, path, registry))
        .collect();
    let opts = StartOpts {
        label: Some(path.into()),
        ..StartOpts::default()
    };
    let result = supervisor::start_link(ctx, flags(node), children, opts).await;
    if let StartResult::Ok(pid) = result {
        registry.set(path, n, pid);
    }
    result
}

/// Starts the dynamic supervisor of `node` at `path`, as [`start_sup`] does.
pub async fn start_dynsup(ctx: &Ctx, node: &Node, path: &str, registry: &Registry) -> StartResult {
    let n = registry.next_start(path);
    let flags = DynSupFlags {
        max_restarts: node.max_restarts,
        max_seconds: node.max_seconds,
        max_children: node.max_children,
        extra_arguments: Vec::new(),
    };
    let opts = StartOpts {
        label: Some(path.into()),
        ..StartOpts::default()
    };
    let result = dynamic_supervisor::start_link(ctx, flags, opts).await;
    if let StartResult::Ok(pid) = result {
        registry.set(path, n, pid);
    }
    result
}

/// Starts the worker of `node` at `path` linked to the caller.
async fn start_worker(ctx: &Ctx, args: WorkerArgs) -> StartResult {
    let opts = StartOpts {
        label: Some(args.path.as_str().into()),
        ..StartOpts::default()
    };
    gen_server::start_link::<Worker>(ctx, args, opts).await
}

fn worker_args(node: &Node, path: &str, registry: &Registry) -> WorkerArgs {
    WorkerArgs {
        path: path.to_string(),
        cfg: Rc::new(WorkerCfg::from_node(node)),
        registry: registry.clone(),
    }
}

/// The child spec of `node` under the supervisor at `sup_path`.
pub fn child_spec(node: &Node, sup_path: &str, registry: &Registry) -> ChildSpec {
    let path = format!("{sup_path}/{}", node.id());
    let start: StartFn = if node.is_supervisor() || node.is_dynamic() {
        let node = Rc::new(node.clone());
        let registry = registry.clone();
        Rc::new(move |ctx: Ctx| {
            let (node, path, registry) = (node.clone(), path.clone(), registry.clone());
            Box::pin(async move {
                if node.is_dynamic() {
                    start_dynsup(&ctx, &node, &path, &registry).await
                } else {
                    start_sup(&ctx, &node, &path, &registry).await
                }
            })
        })
    } else {
        let args = worker_args(node, &path, registry);
        Rc::new(move |ctx: Ctx| {
            let args = args.clone();
            Box::pin(async move { start_worker(&ctx, args).await })
        })
    };
    let (restart, shutdown) = restart_and_shutdown(node);
    ChildSpec {
        id: Term::atom_owned(node.id()),
        start,
        restart,
        shutdown,
        child_type: if node.is_supervisor() || node.is_dynamic() {
            ChildType::Supervisor
        } else {
            ChildType::Worker
        },
        significant: node.significant,
    }
}

/// The child spec of a worker `node` started under the dynamic supervisor at
/// `sup_path`; its path is `sup_path/id`, though the supervisor ignores ids.
pub fn dyn_child_spec(node: &Node, sup_path: &str, registry: &Registry) -> DynChildSpec {
    let args = worker_args(node, &format!("{sup_path}/{}", node.id()), registry);
    let start: DynStartFn = Rc::new(move |ctx: Ctx, _extra: Vec<Term>| {
        let args = args.clone();
        Box::pin(async move { start_worker(&ctx, args).await })
    });
    let (restart, shutdown) = restart_and_shutdown(node);
    DynChildSpec {
        id: Term::atom_owned(node.id()),
        start,
        restart,
        shutdown,
        child_type: ChildType::Worker,
    }
}

fn restart_and_shutdown(node: &Node) -> (Restart, Shutdown) {
    let restart = match node.restart.as_str() {
        "permanent" => Restart::Permanent,
        "transient" => Restart::Transient,
        "temporary" => Restart::Temporary,
        r => panic!("unknown restart {r:?}"),
    };
    let shutdown = match &node.shutdown {
        None if node.is_supervisor() || node.is_dynamic() => Shutdown::Infinity,
        None => Shutdown::Timeout(5000),
        Some(ShutdownSpec::Ms(t)) => Shutdown::Timeout(*t),
        Some(ShutdownSpec::Word(w)) if w == "brutal_kill" => Shutdown::BrutalKill,
        Some(ShutdownSpec::Word(w)) if w == "infinity" => Shutdown::Infinity,
        Some(ShutdownSpec::Word(w)) => panic!("unknown shutdown {w:?}"),
    };
    (restart, shutdown)
}

/// What every path of the tree is, including children that `start_child` actions add.
pub fn kinds(root: &Node, extra: &[(String, Node)]) -> BTreeMap<String, Kind> {
    fn walk(node: &Node, path: String, out: &mut BTreeMap<String, Kind>) {
        for c in &node.children {
            walk(c, format!("{path}/{}", c.id()), out);
        }
        let kind = if node.is_dynamic() {
            Kind::DynSup
        } else if node.is_supervisor() {
            Kind::Sup
        } else {
            Kind::Worker
        };
        out.insert(path, kind);
    }
    let mut out = BTreeMap::new();
    walk(root, "root".into(), &mut out);
    out.insert("root".into(), Kind::Sup);
    for (sup_path, child) in extra {
        walk(child, format!("{sup_path}/{}", child.id()), &mut out);
    }
    out
}
