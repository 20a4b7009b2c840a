//! `otpsim explore`'s flags checked before the sweep: a bad one is exit 2 at once,
//! not an error after hours of seeds.

#[path = "cli_util/mod.rs"]
mod util;

use util::*;

#[test]
fn an_out_directory_that_cannot_be_made_is_refused_before_the_sweep() {
    let taken = scratch("out_taken", "a_file");
    std::fs::write(&taken, "not a directory").unwrap();
    let taken = taken.to_str().unwrap();
    let r = otpsim(&[
        "explore",
        &fixture("swarm.json"),
        "--seeds",
        "0..10",
        "--swarm",
        "--out",
        taken,
    ]);
    r.expect_code(2);
    assert!(
        r.stderr.starts_with(&format!(
            "error: --out {taken}: cannot create the directory: "
        )),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "no sweep ran: {}", r.stdout);
}

#[test]
fn an_out_directory_is_made_when_missing() {
    let dir = scratch("out_made", "x")
        .parent()
        .unwrap()
        .join("new/deeper");
    let _ = std::fs::remove_dir_all(&dir);
    let dir = dir.to_str().unwrap();
    let r = otpsim(&[
        "explore",
        &fixture("ok.json"),
        "--seeds",
        "0..2",
        "--out",
        dir,
    ]);
    r.expect_code(0);
    assert!(std::path::Path::new(dir).is_dir());
}

#[test]
fn a_seed_cut_short_by_a_limit_is_not_shrunk_and_says_why() {
    let file = scratch("limit_shrink", "s.json");
    std::fs::write(
        &file,
        r#"{"otpsim": 1, "name": "limited", "duration": "5s", "limits": {"max_events": 5},
  "app": {"root": {"id": "root", "type": "supervisor", "children": [{"id": "w", "model": "worker"}]}}}"#,
    )
    .unwrap();
    let dir = scratch("limit_shrink", "x");
    let dir = dir.parent().unwrap().to_str().unwrap();
    let r = otpsim(&[
        "explore",
        file.to_str().unwrap(),
        "--seeds",
        "0..1",
        "--out",
        dir,
    ]);
    r.expect_code(1);
    assert!(
        r.stdout.contains(
            "  not shrunk: the run was cut short by the event_limit; shrinking minimises a failing expectation, not a limit"
        ),
        "{}",
        r.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_scenario_from_a_pipe_is_read_once() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let text = std::fs::read(fixture("ok.json")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_otpsim"))
        .args(["explore", "/dev/stdin", "--seeds", "0..2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("2 seeds run, 0 failed"), "{stdout}");
}
