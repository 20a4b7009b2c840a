//! `otpsim run --trace` then `otpsim replay`: identical, tampered and corrupt traces.

#[path = "cli_util/mod.rs"]
mod util;

use util::*;

/// Records ok.json with seed 4 into a fresh trace file; returns its path.
fn record(test: &str) -> String {
    let path = scratch(test, "run.jsonl");
    let path = path.to_str().unwrap().to_string();
    otpsim(&["run", &fixture("ok.json"), "--seed", "4", "--trace", &path]).expect_code(0);
    path
}

fn lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_trace_holds_the_scenario_seed_and_totals() {
    let path = record("holds");
    let lines = lines(&path);
    let header: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(header["otpsim_trace"], 1);
    assert_eq!(header["seed"], 4);
    assert_eq!(header["input"]["name"], "cli_ok");
    assert_eq!(header["input"]["file"], "tests/fixtures/cli/ok.json");
    let footer: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(footer["end"], true);
    assert_eq!(footer["events"], lines.len() as u64 - 2);
    assert_eq!(footer["virtual_time_us"], 5_000_000);

    let run = otpsim(&["run", &fixture("ok.json"), "--seed", "4", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(footer["fingerprint"], v["fingerprint"]);
    assert_eq!(footer["events"], v["events"]);
}

#[test]
fn replaying_an_untouched_trace_is_identical() {
    let path = record("identical");
    let lines = lines(&path);
    let footer: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    let r = otpsim(&["replay", &path]);
    r.expect_code(0);
    assert_eq!(
        r.stdout,
        format!(
            "identical: {} events, fingerprint {}\n",
            footer["events"],
            footer["fingerprint"].as_str().unwrap()
        )
    );
}

#[test]
fn a_tampered_event_is_shown_as_the_first_divergence() {
    let path = record("tampered");
    let mut lines = lines(&path);
    // Change the reason of the first exit event (the injected crash).
    let i = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"exit\""))
        .expect("an exit event");
    let event: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
    let seq = event["seq"].as_u64().unwrap();
    let t = event["t"].as_u64().unwrap();
    let edited = lines[i].replacen("\"reason\":", "\"reason\":\"edited\",\"was\":", 1);
    assert_ne!(edited, lines[i]);
    lines[i] = edited;
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    let r = otpsim(&["replay", &path]);
    r.expect_code(1);
    assert!(
        r.stdout
            .contains(&format!("traces diverge at event {seq}:")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("  a #{seq} t={t}us exit "))
            && r.stdout.contains("reason=edited"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("  b #{seq} t={t}us exit ")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("first difference: seq {seq}, t={t}us")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("the trace was changed"), "{}", r.stderr);
}

#[test]
fn a_corrupt_trace_exits_2_naming_the_file_and_line() {
    let path = record("corrupt");
    let mut lines = lines(&path);
    lines[3] = "{\"t\": 0, \"seq\": oops}".to_string();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let r = otpsim(&["replay", &path]);
    r.expect_code(2);
    assert!(
        r.stderr.starts_with(&format!("error: {path}:4:")),
        "{}",
        r.stderr
    );

    // Truncated: no footer.
    let path = record("truncated");
    let lines = lines_of(&path);
    std::fs::write(&path, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let r = otpsim(&["replay", &path]);
    r.expect_code(2);
    assert!(r.stderr.contains("the trace is truncated"), "{}", r.stderr);

    let r = otpsim(&["replay", "tests/fixtures/cli/ok.json"]);
    r.expect_code(2);
    assert!(
        r.stderr.starts_with("error: tests/fixtures/cli/ok.json:1:"),
        "{}",
        r.stderr
    );
    let r = otpsim(&["replay", "tests/fixtures/cli/no_such_trace.jsonl"]);
    r.expect_code(2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

fn lines_of(path: &str) -> Vec<String> {
    lines(path)
}

#[test]
fn a_header_that_is_not_a_scenario_exits_2() {
    let path = record("not_a_scenario");
    let mut lines = lines(&path);
    let mut header: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    header["input"]["duration"] = serde_json::json!("forever");
    lines[0] = header.to_string();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let r = otpsim(&["replay", &path]);
    r.expect_code(2);
    assert!(
        r.stderr.contains(&format!("{path}#header:")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_trace_of_a_wide_tree_replays_although_its_header_outgrows_a_scenario_file() {
    // A 3 MB scenario whose written-back form (every default filled in, as the trace
    // header holds it) is past the 16 MiB limit of a scenario file.
    let children: Vec<String> = (0..26_000)
        .map(|i| format!(r#"{{"id":"p{i}","model":"pool","params":{{"size":0}}}}"#))
        .collect();
    let text = format!(
        r#"{{"otpsim":1,"name":"wide","duration":"1ms","app":{{"root":{{"id":"root","type":"supervisor","children":[{}]}}}}}}"#,
        children.join(",")
    );
    let file = scratch("wide_header", "wide.json");
    std::fs::write(&file, text).unwrap();
    let trace = scratch("wide_header", "wide.jsonl");
    let trace = trace.to_str().unwrap();
    otpsim(&["run", file.to_str().unwrap(), "--trace", trace]).expect_code(0);
    let r = otpsim(&["replay", trace]);
    r.expect_code(0);
    assert!(r.stdout.starts_with("identical: "), "{}", r.stdout);
}

#[test]
fn a_trace_recorded_under_a_schedule_replays_with_that_schedule() {
    let path = scratch("schedule", "run.jsonl");
    let path = path.to_str().unwrap();
    let r = otpsim(&[
        "run",
        "scenarios/circuit_breaker.json",
        "--seed",
        "3",
        "--schedule",
        "random",
        "--trace",
        path,
    ]);
    r.expect_code(0);
    assert_eq!(
        r.stderr,
        format!("note: the trace does not record the schedule; replay it with `otpsim replay {path} --schedule random`\n")
    );
    let r = otpsim(&["replay", path, "--schedule", "random"]);
    r.expect_code(0);
    assert!(r.stdout.starts_with("identical: "), "{}", r.stdout);
    // Under the default FIFO schedule it is another run.
    otpsim(&["replay", path]).expect_code(1);
    let r = otpsim(&["replay", path, "--schedule", "lifo"]);
    r.expect_code(2);
    assert!(
        r.stderr.starts_with("error: unknown schedule `lifo`"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unknown_field_in_the_header_or_footer_is_an_error_at_its_line() {
    let path = record("unknown_fields");
    let lines = lines(&path);
    let last = lines.len();
    for (i, edited) in [
        (0, lines[0].replacen('{', "{\"note\":1,", 1)),
        (last - 1, lines[last - 1].replacen('{', "{\"note\":1,", 1)),
    ] {
        let mut copy = lines.clone();
        copy[i] = edited;
        std::fs::write(&path, copy.join("\n") + "\n").unwrap();
        for cmd in ["replay", "trace"] {
            let r = otpsim(&[cmd, &path]);
            r.expect_code(2);
            assert!(
                r.stderr.starts_with(&format!("error: {path}:{}:", i + 1))
                    && r.stderr.contains("unknown field `note`"),
                "{cmd}: {}",
                r.stderr
            );
        }
    }
}
