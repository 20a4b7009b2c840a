//! Text from a scenario or a trace (expectation names, exit reasons) reaches the
//! terminal with its control characters escaped: a raw escape sequence in a reason
//! would otherwise colour, clear or rewrite the reader's terminal.

#[path = "cli_util/mod.rs"]
mod util;

use util::*;

/// A scenario whose fault reason and expectation name hold ESC sequences.
fn hostile_scenario(test: &str) -> String {
    let path = scratch(test, "esc.json");
    std::fs::write(
        &path,
        r#"{"otpsim": 1, "name": "esc", "duration": "5s",
  "app": {"root": {"id": "root", "type": "supervisor", "children": [{"id": "w", "model": "worker"}]}},
  "faults": [{"at": "1s", "target": "root/w", "action": "crash", "reason": "'\\e[2J\u001b[31mred'"}],
  "expect": [{"name": "restarted \u001b[31monce", "count": "restart", "of": "root/w", "at_most": 0}]}"#,
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn assert_no_escape(what: &str, text: &str) {
    assert!(!text.contains('\u{1b}'), "{what} holds a raw ESC:\n{text}");
}

#[test]
fn the_summary_and_explore_escape_control_characters() {
    let file = hostile_scenario("summary");
    let r = otpsim(&["run", &file]);
    r.expect_code(1);
    assert_no_escape("run", &r.stdout);
    assert!(
        r.stdout.contains("  FAIL  restarted \\u{1b}[31monce: "),
        "{}",
        r.stdout
    );
    let r = otpsim(&["explore", &file, "--seeds", "0..2"]);
    r.expect_code(1);
    assert_no_escape("explore", &r.stdout);
    assert!(
        r.stdout.contains("FAIL seed 0: restarted \\u{1b}[31monce "),
        "{}",
        r.stdout
    );
}

#[test]
fn trace_and_replay_escape_control_characters() {
    let file = hostile_scenario("trace");
    let trace = scratch("trace", "esc.jsonl");
    let trace = trace.to_str().unwrap();
    otpsim(&["run", &file, "--trace", trace]).expect_code(1);
    let r = otpsim(&["trace", trace]);
    r.expect_code(0);
    assert_no_escape("trace", &r.stdout);
    assert!(
        r.stdout.contains("detail='\\u{1b}[2J\\u{1b}[31mred'"),
        "{}",
        r.stdout
    );
    // A divergence prints both events: edit the fault's reason to another escape.
    let text = std::fs::read_to_string(trace).unwrap();
    let edited = text.replacen("[31mred", "[32mgreen", 1);
    assert_ne!(edited, text);
    std::fs::write(trace, edited).unwrap();
    let r = otpsim(&["replay", trace]);
    r.expect_code(1);
    assert_no_escape("replay", &r.stdout);
    assert!(r.stdout.contains("\\u{1b}[32mgreen"), "{}", r.stdout);
}

#[test]
fn a_trace_header_version_is_quoted_short_and_escaped() {
    let file = hostile_scenario("version");
    let trace = scratch("version", "esc.jsonl");
    let trace = trace.to_str().unwrap();
    otpsim(&["run", &file, "--trace", trace]).expect_code(1);
    let text = std::fs::read_to_string(trace).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_str(header).unwrap();
    header["otpsim_version"] = format!("\u{1b}[2J{}", "9".repeat(100_000)).into();
    std::fs::write(trace, format!("{header}\n{rest}")).unwrap();
    let r = otpsim(&["replay", trace]);
    r.expect_code(0);
    assert_no_escape("replay", &r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "note: {trace} was recorded by otpsim \\u{{1b}}[2J{}..., this is ",
            "9".repeat(36)
        )),
        "{}",
        &r.stderr[..r.stderr.len().min(300)]
    );
    assert!(r.stderr.len() < 400, "{} bytes", r.stderr.len());
}
