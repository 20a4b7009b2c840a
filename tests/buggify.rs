//! BUGGIFY injection points (design §4): the `"buggify"` section loads with its
//! defaults and rejects bad values at their JSON path; a run without it is unchanged;
//! with it, sites switch on per seed and fire with a probability, only in fault
//! windows, each firing a `fault` event; the models' sites do what their table says;
//! explore finds the planted bug only an injection point reaches, and shrink keeps
//! buggify when the failure needs it and drops it when not.

use otpsim::explore::shrink::shrink;
use otpsim::kernel::Schedule;
use otpsim::models::buggify::SITES;
use otpsim::scenario::load_str;
use otpsim::scenario::run::{run, RunOptions, RunOutput};
use otpsim::scenario::spec::{BuggifySpec, Scenario};
use otpsim::trace::{Event, EventKind};

const PLANTED: &str = "scenarios/planted_buggify_slow_flush.json";

fn planted_text() -> String {
    std::fs::read_to_string(PLANTED).expect("the planted scenario")
}

fn load(text: &str) -> Scenario {
    load_str("t.json", text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

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

/// `(time, target, site)` of every buggify firing.
fn firings(events: &[Event]) -> Vec<(u64, String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Fault {
                target,
                action,
                detail,
                cause,
                ..
            } if cause.as_str() == "buggify" => {
                assert_eq!(action.as_str(), "buggify");
                let otpsim::term::Term::Atom(site) = detail else {
                    panic!("a site is an atom: {detail}");
                };
                Some((e.t, target.clone(), site.as_str().to_string()))
            }
            _ => None,
        })
        .collect()
}

fn failed(s: &Scenario, out: &RunOutput) -> Vec<String> {
    let end = otpsim::check::window_end_us(&out.report, s.duration_us);
    otpsim::check::evaluate(s, &out.events, end)
        .into_iter()
        .filter(|r| !r.passed)
        .map(|r| r.name)
        .collect()
}

/// A scenario with one worker (`work` 2ms) and one flaky dependency (never failing on
/// its own), each called 20 times a second for 10s, and `extra` top-level fields.
fn two_sites(extra: &str) -> Scenario {
    load(&format!(
        r#"{{"otpsim": 1, "name": "t", "duration": "10s", {extra}
        "app": {{"root": {{"id": "root", "type": "supervisor", "children": [
            {{"id": "w", "model": "worker", "params": {{"work": "2ms"}}}},
            {{"id": "db", "model": "flaky", "params": {{"latency": "1ms", "error_rate": 0}}}}]}}}},
        "workload": [
            {{"id": "a", "model": "load_client", "params": {{"target": "root/w", "rate": 20, "request": "go"}}}},
            {{"id": "b", "model": "load_client", "params": {{"target": "root/db", "rate": 20, "request": "q"}}}}]}}"#
    ))
}

#[test]
fn the_section_loads_with_its_defaults_and_round_trips() {
    let s = two_sites(r#""buggify": {},"#);
    assert_eq!(s.buggify, Some(BuggifySpec::default()));
    assert_eq!(BuggifySpec::default().enable, 0.25);
    assert_eq!(BuggifySpec::default().fire, 0.25);
    let s = two_sites(r#""buggify": {"enable": 1, "fire": 0.1},"#);
    let back = load(&s.to_json().to_string());
    assert_eq!(
        back.buggify,
        Some(BuggifySpec {
            enable: 1.0,
            fire: 0.1
        })
    );
    let off = two_sites("");
    assert_eq!(off.buggify, None);
    assert_eq!(load(&off.to_json().to_string()).buggify, None);
}

#[test]
fn bad_values_are_errors_at_their_path() {
    let error = |extra: &str| -> String {
        let text = format!(
            r#"{{"otpsim": 1, "name": "t", "duration": "10s", {extra}
"app": {{"root": {{"id": "root", "type": "supervisor", "children": []}}}}}}"#
        );
        match load_str("s.json", &text) {
            Ok(_) => panic!("loaded: {text}"),
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(
        error(r#""buggify": {"enable": 1.5},"#),
        "s.json:1:69: at $.buggify.enable: 1.5 is out of range (expected a number from 0 to 1)"
    );
    assert_eq!(
        error(r#""buggify": {"fire": "often"},"#),
        "s.json:1:67: at $.buggify.fire: found the string \"often\" (expected a number)"
    );
    let unknown = error(r#""buggify": {"fires": 0.5},"#);
    assert!(
        unknown.starts_with(
            "s.json:1:59: at $.buggify.fires: unknown field `fires`; did you mean `fire`?"
        ),
        "{unknown}"
    );
    let not_object = error(r#""buggify": true,"#);
    assert!(
        not_object.starts_with("s.json:1:58: at $.buggify: found true"),
        "{not_object}"
    );
}

#[test]
fn without_the_section_nothing_fires_and_the_run_is_the_plain_one() {
    let with = load(&planted_text());
    let without = Scenario {
        buggify: None,
        ..with.clone()
    };
    for seed in 1..=40 {
        let out = run_seed(&without, seed);
        assert!(firings(&out.events).is_empty(), "seed {seed}");
        assert!(failed(&without, &out).is_empty(), "seed {seed}");
    }
    // Sites switched off draw nothing the models see: where none fired, the run is
    // the plain run, event for event.
    let plain = run_seed(&without, 1);
    let buggified = run_seed(&with, 1);
    assert!(firings(&buggified.events).is_empty());
    assert_eq!(plain.report.fingerprint, buggified.report.fingerprint);
}

#[test]
fn the_same_seed_fires_the_same_sites_and_other_seeds_others() {
    let s = two_sites(r#""buggify": {"enable": 0.5, "fire": 0.2},"#);
    let a = firings(&run_seed(&s, 3).events);
    assert_eq!(a, firings(&run_seed(&s, 3).events));
    let patterns: Vec<Vec<(u64, String, String)>> = (1..=12)
        .map(|seed| firings(&run_seed(&s, seed).events))
        .collect();
    let distinct: std::collections::BTreeSet<_> = patterns.iter().collect();
    assert!(distinct.len() > 6, "{} distinct of 12", distinct.len());
    let sites = |p: &Vec<(u64, String, String)>| {
        p.iter()
            .map(|f| f.2.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert!(
        patterns.iter().any(|p| sites(p).len() < 3),
        "some seed switches a site off"
    );
}

#[test]
fn the_models_sites_do_what_their_table_says() {
    // Every site on, firing every time: each worker call takes 20ms instead of 2ms,
    // and every flaky request fails and takes 10ms.
    let s = two_sites(r#""buggify": {"enable": 1, "fire": 1},"#);
    let out = run_seed(&s, 1);
    let fired = firings(&out.events);
    let count = |site: &str| fired.iter().filter(|f| f.2 == site).count();
    assert_eq!(count("worker.slow"), 200);
    assert_eq!(count("flaky.error"), 200);
    assert_eq!(count("flaky.slow"), 200);
    assert!(fired
        .iter()
        .all(|(_, target, _)| target == "root/w" || target == "root/db"));
    let summary = otpsim::report::Summary::new(&s.name, 1, &out.report, &out.events, Vec::new());
    let json = summary.to_json();
    let clients = json["clients"].as_array().expect("clients");
    let client = |id: &str| clients.iter().find(|c| c["id"] == id).expect("client");
    assert_eq!(client("a")["p50_latency_us"], 20_000);
    assert_eq!(client("b")["errors"], 200);
    assert_eq!(client("b")["p50_latency_us"], 10_000);
    for site in SITES {
        assert!(site.contains('.'), "{site}: model.what");
    }
}

#[test]
fn sites_fire_only_in_the_fault_windows() {
    let s = two_sites(
        r#""buggify": {"enable": 1, "fire": 1},
        "phases": [{"name": "chaos", "from": "2s", "until": "4s"},
                   {"name": "calm", "from": "4s", "until": "10s", "faults": false}],"#,
    );
    let fired = firings(&run_seed(&s, 1).events);
    assert!(!fired.is_empty());
    assert!(
        fired
            .iter()
            .all(|(t, _, _)| (2_000_000..4_000_000).contains(t)),
        "{:?}",
        fired.first()
    );
}

#[test]
fn explore_finds_the_planted_slow_flush_and_every_failure_is_a_firing() {
    let s = load(&planted_text());
    let mut failing = 0;
    for seed in 1..=40 {
        let out = run_seed(&s, seed);
        let slow_flush = firings(&out.events).iter().any(|(_, target, site)| {
            target == "root/writer" && site == "buffered_writer.slow_flush"
        });
        let failed = failed(&s, &out);
        assert_eq!(!failed.is_empty(), slow_flush, "seed {seed}: {failed:?}");
        failing += usize::from(slow_flush);
    }
    // enable 0.5 and fire 0.5, reached once per run: about a quarter of the seeds.
    assert!((4..=18).contains(&failing), "{failing} of 40");
}

#[test]
fn shrink_keeps_buggify_when_the_failure_needs_it() {
    let s = load(&planted_text());
    let seed = (1..=40)
        .find(|&seed| !failed(&s, &run_seed(&s, seed)).is_empty())
        .expect("a failing seed");
    let r = shrink(
        PLANTED,
        &planted_text(),
        seed,
        "every write is flushed",
        Schedule::Fifo,
    )
    .expect("shrinks");
    assert_eq!(
        r.scenario.buggify, s.buggify,
        "the failure needs the firing"
    );
    // The stop that runs the final flush stays, and the run is not cut before the
    // flush could have finished (nothing_lost is not a safety check).
    assert_eq!(r.scenario.app.stop_at_us, Some(10_000_000));
    assert_eq!(r.scenario.duration_us, s.duration_us);
    assert_eq!(r.scenario.workload.len(), 1, "the users are not needed");
    let out = run_seed(&r.scenario, r.scenario.seed);
    assert!(!failed(&r.scenario, &out).is_empty());
    assert!(!firings(&out.events).is_empty());
}

#[test]
fn shrink_drops_buggify_when_the_failure_happens_without_it() {
    // A budget shorter than the ordinary flush: it fails with or without buggify.
    let text = planted_text().replace(r#""shutdown": "1s""#, r#""shutdown": "100ms""#);
    let r = shrink(
        PLANTED,
        &text,
        1,
        "the writer finishes within budget",
        Schedule::Fifo,
    )
    .expect("shrinks");
    assert_eq!(r.scenario.buggify, None);
    // A safety check is still cut just past its failure: the kill at 10.1s.
    assert!(
        r.scenario.duration_us <= 10_200_000,
        "{}",
        r.scenario.duration_us
    );
}

#[test]
fn every_site_is_in_the_scenario_format_table() {
    let doc = std::fs::read_to_string("docs/scenario-format.md").expect("the doc");
    for site in SITES {
        assert!(
            doc.contains(&format!("| `{site}` |")),
            "{site} is not documented"
        );
    }
}
