//! `explore --swarm` and `run --swarm`: a seed found with drawn fault rates is replayed
//! by the command printed for it, its trace replays, and its shrunk file fails alone.

#[path = "cli_util/mod.rs"]
mod util;

use util::*;

/// The failing seeds of a swarm sweep over 0..10, with their fingerprints and
/// replay commands.
fn swarm_failures() -> Vec<(u64, String, String)> {
    let r = otpsim(&[
        "explore",
        &fixture("swarm.json"),
        "--seeds",
        "0..10",
        "--swarm",
        "--json",
    ]);
    r.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON object");
    v["failing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["seed"].as_u64().unwrap(),
                f["fingerprint"].as_str().unwrap().to_string(),
                f["replay_command"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_printed_replay_command_replays_the_swarm_run() {
    let failing = swarm_failures();
    assert!(!failing.is_empty());
    for (seed, fingerprint, command) in failing {
        assert_eq!(
            command,
            format!("otpsim run tests/fixtures/cli/swarm.json --seed {seed} --swarm")
        );
        let mut args: Vec<&str> = command.split(' ').skip(1).collect();
        args.push("--json");
        let r = otpsim(&args);
        r.expect_code(1);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["fingerprint"], fingerprint.as_str(), "seed {seed}");
        assert!(
            v["replay_command"].as_str().unwrap().ends_with(" --swarm"),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn a_swarm_run_trace_replays_identically() {
    let (seed, fingerprint, _) = swarm_failures().remove(0);
    let trace = scratch("swarm_trace", "run.jsonl");
    let trace = trace.to_str().unwrap();
    let seed = seed.to_string();
    let args = ["run", &fixture("swarm.json"), "--seed", &seed, "--swarm"];
    otpsim(&[&args[..], &["--trace", trace]].concat()).expect_code(1);
    let r = otpsim(&["replay", trace]);
    r.expect_code(0);
    assert!(
        r.stdout.starts_with("identical: ") && r.stdout.contains(&fingerprint),
        "{}",
        r.stdout
    );
}

#[test]
fn a_swarm_failure_shrinks_to_a_file_that_fails_without_swarm() {
    let (seed, _, _) = swarm_failures().remove(0);
    let dir = scratch("swarm_shrink", "x");
    let dir = dir.parent().unwrap().to_str().unwrap().to_string();
    let range = format!("{seed}..{}", seed + 1);
    let r = otpsim(&[
        "explore",
        &fixture("swarm.json"),
        "--seeds",
        &range,
        "--swarm",
        "--out",
        &dir,
    ]);
    r.expect_code(1);
    let min = format!("{dir}/cli_swarm-seed{seed}-min.json");
    assert!(r.stdout.contains("shrunk to "), "{}", r.stdout);
    let again = otpsim(&["run", &min, "--seed", &seed.to_string()]);
    again.expect_code(1);
    assert!(
        again.stdout.contains("FAIL  few crashes"),
        "{}",
        again.stdout
    );
}

#[test]
fn swarm_without_bounds_is_refused() {
    let expected = "error: --swarm: tests/fixtures/cli/ok.json has no swarm bounds";
    for args in [
        &["run", "tests/fixtures/cli/ok.json", "--swarm"][..],
        &[
            "explore",
            "tests/fixtures/cli/ok.json",
            "--seeds",
            "0..2",
            "--swarm",
        ],
    ] {
        let r = otpsim(args);
        r.expect_code(2);
        assert!(r.stderr.starts_with(expected), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
}
