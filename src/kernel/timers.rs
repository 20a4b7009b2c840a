//! The timer queue: every future event of the run, ordered by (virtual time, sequence).
//!
//! Cancelled entries are not searched for; they are skipped when popped and purged in
//! bulk once they outnumber the live ones, so cancel is O(1) and the heap stays small
//! even when every call arms a 5-second timeout that is almost never reached.
//!
//! New entries wait in a short list until the clock is about to move: a call's timeout
//! armed and disarmed within one instant (the usual case) never touches the heap.

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
    /// Armed during the current instant, not yet in the heap (see `flush`).
    recent: Vec<TimerEntry>,
    next_seq: u64,
    stale: usize,
}

impl TimerQueue {
    pub(crate) fn push(&mut self, at_us: u64, what: TimerWhat) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.recent.push(TimerEntry { at_us, seq, what });
    }

    /// Moves the entries armed since the last flush into the heap, dropping those
    /// `live` says are gone (disarmed within the instant). Must run before `peek_time`
    /// and `pop`; the order of the entries kept is their `(at_us, seq)` either way.
    pub(crate) fn flush(&mut self, mut live: impl FnMut(&TimerEntry) -> bool) {
        for e in self.recent.drain(..) {
            if live(&e) {
                self.heap.push(Reverse(e));
            } else {
                self.stale = self.stale.saturating_sub(1);
            }
        }
    }

    /// Takes back `what` if it is among the last few entries armed in this instant
    /// (a call's timeout, disarmed by the reply a moment later); false if it is not
    /// there, and the caller must `mark_stale` instead.
    pub(crate) fn cancel_recent(&mut self, what: TimerWhat) -> bool {
        let from = self.recent.len().saturating_sub(4);
        match self.recent[from..].iter().rposition(|e| e.what == what) {
            Some(i) => {
                self.recent.remove(from + i);
                true
            }
            None => false,
        }
    }

    /// The earliest entry's time (after a `flush`).
    pub(crate) fn peek_time(&self) -> Option<u64> {
        debug_assert!(self.recent.is_empty(), "peek_time before flush");
        self.heap.peek().map(|e| e.0.at_us)
    }

    /// The earliest entry (after a `flush`).
    pub(crate) fn pop(&mut self) -> Option<TimerEntry> {
        debug_assert!(self.recent.is_empty(), "pop before flush");
        self.heap.pop().map(|e| e.0)
    }

    /// Notes that one entry in the heap will be ignored when popped; once such entries
    /// are the majority, `purge` is worth its O(n).
    pub(crate) fn mark_stale(&mut self) -> bool {
        self.stale += 1;
        self.stale > 1024 && self.stale * 2 > self.heap.len() + self.recent.len()
    }

    /// Drops every entry for which `live` is false.
    pub(crate) fn purge(&mut self, mut live: impl FnMut(&TimerEntry) -> bool) {
        let entries = std::mem::take(&mut self.heap).into_vec();
        self.heap = entries.into_iter().filter(|e| live(&e.0)).collect();
        self.recent.retain(|e| live(e));
        self.stale = 0;
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.heap.len() + self.recent.len()
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
        q.flush(|_| true);
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
        q.flush(|_| true);
        q.purge(|e| e.at_us % 2 == 0);
        assert_eq!(q.len(), 5);
        assert_eq!(q.pop().map(|e| e.at_us), Some(0));
    }

    #[test]
    fn an_entry_disarmed_before_the_flush_never_reaches_the_heap() {
        let mut q = TimerQueue::default();
        q.push(5, TimerWhat::User(Ref(1)));
        q.push(5, TimerWhat::User(Ref(2)));
        q.mark_stale();
        q.flush(|e| e.what != TimerWhat::User(Ref(1)));
        assert_eq!(q.len(), 1);
        assert_eq!(q.stale, 0);
        assert_eq!(q.pop().map(|e| e.what), Some(TimerWhat::User(Ref(2))));
    }

    #[test]
    fn cancel_recent_takes_back_only_a_recent_entry() {
        let mut q = TimerQueue::default();
        q.push(5, TimerWhat::User(Ref(1)));
        q.flush(|_| true);
        q.push(7, TimerWhat::User(Ref(2)));
        assert!(!q.cancel_recent(TimerWhat::User(Ref(1))));
        assert!(q.cancel_recent(TimerWhat::User(Ref(2))));
        assert_eq!(q.len(), 1);
    }
}
