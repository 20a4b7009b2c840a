//! Firing one fault: find the process at the target, say what is done to it in the
//! trace (an `EventKind::Fault` before any effect, so the cause comes first), then do
//! it. Anything that waits (a supervisor call, a code upgrade) runs in a helper
//! process, so the injector keeps its own schedule; its calls and replies are in the
//! trace like any other.

use super::plan::{Item, Plan};
use super::target_text;
use crate::behaviour::registry::Registry;
use crate::behaviour::{dynamic_supervisor, supervisor};
use crate::kernel::{catch_crash, Ctx, InboundFault, SpawnOpts};
use crate::models::fault::{message_crash, message_degrade, Degrade};
use crate::scenario::build;
use crate::scenario::spec::{
    FaultAction, FaultSpec, Node, NodeKind, Scenario, SupervisorCall, Target,
};
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::EventKind;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

/// The injector's state: the scenario, the nodes `start_child` faults add (by path),
/// and the plan.
pub(crate) struct Injector {
    scenario: Rc<Scenario>,
    added: BTreeMap<String, Node>,
    pub(crate) plan: Plan,
}

/// A probability as parts per million.
pub(crate) fn ppm(p: f64) -> u32 {
    (p * 1_000_000.0).round().clamp(0.0, 1_000_000.0) as u32
}

fn int(n: u64) -> Term {
    Term::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn keywords(pairs: &[(&'static str, u64)]) -> Term {
    Term::list(
        pairs
            .iter()
            .map(|(k, v)| Term::tuple_of([atom(k), int(*v)])),
    )
}

/// The action's name in `fault` events and its parameters as a term, for a fault
/// fired at `now_us` (windows are given by their end).
pub(crate) fn describe(action: &FaultAction, now_us: u64) -> (&'static str, Term) {
    let until = |for_us: u64| now_us.saturating_add(for_us);
    match action {
        FaultAction::Exit { reason } => ("exit", reason.clone()),
        FaultAction::Crash { reason } => ("crash", reason.clone()),
        FaultAction::Degrade {
            error_rate,
            latency_us,
            for_us,
        } => (
            "degrade",
            keywords(&[
                ("error_rate_ppm", u64::from(ppm(*error_rate))),
                ("latency_us", *latency_us),
                ("until_us", until(*for_us)),
            ]),
        ),
        FaultAction::DropMessages {
            probability,
            for_us,
        } => (
            "drop_messages",
            keywords(&[
                ("probability_ppm", u64::from(ppm(*probability))),
                ("until_us", until(*for_us)),
            ]),
        ),
        FaultAction::DelayMessages { delay_us, for_us } => (
            "delay_messages",
            keywords(&[("delay_us", *delay_us), ("until_us", until(*for_us))]),
        ),
        FaultAction::Pause { for_us } => ("pause", keywords(&[("until_us", until(*for_us))])),
        FaultAction::Upgrade { to_vsn } => ("upgrade", int(u64::from(*to_vsn))),
        FaultAction::SupervisorCall { call, child, .. } => {
            let name = match call {
                SupervisorCall::TerminateChild => "terminate_child",
                SupervisorCall::RestartChild => "restart_child",
                SupervisorCall::DeleteChild => "delete_child",
                SupervisorCall::StartChild => "start_child",
            };
            (name, Term::atom_owned(child))
        }
    }
}

fn emit(ctx: &Ctx, target: &str, pid: Option<Pid>, action: &str, detail: Term, cause: &str) {
    ctx.emit(EventKind::Fault {
        target: target.to_string(),
        pid,
        action: Atom::new(action),
        detail,
        cause: Atom::new(cause),
    });
}

/// A fault that could not act: the `missed` event, with `{Action, Why}` as detail.
fn missed(ctx: &Ctx, target: &str, action: &str, why: Term, cause: &str) {
    let detail = Term::tuple_of([Term::Atom(Atom::new(action)), why]);
    emit(ctx, target, None, "missed", detail, cause);
}

/// Runs `body` in an unlinked helper process labelled `otpsim/faults/<what>`.
fn helper<F, Fut>(ctx: &Ctx, what: &str, body: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + 'static,
{
    let opts = SpawnOpts {
        label: Some(format!("{}/{what}", super::INJECTOR_LABEL).into()),
        ..SpawnOpts::default()
    };
    ctx.spawn_opt(opts, move |c| {
        let fut = body(c);
        async move {
            fut.await;
            Ok(())
        }
    });
}

impl Injector {
    pub(crate) fn new(scenario: Rc<Scenario>, plan: Plan) -> Injector {
        let mut added = BTreeMap::new();
        for fault in &scenario.faults {
            if let FaultSpec::Scheduled {
                target: Target::Path(sup),
                action:
                    FaultAction::SupervisorCall {
                        spec: Some(node), ..
                    },
                ..
            } = fault
            {
                let mut found = Vec::new();
                crate::scenario::load::walk(node, Some(sup), &mut found);
                for (path, n) in found {
                    added.entry(path).or_insert_with(|| n.clone());
                }
            }
        }
        Injector {
            scenario,
            added,
            plan,
        }
    }

    /// The node at `path`: in the tree built at start, or added by a fault.
    fn node_at(&self, path: &str) -> Option<&Node> {
        self.scenario.node_at(path).or_else(|| self.added.get(path))
    }

    /// Fires `item`, due now.
    pub(crate) async fn fire(&mut self, ctx: &Ctx, item: Item) {
        let scenario = self.scenario.clone();
        match item {
            Item::Scheduled { index } => {
                if let FaultSpec::Scheduled { target, action, .. } = &scenario.faults[index] {
                    self.hit(ctx, target, action, "scheduled").await;
                }
            }
            Item::Random { index, target } => {
                let Some(path) = self.plan.target_path(index, target).map(str::to_string) else {
                    return;
                };
                // The next firing is drawn first, whatever this one finds.
                self.plan.draw(index, target, ctx.now_us());
                if let FaultSpec::Random { action, .. } = &scenario.faults[index] {
                    self.hit(ctx, &Target::Path(path), action, "random").await;
                }
            }
            Item::Dynamic { index, fire } => {
                let members = ctx.labelled_pids(|label| self.plan.in_pool(index, label));
                let chosen = (fire && !members.is_empty())
                    .then(|| self.plan.pick(index, members.len()))
                    .flatten();
                // The next look is drawn first, whatever this one hits.
                self.plan.draw_dynamic(index, members.len(), ctx.now_us());
                let chosen = chosen.and_then(|k| members.into_iter().nth(k));
                if let (Some((pid, label)), FaultSpec::Random { action, .. }) =
                    (chosen, &scenario.faults[index])
                {
                    self.strike(ctx, label, pid, action, "random");
                }
            }
            Item::Resume { target, pid } => {
                let detail = match ctx.resume_process(pid) {
                    Ok(()) => Term::OK,
                    Err(e) => Term::tagged("error", e),
                };
                emit(ctx, &target, Some(pid), "resume", detail, "scheduled");
            }
        }
    }

    async fn hit(&mut self, ctx: &Ctx, target: &Target, action: &FaultAction, cause: &str) {
        let text = target_text(target);
        let Some(pid) = resolve(ctx, target).await else {
            let (name, detail) = describe(action, ctx.now_us());
            return missed(ctx, &text, name, detail, cause);
        };
        self.strike(ctx, text, pid, action, cause);
    }

    /// Does `action` to the live process `pid`, which the fault names `text`.
    fn strike(&mut self, ctx: &Ctx, text: String, pid: Pid, action: &FaultAction, cause: &str) {
        let now = ctx.now_us();
        let (name, detail) = describe(action, now);
        let missed = |why: Term| missed(ctx, &text, name, why, cause);
        let path = ctx.label_of(pid).unwrap_or_default();
        match action {
            FaultAction::Exit { reason } => {
                emit(ctx, &text, Some(pid), name, detail, cause);
                ctx.exit(pid, reason.clone());
            }
            FaultAction::Crash { reason } => {
                emit(ctx, &text, Some(pid), name, detail, cause);
                ctx.send(pid, message_crash(reason.clone()));
            }
            FaultAction::Degrade {
                error_rate,
                latency_us,
                for_us,
            } => {
                emit(ctx, &text, Some(pid), name, detail, cause);
                let d = Degrade {
                    error_rate_ppm: ppm(*error_rate),
                    latency_us: *latency_us,
                    until_us: now.saturating_add(*for_us),
                };
                ctx.send(pid, message_degrade(&d));
            }
            FaultAction::DropMessages {
                probability,
                for_us,
            } => {
                emit(ctx, &text, Some(pid), name, detail, cause);
                let fault = InboundFault::Drop {
                    probability_ppm: ppm(*probability),
                };
                ctx.set_inbound_fault(pid, fault, now.saturating_add(*for_us));
            }
            FaultAction::DelayMessages { delay_us, for_us } => {
                emit(ctx, &text, Some(pid), name, detail, cause);
                let fault = InboundFault::Delay {
                    delay_us: *delay_us,
                };
                ctx.set_inbound_fault(pid, fault, now.saturating_add(*for_us));
            }
            FaultAction::Pause { for_us } => {
                emit(ctx, &text, Some(pid), name, detail, cause);
                // The target is alive and is not the injector: this cannot fail.
                let _ = ctx.suspend_process(pid);
                self.plan.push(
                    now.saturating_add(*for_us),
                    Item::Resume { target: text, pid },
                );
            }
            FaultAction::Upgrade { to_vsn } => {
                let Some(NodeKind::Model(model)) = self.node_at(&path).map(|n| &n.kind) else {
                    return missed(Term::tagged("no_model_at", Term::bin(&path)));
                };
                emit(ctx, &text, Some(pid), name, detail, cause);
                let (model, to_vsn) = (model.clone(), *to_vsn);
                helper(ctx, "upgrade", move |c| async move {
                    let _ = model.upgrade(c, pid, to_vsn).await;
                });
            }
            FaultAction::SupervisorCall { call, child, spec } => {
                self.supervisor_call(
                    ctx,
                    (&text, pid, &path),
                    *call,
                    child,
                    spec.as_deref(),
                    cause,
                );
            }
        }
    }

    /// A supervisor API call on the supervisor `sup` at `path`, from a helper.
    fn supervisor_call(
        &self,
        ctx: &Ctx,
        (text, sup, path): (&str, Pid, &str),
        call: SupervisorCall,
        child: &str,
        spec: Option<&Node>,
        cause: &str,
    ) {
        let action = FaultAction::SupervisorCall {
            call,
            child: child.to_string(),
            spec: None,
        };
        let (name, detail) = describe(&action, ctx.now_us());
        let app = self.scenario.app.name.clone();
        let dynamic = matches!(
            self.node_at(path).map(|n| &n.kind),
            Some(NodeKind::DynamicSupervisor { .. })
        );
        let id = Term::atom_owned(child);
        match (call, dynamic) {
            (SupervisorCall::TerminateChild, true) => {
                // A dynamic supervisor knows its children by pid, not by id.
                let Some(child_pid) = ctx.find_by_label(&format!("{path}/{child}")) else {
                    let why = Term::tagged("not_running", id);
                    return missed(ctx, text, name, why, cause);
                };
                emit(ctx, text, Some(sup), name, detail, cause);
                helper(ctx, name, move |c| async move {
                    let _ = dynamic_supervisor::terminate_child(&c, sup, child_pid).await;
                });
            }
            (SupervisorCall::StartChild, _) => {
                let Some(node) = spec.cloned() else {
                    let why = atom("no_child_spec");
                    return missed(ctx, text, name, why, cause);
                };
                emit(ctx, text, Some(sup), name, detail, cause);
                let path = path.to_string();
                helper(ctx, name, move |c| async move {
                    if dynamic {
                        let spec = build::dyn_child_spec(&node, &path, &app);
                        let _ = dynamic_supervisor::start_child(&c, sup, spec).await;
                    } else {
                        let spec = build::child_spec(&node, &format!("{path}/{}", node.id), &app);
                        let _ = supervisor::start_child(&c, sup, spec).await;
                    }
                });
            }
            (call, _) => {
                emit(ctx, text, Some(sup), name, detail, cause);
                helper(ctx, name, move |c| async move {
                    let _ = match call {
                        SupervisorCall::TerminateChild => {
                            supervisor::terminate_child(&c, sup, id).await
                        }
                        SupervisorCall::RestartChild => {
                            supervisor::restart_child(&c, sup, id).await.map(|_| ())
                        }
                        _ => supervisor::delete_child(&c, sup, id).await,
                    };
                });
            }
        }
    }
}

/// The live process at `target` now: the newest process labelled with the path, or
/// the live holder of the registry key (a dead holder not yet cleaned up does not
/// count; a registry that is down has no keys).
async fn resolve(ctx: &Ctx, target: &Target) -> Option<Pid> {
    match target {
        Target::Path(path) => ctx.find_by_label(path),
        Target::RegistryKey { registry, key } => {
            let name = Atom::new(registry);
            ctx.whereis(&name)?;
            let (c, key) = (ctx.clone(), key.clone());
            // A registry restarting a partition has no table to read: nobody is there.
            let entries = catch_crash(async move { Registry::new(name).lookup(&c, &key) })
                .await
                .ok()?;
            entries
                .into_iter()
                .map(|(p, _)| p)
                .find(|p| ctx.is_alive(*p))
        }
    }
}
