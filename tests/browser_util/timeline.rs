//! What the timeline should show, derived from the report's own data and the plot
//! geometry measured in the page, and the assertion that it does.

use super::page::{window_text, ReportPage};
use serde_json::Value;

/// What the report's data says, for the expectations.
pub struct Run {
    pub url: String,
    pub end: f64,
    /// Each lane's path and alive intervals, in the report's drawing order.
    pub lanes: Vec<(String, Vec<(f64, f64)>)>,
}

impl Run {
    /// From the report's JSON data block; `url` is where the report was written.
    pub fn new(url: String, data: &Value) -> Run {
        let lanes = data["timeline"]["lanes"].as_array().unwrap().iter();
        Run {
            url,
            end: data["end_us"].as_f64().unwrap(),
            lanes: lanes
                .map(|l| {
                    let iv = serde_json::from_value(l["i"].clone()).unwrap();
                    (l["p"].as_str().unwrap().to_string(), iv)
                })
                .collect(),
        }
    }
}

/// Where time lands on the lanes: `left` is the x of the window's start and `width` the
/// pixels the window spans, both in SVG pixels.
#[derive(Clone, Copy, Debug)]
pub struct Plot {
    pub left: f64,
    pub width: f64,
}

impl Plot {
    /// Measured from the page at the initial (whole run) window: the bar of the first
    /// lane alive from 0 to the end spans exactly the plot.
    pub fn measure(page: &mut ReportPage, run: &Run) -> Plot {
        let bars = page.bars();
        let mut k = 0;
        for (_, ivs) in &run.lanes {
            for &(a, b) in ivs {
                if (a, b) == (0.0, run.end) {
                    return Plot {
                        left: bars[k].0,
                        width: bars[k].1,
                    };
                }
                k += 1;
            }
        }
        panic!("no lane lives the whole run");
    }

    /// The lifeline bars the report should draw for the window `view`, as (x, width).
    pub fn bars(self, run: &Run, view: (f64, f64)) -> Vec<(f64, f64)> {
        let x = |t: f64| self.left + (t - view.0) / (view.1 - view.0) * self.width;
        let mut out = Vec::new();
        for (_, ivs) in &run.lanes {
            for &(a, b) in ivs {
                let (a, b) = (a.max(view.0), b.min(view.1));
                if b >= a {
                    out.push((x(a), (x(b) - x(a)).max(1.0)));
                }
            }
        }
        out
    }
}

/// The page shows the window `view`: in #window, and in where every lifeline bar is;
/// and the report's script has not failed on the way.
pub fn assert_window(page: &mut ReportPage, run: &Run, plot: Plot, view: (f64, f64), step: &str) {
    page.assert_no_script_error();
    assert_eq!(
        page.window_text(),
        window_text(view.0, view.1),
        "#window {step}"
    );
    let (got, want) = (page.bars(), plot.bars(run, view));
    assert_eq!(got.len(), want.len(), "number of lifeline bars {step}");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let close = (g.0 - w.0).abs() < 1e-6 && (g.1 - w.1).abs() < 1e-6;
        assert!(close, "bar {i} {step}: drawn at x, width {g:?}, want {w:?}");
    }
}
