//! A dynamic supervisor's concurrent shutdown (DSUP-6): every child is told at once,
//! one timer per distinct shutdown value, `DOWN`s taken in any order.

use crate::behaviour::supervisor::{is_exit_from, last_reason, Restart, Shutdown};
use crate::kernel::{ms, Ctx};
use crate::term::{atom, Atom, Pid, Ref, Term};
use crate::trace::EventKind;
use std::collections::BTreeMap;

/// One child to shut down.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target {
    pub(crate) pid: Pid,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Shutdown,
}

/// Elixir's `wait_child`: `killed` under brutal_kill; otherwise `shutdown` or
/// `{shutdown, _}`, and `normal` for a non-permanent child.
fn accepted(reason: &Term, t: &Target) -> bool {
    match t.shutdown {
        Shutdown::BrutalKill => reason.is_atom("killed"),
        _ => {
            reason.is_atom("shutdown")
                || reason.is_shutdown_tuple()
                || (reason.is_atom("normal") && t.restart != Restart::Permanent)
        }
    }
}

fn child_down(ctx: &Ctx, pid: Pid, reason: Term, accepted: bool) {
    ctx.emit(EventKind::ChildDown {
        sup: ctx.me(),
        id: Term::UNDEFINED,
        pid,
        reason,
        accepted,
    });
}

fn down_ref(m: &Term) -> Option<Ref> {
    match m.as_tuple()? {
        [d, Term::Ref(r), _, _, _] if d.is_atom("DOWN") => Some(*r),
        _ => None,
    }
}

fn timeout_ref(m: &Term) -> Option<Ref> {
    match m.as_tuple()? {
        [t, Term::Ref(r), k] if t.is_atom("timeout") && k.is_atom("kill") => Some(*r),
        _ => None,
    }
}

/// Shuts `targets` down, which are in ascending spawn order: signals go out in that
/// order, then the supervisor waits for all the `DOWN`s, killing the children of a
/// shutdown value when its timer fires.
pub(crate) async fn terminate_children(ctx: &Ctx, targets: &[Target]) {
    let me = ctx.me();
    let mut pending: BTreeMap<Ref, Target> = BTreeMap::new();
    let mut by_time: BTreeMap<u64, Vec<Pid>> = BTreeMap::new();
    for t in targets {
        let mref = ctx.monitor(t.pid);
        ctx.unlink(t.pid);
        // A child already dead: its EXIT gives the reason, its DOWN is taken too.
        let pid = t.pid;
        if let Some(exit) = ctx.recv_match(move |m| is_exit_from(m, pid), Some(0)).await {
            let reason = last_reason(&exit);
            ctx.recv_match(move |m| down_ref(m) == Some(mref), None)
                .await;
            let ok = reason.is_atom("normal") && t.restart != Restart::Permanent;
            child_down(ctx, pid, reason, ok);
            continue;
        }
        let (method, signal) = match t.shutdown {
            Shutdown::BrutalKill => ("kill", Term::KILL),
            _ => ("shutdown", Term::SHUTDOWN),
        };
        ctx.emit(EventKind::ChildShutdown {
            sup: me,
            id: Term::UNDEFINED,
            pid,
            method: Atom::from_static(method),
            timeout: t.shutdown.to_term(),
        });
        ctx.exit(pid, signal);
        if let Shutdown::Timeout(time) = t.shutdown {
            by_time.entry(time).or_default().push(pid);
        }
        pending.insert(mref, *t);
    }
    let mut timers: BTreeMap<Ref, (Ref, Vec<Pid>)> = BTreeMap::new();
    for (time, pids) in by_time {
        let tag = ctx.make_ref();
        let msg = Term::tuple_of([atom("timeout"), Term::Ref(tag), atom("kill")]);
        let timer = ctx.send_after(ms(time), me, msg);
        timers.insert(tag, (timer, pids));
    }
    while !pending.is_empty() {
        let (p, t) = (&pending, &timers);
        let wanted = move |m: &Term| {
            down_ref(m).is_some_and(|r| p.contains_key(&r))
                || timeout_ref(m).is_some_and(|r| t.contains_key(&r))
        };
        let Some(msg) = ctx.recv_match(wanted, None).await else {
            break;
        };
        if let Some(mref) = down_ref(&msg) {
            if let Some(target) = pending.remove(&mref) {
                let reason = last_reason(&msg);
                let ok = accepted(&reason, &target);
                child_down(ctx, target.pid, reason, ok);
            }
        } else if let Some(tag) = timeout_ref(&msg) {
            let Some((_, pids)) = timers.remove(&tag) else {
                continue;
            };
            for pid in pids {
                if pending.values().any(|t| t.pid == pid) {
                    ctx.emit(EventKind::ChildShutdownTimeout {
                        sup: me,
                        id: Term::UNDEFINED,
                        pid,
                    });
                    ctx.exit(pid, Term::KILL);
                }
            }
        }
    }
    // Timers that fired meanwhile leave their message behind: take it out.
    for (tag, (timer, _)) in timers {
        if ctx.cancel_timer(timer).is_none() {
            ctx.recv_match(move |m| timeout_ref(m) == Some(tag), Some(0))
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsup6_accepted_reasons() {
        // DSUP-6 (Elixir's wait_child): killed under brutal_kill; shutdown and
        // {shutdown,_} otherwise; normal only for a non-permanent child.
        let t = |restart, shutdown| Target {
            pid: Pid::from_parts(0, 1),
            restart,
            shutdown,
        };
        let perm = t(Restart::Permanent, Shutdown::Timeout(10));
        assert!(accepted(&Term::SHUTDOWN, &perm));
        assert!(accepted(&Term::tagged("shutdown", atom("x")), &perm));
        assert!(!accepted(&Term::NORMAL, &perm));
        assert!(!accepted(&Term::KILLED, &perm));
        assert!(accepted(
            &Term::NORMAL,
            &t(Restart::Transient, Shutdown::Infinity)
        ));
        let brutal = t(Restart::Temporary, Shutdown::BrutalKill);
        assert!(accepted(&Term::KILLED, &brutal));
        assert!(!accepted(&Term::SHUTDOWN, &brutal));
    }
}
