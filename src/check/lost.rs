//! nothing_lost: every call was answered, failed or died with its caller, and every
//! item a buffered writer accepted was flushed or reported lost. As a call whose
//! timeout has not fired yet is in flight, an item still in the buffer of a writer
//! running at the end is held, not lost: the run ended before its flush. An item a
//! writer that died neither flushed nor reported is lost.

use super::{format_us, Probe, World};
use crate::term::{Pid, Ref};
use crate::trace::{Event, EventKind};
use std::collections::{BTreeMap, BTreeSet};

/// A call not (yet) answered.
struct Pending {
    caller: Pid,
    t_us: u64,
    /// When its timeout fires; `None` for `infinity`.
    deadline_us: Option<u64>,
}

/// One buffered writer path's item counts.
#[derive(Default)]
struct Items {
    accepted: u64,
    flushed: u64,
    lost: u64,
    /// Accepted minus flushed and lost, per process that has run at the path.
    buffered: BTreeMap<Pid, i64>,
}

#[derive(Default)]
struct Lost {
    calls: u64,
    pending: BTreeMap<Ref, Pending>,
    by_caller: BTreeMap<Pid, BTreeSet<Ref>>,
    /// Calls dropped because their caller died first.
    caller_died: u64,
    writers: BTreeMap<String, Items>,
}

pub(super) fn probe() -> Box<dyn Probe> {
    Box::<Lost>::default()
}

impl Lost {
    fn settle(&mut self, tag: Ref) {
        if let Some(p) = self.pending.remove(&tag) {
            if let Some(tags) = self.by_caller.get_mut(&p.caller) {
                tags.remove(&tag);
                if tags.is_empty() {
                    self.by_caller.remove(&p.caller);
                }
            }
        }
    }

    fn writer_event(&mut self, path: &str, pid: Pid, what: &str, count: u64) {
        let items = self.writers.entry(path.to_string()).or_default();
        let signed = i64::try_from(count).unwrap_or(i64::MAX);
        let buffered = items.buffered.entry(pid).or_default();
        match what {
            "accepted" => {
                items.accepted += count;
                *buffered = buffered.saturating_add(signed);
            }
            "flushed" => {
                items.flushed += count;
                *buffered = buffered.saturating_sub(signed);
            }
            "lost" => {
                items.lost += count;
                *buffered = buffered.saturating_sub(signed);
            }
            _ => {}
        }
    }
}

impl Probe for Lost {
    fn event(&mut self, event: &Event, world: &World) {
        match &event.kind {
            EventKind::Call {
                caller,
                tag,
                timeout,
                ..
            } => {
                self.calls += 1;
                let deadline_us = timeout.as_int().map(|ms| {
                    let ms = u64::try_from(ms).unwrap_or(0);
                    event.t.saturating_add(ms.saturating_mul(1_000))
                });
                self.pending.insert(
                    *tag,
                    Pending {
                        caller: *caller,
                        t_us: event.t,
                        deadline_us,
                    },
                );
                self.by_caller.entry(*caller).or_default().insert(*tag);
            }
            EventKind::Reply { tag, .. } => self.settle(*tag),
            EventKind::CallExit { tag: Some(tag), .. } => self.settle(*tag),
            EventKind::Exit { pid, .. } => {
                if let Some(tags) = self.by_caller.remove(pid) {
                    self.caller_died += tags.len() as u64;
                    for tag in tags {
                        self.pending.remove(&tag);
                    }
                }
            }
            EventKind::Model {
                pid,
                model,
                what,
                detail,
            } if model.as_str() == "buffered_writer" => {
                let count = detail.as_int().and_then(|n| u64::try_from(n).ok());
                if let (Some(path), Some(count)) = (world.label(*pid), count) {
                    self.writer_event(path, *pid, what.as_str(), count);
                }
            }
            _ => {}
        }
    }

    fn finish(self: Box<Self>, world: &World, end_us: u64) -> (bool, String) {
        // A call whose timeout had not fired when the run ended is in flight, not lost.
        let (in_flight, unanswered): (Vec<_>, Vec<_>) = self
            .pending
            .values()
            .partition(|p| p.deadline_us.is_some_and(|d| d > end_us));
        let mut ok = unanswered.is_empty();
        let mut detail = format!(
            "{} calls: {} unanswered, {} in flight at the end, {} dropped with their caller",
            self.calls,
            unanswered.len(),
            in_flight.len(),
            self.caller_died
        );
        if let Some(first) = unanswered.iter().min_by_key(|p| p.t_us) {
            let caller = match world.label(first.caller) {
                Some(label) => format!("{label} {}", first.caller),
                None => first.caller.to_string(),
            };
            detail.push_str(&format!(
                " (the first made at {} by {caller})",
                format_us(first.t_us)
            ));
        }
        for (path, items) in &self.writers {
            let held: u64 = items
                .buffered
                .iter()
                .filter(|(pid, _)| world.pid_alive(**pid))
                .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
                .sum();
            let settled = items.flushed + items.lost + held;
            let missing = items.accepted.saturating_sub(settled);
            detail.push_str(&format!(
                "; writer {path}: {} accepted, {} flushed, {} lost",
                items.accepted, items.flushed, items.lost
            ));
            if held > 0 {
                detail.push_str(&format!(", {held} still buffered at the end"));
            }
            if items.accepted != settled {
                ok = false;
                if missing > 0 {
                    detail.push_str(&format!(", {missing} neither flushed nor reported lost"));
                } else {
                    detail.push_str(&format!(
                        ", {} more flushed or lost than accepted",
                        settled - items.accepted
                    ));
                }
            }
        }
        (ok, detail)
    }
}
