//! The checker over real runs: the labels and supervisor events the runtime emits are
//! the ones the checker reads.

use otpsim::check::evaluate;
use otpsim::scenario::load_str;
use otpsim::scenario::run::{run, RunOptions};

const SCENARIO: &str = r#"{
  "otpsim": 1, "name": "real", "duration": "10s",
  "app": {"root": {"id": "root", "type": "supervisor", "max_restarts": 1, "max_seconds": 5,
    "children": [
      {"id": "db", "type": "supervisor", "children": [{"id": "conn", "model": "worker"}]},
      {"id": "web", "model": "worker"}
    ]}},
  "faults": [
    {"at": "1s", "target": "root/db/conn", "action": "crash"},
    {"at": "2s", "target": "root/web", "action": "exit", "reason": "kill"},
    {"at": "3s", "target": "root/web", "action": "exit", "reason": "kill"}
  ],
  "expect": [
    {"name": "conn restarted", "count": "restart", "of": "root/db/conn", "equals": 1},
    {"name": "web restarted once, then root gave up", "count": "restart", "of": "root/web", "equals": 1},
    {"name": "root escalated", "count": "escalation", "of": "root", "equals": 1},
    {"name": "crashes", "count": "crash", "of": "root/**", "at_least": 3},
    {"name": "faults", "count": "fault", "of": "root/**", "equals": 3},
    {"name": "up before the faults", "always": {"alive": "root/db/conn"}, "until": "2s"},
    {"name": "all gone", "at_end": {"dead": "root"}},
    {"name": "never down (fails)", "always": {"alive": "root/web"}}
  ]
}"#;

#[test]
fn counts_and_states_of_a_real_run() {
    let scenario = load_str("real.json", SCENARIO).unwrap();
    let options = RunOptions {
        seed: 1,
        record: true,
        ..RunOptions::default()
    };
    let out = run(&scenario, &options);
    let results = evaluate(&scenario, &out.events, out.report.virtual_time_us);
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{}: {}", r.name, r.detail))
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].starts_with("never down (fails): root/web alive did not hold at 3s"),
        "{failed:#?}"
    );
}
