//! `explore` (issue #6): results independent of jobs and shards, failing seeds found,
//! and the CLI's exit codes and JSON.

use otpsim::explore::{explore, ExploreConfig, ExploreReport};
use otpsim::kernel::Schedule;
use std::process::Command;

const PLANTED: &str = "scenarios/planted_tight_intensity.json";
const HEALTHY: &str = "scenarios/circuit_breaker.json";

fn sweep(file: &str, jobs: usize, shard: Option<(u32, u32)>, schedule: Schedule) -> ExploreReport {
    let text = std::fs::read_to_string(file).expect("scenario file");
    let cfg = ExploreConfig {
        seeds: 0..12,
        jobs,
        shard,
        schedule,
        swarm: false,
    };
    explore(file, &text, &cfg, &|_, _| {}).expect("loads")
}

#[test]
fn a_planted_bug_is_found_and_results_do_not_depend_on_jobs_or_shards() {
    for schedule in [Schedule::Fifo, Schedule::Random] {
        let one = sweep(PLANTED, 1, None, schedule);
        assert!(!one.failing.is_empty(), "the planted bug is found");
        assert_eq!(one.seeds_run, 12);
        let two = sweep(PLANTED, 2, None, schedule);
        assert_eq!(one, two, "jobs 1 vs 2");
        let mut sharded = Vec::new();
        let mut run = 0;
        for i in 1..=3 {
            let part = sweep(PLANTED, 2, Some((i, 3)), schedule);
            run += part.seeds_run;
            sharded.extend(part.failing);
        }
        assert_eq!(run, 12);
        assert_eq!(one.failing, sharded, "shards 1/3 + 2/3 + 3/3");
    }
}

#[test]
fn a_bad_file_is_a_load_error() {
    let cfg = ExploreConfig {
        seeds: 0..2,
        jobs: 1,
        shard: None,
        schedule: Schedule::Fifo,
        swarm: false,
    };
    assert!(explore("bad.json", "{\"name\": 1}", &cfg, &|_, _| {}).is_err());
}

fn otpsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_otpsim"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_exit_codes_and_json() {
    let (code, out, _) = otpsim(&["explore", PLANTED, "--seeds", "0..4", "--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["seeds_run"], 4);
    assert!(v["seconds"].as_f64().is_some());
    let failing = v["failing"].as_array().expect("failing list");
    assert!(!failing.is_empty());
    for f in failing {
        assert!(f["seed"].as_u64().is_some());
        assert!(f["expectation"].as_str().is_some());
        assert_eq!(f["fingerprint"].as_str().map(str::len), Some(16));
    }

    let (code, out, err) = otpsim(&["explore", PLANTED, "--seeds", "0..2", "--schedule", "pct"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("--schedule pct"),
        "replay command names the schedule: {out}"
    );
    assert!(out.contains("seeds/s"));
    assert!(err.is_empty(), "no progress bar off a terminal: {err}");

    let (code, _, _) = otpsim(&["explore", HEALTHY, "--seeds", "0..2", "--jobs", "2"]);
    assert_eq!(code, 0);

    for bad in [
        vec!["--seeds", "5..1"],
        vec!["--seeds", "x"],
        vec!["--seeds", "0..4", "--shard", "4/3"],
        vec!["--seeds", "0..4", "--shard", "0/3"],
        vec!["--seeds", "0..4", "--schedule", "lifo"],
    ] {
        let mut args = vec!["explore", HEALTHY];
        args.extend(bad.iter().copied());
        let (code, _, err) = otpsim(&args);
        assert_eq!(code, 2, "{bad:?}");
        assert!(err.contains("error"), "{bad:?}: {err}");
    }
}

#[test]
fn run_checks_determinism() {
    let (code, out, _) = otpsim(&[
        "run",
        HEALTHY,
        "--check-determinism",
        "--schedule",
        "random",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("deterministic"));
}

#[test]
fn explore_shrink_writes_a_minimal_scenario_that_fails_the_same_way() {
    let dir = std::env::temp_dir().join(format!("otpsim-shrink-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out_dir = dir.display().to_string();
    let (code, stdout, stderr) = otpsim(&[
        "explore",
        "scenarios/planted_tight_intensity.json",
        "--seeds",
        "1..2",
        "--shrink",
        "--out",
        &out_dir,
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("shrunk to"), "{stdout}");
    let shrunk = dir.join("planted_tight_intensity-seed1-min.json");
    let text = std::fs::read_to_string(&shrunk).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let scenario = otpsim::scenario::load_str("min.json", &text).unwrap();
    assert!(
        scenario.faults.len() <= 3,
        "{} faults left",
        scenario.faults.len()
    );
    let (code, stdout, _) = otpsim(&["run", &shrunk.display().to_string()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("FAIL  the database supervisor rides out the flapping"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_seeds_shrink_is_shown_under_the_failure_it_was_shrunk_for_only() {
    // Seed 24 of the planted slow flush fails two expectations; the shrink keeps the
    // first, so only the first failure names the file.
    let dir = std::env::temp_dir().join(format!("otpsim-shrink-once-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out_dir = dir.display().to_string();
    let args = [
        "explore",
        "scenarios/planted_buggify_slow_flush.json",
        "--seeds",
        "24..25",
        "--shrink",
        "--out",
        &out_dir,
    ];
    let (code, stdout, stderr) = otpsim(&args);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("FAIL seed 24"))
            .count(),
        2,
        "{stdout}"
    );
    let shrink_lines: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("shrunk to"))
        .collect();
    assert_eq!(shrink_lines.len(), 1, "{stdout}");
    assert!(
        lines[shrink_lines[0] - 2].starts_with("FAIL seed 24: every write is flushed"),
        "{stdout}"
    );
    assert!(stdout.contains("1 seed run, 1 failed"), "{stdout}");
    assert!(
        stdout.contains("  every write is flushed: 1 seed\n"),
        "{stdout}"
    );
    let (_, json, _) = otpsim(&[&args[..], &["--json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let failing = v["failing"].as_array().expect("failing");
    assert_eq!(failing.len(), 2);
    assert!(failing[0]["shrink"].is_string(), "{json}");
    assert!(failing[1].get("shrink").is_none(), "{json}");
    let _ = std::fs::remove_dir_all(&dir);
}
