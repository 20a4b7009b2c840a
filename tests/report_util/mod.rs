//! Running a scenario and rendering its report, for the report tests.
#![allow(dead_code)]

use otpsim::check::evaluate;
use otpsim::kernel::Outcome;
use otpsim::report::{html, Summary};
use otpsim::scenario::load_file;
use otpsim::scenario::run::{run, RunOptions};
use otpsim::scenario::spec::Scenario;
use otpsim::trace::Event;
use std::path::Path;

/// A scenario of the repository, loaded.
pub fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    load_file(&path).unwrap_or_else(|e| panic!("{name} loads: {e:?}"))
}

/// Runs `scenario` with its seed, recording: the summary and the events.
pub fn run_scenario(scenario: &Scenario) -> (Summary, Vec<Event>) {
    let out = run(scenario, &RunOptions::recording(scenario));
    let end_us = if out.report.outcome == Outcome::Quiescent {
        out.report.virtual_time_us.max(out.duration_us)
    } else {
        out.report.virtual_time_us
    };
    let results = evaluate(scenario, &out.events, end_us);
    let summary = Summary::new(&scenario.name, out.seed, &out.report, &out.events, results);
    (summary, out.events)
}

/// The report of a scenario of the repository, run with its seed.
pub fn report_for(name: &str) -> String {
    let s = scenario(name);
    let (summary, events) = run_scenario(&s);
    html::render(&s, &summary, &events)
}

/// The JSON data block embedded in a report.
pub fn data_of(html: &str) -> serde_json::Value {
    let start_tag = "<script type=\"application/json\" id=\"data\">";
    let start = html.find(start_tag).expect("a data block") + start_tag.len();
    let end = start
        + html[start..]
            .find("</script>")
            .expect("the data block ends");
    serde_json::from_str(&html[start..end]).expect("the data block is JSON")
}

/// Attribute values that would load something from the network.
pub fn network_refs(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for attr in ["src=", "href=", "url("] {
        for (i, _) in lower.match_indices(attr) {
            let rest = lower[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            if rest.starts_with("http:") || rest.starts_with("https:") || rest.starts_with("//") {
                found.push(html[i..(i + 60).min(html.len())].to_string());
            }
        }
    }
    if lower.contains("<link") {
        found.push("<link".to_string());
    }
    found
}
