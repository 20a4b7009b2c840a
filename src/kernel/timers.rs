//! The timer queue: every future event of the run, ordered by (virtual time, sequence).
//!
//! Cancelled entries are not searched for; they are skipped when popped and purged in
//! bulk once they outnumber the live ones, so cancel is O(1) and the heap stays small
//! even when every call arms a 5-second timeout that is almost never reached.

use crate::term::{Pid, Ref};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TimerWhat {
    /// Wake a process suspended with this wait serial (receive timeout, sleep, work).
    Wake { pid: Pid, wait_serial: u32 },
    /// A user timer (`send_after`), looked up by its reference.
    User(Ref),
    /// A message held back by an inbound delay fault, by its id.
    Delayed(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerEntry {
    pub(crate) at_us: u64,
    pub(crate) seq: u64,
    pub(crate) what: TimerWhat,
}

#[derive(Default)]
pub(crate) struct TimerQueue {
    heap: BinaryHeap<Reverse<TimerEntry>>,
    next_seq: u64,
    stale: usize,
}

impl TimerQueue {
    pub(crate) fn push(&mut self, at_us: u64, what: TimerWhat) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(TimerEntry { at_us, seq, what }));
    }

    pub(crate) fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|e| e.0.at_us)
    }

    pub(crate) fn pop(&mut self) -> Option<TimerEntry> {
        self.heap.pop().map(|e| e.0)
    }

    /// Notes that one entry in the heap will be ignored when popped; once such entries
    /// are the majority, `purge` is worth its O(n).
    pub(crate) fn mark_stale(&mut self) -> bool {
        self.stale += 1;
        self.stale > 1024 && self.stale * 2 > self.heap.len()
    }

    /// Drops every entry for which `live` is false.
    pub(crate) fn purge(&mut self, mut live: impl FnMut(&TimerEntry) -> bool) {
        let entries = std::mem::take(&mut self.heap).into_vec();
        self.heap = entries.into_iter().filter(|e| live(&e.0)).collect();
        self.stale = 0;
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut q = TimerQueue::default();
        q.push(20, TimerWhat::User(Ref(1)));
        q.push(10, TimerWhat::User(Ref(2)));
        q.push(10, TimerWhat::User(Ref(3)));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|e| e.what).collect();
        assert_eq!(
            order,
            vec![
                TimerWhat::User(Ref(2)),
                TimerWhat::User(Ref(3)),
                TimerWhat::User(Ref(1))
            ]
        );
    }

    #[test]
    fn purge_keeps_only_live_entries() {
        let mut q = TimerQueue::default();
        for i in 0..10 {
            q.push(i, TimerWhat::User(Ref(i)));
        }
        q.purge(|e| e.at_us % 2 == 0);
        assert_eq!(q.len(), 5);
        assert_eq!(q.pop().map(|e| e.at_us), Some(0));
    }
}
