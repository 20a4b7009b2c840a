//! `otpsim bench`: wall-clock speed of the kernel on the standard workloads.
//!
//! This is the one place that reads the wall clock: it measures how fast the simulator
//! runs, never what it simulates.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use super::output::outln;
use clap::{Args, Subcommand};
use otpsim::kernel::SimConfig;
use otpsim::workloads;
use std::time::Instant; // determinism: ok (benchmark timing only)

#[path = "bench_call.rs"]
mod bench_call;
#[path = "bench_storm.rs"]
mod bench_storm;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Pass one token around a ring of processes; reports messages per second.
    Ring(RingArgs),
    /// spawn_monitor processes that exit at once (at most 10,000 alive); reports spawns
    /// per second, the bytes of one idle process and the peak resident memory.
    Spawn(SpawnArgs),
    /// One client making sequential gen_server calls to a server that replies at once;
    /// reports calls per second.
    Call(bench_call::CallArgs),
    /// One supervisor with N gen_server children killed once (one_for_one: every child;
    /// one_for_all: one, so all restart); reports restarts per second.
    RestartStorm(bench_storm::StormArgs),
}

#[derive(Args, Debug)]
pub struct RingArgs {
    /// Processes in the ring.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    procs: u32,
    /// Times the token goes around.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    rounds: u64,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct SpawnArgs {
    /// Processes to spawn (and, for the memory figures, to keep alive at once).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    procs: u32,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: BenchCommand) -> i32 {
    match cmd {
        BenchCommand::Ring(a) => ring(a),
        BenchCommand::Spawn(a) => spawn(a),
        BenchCommand::Call(a) => bench_call::call(a),
        BenchCommand::RestartStorm(a) => bench_storm::restart_storm(a),
    }
}

fn unlimited() -> SimConfig {
    let mut config = SimConfig::default();
    config.limits.max_events = u64::MAX;
    config.limits.max_events_per_instant = u64::MAX;
    config.limits.max_processes = u32::MAX - 1;
    config
}

fn ring(a: RingArgs) -> i32 {
    let mut ring = workloads::Ring::build(a.procs, unlimited());
    let started = Instant::now();
    let hops = ring.start(a.rounds);
    let report = ring.sim.run();
    let seconds = started.elapsed().as_secs_f64();
    let rate = hops as f64 / seconds;
    if a.json {
        outln(&format!(
            "{{\"bench\":\"ring\",\"procs\":{},\"rounds\":{},\"messages\":{hops},\"seconds\":{seconds:.6},\"messages_per_sec\":{rate:.0},\"fingerprint\":\"{:016x}\"}}",
            a.procs, a.rounds, report.fingerprint
        ));
    } else {
        outln(&format!(
            "ring: {} processes x {} rounds = {hops} messages",
            a.procs, a.rounds
        ));
        outln(&format!(
            "  {seconds:.3} s wall clock, {rate:.0} messages/s"
        ));
        outln(&format!(
            "  {} events, fingerprint {:016x}",
            report.events, report.fingerprint
        ));
    }
    0
}

/// Resident and peak resident memory of this process, in bytes (Linux only).
fn rss_bytes() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map(|kb| kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn spawn(a: SpawnArgs) -> i32 {
    // Memory first, while the peak resident size still reflects only this phase.
    let before = rss_bytes();
    let idle = workloads::idle_processes(a.procs, unlimited());
    let after = rss_bytes();
    let alive = idle.live_processes();
    drop(idle);
    let (bytes_per_process, peak_rss) = match (before, after) {
        (Some((rss0, _)), Some((rss1, hwm))) => (
            Some(rss1.saturating_sub(rss0) / u64::from(alive.max(1))),
            Some(hwm),
        ),
        _ => (None, None),
    };

    let started = Instant::now();
    let (mut sim, downs) = workloads::spawn_storm(u64::from(a.procs), 10_000, unlimited());
    let report = sim.run();
    let seconds = started.elapsed().as_secs_f64();
    let rate = downs.get() as f64 / seconds;
    let opt = |v: Option<u64>| v.map_or("null".to_string(), |v| v.to_string());
    if a.json {
        outln(&format!(
            "{{\"bench\":\"spawn\",\"procs\":{},\"seconds\":{seconds:.6},\"spawns_per_sec\":{rate:.0},\"bytes_per_process\":{},\"peak_rss_bytes\":{},\"idle_alive\":{alive},\"fingerprint\":\"{:016x}\"}}",
            a.procs,
            opt(bytes_per_process),
            opt(peak_rss),
            report.fingerprint
        ));
    } else {
        outln(&format!(
            "spawn: {} processes spawned and monitored, at most 10,000 alive",
            a.procs
        ));
        outln(&format!(
            "  {seconds:.3} s wall clock, {rate:.0} spawns/s ({} DOWNs counted)",
            downs.get()
        ));
        outln(&format!(
            "  idle process: {} bytes; peak RSS with {alive} idle processes: {} bytes",
            opt(bytes_per_process),
            opt(peak_rss)
        ));
    }
    0
}
