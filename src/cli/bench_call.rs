//! `otpsim bench call`: sequential `gen_server:call` round trips from one client to one
//! server that replies at once (the BEAM's `call` workload in
//! scripts/beam/otpsim_bench.erl). Reads the wall clock, as the rest of `bench` does,
//! to measure the simulator, never what it simulates.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use super::unlimited;
use crate::cli::output::{errln, outln};
use clap::Args;
use otpsim::workloads;
use std::time::Instant; // determinism: ok (benchmark timing only)

#[derive(Args, Debug)]
pub struct CallArgs {
    /// Calls the client makes, one after another.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    calls: u64,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
}

pub fn call(a: CallArgs) -> i32 {
    let (mut sim, replies) = workloads::gen_server_calls(a.calls, unlimited());
    let started = Instant::now();
    let report = sim.run();
    let seconds = started.elapsed().as_secs_f64();
    if replies.get() != a.calls {
        errln(&format!(
            "call: only {} of {} calls were answered ({})",
            replies.get(),
            a.calls,
            report.outcome.name()
        ));
        return 1;
    }
    let rate = a.calls as f64 / seconds;
    if a.json {
        outln(&format!(
            "{{\"bench\":\"call\",\"calls\":{},\"seconds\":{seconds:.6},\"calls_per_sec\":{rate:.0},\"events\":{},\"fingerprint\":\"{:016x}\"}}",
            a.calls, report.events, report.fingerprint
        ));
    } else {
        outln(&format!("call: {} sequential gen_server calls", a.calls));
        outln(&format!("  {seconds:.3} s wall clock, {rate:.0} calls/s"));
        outln(&format!(
            "  {} events, fingerprint {:016x}",
            report.events, report.fingerprint
        ));
    }
    0
}
