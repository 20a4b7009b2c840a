//! Standard workloads, shared by `otpsim bench`, the benchmark comparison with the BEAM
//! (scripts/bench-vs-beam.sh) and the tests. Each builds a [`Sim`] that does the same
//! work as its Erlang counterpart in `scripts/beam/otpsim_bench.erl`.

use crate::kernel::{Sim, SimConfig};
use crate::term::{atom, Pid, Term};
use std::cell::Cell;
use std::rc::Rc;

/// A ring of `procs` processes, each forwarding the token to the next. After
/// [`Ring::build`] every process is blocked in `receive`; [`Ring::start`] injects a
/// token that travels `procs * rounds` hops.
pub struct Ring {
    /// The simulation holding the ring.
    pub sim: Sim,
    first: Pid,
    procs: u64,
}

impl Ring {
    /// Spawns the ring and runs until every process waits for the token.
    pub fn build(procs: u32, config: SimConfig) -> Ring {
        assert!(procs >= 1, "a ring needs at least one process");
        let mut sim = Sim::new(config);
        // The first process learns its successor by message, so the ring can be built
        // back to front with every other successor known at spawn time.
        let first = sim.spawn(|ctx| async move {
            let next = ctx.recv().await.as_pid().ok_or(atom("bad_setup"))?;
            forward_loop(ctx, next).await
        });
        let mut next = first;
        for _ in 1..procs {
            let succ = next;
            next = sim.spawn(move |ctx| async move { forward_loop(ctx, succ).await });
        }
        sim.send(first, Term::Pid(next));
        sim.run();
        Ring {
            sim,
            first,
            procs: u64::from(procs),
        }
    }

    /// Sends the token; the run ends once it has gone `rounds` times around.
    /// Returns the number of hops (messages) it will make.
    pub fn start(&mut self, rounds: u64) -> u64 {
        let hops = self.procs * rounds;
        self.sim.send(self.first, Term::Int(hops as i64));
        hops
    }
}

async fn forward_loop(ctx: crate::kernel::Ctx, next: Pid) -> Result<(), Term> {
    loop {
        let hops_left = ctx.recv().await.as_int().unwrap_or(0);
        if hops_left > 1 {
            ctx.send(next, Term::Int(hops_left - 1));
        }
    }
}

/// `spawn_monitor`s `total` processes that exit at once, keeping at most `window` alive,
/// and counts each `DOWN`. The returned counter holds the number of `DOWN`s seen once
/// the simulation has run.
pub fn spawn_storm(total: u64, window: u64, config: SimConfig) -> (Sim, Rc<Cell<u64>>) {
    let mut sim = Sim::new(config);
    let downs = Rc::new(Cell::new(0u64));
    let seen = downs.clone();
    sim.spawn(move |ctx| async move {
        let mut spawned = 0u64;
        while spawned < total.min(window) {
            ctx.spawn_monitor(|_| async { Ok(()) });
            spawned += 1;
        }
        while seen.get() < total {
            let msg = ctx.recv().await;
            if msg.tag() == Some("DOWN") {
                seen.set(seen.get() + 1);
                if spawned < total {
                    ctx.spawn_monitor(|_| async { Ok(()) });
                    spawned += 1;
                }
            }
        }
        Ok(())
    });
    (sim, downs)
}

/// Spawns `count` processes that block in `receive` with no state of their own, and
/// runs until all of them wait.
pub fn idle_processes(count: u32, config: SimConfig) -> Sim {
    let mut sim = Sim::new(config);
    for _ in 0..count {
        sim.spawn(|ctx| async move {
            ctx.recv().await;
            Ok(())
        });
    }
    sim.run();
    sim
}

/// The gen_server that `gen_server_calls` calls: replies `ping` to every call at once,
/// like the echo server of `scripts/beam/otpsim_bench.erl`.
struct Echo;

impl crate::behaviour::gen_server::GenServer for Echo {
    type Args = ();

    async fn init(
        _ctx: &crate::kernel::Ctx,
        _args: (),
    ) -> crate::behaviour::gen_server::Init<Echo> {
        crate::behaviour::gen_server::Init::Ok(Echo)
    }

    async fn handle_call(
        &mut self,
        _ctx: &crate::kernel::Ctx,
        request: Term,
        _from: crate::behaviour::gen_server::From,
    ) -> crate::behaviour::gen_server::CallResponse {
        crate::behaviour::gen_server::CallResponse::reply(request)
    }
}

/// One client making `calls` sequential `gen_server:call`s to one server that replies
/// at once (the BEAM's `call` workload). The returned counter holds the number of
/// replies received once the simulation has run.
pub fn gen_server_calls(calls: u64, config: SimConfig) -> (Sim, Rc<Cell<u64>>) {
    use crate::behaviour::gen_server::{self, StartOpts};
    let mut sim = Sim::new(config);
    let replies = Rc::new(Cell::new(0u64));
    let seen = replies.clone();
    sim.spawn(move |ctx| async move {
        let server = gen_server::start_link::<Echo>(&ctx, (), StartOpts::default())
            .await
            .into_result()?;
        let ping = atom("ping");
        for _ in 0..calls {
            gen_server::call(&ctx, server, ping.clone(), gen_server::DEFAULT_TIMEOUT).await?;
            seen.set(seen.get() + 1);
        }
        Ok(())
    });
    (sim, replies)
}

/// The BEAM's `restart_storm` workload (`scripts/beam/otpsim_bench.erl`): a driver
/// starts a supervisor (`one_for_all` when `one_for_all`, else `one_for_one`; intensity
/// `2 * children` in 5 s) with `children` gen_server workers (brutal_kill), then waits.
/// Run the sim once to start everything (`inits` reaches `children`); send the driver
/// the atom `go` and it kills every child (one_for_one) or the middle one
/// (one_for_all); run again and every child is back once `inits` reaches
/// `2 * children`: each worker's `init` counts itself, so the restarts are exact. Then
/// send `check` and run: `verified` becomes true when which_children lists `children`
/// children, every one under a new pid. `go` and `check` may be sent again for another
/// storm on the same tree, each `check` comparing with the children before its storm.
pub fn restart_storm(children: u32, one_for_all: bool, config: SimConfig) -> RestartStorm {
    restart_storms(children, one_for_all, 1, config)
}

/// [`restart_storm`] for `storms` storms in a row on the same tree: the supervisor's
/// intensity is `(storms + 1) * children` in 5 s, room for every storm's restarts (as
/// the BEAM's `restart_storm` with its third argument).
pub fn restart_storms(
    children: u32,
    one_for_all: bool,
    storms: u32,
    config: SimConfig,
) -> RestartStorm {
    use crate::behaviour::gen_server::{GenServer, Init, StartOpts};
    use crate::behaviour::supervisor::{self, ChildPid, ChildSpec, Shutdown, Strategy, SupFlags};
    use crate::kernel::Ctx;

    struct Worker;
    impl GenServer for Worker {
        type Args = Rc<Cell<u64>>;
        async fn init(_ctx: &Ctx, inits: Rc<Cell<u64>>) -> Init<Worker> {
            inits.set(inits.get() + 1);
            Init::Ok(Worker)
        }
    }

    async fn pids(ctx: &Ctx, sup: Pid) -> Vec<Pid> {
        // which_children lists the latest started first: reverse it to start order.
        let rows = supervisor::which_children(ctx, sup).await.into_iter().rev();
        rows.filter_map(|c| match c.pid {
            ChildPid::Pid(p) => Some(p),
            _ => None,
        })
        .collect()
    }

    let mut sim = Sim::new(config);
    let inits = Rc::new(Cell::new(0u64));
    let verified = Rc::new(Cell::new(false));
    let (counter, ok) = (inits.clone(), verified.clone());
    let driver = sim.spawn(move |ctx| async move {
        let specs = (1..=children)
            .map(|i| {
                ChildSpec::worker::<Worker>(&format!("c{i}"), counter.clone())
                    .shutdown(Shutdown::BrutalKill)
            })
            .collect();
        let strategy = if one_for_all {
            Strategy::OneForAll
        } else {
            Strategy::OneForOne
        };
        let intensity = children.saturating_mul(storms.saturating_add(1));
        let flags = SupFlags::new(strategy).intensity(intensity, 5);
        let opts = StartOpts {
            label: Some("storm".into()),
            ..StartOpts::default()
        };
        let sup = supervisor::start_link(&ctx, flags, specs, opts)
            .await
            .into_result()?;
        let mut before = pids(&ctx, sup).await;
        // Stays alive between storms: the supervisor's parent exiting would shut the
        // tree down.
        loop {
            ctx.recv_match(|m| m.is_atom("go"), None).await;
            if one_for_all {
                if let Some(&middle) = before.get(before.len() / 2) {
                    ctx.exit(middle, Term::KILL);
                }
            } else {
                for &pid in &before {
                    ctx.exit(pid, Term::KILL);
                }
            }
            ctx.recv_match(|m| m.is_atom("check"), None).await;
            let after = pids(&ctx, sup).await;
            ok.set(
                after.len() == before.len()
                    && after.len() == children as usize
                    && after.iter().zip(&before).all(|(a, b)| a != b),
            );
            before = after;
        }
    });
    RestartStorm {
        sim,
        driver,
        inits,
        verified,
    }
}

/// What [`restart_storm`] builds.
pub struct RestartStorm {
    /// The simulation.
    pub sim: Sim,
    /// The driver: send it `go`, then `check`.
    pub driver: Pid,
    /// How many times a worker's `init` ran.
    pub inits: Rc<Cell<u64>>,
    /// Set by `check`: every child is back under a new pid.
    pub verified: Rc<Cell<bool>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ADR 004: a group restart traces 11 events per child. The supervisor's monitor,
    /// exit signal, `recv`s and the ack's `send`/`recv` are stood for by its reports;
    /// what the signals did (`exit_signal_handled`, `exit`, `down`) is still there.
    #[test]
    fn a_group_restart_folds_the_protocols_into_eleven_events_per_child() {
        use crate::trace::EventKind;
        let config = SimConfig {
            record: true,
            ..SimConfig::default()
        };
        let mut storm = restart_storm(3, true, config);
        storm.sim.run();
        let before = storm.sim.events().len();
        storm.sim.send(storm.driver, atom("go"));
        storm.sim.run();
        let events = storm.sim.events();
        let restart = &events[before..];
        let count = |f: fn(&EventKind) -> bool| restart.iter().filter(|e| f(&e.kind)).count();
        assert_eq!(count(|k| matches!(k, EventKind::Monitor { .. })), 0);
        assert_eq!(count(|k| matches!(k, EventKind::ChildShutdown { .. })), 2);
        assert_eq!(count(|k| matches!(k, EventKind::ChildDown { .. })), 2);
        assert_eq!(
            count(|k| matches!(k, EventKind::ExitSignalHandled { .. })),
            6
        );
        assert_eq!(count(|k| matches!(k, EventKind::Down { .. })), 2);
        assert_eq!(count(|k| matches!(k, EventKind::ChildStart { .. })), 3);
        // Only the driver's `go` is a `recv`: the supervisor's `handle` stands for the
        // killed child's `EXIT`, its reports for everything else it takes.
        assert_eq!(count(|k| matches!(k, EventKind::Recv { .. })), 1);
        // The two others shut down: 7 events each; all three started again: 4 each.
        // The crash itself is 10: the driver's `send` and `recv` of `go`, its kill
        // (`exit_signal`, `exit_signal_handled`), the child's `exit`, the link's signal
        // (`exit_signal`, `exit_signal_handled`), the `handle`, `child_exit_seen` and
        // `restart_counted`.
        let per_child = 7 * 2 + 4 * 3;
        assert_eq!(restart.len() - per_child, 10);
    }

    #[test]
    fn ring_passes_every_hop_and_goes_quiet() {
        let mut ring = Ring::build(
            10,
            SimConfig {
                record: true,
                ..SimConfig::default()
            },
        );
        let hops = ring.start(3);
        let report = ring.sim.run();
        assert_eq!(report.outcome.name(), "quiescent");
        let recvs = ring
            .sim
            .events()
            .iter()
            .filter(|e| matches!(e.kind, crate::trace::EventKind::Recv { .. }))
            .count() as u64;
        // One setup message to the first process, then one receive per hop.
        assert_eq!(recvs, hops + 1);
    }

    #[test]
    fn spawn_storm_counts_every_down() {
        let (mut sim, downs) = spawn_storm(1000, 100, SimConfig::default());
        sim.run();
        assert_eq!(downs.get(), 1000);
        assert_eq!(sim.live_processes(), 0);
    }

    #[test]
    fn gen_server_calls_get_every_reply() {
        let (mut sim, replies) = gen_server_calls(1000, SimConfig::default());
        let report = sim.run();
        assert_eq!(replies.get(), 1000);
        assert_eq!(report.outcome.name(), "quiescent");
    }

    #[test]
    fn idle_processes_stay_alive() {
        let sim = idle_processes(100, SimConfig::default());
        assert_eq!(sim.live_processes(), 100);
    }
}
