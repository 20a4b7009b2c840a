//! Supervision conformance with real OTP (issue #4): every scenario of
//! tests/conformance/scenarios/ runs on otpsim and is compared with what Erlang/OTP 25
//! did in the same scenario (tests/conformance/expected/, recorded by
//! tests/otp_fixtures/supervision/run.sh; cargo test needs no Erlang). A scenario
//! that differs for a known reason must differ exactly as known_mismatches.json says
//! (explained in KNOWN_MISMATCHES.md), so a fix shows up as a test to update.
//!
//! VER-4: the supervisor algorithms on OTP's `master` (intensity window, strategies,
//! try_again, shutdown) are those of OTP 25, so these recordings stand for current OTP
//! too; this machine's Erlang is 25.2.3.
#![forbid(unsafe_code)]

#[path = "conformance/mod.rs"]
mod conformance;

/// One test per scenario, named after it, plus the list of all of them.
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                conformance::check(stringify!($name));
            }
        )*
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

scenarios!(
    api_delete_then_start,
    api_restart_child_fails,
    api_start_child,
    api_start_child_order,
    api_start_child_supervisor,
    api_terminate_restart_delete,
    api_terminate_temporary,
    auto_all_significant,
    auto_any_significant,
    auto_any_significant_crash,
    auto_root_any_significant,
    auto_temporary_significant_crash,
    auto_terminate_child_no_trigger,
    dsup_intensity,
    dsup_max_children,
    dsup_restart_fails_once,
    dsup_restart_ignore,
    dsup_restart_types,
    dsup_shutdown_timeout,
    dsup_start_failures,
    dsup_stop_concurrent,
    escalate_three_levels,
    escalate_three_levels_absorbed,
    escalate_two_levels,
    escalate_two_levels_transient,
    ext_signals_nontrapping,
    ext_signals_transient,
    ext_signals_trapping,
    intensity_not_reached,
    intensity_permanent_normal_counts,
    intensity_reached,
    intensity_window_expired,
    intensity_zero,
    nested_sup_killed,
    nested_sup_signal_from_stranger,
    nested_sup_stopped,
    ofa_crash_first,
    ofa_crash_last,
    ofa_crash_middle,
    ofa_nested_sup,
    ofa_restart_fails_once,
    ofa_restarts_terminated_child,
    ofa_slow_siblings,
    ofo_crash_first,
    ofo_crash_last,
    ofo_crash_middle,
    ofo_restart_crash,
    ofo_restart_fails_once,
    ofo_restart_fails_until_limit,
    ofo_restart_ignore,
    restart_permanent_error,
    restart_permanent_kill,
    restart_permanent_normal,
    restart_permanent_shutdown,
    restart_permanent_shutdown_tuple,
    restart_temporary_error,
    restart_temporary_kill,
    restart_temporary_normal,
    restart_temporary_shutdown,
    restart_temporary_shutdown_tuple,
    restart_transient_error,
    restart_transient_kill,
    restart_transient_normal,
    restart_transient_shutdown,
    restart_transient_shutdown_tuple,
    restarting_delete_child,
    restarting_restart_child,
    restarting_terminate_child,
    restarting_which_children,
    rfo_crash_first,
    rfo_crash_last,
    rfo_crash_middle,
    rfo_nested_sup,
    rfo_restart_crash_nested,
    rfo_restart_fails_nested_trapping,
    rfo_restart_fails_once,
    rfo_restarts_exited_transient,
    root_exit_from_parent,
    root_stop_custom_reason,
    shutdown_brutal_kill,
    shutdown_budget_exceeded,
    shutdown_budget_met,
    shutdown_infinity,
    shutdown_nontrapping,
    shutdown_order_stop_root,
    shutdown_temporary_in_group,
    start_crash,
    start_error,
    start_error_nested,
    start_ignore_permanent,
    start_ignore_temporary,
    stop_root_nested,
);

#[test]
fn every_scenario_file_has_a_test_and_an_otp_recording() {
    let names = conformance::scenario_names();
    let mut listed: Vec<String> = LISTED.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        names, listed,
        "scenarios!(..) must list exactly the scenario files"
    );
    assert!(names.len() >= 40, "issue #4 asks for at least 40 scenarios");
    for name in &names {
        let expected = conformance::expected(name);
        assert!(
            !expected.driver.is_empty(),
            "expected/{name}.json has no driver lines: regenerate it"
        );
    }
}

#[test]
fn known_mismatches_name_existing_scenarios() {
    let names = conformance::scenario_names();
    for (name, lines) in conformance::known_mismatches() {
        assert!(
            names.contains(&name),
            "known_mismatches.json names {name}: no such scenario"
        );
        assert!(
            !lines.is_empty(),
            "known_mismatches.json: {name} has no difference listed"
        );
    }
}

#[test]
fn a_difference_with_otp_is_reported_per_process_and_per_supervisor() {
    // The harness itself: a comparison that cannot fail would prove nothing.
    let sc = conformance::load("ofo_crash_middle");
    let got = conformance::run(&sc);
    let mut expected = conformance::expected("ofo_crash_middle");
    assert!(conformance::records::diff(&expected, &got).is_empty());
    expected
        .processes
        .get_mut("root/c2#1")
        .expect("c2's first incarnation")
        .pop();
    expected
        .supervisors
        .get_mut("root#1")
        .expect("the root's sequence")
        .swap(0, 1);
    expected.alive.clear();
    let diff = conformance::records::diff(&expected, &got);
    assert_eq!(diff.len(), 3, "{diff:#?}");
    assert!(diff[0].starts_with("process root/c2#1: expected"));
    assert!(diff[1].starts_with("supervisor root#1: expected"));
    assert!(diff[2].starts_with("final alive: expected"));
}
