//! `otpsim run`: exit codes, the summary, --json, --seed and bad input.

#[path = "cli_util/mod.rs"]
mod util;

use util::*;

#[test]
fn passing_expectations_exit_0_with_the_summary() {
    let r = otpsim(&["run", &fixture("ok.json")]);
    r.expect_code(0);
    assert!(
        r.stdout.starts_with("scenario cli_ok, seed 3\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("expectations: 4 of 4 passed\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  ok    w1 restarted once: "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("fingerprint "), "{}", r.stdout);
    assert!(!r.stdout.contains("replay:"), "{}", r.stdout);
}

#[test]
fn a_failing_expectation_exits_1_with_the_replay_command() {
    let r = otpsim(&["run", &fixture("fail.json")]);
    r.expect_code(1);
    assert!(
        r.stdout.contains("  FAIL  w1 never restarted: "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("replay: otpsim run tests/fixtures/cli/fail.json --seed 1\n"),
        "{}",
        r.stdout
    );
    // The printed command replays the same run.
    let again = otpsim(&["run", &fixture("fail.json"), "--seed", "1"]);
    again.expect_code(1);
    assert_eq!(again.stdout, r.stdout);
}

#[test]
fn json_is_one_object_with_the_fields() {
    let r = otpsim(&["run", &fixture("ok.json"), "--json"]);
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON object");
    let fp = v["fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 16);
    assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(v["events"].as_u64().unwrap() > 0);
    assert_eq!(v["virtual_time_us"], 5_000_000);
    assert!(v["outcome"].is_string());
    assert_eq!(v["seed"], 3);
    assert_eq!(v["passed"], true);
    let exps = v["expectations"].as_array().unwrap();
    assert_eq!(exps.len(), 4);
    assert_eq!(exps[0]["name"], "w1 restarted once");
    assert_eq!(exps[0]["passed"], true);
    assert!(exps[0]["detail"].is_string());
    assert!(v["supervisors"].is_array() && v["clients"].is_array());
    assert!(v["faults"]["injected"].as_u64().unwrap() >= 1);
    assert_eq!(v["file"], "tests/fixtures/cli/ok.json");

    let f = otpsim(&["run", &fixture("fail.json"), "--json", "--seed", "9"]);
    f.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&f.stdout).expect("one JSON object");
    assert_eq!(v["seed"], 9);
    assert_eq!(v["passed"], false);
    assert_eq!(
        v["replay_command"],
        "otpsim run tests/fixtures/cli/fail.json --seed 9"
    );
    assert!(f.stderr.contains("replay: otpsim run"), "{}", f.stderr);
}

#[test]
fn same_file_and_seed_same_fingerprint() {
    let fp = |seed: &str| {
        let r = otpsim(&["run", &fixture("ok.json"), "--json", "--seed", seed]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        v["fingerprint"].as_str().unwrap().to_string()
    };
    assert_eq!(fp("5"), fp("5"));
}

#[test]
fn an_invalid_scenario_exits_2_with_file_line_column_and_a_caret() {
    let r = otpsim(&["run", &fixture("malformed.json")]);
    r.expect_code(2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("--> tests/fixtures/cli/malformed.json:10:31"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `worker`?"), "{}", r.stderr);
    assert!(r.stderr.contains('^'), "{}", r.stderr);
}

#[test]
fn not_json_and_missing_files_exit_2() {
    let r = otpsim(&["run", &fixture("not_json.json")]);
    r.expect_code(2);
    assert!(
        r.stderr
            .contains("--> tests/fixtures/cli/not_json.json:2:20"),
        "{}",
        r.stderr
    );
    let r = otpsim(&["run", &fixture("no_such_file.json")]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("tests/fixtures/cli/no_such_file.json"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_flags_exit_2_with_usage() {
    for args in [
        &["run", "x.json", "--sed", "3"][..],
        &["run"],
        &["frobnicate"],
        &[],
    ] {
        let r = otpsim(args);
        r.expect_code(2);
        assert!(r.stderr.contains("Usage:"), "{args:?}: {}", r.stderr);
    }
    let r = otpsim(&["run", "x.json", "--seed", "minus-one"]);
    r.expect_code(2);
    assert!(
        r.stderr
            .starts_with("error: invalid value 'minus-one' for '--seed <SEED>'"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unwritable_trace_path_exits_2() {
    let r = otpsim(&[
        "run",
        &fixture("ok.json"),
        "--trace",
        "tests/fixtures/cli/no_such_dir/t.jsonl",
    ]);
    r.expect_code(2);
    assert!(r.stderr.contains("cannot write the trace"), "{}", r.stderr);
}

#[test]
fn a_mailbox_limit_names_the_process_by_its_path() {
    let file = scratch("mailbox_limit", "s.json");
    std::fs::write(
        &file,
        r#"{"otpsim": 1, "name": "mb", "duration": "10s", "limits": {"max_mailbox_len": 50},
  "app": {"root": {"id": "root", "type": "supervisor", "children": [
    {"id": "slow", "model": "worker", "params": {"work": "10s"}}]}},
  "workload": [{"id": "c", "model": "load_client",
    "params": {"target": "root/slow", "rate": 1000, "call_timeout": "60s"}}]}"#,
    )
    .unwrap();
    let r = otpsim(&["run", file.to_str().unwrap()]);
    r.expect_code(1);
    assert!(
        r.stdout.contains(
            "  the run was cut short: mailbox limit: root/slow (<0.6.0>) has 50 messages waiting\n"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_pct_depth_beyond_the_bound_is_a_bad_flag() {
    // Each depth step is a change point drawn before the run: 2^32 - 1 of them once
    // aborted on allocation.
    for cmd in [
        &["run", "tests/fixtures/cli/ok.json"][..],
        &["explore", "tests/fixtures/cli/ok.json", "--seeds", "0..1"],
    ] {
        let mut args = cmd.to_vec();
        args.extend(["--schedule", "pct:4294967295"]);
        let r = otpsim(&args);
        r.expect_code(2);
        assert_eq!(
            r.stderr,
            "error: unknown schedule `pct:4294967295` (expected fifo, random, pct or pct:DEPTH with DEPTH from 1 to 1000)\n"
        );
    }
    otpsim(&[
        "run",
        "tests/fixtures/cli/ok.json",
        "--schedule",
        "pct:1000",
    ])
    .expect_code(0);
}
