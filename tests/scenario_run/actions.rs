//! Each fault action: what it does to its target, and the `fault` event it leaves.

use super::*;

#[test]
fn exit_and_crash_hit_the_process_running_at_the_path() {
    let s = scenario(
        r#"{"id": "a", "model": "worker"}, {"id": "b", "model": "worker", "params": {"trap_exit": true}}"#,
        r#","faults": [
            {"at": "1s", "target": "root/a", "action": "exit", "reason": "{shutdown, db_down}"},
            {"at": "2s", "target": "root/a", "action": "exit"},
            {"at": "3s", "target": "root/b", "action": "crash", "reason": "boom"}]"#,
    );
    let out = run1(&s);
    let f = faults(&out.events);
    let a = pids_labelled(&out.events, "root/a");
    let b = pids_labelled(&out.events, "root/b");
    assert_eq!(a.len(), 3, "a started, restarted twice");
    assert_eq!(
        f.iter()
            .map(|x| (
                x.t,
                x.target.as_str(),
                x.pid,
                x.action.as_str(),
                x.detail.to_string(),
                x.cause.as_str()
            ))
            .collect::<Vec<_>>(),
        vec![
            (
                S,
                "root/a",
                Some(a[0]),
                "exit",
                "{shutdown,db_down}".to_string(),
                "scheduled"
            ),
            (
                2 * S,
                "root/a",
                Some(a[1]),
                "exit",
                "kill".to_string(),
                "scheduled"
            ),
            (
                3 * S,
                "root/b",
                Some(b[0]),
                "crash",
                "boom".to_string(),
                "scheduled"
            ),
        ]
    );
    assert_eq!(
        exit_of(&out.events, a[0]).map(|(_, r)| r.to_string()),
        Some("{shutdown,db_down}".into())
    );
    assert_eq!(
        exit_of(&out.events, a[1]).map(|(t, r)| (t, r.to_string())),
        Some((2 * S, "killed".into()))
    );
    // A crash is from inside: terminate runs with the reason.
    assert!(out.events.iter().any(|e| matches!(&e.kind, EventKind::TerminateCb { pid, reason } if *pid == b[0] && reason.is_atom("boom"))));
    assert_eq!(
        exit_of(&out.events, b[0]).map(|(_, r)| r.to_string()),
        Some("boom".into())
    );
}

#[test]
fn a_fault_on_a_path_where_nothing_runs_is_missed() {
    let s = scenario(
        r#"{"id": "a", "model": "worker", "restart": "temporary"}"#,
        r#","faults": [
            {"at": "1s", "target": "root/a", "action": "exit"},
            {"at": "2s", "target": "root/a", "action": "crash", "reason": "late"}]"#,
    );
    let f = faults(&run1(&s).events);
    assert_eq!(f[1].action, "missed");
    assert_eq!(f[1].pid, None);
    assert_eq!(f[1].detail.to_string(), "{crash,late}");
}

#[test]
fn degrade_makes_a_dependency_fail_for_its_window() {
    let s = scenario(
        r#"{"id": "db", "model": "flaky", "params": {"latency": "1ms"}}"#,
        r#","workload": [{"id": "c", "model": "load_client", "params": {"target": "root/db", "rate": 100}}],
           "faults": [{"at": "2s", "target": "root/db", "action": "degrade", "error_rate": 1.0, "latency": "5ms", "for": "1s"}]"#,
    );
    let out = run1(&s);
    let f = faults(&out.events);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].action, "degrade");
    assert_eq!(
        f[0].detail.to_string(),
        "[{error_rate_ppm,1000000},{latency_us,5000},{until_us,3000000}]"
    );
    let o = outcomes(&out.events);
    let errors: Vec<_> = o.iter().filter(|(_, k, _)| k == "error").collect();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .all(|(t, _, l)| *t >= 2 * S && *t < 3 * S + 10 * MS && *l >= 6_000),
        "{errors:?}"
    );
    assert!(
        o.iter().any(|(t, k, _)| *t > 3 * S + 10 * MS && k == "ok"),
        "it recovers"
    );
}

#[test]
fn dropped_messages_time_calls_out_and_delayed_ones_slow_them_down() {
    let s = scenario(
        r#"{"id": "a", "model": "worker"}, {"id": "b", "model": "worker"}"#,
        r#","workload": [
             {"id": "ca", "model": "load_client", "params": {"target": "root/a", "rate": 10, "call_timeout": "100ms"}},
             {"id": "cb", "model": "load_client", "params": {"target": "root/b", "rate": 10, "call_timeout": "1s"}}],
           "faults": [
             {"at": "2s", "target": "root/a", "action": "drop_messages", "for": "1s"},
             {"at": "2s", "target": "root/b", "action": "delay_messages", "delay": "300ms", "for": "1s"}]"#,
    );
    let out = run1(&s);
    let a = pids_labelled(&out.events, "root/a")[0];
    let drops = out
        .events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Drop { to, why, .. } if *to == a && why.as_str() == "fault"))
        .count();
    assert!(drops >= 9, "about 10 calls lost: {drops}");
    let labels = labels(&out.events);
    let by_client = |client: &str| -> Vec<(u64, String, i64)> {
        out.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Model {
                    pid, what, detail, ..
                } if what.as_str() == "call_outcome"
                    && labels
                        .get(pid)
                        .is_some_and(|l| l.starts_with(&format!("workload/{client}"))) =>
                {
                    match detail.as_tuple() {
                        Some([Term::Atom(o), Term::Int(l)]) => Some((e.t, o.to_string(), *l)),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect()
    };
    let ca = by_client("ca");
    assert!(ca.iter().filter(|(_, k, _)| k == "timeout").count() >= 9);
    assert!(ca
        .iter()
        .all(|(t, k, _)| k == "ok" || (*t >= 2 * S && *t <= 3 * S + 100 * MS)));
    let cb = by_client("cb");
    let slow: Vec<_> = cb.iter().filter(|(_, _, l)| *l >= 300_000).collect();
    assert!(slow.len() >= 9, "{cb:?}");
    assert!(cb.iter().all(|(_, k, _)| k == "ok"));
    assert!(cb
        .iter()
        .all(|(t, _, l)| *l < 300_000 || (*t >= 2 * S + 300 * MS && *t < 3 * S + 300 * MS)));
}

#[test]
fn pause_suspends_then_resumes_with_a_second_event() {
    let s = scenario(
        r#"{"id": "a", "model": "worker"}"#,
        r#","workload": [{"id": "c", "model": "load_client", "params": {"target": "root/a", "rate": 10}}],
           "faults": [{"at": "2s", "target": "root/a", "action": "pause", "for": "500ms"}]"#,
    );
    let out = run1(&s);
    let a = pids_labelled(&out.events, "root/a")[0];
    let f = faults(&out.events);
    assert_eq!(
        f.iter()
            .map(|x| (x.t, x.action.as_str(), x.pid, x.detail.to_string()))
            .collect::<Vec<_>>(),
        vec![
            (2 * S, "pause", Some(a), "[{until_us,2500000}]".to_string()),
            (2 * S + 500 * MS, "resume", Some(a), "ok".to_string()),
        ]
    );
    // Nothing handled while paused; the queued calls are served at the resume.
    let handled: Vec<u64> = out
        .events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Handle { pid, .. } if *pid == a))
        .map(|e| e.t)
        .collect();
    assert!(!handled.iter().any(|t| *t >= 2 * S && *t < 2 * S + 500 * MS));
    assert!(handled.iter().filter(|t| **t == 2 * S + 500 * MS).count() >= 4);
}

#[test]
fn upgrade_runs_code_change_in_the_target() {
    let s = scenario(
        r#"{"id": "hits", "model": "counter", "params": {"initial": 7}}"#,
        r#","faults": [{"at": "1s", "target": "root/hits", "action": "upgrade", "to_version": 2}]"#,
    );
    let out = run1(&s);
    let hits = pids_labelled(&out.events, "root/hits")[0];
    assert_eq!(faults(&out.events)[0].action, "upgrade");
    let changes: Vec<String> = out
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CodeChange {
                pid,
                new_vsn,
                result,
                ..
            } if *pid == hits => Some(format!("{new_vsn} {result}")),
            _ => None,
        })
        .collect();
    assert_eq!(changes, vec!["2 ok".to_string()]);
}

/// The `(request, reply)` of every call the fault helpers made, in order.
fn helper_calls(out: &RunOutput) -> Vec<(String, String)> {
    let labels = labels(&out.events);
    let mut calls = Vec::new();
    let mut tags = BTreeMap::new();
    for e in &out.events {
        match &e.kind {
            EventKind::Call {
                caller,
                tag,
                request,
                ..
            } if labels
                .get(caller)
                .is_some_and(|l| l.starts_with("otpsim/faults/")) =>
            {
                tags.insert(*tag, calls.len());
                calls.push((request.to_string(), String::new()));
            }
            EventKind::Reply { tag, value, .. } => {
                if let Some(i) = tags.get(tag) {
                    calls[*i].1 = value.to_string();
                }
            }
            _ => {}
        }
    }
    calls
}

#[test]
fn supervisor_calls_go_through_the_supervisor_api() {
    let s = scenario(
        r#"{"id": "a", "model": "worker"}, {"id": "b", "model": "worker"}"#,
        r#","faults": [
            {"at": "1s", "target": "root", "action": "terminate_child", "child": "a"},
            {"at": "2s", "target": "root", "action": "restart_child", "child": "a"},
            {"at": "3s", "target": "root", "action": "terminate_child", "child": "b"},
            {"at": "4s", "target": "root", "action": "delete_child", "child": "b"},
            {"at": "5s", "target": "root", "action": "start_child", "child": {"id": "extra", "model": "counter"}},
            {"at": "6s", "target": "root/extra", "action": "upgrade", "to_version": 2}]"#,
    );
    let out = run1(&s);
    let f = faults(&out.events);
    let root = pids_labelled(&out.events, "root")[0];
    assert_eq!(
        f.iter()
            .map(|x| (x.action.as_str(), x.pid, x.detail.to_string()))
            .take(5)
            .collect::<Vec<_>>(),
        vec![
            ("terminate_child", Some(root), "a".to_string()),
            ("restart_child", Some(root), "a".to_string()),
            ("terminate_child", Some(root), "b".to_string()),
            ("delete_child", Some(root), "b".to_string()),
            ("start_child", Some(root), "extra".to_string()),
        ]
    );
    let calls = helper_calls(&out);
    let requests: Vec<&str> = calls.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        &requests[..4],
        [
            "{terminate_child,a}",
            "{restart_child,a}",
            "{terminate_child,b}",
            "{delete_child,b}"
        ]
    );
    assert_eq!(calls[0].1, "ok");
    assert!(calls[1].1.starts_with("{ok,"), "{calls:?}");
    assert_eq!(calls[3].1, "ok");
    assert!(calls[4].0.starts_with("{start_child,"));
    assert!(calls[4].1.starts_with("{ok,"), "{calls:?}");
    // The added child lives at root/extra and faults can reach it there.
    let extra = pids_labelled(&out.events, "root/extra");
    assert_eq!(extra.len(), 1);
    assert_eq!(f[5].pid, Some(extra[0]));
    assert!(out.events.iter().any(|e| matches!(&e.kind, EventKind::CodeChange { pid, result, .. } if *pid == extra[0] && result.is_atom("ok"))));
}

#[test]
fn dynamic_supervisor_children_are_terminated_by_label_and_added_by_spec() {
    let s = scenario(
        r#"{"id": "dyn", "type": "dynamic_supervisor", "children": [{"id": "s1", "model": "worker"}]}"#,
        r#","faults": [
            {"at": "1s", "target": "root/dyn", "action": "terminate_child", "child": "s1"},
            {"at": "2s", "target": "root/dyn", "action": "terminate_child", "child": "s1"},
            {"at": "3s", "target": "root/dyn", "action": "start_child", "child": {"id": "s2", "model": "worker"}}]"#,
    );
    let out = run1(&s);
    let s1 = pids_labelled(&out.events, "root/dyn/s1")[0];
    assert_eq!(
        exit_of(&out.events, s1).map(|(t, r)| (t, r.to_string())),
        Some((S, "shutdown".into()))
    );
    let f = faults(&out.events);
    assert_eq!(f[1].action, "missed");
    assert_eq!(
        f[1].detail.to_string(),
        "{terminate_child,{not_running,s1}}"
    );
    assert_eq!(pids_labelled(&out.events, "root/dyn/s2").len(), 1);
}

#[test]
fn a_registry_key_nobody_holds_is_missed() {
    let s = scenario(
        r#"{"id": "reg", "type": "registry", "keys": "unique"}"#,
        r#","faults": [{"at": "1s", "target": {"registry": "root/reg", "key": "alice"}, "action": "exit"}]"#,
    );
    let f = faults(&run1(&s).events);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].target.as_str(), f[0].action.as_str()),
        ("root/reg[alice]", "missed")
    );
}
