//! The supervision conformance harness: runs a scenario of
//! tests/conformance/scenarios/ on otpsim and compares what happened with what real
//! OTP did in the same scenario (tests/conformance/expected/, written by
//! tests/otp_fixtures/supervision/run.sh). See tests/conformance/README.md.

pub mod driver;
pub mod records;
pub mod scenario;
pub mod tree;
pub mod worker;

use driver::{drive, DriverLog, World};
use otpsim::kernel::{Sim, SimConfig};
use records::{derive, diff, from_expected, Records};
use scenario::{Node, Scenario};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use worker::Registry;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names of every scenario file, sorted.
pub fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir().join("scenarios"))
        .expect("tests/conformance/scenarios")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(String::from)
        })
        .collect();
    names.sort();
    names
}

/// Reads scenarios/NAME.json.
pub fn load(name: &str) -> Scenario {
    let text = read(dir().join("scenarios").join(format!("{name}.json")));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("scenario {name}: {e}"))
}

/// Reads expected/NAME.json: what OTP did.
pub fn expected(name: &str) -> Records {
    let text = read(dir().join("expected").join(format!("{name}.json")));
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("expected {name}: {e}"));
    from_expected(&v)
}

/// Runs the scenario on otpsim and derives its records from the trace.
pub fn run(sc: &Scenario) -> Records {
    let mut sim = Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    });
    let extra: Vec<(String, Node)> = sc
        .timeline
        .iter()
        .filter_map(|a| Some((a.sup.clone()?, a.child.clone()?)))
        .collect();
    let kinds = tree::kinds(&sc.root, &extra);
    let world = Rc::new(World {
        scenario: sc.clone(),
        registry: Registry::default(),
        kinds: kinds.clone(),
    });
    let log = Rc::new(RefCell::new(DriverLog::default()));
    {
        let (world, log) = (world.clone(), log.clone());
        sim.spawn_labelled("driver", move |ctx| async move {
            drive(ctx, world, log).await;
            Ok(())
        });
    }
    let report = sim.run();
    assert!(
        report.outcome.is_normal(),
        "run ended with {}",
        report.outcome
    );
    let log = log.borrow();
    let snapshot_us = log.snapshot_us.expect("the driver reached end_ms");
    let mut records = derive(&sim.events(), &kinds, snapshot_us);
    records.driver = log.lines.clone();
    records.which_children = log.which_children.clone();
    records
}

/// The known differences with OTP, by scenario (known_mismatches.json; each is
/// explained in KNOWN_MISMATCHES.md).
pub fn known_mismatches() -> BTreeMap<String, Vec<String>> {
    let text = read(dir().join("known_mismatches.json"));
    serde_json::from_str(&text).expect("known_mismatches.json: {scenario: [diff line]}")
}

/// Runs scenario `name` and checks that otpsim does what OTP did, or differs exactly
/// as known_mismatches.json says. Panics with a readable report otherwise.
pub fn check(name: &str) {
    let sc = load(name);
    let got = run(&sc);
    let differences = diff(&expected(name), &got);
    let known = known_mismatches().remove(name).unwrap_or_default();
    if differences == known {
        return;
    }
    let mut report = format!(
        "scenario {name} ({}): {}\n",
        sc.rules.join(", "),
        sc.description
    );
    if known.is_empty() {
        report.push_str("otpsim differs from OTP:\n");
    } else {
        report.push_str(
            "the differences are not the known ones (known_mismatches.json); if otpsim was \
             fixed, update that file and KNOWN_MISMATCHES.md\nnow:\n",
        );
    }
    for d in &differences {
        report.push_str(&format!("  - {d}\n"));
    }
    if !known.is_empty() {
        report.push_str("known:\n");
        for d in &known {
            report.push_str(&format!("  - {d}\n"));
        }
    }
    panic!("{report}");
}
