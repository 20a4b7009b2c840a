//! Running a scenario: one simulation, seeded, bounded by the scenario's limits and
//! duration.
//!
//! The run's top process (labelled `otpsim`) traps exits and, in order:
//! 1. creates the start-count table models read ([`crate::models::starts`]);
//! 2. starts the application controller, loads the application (its environment and a
//!    start function that starts the root node, see [`super::build`]) and starts it
//!    with the scenario's application type;
//! 3. starts each workload client, in order, at `workload/<id>`, linked to itself;
//! 4. starts the fault injector ([`super::faults`], labelled `otpsim/faults`);
//! 5. at `app.stop_at`, stops the application (`Application.stop`: the tree shuts
//!    down in order, each child within its budget);
//! 6. waits past the end of the run, so the tables it owns live as long as the run.
//!
//! When the application fails to start, steps 3 to 5 are skipped: the trace's
//! `app_start` event says why (and, for a permanent or transient application, the node
//! halts, as OTP's does). The run ends when virtual time reaches the duration
//! (`duration_reached`) or a limit stops it, with that limit's outcome.

use super::build;
use super::faults;
use super::spec::Scenario;
use crate::behaviour::application::{self, ControllerOpts};
use crate::kernel::{BuggifyConfig, Ctx, Limits, RunReport, Schedule, Sim, SimConfig};
use crate::models::{starts, ModelEnv};
use crate::trace::Event;
use std::rc::Rc;

/// How to run a scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The seed every random stream derives from (the scenario's own `seed` unless the
    /// user gives another).
    pub seed: u64,
    /// Keep every event (for a trace file or the checker); the fingerprint is the same
    /// either way.
    pub record: bool,
    /// Swarm mode: `(fault index, mtbf_us)` pairs replacing random faults' mean times
    /// between failures.
    pub mtbf_override: Vec<(usize, u64)>,
    /// The order of same-instant deliveries from different senders (FIFO unless
    /// exploring for ordering races); replaying a run needs the same schedule.
    pub schedule: Schedule,
}

impl RunOptions {
    /// Recording options with the scenario's own seed.
    pub fn recording(scenario: &Scenario) -> RunOptions {
        RunOptions {
            seed: scenario.seed,
            record: true,
            mtbf_override: Vec::new(),
            schedule: Schedule::Fifo,
        }
    }
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// How it ended, its fingerprint, event count and the virtual time reached.
    pub report: RunReport,
    /// Every event, in order; empty unless [`RunOptions::record`] was set.
    pub events: Vec<Event>,
    /// The seed it ran with.
    pub seed: u64,
    /// The scenario's duration, in microseconds of virtual time.
    pub duration_us: u64,
}

/// The label of the run's top process.
pub const TOP_LABEL: &str = "otpsim";

/// The kernel limits of a run of `scenario`: its own limits, and its duration as the
/// virtual-time bound.
pub fn limits(scenario: &Scenario) -> Limits {
    let l = scenario.limits;
    Limits {
        max_events: l.max_events,
        max_events_per_instant: l.max_events_per_instant,
        max_processes: l.max_processes,
        max_mailbox_len: l.max_mailbox_len,
        max_virtual_time_us: scenario.duration_us,
    }
}

/// Runs `scenario` once.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> RunOutput {
    let mut sim = Sim::new(SimConfig {
        seed: opts.seed,
        limits: limits(scenario),
        record: opts.record,
        schedule: opts.schedule,
    });
    if let Some(b) = scenario.buggify {
        sim.enable_buggify(BuggifyConfig {
            enable: b.enable,
            fire: b.fire,
            windows: faults::fault_windows(scenario),
        });
    }
    let shared = Rc::new(scenario.clone());
    let overrides = opts.mtbf_override.clone();
    sim.spawn_labelled(TOP_LABEL, move |ctx| top(ctx, shared, overrides));
    let report = sim.run();
    RunOutput {
        report,
        events: if opts.record {
            sim.take_events()
        } else {
            Vec::new()
        },
        seed: opts.seed,
        duration_us: scenario.duration_us,
    }
}

async fn top(
    ctx: Ctx,
    scenario: Rc<Scenario>,
    overrides: Vec<(usize, u64)>,
) -> crate::kernel::ProcResult {
    ctx.trap_exit(true);
    starts::create_table(&ctx);
    let app = scenario.app.name.clone();
    let started = async {
        application::start_controller(&ctx, ControllerOpts::default())
            .await
            .into_result()?;
        application::load(&ctx, build::app_spec(&scenario)).await?;
        application::start(&ctx, &app, build::app_type(scenario.app.app_type)).await
    }
    .await;
    if started.is_ok() {
        for client in &scenario.workload {
            let env = ModelEnv {
                path: format!("workload/{}", client.id),
                name: None,
                app: app.clone(),
            };
            // A client that fails to start says so in its own events.
            let _ = client.model.start(ctx.clone(), env, Vec::new()).await;
        }
        faults::start_injector(&ctx, scenario.clone(), overrides);
        if let Some(stop_at_us) = scenario.app.stop_at_us {
            wait_until(&ctx, stop_at_us).await;
            let _ = application::stop(&ctx, &app).await;
        }
    }
    // Past the end: the top process (and the tables it owns) outlives every event of
    // the run, and its pending wake-up makes the run end as `duration_reached`.
    wait_until(&ctx, scenario.duration_us.saturating_add(1)).await;
    Ok(())
}

/// Waits until virtual time `at_us`, taking (and ignoring) whatever arrives: the
/// `EXIT`s of clients and the injector, which the top process traps.
async fn wait_until(ctx: &Ctx, at_us: u64) {
    loop {
        let now = ctx.now_us();
        if now >= at_us {
            return;
        }
        let _ = ctx.recv_timeout(at_us - now).await;
    }
}
