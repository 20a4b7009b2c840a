//! `otpsim run`'s output files: refused before the run when one would overwrite the
//! scenario or another output, and not asked for where the run writes none.

#[path = "cli_util/mod.rs"]
mod util;

use util::*;

/// A copy of ok.json in this test's scratch directory; returns its path.
fn scenario_copy(test: &str) -> String {
    let path = scratch(test, "s.json");
    std::fs::copy(fixture("ok.json"), &path).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_trace_or_report_over_the_scenario_is_refused_and_the_scenario_kept() {
    let file = scenario_copy("over_scenario");
    let before = std::fs::read(&file).unwrap();
    let dir = std::path::Path::new(&file).parent().unwrap();
    let roundabout = dir.join("..").join("over_scenario").join("s.json");
    let roundabout = roundabout.to_str().unwrap();
    for (flag, path) in [("--trace", file.as_str()), ("--report", roundabout)] {
        let r = otpsim(&["run", &file, flag, path]);
        r.expect_code(2);
        assert_eq!(
            r.stderr,
            format!(
                "error: {flag} {path} would overwrite the scenario file {file} (expected another path)\n"
            )
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }
}

#[test]
fn a_trace_and_report_at_one_path_are_refused() {
    let file = scenario_copy("one_path");
    let out = scratch("one_path", "out.jsonl");
    let out = out.to_str().unwrap();
    let r = otpsim(&["run", &file, "--trace", out, "--report", out]);
    r.expect_code(2);
    assert_eq!(
        r.stderr,
        format!(
            "error: --trace and --report both name {out} (expected a different file for each)\n"
        )
    );
    assert!(!std::path::Path::new(out).exists());
}

#[test]
fn check_determinism_takes_no_output_flags() {
    let out = scratch("determinism_flags", "t.jsonl");
    let out = out.to_str().unwrap();
    for extra in [&["--trace", out][..], &["--report", out], &["--json"]] {
        let mut args = vec!["run", "tests/fixtures/cli/ok.json", "--check-determinism"];
        args.extend_from_slice(extra);
        let r = otpsim(&args);
        r.expect_code(2);
        assert!(
            r.stderr.starts_with(&format!(
                "error: the argument '--check-determinism' cannot be used with '{}",
                extra[0]
            )),
            "{extra:?}: {}",
            r.stderr
        );
    }
    assert!(!std::path::Path::new(out).exists());
}
