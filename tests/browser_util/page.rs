//! The report page as the browser tests see it: where things are on screen, what the
//! timeline drew, and mouse input sent as trusted browser events at viewport points.
//! Points are whole CSS pixels, so a handler's `clientX` is exactly what we sent.

use super::cdp::Browser;
use serde_json::{json, Value};
use std::path::Path;

pub struct ReportPage {
    pub browser: Browser,
}

/// A viewport point, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The timeline's lifelines SVG on screen, and the viewport width.
#[derive(Debug)]
pub struct Geometry {
    pub svg_left: f64,
    pub host_right: f64,
    pub lanes_mid_y: f64,
    pub viewport_width: f64,
}

/// What #tip shows.
#[derive(Debug, PartialEq)]
pub struct Tip {
    pub hidden: bool,
    pub text: String,
    pub left: String,
    pub top: String,
}

impl ReportPage {
    pub fn open(browser: &Path, dir: &Path, url: &str) -> ReportPage {
        let mut page = ReportPage {
            browser: Browser::open(browser, dir, url),
        };
        page.assert_no_script_error();
        page
    }

    /// The report's window.onerror writes #jserror: none may be there.
    pub fn assert_no_script_error(&mut self) {
        let error = self.eval("document.getElementById('jserror')?.textContent ?? null");
        assert_eq!(error, Value::Null, "the report's script failed");
    }

    pub fn eval(&mut self, js: &str) -> Value {
        self.browser.eval(js)
    }

    /// The visible window, as the report prints it in #window.
    pub fn window_text(&mut self) -> String {
        let v = self.eval("document.getElementById('window').textContent");
        v.as_str().unwrap().to_string()
    }

    /// The first and last labels of the time axis.
    pub fn axis_ends(&mut self) -> (String, String) {
        let v =
            self.eval("[...document.querySelectorAll('#top .axis text')].map(t => t.textContent)");
        let labels: Vec<String> = serde_json::from_value(v).unwrap();
        (labels[0].clone(), labels[labels.len() - 1].clone())
    }

    /// Every lifeline bar in drawing order, as (x, width) in SVG pixels.
    pub fn bars(&mut self) -> Vec<(f64, f64)> {
        let v = self.eval(
            "[...document.querySelectorAll('#lifelines rect.life, #lifelines rect.group')]\
             .map(r => [+r.getAttribute('x'), +r.getAttribute('width')])",
        );
        serde_json::from_value(v).unwrap()
    }

    pub fn geometry(&mut self) -> Geometry {
        let v = self.eval(
            "(() => { const s = document.getElementById('lifelines').getBoundingClientRect();\
             const h = document.getElementById('timeline').getBoundingClientRect();\
             const l = document.getElementById('lanes').getBoundingClientRect();\
             return [s.left, h.right, Math.round(l.top + Math.min(l.height, 100) / 2), innerWidth]; })()",
        );
        let g: Vec<f64> = serde_json::from_value(v).unwrap();
        Geometry {
            svg_left: g[0],
            host_right: g[1],
            lanes_mid_y: g[2],
            viewport_width: g[3],
        }
    }

    /// The centre of the first element matching `css` that has `data-tip` == `tip` (any
    /// `data-tip` when `tip` is None) and is the topmost element there, so the mouse
    /// really lands on it.
    pub fn center_of(&mut self, css: &str, tip: Option<&str>) -> Point {
        let js = format!(
            "(() => {{ const want = {tip};\
             for (const e of document.querySelectorAll({css})) {{\
               if (want !== null && e.getAttribute('data-tip') !== want) continue;\
               e.scrollIntoView({{block: 'nearest'}});\
               const r = e.getBoundingClientRect();\
               const x = Math.round(r.left + r.width / 2), y = Math.round(r.top + r.height / 2);\
               const hit = document.elementFromPoint(x, y);\
               if (hit === e || e.contains(hit)) return [x, y];\
             }}\
             return null; }})()",
            tip = json!(tip),
            css = json!(css),
        );
        let v = self.eval(&js);
        assert!(!v.is_null(), "no visible {css} with data-tip {tip:?}");
        Point {
            x: v[0].as_f64().unwrap(),
            y: v[1].as_f64().unwrap(),
        }
    }

    pub fn tip(&mut self) -> Tip {
        let v = self.eval(
            "(() => { const t = document.getElementById('tip');\
             return [t.hidden, t.textContent, t.style.left, t.style.top]; })()",
        );
        Tip {
            hidden: v[0].as_bool().unwrap(),
            text: v[1].as_str().unwrap().to_string(),
            left: v[2].as_str().unwrap().to_string(),
            top: v[3].as_str().unwrap().to_string(),
        }
    }

    /// A left click on the element matching `css`.
    pub fn click(&mut self, css: &str) {
        let p = self.center_of(css, None);
        self.press(p);
        self.release(p);
    }

    /// One wheel notch at `p`: negative `delta_y` scrolls up (the report zooms in).
    pub fn wheel(&mut self, p: Point, delta_y: f64) {
        let extra = json!({"deltaX": 0, "deltaY": delta_y});
        self.browser.mouse("mouseWheel", p.x, p.y, extra);
    }

    pub fn press(&mut self, p: Point) {
        let extra = json!({"button": "left", "buttons": 1, "clickCount": 1});
        self.browser.mouse("mousePressed", p.x, p.y, extra);
    }

    /// Moves the mouse to `p`, the left button held down or not.
    pub fn move_to(&mut self, p: Point, held: bool) {
        let extra = if held {
            json!({"button": "left", "buttons": 1})
        } else {
            json!({"button": "none", "buttons": 0})
        };
        self.browser.mouse("mouseMoved", p.x, p.y, extra);
    }

    pub fn release(&mut self, p: Point) {
        let extra = json!({"button": "left", "buttons": 0, "clickCount": 1});
        self.browser.mouse("mouseReleased", p.x, p.y, extra);
    }

    /// Waits one animation frame, so the redraw the report scheduled has run.
    pub fn frame(&mut self) {
        self.browser.frame();
    }
}

/// report.js's `fmt`, for expected texts: microseconds as "250us", "1.5ms", "22.500s",
/// and zero as "0s".
pub fn fmt(us: f64) -> String {
    // Rust rounds an exact tie to even where JS's toFixed rounds up; the values these
    // tests print are never ties, and this makes sure of it.
    let tie = |unit: f64, decimals: i32| (us / unit * 10f64.powi(decimals)).fract() == 0.5;
    if us >= 1e6 {
        assert!(!tie(1e6, 3), "{us} would format differently in JS");
        let decimals = if us % 1e6 != 0.0 { 3 } else { 0 };
        format!("{:.*}s", decimals, us / 1e6)
    } else if us >= 1e3 {
        assert!(!tie(1e3, 1), "{us} would format differently in JS");
        let decimals = if us % 1e3 != 0.0 { 1 } else { 0 };
        format!("{:.*}ms", decimals, us / 1e3)
    } else if us == 0.0 {
        "0s".to_string()
    } else {
        format!("{us}us")
    }
}

/// #window's text for the window [a, b]: both ends rounded to whole microseconds.
pub fn window_text(a: f64, b: f64) -> String {
    format!("{} – {}", fmt(a.round()), fmt(b.round()))
}
