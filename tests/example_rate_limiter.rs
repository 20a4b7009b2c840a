//! Runs `examples/rate_limiter.rs` (included as a module) and checks its story: at
//! most `LIMIT` requests allowed per one-minute window, the window reset by the
//! limiter's own `send_after` timer at every 60 s boundary of virtual time.

#[allow(dead_code)]
#[path = "../examples/rate_limiter.rs"]
mod example;

use example::{Tally, LIMIT, REQUESTS_PER_MINUTE, WINDOW_US};

fn tally(allowed: u32, rejected: u32) -> Tally {
    Tally { allowed, rejected }
}

#[test]
fn each_window_allows_at_most_the_limit_and_rejects_the_rest() {
    let story = example::run(0);
    // 4, 8 and 12 requests against a limit of 5.
    assert_eq!(LIMIT, 5);
    assert_eq!(REQUESTS_PER_MINUTE, [4, 8, 12]);
    let expected = vec![tally(4, 0), tally(5, 3), tally(5, 7)];
    assert_eq!(story.client_windows, expected);
    assert_eq!(story.limiter_windows, expected);
    let rejected = story
        .lines
        .iter()
        .filter(|l| l.contains("check -> {error,rate_limited}"))
        .count();
    assert_eq!(rejected, 10);
    assert_eq!(
        story.lines.last().map(String::as_str),
        Some("run: quiescent")
    );
}

#[test]
fn the_window_resets_at_each_60_s_boundary_of_virtual_time() {
    let story = example::run(0);
    assert_eq!(WINDOW_US, 60_000_000);
    assert_eq!(story.resets_us, vec![60_000_000, 120_000_000, 180_000_000]);
    let resets: Vec<&String> = story
        .lines
        .iter()
        .filter(|l| l.contains("limiter: reset"))
        .collect();
    assert_eq!(resets.len(), 3);
    assert!(resets[0].trim_start().starts_with("60.000 s"));
    assert!(resets[1].starts_with("120.000 s"));
    assert!(resets[2].starts_with("180.000 s"));
}

#[test]
fn the_example_is_deterministic() {
    assert_eq!(example::run(7).lines, example::run(7).lines);
}
