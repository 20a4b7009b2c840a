//! A scenario written back in the file format, every field explicit, so that loading
//! the result gives an equal scenario: trace headers carry their input this way, and
//! `shrink` writes its minimised scenarios this way.

use super::load::env_json;
use super::spec::{
    AppRestartType, AutoShutdownSpec, Check, EndCond, EventMatch, Expectation, FaultAction,
    FaultSpec, Intensity, Node, NodeKind, RegistryKeys, RestartSpec, Scenario, ShutdownSpec,
    StateCond, StrategySpec, SupervisorCall, Target, Window, FORMAT_VERSION,
};
use serde_json::{json, Map, Value};

/// A duration as the format writes it: the largest unit that keeps it exact
/// (`"2m"`, `"90s"`, `"1500ms"`, `"250us"`; zero is `"0s"`).
///
/// ```
/// use otpsim::scenario::format_duration;
/// assert_eq!(format_duration(120_000_000), "2m");
/// assert_eq!(format_duration(1_500_000), "1500ms");
/// assert_eq!(format_duration(7), "7us");
/// ```
pub fn format_duration(us: u64) -> String {
    if us == 0 {
        return "0s".to_string();
    }
    for (unit, n) in [
        ("h", 3_600_000_000),
        ("m", 60_000_000),
        ("s", 1_000_000),
        ("ms", 1_000),
    ] {
        if us % n == 0 {
            return format!("{}{unit}", us / n);
        }
    }
    format!("{us}us")
}

/// The `"count"` word and the `"of"` pattern of an event match.
pub(crate) fn event_match(m: &EventMatch) -> (&'static str, &str) {
    match m {
        EventMatch::Crash(p) => ("crash", p),
        EventMatch::Restart(p) => ("restart", p),
        EventMatch::Escalation(p) => ("escalation", p),
        EventMatch::KilledOverBudget(p) => ("killed_over_budget", p),
        EventMatch::BreakerOpen(p) => ("breaker_open", p),
        EventMatch::Fault(p) => ("fault", p),
        EventMatch::ModelEvent { of, .. } => ("model_event", of),
    }
}

impl Scenario {
    /// The scenario in the file format, every field written out (defaults included), so
    /// that `load_str(.., &to_json().to_string())` gives back an equal scenario (its
    /// `file` aside). Keys come out sorted: `serde_json` objects keep them so.
    pub fn to_json(&self) -> Value {
        let l = &self.limits;
        let mut app = json!({
            "name": self.app.name,
            "type": match self.app.app_type {
                AppRestartType::Permanent => "permanent",
                AppRestartType::Transient => "transient",
                AppRestartType::Temporary => "temporary",
            },
            "env": Value::Object(self.app.env.iter().map(|(k, t)| (k.clone(), env_json(t))).collect()),
            "root": node_json(&self.app.root),
        });
        if let Some(t) = self.app.stop_at_us {
            app["stop_at"] = json!(format_duration(t));
        }
        let mut top = json!({
            "otpsim": FORMAT_VERSION,
            "name": self.name,
            "description": self.description,
            "seed": self.seed,
            "duration": format_duration(self.duration_us),
            "limits": {
                "max_events": l.max_events,
                "max_events_per_instant": l.max_events_per_instant,
                "max_processes": l.max_processes,
                "max_mailbox_len": l.max_mailbox_len,
            },
            "app": app,
            "workload": self.workload.iter().map(|c| {
                let mut m = c.model.to_json();
                m["id"] = json!(c.id);
                m
            }).collect::<Vec<_>>(),
            "faults": self.faults.iter().map(fault_json).collect::<Vec<_>>(),
            "phases": self.phases.iter().map(|p| json!({
                "name": p.name,
                "from": format_duration(p.from_us),
                "until": format_duration(p.until_us),
                "faults": p.faults,
            })).collect::<Vec<_>>(),
            "swarm": self.swarm.iter().map(|b| json!({
                "fault": b.fault_index,
                "mtbf": [format_duration(b.min_mtbf_us), format_duration(b.max_mtbf_us)],
            })).collect::<Vec<_>>(),
            "expect": self.expectations.iter().map(expectation_json).collect::<Vec<_>>(),
        });
        // Absent means off; there is no JSON value for "off" to write instead.
        if let Some(b) = self.buggify {
            top["buggify"] = json!({"enable": b.enable, "fire": b.fire});
        }
        top
    }
}

fn strategy(s: StrategySpec) -> &'static str {
    match s {
        StrategySpec::OneForOne => "one_for_one",
        StrategySpec::OneForAll => "one_for_all",
        StrategySpec::RestForOne => "rest_for_one",
    }
}

fn intensity(obj: &mut Map<String, Value>, i: &Intensity) {
    obj.insert("max_restarts".into(), json!(i.max_restarts));
    obj.insert("max_seconds".into(), json!(i.max_seconds));
}

fn max_children(m: Option<u32>) -> Value {
    m.map_or_else(|| json!("infinity"), |n| json!(n))
}

/// A node in the file format.
pub(crate) fn node_json(n: &Node) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), json!(n.id));
    let restart = match n.restart {
        RestartSpec::Permanent => "permanent",
        RestartSpec::Transient => "transient",
        RestartSpec::Temporary => "temporary",
    };
    obj.insert("restart".into(), json!(restart));
    let shutdown = match n.shutdown {
        ShutdownSpec::BrutalKill => json!("brutal_kill"),
        ShutdownSpec::Infinity => json!("infinity"),
        ShutdownSpec::Timeout(us) => json!(format_duration(us)),
    };
    obj.insert("shutdown".into(), shutdown);
    obj.insert("significant".into(), json!(n.significant));
    let put = |obj: &mut Map<String, Value>, k: &str, v: Value| {
        obj.insert(k.to_string(), v);
    };
    match &n.kind {
        NodeKind::Model(m) => {
            if let Value::Object(fields) = m.to_json() {
                obj.extend(fields);
            }
        }
        NodeKind::Supervisor {
            strategy: s,
            intensity: i,
            auto_shutdown,
            children,
        } => {
            put(&mut obj, "type", json!("supervisor"));
            put(&mut obj, "strategy", json!(strategy(*s)));
            intensity(&mut obj, i);
            let a = match auto_shutdown {
                AutoShutdownSpec::Never => "never",
                AutoShutdownSpec::AnySignificant => "any_significant",
                AutoShutdownSpec::AllSignificant => "all_significant",
            };
            put(&mut obj, "auto_shutdown", json!(a));
            put(
                &mut obj,
                "children",
                children.iter().map(node_json).collect(),
            );
        }
        NodeKind::DynamicSupervisor {
            intensity: i,
            max_children: m,
            children,
        } => {
            put(&mut obj, "type", json!("dynamic_supervisor"));
            intensity(&mut obj, i);
            put(&mut obj, "max_children", max_children(*m));
            put(
                &mut obj,
                "children",
                children.iter().map(node_json).collect(),
            );
        }
        NodeKind::TaskSupervisor {
            intensity: i,
            max_children: m,
        } => {
            put(&mut obj, "type", json!("task_supervisor"));
            intensity(&mut obj, i);
            put(&mut obj, "max_children", max_children(*m));
        }
        NodeKind::PartitionSupervisor {
            partitions,
            child,
            strategy: s,
            intensity: i,
        } => {
            put(&mut obj, "type", json!("partition_supervisor"));
            put(&mut obj, "partitions", json!(partitions));
            put(&mut obj, "strategy", json!(strategy(*s)));
            intensity(&mut obj, i);
            put(&mut obj, "child", node_json(child));
        }
        NodeKind::Registry { keys, partitions } => {
            put(&mut obj, "type", json!("registry"));
            let k = match keys {
                RegistryKeys::Unique => "unique",
                RegistryKeys::Duplicate => "duplicate",
            };
            put(&mut obj, "keys", json!(k));
            put(&mut obj, "partitions", json!(partitions));
        }
    }
    Value::Object(obj)
}

fn target_json(t: &Target) -> Value {
    match t {
        Target::Path(p) => json!(p),
        Target::RegistryKey { registry, key } => {
            json!({"registry": registry, "key": key.to_string()})
        }
    }
}

/// The action's name and its fields, added to `obj`.
fn action_fields(a: &FaultAction, obj: &mut Map<String, Value>) -> &'static str {
    let mut put = |k: &str, v: Value| {
        obj.insert(k.to_string(), v);
    };
    match a {
        FaultAction::Exit { reason } => {
            put("reason", json!(reason.to_string()));
            "exit"
        }
        FaultAction::Crash { reason } => {
            put("reason", json!(reason.to_string()));
            "crash"
        }
        FaultAction::Degrade {
            error_rate,
            latency_us,
            for_us,
        } => {
            put("error_rate", json!(error_rate));
            put("latency", json!(format_duration(*latency_us)));
            put("for", json!(format_duration(*for_us)));
            "degrade"
        }
        FaultAction::DropMessages {
            probability,
            for_us,
        } => {
            put("probability", json!(probability));
            put("for", json!(format_duration(*for_us)));
            "drop_messages"
        }
        FaultAction::DelayMessages { delay_us, for_us } => {
            put("delay", json!(format_duration(*delay_us)));
            put("for", json!(format_duration(*for_us)));
            "delay_messages"
        }
        FaultAction::Pause { for_us } => {
            put("for", json!(format_duration(*for_us)));
            "pause"
        }
        FaultAction::Upgrade { to_vsn } => {
            put("to_version", json!(to_vsn));
            "upgrade"
        }
        FaultAction::SupervisorCall { call, child, spec } => match call {
            SupervisorCall::StartChild => {
                put(
                    "child",
                    spec.as_deref()
                        .map_or_else(|| json!({"id": child}), node_json),
                );
                "start_child"
            }
            SupervisorCall::TerminateChild => {
                put("child", json!(child));
                "terminate_child"
            }
            SupervisorCall::RestartChild => {
                put("child", json!(child));
                "restart_child"
            }
            SupervisorCall::DeleteChild => {
                put("child", json!(child));
                "delete_child"
            }
        },
    }
}

fn fault_json(f: &FaultSpec) -> Value {
    let mut obj = Map::new();
    match f {
        FaultSpec::Scheduled {
            at_us,
            target,
            action,
        } => {
            let name = action_fields(action, &mut obj);
            obj.insert("at".into(), json!(format_duration(*at_us)));
            obj.insert("target".into(), target_json(target));
            obj.insert("action".into(), json!(name));
        }
        FaultSpec::Random {
            targets,
            mtbf_us,
            action,
        } => {
            let name = action_fields(action, &mut obj);
            obj.insert("random".into(), json!(name));
            obj.insert("targets".into(), json!(targets));
            obj.insert("mtbf".into(), json!(format_duration(*mtbf_us)));
        }
    }
    Value::Object(obj)
}

fn cond_json(c: &StateCond) -> Value {
    match c {
        StateCond::Alive(p) => json!({"alive": p}),
        StateCond::BreakerState(p, s) => json!({"breaker": p, "state": s}),
    }
}

fn window(obj: &mut Map<String, Value>, w: &Window) {
    obj.insert("from".into(), json!(format_duration(w.from_us)));
    if let Some(u) = w.until_us {
        obj.insert("until".into(), json!(format_duration(u)));
    }
}

fn expectation_json(e: &Expectation) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), json!(e.name));
    let mut put = |k: &str, v: Value| {
        obj.insert(k.to_string(), v);
    };
    match &e.check {
        Check::Always(c, w)
        | Check::Never(c, w)
        | Check::Sometimes(c, w)
        | Check::Eventually(c, w) => {
            let key = match &e.check {
                Check::Always(..) => "always",
                Check::Never(..) => "never",
                Check::Sometimes(..) => "sometimes",
                _ => "eventually",
            };
            put(key, cond_json(c));
            window(&mut obj, w);
        }
        Check::Count {
            what,
            window: w,
            at_least,
            at_most,
        } => {
            let (kind, of) = event_match(what);
            put("count", json!(kind));
            put("of", json!(of));
            if let EventMatch::ModelEvent { what, .. } = what {
                put("what", json!(what));
            }
            if let Some(n) = at_least {
                put("at_least", json!(n));
            }
            if let Some(n) = at_most {
                put("at_most", json!(n));
            }
            window(&mut obj, w);
        }
        Check::Calls {
            client,
            min_success_ratio,
            max_timeouts,
            max_errors,
            min_calls,
        } => {
            put("calls", json!(client));
            if let Some(r) = min_success_ratio {
                put("min_success_ratio", json!(r));
            }
            for (k, v) in [
                ("max_timeouts", max_timeouts),
                ("max_errors", max_errors),
                ("min_calls", min_calls),
            ] {
                if let Some(v) = v {
                    put(k, json!(v));
                }
            }
        }
        Check::AtEnd(end) => put(
            "at_end",
            match end {
                EndCond::Alive(p) => json!({"alive": p}),
                EndCond::Dead(p) => json!({"dead": p}),
                EndCond::Children(p, n) => json!({"children": p, "count": n}),
            },
        ),
        Check::NothingLost => put("nothing_lost", json!(true)),
    }
    Value::Object(obj)
}
