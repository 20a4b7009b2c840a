//! System messages and hot code upgrade: `sys:suspend`, `sys:change_code`,
//! `sys:resume` and `sys:get_state` (GS-9, GS-15).
//!
//! A system message is `{'$system', {Pid, Tag}, Request}`; the server answers
//! `{Tag, Reply}` as it answers a call. A suspended server takes nothing but system
//! messages and its parent's `EXIT` until it is resumed; other messages wait.
//!
//! The new code travels inside the `change_code` message as a fun carrying a
//! type-erased migration built from [`Upgrade`]. The running `serve::<Old>` loop hands
//! its state to it; on success the same process (same pid, mailbox, links and
//! monitors) goes on as `serve::<New>`, still suspended; on `Err` the old code and state
//! keep running and the caller gets `{error, Reason}`. The client side is in `sys.rs`.

use super::server::{serve, ServeFuture, Step};
use super::types::{From, Next};
use super::{GenServer, Upgrade};
use crate::kernel::{catch_crash, Ctx};
use crate::term::{atom, Pid, Term};
use crate::trace::EventKind;
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::rc::Rc;

/// A migration: hands the old state to the new code, or gives it back with a reason.
type MigrateFn = fn(&Ctx, Option<Pid>, Box<dyn Any>, &Term, Next) -> Migrated;

/// The new code a `change_code` request carries.
pub(super) struct NewCode {
    old_type: TypeId,
    new_vsn: Term,
    migrate: MigrateFn,
}

impl NewCode {
    /// The code that upgrades a server running `Old` to `New`.
    pub(super) fn new<Old: GenServer, New: Upgrade<Old>>() -> NewCode {
        NewCode {
            old_type: TypeId::of::<Old>(),
            new_vsn: New::vsn(),
            migrate: migrate::<Old, New>,
        }
    }
}

enum Migrated {
    Running(ServeFuture),
    Refused(Box<dyn Any>, Term),
}

/// The type-erased migration from `Old` to `New` that a [`NewCode`] carries.
fn migrate<Old: GenServer, New: Upgrade<Old>>(
    ctx: &Ctx,
    parent: Option<Pid>,
    old: Box<dyn Any>,
    extra: &Term,
    resume: Next,
) -> Migrated {
    let old = match old.downcast::<Old>() {
        Ok(old) => *old,
        Err(other) => return Migrated::Refused(other, atom("wrong_code")),
    };
    match New::code_change(old, extra) {
        // Still suspended: the release handler resumes it (GS-15).
        Ok(new) => Migrated::Running(Box::pin(serve::<New>(
            ctx.clone(),
            parent,
            new,
            resume,
            true,
        ))),
        Err((old, reason)) => Migrated::Refused(Box::new(old), reason),
    }
}

/// A `change_code` request, accepted while suspended, for the loop to carry out.
pub(super) struct ChangeCode {
    from: From,
    code: Rc<NewCode>,
    extra: Term,
}

/// Reads a server's state if it is of the expected type.
pub(super) type ReadFn = Box<dyn FnOnce(&dyn Any) -> Option<Term>>;

/// A `get_state` request.
pub(super) type StateReader = RefCell<Option<ReadFn>>;

/// True for what a suspended server takes from its mailbox.
pub(super) fn wakes_suspended(m: &Term, parent: Option<Pid>) -> bool {
    match m.as_tuple() {
        Some([tag, _, _]) if tag.is_atom("$system") => true,
        Some([tag, Term::Pid(from), _]) => tag.is_atom("EXIT") && Some(*from) == parent,
        _ => false,
    }
}

/// Handles a message a suspended server took: the parent's `EXIT` stops it, as in
/// sys.erl's suspend loop; a system message is handled as usual.
pub(super) async fn suspended<G: GenServer>(
    ctx: &Ctx,
    parent: Option<Pid>,
    state: &mut G,
    msg: Term,
    resume: Next,
) -> Step {
    match msg.as_tuple() {
        Some([tag, from, request]) if tag.is_atom("$system") => {
            Box::pin(system(ctx, state, from, request, resume, true)).await
        }
        Some([tag, Term::Pid(from), reason]) if tag.is_atom("EXIT") && Some(*from) == parent => {
            Step::Stop {
                reason: reason.clone(),
                reply: None,
            }
        }
        _ => Step::Go(resume),
    }
}

fn answer(ctx: &Ctx, to: From, value: Term) {
    ctx.send_alias(to.pid, to.tag, Term::tuple_of([Term::Ref(to.tag), value]));
}

fn unknown(request: &Term) -> Term {
    Term::tagged("error", Term::tagged("unknown_system_msg", request.clone()))
}

/// Handles one system request. Whatever it is, the server then goes back to the wait
/// it was in, so an idle timeout restarts for its full length (GS-9).
pub(super) async fn system<G: GenServer>(
    ctx: &Ctx,
    state: &mut G,
    from: &Term,
    request: &Term,
    resume: Next,
    suspended: bool,
) -> Step {
    if let Some([t, reason]) = request.as_tuple() {
        if t.is_atom("terminate") {
            return Step::Stop {
                reason: reason.clone(),
                reply: None,
            };
        }
    }
    let Some(from) = From::from_term(from) else {
        return Step::Go(resume);
    };
    match request.as_tuple() {
        _ if request.is_atom("suspend") => {
            answer(ctx, from, Term::OK);
            Step::Suspend(true, resume)
        }
        _ if request.is_atom("resume") => {
            answer(ctx, from, Term::OK);
            Step::Suspend(false, resume)
        }
        // sys.erl accepts change_code only from a suspended process.
        Some([t, Term::Fun(code), _old_vsn, extra]) if t.is_atom("change_code") && suspended => {
            match code.payload::<NewCode>() {
                Some(code) => Step::ChangeCode(
                    ChangeCode {
                        from,
                        code,
                        extra: extra.clone(),
                    },
                    resume,
                ),
                None => {
                    answer(ctx, from, unknown(request));
                    Step::Go(resume)
                }
            }
        }
        Some([t, Term::Fun(reader)]) if t.is_atom("get_state") => {
            let read = reader
                .payload::<StateReader>()
                .and_then(|r| r.borrow_mut().take());
            let value = match read {
                Some(read) => match catch_crash(async { read(&*state) }).await {
                    Ok(Some(value)) => value,
                    Ok(None) => Term::tagged("error", Term::tagged("wrong_code", G::vsn())),
                    Err(crash) => Term::tagged("error", Term::tagged("callback_failed", crash)),
                },
                None => unknown(request),
            };
            answer(ctx, from, value);
            Step::Go(resume)
        }
        _ => {
            answer(ctx, from, unknown(request));
            Step::Go(resume)
        }
    }
}

/// Carries out a `change_code` (GS-15): `Ok` is the new code's loop; `Err(Ok(state))`
/// keeps the old code running; `Err(Err(reason))` ends the process, because the
/// migration panicked after taking the old state (a Rust move cannot be undone, so
/// OTP's "the old state is kept" cannot hold there).
pub(super) async fn change_code<G: GenServer>(
    ctx: &Ctx,
    parent: Option<Pid>,
    state: G,
    change: ChangeCode,
    resume: Next,
) -> Result<ServeFuture, Result<G, Term>> {
    let ChangeCode { from, code, extra } = change;
    let event = |new_vsn: Term, result: Term| {
        ctx.emit(EventKind::CodeChange {
            pid: ctx.me(),
            old_vsn: G::vsn(),
            new_vsn,
            result,
        });
    };
    let refuse = |state: G, reason: Term| {
        let result = Term::tagged("error", reason);
        event(G::vsn(), result.clone());
        answer(ctx, from, result);
        Err(Ok(state))
    };
    if code.old_type != TypeId::of::<G>() {
        return refuse(state, Term::tagged("wrong_code", G::vsn()));
    }
    let migrated =
        catch_crash(async { (code.migrate)(ctx, parent, Box::new(state), &extra, resume) }).await;
    match migrated {
        Ok(Migrated::Running(new_code)) => {
            event(code.new_vsn.clone(), Term::OK);
            answer(ctx, from, Term::OK);
            Ok(new_code)
        }
        Ok(Migrated::Refused(old, reason)) => match old.downcast::<G>() {
            Ok(state) => refuse(*state, reason),
            Err(_) => Err(Err(Term::tagged("lost_state", reason))),
        },
        Err(crash) => {
            event(G::vsn(), Term::tagged("error", crash.clone()));
            Err(Err(crash))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs15_a_suspended_server_wakes_for_system_messages_and_its_parent_only() {
        // GS-15: while suspended, only system messages and the parent's EXIT are taken.
        let parent = Pid::from_parts(0, 1);
        let other = Pid::from_parts(1, 2);
        let system = Term::tuple_of([atom("$system"), Term::UNDEFINED, atom("resume")]);
        let exit = |from| Term::tuple_of([atom("EXIT"), Term::Pid(from), atom("x")]);
        let call = Term::tuple_of([atom("$gen_call"), Term::UNDEFINED, atom("get")]);
        assert!(wakes_suspended(&system, Some(parent)));
        assert!(wakes_suspended(&exit(parent), Some(parent)));
        assert!(!wakes_suspended(&exit(other), Some(parent)));
        assert!(!wakes_suspended(&exit(parent), None));
        assert!(!wakes_suspended(&call, Some(parent)));
    }
}
