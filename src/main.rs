//! The `otpsim` command line: a thin shell over the library.
#![forbid(unsafe_code)]

fn main() {
    std::process::exit(otpsim_cli_main());
}

fn otpsim_cli_main() -> i32 {
    0
}
