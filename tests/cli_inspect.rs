//! `otpsim check`, `tree`, `schema`, `bench` and `--help`.

#[path = "cli_util/mod.rs"]
mod util;

use util::*;

#[test]
fn check_counts_what_the_file_holds() {
    let r = otpsim(&["check", &fixture("ok.json")]);
    r.expect_code(0);
    assert_eq!(
        r.stdout,
        "tests/fixtures/cli/ok.json: ok (4 nodes, 1 fault, 4 expectations)\n"
    );
}

#[test]
fn check_rejects_bad_files_with_exit_2() {
    let r = otpsim(&["check", &fixture("malformed.json")]);
    r.expect_code(2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .starts_with("error: at $.app.root.children[0].model: "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("tests/fixtures/cli/malformed.json:10:"),
        "{}",
        r.stderr
    );
    otpsim(&["check", &fixture("not_json.json")]).expect_code(2);
    otpsim(&["check", &fixture("missing.json")]).expect_code(2);
}

#[test]
fn tree_in_every_format() {
    let text = otpsim(&["tree", &fixture("ok.json")]);
    text.expect_code(0);
    assert!(
        text.stdout.starts_with("root (supervisor one_for_one"),
        "{}",
        text.stdout
    );
    assert_eq!(text.stdout.lines().count(), 4);
    let dot = otpsim(&["tree", &fixture("ok.json"), "--format", "dot"]);
    dot.expect_code(0);
    assert!(dot.stdout.starts_with("digraph"), "{}", dot.stdout);
    let mermaid = otpsim(&["tree", &fixture("ok.json"), "--format", "mermaid"]);
    mermaid.expect_code(0);
    assert!(mermaid.stdout.contains("w3"), "{}", mermaid.stdout);
    otpsim(&["tree", &fixture("ok.json"), "--format", "svg"]).expect_code(2);
    otpsim(&["tree", &fixture("malformed.json")]).expect_code(2);
}

#[test]
fn schema_is_json() {
    let r = otpsim(&["schema"]);
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("a JSON schema");
    assert!(v.is_object());
    otpsim(&["schema", "extra"]).expect_code(2);
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [
        &["--help"][..],
        &["run", "--help"],
        &["check", "--help"],
        &["replay", "--help"],
        &["tree", "--help"],
        &["schema", "--help"],
        &["bench", "--help"],
        &["bench", "ring", "--help"],
        &["bench", "spawn", "--help"],
        &["bench", "call", "--help"],
        &["bench", "restart-storm", "--help"],
    ] {
        let r = otpsim(cmd);
        r.expect_code(0);
        assert!(r.stdout.contains("Example"), "{cmd:?}: {}", r.stdout);
        assert!(r.stdout.contains("otpsim "), "{cmd:?}: {}", r.stdout);
    }
}

#[test]
fn bench_still_runs() {
    let r = otpsim(&["bench", "ring", "--procs", "10", "--rounds", "10", "--json"]);
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["messages"], 100);
}

#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // The schema is larger than a pipe's buffer, so the writer meets the closed pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_otpsim"))
        .arg("schema")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first[..1], b"{");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn restart_storm_repeats_on_the_same_tree() {
    let r = otpsim(&[
        "bench",
        "restart-storm",
        "--children",
        "50",
        "--strategy",
        "one_for_all",
        "--storms",
        "3",
        "--json",
    ]);
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["restarts"], 50);
    let each = v["each_restarts_per_sec"]
        .as_array()
        .expect("one rate per storm");
    assert_eq!(each.len(), 3);
    assert_eq!(each[0], v["restarts_per_sec"]);
    // One storm prints no list; zero storms is a bad flag.
    let one = otpsim(&["bench", "restart-storm", "--children", "5", "--json"]);
    one.expect_code(0);
    assert!(
        !one.stdout.contains("each_restarts_per_sec"),
        "{}",
        one.stdout
    );
    otpsim(&["bench", "restart-storm", "--storms", "0"]).expect_code(2);
}
