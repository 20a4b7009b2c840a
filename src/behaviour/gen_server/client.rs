//! The client side: call, cast, reply and stop (GS-5 to GS-7, GS-14, NAME-3).

use super::types::{mfa, timeout_term, From, ServerRef};
use crate::kernel::{ms, Ctx};
use crate::term::{atom, Pid, Ref, Term};
use crate::trace::hot::{CallView, ReplyView};
use crate::trace::EventKind;

/// The default call timeout: 5000 ms (GS-5).
pub const DEFAULT_TIMEOUT: Option<u64> = Some(5000);

/// The server's pid now, or `None` for a name nobody (alive) holds.
///
/// # Panics
/// For a via-name whose registry does not exist or has duplicate keys: Elixir raises
/// `ArgumentError` in the caller there (fixture `registry/via.out`).
pub(crate) fn resolve(ctx: &Ctx, server: &ServerRef) -> Option<Pid> {
    match server {
        ServerRef::Pid(p) => Some(*p),
        ServerRef::Name(n) => ctx.whereis(n),
        ServerRef::Via(v) => v.whereis(ctx),
    }
}

fn is_reply(m: &Term, tag: Ref) -> bool {
    matches!(m.as_tuple(), Some([Term::Ref(r), _]) if *r == tag)
}

fn is_down(m: &Term, mref: Ref) -> bool {
    matches!(m.as_tuple(), Some([d, Term::Ref(r), _, _, _]) if *r == mref && d.is_atom("DOWN"))
}

/// `gen_server:call/3`: sends `request` and blocks until the reply, the server's death,
/// or `timeout_ms` of virtual time (`None` is `infinity`).
///
/// A failed call is `Err({Reason, {gen_server, call, [Server, Request, Timeout]}})` with
/// Reason `timeout`, `noproc`, `calling_self` or the server's exit reason (GS-6). In OTP
/// the caller exits with that reason: return it with `?` to do the same, or handle it to
/// catch the exit. A reply that comes after the timeout is dropped (GS-7).
pub async fn call(
    ctx: &Ctx,
    server: impl Into<ServerRef>,
    request: Term,
    timeout_ms: Option<u64>,
) -> Result<Term, Term> {
    let server = server.into();
    let me = ctx.me();
    let fail = |reason: Term, tag: Option<Ref>| {
        ctx.emit(EventKind::CallExit {
            caller: me,
            server: server.to_term(),
            tag,
            reason: reason.clone(),
        });
        let args = vec![server.to_term(), request.clone(), timeout_term(timeout_ms)];
        Err(Term::tuple_of([reason, mfa("call", args)]))
    };
    let Some(pid) = resolve(ctx, &server) else {
        return fail(Term::NOPROC, None);
    };
    if pid == me {
        return fail(atom("calling_self"), None);
    }
    // The `call` event stands for the monitor, the alias and the request (ADR 003).
    let tag = ctx.folded(|| ctx.monitor_alias(pid));
    let timeout = timeout_term(timeout_ms);
    let view = CallView {
        caller: me,
        server: pid,
        tag,
        request: &request,
        timeout: &timeout,
    };
    ctx.emit_view(&view, || EventKind::Call {
        caller: me,
        server: pid,
        tag,
        request: request.clone(),
        timeout: timeout.clone(),
    });
    let from = From { pid: me, tag };
    let message = Term::tuple_of([atom("$gen_call"), from.to_term(), request.clone()]);
    ctx.folded(|| ctx.send(pid, message));
    let answer = ctx
        .recv_match(
            move |m| is_reply(m, tag) || is_down(m, tag),
            timeout_ms.map(ms),
        )
        .await;
    match answer {
        Some(m) if is_reply(&m, tag) => {
            // The `recv` of the reply closes the call; the demonitor adds nothing.
            ctx.folded(|| ctx.demonitor(tag, true));
            Ok(m.as_tuple()
                .map(|t| t[1].clone())
                .unwrap_or_else(|| Term::UNDEFINED))
        }
        Some(down) => {
            ctx.unalias(tag);
            let reason = down
                .as_tuple()
                .map(|t| t[4].clone())
                .unwrap_or_else(|| Term::UNDEFINED);
            fail(reason, Some(tag))
        }
        None => {
            // Demonitoring turns the alias off, so a late reply is dropped (GS-7).
            ctx.demonitor(tag, true);
            fail(Term::TIMEOUT, Some(tag))
        }
    }
}

/// `gen_server:cast/2`: sends `request` and returns at once. Never fails, even when the
/// name is not registered (NAME-3) or the via-name is missing (REG-9).
pub fn cast(ctx: &Ctx, server: impl Into<ServerRef>, request: Term) {
    let server = server.into();
    ctx.emit(EventKind::Cast {
        from: ctx.me(),
        server: server.to_term(),
        request: request.clone(),
    });
    let msg = Term::tuple_of([atom("$gen_cast"), request]);
    match &server {
        // Through the registry's send, whose failures a cast swallows.
        ServerRef::Via(v) => v.cast(ctx, msg),
        _ => {
            if let Some(pid) = resolve(ctx, &server) {
                ctx.send(pid, msg);
            }
        }
    }
}

/// `gen_server:reply/2`: answers a call whose `handle_call` returned `NoReply`. Dropped
/// if the caller has timed out meanwhile (GS-7).
pub fn reply(ctx: &Ctx, to: From, value: Term) {
    let server = ctx.me();
    let view = ReplyView {
        server,
        caller: to.pid,
        tag: to.tag,
        value: &value,
    };
    ctx.emit_view(&view, || EventKind::Reply {
        server,
        caller: to.pid,
        tag: to.tag,
        value: value.clone(),
    });
    // The `reply` event stands for the message through the caller's alias (ADR 003);
    // a reply the alias drops still shows as a `drop`.
    ctx.folded(|| ctx.send_alias(to.pid, to.tag, Term::tuple_of([Term::Ref(to.tag), value])));
}

/// `gen_server:stop/3` (GS-14): asks the server to terminate with `reason` (its
/// `terminate` runs even if it does not trap exits) and waits until it has exited.
/// `Err({noproc, {gen_server, stop, [...]}})` when it is not alive (the shape of
/// Elixir's `GenServer.stop`; Erlang's `gen_server:stop` exits plain `noproc`);
/// `Err(Other)` when it exited with another reason; `Err(timeout)` when `timeout_ms`
/// passed, leaving the server to finish its `terminate`: OTP 25's `proc_lib:stop`
/// kills only its own helper process, not the server (fixture
/// `gen_server/gs_terminate.out`, `stop.timeout.*`).
pub async fn stop(
    ctx: &Ctx,
    server: impl Into<ServerRef>,
    reason: Term,
    timeout_ms: Option<u64>,
) -> Result<(), Term> {
    let server = server.into();
    let noproc = || {
        let args = vec![server.to_term(), reason.clone(), timeout_term(timeout_ms)];
        Err(Term::tuple_of([Term::NOPROC, mfa("stop", args)]))
    };
    let Some(pid) = resolve(ctx, &server) else {
        return noproc();
    };
    let mref = ctx.monitor(pid);
    let from = From {
        pid: ctx.me(),
        tag: mref,
    };
    ctx.send(
        pid,
        Term::tuple_of([
            atom("$system"),
            from.to_term(),
            Term::tagged("terminate", reason.clone()),
        ]),
    );
    let down = ctx
        .recv_match(move |m| is_down(m, mref), timeout_ms.map(ms))
        .await;
    let Some(down) = down else {
        // The terminate request is already with the server, which goes on with it.
        ctx.demonitor(mref, true);
        return Err(Term::TIMEOUT);
    };
    match down.as_tuple().map(|t| t[4].clone()) {
        Some(r) if r == reason => Ok(()),
        Some(r) if r.is_atom("noproc") => noproc(),
        Some(r) => Err(r),
        None => Err(Term::UNDEFINED),
    }
}
