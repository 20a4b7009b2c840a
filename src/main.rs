//! The `otpsim` command line: a thin shell over the library.
#![forbid(unsafe_code)]

mod cli;

use clap::Parser;

fn main() {
    // clap exits with code 2 and a usage message on a bad flag.
    let args = cli::Cli::parse();
    std::process::exit(cli::run(args));
}
