//! A report of 10,000 processes and 1,000,000 events stays small: lifelines past the
//! first 500 paths are grouped, markers past 2,000 per kind are counted per bucket.

mod report_util;

use otpsim::kernel::{Outcome, RunReport};
use otpsim::report::html::lanes::{MAX_INTERVALS_PER_LANE, MAX_LANES, MAX_MARKERS_PER_KIND};
use otpsim::report::{html, Summary};
use otpsim::term::{atom, Pid, Term};
use otpsim::trace::{Event, EventKind};
use report_util::{data_of, network_refs, scenario};

const WORKERS: u32 = 10_000;
const EVENTS: u64 = 1_000_000;
/// The bound on the file: a few megabytes at most.
const MAX_BYTES: usize = 5 * 1024 * 1024;

/// A synthetic run: a pool of 10,000 workers under `root/pool`, each crashing and
/// being restarted by its supervisor in turn (the respawn and the supervisor's
/// `child_start` that claims it), with a load client's call outcomes in between.
fn synthetic_events() -> Vec<Event> {
    let mut events = Vec::with_capacity(EVENTS as usize);
    fn push(events: &mut Vec<Event>, t: u64, kind: EventKind) {
        let seq = events.len() as u64;
        events.push(Event { t, seq, kind });
    }
    let spawn = |pid: Pid, label: String| EventKind::Spawn {
        parent: None,
        child: pid,
        linked: true,
        monitored: false,
        label: Some(label),
    };
    // Pids compare by serial, which is unique in a run.
    let client = Pid::from_parts(1, 1);
    let pool_sup = Pid::from_parts(2, 0);
    push(&mut events, 0, spawn(client, "workload/load".to_string()));
    let mut current: Vec<Pid> = Vec::new();
    let mut serial = 1;
    for w in 0..WORKERS {
        serial += 1;
        let pid = Pid::from_parts(10 + w, serial);
        current.push(pid);
        push(
            &mut events,
            w as u64,
            spawn(pid, format!("root/pool/w{w:05}")),
        );
    }
    let mut t = 100_000;
    let mut k = 0u64;
    while (events.len() as u64) < EVENTS - 4 {
        let w = (k % WORKERS as u64) as usize;
        t += 17;
        push(
            &mut events,
            t,
            EventKind::Exit {
                pid: current[w],
                reason: Term::tuple([atom("badmatch"), Term::Int(k as i64)]),
            },
        );
        serial += 1;
        current[w] = Pid::from_parts(10 + w as u32, serial);
        push(
            &mut events,
            t + 1,
            spawn(current[w], format!("root/pool/w{w:05}")),
        );
        push(
            &mut events,
            t + 1,
            EventKind::ChildStart {
                sup: pool_sup,
                id: Term::atom_owned(&format!("w{w:05}")),
                pid: Some(current[w]),
                result: atom("ok"),
                cause: otpsim::term::Atom::new("restart"),
            },
        );
        let outcome = if k % 7 == 0 { "error" } else { "ok" };
        push(
            &mut events,
            t + 2,
            EventKind::Model {
                pid: client,
                model: otpsim::term::Atom::new("load_client"),
                what: otpsim::term::Atom::new("call_outcome"),
                detail: Term::tuple([atom(outcome), Term::Int(1500)]),
            },
        );
        k += 1;
    }
    events
}

#[test]
fn ten_thousand_processes_and_a_million_events_stay_small() {
    let events = synthetic_events();
    assert!(events.len() as u64 >= EVENTS - 4);
    let last_t = events.last().unwrap().t;
    let report = RunReport {
        outcome: Outcome::DurationReached { at_us: last_t },
        fingerprint: 0,
        events: events.len() as u64,
        virtual_time_us: last_t,
    };
    let s = scenario("circuit_breaker.json");
    let summary = Summary::new("synthetic_pool", 1, &report, &events, Vec::new());
    let html = html::render(&s, &summary, &events);
    println!(
        "report of {WORKERS} processes, {} events: {} bytes",
        events.len(),
        html.len()
    );
    assert!(html.len() < MAX_BYTES, "{} bytes", html.len());
    assert!(network_refs(&html).is_empty());
    let data = data_of(&html);
    let tl = &data["timeline"];
    assert_eq!(tl["paths"], WORKERS as u64 + 1);
    let lanes = tl["lanes"].as_array().unwrap();
    // The pool, the largest family, shares one lifeline; the client keeps its own.
    let names: Vec<&str> = lanes.iter().map(|l| l["p"].as_str().unwrap()).collect();
    assert_eq!(names, ["root/pool/*", "workload/load"]);
    assert_eq!(lanes[0]["n"], WORKERS as u64);
    assert!(lanes.len() <= MAX_LANES);
    assert!(lanes
        .iter()
        .all(|l| l["i"].as_array().unwrap().len() <= MAX_INTERVALS_PER_LANE));
    for kind in ["start", "restart", "crash"] {
        let kept = tl["markers"][kind].as_array().unwrap().len();
        assert!(kept <= MAX_MARKERS_PER_KIND, "{kind}: {kept}");
    }
    assert!(
        tl["more"]["restart"].as_array().is_some(),
        "restarts past the cap"
    );
    // The markers past the cap are counted, not lost.
    let kept = tl["markers"]["crash"].as_array().unwrap().len() as u64;
    let more: u64 = tl["more"]["crash"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_u64().unwrap())
        .sum();
    assert_eq!(kept + more, summary.crashes);
    let rows = data["series"]["calls"][0]["rows"].as_array().unwrap();
    assert!(rows.len() <= html::BUCKETS as usize + 1);
}
