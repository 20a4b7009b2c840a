//! The two ways a process blocks: `receive` (selective, with an optional virtual-time
//! timeout) and spending virtual time (`sleep`/`work`).

use super::process::Wait;
use super::Ctx;
use crate::term::Term;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future returned by the `recv*` family of [`Ctx`]. Resolves to the first message
/// that matches, or `None` when the timeout passes first (PROC-4).
#[must_use = "a receive does nothing unless awaited"]
pub struct Receive<'a, F> {
    ctx: &'a Ctx,
    matches: F,
    timeout_us: Option<u64>,
    started: bool,
    armed: bool,
    folded: bool,
    since: Option<u64>,
}

impl<'a, F: FnMut(&Term) -> bool + Unpin> Receive<'a, F> {
    pub(crate) fn new(ctx: &'a Ctx, matches: F, timeout_us: Option<u64>) -> Self {
        Receive {
            ctx,
            matches,
            timeout_us,
            started: false,
            armed: false,
            folded: false,
            since: None,
        }
    }

    /// Only looks at messages that arrived after `mark` (from [`Ctx::mailbox_mark`]):
    /// the BEAM's receive mark. A reply that can only come from a process spawned, or a
    /// request sent, after the mark is then found without rescanning everything queued
    /// before it, so a supervisor with 10,000 `EXIT`s waiting still starts a child in
    /// O(1).
    pub fn since_mark(mut self, mark: u64) -> Self {
        self.since = Some(mark);
        self
    }

    /// Receives without a `recv` event of its own: the caller emits an event of its
    /// vocabulary that stands for it (ADR 003), as the gen_server loop's `handle` does.
    pub fn folded(mut self) -> Self {
        self.folded = true;
        self
    }
}

impl<F: FnMut(&Term) -> bool + Unpin> Future for Receive<'_, F> {
    type Output = Option<Term>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Term>> {
        let this = self.get_mut();
        let me = this.ctx.me;
        let mut k = this.ctx.kernel.borrow_mut();
        let Some(p) = k.proc_mut(me) else {
            return Poll::Pending;
        };
        if !this.started {
            this.started = true;
            // Messages since the mark are the newest ones; removals can only leave
            // fewer of them, so this start never skips one.
            let newer = this
                .since
                .map_or(usize::MAX, |m| (p.delivered - m) as usize);
            p.scan_from = p.mailbox.len().saturating_sub(newer);
        }
        let mut found = None;
        for i in p.scan_from..p.mailbox.len() {
            if (this.matches)(&p.mailbox[i]) {
                found = Some(i);
                break;
            }
        }
        let done = match found {
            Some(0) => Some(p.mailbox.pop_front()),
            Some(i) => Some(p.mailbox.remove(i)),
            None if p.timed_out || this.timeout_us == Some(0) => Some(None),
            None => {
                p.scan_from = p.mailbox.len();
                p.wait = Wait::Receive;
                None
            }
        };
        match done {
            Some(result) => {
                p.wait = Wait::Ready;
                p.scan_from = 0;
                if this.armed {
                    k.disarm_wake(me);
                }
                if let Some(msg) = result.as_ref().filter(|_| !this.folded) {
                    k.emit_recv(me, msg);
                }
                // Ctx::abort_if_stopped, without borrowing the kernel a second time.
                let stop = k.stop.is_some() || k.abort_running;
                drop(k);
                if stop {
                    std::panic::panic_any(super::panics::StopNow);
                }
                Poll::Ready(result)
            }
            None => {
                if let (Some(t), false) = (this.timeout_us, this.armed) {
                    this.armed = true;
                    let at = k.now_us.saturating_add(t);
                    k.arm_wake(me, at);
                }
                Poll::Pending
            }
        }
    }
}

/// The future returned by [`Ctx::sleep`] and [`Ctx::work`]: resolves once the given
/// virtual time has passed. Messages arriving meanwhile wait in the mailbox.
#[must_use = "a sleep does nothing unless awaited"]
pub struct Sleep<'a> {
    ctx: &'a Ctx,
    duration_us: u64,
    armed: bool,
}

impl<'a> Sleep<'a> {
    pub(crate) fn new(ctx: &'a Ctx, duration_us: u64) -> Self {
        Sleep {
            ctx,
            duration_us,
            armed: false,
        }
    }
}

impl Future for Sleep<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let me = this.ctx.me;
        let mut k = this.ctx.kernel.borrow_mut();
        if !this.armed {
            this.armed = true;
            let at = k.now_us.saturating_add(this.duration_us);
            k.arm_wake(me, at);
            if let Some(p) = k.proc_mut(me) {
                p.wait = Wait::Sleep;
            }
            return Poll::Pending;
        }
        match k.proc_mut(me) {
            Some(p) if p.timed_out => {
                p.timed_out = false;
                p.wait = Wait::Ready;
                p.wait_serial = p.wait_serial.wrapping_add(1);
                Poll::Ready(())
            }
            _ => Poll::Pending,
        }
    }
}
