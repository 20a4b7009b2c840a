//! `otpsim trace`: golden lines, filters, colour only on a terminal without NO_COLOR,
//! and bad traces as bad input.

mod cli_util;

use cli_util::otpsim;
use otpsim::report::trace_print::{print_trace, TraceFilter};
use otpsim::term::{atom, Atom, Pid, Term};
use otpsim::trace::{Event, EventKind};
use std::path::PathBuf;

fn small_run() -> Vec<Event> {
    let sup = Pid::from_parts(1, 1);
    // Pids compare by serial, unique in a run.
    let db = Pid::from_parts(2, 2);
    let kinds = vec![
        (
            0,
            EventKind::Spawn {
                parent: None,
                child: sup,
                linked: false,
                monitored: false,
                label: Some("root".into()),
            },
        ),
        (
            0,
            EventKind::Spawn {
                parent: Some(sup),
                child: db,
                linked: true,
                monitored: false,
                label: Some("root/db".into()),
            },
        ),
        (
            1_500_000,
            EventKind::Fault {
                target: "root/db".into(),
                pid: Some(db),
                action: Atom::new("crash"),
                detail: atom("boom"),
                cause: Atom::new("scheduled"),
            },
        ),
        (
            1_500_000,
            EventKind::Exit {
                pid: db,
                reason: atom("boom"),
            },
        ),
        (
            1_500_000,
            EventKind::ChildExitSeen {
                sup,
                id: atom("db"),
                pid: db,
                reason: atom("boom"),
                decision: Atom::new("restart"),
            },
        ),
        (
            12_500_000,
            EventKind::Model {
                pid: sup,
                model: Atom::new("m"),
                what: Atom::new("note"),
                detail: Term::tuple([atom("x"), Term::Int(3)]),
            },
        ),
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(seq, (t, kind))| Event {
            t,
            seq: seq as u64,
            kind,
        })
        .collect()
}

fn printed(filter: &TraceFilter, color: bool) -> Vec<String> {
    let mut out = Vec::new();
    print_trace(&small_run(), filter, color, &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn golden_lines() {
    assert_eq!(
        printed(&TraceFilter::default(), false),
        [
            "   0.000000s  root              spawn  linked=false monitored=false",
            "   0.000000s  root/db           spawn  parent=root linked=true monitored=false",
            "   1.500000s  root/db           fault  pid=root/db action=crash detail=boom cause=scheduled",
            "   1.500000s  root/db           exit  reason=boom",
            "   1.500000s  root              child_exit_seen  id=db pid=root/db reason=boom decision=restart",
            "  12.500000s  root              model  model=m what=note detail={x,3}",
        ]
    );
}

#[test]
fn filters_by_path_and_time() {
    let only_db = TraceFilter {
        path_pattern: Some("root/db".into()),
        ..TraceFilter::default()
    };
    let lines = printed(&only_db, false);
    // The supervisor's child_exit_seen is about root/db too.
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(lines.iter().all(|l| l.contains("root/db")));
    let window = TraceFilter {
        from_us: Some(1_000_000),
        to_us: Some(2_000_000),
        ..TraceFilter::default()
    };
    let lines = printed(&window, false);
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.starts_with("   1.500000s")));
    let none = TraceFilter {
        path_pattern: Some("other/**".into()),
        ..TraceFilter::default()
    };
    assert!(printed(&none, false).is_empty());
}

#[test]
fn colour_when_asked_only() {
    let plain = printed(&TraceFilter::default(), false);
    assert!(plain.iter().all(|l| !l.contains('\x1b')));
    let coloured = printed(&TraceFilter::default(), true);
    assert!(coloured.iter().all(|l| l.contains("\x1b[")));
}

fn trace_file(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("trace_print");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let p = path.display().to_string();
    let ran = otpsim(&["run", "scenarios/lesson1_one_for_one.json", "--trace", &p]);
    assert!(ran.code == 0 || ran.code == 1, "{}", ran.stderr);
    p
}

#[test]
fn cli_prints_filters_and_stays_plain_when_piped() {
    let p = trace_file("lesson1.jsonl");
    let all = otpsim(&["trace", &p]);
    all.expect_code(0);
    assert!(!all.stdout.contains('\x1b'), "piped output has no colour");
    let lines: Vec<&str> = all.stdout.lines().collect();
    assert!(lines.len() > 10);
    assert!(lines[0].starts_with("   0.000000s  "), "{}", lines[0]);
    let root = otpsim(&[
        "trace", &p, "--filter", "root/*", "--from", "1s", "--to", "30s",
    ]);
    root.expect_code(0);
    assert!(!root.stdout.is_empty());
    for line in root.stdout.lines() {
        let secs: f64 = line
            .trim_start()
            .split('s')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1.0..=30.0).contains(&secs), "{line}");
        // Events of root/* processes, or the root supervisor's about one of them.
        let path = line.split_whitespace().nth(1).unwrap();
        assert!(path.starts_with("root/") || path == "root", "{line}");
    }
    assert!(root.stdout.lines().count() < lines.len());
}

#[test]
fn no_color_is_respected_even_on_a_terminal() {
    // A pipe is not a terminal, so this checks the flag path in the library: colour
    // needs a terminal and NO_COLOR unset.
    use otpsim::report::trace_print::use_color;
    assert!(!use_color(true, Some(std::ffi::OsStr::new("1"))));
    let p = trace_file("lesson1_nocolor.jsonl");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_otpsim"))
        .args(["trace", &p])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[test]
fn corrupt_trace_and_bad_flags_are_bad_input() {
    let p = trace_file("lesson1_corrupt.jsonl");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[3] = "{not json";
    std::fs::write(&p, lines.join("\n")).unwrap();
    let ran = otpsim(&["trace", &p]);
    ran.expect_code(2);
    assert!(ran.stderr.contains(&format!("{p}:4:")), "{}", ran.stderr);
    let good = trace_file("lesson1_flags.jsonl");
    let ran = otpsim(&["trace", &good, "--from", "soon"]);
    ran.expect_code(2);
    assert!(ran.stderr.contains("--from soon"), "{}", ran.stderr);
    otpsim(&["trace", "no/such/trace.jsonl"]).expect_code(2);
}

#[test]
fn flags_that_can_select_nothing_are_bad_input() {
    let p = trace_file("lesson1_window.jsonl");
    let ran = otpsim(&["trace", &p, "--from", "10s", "--to", "5s"]);
    ran.expect_code(2);
    assert_eq!(
        ran.stderr,
        "error: --from 10s is after --to 5s (expected --from at or before --to)\n"
    );
    assert!(ran.stdout.is_empty(), "{}", ran.stdout);
    let ran = otpsim(&["trace", &p, "--filter", ""]);
    ran.expect_code(2);
    assert!(
        ran.stderr.starts_with("error: --filter is empty"),
        "{}",
        ran.stderr
    );
    // A filter that matches nothing in this trace says so, rather than printing
    // nothing as an empty trace would.
    let ran = otpsim(&["trace", &p, "--filter", "nosuch/**"]);
    ran.expect_code(0);
    assert!(ran.stdout.is_empty(), "{}", ran.stdout);
    assert!(
        ran.stderr.starts_with("note: none of the ") && ran.stderr.contains("matched the filters"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_huge_bad_term_is_quoted_cut_short() {
    let p = trace_file("lesson1_huge_term.jsonl");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let i = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"send\""))
        .expect("a send event");
    let mut event: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
    event["msg"] = format!("{{{}", "a,".repeat(100_000)).into();
    lines[i] = event.to_string();
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    let ran = otpsim(&["trace", &p]);
    ran.expect_code(2);
    assert!(
        ran.stderr.starts_with(&format!("error: {p}:{}:", i + 1)),
        "{}",
        &ran.stderr[..ran.stderr.len().min(300)]
    );
    assert!(ran.stderr.contains("bad term `{a,a,"), "{}", ran.stderr);
    assert!(ran.stderr.len() < 500, "{} bytes", ran.stderr.len());
}
