//! Random faults on children started at run time (#5): a pattern that names the
//! children of a dynamic supervisor hits the ones a `keyed` router starts on demand,
//! deterministically, without moving the firings of static targets; and the realised
//! schedule `explore --shrink` writes (scheduled faults on those children's paths)
//! loads and replays.

use otpsim::explore::shrink::realise;
use otpsim::scenario::load_str;
use otpsim::scenario::run::{run, RunOptions, RunOutput};
use otpsim::scenario::spec::{FaultSpec, Scenario};
use otpsim::term::Pid;
use otpsim::trace::EventKind;

/// Sessions started on demand under `root/sessions` for 4 users (unless `users` is
/// false), a static connection `root/db/conn`, and one random fault on both.
fn scenario(users: bool, rest: &str) -> Scenario {
    let workload = if users {
        r#""workload": [{"id": "users", "model": "load_client", "params": {"target": "root/front",
            "rate": 20, "request": "{request, '$key', touch}", "keys": 4}}],"#
    } else {
        ""
    };
    let text = format!(
        r#"{{"otpsim": 1, "name": "dyn", "duration": "30s",
        "app": {{"root": {{"id": "root", "type": "supervisor", "max_restarts": 1000, "max_seconds": 1,
          "children": [
            {{"id": "registry", "type": "registry", "keys": "unique"}},
            {{"id": "sessions", "type": "dynamic_supervisor", "max_restarts": 1000, "max_seconds": 1}},
            {{"id": "front", "model": "keyed", "params": {{"registry": "root/registry",
              "dynamic_supervisor": "root/sessions",
              "worker": {{"model": "session", "params": {{"idle_timeout": "1m"}}}}}}}},
            {{"id": "db", "type": "supervisor", "children": [{{"id": "conn", "model": "worker"}}]}}
          ]}}}},
        {workload}
        {rest}}}"#
    );
    load_str("dyn.json", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

const RANDOM: &str =
    r#""faults": [{"random": "crash", "targets": ["root/sessions/*", "root/db/*"], "mtbf": "5s"}]"#;

fn run_seed(s: &Scenario, seed: u64) -> RunOutput {
    run(
        s,
        &RunOptions {
            seed,
            record: true,
            ..RunOptions::default()
        },
    )
}

/// A `fault` event as (time, target, pid, action, cause).
type Firing = (u64, String, Option<Pid>, String, String);

/// Every `fault` event.
fn firings(out: &RunOutput) -> Vec<Firing> {
    out.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Fault {
                target,
                pid,
                action,
                cause,
                ..
            } => Some((
                e.t,
                target.clone(),
                *pid,
                action.as_str().to_string(),
                cause.as_str().to_string(),
            )),
            _ => None,
        })
        .collect()
}

fn dynamic_hits(out: &RunOutput) -> Vec<Firing> {
    firings(out)
        .into_iter()
        .filter(|f| f.1.starts_with("root/sessions/"))
        .collect()
}

#[test]
fn random_faults_hit_children_started_at_run_time() {
    let s = scenario(true, RANDOM);
    let out = run_seed(&s, 1);
    assert!(out.report.outcome.is_normal(), "{}", out.report.outcome);
    let hits = dynamic_hits(&out);
    // 4 sessions at 1/5s for most of 30s: about 24 hits; far from none.
    assert!(hits.len() >= 5, "too few dynamic hits: {hits:?}");
    for (t, target, pid, action, cause) in &hits {
        assert_eq!((action.as_str(), cause.as_str()), ("crash", "random"));
        let pid = pid.unwrap_or_else(|| panic!("a dynamic hit names its pid ({t}us)"));
        // The pid hit is the process labelled with the target path.
        let labelled = out.events.iter().any(|e| {
            matches!(&e.kind, EventKind::Spawn { child, label: Some(l), .. }
                if *child == pid && l == target)
        });
        assert!(labelled, "{pid} at {t}us is not labelled {target}");
        let key = &target["root/sessions/".len()..];
        assert!(
            ["0", "1", "2", "3"].contains(&key),
            "unexpected target {target}"
        );
    }
    let distinct: std::collections::BTreeSet<&str> = hits.iter().map(|h| h.1.as_str()).collect();
    assert!(distinct.len() >= 2, "always the same session: {distinct:?}");
}

#[test]
fn same_seed_same_run_other_seed_other_firings() {
    let s = scenario(true, RANDOM);
    let (a, b, c) = (run_seed(&s, 7), run_seed(&s, 7), run_seed(&s, 8));
    assert_eq!(a.report.fingerprint, b.report.fingerprint);
    assert_eq!(firings(&a), firings(&b));
    assert!(!dynamic_hits(&a).is_empty());
    assert_ne!(dynamic_hits(&a), dynamic_hits(&c), "the seed must matter");
    assert_ne!(a.report.fingerprint, c.report.fingerprint);
}

#[test]
fn static_firings_do_not_move_when_children_come_and_go() {
    // The static target's Poisson process draws from `faults:0` alone: whether the
    // pool has members (and so draws from `faults:0:dynamic`) cannot move it.
    let conn = |out: &RunOutput| -> Vec<u64> {
        firings(out)
            .into_iter()
            .filter(|f| f.1 == "root/db/conn")
            .map(|f| f.0)
            .collect()
    };
    for seed in [1, 2, 3] {
        let with = run_seed(&scenario(true, RANDOM), seed);
        let without = run_seed(&scenario(false, RANDOM), seed);
        assert!(!dynamic_hits(&with).is_empty());
        assert!(dynamic_hits(&without).is_empty(), "no session, no hit");
        assert!(!conn(&with).is_empty());
        assert_eq!(conn(&with), conn(&without), "seed {seed}");
    }
}

#[test]
fn children_added_by_start_child_are_in_the_pool() {
    let s = scenario(
        false,
        r#""faults": [
            {"at": "1s", "target": "root/sessions", "action": "start_child", "child": {"id": "w1", "model": "worker"}},
            {"random": "exit", "targets": ["root/sessions/*"], "mtbf": "2s"}
        ]"#,
    );
    let out = run_seed(&s, 3);
    let hits = dynamic_hits(&out);
    assert!(!hits.is_empty(), "{:?}", firings(&out));
    assert!(hits
        .iter()
        .all(|h| h.0 >= 1_000_000 && h.1 == "root/sessions/w1" && h.3 == "exit"));
}

#[test]
fn a_realised_schedule_with_dynamic_targets_loads_and_replays() {
    let s = scenario(true, RANDOM);
    let out = run_seed(&s, 5);
    let realised = realise(&s, &out.events).expect("realises");
    assert!(realised.iter().any(|f| matches!(f,
        FaultSpec::Scheduled { target: otpsim::scenario::spec::Target::Path(p), .. }
            if p.starts_with("root/sessions/"))));
    let mut shrunk = s.clone();
    shrunk.faults = realised;
    let text = serde_json::to_string_pretty(&shrunk.to_json()).unwrap();
    let back = load_str("dyn-min.json", &text).unwrap_or_else(|e| panic!("{e}"));
    let replay = run_seed(&back, 5);
    // The cause differs on purpose: the replay's firings are scheduled ones.
    let strip = |v: Vec<Firing>| -> Vec<(u64, String, Option<Pid>, String)> {
        v.into_iter()
            .map(|(t, target, pid, action, _)| (t, target, pid, action))
            .collect()
    };
    assert_eq!(strip(firings(&replay)), strip(firings(&out)));
}

#[test]
fn scheduled_faults_may_name_run_time_children_but_not_impossible_paths() {
    let ok = scenario(
        true,
        r#""faults": [{"at": "2s", "target": "root/sessions/3", "action": "exit"}]"#,
    );
    let out = run_seed(&ok, 1);
    let f = firings(&out);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].1.as_str(), f[0].3.as_str()),
        ("root/sessions/3", "exit")
    );

    let bad = r#"{"otpsim": 1, "name": "bad", "duration": "10s",
  "app": {"root": {"id": "root", "type": "supervisor", "children": [
    {"id": "sessions", "type": "dynamic_supervisor"},
    {"id": "db", "type": "supervisor", "children": []}]}},
  "faults": [
    {"at": "1s", "target": "root/sessions/3/x", "action": "exit"},
    {"at": "1s", "target": "root/db/3", "action": "exit"},
    {"at": "1s", "target": "root/sessions/3", "action": "upgrade", "to_version": 2}
  ]}"#;
    let err = load_str("bad.json", bad).unwrap_err().to_string();
    assert!(
        err.contains("bad.json:6:28: at $.faults[0].target: unknown path `root/sessions/3/x`"),
        "{err}"
    );
    assert!(
        err.contains("bad.json:7:28: at $.faults[1].target: unknown path `root/db/3`"),
        "{err}"
    );
    assert!(
        err.contains("at $.faults[2].target: `root/sessions/3` is a child that `root/sessions` starts at run time"),
        "{err}"
    );
}
