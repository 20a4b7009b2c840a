//! Hand-built traces and scenarios for the checker's tests.
#![allow(dead_code)]

use otpsim::scenario::spec::{
    AppRestartType, AppSpec, AutoShutdownSpec, Check, Expectation, Intensity, Node, NodeKind,
    RestartSpec, Scenario, ScenarioLimits, ShutdownSpec, StrategySpec, Window,
};
use otpsim::term::{parse_term, Atom, Pid, Ref, Term};
use otpsim::trace::{Event, EventKind};

pub fn pid(n: u32) -> Pid {
    Pid::from_parts(n, n)
}

pub fn term(text: &str) -> Term {
    parse_term(text).unwrap()
}

/// Microseconds from seconds.
pub fn s(secs: u64) -> u64 {
    secs * 1_000_000
}

pub fn window(from_s: u64, until_s: Option<u64>) -> Window {
    Window {
        from_us: s(from_s),
        until_us: until_s.map(s),
    }
}

pub fn all() -> Window {
    Window::default()
}

/// A trace written in time order: `at` moves the clock, each call adds an event.
#[derive(Default)]
pub struct Tr {
    pub events: Vec<Event>,
    t: u64,
}

impl Tr {
    pub fn new() -> Tr {
        Tr::default()
    }

    pub fn at(&mut self, t_us: u64) -> &mut Tr {
        assert!(t_us >= self.t);
        self.t = t_us;
        self
    }

    pub fn push(&mut self, kind: EventKind) -> &mut Tr {
        let seq = self.events.len() as u64;
        self.events.push(Event {
            t: self.t,
            seq,
            kind,
        });
        self
    }

    pub fn spawn(&mut self, n: u32, label: &str) -> &mut Tr {
        self.push(EventKind::Spawn {
            parent: None,
            child: pid(n),
            linked: true,
            monitored: false,
            label: Some(label.into()),
        })
    }

    pub fn exit(&mut self, n: u32, reason: &str) -> &mut Tr {
        self.push(EventKind::Exit {
            pid: pid(n),
            reason: term(reason),
        })
    }

    pub fn child_start(&mut self, sup: u32, id: &str, child: u32, cause: &str) -> &mut Tr {
        self.push(EventKind::ChildStart {
            sup: pid(sup),
            id: term(id),
            pid: Some(pid(child)),
            result: term("ok"),
            cause: Atom::new(cause),
        })
    }

    /// A crash of `old` at `label` and its restart as `new` by `sup` under `id`.
    pub fn crash_restart(
        &mut self,
        sup: u32,
        id: &str,
        label: &str,
        old: u32,
        new: u32,
    ) -> &mut Tr {
        self.exit(old, "boom")
            .spawn(new, label)
            .child_start(sup, id, new, "restart")
    }

    pub fn intensity(&mut self, sup: u32, id: &str) -> &mut Tr {
        self.push(EventKind::IntensityExceeded {
            sup: pid(sup),
            offender_id: term(id),
        })
    }

    pub fn shutdown_timeout(&mut self, sup: u32, id: &str, child: u32) -> &mut Tr {
        self.push(EventKind::ChildShutdownTimeout {
            sup: pid(sup),
            id: term(id),
            pid: pid(child),
        })
    }

    pub fn model(&mut self, n: u32, model: &str, what: &str, detail: &str) -> &mut Tr {
        self.push(EventKind::Model {
            pid: pid(n),
            model: Atom::new(model),
            what: Atom::new(what),
            detail: term(detail),
        })
    }

    pub fn breaker(&mut self, n: u32, state: &str) -> &mut Tr {
        self.model(n, "circuit_breaker", "breaker_state", state)
    }

    pub fn outcome(&mut self, n: u32, outcome: &str, latency_us: u64) -> &mut Tr {
        let detail = format!("{{{outcome}, {latency_us}}}");
        self.model(n, "load_client", "call_outcome", &detail)
    }

    pub fn fault(&mut self, target: &str, action: &str, cause: &str) -> &mut Tr {
        self.push(EventKind::Fault {
            target: target.to_string(),
            pid: None,
            action: Atom::new(action),
            detail: term("kill"),
            cause: Atom::new(cause),
        })
    }

    pub fn call(&mut self, caller: u32, server: u32, tag: u64, timeout: &str) -> &mut Tr {
        self.push(EventKind::Call {
            caller: pid(caller),
            server: pid(server),
            tag: Ref(tag),
            request: term("get"),
            timeout: term(timeout),
        })
    }

    pub fn reply(&mut self, server: u32, caller: u32, tag: u64) -> &mut Tr {
        self.push(EventKind::Reply {
            server: pid(server),
            caller: pid(caller),
            tag: Ref(tag),
            value: term("ok"),
        })
    }

    pub fn call_exit(&mut self, caller: u32, tag: u64, reason: &str) -> &mut Tr {
        self.push(EventKind::CallExit {
            caller: pid(caller),
            server: term("x"),
            tag: Some(Ref(tag)),
            reason: term(reason),
        })
    }
}

/// A scenario with an empty root supervisor and these expectations.
pub fn scenario(checks: Vec<Check>) -> Scenario {
    let root = Node {
        id: "root".to_string(),
        restart: RestartSpec::Permanent,
        shutdown: ShutdownSpec::Infinity,
        significant: false,
        kind: NodeKind::Supervisor {
            strategy: StrategySpec::OneForOne,
            intensity: Intensity {
                max_restarts: 3,
                max_seconds: 5,
            },
            auto_shutdown: AutoShutdownSpec::Never,
            children: Vec::new(),
        },
    };
    Scenario {
        file: "test.json".to_string(),
        name: "test".to_string(),
        description: String::new(),
        seed: 1,
        duration_us: s(60),
        limits: ScenarioLimits::default(),
        app: AppSpec {
            name: "test".to_string(),
            app_type: AppRestartType::Temporary,
            env: Vec::new(),
            root,
            stop_at_us: None,
        },
        workload: Vec::new(),
        faults: Vec::new(),
        phases: Vec::new(),
        swarm: Vec::new(),
        buggify: None,
        expectations: checks
            .into_iter()
            .enumerate()
            .map(|(i, check)| Expectation {
                name: format!("e{i}"),
                check,
            })
            .collect(),
    }
}

/// Evaluates one check: (passed, detail).
pub fn verdict(check: Check, events: &[Event], end_us: u64) -> (bool, String) {
    let results = otpsim::check::evaluate(&scenario(vec![check]), events, end_us);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].name, "e0");
    (results[0].passed, results[0].detail.clone())
}
