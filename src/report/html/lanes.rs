//! The timeline's lifelines and markers, built from the trace in one pass and kept
//! small: a lifeline is a list of alive intervals, never raw events; past
//! [`MAX_LANES`] paths, the largest families of lifelines are grouped by parent path; past
//! [`MAX_MARKERS_PER_KIND`] markers of a kind, the rest are counted per time bucket.

use super::lane_order::{natural_cmp, section, Section};
use crate::check::{child_path, World};
use crate::term::{Pid, Term};
use crate::trace::{Event, EventKind};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// At most this many lifelines (past it, the largest families share one each).
pub const MAX_LANES: usize = 500;
/// Markers of one kind shown one by one; the rest are counted per bucket.
pub const MAX_MARKERS_PER_KIND: usize = 2_000;
/// Intervals kept per lifeline; more are merged across their smallest gaps.
pub const MAX_INTERVALS_PER_LANE: usize = 400;
/// Longest marker text kept.
const MAX_TEXT_CHARS: usize = 160;

/// The marker kinds, in drawing order.
pub const MARKER_KINDS: [&str; 7] = [
    "start",
    "restart",
    "crash",
    "shutdown",
    "killed",
    "escalation",
    "fault",
];

/// A lifeline being laid out: its name, how many paths it stands for, intervals.
type Lane = (String, usize, Intervals);

/// Alive intervals; a `None` end is alive at the end of the run.
type Intervals = Vec<(u64, Option<u64>)>;

/// Lifelines and markers under construction.
pub struct Lanes {
    /// The scenario's root supervisor's path: its lifelines come first.
    root: String,
    bucket_us: u64,
    end_us: u64,
    /// Per path, its alive intervals (`None` end: alive at the end of the run).
    paths: BTreeMap<String, Intervals>,
    /// Where each live labelled pid's open interval is.
    open: BTreeMap<Pid, (String, usize)>,
    /// Spawns of a path seen before, until it is known who started them: a supervisor
    /// restarting a child says so in the `child_start` that follows; a process spawning
    /// helpers under one label (a call per request) never does.
    respawned: BTreeMap<Pid, (u64, String)>,
    /// Per kind, the markers kept: time, path, text.
    markers: BTreeMap<&'static str, Vec<(u64, String, String)>>,
    /// Per kind, the markers not kept, counted per bucket.
    more: BTreeMap<&'static str, BTreeMap<u64, u64>>,
}

impl Lanes {
    /// Lanes for a run of the tree under `root` ending at `end_us`, counting overflow
    /// in `bucket_us` buckets.
    pub fn new(root: &str, end_us: u64, bucket_us: u64) -> Lanes {
        Lanes {
            root: root.to_string(),
            bucket_us: bucket_us.max(1),
            end_us,
            paths: BTreeMap::new(),
            open: BTreeMap::new(),
            respawned: BTreeMap::new(),
            markers: BTreeMap::new(),
            more: BTreeMap::new(),
        }
    }

    /// Takes in one event; `world` is the state just before it.
    pub fn event(&mut self, event: &Event, world: &World) {
        let t = event.t;
        match &event.kind {
            EventKind::Spawn {
                child,
                label: Some(label),
                ..
            } => {
                let ivals = self.paths.entry(label.clone()).or_default();
                let first = ivals.is_empty();
                ivals.push((t, None));
                let idx = ivals.len() - 1;
                self.open.insert(*child, (label.clone(), idx));
                if first {
                    self.marker("start", t, label, format!("start {child}"));
                } else {
                    self.respawned.insert(*child, (t, label.clone()));
                }
            }
            EventKind::ChildStart {
                pid: Some(pid),
                cause,
                ..
            } => {
                if let Some((at, path)) = self.respawned.remove(pid) {
                    let text = match cause.as_str() {
                        "start_child" => format!("start {pid}"),
                        "init" => format!("restart {pid} (its supervisor was restarted)"),
                        _ => format!("restart {pid}"),
                    };
                    let kind = if cause.as_str() == "start_child" {
                        "start"
                    } else {
                        "restart"
                    };
                    self.marker(kind, at, &path, text);
                }
            }
            EventKind::Exit { pid, reason } => {
                self.spawned_by_no_supervisor(*pid);
                let Some((path, idx)) = self.open.remove(pid) else {
                    return;
                };
                if let Some(ival) = self.paths.get_mut(&path).and_then(|v| v.get_mut(idx)) {
                    ival.1 = Some(t);
                }
                if !reason.is_atom("normal") {
                    let kind = if is_shutdown(reason) {
                        "shutdown"
                    } else {
                        "crash"
                    };
                    self.marker(kind, t, &path, format!("{kind}: {reason}"));
                }
            }
            EventKind::ChildShutdownTimeout { sup, id, pid } => {
                if let Some(path) = child_path(world, *sup, id, Some(*pid)) {
                    let text = "killed: over its shutdown budget".to_string();
                    self.marker("killed", t, &path, text);
                }
            }
            EventKind::IntensityExceeded { sup, offender_id } => {
                if let Some(path) = world.label(*sup).map(str::to_string) {
                    let text = format!("escalation: restart intensity exceeded by {offender_id}");
                    self.marker("escalation", t, &path, text);
                }
            }
            EventKind::Fault {
                target,
                pid,
                action,
                detail,
                cause,
            } => {
                let path = pid
                    .and_then(|p| world.label(p).map(str::to_string))
                    .unwrap_or_else(|| target.clone());
                let text = format!("fault {action} ({cause}) on {target}: {detail}");
                self.marker("fault", t, &path, text);
            }
            _ => {}
        }
    }

    /// A respawn no supervisor claimed (it exited, or the run ended, first): a helper
    /// spawned again under an old name, one per call. Its lifeline shows it; a marker
    /// each would paint the lane and crowd out the markers that matter.
    fn spawned_by_no_supervisor(&mut self, pid: Pid) {
        self.respawned.remove(&pid);
    }

    fn marker(&mut self, kind: &'static str, t: u64, path: &str, text: String) {
        let kept = self.markers.entry(kind).or_default();
        if kept.len() < MAX_MARKERS_PER_KIND {
            kept.push((t, path.to_string(), cut(text)));
        } else {
            *self
                .more
                .entry(kind)
                .or_default()
                .entry(t / self.bucket_us)
                .or_default() += 1;
        }
    }

    /// The lanes and markers as the report's JSON: `lanes` (path, depth, how many
    /// paths it stands for, intervals), `markers` per kind (`[t, lane, text]`, lane -1
    /// when no lifeline has the path) and `more` per kind (`[bucket, count]`).
    pub fn to_json(self) -> Value {
        let total = self.paths.len();
        let mut grouped = families_to_group(self.paths.keys().map(String::as_str));
        grouped.extend(crowded_workload_families(
            &self.root,
            self.paths.keys().map(String::as_str),
        ));
        let mut paths: Vec<(String, Intervals)> = self.paths.into_iter().collect();
        let root = self.root.as_str();
        paths.sort_by(|a, b| {
            let (ka, kb) = (section(root, &a.0), section(root, &b.0));
            ka.cmp(&kb).then_with(|| natural_cmp(&a.0, &b.0))
        });
        let mut lanes: Vec<Lane> = Vec::new();
        let mut lane_of: BTreeMap<String, usize> = BTreeMap::new();
        let mut groups: BTreeMap<String, usize> = BTreeMap::new();
        for (path, ivals) in paths {
            let parent = parent_of(&path);
            if !grouped.contains(parent) {
                lane_of.insert(path.clone(), lanes.len());
                lanes.push((path, 1, ivals));
                continue;
            }
            let at = *groups.entry(parent.to_string()).or_insert_with(|| {
                let name = if parent.is_empty() {
                    "*".to_string()
                } else {
                    format!("{parent}/*")
                };
                lanes.push((name, 0, Vec::new()));
                lanes.len() - 1
            });
            lanes[at].1 += 1;
            lanes[at].2.extend(ivals);
            lane_of.insert(path, at);
        }
        let end_us = self.end_us;
        let lanes_json: Vec<Value> = lanes
            .into_iter()
            .map(|(path, n, ivals)| {
                let ivals = limit(union(ivals, end_us), MAX_INTERVALS_PER_LANE);
                let depth = path.matches('/').count();
                let k = section(&self.root, &path) as u8;
                json!({"p": path, "d": depth, "n": n, "k": k, "i": ivals})
            })
            .collect();
        let mut markers = serde_json::Map::new();
        for (kind, kept) in self.markers {
            let rows: Vec<Value> = kept
                .into_iter()
                .map(|(t, path, text)| {
                    let lane = lane_of.get(&path).map_or(-1, |&l| l as i64);
                    json!([t, lane, text])
                })
                .collect();
            markers.insert(kind.to_string(), Value::Array(rows));
        }
        let mut more = serde_json::Map::new();
        for (kind, buckets) in self.more {
            let rows: Vec<Value> = buckets.into_iter().map(|(b, n)| json!([b, n])).collect();
            more.insert(kind.to_string(), Value::Array(rows));
        }
        json!({"paths": total, "lanes": lanes_json, "markers": markers, "more": more})
    }
}

/// The workload's helpers (one per request, `workload/producer/17`) share a
/// lifeline per family past this many: a row each buried the tree's few lifelines
/// under a diagonal of dots.
pub const MAX_WORKLOAD_SIBLINGS: usize = 20;

/// The workload parents with more than [`MAX_WORKLOAD_SIBLINGS`] children.
fn crowded_workload_families<'a>(
    root: &str,
    paths: impl Iterator<Item = &'a str>,
) -> BTreeSet<String> {
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    for path in paths.filter(|p| section(root, p) == Section::Workload) {
        *families.entry(parent_of(path)).or_default() += 1;
    }
    families
        .into_iter()
        .filter(|f| f.1 > MAX_WORKLOAD_SIBLINGS)
        .map(|f| f.0.to_string())
        .collect()
}

/// The parent paths whose children share one lifeline: the largest families first,
/// until at most [`MAX_LANES`] lifelines are left (none when the paths fit).
fn families_to_group<'a>(paths: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    let mut lanes = 0;
    for path in paths {
        *families.entry(parent_of(path)).or_default() += 1;
        lanes += 1;
    }
    let mut by_size: Vec<(&str, usize)> = families.into_iter().filter(|f| f.1 > 1).collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut grouped = BTreeSet::new();
    for (parent, n) in by_size {
        if lanes <= MAX_LANES {
            break;
        }
        grouped.insert(parent.to_string());
        lanes -= n - 1;
    }
    grouped
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// `shutdown` or `{shutdown, _}`: a supervisor's orderly stop, not a crash.
fn is_shutdown(reason: &Term) -> bool {
    reason.is_atom("shutdown")
        || reason
            .as_tuple()
            .is_some_and(|items| items.len() == 2 && items[0].is_atom("shutdown"))
}

fn cut(text: String) -> String {
    if text.chars().count() <= MAX_TEXT_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_TEXT_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The intervals merged where they overlap, sorted, open ends closed at `end_us`.
pub fn union(ivals: Vec<(u64, Option<u64>)>, end_us: u64) -> Vec<[u64; 2]> {
    let mut closed: Vec<[u64; 2]> = ivals
        .into_iter()
        .map(|(s, e)| [s, e.unwrap_or(end_us).max(s)])
        .collect();
    closed.sort_unstable();
    let mut out: Vec<[u64; 2]> = Vec::with_capacity(closed.len());
    for iv in closed {
        match out.last_mut() {
            Some(last) if iv[0] <= last[1] => last[1] = last[1].max(iv[1]),
            _ => out.push(iv),
        }
    }
    out
}

/// At most `max` intervals: the smallest gaps are closed first, doubling the gap
/// bridged until the list fits (a lifeline that restarts thousands of times reads as
/// alive with markers, which is what it was at that zoom).
pub fn limit(mut ivals: Vec<[u64; 2]>, max: usize) -> Vec<[u64; 2]> {
    let mut gap = 1u64;
    while ivals.len() > max {
        let mut out: Vec<[u64; 2]> = Vec::with_capacity(ivals.len());
        for iv in ivals {
            match out.last_mut() {
                Some(last) if iv[0] - last[1] <= gap => last[1] = iv[1],
                _ => out.push(iv),
            }
        }
        ivals = out;
        gap = gap.saturating_mul(2);
    }
    ivals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_merges_overlaps_and_closes_open_ends() {
        let u = union(vec![(5, Some(10)), (0, Some(6)), (20, None)], 30);
        assert_eq!(u, vec![[0, 10], [20, 30]]);
    }

    #[test]
    fn limit_bridges_the_smallest_gaps_first() {
        let ivals = vec![[0, 10], [11, 20], [100, 110], [112, 120]];
        assert_eq!(limit(ivals.clone(), 4), ivals);
        assert_eq!(limit(ivals.clone(), 2), vec![[0, 20], [100, 120]]);
        assert_eq!(limit(ivals, 1), vec![[0, 120]]);
    }

    #[test]
    fn largest_families_are_grouped_first() {
        let mut paths: Vec<String> = (0..600).map(|i| format!("p/big/{i}")).collect();
        paths.extend((0..10).map(|i| format!("p/small/{i}")));
        let grouped = families_to_group(paths.iter().map(String::as_str));
        assert_eq!(grouped.into_iter().collect::<Vec<_>>(), ["p/big"]);
        let few: Vec<String> = (0..10).map(|i| format!("p/{i}")).collect();
        assert!(families_to_group(few.iter().map(String::as_str)).is_empty());
    }

    #[test]
    fn the_tree_comes_first_then_the_workload_then_the_runtime() {
        let mut lanes = Lanes::new("root", 10, 1);
        let world = World::new();
        let paths = [
            "application_controller",
            "otpsim/faults",
            "root/w2",
            "rooted",
            "workload/pinger",
            "root",
            "root/w10",
            "shop.master",
        ];
        for (i, path) in paths.iter().enumerate() {
            let child = Pid::from_parts(i as u32 + 1, i as u32 + 1);
            let kind = EventKind::Spawn {
                parent: None,
                child,
                linked: false,
                monitored: false,
                label: Some(path.to_string()),
            };
            lanes.event(
                &Event {
                    t: 0,
                    seq: i as u64,
                    kind,
                },
                &world,
            );
        }
        let json = lanes.to_json();
        let drawn: Vec<(&str, u64)> = json["lanes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["p"].as_str().unwrap(), l["k"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            drawn,
            [
                ("root", 0),
                ("root/w2", 0),
                ("root/w10", 0),
                ("workload/pinger", 1),
                ("application_controller", 2),
                ("otpsim/faults", 2),
                ("rooted", 2),
                ("shop.master", 2),
            ]
        );
    }

    #[test]
    fn crowded_workload_families_share_a_lifeline_tree_ones_do_not() {
        let mut paths: Vec<String> = (0..=MAX_WORKLOAD_SIBLINGS)
            .map(|i| format!("workload/producer/{i}"))
            .collect();
        paths.extend((0..MAX_WORKLOAD_SIBLINGS).map(|i| format!("workload/few/{i}")));
        paths.extend((0..100).map(|i| format!("root/w{i}")));
        let crowded = crowded_workload_families("root", paths.iter().map(String::as_str));
        assert_eq!(
            crowded.into_iter().collect::<Vec<_>>(),
            ["workload/producer"]
        );
    }

    #[test]
    fn shutdown_reasons_are_not_crashes() {
        use crate::term::atom;
        assert!(is_shutdown(&atom("shutdown")));
        assert!(is_shutdown(&Term::tuple_of([atom("shutdown"), atom("x")])));
        assert!(!is_shutdown(&atom("killed")));
    }
}
