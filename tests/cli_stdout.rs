//! A standard output that cannot be written (a full disk) ends a command with exit 2
//! and a message, never exit 0 with the summary lost, nor a panic.

#![cfg(target_os = "linux")]

use std::process::{Command, Stdio};

fn into_full_device(args: &[&str]) -> (i32, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full opens");
    let out = Command::new(env!("CARGO_BIN_EXE_otpsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::from(full))
        .output()
        .expect("the otpsim binary runs");
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_reports_a_full_stdout() {
    for args in [
        &["schema"][..],
        &["check", "tests/fixtures/cli/ok.json"],
        &["tree", "tests/fixtures/cli/ok.json"],
        &["run", "tests/fixtures/cli/ok.json"],
        &["run", "tests/fixtures/cli/ok.json", "--json"],
        &["explore", "tests/fixtures/cli/ok.json", "--seeds", "0..2"],
        &["bench", "ring", "--procs", "10", "--rounds", "1"],
        &["bench", "call", "--calls", "10", "--json"],
    ] {
        let (code, stderr) = into_full_device(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: cannot write to standard output: "),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
