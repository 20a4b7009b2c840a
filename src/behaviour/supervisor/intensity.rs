//! Restart intensity: how many restarts fit in the sliding window (SUP-14).

use std::collections::VecDeque;

/// What adding one restart gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Counted {
    /// The restart's stamp in whole seconds.
    pub(crate) stamp_s: u64,
    /// Restarts in the window, this one included.
    pub(crate) window_len: u64,
    /// True when the window now holds more than `max_restarts`.
    pub(crate) exceeded: bool,
}

/// The restart stamps inside the window, oldest first.
#[derive(Clone, Debug)]
pub(crate) struct Intensity {
    stamps: VecDeque<u64>,
    max_restarts: u32,
    period_s: u64,
}

impl Intensity {
    pub(crate) fn new(max_restarts: u32, period_s: u32) -> Intensity {
        Intensity {
            stamps: VecDeque::new(),
            max_restarts,
            period_s: u64::from(period_s),
        }
    }

    pub(crate) fn max_restarts(&self) -> u32 {
        self.max_restarts
    }

    /// New limits from a code change (SUP-27). The stamps stay: OTP's `set_flags`
    /// replaces intensity and period but not the restart history.
    pub(crate) fn set_limits(&mut self, max_restarts: u32, period_s: u32) {
        self.max_restarts = max_restarts;
        self.period_s = u64::from(period_s);
    }

    /// OTP's `add_restart`: the stamp is `floor(now / 1 s)`, as OTP reads the monotonic
    /// clock in whole seconds; stamps older than `now - period` go, a stamp equal to
    /// it stays (the window is inclusive), then `now` joins.
    pub(crate) fn add(&mut self, now_us: u64) -> Counted {
        let now_s = now_us / 1_000_000;
        // Stamps only grow, so the old ones are all at the front.
        while self
            .stamps
            .front()
            .is_some_and(|&s| s.saturating_add(self.period_s) < now_s)
        {
            self.stamps.pop_front();
        }
        self.stamps.push_back(now_s);
        let window_len = self.stamps.len() as u64;
        Counted {
            stamp_s: now_s,
            window_len,
            exceeded: window_len > u64::from(self.max_restarts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{ms, secs};

    #[test]
    fn sup14_whole_seconds_inclusive_window() {
        // SUP-14: MaxR 1, Period 1: crashes 1001 ms apart over adjacent second ticks
        // exceed the limit, 1999 ms apart over two ticks do not.
        let mut i = Intensity::new(1, 1);
        assert!(!i.add(ms(500)).exceeded);
        assert!(i.add(ms(1501)).exceeded);
        let mut j = Intensity::new(1, 1);
        assert!(!j.add(ms(500)).exceeded);
        let c = j.add(ms(2499));
        assert_eq!((c.stamp_s, c.window_len, c.exceeded), (2, 1, false));
    }

    #[test]
    fn sup14_exceeded_on_the_max_plus_first_restart() {
        // SUP-14: the limit hits on the (MaxR+1)-th restart; MaxR 0 ends at the first.
        let mut i = Intensity::new(3, 5);
        for k in 0..3 {
            assert!(!i.add(secs(k)).exceeded);
        }
        assert!(i.add(secs(5)).exceeded);
        let mut zero = Intensity::new(0, 5);
        assert!(zero.add(0).exceeded);
    }

    #[test]
    fn sup14_old_stamps_leave_the_window() {
        // SUP-14: stamps older than Now - Period are dropped before counting.
        let mut i = Intensity::new(2, 5);
        i.add(secs(0));
        i.add(secs(1));
        let c = i.add(secs(7));
        assert_eq!(c.window_len, 1);
        assert!(!c.exceeded);
    }
}
