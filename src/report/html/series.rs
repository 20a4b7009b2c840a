//! The timeline's series: circuit-breaker state bands and load clients' call outcomes
//! counted per time bucket.

use crate::check::{call_outcome, client_of, CallOutcome, World};
use crate::term::Pid;
use crate::trace::{Event, EventKind};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// State changes kept per breaker; a breaker that flaps more is drawn up to there.
pub const MAX_BANDS_PER_BREAKER: usize = 2_000;

/// Breaker bands and call buckets under construction.
pub struct Series {
    bucket_us: u64,
    end_us: u64,
    /// Per breaker path: its state changes (time, state), and the pid that made the
    /// last one.
    breakers: BTreeMap<String, Vec<(u64, String)>>,
    /// Per breaker path, state changes dropped over the cap.
    dropped: BTreeMap<String, u64>,
    /// Live breakers: pid to path.
    live: BTreeMap<Pid, String>,
    /// Per client id, per bucket: ok, error, timeout, rejected.
    calls: BTreeMap<String, BTreeMap<u64, [u64; 4]>>,
}

impl Series {
    /// Series for a run ending at `end_us`, calls counted in `bucket_us` buckets.
    pub fn new(end_us: u64, bucket_us: u64) -> Series {
        Series {
            bucket_us: bucket_us.max(1),
            end_us,
            breakers: BTreeMap::new(),
            dropped: BTreeMap::new(),
            live: BTreeMap::new(),
            calls: BTreeMap::new(),
        }
    }

    /// Takes in one event; `world` is the state just before it.
    pub fn event(&mut self, event: &Event, world: &World) {
        if let Some((pid, outcome, _latency_us)) = call_outcome(event) {
            let client = world.label(pid).and_then(client_of).unwrap_or("?");
            let slot = match outcome {
                CallOutcome::Ok => 0,
                CallOutcome::Error => 1,
                CallOutcome::Timeout => 2,
                CallOutcome::Rejected => 3,
            };
            self.calls
                .entry(client.to_string())
                .or_default()
                .entry(event.t / self.bucket_us)
                .or_default()[slot] += 1;
            return;
        }
        match &event.kind {
            EventKind::Model {
                pid, what, detail, ..
            } if what.as_str() == "breaker_state" => {
                let (Some(state), Some(path)) = (detail.as_atom(), world.label(*pid)) else {
                    return;
                };
                self.live.insert(*pid, path.to_string());
                self.change(path.to_string(), event.t, state.to_string());
            }
            EventKind::Exit { pid, .. } => {
                // A dead breaker has no state: its band stops.
                if let Some(path) = self.live.remove(pid) {
                    self.change(path, event.t, "down".to_string());
                }
            }
            _ => {}
        }
    }

    fn change(&mut self, path: String, t: u64, state: String) {
        let changes = self.breakers.entry(path.clone()).or_default();
        if changes.last().is_some_and(|(_, s)| *s == state) {
            return;
        }
        if changes.len() < MAX_BANDS_PER_BREAKER {
            changes.push((t, state));
        } else {
            *self.dropped.entry(path).or_default() += 1;
        }
    }

    /// `breakers`: per path, bands `[from, to, state]` (no band while it was down) and
    /// how many changes were not drawn; `calls`: per client, rows
    /// `[bucket, ok, error, timeout, rejected]` for the buckets with calls.
    pub fn to_json(self) -> Value {
        let end_us = self.end_us;
        let breakers: Vec<Value> = self
            .breakers
            .into_iter()
            .map(|(path, changes)| {
                let mut bands = Vec::new();
                for (i, (from, state)) in changes.iter().enumerate() {
                    let to = changes.get(i + 1).map_or(end_us, |(t, _)| *t);
                    if state != "down" {
                        bands.push(json!([from, to.max(*from), state]));
                    }
                }
                let dropped = self.dropped.get(&path).copied().unwrap_or(0);
                json!({"path": path, "bands": bands, "undrawn": dropped})
            })
            .collect();
        let calls: Vec<Value> = self
            .calls
            .into_iter()
            .map(|(client, buckets)| {
                let rows: Vec<Value> = buckets
                    .into_iter()
                    .map(|(b, [ok, err, to, rej])| json!([b, ok, err, to, rej]))
                    .collect();
                json!({"client": client, "rows": rows})
            })
            .collect();
        json!({"breakers": breakers, "calls": calls})
    }
}
