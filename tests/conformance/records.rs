//! otpsim's trace turned into the records conf_rec.erl keeps on the OTP side, and the
//! comparison of the two (semantics reference section 15 and SIM-5: per process, and
//! per supervisor only where OTP guarantees the order).
//!
//! Processes are named by path and incarnation (`root/db/w1#2`): the Nth `spawn`
//! labelled with a path is its incarnation N. From the trace:
//! - per process: `init ok|ignore|stop R|crash R` (`init_result`, workers only),
//!   `init` (the `spawn` of a supervisor), `terminate R` (`terminate_cb`, workers
//!   only), `exit R` (`exit`);
//! - per supervisor: its children's lines prefixed with `child ID#N` (a child's exit
//!   only once the supervisor saw it started), `progress ID` (`child_start` ok; not
//!   under a dynamic supervisor, which logs no progress),
//!   `start_error ID R` (a failed `child_start` at init or restart),
//!   `child_terminated ID R` (a `child_exit_seen` OTP logs: restarted, or a temporary
//!   child's unclean exit), `shutdown_error ID R` (`child_down` not accepted),
//!   `max_intensity ID` (`intensity_exceeded`).

use super::tree::Kind;
use otpsim::term::{Pid, Term};
use otpsim::trace::{Event, EventKind};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Lines per process or supervisor name.
pub type Lines = BTreeMap<String, Vec<String>>;

/// Everything compared with the OTP run.
#[derive(Debug, Default, PartialEq)]
pub struct Records {
    pub driver: Vec<String>,
    pub processes: Lines,
    pub supervisors: Lines,
    pub which_children: Vec<(String, Vec<(String, String)>)>,
    pub alive: Vec<String>,
}

#[derive(Default)]
struct Builder {
    /// What each path of the scenario is.
    kinds: BTreeMap<String, Kind>,
    starts: BTreeMap<String, u32>,
    names: BTreeMap<Pid, String>,
    sups: BTreeSet<Pid>,
    dynsups: BTreeSet<Pid>,
    parent: BTreeMap<Pid, Pid>,
    started: BTreeSet<Pid>,
    dead: BTreeSet<Pid>,
    out: Records,
}

impl Builder {
    fn named(&self, t: &Term) -> Term {
        match t {
            Term::Pid(p) => self
                .names
                .get(p)
                .map_or_else(|| t.clone(), |n| Term::atom_owned(n)),
            Term::Tuple(items) => Term::tuple(items.iter().map(|x| self.named(x))),
            Term::List(items) => Term::list(items.iter().map(|x| self.named(x))),
            _ => t.clone(),
        }
    }

    fn show(&self, t: &Term) -> String {
        self.named(t).to_string()
    }

    fn proc_line(&mut self, pid: Pid, line: String) {
        if let Some(name) = self.names.get(&pid) {
            self.out
                .processes
                .entry(name.clone())
                .or_default()
                .push(line);
        }
    }

    fn sup_line(&mut self, sup: Pid, line: String) {
        if let Some(name) = self.names.get(&sup) {
            self.out
                .supervisors
                .entry(name.clone())
                .or_default()
                .push(line);
        }
    }

    /// The line again in the parent supervisor's sequence, as `child ID#N line`.
    fn parent_line(&mut self, pid: Pid, line: &str) {
        let (Some(name), Some(&parent)) = (self.names.get(&pid), self.parent.get(&pid)) else {
            return;
        };
        if let Some((_, id_inc)) = name.rsplit_once('/') {
            let l = format!("child {id_inc} {line}");
            self.sup_line(parent, l);
        }
    }

    fn event(&mut self, ev: &Event) {
        match &ev.kind {
            EventKind::Spawn {
                parent,
                child,
                label: Some(label),
                ..
            } => {
                let Some(&kind) = self.kinds.get(label) else {
                    return;
                };
                let n = self.starts.entry(label.clone()).or_insert(0);
                *n += 1;
                self.names.insert(*child, format!("{label}#{n}"));
                if let Some(p) = parent {
                    self.parent.insert(*child, *p);
                }
                if kind == Kind::DynSup {
                    self.dynsups.insert(*child);
                }
                if kind != Kind::Worker {
                    self.sups.insert(*child);
                    self.proc_line(*child, "init".into());
                    self.parent_line(*child, "init");
                }
            }
            EventKind::InitResult {
                pid,
                result,
                reason,
            } if !self.sups.contains(pid) => {
                let mut line = format!("init {}", result.as_str());
                if let Some(r) = reason {
                    line = format!("{line} {}", self.show(r));
                }
                self.proc_line(*pid, line.clone());
                self.parent_line(*pid, &line);
            }
            EventKind::TerminateCb { pid, reason } if !self.sups.contains(pid) => {
                let line = format!("terminate {}", self.show(reason));
                self.proc_line(*pid, line);
            }
            EventKind::Exit { pid, reason } => {
                self.dead.insert(*pid);
                let line = format!("exit {}", self.show(reason));
                self.proc_line(*pid, line.clone());
                if self.started.contains(pid) {
                    self.parent_line(*pid, &line);
                }
            }
            EventKind::ChildStart {
                sup,
                id,
                pid,
                result,
                cause,
            } => {
                if result.is_atom("ok") {
                    if let Some(p) = pid {
                        self.started.insert(*p);
                    }
                    // Elixir's DynamicSupervisor logs no progress reports.
                    if !self.dynsups.contains(sup) {
                        self.sup_line(*sup, format!("progress {id}"));
                    }
                } else if let Some([tag, r]) = result.as_tuple() {
                    // OTP logs start_error only from start_children and restarts, not
                    // for the start_child and restart_child calls.
                    if tag.is_atom("error")
                        && matches!(cause.as_str(), "init" | "restart" | "try_again")
                    {
                        let line = format!("start_error {id} {}", self.show(r));
                        self.sup_line(*sup, line);
                    }
                }
            }
            EventKind::ChildExitSeen {
                sup,
                id,
                reason,
                decision,
                ..
            } => {
                let logged = match decision.as_str() {
                    "restart" => true,
                    "delete" => !reason.is_clean_exit(),
                    _ => false,
                };
                if logged {
                    let line = format!("child_terminated {id} {}", self.show(reason));
                    self.sup_line(*sup, line);
                }
            }
            EventKind::ChildDown {
                sup,
                id,
                reason,
                accepted: false,
                ..
            } => {
                let line = format!("shutdown_error {id} {}", self.show(reason));
                self.sup_line(*sup, line);
            }
            EventKind::IntensityExceeded { sup, offender_id } => {
                self.sup_line(*sup, format!("max_intensity {offender_id}"));
            }
            _ => {}
        }
    }
}

/// The records of a run: `kinds` says what each path of the scenario is; events
/// after `snapshot_us` are left out, as the OTP side stops recording there.
pub fn derive(events: &[Event], kinds: &BTreeMap<String, Kind>, snapshot_us: u64) -> Records {
    let mut b = Builder {
        kinds: kinds.clone(),
        ..Builder::default()
    };
    for ev in events.iter().filter(|e| e.t <= snapshot_us) {
        b.event(ev);
    }
    let mut alive: Vec<String> = b
        .names
        .iter()
        .filter(|(p, _)| !b.dead.contains(p))
        .map(|(_, n)| n.clone())
        .collect();
    alive.sort();
    b.out.alive = alive;
    b.out
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn lines(v: &Value) -> Lines {
    v.as_object()
        .map(|o| o.iter().map(|(k, l)| (k.clone(), strings(l))).collect())
        .unwrap_or_default()
}

/// The records the OTP run wrote (tests/conformance/expected/NAME.json).
pub fn from_expected(v: &Value) -> Records {
    let which = v["final"]["which_children"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(path, rows)| {
                    let rows = rows
                        .as_array()
                        .map(|rs| {
                            rs.iter()
                                .map(|r| {
                                    let pair = strings(r);
                                    (pair[0].clone(), pair[1].clone())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    (path.clone(), rows)
                })
                .collect()
        })
        .unwrap_or_default();
    Records {
        driver: strings(&v["driver"]),
        processes: lines(&v["processes"]),
        supervisors: lines(&v["supervisors"]),
        which_children: which,
        alive: strings(&v["final"]["alive"]),
    }
}

fn diff_lines(what: &str, expected: &Lines, got: &Lines, out: &mut Vec<String>) {
    let keys: BTreeSet<&String> = expected.keys().chain(got.keys()).collect();
    for k in keys {
        let (e, g) = (expected.get(k), got.get(k));
        if e != g {
            out.push(format!("{what} {k}: expected {e:?}, got {g:?}"));
        }
    }
}

/// The differences, one line each; empty when otpsim matches OTP.
pub fn diff(expected: &Records, got: &Records) -> Vec<String> {
    let mut out = Vec::new();
    if expected.driver != got.driver {
        out.push(format!(
            "driver: expected {:?}, got {:?}",
            expected.driver, got.driver
        ));
    }
    diff_lines("process", &expected.processes, &got.processes, &mut out);
    diff_lines(
        "supervisor",
        &expected.supervisors,
        &got.supervisors,
        &mut out,
    );
    let mut ew = expected.which_children.clone();
    let mut gw = got.which_children.clone();
    ew.sort();
    gw.sort();
    if ew != gw {
        out.push(format!("final which_children: expected {ew:?}, got {gw:?}"));
    }
    if expected.alive != got.alive {
        out.push(format!(
            "final alive: expected {:?}, got {:?}",
            expected.alive, got.alive
        ));
    }
    out
}
