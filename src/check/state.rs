//! The state of a run as the trace tells it: which process runs at which tree path,
//! and what each circuit breaker last said it was.
//!
//! A process's path is the label of its `spawn` event (supervisors label their
//! children `sup_path/id`, clients are `workload/<id>`). A process is alive at its path
//! from its `spawn` event to its `exit` event. Pids are never reused in a run, so a
//! pid's label stays valid after it dies.

use crate::scenario::spec::StateCond;
use crate::term::{Pid, Term};
use crate::trace::{Event, EventKind};
use std::collections::{BTreeMap, BTreeSet};

/// The world at one point of a run, rebuilt event by event with [`World::apply`].
#[derive(Clone, Debug, Default)]
pub struct World {
    /// Every labelled pid seen so far, alive or not.
    labels: BTreeMap<Pid, String>,
    /// The live labelled pids at each path.
    alive: BTreeMap<String, BTreeSet<Pid>>,
    /// The last `breaker_state` of each live process that reported one.
    breakers: BTreeMap<Pid, String>,
}

impl World {
    /// The world before the first event: nothing running.
    pub fn new() -> World {
        World::default()
    }

    /// Moves the world past one event.
    pub fn apply(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Spawn {
                child,
                label: Some(label),
                ..
            } => {
                self.labels.insert(*child, label.clone());
                self.alive.entry(label.clone()).or_default().insert(*child);
            }
            EventKind::Exit { pid, .. } => {
                self.breakers.remove(pid);
                if let Some(label) = self.labels.get(pid) {
                    if let Some(pids) = self.alive.get_mut(label) {
                        pids.remove(pid);
                        if pids.is_empty() {
                            self.alive.remove(label);
                        }
                    }
                }
            }
            EventKind::Model {
                pid, what, detail, ..
            } if what.as_str() == "breaker_state" => {
                if let Some(state) = detail.as_atom() {
                    self.breakers.insert(*pid, state.to_string());
                }
            }
            _ => {}
        }
    }

    /// The label (tree path) `pid` was spawned with, if any.
    pub fn label(&self, pid: Pid) -> Option<&str> {
        self.labels.get(&pid).map(String::as_str)
    }

    /// True when a process is running at `path`.
    pub fn is_alive(&self, path: &str) -> bool {
        self.alive.contains_key(path)
    }

    /// True when `pid` (a labelled process) is running.
    pub fn pid_alive(&self, pid: Pid) -> bool {
        self.label(pid)
            .and_then(|label| self.alive.get(label))
            .is_some_and(|pids| pids.contains(&pid))
    }

    /// The paths with a running process, in order.
    pub fn alive_paths(&self) -> impl Iterator<Item = &str> {
        self.alive.keys().map(String::as_str)
    }

    /// The last state a breaker running at `path` reported, if one runs there and
    /// reported one.
    pub fn breaker_state(&self, path: &str) -> Option<&str> {
        let pids = self.alive.get(path)?;
        pids.iter()
            .find_map(|pid| self.breakers.get(pid))
            .map(String::as_str)
    }

    /// The last state `pid` reported as a breaker, while it runs.
    pub fn breaker_state_of(&self, pid: Pid) -> Option<&str> {
        self.breakers.get(&pid).map(String::as_str)
    }

    /// How many processes run directly under `path` (at `path/<id>`, one level down).
    pub fn live_children(&self, path: &str) -> usize {
        let prefix = format!("{path}/");
        self.alive
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .map(|(_, pids)| pids.len())
            .sum()
    }

    /// Whether `cond` holds now.
    pub fn holds(&self, cond: &StateCond) -> bool {
        match cond {
            StateCond::Alive(path) => self.is_alive(path),
            StateCond::BreakerState(path, state) => self.breaker_state(path) == Some(state),
        }
    }
}

/// The path a supervisor event names: the supervisor's label, `/`, then the child id
/// (an atom's name, any other term's text), as supervisors label their children.
/// Under a dynamic supervisor, whose child ids are `undefined`, the child's own label
/// when it has one.
pub fn child_path(world: &World, sup: Pid, id: &Term, child: Option<Pid>) -> Option<String> {
    if id.is_atom("undefined") {
        if let Some(label) = child.and_then(|pid| world.label(pid)) {
            return Some(label.to_string());
        }
    }
    let id_text = match id.as_atom() {
        Some(name) => name.to_string(),
        None => id.to_string(),
    };
    Some(format!("{}/{id_text}", world.label(sup)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::{atom, Atom};

    fn pid(n: u32) -> Pid {
        Pid::from_parts(n, n)
    }

    fn ev(kind: EventKind) -> Event {
        Event { t: 0, seq: 0, kind }
    }

    fn spawn(n: u32, label: &str) -> Event {
        ev(EventKind::Spawn {
            parent: None,
            child: pid(n),
            linked: true,
            monitored: false,
            label: Some(label.to_string()),
        })
    }

    fn exit(n: u32) -> Event {
        ev(EventKind::Exit {
            pid: pid(n),
            reason: atom("killed"),
        })
    }

    #[test]
    fn alive_between_spawn_and_exit_and_restarts_keep_the_path() {
        let mut w = World::new();
        w.apply(&spawn(1, "root"));
        w.apply(&spawn(2, "root/db"));
        w.apply(&spawn(3, "root/db/conn1"));
        w.apply(&spawn(4, "root/web"));
        assert!(w.is_alive("root/db"));
        assert_eq!(w.live_children("root"), 2);
        assert_eq!(w.live_children("root/db"), 1);
        w.apply(&exit(2));
        assert!(!w.is_alive("root/db"));
        assert_eq!(w.label(pid(2)), Some("root/db"));
        assert_eq!(w.live_children("root"), 1);
        w.apply(&spawn(5, "root/db"));
        assert!(w.is_alive("root/db"));
        assert_eq!(
            w.alive_paths().collect::<Vec<_>>(),
            ["root", "root/db", "root/db/conn1", "root/web"]
        );
    }

    #[test]
    fn breaker_state_belongs_to_the_live_process() {
        let mut w = World::new();
        w.apply(&spawn(1, "root/cb"));
        w.apply(&ev(EventKind::Model {
            pid: pid(1),
            model: Atom::new("circuit_breaker"),
            what: Atom::new("breaker_state"),
            detail: atom("open"),
        }));
        let open = StateCond::BreakerState("root/cb".into(), "open".into());
        assert!(w.holds(&open));
        w.apply(&exit(1));
        assert!(!w.holds(&open));
        assert_eq!(w.breaker_state_of(pid(1)), None);
    }

    #[test]
    fn child_paths_follow_the_supervisors_labels() {
        let mut w = World::new();
        w.apply(&spawn(1, "root"));
        w.apply(&spawn(2, "root/dyn/7"));
        assert_eq!(
            child_path(&w, pid(1), &atom("db"), None).as_deref(),
            Some("root/db")
        );
        assert_eq!(
            child_path(&w, pid(1), &Term::Int(3), None).as_deref(),
            Some("root/3")
        );
        assert_eq!(
            child_path(&w, pid(9), &atom("undefined"), Some(pid(2))).as_deref(),
            Some("root/dyn/7")
        );
        assert_eq!(child_path(&w, pid(9), &atom("db"), None), None);
    }
}
