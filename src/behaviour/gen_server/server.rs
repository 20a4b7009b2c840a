//! The server side: `init`, the receive loop, and termination (GS-2, GS-8 to GS-13).

use super::client::reply;
use super::types::{CallResponse, From, Init, Next, Response, ServerName};
use super::upgrade::{self, ChangeCode};
use super::GenServer;
use crate::kernel::{catch_crash, catch_crash_pinned, ms, Ctx, ProcResult};
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::hot::{HandleView, InitResultView};
use crate::trace::EventKind;
use std::future::Future;
use std::pin::Pin;

/// What the loop does after a callback or a system message.
pub(super) enum Step {
    Go(Next),
    /// `sys:suspend` (true) or `sys:resume` (false); then wait as `Next` says (GS-15).
    Suspend(bool, Next),
    /// `sys:change_code` while suspended: the loop hands its state to the new code.
    ChangeCode(ChangeCode, Next),
    Stop {
        reason: Term,
        reply: Option<(From, Term)>,
    },
}

/// A server loop running some code `G`, type-erased so that a code upgrade can go on
/// as a loop of another type in the same process.
pub(super) type ServeFuture = Pin<Box<dyn Future<Output = Served>>>;

/// How a server loop ended: the process exits, or it goes on running new code.
pub(super) enum Served {
    Exit(ProcResult),
    Become(ServeFuture),
}

fn ack(ctx: &Ctx, starter: Pid, value: Term) {
    ctx.send(
        starter,
        Term::tuple_of([atom("ack"), Term::Pid(ctx.me()), value]),
    );
}

/// The acknowledgement after `init`, without a `send` event: the `init_result` just
/// traced stands for it (ADR 004).
fn ack_folded(ctx: &Ctx, starter: Pid, value: Term) {
    ctx.folded(|| ack(ctx, starter, value));
}

fn init_kind(next: &Next) -> &'static str {
    match next {
        Next::Wait => "ok",
        Next::Timeout(_) => "ok_timeout",
        Next::Hibernate => "ok_hibernate",
        Next::Continue(_) => "ok_continue",
    }
}

/// The body of a server process: register, `init`, acknowledge, loop. The name is
/// boxed: it is kept for the process's whole life, and a `ServerName` is ten words.
#[allow(clippy::manual_async_fn)] // See `serve`.
pub(crate) fn enter<G: GenServer>(
    ctx: Ctx,
    starter: Pid,
    parent: Option<Pid>,
    args: G::Args,
    name: Option<Box<ServerName>>,
) -> impl Future<Output = ProcResult> {
    async move {
        let me = ctx.me();
        if let Some(name) = &name {
            // The starter checked the name already; this catches a race with another start.
            if let Err(holder) = name.register_self(&ctx) {
                // NAME-4: init is not called; the new process exits normal.
                ack(
                    &ctx,
                    starter,
                    Term::tagged("error", Term::tagged("already_started", holder)),
                );
                return Ok(());
            }
        }
        // A failed init reports, gives the name back, then acknowledges (gen.erl).
        let init_result = |result: &'static str, reason: Option<Term>| {
            ctx.emit(EventKind::InitResult {
                pid: me,
                result: Atom::from_static(result),
                reason,
            });
            if let Some(name) = &name {
                name.unregister_self(&ctx);
            }
        };
        match catch_crash_pinned(std::pin::pin!(G::init(&ctx, args))).await {
            Ok(Init::Ok(state)) => started(&ctx, starter, parent, state, Next::Wait).await,
            Ok(Init::OkThen(state, next)) => started(&ctx, starter, parent, state, next).await,
            Ok(Init::Ignore) => {
                init_result("ignore", None);
                ack_folded(&ctx, starter, atom("ignore"));
                Ok(())
            }
            Ok(Init::Stop(reason)) => {
                init_result("stop", Some(reason.clone()));
                ack_folded(&ctx, starter, Term::tagged("error", reason.clone()));
                Err(reason)
            }
            Err(crash) => {
                init_result("crash", Some(crash.clone()));
                ack_folded(&ctx, starter, Term::tagged("error", crash.clone()));
                Err(crash)
            }
        }
    }
}

/// `init` succeeded: acknowledge the starter first (GS-1), then serve.
#[allow(clippy::manual_async_fn)] // See `serve`.
fn started<G: GenServer>(
    ctx: &Ctx,
    starter: Pid,
    parent: Option<Pid>,
    state: G,
    next: Next,
) -> impl Future<Output = ProcResult> + '_ {
    async move {
        let me = ctx.me();
        // In a block, so that none of it is kept in the future while the loop runs.
        {
            let result = Atom::from_static(init_kind(&next));
            let view = InitResultView {
                pid: me,
                result: &result,
                reason: None,
            };
            ctx.emit_view(&view, || EventKind::InitResult {
                pid: me,
                result: result.clone(),
                reason: None,
            });
        }
        ack_folded(ctx, starter, Term::tuple_of([Term::OK, Term::Pid(me)]));
        // A trampoline, so that upgrading back and forth does not nest loops (GS-15).
        let mut served = serve(ctx.clone(), parent, state, next, false).await;
        loop {
            match served {
                Served::Exit(result) => return result,
                Served::Become(code) => served = code.await,
            }
        }
    }
}

fn handle_event(ctx: &Ctx, callback: &'static str, message: &Term) {
    let pid = ctx.me();
    let callback = Atom::from_static(callback);
    let view = HandleView {
        pid,
        callback: &callback,
        message,
    };
    ctx.emit_view(&view, || EventKind::Handle {
        pid,
        callback: callback.clone(),
        message: message.clone(),
    });
}

/// The receive loop. Returns when the server exits or changes code. While `suspended`
/// it takes only system messages and its parent's `EXIT` (GS-15); `next` then holds
/// the wait to go back to on resume.
// Not an `async fn`: an async fn moves its arguments into locals and keeps both,
// and a process's body is as big as this loop's largest state. The captures of an
// `async move` block are kept once.
#[allow(clippy::manual_async_fn)]
pub(super) fn serve<G: GenServer>(
    ctx: Ctx,
    parent: Option<Pid>,
    mut state: G,
    mut next: Next,
    mut suspended: bool,
) -> impl Future<Output = Served> {
    async move {
        let ctx = &ctx;
        loop {
            let step = if suspended {
                // With no timeout the receive ends only with a message.
                let msg = ctx
                    .recv_match(move |m| upgrade::wakes_suspended(m, parent), None)
                    .await
                    .unwrap_or_else(undefined);
                // Boxed, as the other rare paths below: a future's size is that of its
                // largest state, and every process's body is as big as the loop's.
                Box::pin(upgrade::suspended(
                    ctx,
                    parent,
                    &mut state,
                    msg,
                    next.clone(),
                ))
                .await
            } else {
                match next {
                    Next::Continue(cont) => {
                        handle_event(ctx, "continue", &cont);
                        on_response(catch_crash(state.handle_continue(ctx, cont)).await)
                    }
                    // Messages are taken without a `recv` event: the `handle` event that
                    // follows stands for it (ADR 003); `dispatch` traces the others.
                    Next::Timeout(timeout_ms) => {
                        match ctx.recv_timeout(ms(timeout_ms)).folded().await {
                            Some(msg) => {
                                dispatch(ctx, parent, &mut state, msg, Next::Timeout(timeout_ms))
                                    .await
                            }
                            None => {
                                handle_event(ctx, "timeout", &Term::TIMEOUT);
                                on_response(
                                    catch_crash(state.handle_info(ctx, Term::TIMEOUT)).await,
                                )
                            }
                        }
                    }
                    Next::Wait => {
                        let msg = next_message(ctx).await;
                        dispatch(ctx, parent, &mut state, msg, Next::Wait).await
                    }
                    Next::Hibernate => {
                        let msg = next_message(ctx).await;
                        dispatch(ctx, parent, &mut state, msg, Next::Hibernate).await
                    }
                }
            };
            match step {
                Step::Go(n) => next = n,
                Step::Suspend(on, n) => {
                    suspended = on;
                    next = n;
                }
                Step::ChangeCode(change, n) => {
                    let changed =
                        Box::pin(upgrade::change_code(ctx, parent, state, change, n.clone()));
                    match changed.await {
                        Ok(new_code) => return Served::Become(new_code),
                        Err(Ok(old)) => state = old,
                        Err(Err(exit)) => return Served::Exit(Err(exit)),
                    }
                    next = n;
                }
                Step::Stop {
                    reason,
                    reply: pending,
                } => {
                    return Served::Exit(terminate(ctx, &mut state, reason, pending).await);
                }
            }
        }
    }
}

/// `undefined`, as a function: `unwrap_or(Term::UNDEFINED)` builds the default and
/// calls its destructor even when it goes unused, on every message.
fn undefined() -> Term {
    Term::UNDEFINED
}

/// The next message, without a `recv` event (see `serve`).
async fn next_message(ctx: &Ctx) -> Term {
    let any = |_: &Term| true;
    // With no timeout the receive ends only with a message.
    ctx.recv_match(any, None)
        .folded()
        .await
        .unwrap_or_else(undefined)
}

/// The `recv` event for a message no `handle` event stands for.
fn traced_recv(ctx: &Ctx, msg: &Term) {
    ctx.emit(EventKind::Recv {
        pid: ctx.me(),
        msg: msg.clone(),
    });
}

fn on_response(r: Result<Response, Term>) -> Step {
    match r {
        Ok(Response::NoReply(next)) => Step::Go(next),
        Ok(Response::Stop(reason)) => Step::Stop {
            reason,
            reply: None,
        },
        Err(crash) => Step::Stop {
            reason: crash,
            reply: None,
        },
    }
}

/// Routes one message to its callback. `resume` is the wait the message interrupted: a
/// system message goes back to it, so an idle timeout restarts in full (GS-9).
#[allow(clippy::manual_async_fn)] // See `serve`.
fn dispatch<'a, G: GenServer>(
    ctx: &'a Ctx,
    parent: Option<Pid>,
    state: &'a mut G,
    msg: Term,
    resume: Next,
) -> impl Future<Output = Step> + 'a {
    async move {
        let Some(items) = msg.as_tuple() else {
            handle_event(ctx, "info", &msg);
            let callback = std::pin::pin!(state.handle_info(ctx, msg.clone()));
            return on_response(catch_crash_pinned(callback).await);
        };
        match items {
            [tag, from, request] if tag.is_atom("$gen_call") => {
                let Some(from) = From::from_term(from) else {
                    handle_event(ctx, "info", &msg);
                    return on_response(catch_crash(state.handle_info(ctx, msg.clone())).await);
                };
                handle_event(ctx, "call", request);
                let callback = std::pin::pin!(state.handle_call(ctx, request.clone(), from));
                match catch_crash_pinned(callback).await {
                    Ok(CallResponse::Reply(value, next)) => {
                        // GS-8: the reply goes out before the timeout or continue.
                        reply(ctx, from, value);
                        Step::Go(next)
                    }
                    Ok(CallResponse::NoReply(next)) => Step::Go(next),
                    Ok(CallResponse::Stop {
                        reason,
                        reply: value,
                    }) => Step::Stop {
                        reason,
                        reply: value.map(|v| (from, v)),
                    },
                    Err(crash) => Step::Stop {
                        reason: crash,
                        reply: None,
                    },
                }
            }
            [tag, request] if tag.is_atom("$gen_cast") => {
                handle_event(ctx, "cast", request);
                let callback = std::pin::pin!(state.handle_cast(ctx, request.clone()));
                on_response(catch_crash_pinned(callback).await)
            }
            // GS-11c: a trapped EXIT from the parent stops the server, whatever the reason.
            [tag, Term::Pid(from), reason] if tag.is_atom("EXIT") && Some(*from) == parent => {
                traced_recv(ctx, &msg);
                Step::Stop {
                    reason: reason.clone(),
                    reply: None,
                }
            }
            // GS-11d (gen_server:stop works whether or not the server traps exits), GS-15.
            [tag, from, request] if tag.is_atom("$system") => {
                traced_recv(ctx, &msg);
                Box::pin(upgrade::system(ctx, state, from, request, resume, false)).await
            }
            _ => {
                handle_event(ctx, "info", &msg);
                let callback = std::pin::pin!(state.handle_info(ctx, msg.clone()));
                on_response(catch_crash_pinned(callback).await)
            }
        }
    }
}

/// GS-8, GS-11, GS-13: run `terminate`, then send a pending stop reply, then exit with
/// the original reason (or with `terminate`'s own crash).
async fn terminate<G: GenServer>(
    ctx: &Ctx,
    state: &mut G,
    reason: Term,
    pending: Option<(From, Term)>,
) -> ProcResult {
    ctx.emit(EventKind::TerminateCb {
        pid: ctx.me(),
        reason: reason.clone(),
    });
    let outcome = catch_crash(state.terminate(ctx, &reason)).await;
    if let Some((from, value)) = pending {
        reply(ctx, from, value);
    }
    match outcome {
        Ok(()) => Err(reason),
        Err(crash) => Err(crash),
    }
}
