//! The shutdown protocol for one child (SUP-20 to SUP-22).

use super::flags::{Restart, Shutdown};
use crate::kernel::{ms, Ctx};
use crate::term::{Atom, Pid, Ref, Term};
use crate::trace::hot::{ChildDownView, ChildShutdownView};
use crate::trace::EventKind;

pub(crate) fn is_down(m: &Term, mref: Ref) -> bool {
    matches!(m.as_tuple(), Some([d, Term::Ref(r), _, _, _]) if *r == mref && d.is_atom("DOWN"))
}

pub(crate) fn is_exit_from(m: &Term, pid: Pid) -> bool {
    matches!(m.as_tuple(), Some([e, Term::Pid(p), _]) if *p == pid && e.is_atom("EXIT"))
}

/// The last element of a `DOWN` or `EXIT` message: the reason.
pub(crate) fn last_reason(m: &Term) -> Term {
    m.as_tuple()
        .and_then(|t| t.last().cloned())
        .unwrap_or(Term::UNDEFINED)
}

/// OTP's test of a shutdown's outcome: `killed` under brutal_kill, `shutdown` under a
/// timeout, and `normal`, `shutdown` or `{shutdown, _}` for non-permanent children; anything else is a
/// `shutdown_error` (SUP-20).
pub(crate) fn accepted(reason: &Term, restart: Restart, how: Shutdown) -> bool {
    let lenient = restart != Restart::Permanent;
    match how {
        Shutdown::BrutalKill => reason.is_atom("killed") || (lenient && reason.is_clean_exit()),
        _ => {
            reason.is_atom("shutdown")
                || (lenient && (reason.is_atom("normal") || reason.is_shutdown_tuple()))
        }
    }
}

/// OTP's `unlink_flush`: unlink, then take the child's `EXIT` if it is queued; its
/// reason is the true one (SUP-22).
/// Its steps emit no events: the `child_down` that follows stands for them (ADR 004).
pub(crate) async fn unlink_flush(ctx: &Ctx, pid: Pid, default: Term) -> Term {
    ctx.folded(|| ctx.unlink(pid));
    let exit = ctx.recv_match(move |m| is_exit_from(m, pid), Some(0));
    match exit.folded().await {
        Some(exit) => last_reason(&exit),
        None => default,
    }
}

/// Shuts one child down, one after another as OTP does (SUP-20): monitor, then
/// `exit(kill)` or `exit(shutdown)`, wait for the `DOWN` within the budget (virtual
/// time), kill after it, then unlink and flush the `EXIT`. Returns the exit reason.
pub(crate) async fn shutdown_child(
    ctx: &Ctx,
    id: &Term,
    pid: Pid,
    restart: Restart,
    how: Shutdown,
) -> Term {
    let sup = ctx.me();
    let method = if how == Shutdown::BrutalKill {
        "kill"
    } else {
        "shutdown"
    };
    let method = Atom::from_static(method);
    let timeout = how.to_term();
    let view = ChildShutdownView {
        sup,
        id,
        pid,
        method: &method,
        timeout: &timeout,
    };
    ctx.emit_view(&view, || EventKind::ChildShutdown {
        sup,
        id: id.clone(),
        pid,
        method: method.clone(),
        timeout: timeout.clone(),
    });
    // `child_shutdown` stands for the monitor and the exit signal (ADR 004); what the
    // signal did to the child is still traced, as the child's `exit` and the `down`.
    let (mref, budget_us) = ctx.folded(|| {
        let mref = ctx.monitor(pid);
        let budget_us = match how {
            Shutdown::BrutalKill => {
                ctx.exit(pid, Term::KILL);
                None
            }
            Shutdown::Timeout(t) => {
                ctx.exit(pid, Term::SHUTDOWN);
                Some(ms(t))
            }
            Shutdown::Infinity => {
                ctx.exit(pid, Term::SHUTDOWN);
                None
            }
        };
        (mref, budget_us)
    });
    // `child_down` stands for taking the `DOWN`, as for the `EXIT` in `unlink_flush`.
    let wait = ctx.recv_match(move |m| is_down(m, mref), budget_us);
    let down = match wait.folded().await {
        Some(down) => down,
        None => {
            ctx.emit(EventKind::ChildShutdownTimeout {
                sup,
                id: id.clone(),
                pid,
            });
            ctx.folded(|| ctx.exit(pid, Term::KILL));
            ctx.recv_match(move |m| is_down(m, mref), None)
                .folded()
                .await
                .unwrap_or(Term::UNDEFINED)
        }
    };
    let reason = unlink_flush(ctx, pid, last_reason(&down)).await;
    let accepted = accepted(&reason, restart, how);
    let view = ChildDownView {
        sup,
        id,
        pid,
        reason: &reason,
        accepted,
    };
    ctx.emit_view(&view, || EventKind::ChildDown {
        sup,
        id: id.clone(),
        pid,
        reason: reason.clone(),
        accepted,
    });
    reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::atom;

    #[test]
    fn sup20_accepted_reasons() {
        // SUP-20: shutdown, or killed under brutal_kill; normal or {shutdown,_} for
        // non-permanent children; anything else (killed after a timeout) is an error.
        let t = Shutdown::Timeout(100);
        let b = Shutdown::BrutalKill;
        let sx = Term::tagged("shutdown", atom("x"));
        assert!(accepted(&Term::SHUTDOWN, Restart::Permanent, t));
        assert!(!accepted(&Term::KILLED, Restart::Permanent, t));
        assert!(accepted(&Term::KILLED, Restart::Permanent, b));
        assert!(!accepted(&Term::NORMAL, Restart::Permanent, t));
        assert!(!accepted(&sx, Restart::Permanent, b));
        assert!(!accepted(&Term::SHUTDOWN, Restart::Permanent, b));
        assert!(accepted(&Term::NORMAL, Restart::Transient, t));
        assert!(accepted(&sx, Restart::Temporary, b));
        assert!(!accepted(&atom("boom"), Restart::Temporary, t));
    }
}
