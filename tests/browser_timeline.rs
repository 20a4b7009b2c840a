//! The HTML report's timeline in a real browser: zoom buttons, wheel zoom, drag to pan,
//! the hover tooltip, and the lanes redrawn after a zoom.
//!
//! Headless Chromium opens the report of scenarios/circuit_breaker.json and is driven
//! over the DevTools protocol (tests/browser_util): trusted mouse input at screen
//! points, real animation frames for the report's requestAnimationFrame redraws. Every
//! expectation is derived from the report's own data (its end time and lifelines) and
//! the plot geometry measured in the page, never from a pixel snapshot.
//!
//! Skipped without a browser, failing in CI instead (see tests/browser_util).

mod browser_util;
mod report_util;

use browser_util::page::{fmt, Point, ReportPage};
use browser_util::timeline::{assert_window, Plot, Run};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The report, rendered and written to disk once for all the tests here.
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser_timeline");
        std::fs::create_dir_all(&dir).unwrap();
        let html = report_util::report_for("circuit_breaker.json");
        let page = dir.join("circuit_breaker.html");
        std::fs::write(&page, &html).unwrap();
        let url = format!("file://{}", page.display());
        Run::new(url, &report_util::data_of(&html))
    })
}

/// The report opened in its own browser (one per test, so tests run in parallel).
fn open(test: &str) -> Option<(ReportPage, &'static Run)> {
    let browser: PathBuf = browser_util::browser_or_skip()?;
    let run = run();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser_timeline")
        .join(test);
    Some((ReportPage::open(&browser, &dir, &run.url), run))
}

#[test]
fn zoom_buttons_halve_the_window_around_its_middle_and_reset_shows_the_whole_run() {
    let Some((mut page, run)) = open("zoom_buttons") else {
        return;
    };
    let plot = Plot::measure(&mut page, run);
    let end = run.end;
    assert_window(&mut page, run, plot, (0.0, end), "at first");
    // (button, window after it): each zoom in halves the span around the middle, each
    // zoom out doubles it back; zooming out never goes past the whole run.
    let steps = [
        ("#zoom-in", (end / 4.0, end * 3.0 / 4.0)),
        ("#zoom-in", (end * 3.0 / 8.0, end * 5.0 / 8.0)),
        ("#zoom-out", (end / 4.0, end * 3.0 / 4.0)),
        ("#zoom-out", (0.0, end)),
        ("#zoom-out", (0.0, end)),
        ("#zoom-in", (end / 4.0, end * 3.0 / 4.0)),
        ("#zoom-in", (end * 3.0 / 8.0, end * 5.0 / 8.0)),
        ("#zoom-reset", (0.0, end)),
    ];
    for (i, (button, view)) in steps.into_iter().enumerate() {
        page.click(button);
        page.frame();
        assert_window(
            &mut page,
            run,
            plot,
            view,
            &format!("after step {i}, {button}"),
        );
    }
}

#[test]
fn wheel_zoom_narrows_the_window_around_the_pointer() {
    let Some((mut page, run)) = open("wheel_zoom") else {
        return;
    };
    let plot = Plot::measure(&mut page, run);
    let g = page.geometry();
    let mut view = (0.0, run.end);
    // Up zooms in by 0.8, down out by 1.25; the time under the pointer stays put.
    // The second notch is off-centre the other way, so "around the middle" would fail.
    for (i, (at, delta, factor)) in [
        (0.25, -100.0, 0.8),
        (0.75, -100.0, 0.8),
        (0.75, 100.0, 1.25),
    ]
    .into_iter()
    .enumerate()
    {
        let x = (g.svg_left + plot.left + plot.width * at).round();
        let t = view.0 + (x - g.svg_left - plot.left) / plot.width * (view.1 - view.0);
        page.wheel(
            Point {
                x,
                y: g.lanes_mid_y,
            },
            delta,
        );
        page.frame();
        let a = t - (t - view.0) * factor;
        view = (a, a + (view.1 - view.0) * factor);
        assert!(
            view.0 > 0.0 && view.1 < run.end,
            "notch {i} must stay clear of the run's ends, where clamping would hide the rule"
        );
        assert_window(
            &mut page,
            run,
            plot,
            view,
            &format!("after wheel notch {i}"),
        );
    }
    // Zooming out past the whole run stops at the whole run.
    let p = Point {
        x: (g.svg_left + plot.left + plot.width / 2.0).round(),
        y: g.lanes_mid_y,
    };
    for _ in 0..3 {
        page.wheel(p, 100.0);
        page.frame();
    }
    assert_window(
        &mut page,
        run,
        plot,
        (0.0, run.end),
        "zoomed all the way out",
    );
}

#[test]
fn dragging_pans_the_window_by_the_dragged_time_and_stays_inside_the_run() {
    let Some((mut page, run)) = open("drag_pan") else {
        return;
    };
    let plot = Plot::measure(&mut page, run);
    let g = page.geometry();
    page.click("#zoom-in");
    page.frame();
    let (start, span) = (run.end / 4.0, run.end / 2.0);
    assert_window(&mut page, run, plot, (start, start + span), "zoomed in");
    // Dragging dx pixels moves the window by -dx pixels' worth of time, clamped to the
    // run; start and end move together, the span stays.
    let shifted = |dx: f64| {
        let a = (start - dx / plot.width * span).clamp(0.0, run.end - span);
        (a, a + span)
    };
    let y = g.lanes_mid_y;
    let mid = (g.svg_left + plot.left + plot.width / 2.0).round();
    let d = (plot.width / 10.0).round();
    page.press(Point { x: mid, y });
    for dx in [-d, d, 0.0] {
        page.move_to(Point { x: mid + dx, y }, true);
        page.frame();
        assert_window(
            &mut page,
            run,
            plot,
            shifted(dx),
            &format!("dragged by {dx} px"),
        );
    }
    page.move_to(Point { x: mid - d, y }, true);
    page.release(Point { x: mid - d, y });
    page.frame();
    // Released: moving the mouse no longer pans.
    page.move_to(Point { x: mid + d, y }, false);
    page.frame();
    assert_window(&mut page, run, plot, shifted(-d), "after release");

    // From the left edge of the timeline to the right edge of the viewport: more time
    // than the window's start, so it stops at 0; then back the other way, past the end.
    let left = Point {
        x: g.svg_left + 4.0,
        y,
    };
    let right = Point {
        x: g.host_right - 4.0,
        y,
    };
    for (from, to, view) in [
        (
            left,
            Point {
                x: g.viewport_width - 2.0,
                y,
            },
            (0.0, span),
        ),
        (right, Point { x: 2.0, y }, (run.end - span, run.end)),
    ] {
        page.press(from);
        page.move_to(to, true);
        page.frame();
        page.release(to);
        let step = format!("dragged from x {} to {}", from.x, to.x);
        assert_window(&mut page, run, plot, view, &step);
    }
}

#[test]
fn hovering_shows_exactly_the_data_tip_and_moving_off_hides_it() {
    let Some((mut page, run)) = open("hover") else {
        return;
    };
    assert!(page.tip().hidden, "no tooltip before hovering");
    // A tree node (its centre is over a child without data-tip: the tip comes from the
    // nearest ancestor with one), a lifeline bar, and a marker whose tip has two lines.
    let (path, ivs) = run.lanes.iter().find(|(p, _)| p == "root").unwrap();
    let bar_tip = format!("{path} alive {} – {}", fmt(ivs[0].0), fmt(ivs[0].1));
    let marker = page.center_of("#lifelines circle[data-tip]", None);
    let marker_tip = page.eval(&format!(
        "document.elementFromPoint({}, {}).closest('[data-tip]').getAttribute('data-tip')",
        marker.x, marker.y
    ));
    let marker_tip = marker_tip.as_str().unwrap().to_string();
    assert!(
        marker_tip.contains('\n'),
        "a marker tip has two lines: {marker_tip:?}"
    );
    for (css, want) in [
        ("#tree [data-tip]", "root/breaker".to_string()),
        ("#lifelines rect.life", bar_tip),
        ("#lifelines circle", marker_tip),
    ] {
        let p = page.center_of(css, Some(&want));
        page.move_to(p, false);
        let tip = page.tip();
        let at = (format!("{}px", p.x + 12.0), format!("{}px", p.y + 12.0));
        assert_eq!(
            (tip.hidden, tip.text.as_str()),
            (false, want.as_str()),
            "hovering {css}"
        );
        assert_eq!(
            (tip.left, tip.top),
            at,
            "the tip sits just below right of the pointer"
        );
        let off = page.center_of("h1", None);
        page.move_to(off, false);
        assert!(
            page.tip().hidden,
            "moving from {css} onto the title hides the tip"
        );
    }
    page.assert_no_script_error();
}

#[test]
fn zooming_redraws_the_lanes_and_the_axis_for_the_new_window() {
    let Some((mut page, run)) = open("zoom_redraw") else {
        return;
    };
    let plot = Plot::measure(&mut page, run);
    assert_window(&mut page, run, plot, (0.0, run.end), "at first");
    let before = page.bars();
    assert_eq!(page.axis_ends(), (fmt(0.0), fmt(run.end)), "axis at first");
    page.click("#zoom-in");
    page.frame();
    let view = (run.end / 4.0, run.end * 3.0 / 4.0);
    assert_window(&mut page, run, plot, view, "zoomed in");
    assert_ne!(page.bars(), before, "bars moved");
    assert_eq!(
        page.axis_ends(),
        (fmt(view.0), fmt(view.1)),
        "axis zoomed in"
    );
}

/// The axis's ticks as drawn: (time from data-t, label, x).
fn axis_ticks(page: &mut ReportPage) -> Vec<(f64, String, f64)> {
    let v = page.eval(
        "[...document.querySelectorAll('#top .axis text')]\
         .map(t => [+t.getAttribute('data-t'), t.textContent, +t.getAttribute('x')])",
    );
    serde_json::from_value(v).unwrap()
}

#[test]
fn axis_ticks_sit_at_round_times_inside_the_window() {
    // A reader counts along the axis: ticks every 1, 2 or 5 times a power of ten, each
    // labelled with its own time, at most 9 of them, whatever the zoom.
    let Some((mut page, run)) = open("axis_ticks") else {
        return;
    };
    let plot = Plot::measure(&mut page, run);
    check_ticks(&mut page, plot, (0.0, run.end), "at first");
    page.click("#zoom-in");
    page.frame();
    check_ticks(
        &mut page,
        plot,
        (run.end / 4.0, run.end * 3.0 / 4.0),
        "zoomed in",
    );
    // A wheel notch at an arbitrary point gives a window with unround ends.
    let g = page.geometry();
    page.wheel(
        Point {
            x: g.svg_left + plot.left + plot.width / 3.0,
            y: g.lanes_mid_y,
        },
        -100.0,
    );
    page.frame();
    let view = parse_window(&page.window_text());
    check_ticks(&mut page, plot, view, "after a wheel notch");
}

fn check_ticks(page: &mut ReportPage, plot: Plot, view: (f64, f64), step_no: &str) {
    let ticks = axis_ticks(page);
    assert!(
        (3..=9).contains(&ticks.len()),
        "window {step_no}: {} ticks",
        ticks.len()
    );
    let step = ticks[1].0 - ticks[0].0;
    let mantissa = step / 10f64.powi(step.log10().floor() as i32);
    assert!(
        [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-9),
        "window {step_no}: step {step} is not 1, 2 or 5 times a power of ten"
    );
    for (k, (t, label, x)) in ticks.iter().enumerate() {
        assert_eq!(t % step, 0.0, "tick {t} is a multiple of the step {step}");
        // #window carries the ends to the millisecond.
        assert!(
            *t >= view.0 - 1e3 && *t <= view.1 + 1e3,
            "tick {t} inside {view:?}"
        );
        if k > 0 {
            assert_eq!(t - ticks[k - 1].0, step, "even steps");
        }
        assert_eq!(label_us(label), *t, "label {label:?} names its tick's time");
        let want = plot.left + (t - view.0) / (view.1 - view.0) * plot.width;
        assert!(
            (x - want).abs() < 0.5,
            "tick {label} drawn at {x}, want {want}"
        );
    }
}

/// "20s", "1.5ms", "250us" in microseconds.
fn label_us(label: &str) -> f64 {
    let split = label.find(|c: char| c.is_ascii_alphabetic()).unwrap();
    let (num, unit) = label.split_at(split);
    let scale = match unit {
        "s" => 1e6,
        "ms" => 1e3,
        "us" => 1.0,
        _ => panic!("unit of {label:?}"),
    };
    (num.parse::<f64>().unwrap() * scale).round()
}

/// #window's text back into the window, to the microsecond its labels carry.
fn parse_window(text: &str) -> (f64, f64) {
    let (a, b) = text.split_once(" – ").unwrap();
    (label_us(a), label_us(b))
}

#[test]
fn every_breaker_state_is_wide_enough_to_see() {
    // The half-open probes last about 50 ms of a 60 s run: under a pixel at first.
    let Some((mut page, _)) = open("breaker_bands") else {
        return;
    };
    let v = page.eval(
        "[...document.querySelectorAll('#top rect.band')]\
         .map(r => [r.getAttribute('data-tip'), +r.getAttribute('width')])",
    );
    let bands: Vec<(String, f64)> = serde_json::from_value(v).unwrap();
    let half_open = bands
        .iter()
        .filter(|(tip, _)| tip.contains(": half_open "))
        .count();
    assert!(half_open >= 3, "half-open bands drawn: {bands:?}");
    for (tip, width) in &bands {
        assert!(*width >= 3.0, "band {tip:?} is {width} px wide");
    }
}
