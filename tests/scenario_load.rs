//! The scenario loader: every kind of bad input gets its exact message at its file,
//! line, column and JSON path; good input gets its defaults, paths and round trip.

use otpsim::scenario::spec::{
    Check, EndCond, EventMatch, FaultAction, FaultSpec, NodeKind, RestartSpec, ShutdownSpec,
    StateCond, Target, Window,
};
use otpsim::scenario::{load_file, load_str, pattern_matches};
use otpsim::term::Term;
use std::path::Path;

/// The error of the fixture `tests/fixtures/bad_scenarios/NAME.json`.
fn bad(name: &str) -> String {
    let path = format!("tests/fixtures/bad_scenarios/{name}.json");
    match load_file(Path::new(&path)) {
        Ok(_) => panic!("{path} loaded"),
        Err(e) => e.to_string(),
    }
}

fn bad_str(text: &str) -> String {
    match load_str("s.json", text) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// A scenario whose tree is `children` under a one_for_one root, with `rest` (more
/// top-level fields, each followed by a comma) before the app.
fn with_tree(rest: &str, children: &str) -> String {
    format!(
        r#"{{"otpsim": 1, "name": "t", "duration": "60s", {rest}
"app": {{"root": {{"id": "root", "type": "supervisor", "children": [{children}]}}}}}}"#
    )
}

const F: &str = "tests/fixtures/bad_scenarios/";

#[test]
fn not_json() {
    assert_eq!(
        bad("not_json"),
        format!("{F}not_json.json:5:3: at $: found `\"` (expected `,` or `}}`)")
    );
}

#[test]
fn wrong_type() {
    assert_eq!(
        bad("wrong_type"),
        format!("{F}wrong_type.json:4:11: at $.seed: found the string \"7\" (expected a non-negative integer)")
    );
}

#[test]
fn unknown_field_suggests_the_near_one() {
    assert_eq!(
        bad("unknown_field"),
        format!("{F}unknown_field.json:4:3: at $.sed: unknown field `sed`; did you mean `seed`? (expected `otpsim`, `name`, `description`, `seed`, `duration`, `limits`, `app`, `workload`, `faults`, `phases`, `swarm`, `buggify` or `expect`)")
    );
}

#[test]
fn unknown_model_suggests_the_near_one() {
    let e = bad("unknown_model");
    let head = format!("{F}unknown_model.json:6:27: at $.app.root.children[0].model: unknown model `wroker`; did you mean `worker`? (expected `worker`, ");
    assert!(e.starts_with(&head), "{e}");
    assert_eq!(e.lines().count(), 1);
}

#[test]
fn unknown_target_suggests_a_path() {
    assert_eq!(
        bad("unknown_target"),
        format!("{F}unknown_target.json:9:28: at $.faults[0].target: unknown path `root/dbb`; did you mean `root/db`? (expected the path of a node in the tree, such as `root/db`)")
    );
}

#[test]
fn negative_duration() {
    assert_eq!(
        bad("negative_duration"),
        format!("{F}negative_duration.json:4:15: at $.duration: negative duration `-5s` (expected a duration: an integer number of milliseconds, or a string such as \"250us\", \"150ms\", \"1.5s\", \"2m\" or \"1h\")")
    );
}

#[test]
fn overflowing_duration() {
    assert_eq!(
        bad("overflowing_duration"),
        format!("{F}overflowing_duration.json:9:64: at $.faults[0].for: duration `99999999999999999999h` is too large (expected at most 18446744073709551615us)")
    );
}

#[test]
fn malformed_duration() {
    assert_eq!(
        bad("malformed_duration"),
        format!("{F}malformed_duration.json:4:15: at $.duration: invalid duration `10 seconds` (expected a duration: an integer number of milliseconds, or a string such as \"250us\", \"150ms\", \"1.5s\", \"2m\" or \"1h\")")
    );
}

#[test]
fn run_longer_than_a_day() {
    let e = bad_str(
        r#"{"otpsim": 1, "name": "t", "duration": "25h", "app": {"root": {"id": "r", "type": "task_supervisor"}}}"#,
    );
    assert_eq!(
        e,
        "s.json:1:40: at $.duration: 25h is too long (expected at most 24h)"
    );
}

#[test]
fn duplicate_sibling_ids() {
    assert_eq!(
        bad("duplicate_child_id"),
        format!("{F}duplicate_child_id.json:7:12: at $.app.root.children[1].id: duplicate child id `w`; first defined at 6:12 ($.app.root.children[0].id)")
    );
}

#[test]
fn same_id_under_different_parents_is_fine() {
    let s = load_str(
        "s.json",
        &with_tree("", r#"{"id": "a", "type": "supervisor", "children": [{"id": "w", "model": "worker"}]},
                         {"id": "b", "type": "supervisor", "children": [{"id": "w", "model": "worker"}]}"#),
    )
    .unwrap();
    assert_eq!(
        s.paths(),
        ["root", "root/a", "root/a/w", "root/b", "root/b/w"]
    );
}

#[test]
fn duplicate_client_ids() {
    assert_eq!(
        bad("duplicate_client_id"),
        format!("{F}duplicate_client_id.json:10:12: at $.workload[1].id: duplicate client id `c`; first defined at 9:12 ($.workload[0].id)")
    );
}

#[test]
fn duplicate_phase_names() {
    assert_eq!(
        bad("duplicate_phase"),
        format!("{F}duplicate_phase.json:8:14: at $.phases[1].name: duplicate phase name `chaos`; first defined at 7:14 ($.phases[0].name)")
    );
}

#[test]
fn duplicate_expectation_names() {
    assert_eq!(
        bad("duplicate_expectation"),
        format!("{F}duplicate_expectation.json:10:5: at $.expect[1]: duplicate expectation name `always alive root/w` (generated from the check; give one a `name`); first at 9:5 (expected unique names)")
    );
    let e = bad_str(&with_tree(
        r#""expect": [{"name": "up", "always": {"alive": "root"}}, {"name": "up", "never": {"alive": "root"}}],"#,
        "",
    ));
    assert_eq!(e, "s.json:1:112: at $.expect[1].name: duplicate expectation name `up`; first at 1:67 (expected unique names)");
}

#[test]
fn tree_too_deep() {
    let e = bad("tree_too_deep");
    let path = format!("$.app.root{}", ".children[0]".repeat(16));
    assert_eq!(
        e,
        format!("{F}tree_too_deep.json:6:780: at {path}: the tree is more than 16 levels deep (expected at most 16 levels, the root being the first)")
    );
}

#[test]
fn too_many_partitions() {
    assert_eq!(
        bad("too_many_partitions"),
        format!("{F}too_many_partitions.json:6:70: at $.app.root.children[0].partitions: 5000 is too large (expected at most 1024)")
    );
}

#[test]
fn too_many_children() {
    let kids = vec![r#"{"id":"w","model":"worker"}"#; 100_001].join(",");
    let e = bad_str(&with_tree("", &kids));
    assert_eq!(
        e,
        "s.json:2:66: at $.app.root.children: 100001 children (expected at most 100000 children per supervisor)"
    );
}

#[test]
fn too_many_nodes_counting_partitions() {
    let sups: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"id":"p{i}","type":"partition_supervisor","partitions":1024,"child":{{"model":"counter"}}}}"#))
        .collect();
    let e = bad_str(&with_tree("", &sups.join(",")));
    assert!(
        e.starts_with("s.json:2:") && e.contains(": the tree has more than 1000000 nodes (expected at most 1000000 nodes, partitions counted one by one)"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "reported once: {e}");
}

#[test]
fn absurd_limits() {
    assert_eq!(
        bad("absurd_limits"),
        format!("{F}absurd_limits.json:5:31: at $.limits.max_processes: 1000000000000 is too large (expected at most 10000000)\n\
                 {F}absurd_limits.json:5:60: at $.limits.max_events: 0 is too small (expected an integer from 1 to 1000000000)")
    );
}

#[test]
fn fault_at_or_after_the_end() {
    assert_eq!(
        bad("fault_after_end"),
        format!("{F}fault_after_end.json:9:12: at $.faults[0].at: 10s is not before the end of the run (expected a time less than the scenario's duration, 10s)")
    );
}

#[test]
fn overlapping_phases() {
    assert_eq!(
        bad("phases_overlap"),
        format!("{F}phases_overlap.json:8:5: at $.phases[1]: phase `heal` (20s..1m) overlaps phase `chaos` (0s..30s) (expected phases that do not overlap)")
    );
}

#[test]
fn phase_out_of_range() {
    assert_eq!(
        bad("phase_out_of_range"),
        format!("{F}phase_out_of_range.json:7:46: at $.phases[0].until: 90s is after the end of the run (expected at most the scenario's duration, 1m)")
    );
    let e = bad_str(&with_tree(
        r#""phases": [{"name": "p", "from": "20s", "until": "10s"}],"#,
        "",
    ));
    assert_eq!(e, "s.json:1:96: at $.phases[0].until: the phase ends (10s) before it starts (20s) (expected `until` later than `from`)");
}

#[test]
fn swarm_bound_on_a_scheduled_fault() {
    assert_eq!(
        bad("swarm_not_random"),
        format!("{F}swarm_not_random.json:12:15: at $.swarm[0].fault: fault 0 is a scheduled fault (expected the index of a random fault: swarm draws the rate of random faults)")
    );
    let e = bad_str(&with_tree(
        r#""swarm": [{"fault": 3, "mtbf": ["1s", "2s"]}],"#,
        "",
    ));
    assert_eq!(e, "s.json:1:67: at $.swarm[0].fault: there is no fault 3 (expected no swarm bounds: the scenario has no faults)");
}

#[test]
fn bad_term_text() {
    assert_eq!(
        bad("bad_term"),
        format!("{F}bad_term.json:9:66: at $.faults[0].reason: invalid term `{{shutdown, db_down`: at byte 18: expected `,` or `}}`, found end of input (expected Erlang term text such as `kill`, `normal` or `{{shutdown, db_down}}`)")
    );
}

#[test]
fn upgrade_to_a_version_the_model_lacks() {
    assert_eq!(
        bad("upgrade_unknown_version"),
        format!("{F}upgrade_unknown_version.json:9:73: at $.faults[0].to_version: the `worker` model has no version 2 (expected a version `worker` can be upgraded to, but it has only one)")
    );
}

#[test]
fn terminate_child_of_an_id_that_is_not_a_child() {
    assert_eq!(
        bad("terminate_not_a_child"),
        format!("{F}terminate_not_a_child.json:10:74: at $.faults[0].child: `conn3` is not a child of `root`; did you mean `conn1`? (expected one of `conn1` or `conn2`)")
    );
}

#[test]
fn significant_children() {
    assert_eq!(
        bad("significant_permanent"),
        format!("{F}significant_permanent.json:6:51: at $.app.root.children[0].significant: a significant child cannot be permanent (expected `\"restart\": \"transient\"` or `\"temporary\"` on a significant child)")
    );
    assert_eq!(
        bad("significant_under_never"),
        format!("{F}significant_under_never.json:6:75: at $.app.root.children[0].significant: a significant child under a supervisor whose auto_shutdown is `never` (expected `\"auto_shutdown\": \"any_significant\"` or `\"all_significant\"` on the parent supervisor)")
    );
}

#[test]
fn expectations_name_known_clients_phases_and_breakers() {
    assert_eq!(
        bad("expect_unknown_client"),
        format!("{F}expect_unknown_client.json:9:24: at $.expect[0].calls: unknown client `user`; did you mean `users`? (expected a client id: `users`)")
    );
    assert_eq!(
        bad("expect_unknown_phase"),
        format!("{F}expect_unknown_phase.json:9:56: at $.expect[0].during: unknown phase `hael`; did you mean `heal`? (expected a phase name: `chaos` or `heal`)")
    );
    assert_eq!(
        bad("expect_not_a_breaker"),
        format!("{F}expect_not_a_breaker.json:8:41: at $.expect[0].eventually.breaker: `root/w` is a `worker` model, not a circuit breaker (expected the path of a `circuit_breaker` model node)")
    );
}

#[test]
fn unsupported_format_version() {
    assert_eq!(
        bad("unsupported_version"),
        format!("{F}unsupported_version.json:2:13: at $.otpsim: unsupported format version 2 (expected `\"otpsim\": 1`: this build reads version 1)")
    );
}

#[test]
fn a_field_of_another_node_type() {
    assert_eq!(
        bad("field_of_another_type"),
        format!("{F}field_of_another_type.json:6:57: at $.app.root.children[0].strategy: field `strategy` does not apply to a `registry` node (expected `id`, `restart`, `shutdown`, `significant`, `type`, `keys` or `partitions`)")
    );
}

#[test]
fn the_root_is_a_supervisor() {
    assert_eq!(
        bad("root_is_a_model"),
        format!("{F}root_is_a_model.json:5:19: at $.app.root: the root must be a supervisor (expected a node of type `supervisor`, `dynamic_supervisor`, `partition_supervisor` or `task_supervisor`)")
    );
}

#[test]
fn random_fault_patterns_must_match() {
    assert_eq!(
        bad("pattern_matches_nothing"),
        format!("{F}pattern_matches_nothing.json:8:46: at $.faults[0].targets[0]: the pattern `root/cache/*` matches no node (expected a pattern matching paths of the tree, such as `root/db`)")
    );
}

#[test]
fn several_errors_are_reported_in_source_order() {
    assert_eq!(
        bad("several_errors"),
        [
            format!("{F}several_errors.json:3:11: at $.name: `several errors` contains ` ` (expected 1 to 64 letters, digits, `_` or `-`)"),
            format!("{F}several_errors.json:5:68: at $.app.root.strategy: unknown strategy `one_for_none`; did you mean `one_for_one`? (expected `one_for_one`, `one_for_all` or `rest_for_one`)"),
            format!("{F}several_errors.json:6:48: at $.app.root.children[0].shutdown: unknown shutdown `brutal` (expected `brutal_kill`, `infinity` or a duration)"),
            format!("{F}several_errors.json:9:12: at $.faults[0].at: 90s is not before the end of the run (expected a time less than the scenario's duration, 1m)"),
        ]
        .join("\n")
    );
}

#[test]
fn unreadable_file() {
    let e = load_file(Path::new("tests/fixtures/bad_scenarios/no_such_file.json")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("tests/fixtures/bad_scenarios/no_such_file.json: cannot read the file: "),
        "{e}"
    );
}

#[test]
fn node_has_model_or_type() {
    let e = bad_str(&with_tree(
        "",
        r#"{"id": "w", "model": "worker", "type": "supervisor"}"#,
    ));
    assert_eq!(e, "s.json:2:106: at $.app.root.children[0].type: a node has `model` or `type`, not both (expected `model` for a model leaf, or `type` for a supervisor or registry)");
    let e = bad_str(&with_tree("", r#"{"id": "w"}"#));
    assert_eq!(e, "s.json:2:67: at $.app.root.children[0]: missing field `model` or `type` (expected `model` for a model leaf, or `type` for a supervisor or registry)");
}

#[test]
fn dynamic_supervisor_children_are_models() {
    let e = bad_str(&with_tree(
        "",
        r#"{"id": "d", "type": "dynamic_supervisor", "children": [{"id": "s", "type": "supervisor", "children": []}]}"#,
    ));
    assert_eq!(e, "s.json:2:142: at $.app.root.children[0].children[0].type: a dynamic supervisor's children must be models (expected a node with `model` and `params`)");
}

#[test]
fn registry_targets_need_unique_keys() {
    let e = bad_str(&with_tree(
        r#""faults": [{"at": "1s", "target": {"registry": "root/r", "key": "{user, 1}"}, "action": "exit"}],"#,
        r#"{"id": "r", "type": "registry", "keys": "duplicate"}"#,
    ));
    assert_eq!(e, "s.json:1:94: at $.faults[0].target.registry: the registry `root/r` has duplicate keys (expected a registry with `\"keys\": \"unique\"`: only then does a key name one process)");
}

#[test]
fn start_child_adds_paths_from_its_time_on() {
    let tree = r#"{"id": "sup", "type": "supervisor", "children": []}"#;
    let start = r#"{"at": "5s", "target": "root/sup", "action": "start_child", "child": {"id": "w9", "model": "worker"}}"#;
    let ok = with_tree(
        &format!(
            r#""faults": [{start}, {{"at": "6s", "target": "root/sup", "action": "terminate_child", "child": "w9"}}, {{"at": "7s", "target": "root/sup/w9", "action": "crash"}}], "expect": [{{"at_end": {{"alive": "root/sup/w9"}}}}],"#
        ),
        tree,
    );
    let s = load_str("s.json", &ok).unwrap();
    assert_eq!(
        s.paths(),
        ["root", "root/sup"],
        "paths() is the tree at start"
    );
    let early = with_tree(
        &format!(
            r#""faults": [{{"at": "2s", "target": "root/sup/w9", "action": "crash"}}, {start}],"#
        ),
        tree,
    );
    assert_eq!(
        bad_str(&early),
        "s.json:1:81: at $.faults[0].target: `root/sup/w9` is started by a `start_child` fault at 5s, after this time (2s) (expected a node that exists at this time)"
    );
}

#[test]
fn model_path_parameters_name_nodes() {
    let e = bad_str(&with_tree(
        r#""workload": [{"id": "c", "model": "load_client", "params": {"target": "root/wx"}}],"#,
        r#"{"id": "w", "model": "worker"}"#,
    ));
    assert_eq!(e, "s.json:1:117: at $.workload[0].params.target: unknown path `root/wx`; did you mean `root/w`? (expected the path of a node in the tree, such as `root/w`)");
}

#[test]
fn wildcard_under_a_dynamic_supervisor_may_match_later_children() {
    let s = load_str(
        "s.json",
        &with_tree(
            r#""faults": [{"random": "crash", "targets": ["root/dyn/*", "root/**"], "mtbf": "10s"}],"#,
            r#"{"id": "dyn", "type": "dynamic_supervisor"}"#,
        ),
    )
    .unwrap();
    let FaultSpec::Random {
        targets,
        mtbf_us,
        action,
    } = &s.faults[0]
    else {
        panic!()
    };
    assert_eq!(targets, &["root/dyn/*", "root/**"]);
    assert_eq!(*mtbf_us, 10_000_000);
    assert_eq!(
        action,
        &FaultAction::Crash {
            reason: Term::atom_owned("crashed")
        }
    );
}

#[test]
fn defaults_are_filled_in() {
    let s = load_str(
        "d.json",
        &with_tree(
            r#""faults": [{"at": "1s", "target": "root/w", "action": "exit"}, {"at": "2s", "target": "root/w", "action": "degrade", "for": "5s"}],"#,
            r#"{"id": "w", "model": "worker"}, {"id": "s", "type": "supervisor", "children": []}"#,
        ),
    )
    .unwrap();
    assert_eq!(
        (s.seed, s.description.as_str(), s.app.name.as_str()),
        (1, "", "t")
    );
    let w = s.node_at("root/w").unwrap();
    assert_eq!(
        (w.restart, w.shutdown, w.significant),
        (
            RestartSpec::Permanent,
            ShutdownSpec::Timeout(5_000_000),
            false
        )
    );
    assert_eq!(
        s.node_at("root/s").unwrap().shutdown,
        ShutdownSpec::Infinity
    );
    let NodeKind::Supervisor { intensity, .. } = &s.app.root.kind else {
        panic!()
    };
    assert_eq!((intensity.max_restarts, intensity.max_seconds), (3, 5));
    assert_eq!(
        s.faults[0],
        FaultSpec::Scheduled {
            at_us: 1_000_000,
            target: Target::Path("root/w".into()),
            action: FaultAction::Exit { reason: Term::KILL }
        }
    );
    assert_eq!(
        s.faults[1],
        FaultSpec::Scheduled {
            at_us: 2_000_000,
            target: Target::Path("root/w".into()),
            action: FaultAction::Degrade {
                error_rate: 1.0,
                latency_us: 0,
                for_us: 5_000_000
            }
        }
    );
}

#[test]
fn env_values_become_terms() {
    let s = load_str(
        "e.json",
        r#"{"otpsim": 1, "name": "e", "duration": "1s", "app": {"env": {"pool": 5, "on": true, "db": {"host": "x", "port": null}, "l": [1, "a"]},
            "root": {"id": "root", "type": "supervisor", "children": []}}}"#,
    )
    .unwrap();
    let kv = |k: &str, v: Term| Term::tuple([Term::atom_owned(k), v]);
    assert_eq!(
        s.app.env,
        vec![
            (
                "db".to_string(),
                Term::list([
                    kv("host", Term::bin("x")),
                    kv("port", Term::atom_owned("nil"))
                ])
            ),
            ("l".to_string(), Term::list([Term::Int(1), Term::bin("a")])),
            ("on".to_string(), Term::TRUE),
            ("pool".to_string(), Term::Int(5)),
        ]
    );
    let e = bad_str(
        r#"{"otpsim": 1, "name": "e", "duration": "1s", "app": {"env": {"ratio": 0.5}, "root": {"id": "r", "type": "task_supervisor"}}}"#,
    );
    assert_eq!(
        e,
        "s.json:1:71: at $.app.env.ratio: found the non-integer 0.5 (expected an integer)"
    );
}

#[test]
fn expectations_and_their_generated_names() {
    let s = load_str(
        "x.json",
        &with_tree(
            r#""phases": [{"name": "heal", "from": "30s", "until": "60s", "faults": false}],
               "workload": [{"id": "users", "model": "load_client", "params": {"target": "root/w"}}],
               "expect": [
                 {"never": {"alive": "root/w"}, "from": "1s", "until": "2s"},
                 {"eventually": {"alive": "root/w"}, "by": "50s"},
                 {"always": {"alive": "root/w"}, "during": "heal"},
                 {"count": "restart", "of": "root/*", "equals": 2},
                 {"count": "crash", "of": "root/**", "at_least": 1, "at_most": 4, "during": "heal"},
                 {"calls": "users", "min_success_ratio": 0.5, "max_timeouts": 3},
                 {"at_end": {"children": "root", "count": 1}},
                 {"at_end": {"dead": "root/w"}, "name": "custom"},
                 {"nothing_lost": true}
               ],"#,
            r#"{"id": "w", "model": "worker"}"#,
        ),
    )
    .unwrap();
    let names: Vec<&str> = s.expectations.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "never alive root/w from 1s until 2s",
            "eventually alive root/w by 50s",
            "always alive root/w during heal",
            "count restart root/* equals 2",
            "count crash root/** at_least 1 at_most 4 during heal",
            "calls users min_success_ratio 0.5 max_timeouts 3",
            "at_end children root 1",
            "custom",
            "nothing_lost",
        ]
    );
    assert_eq!(
        s.expectations[2].check,
        Check::Always(
            StateCond::Alive("root/w".into()),
            Window {
                from_us: 30_000_000,
                until_us: Some(60_000_000)
            }
        )
    );
    assert_eq!(
        s.expectations[3].check,
        Check::Count {
            what: EventMatch::Restart("root/*".into()),
            window: Window::default(),
            at_least: Some(2),
            at_most: Some(2)
        }
    );
    assert_eq!(
        s.expectations[7].check,
        Check::AtEnd(EndCond::Dead("root/w".into()))
    );
}

#[test]
fn count_bounds_are_checked() {
    let e = bad_str(&with_tree(
        r#""expect": [{"count": "crash", "of": "root", "equals": 1, "at_most": 2}],"#,
        "",
    ));
    assert_eq!(e, "s.json:1:101: at $.expect[0].equals: `equals` with `at_least` or `at_most` (expected `equals` alone, or `at_least` and/or `at_most`)");
    let e = bad_str(&with_tree(
        r#""expect": [{"count": "crash", "of": "root"}],"#,
        "",
    ));
    assert_eq!(e, "s.json:1:58: at $.expect[0]: a count without a bound (expected `at_least`, `at_most` or `equals`)");
}

#[test]
fn paths_node_at_and_patterns() {
    let s = load_str(
        "p.json",
        &with_tree(
            "",
            r#"{"id": "db", "type": "supervisor", "children": [{"id": "conn1", "model": "worker"}]},
               {"id": "parts", "type": "partition_supervisor", "partitions": 3, "child": {"model": "counter"}},
               {"id": "dyn", "type": "dynamic_supervisor", "children": [{"id": "s1", "model": "worker"}]}"#,
        ),
    )
    .unwrap();
    assert_eq!(
        s.paths(),
        [
            "root",
            "root/db",
            "root/db/conn1",
            "root/parts",
            "root/parts/0",
            "root/parts/1",
            "root/parts/2",
            "root/dyn",
            "root/dyn/s1"
        ]
    );
    assert_eq!(s.node_at("root/db/conn1").unwrap().id, "conn1");
    assert_eq!(s.node_at("root/parts/2").unwrap().id, "counter");
    assert!(s.node_at("root/parts/3").is_none());
    assert!(s.node_at("root/parts/02").is_none());
    assert!(s.node_at("other").is_none());
    assert!(s.node_at("root/db/conn1/x").is_none());
    let matched: Vec<String> = s
        .paths()
        .into_iter()
        .filter(|p| pattern_matches("root/*/1", p))
        .collect();
    assert_eq!(matched, ["root/parts/1"]);
}

#[test]
fn to_json_round_trips_every_section() {
    let text = with_tree(
        r#""seed": 42, "description": "all of it", "limits": {"max_events": 5000},
           "workload": [{"id": "users", "model": "load_client", "params": {"target": {"registry": "root/reg", "key": "{user, 1}"}}}],
           "phases": [{"name": "chaos", "from": 0, "until": "30s"}, {"name": "heal", "from": "30s", "until": "60s", "faults": false}],
           "faults": [
             {"at": "1s", "target": "root/db", "action": "terminate_child", "child": "conn1"},
             {"at": "1500ms", "target": "root/db", "action": "start_child", "child": {"id": "conn2", "model": "worker", "restart": "temporary", "shutdown": "brutal_kill"}},
             {"at": "2s", "target": {"registry": "root/reg", "key": "{user, 1}"}, "action": "drop_messages", "probability": 0.25, "for": "1s"},
             {"at": "3s", "target": "root/counter", "action": "upgrade", "to_version": 2},
             {"at": "4s", "target": "root/db/conn1", "action": "delay_messages", "delay": "20ms", "for": "2s"},
             {"at": "5s", "target": "root/db/conn1", "action": "pause", "for": "250us"},
             {"random": "degrade", "targets": ["root/db/*"], "mtbf": "7s", "error_rate": 0.5, "latency": "30ms", "for": "1s"}
           ],
           "swarm": [{"fault": 6, "mtbf": ["1s", "20s"]}],
           "expect": [{"eventually": {"alive": "root/db/conn1"}, "during": "heal"}, {"calls": "users", "min_calls": 1}],"#,
        r#"{"id": "db", "type": "supervisor", "strategy": "rest_for_one", "max_restarts": 10, "max_seconds": 60, "children": [{"id": "conn1", "model": "worker", "shutdown": "2s"}]},
           {"id": "reg", "type": "registry", "keys": "unique", "partitions": 4},
           {"id": "counter", "model": "counter"},
           {"id": "tasks", "type": "task_supervisor", "max_children": 8}"#,
    );
    let s = load_str("r.json", &text).unwrap();
    let written = s.to_json().to_string();
    let mut back = load_str("again.json", &written).unwrap_or_else(|e| panic!("{e}\n{written}"));
    back.file = s.file.clone();
    assert_eq!(back, s);
    assert_eq!(back.to_json(), s.to_json());
}

#[test]
fn tree_drawing_in_three_formats() {
    use otpsim::scenario::tree_draw::draw;
    use otpsim::scenario::TreeFormat;
    let s = load_str(
        "tree.json",
        r#"{"otpsim": 1, "name": "shop", "duration": "10s", "app": {"root":
            {"id": "root", "type": "supervisor", "children": [
              {"id": "db", "type": "supervisor", "strategy": "rest_for_one", "max_restarts": 10, "max_seconds": 60, "children": [
                {"id": "conn1", "model": "worker", "shutdown": "2s"},
                {"id": "conn2", "model": "worker", "restart": "transient", "shutdown": "brutal_kill"}]},
              {"id": "parts", "type": "partition_supervisor", "partitions": 4, "child": {"model": "counter"}},
              {"id": "cache", "model": "cache"}]}}}"#,
    )
    .unwrap();
    assert_eq!(
        draw(&s, TreeFormat::Text),
        "\
root (supervisor one_for_one, 3/5s)
├── db (supervisor rest_for_one, 10/60s) permanent, shutdown infinity
│   ├── conn1 (worker) permanent, shutdown 2s
│   └── conn2 (worker) transient, shutdown brutal_kill
├── parts (partition_supervisor one_for_one, 4 partitions, 3/5s) permanent, shutdown infinity
│   └── [0..3] (counter) permanent, shutdown 5s
└── cache (cache) permanent, shutdown 5s
"
    );
    assert_eq!(
        draw(&s, TreeFormat::Dot),
        r#"digraph "shop" {
  rankdir=TB;
  "root" [shape=box, label="root\nsupervisor one_for_one, 3/5s"];
  "root/db" [shape=box, label="db\nsupervisor rest_for_one, 10/60s\npermanent, shutdown infinity"];
  "root/db/conn1" [shape=ellipse, label="conn1\nworker\npermanent, shutdown 2s"];
  "root/db/conn2" [shape=ellipse, label="conn2\nworker\ntransient, shutdown brutal_kill"];
  "root/parts" [shape=box, label="parts\npartition_supervisor one_for_one, 4 partitions, 3/5s\npermanent, shutdown infinity"];
  "root/parts/[0..3]" [shape=ellipse, label="[0..3]\ncounter\npermanent, shutdown 5s"];
  "root/cache" [shape=ellipse, label="cache\ncache\npermanent, shutdown 5s"];
  "root" -> "root/db";
  "root/db" -> "root/db/conn1";
  "root/db" -> "root/db/conn2";
  "root" -> "root/parts";
  "root/parts" -> "root/parts/[0..3]";
  "root" -> "root/cache";
}
"#
    );
    assert_eq!(
        draw(&s, TreeFormat::Mermaid),
        r#"flowchart TD
  n0["root<br/>supervisor one_for_one, 3/5s"]
  n1["db<br/>supervisor rest_for_one, 10/60s<br/>permanent, shutdown infinity"]
  n2(["conn1<br/>worker<br/>permanent, shutdown 2s"])
  n3(["conn2<br/>worker<br/>transient, shutdown brutal_kill"])
  n4["parts<br/>partition_supervisor one_for_one, 4 partitions, 3/5s<br/>permanent, shutdown infinity"]
  n5(["[0..3]<br/>counter<br/>permanent, shutdown 5s"])
  n6(["cache<br/>cache<br/>permanent, shutdown 5s"])
  n0 --> n1
  n1 --> n2
  n1 --> n3
  n0 --> n4
  n4 --> n5
  n0 --> n6
"#
    );
}

#[test]
fn a_model_missing_its_params_is_located_at_its_name() {
    let e = bad_str(&with_tree(
        r#""workload": [{"id": "c", "model": "load_client"}],"#,
        "",
    ));
    assert_eq!(
        e,
        "s.json:1:81: at $.workload[0].model: model `load_client` needs `params` with a `target`"
    );
}

#[test]
fn pattern_checks_have_a_work_budget() {
    let sups: Vec<String> = (0..300)
        .map(|i| format!(r#"{{"id":"p{i}","type":"partition_supervisor","partitions":1024,"child":{{"model":"counter"}}}}"#))
        .collect();
    let patterns: Vec<String> = (0..40).map(|i| format!(r#""root/*/nothing{i}""#)).collect();
    let faults = format!(
        r#""faults": [{{"random": "crash", "targets": [{}], "mtbf": "1s"}}],"#,
        patterns.join(",")
    );
    let e = bad_str(&with_tree(&faults, &sups.join(",")));
    let first = e.lines().next().unwrap();
    assert!(
        first.contains("the pattern `root/*/nothing0` matches no node"),
        "{first}"
    );
    assert!(
        e.lines().any(|l| l.contains("would compare too many paths (expected patterns checked with at most 10000000 path comparisons in all")),
        "{}",
        &e[..e.len().min(2000)]
    );
}

#[test]
fn a_model_event_count_names_its_event_and_only_it_takes_what() {
    let s = load_str(
        "s.json",
        &with_tree(
            r#""expect": [{"count": "model_event", "what": "expired", "of": "root/**", "at_least": 2}],"#,
            "",
        ),
    )
    .unwrap();
    assert_eq!(
        s.expectations[0].check,
        Check::Count {
            what: EventMatch::ModelEvent {
                of: "root/**".into(),
                what: "expired".into()
            },
            window: Default::default(),
            at_least: Some(2),
            at_most: None,
        }
    );
    assert_eq!(
        s.expectations[0].name,
        "count model_event expired root/** at_least 2"
    );
    let again = load_str("again.json", &s.to_json().to_string()).unwrap();
    assert_eq!(again.expectations, s.expectations);
    let e = bad_str(&with_tree(
        r#""expect": [{"count": "model_event", "of": "root", "at_least": 1}],"#,
        "",
    ));
    assert!(
        e.contains("at $.expect[0]: a `model_event` count without `what`"),
        "{e}"
    );
    let e = bad_str(&with_tree(
        r#""expect": [{"count": "crash", "what": "expired", "of": "root", "at_least": 1}],"#,
        "",
    ));
    assert!(
        e.contains("at $.expect[0].what: field `what` only applies to a `model_event` count"),
        "{e}"
    );
    let e = bad_str(&with_tree(
        r#""expect": [{"count": "model_event", "what": "Not OK", "of": "root", "at_least": 1}],"#,
        "",
    ));
    assert!(e.contains("`Not OK` is not a model event name"), "{e}");
}

#[test]
fn ver3_auto_shutdown_and_significant_as_in_elixir_1_15() {
    // VER-3: a Supervisor takes `auto_shutdown` and significant children (Elixir 1.15
    // and later); a DynamicSupervisor allows only `auto_shutdown: :never`, so the field
    // does not exist on a `dynamic_supervisor` node.
    let supervised = r#"{"otpsim": 1, "name": "t", "duration": "60s",
"app": {"root": {"id": "root", "type": "supervisor", "auto_shutdown": "any_significant",
"children": [{"id": "w", "model": "worker", "restart": "transient", "significant": true}]}}}"#;
    assert!(load_str("s.json", supervised).is_ok());
    let err = bad_str(&with_tree(
        "",
        r#"{"id": "d", "type": "dynamic_supervisor", "auto_shutdown": "any_significant"}"#,
    ));
    assert!(
        err.contains("at $.app.root.children[0].auto_shutdown: field `auto_shutdown` does not apply to a `dynamic_supervisor` node"),
        "{err}"
    );
}
