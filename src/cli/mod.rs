//! Command-line parsing: clap flags turned into validated calls on the library. The
//! commands hold no simulation logic; they load, run, check and print.

pub mod bench;
mod determinism;
mod explore;
mod input;
mod inspect;
mod out_paths;
mod output;
mod replay;
mod run_cmd;
mod trace_cmd;

use clap::{Parser, Subcommand};

/// otpsim: a deterministic simulator of Erlang/OTP supervision trees.
#[derive(Parser, Debug)]
#[command(
    name = "otpsim",
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  otpsim run scenarios/lesson1_one_for_one.json\n  \
otpsim run scenarios/lesson1_one_for_one.json --seed 42 --trace run.jsonl\n  \
otpsim replay run.jsonl\n  otpsim check my_scenario.json\n  \
otpsim tree my_scenario.json --format mermaid\n  otpsim schema > scenario.schema.json\n\n\
Run `otpsim help COMMAND` for a command's options."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario: play it on the virtual clock, check its expectations and print
    /// what happened.
    Run(run_cmd::RunArgs),
    /// Run a scenario over a range of seeds and report the failing ones.
    Explore(explore::ExploreArgs),
    /// Validate a scenario file without running it.
    Check(inspect::CheckArgs),
    /// Re-run a trace file's scenario and seed and compare the runs event by event.
    Replay(replay::ReplayArgs),
    /// Print a trace file one readable line per event (time, process path, event).
    Trace(trace_cmd::TraceArgs),
    /// Draw a scenario's supervision tree.
    Tree(inspect::TreeArgs),
    /// Print a JSON Schema of the scenario format.
    Schema(inspect::SchemaArgs),
    /// Measure the kernel's speed on standard workloads (the same ones
    /// scripts/bench-vs-beam.sh runs on the BEAM).
    #[command(
        subcommand,
        after_help = "Example:\n  otpsim bench ring --procs 1000 --rounds 1000",
        mut_subcommand("ring", |c| c.after_help("Example:\n  otpsim bench ring --procs 1000 --rounds 1000 --json")),
        mut_subcommand("spawn", |c| c.after_help("Example:\n  otpsim bench spawn --procs 100000")),
        mut_subcommand("call", |c| c.after_help("Example:\n  otpsim bench call --calls 100000")),
        mut_subcommand("restart-storm", |c| c.after_help("Example:\n  otpsim bench restart-storm --children 10000 --strategy one_for_one")),
    )]
    Bench(bench::BenchCommand),
}

/// Runs the parsed command; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Run(a) => run_cmd::run_command(a),
        Command::Explore(a) => explore::explore_command(a),
        Command::Check(a) => inspect::check(a),
        Command::Replay(a) => replay::replay(a),
        Command::Trace(a) => trace_cmd::trace(a),
        Command::Tree(a) => inspect::tree(a),
        Command::Schema(a) => inspect::schema(a),
        Command::Bench(b) => bench::run(b),
    }
}
