//! calls (load client outcomes) and nothing_lost (calls and buffered writers).

#[path = "check_util/mod.rs"]
mod util;

use otpsim::check::CallStats;
use otpsim::scenario::spec::Check;
use util::*;

/// A calls check: (client, min_success_ratio, max_timeouts, max_errors, min_calls).
fn calls(
    client: &str,
    min_success_ratio: Option<f64>,
    max_timeouts: Option<u64>,
    max_errors: Option<u64>,
    min_calls: Option<u64>,
) -> Check {
    Check::Calls {
        client: client.to_string(),
        min_success_ratio,
        max_timeouts,
        max_errors,
        min_calls,
    }
}

/// Client `web` (with a helper process under it) and client `batch`.
fn outcomes() -> Tr {
    let mut tr = Tr::new();
    tr.at(0)
        .spawn(10, "workload/web")
        .spawn(11, "workload/web/caller1")
        .spawn(12, "workload/batch")
        .spawn(13, "workload/webby");
    tr.at(s(1))
        .outcome(10, "ok", 1_000)
        .outcome(11, "ok", 2_000)
        .outcome(11, "error", 3_000)
        .outcome(10, "timeout", 5_000_000)
        .outcome(12, "rejected", 10)
        .outcome(13, "error", 10);
    tr
}

#[test]
fn calls_are_counted_per_client_including_its_helpers() {
    let tr = outcomes();
    let check = calls("web", Some(0.5), Some(1), Some(1), Some(4));
    let (ok, detail) = verdict(check, &tr.events, s(10));
    assert!(ok, "{detail}");
    assert_eq!(
        detail,
        "client web: 4 calls: 2 ok, 1 errors, 1 timeouts, 0 rejected; success ratio 0.500"
    );
}

#[test]
fn each_bound_can_fail() {
    let tr = outcomes();
    let run = |c| verdict(c, &tr.events, s(10));
    let (ok, detail) = run(calls("web", Some(0.75), None, None, None));
    assert!(!ok);
    assert!(
        detail.ends_with("; success ratio 0.500, at least 0.75 required"),
        "{detail}"
    );
    let (ok, detail) = run(calls("web", None, Some(0), None, None));
    assert!(!ok);
    assert!(
        detail.ends_with("; 1 timeouts, at most 0 allowed"),
        "{detail}"
    );
    let (ok, detail) = run(calls("web", None, None, Some(0), None));
    assert!(!ok);
    assert!(
        detail.ends_with("; 1 errors, at most 0 allowed"),
        "{detail}"
    );
    let (ok, detail) = run(calls("web", None, None, None, Some(5)));
    assert!(!ok);
    assert!(detail.ends_with("; at least 5 calls required"), "{detail}");
    let (ok, detail) = run(calls("nobody", Some(0.0), None, None, None));
    assert!(!ok, "no calls: no ratio");
    assert_eq!(
        detail,
        "client nobody: 0 calls: 0 ok, 0 errors, 0 timeouts, 0 rejected; no calls, so no success ratio (at least 0 required)"
    );
    let (ok, _) = run(calls("batch", None, None, Some(0), None));
    assert!(ok, "a rejection is not an error");
}

#[test]
fn latency_percentiles_are_nearest_rank() {
    let mut stats = CallStats::default();
    assert_eq!(stats.latency_percentile_us(50), None);
    for latency in [50, 10, 40, 30, 20] {
        stats.add(otpsim::check::CallOutcome::Ok, latency);
    }
    assert_eq!(stats.latency_percentile_us(50), Some(30));
    assert_eq!(stats.latency_percentile_us(99), Some(50));
    assert_eq!(stats.latency_percentile_us(20), Some(10));
    assert_eq!(stats.success_ratio(), Some(1.0));
}

#[test]
fn every_call_answered_failed_or_dropped_with_its_caller() {
    let mut tr = Tr::new();
    tr.at(0)
        .spawn(1, "root/db")
        .spawn(2, "workload/a")
        .spawn(3, "workload/b");
    tr.at(s(1))
        .call(2, 1, 100, "5000")
        .call(3, 1, 101, "infinity")
        .call(3, 1, 102, "5000");
    tr.at(s(2)).reply(1, 2, 100).call_exit(3, 101, "noproc");
    // b dies with 102 pending: not lost, it died with its caller.
    tr.at(s(3)).exit(3, "boom");
    // In flight when the run ends at 10s: its timeout fires at 14s.
    tr.at(s(9)).call(2, 1, 103, "5000");
    let (ok, detail) = verdict(Check::NothingLost, &tr.events, s(10));
    assert!(ok, "{detail}");
    assert_eq!(
        detail,
        "4 calls: 0 unanswered, 1 in flight at the end, 1 dropped with their caller"
    );
}

#[test]
fn an_unanswered_call_is_lost() {
    let mut tr = Tr::new();
    tr.at(0).spawn(1, "root/db").spawn(2, "workload/a");
    tr.at(s(1))
        .call(2, 1, 100, "5000")
        .call(2, 1, 101, "infinity");
    let (ok, detail) = verdict(Check::NothingLost, &tr.events, s(10));
    assert!(!ok);
    assert_eq!(
        detail,
        "2 calls: 2 unanswered, 0 in flight at the end, 0 dropped with their caller (the first made at 1s by workload/a <0.2.0>)"
    );
}

#[test]
fn writers_must_flush_or_report_what_they_accepted() {
    let mut tr = Tr::new();
    tr.at(0).spawn(1, "root/log").spawn(2, "root/audit");
    tr.at(s(1))
        .model(1, "buffered_writer", "accepted", "10")
        .model(2, "buffered_writer", "accepted", "5");
    tr.at(s(2))
        .model(1, "buffered_writer", "flushed", "7")
        .model(2, "buffered_writer", "flushed", "5");
    tr.at(s(3)).exit(1, "killed").spawn(3, "root/log");
    tr.at(s(4)).model(3, "buffered_writer", "lost", "3");
    let (ok, detail) = verdict(Check::NothingLost, &tr.events, s(10));
    assert!(ok, "{detail}");
    assert_eq!(
        detail,
        "0 calls: 0 unanswered, 0 in flight at the end, 0 dropped with their caller; writer root/audit: 5 accepted, 5 flushed, 0 lost; writer root/log: 10 accepted, 7 flushed, 3 lost"
    );
    // Without the loss report, three items vanished.
    tr.events.pop();
    let (ok, detail) = verdict(Check::NothingLost, &tr.events, s(10));
    assert!(!ok);
    assert!(
        detail.ends_with(
            "writer root/log: 10 accepted, 7 flushed, 0 lost, 3 neither flushed nor reported lost"
        ),
        "{detail}"
    );
}

#[test]
fn items_a_running_writer_still_buffers_at_the_end_are_held_not_lost() {
    // As a call still in flight: the run ended before the flush.
    let mut tr = Tr::new();
    tr.at(0).spawn(1, "root/log");
    tr.at(s(1)).model(1, "buffered_writer", "accepted", "10");
    tr.at(s(2)).model(1, "buffered_writer", "flushed", "6");
    let (ok, detail) = verdict(Check::NothingLost, &tr.events, s(10));
    assert!(ok, "{detail}");
    assert!(
        detail.ends_with(
            "writer root/log: 10 accepted, 6 flushed, 0 lost, 4 still buffered at the end"
        ),
        "{detail}"
    );
    // The writer dies with them: now they are lost.
    tr.at(s(3)).exit(1, "killed");
    let (ok, detail) = verdict(Check::NothingLost, &tr.events, s(10));
    assert!(!ok);
    assert!(
        detail.ends_with(
            "writer root/log: 10 accepted, 6 flushed, 0 lost, 4 neither flushed nor reported lost"
        ),
        "{detail}"
    );
}
