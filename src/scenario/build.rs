//! Building a scenario's tree: every [`Node`] becomes the child spec its parent
//! supervisor starts it with, and the application becomes an [`AppSpec`] whose start
//! function starts the root.
//!
//! Names and labels follow the scenario's paths:
//! - every process of the tree is labelled with its path (`root`, `root/db`,
//!   `root/db/conn1`), the same label its supervisor gives it;
//! - every static node is registered under its path as a local name
//!   (`Atom::new("root/db")`): models so that clients can call them by it (and get
//!   `noproc` while they are down, as in OTP), supervisors of every kind and
//!   registries so that models can name them;
//! - a dynamic supervisor's boot children, and models it starts later, live at
//!   `dynsup_path/child_id` and are not registered (dynamic children have no name);
//! - a partition supervisor's partitions live at `psup_path/0`, `psup_path/1`, ...
//!   and are registered under those paths.
//!
//! Durations in the scenario are microseconds; supervisors count shutdown budgets in
//! whole milliseconds, so a budget is rounded up to the next millisecond.

use crate::behaviour::application::{AppSpec, AppType};
use crate::behaviour::dynamic_supervisor::{self, DynChildSpec, DynStartFn, DynSupFlags};
use crate::behaviour::gen_server::{ServerName, StartOpts, StartResult};
use crate::behaviour::partition_supervisor::{PartitionChild, PartitionOpts, PartitionSupervisor};
use crate::behaviour::registry::{Keys, Registry, RegistryOpts};
use crate::behaviour::supervisor::{
    self, AutoShutdown, ChildSpec, ChildType, Restart, Shutdown, StartFn, Strategy, SupFlags,
};
use crate::behaviour::task;
use crate::kernel::Ctx;
use crate::models::{ModelEnv, StartFuture};
use crate::scenario::spec::{
    AppRestartType, AutoShutdownSpec, Intensity, Node, NodeKind, RegistryKeys, RestartSpec,
    Scenario, ShutdownSpec, StrategySpec,
};
use crate::term::{Atom, Term};
use std::rc::Rc;

/// The application of `scenario`: its name, its environment, and a start function
/// that starts the root node linked to the application's starter.
pub fn app_spec(scenario: &Scenario) -> AppSpec {
    let app = scenario.app.name.clone();
    let root = Rc::new(scenario.app.root.clone());
    let mut spec = AppSpec::new(&app, {
        let app = app.clone();
        move |ctx: Ctx| start_node(ctx, root.clone(), root.id.clone(), app.clone())
    });
    for (key, value) in &scenario.app.env {
        spec = spec.env(key, value.clone());
    }
    spec
}

/// The application type of the scenario's `app.type`.
pub fn app_type(t: AppRestartType) -> AppType {
    match t {
        AppRestartType::Permanent => AppType::Permanent,
        AppRestartType::Transient => AppType::Transient,
        AppRestartType::Temporary => AppType::Temporary,
    }
}

/// The child spec that starts `node` at `path` under a static supervisor, with the
/// node's restart, shutdown and significance.
pub fn child_spec(node: &Node, path: &str, app: &str) -> ChildSpec {
    let start: StartFn = {
        let (node, path, app) = (Rc::new(node.clone()), path.to_string(), app.to_string());
        Rc::new(move |ctx: Ctx| start_node(ctx, node.clone(), path.clone(), app.clone()))
    };
    let child_type = match node.kind {
        NodeKind::Model(_) => ChildType::Worker,
        _ => ChildType::Supervisor,
    };
    ChildSpec {
        id: Term::atom_owned(&node.id),
        start,
        restart: restart(node.restart),
        shutdown: shutdown(node.shutdown),
        child_type,
        significant: node.significant,
    }
}

/// The spec a dynamic supervisor at `sup_path` starts the model `node` with: at
/// `sup_path/id`, unregistered, the supervisor's extra arguments passed to the model.
pub fn dyn_child_spec(node: &Node, sup_path: &str, app: &str) -> DynChildSpec {
    let path = format!("{sup_path}/{}", node.id);
    let (kind, app) = (Rc::new(node.kind.clone()), app.to_string());
    let start: DynStartFn = Rc::new(move |ctx: Ctx, extra: Vec<Term>| match &*kind {
        NodeKind::Model(model) => {
            let env = ModelEnv {
                path: path.clone(),
                name: None,
                app: app.clone(),
            };
            model.start(ctx, env, extra)
        }
        // The loader only puts models under a dynamic supervisor.
        other => {
            let what = Term::tagged("not_a_model", Term::bin(kind_name(other)));
            Box::pin(async move { StartResult::Error(what) })
        }
    });
    let child_type = match node.kind {
        NodeKind::Model(_) => ChildType::Worker,
        _ => ChildType::Supervisor,
    };
    DynChildSpec::new(Term::atom_owned(&node.id), start)
        .restart(restart(node.restart))
        .shutdown(shutdown(node.shutdown))
        .child_type(child_type)
}

/// Starts `node` at `path`, linked to the caller (a supervisor, or the application's
/// starter for the root).
pub fn start_node(ctx: Ctx, node: Rc<Node>, path: String, app: String) -> StartFuture {
    match &node.kind {
        NodeKind::Model(model) => model.start(ctx, ModelEnv::at_path(&path, &app), vec![]),
        NodeKind::Supervisor {
            strategy,
            intensity,
            auto_shutdown,
            children,
        } => {
            let flags = sup_flags(*strategy, *intensity).auto_shutdown(auto(*auto_shutdown));
            let specs = children
                .iter()
                .map(|c| child_spec(c, &format!("{path}/{}", c.id), &app))
                .collect();
            Box::pin(async move { supervisor::start_link(&ctx, flags, specs, named(&path)).await })
        }
        NodeKind::DynamicSupervisor {
            intensity,
            max_children,
            children,
        } => {
            let flags = dyn_flags(*intensity, *max_children);
            let boot: Vec<DynChildSpec> = children
                .iter()
                .map(|c| dyn_child_spec(c, &path, &app))
                .collect();
            Box::pin(async move {
                let started = dynamic_supervisor::start_link(&ctx, flags, named(&path)).await;
                if let StartResult::Ok(sup) = started {
                    // As a program would in its start-up: each in order; one that fails
                    // to start is in the trace (its child_start event) and the rest go
                    // on.
                    for spec in boot {
                        let _ = dynamic_supervisor::start_child(&ctx, sup, spec).await;
                    }
                }
                started
            })
        }
        NodeKind::TaskSupervisor {
            intensity,
            max_children,
        } => {
            let flags = dyn_flags(*intensity, *max_children);
            Box::pin(async move { task::supervisor::start_link(&ctx, flags, named(&path)).await })
        }
        NodeKind::PartitionSupervisor {
            partitions,
            child,
            strategy,
            intensity,
        } => {
            let psup = PartitionSupervisor::new(Atom::new(&path));
            let opts = PartitionOpts {
                partitions: *partitions,
                flags: sup_flags(*strategy, *intensity),
                label: Some(Atom::new(&path)),
            };
            let part = partition_child(child, &path, &app);
            Box::pin(async move { psup.start_link(&ctx, part, opts).await })
        }
        NodeKind::Registry { keys, partitions } => {
            let registry = Registry::new(Atom::new(&path));
            let keys = match keys {
                RegistryKeys::Unique => Keys::Unique,
                RegistryKeys::Duplicate => Keys::Duplicate,
            };
            let opts = RegistryOpts::partitions(*partitions as usize);
            Box::pin(async move { registry.start_link(&ctx, keys, opts).await })
        }
    }
}

/// Partition `i` runs the child node at `psup_path/i`.
fn partition_child(child: &Node, psup_path: &str, app: &str) -> PartitionChild<u32> {
    let (child, psup_path, app) = (child.clone(), psup_path.to_string(), app.to_string());
    PartitionChild::new(0, move |index: u32| {
        let mut node = child.clone();
        node.id = index.to_string();
        child_spec(&node, &format!("{psup_path}/{index}"), &app)
    })
    .with_arguments(|_, index| index)
}

/// Registered under `path`, labelled `path`.
fn named(path: &str) -> StartOpts {
    StartOpts {
        name: Some(ServerName::Local(Atom::new(path))),
        timeout_ms: None,
        label: Some(Atom::new(path)),
    }
}

fn sup_flags(strategy: StrategySpec, intensity: Intensity) -> SupFlags {
    let strategy = match strategy {
        StrategySpec::OneForOne => Strategy::OneForOne,
        StrategySpec::OneForAll => Strategy::OneForAll,
        StrategySpec::RestForOne => Strategy::RestForOne,
    };
    SupFlags::new(strategy).intensity(intensity.max_restarts, intensity.max_seconds)
}

fn dyn_flags(intensity: Intensity, max_children: Option<u32>) -> DynSupFlags {
    DynSupFlags {
        max_restarts: intensity.max_restarts,
        max_seconds: intensity.max_seconds,
        max_children,
        extra_arguments: Vec::new(),
    }
}

fn auto(a: AutoShutdownSpec) -> AutoShutdown {
    match a {
        AutoShutdownSpec::Never => AutoShutdown::Never,
        AutoShutdownSpec::AnySignificant => AutoShutdown::AnySignificant,
        AutoShutdownSpec::AllSignificant => AutoShutdown::AllSignificant,
    }
}

fn restart(r: RestartSpec) -> Restart {
    match r {
        RestartSpec::Permanent => Restart::Permanent,
        RestartSpec::Transient => Restart::Transient,
        RestartSpec::Temporary => Restart::Temporary,
    }
}

/// A budget in microseconds as the supervisor's whole milliseconds, rounded up so a
/// short budget never becomes none.
fn shutdown(s: ShutdownSpec) -> Shutdown {
    match s {
        ShutdownSpec::BrutalKill => Shutdown::BrutalKill,
        ShutdownSpec::Infinity => Shutdown::Infinity,
        ShutdownSpec::Timeout(us) => Shutdown::Timeout(us.div_ceil(1_000)),
    }
}

fn kind_name(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Supervisor { .. } => "supervisor",
        NodeKind::DynamicSupervisor { .. } => "dynamic_supervisor",
        NodeKind::TaskSupervisor { .. } => "task_supervisor",
        NodeKind::PartitionSupervisor { .. } => "partition_supervisor",
        NodeKind::Registry { .. } => "registry",
        NodeKind::Model(_) => "model",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_budgets_round_up_to_whole_milliseconds() {
        assert_eq!(
            shutdown(ShutdownSpec::Timeout(5_000_000)),
            Shutdown::Timeout(5_000)
        );
        assert_eq!(shutdown(ShutdownSpec::Timeout(1)), Shutdown::Timeout(1));
        assert_eq!(shutdown(ShutdownSpec::Timeout(0)), Shutdown::Timeout(0));
        assert_eq!(shutdown(ShutdownSpec::BrutalKill), Shutdown::BrutalKill);
    }

    #[test]
    fn flags_carry_the_node_settings() {
        let i = Intensity {
            max_restarts: 1,
            max_seconds: 9,
        };
        let f = sup_flags(StrategySpec::RestForOne, i)
            .auto_shutdown(auto(AutoShutdownSpec::AnySignificant));
        assert_eq!(f.strategy, Strategy::RestForOne);
        assert_eq!((f.max_restarts, f.max_seconds), (1, 9));
        assert_eq!(f.auto_shutdown, AutoShutdown::AnySignificant);
        let d = dyn_flags(i, Some(4));
        assert_eq!(
            (d.max_restarts, d.max_seconds, d.max_children),
            (1, 9, Some(4))
        );
    }
}
