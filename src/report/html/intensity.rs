//! Restart intensity per supervisor: how full its restart window was at each restart it
//! counted (`restart_counted`: the restarts in the window, this one included, against
//! its max_restarts, SUP-14) and when it ran out (`intensity_exceeded`). The timeline
//! draws one row per supervisor that restarted anything, so a reader sees how close a
//! supervisor came to giving up before it escalated (the tree shows each one's peak,
//! from the run summary's `window_peak`).

use crate::check::World;
use crate::trace::{Event, EventKind};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Restarts drawn one by one per supervisor; past that, the fullest window per time
/// bucket is drawn instead, so a flapping supervisor does not grow the report.
pub const MAX_POINTS_PER_SUPERVISOR: usize = 2_000;

/// What one supervisor counted.
#[derive(Debug, Default)]
struct Window {
    /// Its max_restarts, as the last restart it counted gave it.
    max: u64,
    /// `(t, restarts in the window)` per counted restart, up to the cap.
    points: Vec<(u64, u64)>,
    /// Past the cap: per time bucket, the fullest window.
    more: BTreeMap<u64, u64>,
    /// When its intensity was exceeded (it then shuts down: at most a few per path).
    exceeded: Vec<u64>,
}

/// Restart windows per supervisor path, under construction.
#[derive(Debug)]
pub struct Intensity {
    bucket_us: u64,
    windows: BTreeMap<String, Window>,
}

impl Intensity {
    /// Windows for a run whose time buckets are `bucket_us` long.
    pub fn new(bucket_us: u64) -> Intensity {
        Intensity {
            bucket_us: bucket_us.max(1),
            windows: BTreeMap::new(),
        }
    }

    /// Takes in one event; `world` is the state just before it. Supervisors without a
    /// label (not started from a scenario's tree) are not drawn.
    pub fn event(&mut self, event: &Event, world: &World) {
        match &event.kind {
            EventKind::RestartCounted {
                sup,
                window_len,
                max,
                ..
            } => {
                let Some(path) = world.label(*sup) else {
                    return;
                };
                let w = self.windows.entry(path.to_string()).or_default();
                w.max = *max;
                if w.points.len() < MAX_POINTS_PER_SUPERVISOR {
                    w.points.push((event.t, *window_len));
                } else {
                    let fullest = w.more.entry(event.t / self.bucket_us).or_default();
                    *fullest = (*fullest).max(*window_len);
                }
            }
            EventKind::IntensityExceeded { sup, .. } => {
                if let Some(path) = world.label(*sup) {
                    let w = self.windows.entry(path.to_string()).or_default();
                    if w.exceeded.len() < MAX_POINTS_PER_SUPERVISOR {
                        w.exceeded.push(event.t);
                    }
                }
            }
            _ => {}
        }
    }

    /// Per supervisor path: `{path, max, points: [[t, n]], more: [[bucket, n]],
    /// exceeded: [t]}`, `n` being the restarts in the window at that restart.
    pub fn to_json(&self) -> Value {
        let rows: Vec<Value> = self
            .windows
            .iter()
            .map(|(path, w)| {
                let points: Vec<Value> = w.points.iter().map(|(t, n)| json!([t, n])).collect();
                let more: Vec<Value> = w.more.iter().map(|(b, n)| json!([b, n])).collect();
                json!({
                    "path": path,
                    "max": w.max,
                    "points": points,
                    "more": more,
                    "exceeded": w.exceeded,
                })
            })
            .collect();
        Value::Array(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::{atom, Pid};

    fn at(t: u64, kind: EventKind) -> Event {
        Event { t, seq: 0, kind }
    }

    fn counted(sup: Pid, window_len: u64) -> EventKind {
        EventKind::RestartCounted {
            sup,
            id: atom("db"),
            stamp_s: 0,
            window_len,
            max: 3,
        }
    }

    /// A world where `sup` is labelled `root/db_sup`.
    fn labelled(sup: Pid) -> World {
        let mut world = World::new();
        world.apply(&at(
            0,
            EventKind::Spawn {
                parent: None,
                child: sup,
                linked: false,
                monitored: false,
                label: Some("root/db_sup".into()),
            },
        ));
        world
    }

    #[test]
    fn each_counted_restart_is_a_point_and_the_escalation_is_kept() {
        // SUP-14: the fourth restart within the window exceeds max_restarts 3.
        let sup = Pid::from_parts(1, 1);
        let world = labelled(sup);
        let mut intensity = Intensity::new(1_000);
        for (t, n) in [(10, 1), (20, 2), (30, 3), (40, 4)] {
            intensity.event(&at(t, counted(sup, n)), &world);
        }
        let exceeded = EventKind::IntensityExceeded {
            sup,
            offender_id: atom("db"),
        };
        intensity.event(&at(40, exceeded), &world);
        let json = intensity.to_json();
        assert_eq!(
            json,
            serde_json::json!([{
                "path": "root/db_sup", "max": 3,
                "points": [[10, 1], [20, 2], [30, 3], [40, 4]],
                "more": [], "exceeded": [40],
            }])
        );
    }

    #[test]
    fn past_the_cap_the_fullest_window_per_bucket_is_kept() {
        let sup = Pid::from_parts(1, 1);
        let world = labelled(sup);
        let mut intensity = Intensity::new(100);
        for i in 0..MAX_POINTS_PER_SUPERVISOR as u64 {
            intensity.event(&at(i, counted(sup, 1)), &world);
        }
        for (t, n) in [(5_000, 2), (5_050, 3), (5_120, 1)] {
            intensity.event(&at(t, counted(sup, n)), &world);
        }
        let json = intensity.to_json();
        assert_eq!(json[0]["points"].as_array().map(Vec::len), Some(2_000));
        assert_eq!(json[0]["more"], serde_json::json!([[50, 3], [51, 1]]));
    }

    #[test]
    fn unlabelled_supervisors_are_not_drawn() {
        let mut intensity = Intensity::new(1_000);
        intensity.event(&at(10, counted(Pid::from_parts(2, 2), 1)), &World::new());
        assert_eq!(intensity.to_json(), serde_json::json!([]));
    }
}
