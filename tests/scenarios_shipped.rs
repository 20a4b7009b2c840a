//! Every scenario under scenarios/ loads, runs with its own seed, meets every one of
//! its expectations, and runs again to the same fingerprint (issue #5). The
//! `planted_*` scenarios are the exception by design: each carries a design bug for
//! `otpsim explore` to find (tests/shrink_*.rs check that they fail).

use otpsim::check::{evaluate, window_end_us};
use otpsim::scenario::load_file;
use otpsim::scenario::run::{run, RunOptions};
use std::path::{Path, PathBuf};

fn shipped() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn check_one(path: &Path) -> Result<u64, String> {
    let scenario = load_file(path).map_err(|e| e.to_string())?;
    let options = RunOptions {
        seed: scenario.seed,
        record: true,
        ..RunOptions::default()
    };
    let first = run(&scenario, &options);
    if !first.report.outcome.is_normal() {
        return Err(format!("cut short: {}", first.report.outcome));
    }
    let end_us = window_end_us(&first.report, first.duration_us);
    let failed: Vec<String> = evaluate(&scenario, &first.events, end_us)
        .into_iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{}: {}", r.name, r.detail))
        .collect();
    if !failed.is_empty() {
        return Err(failed.join("\n  "));
    }
    let again = run(
        &scenario,
        &RunOptions {
            record: false,
            ..options
        },
    );
    if again.report.fingerprint != first.report.fingerprint {
        return Err(format!(
            "fingerprint {:016x} then {:016x}",
            first.report.fingerprint, again.report.fingerprint
        ));
    }
    Ok(first.report.fingerprint)
}

fn planted(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("planted_"))
}

#[test]
fn every_shipped_scenario_meets_its_expectations_and_replays_exactly() {
    let files: Vec<PathBuf> = shipped().into_iter().filter(|p| !planted(p)).collect();
    let failures: Vec<String> = files
        .iter()
        .filter_map(|p| {
            check_one(p)
                .err()
                .map(|e| format!("{}:\n  {e}", p.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_issue_lists_at_least_fifteen_scenarios_and_these_by_name() {
    let names: Vec<String> = shipped()
        .iter()
        .filter(|p| !planted(p))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 15, "{names:?}");
    for wanted in [
        "lesson1_one_for_one",
        "lesson2_dynamic_workers",
        "lesson3_rate_limiter",
        "lesson4_connection_pool",
        "lesson5_multi_level_tree",
        "circuit_breaker",
        "poolboy_overflow",
        "cache_ttl",
        "session_expiry",
        "graceful_shutdown",
        "hot_upgrade",
        "registry_sessions",
        "partitioned_counters",
        "task_fanout_timeout",
        "flapping_tight_intensity",
        "flapping_loose_intensity",
        "crash_one_for_all",
        "crash_rest_for_one",
    ] {
        assert!(names.iter().any(|n| n == wanted), "missing {wanted}");
    }
}

#[test]
fn the_same_flapping_escalates_under_tight_intensity_and_not_under_loose() {
    // The cascade pair must differ only in the database supervisor's intensity.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let tight = load_file(&dir.join("flapping_tight_intensity.json")).unwrap();
    let loose = load_file(&dir.join("flapping_loose_intensity.json")).unwrap();
    assert_eq!(tight.faults, loose.faults);
    assert_eq!(tight.workload, loose.workload);
    assert_ne!(tight.app.root, loose.app.root);
}
