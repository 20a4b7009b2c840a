//! Inputs too large to hold, or that never end, are refused after reading a bounded
//! prefix: exit 2 with a message, never an out-of-memory abort.

#[path = "cli_util/mod.rs"]
mod util;

use util::*;

/// Runs `otpsim ARGS` under a 3 GB address-space limit, so that reading without a bound
/// fails here instead of exhausting the machine.
#[cfg(unix)]
fn otpsim_bounded(args: &[&str]) -> Ran {
    let bin = env!("CARGO_BIN_EXE_otpsim");
    let script = format!("ulimit -v 3000000 && exec \"$0\" {}", args.join(" "));
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin)
        .output()
        .expect("sh runs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_scenario_over_16_mib_is_refused_by_size() {
    let path = scratch("over_16_mib", "big.json");
    let body = format!("{{\"otpsim\": 1{}}}", " ".repeat(17 << 20));
    std::fs::write(&path, body).unwrap();
    let path = path.to_str().unwrap();
    for cmd in ["check", "run", "tree"] {
        let r = otpsim(&[cmd, path]);
        r.expect_code(2);
        assert!(
            r.stderr
                .starts_with("error: the file is too large (expected at most 16777216 bytes)\n"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains(&format!(" --> {path}")), "{}", r.stderr);
    }
}

#[cfg(unix)]
#[test]
fn an_endless_scenario_file_is_refused_by_size() {
    for cmd in ["check", "run", "tree"] {
        let r = otpsim_bounded(&[cmd, "/dev/zero"]);
        r.expect_code(2);
        assert!(
            r.stderr.starts_with("error: the file is too large"),
            "{}",
            r.stderr
        );
    }
    let r = otpsim_bounded(&["explore", "/dev/zero", "--seeds", "0..1"]);
    r.expect_code(2);
    assert!(r.stderr.contains("the file is too large"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn an_endless_trace_line_is_refused_at_its_length() {
    for cmd in ["trace", "replay"] {
        let r = otpsim_bounded(&[cmd, "/dev/zero"]);
        r.expect_code(2);
        assert!(
            r.stderr.starts_with(
                "error: /dev/zero:1:536870913: the line is longer than 536870912 bytes"
            ),
            "{}",
            r.stderr
        );
    }
}
