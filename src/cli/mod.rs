//! Command-line parsing: clap flags turned into validated calls on the library.

pub mod bench;

use clap::{Parser, Subcommand};

/// otpsim: a deterministic simulator of Erlang/OTP supervision trees.
#[derive(Parser, Debug)]
#[command(name = "otpsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Measure the kernel's speed on standard workloads (the same ones
    /// scripts/bench-vs-beam.sh runs on the BEAM).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// Runs the parsed command; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Bench(b) => bench::run(b),
    }
}
