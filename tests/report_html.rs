//! The HTML report of a real run: tree, timeline, series and expectations in its data
//! block; self-contained; written by `otpsim run --report`.

mod cli_util;
mod report_util;

use cli_util::otpsim;
use report_util::{data_of, network_refs, report_for, scenario};

#[test]
fn circuit_breaker_report_holds_tree_timeline_series_and_expectations() {
    let html = report_for("circuit_breaker.json");
    assert!(html.starts_with("<!DOCTYPE html>"));
    let data = data_of(&html);
    assert_eq!(data["scenario"], "circuit_breaker");
    // The tree is the scenario's.
    let tree = &data["tree"];
    assert_eq!(tree["path"], "root");
    assert_eq!(tree["kind"], "supervisor one_for_one");
    let kids: Vec<&str> = tree["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(kids, ["root/payments", "root/breaker"]);
    // A lifeline per labelled process, alive from its start.
    let lanes = data["timeline"]["lanes"].as_array().unwrap();
    let paths: Vec<&str> = lanes.iter().map(|l| l["p"].as_str().unwrap()).collect();
    for p in ["root", "root/payments", "root/breaker", "workload/checkout"] {
        assert!(paths.contains(&p), "lifeline {p} in {paths:?}");
    }
    let breaker = lanes.iter().find(|l| l["p"] == "root/breaker").unwrap();
    assert!(!breaker["i"].as_array().unwrap().is_empty());
    // Start markers and the degrade fault, on the payments lifeline.
    let markers = &data["timeline"]["markers"];
    assert!(markers["start"].as_array().unwrap().len() >= 4);
    let faults = markers["fault"].as_array().unwrap();
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert_eq!(faults[0][0], 10_000_000);
    let lane = faults[0][1].as_u64().unwrap() as usize;
    assert_eq!(lanes[lane]["p"], "root/payments");
    assert!(faults[0][2].as_str().unwrap().contains("degrade"));
    // The breaker opened during the outage and closed again.
    let breakers = data["series"]["breakers"].as_array().unwrap();
    assert_eq!(breakers.len(), 1);
    assert_eq!(breakers[0]["path"], "root/breaker");
    let states: Vec<&str> = breakers[0]["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b[2].as_str().unwrap())
        .collect();
    assert_eq!(states.first(), Some(&"closed"));
    assert!(
        states.contains(&"open") && states.contains(&"half_open"),
        "{states:?}"
    );
    // Call outcomes per bucket: ok ones, and rejections while open.
    let calls = data["series"]["calls"].as_array().unwrap();
    assert_eq!(calls[0]["client"], "checkout");
    let (mut ok, mut rejected) = (0, 0);
    for row in calls[0]["rows"].as_array().unwrap() {
        ok += row[1].as_u64().unwrap();
        rejected += row[4].as_u64().unwrap();
    }
    assert!(ok > 100 && rejected > 0, "ok {ok}, rejected {rejected}");
    // Every expectation, with its verdict.
    let ex = data["expectations"].as_array().unwrap();
    assert_eq!(
        ex.len(),
        scenario("circuit_breaker.json").expectations.len()
    );
    assert!(ex
        .iter()
        .all(|e| e["passed"].is_boolean() && e["detail"].is_string()));
}

#[test]
fn report_is_self_contained() {
    let html = report_for("circuit_breaker.json");
    assert_eq!(network_refs(&html), Vec::<String>::new());
    assert!(html.contains("<style>") && html.contains("<script>"));
    assert!(!html.contains("<script src"));
}

#[test]
fn restarts_and_escalations_reach_the_tree() {
    let html = report_for("flapping_tight_intensity.json");
    let data = data_of(&html);
    fn walk(n: &serde_json::Value, restarts: &mut u64, escalations: &mut u64) {
        *restarts += n["restarts"].as_u64().unwrap();
        *escalations += n["escalations"].as_u64().unwrap();
        for c in n["children"].as_array().unwrap() {
            walk(c, restarts, escalations);
        }
    }
    let (mut restarts, mut escalations) = (0, 0);
    walk(&data["tree"], &mut restarts, &mut escalations);
    assert!(restarts > 0, "restarts in {}", data["tree"]);
    assert!(escalations > 0, "escalations in {}", data["tree"]);
    let markers = &data["timeline"]["markers"];
    assert!(!markers["escalation"].as_array().unwrap().is_empty());
    assert!(!markers["crash"].as_array().unwrap().is_empty());
}

#[test]
fn restart_windows_fill_up_to_the_escalation() {
    // SUP-14 in the picture: the database supervisor (max_restarts 2 in 10 s) counts
    // its restarts 1, 2, 3 and gives up at the third; the root's window never fills.
    let data = data_of(&report_for("flapping_tight_intensity.json"));
    let windows = data["intensity"].as_array().unwrap();
    let db = windows.iter().find(|w| w["path"] == "root/db").unwrap();
    assert_eq!(db["max"].as_u64(), Some(2));
    let counts: Vec<u64> = db["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_u64().unwrap())
        .collect();
    assert_eq!(&counts[..3], &[1, 2, 3]);
    // Every escalation is at a restart that overfilled the window.
    let overfull: Vec<&serde_json::Value> = db["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p[1].as_u64() > db["max"].as_u64())
        .map(|p| &p[0])
        .collect();
    let exceeded: Vec<&serde_json::Value> = db["exceeded"].as_array().unwrap().iter().collect();
    assert!(!exceeded.is_empty());
    assert_eq!(exceeded, overfull);
    // The tree carries each supervisor's peak with its window.
    let tree_db = &data["tree"]["children"][0];
    assert_eq!(tree_db["path"], "root/db");
    assert_eq!(
        tree_db["intensity"],
        serde_json::json!({"peak": 3, "max": 2, "seconds": 10})
    );
    let root = windows.iter().find(|w| w["path"] == "root").unwrap();
    let peak = root["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_u64().unwrap())
        .max();
    assert!(peak <= root["max"].as_u64());
    assert!(root["exceeded"].as_array().unwrap().is_empty());
}

#[test]
fn run_writes_the_report() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_html_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cb.html");
    let _ = std::fs::remove_file(&path);
    let p = path.display().to_string();
    let ran = otpsim(&["run", "scenarios/circuit_breaker.json", "--report", &p]);
    assert!(ran.code == 0 || ran.code == 1, "{}", ran.stderr);
    let html = std::fs::read_to_string(&path).expect("the report was written");
    assert_eq!(data_of(&html)["scenario"], "circuit_breaker");
}

#[test]
fn unwritable_report_path_is_bad_input() {
    let ran = otpsim(&[
        "run",
        "scenarios/circuit_breaker.json",
        "--report",
        "/nonexistent-dir/x/report.html",
    ]);
    ran.expect_code(2);
    assert!(
        ran.stderr.contains("/nonexistent-dir/x/report.html"),
        "{}",
        ran.stderr
    );
}

/// The restart markers per lane path, from a report's data block.
fn restart_markers(data: &serde_json::Value) -> Vec<(String, String)> {
    let lanes = data["timeline"]["lanes"].as_array().unwrap();
    let rows = data["timeline"]["markers"]["restart"].as_array();
    rows.into_iter()
        .flatten()
        .map(|m| {
            let lane = &lanes[m[1].as_u64().unwrap() as usize];
            (
                lane["p"].as_str().unwrap().to_string(),
                m[2].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn only_what_a_supervisor_restarted_is_marked_as_a_restart() {
    // The breaker spawns a helper per call under one label: 800 of them were drawn as
    // restarts, though no supervisor restarted anything in this run.
    let data = data_of(&report_for("circuit_breaker.json"));
    assert_eq!(restart_markers(&data), Vec::<(String, String)>::new());
    let more = &data["timeline"]["more"];
    assert!(more.get("restart").is_none(), "no restarts counted: {more}");
    // Nor is each helper a start: its lifeline shows it, a dot per call hid the lane.
    let lanes = data["timeline"]["lanes"].as_array().unwrap();
    let call = lanes
        .iter()
        .position(|l| l["p"] == "root/breaker/call")
        .unwrap();
    let starts = data["timeline"]["markers"]["start"].as_array().unwrap();
    let call_starts = starts.iter().filter(|m| m[1] == call).count();
    assert_eq!(call_starts, 1, "the first call helper's start only");
    assert!(more.get("start").is_none(), "no starts counted: {more}");
    // A flapping connection: its supervisor restarts it (a plain restart) and, when
    // that supervisor is itself restarted, starts it again with the new one.
    let data = data_of(&report_for("flapping_tight_intensity.json"));
    let restarts = restart_markers(&data);
    let conn: Vec<&str> = restarts
        .iter()
        .filter(|(p, _)| p == "root/db/conn")
        .map(|(_, text)| text.as_str())
        .collect();
    assert!(conn.iter().any(|t| !t.contains("supervisor was restarted")));
    assert!(conn
        .iter()
        .any(|t| t.ends_with("(its supervisor was restarted)")));
    assert!(
        restarts.iter().all(|(p, _)| p.starts_with("root/db")),
        "{restarts:?}"
    );
}
