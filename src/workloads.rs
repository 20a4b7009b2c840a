//! Standard workloads, shared by `otpsim bench`, the benchmark comparison with the BEAM
//! (scripts/bench-vs-beam.sh) and the tests. Each builds a [`Sim`] that does the same
//! work as its Erlang counterpart in `scripts/beam/otpsim_bench.erl`.

use crate::kernel::{Sim, SimConfig};
use crate::term::{Pid, Term};
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
            let next = ctx
                .recv()
                .await
                .as_pid()
                .ok_or(Term::atom_owned("bad_setup"))?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn idle_processes_stay_alive() {
        let sim = idle_processes(100, SimConfig::default());
        assert_eq!(sim.live_processes(), 100);
    }
}
