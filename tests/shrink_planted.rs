//! The planted design bug of scenarios/planted_tight_intensity.json (a flapping
//! connection under a supervisor whose intensity is too tight): seeds find it, the
//! shrinker cuts a failing seed down to at most three faults, and the shrunk file
//! fails the same expectation under `otpsim run`.

use otpsim::check::evaluate;
use otpsim::explore::shrink::{realise, shrink, shrink_within, ShrinkResult, MAX_RUNS};
use otpsim::kernel::Schedule;
use otpsim::scenario::load_str;
use otpsim::scenario::run::{run, RunOptions};
use otpsim::scenario::spec::{FaultSpec, Scenario};
use otpsim::trace::EventKind;
use std::process::Command;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/planted_tight_intensity.json"
);
const EXPECTATION: &str = "the database supervisor rides out the flapping";

fn text() -> String {
    std::fs::read_to_string(FILE).unwrap()
}

fn options(seed: u64) -> RunOptions {
    RunOptions {
        seed,
        record: true,
        ..RunOptions::default()
    }
}

/// Whether the expectation named `name` fails in a run of `s` with `seed`.
fn fails(s: &Scenario, seed: u64, name: &str) -> bool {
    let out = run(s, &options(seed));
    let end = otpsim::check::window_end_us(&out.report, s.duration_us);
    let results = evaluate(s, &out.events, end);
    !results.iter().find(|r| r.name == name).unwrap().passed
}

fn shrunk(seed: u64) -> ShrinkResult {
    shrink(FILE, &text(), seed, EXPECTATION, Schedule::Fifo).unwrap()
}

#[test]
fn seeds_find_the_planted_bug_at_once_and_often() {
    let s = load_str(FILE, &text()).unwrap();
    let first = (1..=1000).find(|&seed| fails(&s, seed, EXPECTATION));
    assert!(
        first.is_some_and(|seed| seed <= 5),
        "first failing seed {first:?}"
    );
    let failing = (1..=40)
        .filter(|&seed| fails(&s, seed, EXPECTATION))
        .count();
    assert!(failing >= 30, "{failing} of 40 seeds fail");
}

#[test]
fn realised_faults_are_the_fired_ones_and_replay_the_run() {
    let s = load_str(FILE, &text()).unwrap();
    let out = run(&s, &options(1));
    let fired: Vec<(u64, String)> = out
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Fault { target, action, .. } if action.as_str() != "missed" => {
                Some((e.t, target.clone()))
            }
            _ => None,
        })
        .collect();
    let faults = realise(&s, &out.events).unwrap();
    let scheduled: Vec<(u64, String)> = faults
        .iter()
        .map(|f| match f {
            FaultSpec::Scheduled { at_us, target, .. } => (*at_us, format!("{target:?}")),
            FaultSpec::Random { .. } => panic!("a random fault survived: {f:?}"),
        })
        .collect();
    assert_eq!(scheduled.len(), fired.len());
    assert!(fired.len() >= 5, "{} faults", fired.len());
    for ((at, target), (t, path)) in scheduled.iter().zip(&fired) {
        assert_eq!(at, t);
        assert!(target.contains(path.as_str()), "{target} vs {path}");
    }
    // Written out as scheduled faults, the same seed gives the same run, the faults'
    // cause aside.
    let mut explicit = s.clone();
    explicit.faults = faults;
    let again = run(&explicit, &options(1));
    assert_eq!(again.events.len(), out.events.len());
    assert_eq!(
        evaluate(&explicit, &again.events, s.duration_us),
        evaluate(&s, &out.events, s.duration_us)
    );
}

#[test]
fn the_planted_bug_shrinks_to_at_most_three_faults() {
    let r = shrunk(1);
    eprintln!(
        "seed 1: {} faults -> {}, {} runs",
        r.faults_before, r.faults_after, r.runs
    );
    assert!(r.faults_before >= 5, "{} faults before", r.faults_before);
    assert!(r.faults_after <= 3, "{} faults after", r.faults_after);
    assert_eq!(r.faults_after, r.scenario.faults.len());
    assert!(r.runs <= MAX_RUNS);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    // The unneeded parts are gone: other expectations, the client, the api worker.
    assert_eq!(r.scenario.expectations.len(), 1);
    assert_eq!(r.scenario.expectations[0].name, EXPECTATION);
    assert!(r.scenario.workload.is_empty());
    assert!(!r.scenario.paths().contains(&"root/api".to_string()));
    assert!(r.scenario.duration_us < 60_000_000);
    // A standalone file: it loads and fails with its own seed.
    let text = r.scenario_json.to_string();
    let back = load_str("min.json", &text).unwrap();
    assert_eq!(back.seed, 1);
    assert!(fails(&back, back.seed, EXPECTATION));
}

#[test]
fn shrinking_is_deterministic_and_bounded() {
    let a = shrink_within(FILE, &text(), (3, Schedule::Fifo), EXPECTATION, 30).unwrap();
    let b = shrink_within(FILE, &text(), (3, Schedule::Fifo), EXPECTATION, 30).unwrap();
    assert_eq!(a.scenario_json, b.scenario_json);
    // 30 runs, and the final check of the result.
    assert!(a.runs <= 31, "{} runs", a.runs);
    assert!(
        a.notes.iter().any(|n| n.contains("budget")),
        "{:?}",
        a.notes
    );
    assert!(fails(&a.scenario, 3, EXPECTATION));
}

#[test]
fn what_cannot_be_shrunk_is_an_error() {
    let t = text();
    let holds = shrink(
        FILE,
        &t,
        1,
        "the api worker is up at the end",
        Schedule::Fifo,
    );
    assert!(holds.unwrap_err().contains("holds"));
    let unknown = shrink(FILE, &t, 1, "no such expectation", Schedule::Fifo);
    assert!(unknown.unwrap_err().contains("no expectation named"));
    let bad = shrink(
        "bad.json",
        "{\"otpsim\": 1,",
        1,
        EXPECTATION,
        Schedule::Fifo,
    );
    assert!(bad.unwrap_err().contains("bad.json:1:"));
}

#[test]
fn the_shrunk_file_fails_under_otpsim_run() {
    let r = shrunk(2);
    let path = std::env::temp_dir().join(format!(
        "otpsim-shrink-planted-{}-seed2-min.json",
        std::process::id()
    ));
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&r.scenario_json).unwrap(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_otpsim"))
        .arg("run")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(&format!("FAIL  {EXPECTATION}")), "{stdout}");
}
