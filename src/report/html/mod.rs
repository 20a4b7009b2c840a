//! The HTML report: one self-contained file (no network: inline CSS and JS, the data
//! as one embedded JSON block) that draws the supervision tree, a timeline of
//! lifelines, restart intensity per supervisor, breaker states, call outcomes and
//! faults, and the expectations.
//!
//! The data is aggregated so that a run of 10,000 processes and 1,000,000 events
//! still gives a file of a few megabytes at most: see [`lanes`] for the limits.

pub mod intensity;
pub mod lane_order;
pub mod lanes;
pub mod series;
pub mod tree;

use crate::check::World;
use crate::report::Summary;
use crate::scenario::spec::Scenario;
use crate::trace::Event;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Time buckets across the run for counted series (calls, markers over the cap).
pub const BUCKETS: u64 = 200;

const CSS: &str = include_str!("assets/report.css");
const JS: &str = include_str!("assets/report.js");

/// The report for one run of `scenario`: `summary` adds it up, `events` is its trace.
pub fn render(scenario: &Scenario, summary: &Summary, events: &[Event]) -> String {
    let data = report_data(scenario, summary, events);
    let title = escape_html(&format!("otpsim report: {}", summary.scenario));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
<header><h1>{title}</h1><p id=\"meta\"></p></header>\n\
<section><h2>Expectations</h2><div id=\"expectations\"></div></section>\n\
<section><h2>Supervision tree</h2><div id=\"tree\"></div></section>\n\
<section><h2>Timeline</h2>\n<div id=\"controls\"><button id=\"zoom-in\" title=\"zoom in\">+</button>\
<button id=\"zoom-out\" title=\"zoom out\">&minus;</button><button id=\"zoom-reset\">reset</button>\
<span id=\"window\"></span> <span class=\"hint\">wheel: zoom, drag: pan, hover: details</span></div>\n\
<div id=\"timeline\"></div>\n<div id=\"legend\"></div>\n</section>\n\
<div id=\"tip\" hidden></div>\n<div id=\"status\"></div>\n\
<script type=\"application/json\" id=\"data\">{}</script>\n<script>\n{JS}</script>\n</body>\n</html>\n",
        json_for_script(&data)
    )
}

/// The report's data block: everything the page draws, aggregated.
pub fn report_data(scenario: &Scenario, summary: &Summary, events: &[Event]) -> Value {
    let last_t = events.last().map_or(0, |e| e.t);
    let end_us = summary.virtual_time_us.max(last_t).max(1);
    let bucket_us = end_us.div_ceil(BUCKETS).max(1);
    let mut world = World::new();
    let mut lanes = lanes::Lanes::new(&scenario.app.root.id, end_us, bucket_us);
    let mut series = series::Series::new(end_us, bucket_us);
    let mut counts = tree::TreeCounts::default();
    let mut windows = intensity::Intensity::new(bucket_us);
    for event in events {
        // A spawn names its child: label it before the event is read.
        if matches!(event.kind, crate::trace::EventKind::Spawn { .. }) {
            world.apply(event);
        }
        lanes.event(event, &world);
        series.event(event, &world);
        counts.event(event, &world);
        windows.event(event, &world);
        if !matches!(event.kind, crate::trace::EventKind::Spawn { .. }) {
            world.apply(event);
        }
    }
    let expectations: Vec<Value> = summary
        .expectations
        .iter()
        .map(|e| json!({"name": e.name, "passed": e.passed, "detail": e.detail}))
        .collect();
    json!({
        "scenario": summary.scenario,
        "description": scenario.description,
        "seed": summary.seed,
        "events": summary.events,
        "outcome": summary.outcome_detail,
        "passed": summary.passed(),
        "end_us": end_us,
        "bucket_us": bucket_us,
        "tree": counts.tree_json(&scenario.app.root, &window_peaks(summary)),
        "intensity": windows.to_json(),
        "timeline": lanes.to_json(),
        "series": series.to_json(),
        "expectations": expectations,
    })
}

/// Per supervisor path that counted a restart: its fullest window and max_restarts.
fn window_peaks(summary: &Summary) -> BTreeMap<String, (u64, u64)> {
    summary
        .supervisors
        .iter()
        .filter_map(|s| Some((s.path.clone(), (s.window_peak, s.max_restarts?))))
        .collect()
}

/// JSON safe inside a `<script>` element: no `<` at all, so no `</script>` or `<!--`.
fn json_for_script(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = json!({"reason": "</script><script>alert(1)</script>"});
        let s = json_for_script(&v);
        assert!(!s.contains('<'));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn titles_are_escaped() {
        assert_eq!(escape_html("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
