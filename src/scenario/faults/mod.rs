//! Fault injection: the process that plays a scenario's faults on the virtual clock.
//!
//! The injector (labelled `otpsim/faults`) is started by the run after the
//! application and the workload. It fires scheduled faults at their times (file order
//! for equal times) and random faults as Poisson processes per target, inside the
//! fault windows only ([`fault_windows`]). Stream discipline: random fault `i` (its
//! index in `faults`) draws from its own stream `faults:<i>` only, one draw per target
//! in tree order at the start and one more each time a target fires; so adding or
//! retuning another fault never moves its firings. A random fault whose patterns can
//! match children started at run time under a dynamic or task supervisor also has a
//! dynamic pool (`dynamic.rs`): one more Poisson process at rate members/mtbf, on its
//! own stream `faults:<i>:dynamic`, that hits a member picked uniformly in pid order.
//! Every firing is first an `EventKind::Fault` event naming the target (for a pool
//! member, its label), the process hit, the action, its parameters and its cause
//! (`scheduled` or `random`); when no process runs at the target the action is
//! `missed`, with the intended action and parameters as `{Action, Detail}`.
//!
//! What each action does:
//! - `exit`: `exit(Pid, Reason)` from the injector;
//! - `crash` and `degrade`: the messages of [`crate::models::fault`], which models
//!   act on from their `handle_info`;
//! - `drop_messages` / `delay_messages`: the kernel's inbound fault on the process
//!   ([`crate::kernel::InboundFault`]) for the window;
//! - `pause`: `suspend_process`, then `resume_process` at the end of the window, with
//!   a second event, `resume`, whose detail is `ok` or `{error, badarg}` (the process
//!   died meanwhile);
//! - `upgrade`: the model's own upgrade (sys suspend, change_code, resume) from a
//!   helper process; the model is the scenario node at the process's label (when
//!   that label names no model node, as for a process found through a registry key
//!   that a model started itself, the firing is `missed` with detail
//!   `{upgrade, {no_model_at, <<"Label">>}}`);
//! - supervisor calls: the supervisor API (a dynamic supervisor's `terminate_child`
//!   finds the child by its label `dynsup_path/child_id`) from a helper process, so
//!   the injector is never blocked. Their outcome is in the trace as the call's
//!   events.

mod act;
mod dynamic;
mod plan;

use crate::kernel::{Ctx, SpawnOpts};
use crate::scenario::spec::{Scenario, Target};
use crate::term::{Atom, Pid};
use std::rc::Rc;

/// The injector's label; its helpers are labelled `otpsim/faults/<action>`.
pub const INJECTOR_LABEL: &str = "otpsim/faults";

/// How `fault` events name a target: the path, or `registry_path[key]`.
pub fn target_text(target: &Target) -> String {
    match target {
        Target::Path(p) => p.clone(),
        Target::RegistryKey { registry, key } => format!("{registry}[{key}]"),
    }
}

/// The windows of virtual time in which random faults fire: the phases with
/// `faults: true` in time order, or the whole run when there are no phases.
pub fn fault_windows(scenario: &Scenario) -> Vec<(u64, u64)> {
    plan::fault_windows(scenario)
}

/// The tree paths a random fault with these target patterns hits, in tree order.
pub fn random_targets(scenario: &Scenario, patterns: &[String]) -> Vec<String> {
    plan::random_targets(scenario, patterns)
}

/// Starts the injector, linked to the caller. `mtbf_override` replaces the mean time
/// between failures of random faults by index (swarm mode).
pub fn start_injector(ctx: &Ctx, scenario: Rc<Scenario>, mtbf_override: Vec<(usize, u64)>) -> Pid {
    let opts = SpawnOpts {
        link: true,
        label: Some(Atom::from_static(INJECTOR_LABEL)),
        ..SpawnOpts::default()
    };
    ctx.spawn_opt(opts, move |ctx| async move {
        let plan = plan::Plan::new(&scenario, |name| ctx.rng(name), &mtbf_override);
        let mut injector = act::Injector::new(scenario, plan);
        while let Some((at_us, item)) = injector.plan.pop() {
            let now = ctx.now_us();
            if at_us > now {
                ctx.sleep(at_us - now).await;
            }
            injector.fire(&ctx, item).await;
        }
        Ok(())
    })
    .0
}
