//! The server side: `init`, the receive loop, and termination (GS-2, GS-8 to GS-13).

use super::client::reply;
use super::types::{CallResponse, From, Init, Next, Response};
use super::GenServer;
use crate::kernel::{catch_crash, ms, Ctx, ProcResult};
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::EventKind;

/// What the loop does after a callback.
enum Step {
    Go(Next),
    Stop {
        reason: Term,
        reply: Option<(From, Term)>,
    },
}

fn ack(ctx: &Ctx, starter: Pid, value: Term) {
    ctx.send(
        starter,
        Term::tuple([atom("ack"), Term::Pid(ctx.me()), value]),
    );
}

fn init_kind(next: &Next) -> &'static str {
    match next {
        Next::Wait => "ok",
        Next::Timeout(_) => "ok_timeout",
        Next::Hibernate => "ok_hibernate",
        Next::Continue(_) => "ok_continue",
    }
}

/// The body of a server process: register, `init`, acknowledge, loop.
pub(crate) async fn enter<G: GenServer>(
    ctx: Ctx,
    starter: Pid,
    parent: Option<Pid>,
    args: G::Args,
    name: Option<Atom>,
) -> ProcResult {
    let me = ctx.me();
    if let Some(name) = name {
        if ctx.register(name.clone(), me).is_err() {
            // NAME-4: init is not called; the new process exits normal.
            let holder = ctx.whereis(&name).map_or(Term::UNDEFINED, Term::Pid);
            ack(
                &ctx,
                starter,
                Term::tagged("error", Term::tagged("already_started", holder)),
            );
            return Ok(());
        }
    }
    let init_result = |result: &'static str, reason: Option<Term>| {
        ctx.emit(EventKind::InitResult {
            pid: me,
            result: Atom::from_static(result),
            reason,
        });
    };
    match catch_crash(G::init(&ctx, args)).await {
        Ok(Init::Ok(state)) => started(&ctx, starter, parent, state, Next::Wait).await,
        Ok(Init::OkThen(state, next)) => started(&ctx, starter, parent, state, next).await,
        Ok(Init::Ignore) => {
            init_result("ignore", None);
            ack(&ctx, starter, atom("ignore"));
            Ok(())
        }
        Ok(Init::Stop(reason)) => {
            init_result("stop", Some(reason.clone()));
            ack(&ctx, starter, Term::tagged("error", reason.clone()));
            Err(reason)
        }
        Err(crash) => {
            init_result("crash", Some(crash.clone()));
            ack(&ctx, starter, Term::tagged("error", crash.clone()));
            Err(crash)
        }
    }
}

/// `init` succeeded: acknowledge the starter first (GS-1), then serve.
async fn started<G: GenServer>(
    ctx: &Ctx,
    starter: Pid,
    parent: Option<Pid>,
    state: G,
    next: Next,
) -> ProcResult {
    let me = ctx.me();
    ctx.emit(EventKind::InitResult {
        pid: me,
        result: Atom::from_static(init_kind(&next)),
        reason: None,
    });
    ack(ctx, starter, Term::tuple([Term::OK, Term::Pid(me)]));
    serve(ctx, parent, state, next).await
}

fn handle_event(ctx: &Ctx, callback: &'static str, message: &Term) {
    ctx.emit(EventKind::Handle {
        pid: ctx.me(),
        callback: Atom::from_static(callback),
        message: message.clone(),
    });
}

/// The receive loop. Returns only by exiting.
async fn serve<G: GenServer>(
    ctx: &Ctx,
    parent: Option<Pid>,
    mut state: G,
    mut next: Next,
) -> ProcResult {
    loop {
        let step = match next {
            Next::Continue(cont) => {
                handle_event(ctx, "continue", &cont);
                on_response(catch_crash(state.handle_continue(ctx, cont)).await)
            }
            Next::Timeout(timeout_ms) => match ctx.recv_timeout(ms(timeout_ms)).await {
                Some(msg) => dispatch(ctx, parent, &mut state, msg).await,
                None => {
                    handle_event(ctx, "timeout", &Term::TIMEOUT);
                    on_response(catch_crash(state.handle_info(ctx, Term::TIMEOUT)).await)
                }
            },
            Next::Wait | Next::Hibernate => {
                let msg = ctx.recv().await;
                dispatch(ctx, parent, &mut state, msg).await
            }
        };
        match step {
            Step::Go(n) => next = n,
            Step::Stop {
                reason,
                reply: pending,
            } => {
                return terminate(ctx, &mut state, reason, pending).await;
            }
        }
    }
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

/// Routes one message to its callback.
async fn dispatch<G: GenServer>(ctx: &Ctx, parent: Option<Pid>, state: &mut G, msg: Term) -> Step {
    let Some(items) = msg.as_tuple() else {
        handle_event(ctx, "info", &msg);
        return on_response(catch_crash(state.handle_info(ctx, msg.clone())).await);
    };
    match items {
        [tag, from, request] if tag.is_atom("$gen_call") => {
            let Some(from) = From::from_term(from) else {
                return on_response(catch_crash(state.handle_info(ctx, msg.clone())).await);
            };
            handle_event(ctx, "call", request);
            match catch_crash(state.handle_call(ctx, request.clone(), from)).await {
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
            on_response(catch_crash(state.handle_cast(ctx, request.clone())).await)
        }
        // GS-11c: a trapped EXIT from the parent stops the server, whatever the reason.
        [tag, Term::Pid(from), reason] if tag.is_atom("EXIT") && Some(*from) == parent => {
            Step::Stop {
                reason: reason.clone(),
                reply: None,
            }
        }
        [tag, _from, request] if tag.is_atom("$system") => match request.as_tuple() {
            // GS-11d: gen_server:stop works whether or not the server traps exits.
            Some([t, reason]) if t.is_atom("terminate") => Step::Stop {
                reason: reason.clone(),
                reply: None,
            },
            _ => Step::Go(Next::Wait),
        },
        _ => {
            handle_event(ctx, "info", &msg);
            on_response(catch_crash(state.handle_info(ctx, msg.clone())).await)
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
