//! The client side of system messages: `sys:suspend`, `sys:resume`,
//! `sys:change_code`, `sys:get_state`, and a release handler's upgrade (GS-15). The
//! server side is in `upgrade.rs`.

use super::client::{resolve, DEFAULT_TIMEOUT};
use super::types::{timeout_term, From, ServerRef};
use super::upgrade::{NewCode, ReadFn, StateReader};
use super::{GenServer, Upgrade};
use crate::kernel::{ms, Ctx};
use crate::term::{atom, Ref, Term};
use std::cell::RefCell;

fn is_answer(m: &Term, tag: Ref) -> bool {
    matches!(m.as_tuple(), Some([Term::Ref(r), _]) if *r == tag)
}

fn is_down(m: &Term, mref: Ref) -> bool {
    matches!(m.as_tuple(), Some([d, Term::Ref(r), _, _, _]) if *r == mref && d.is_atom("DOWN"))
}

/// sys.erl's `send_system_msg`: a call with `$system` instead of `$gen_call`. A
/// failure is `Err({Reason, {sys, Function, [Server, Args.., Timeout]}})`.
async fn system_call(
    ctx: &Ctx,
    server: &ServerRef,
    request: Term,
    timeout_ms: Option<u64>,
    function: &'static str,
    args: Vec<Term>,
) -> Result<Term, Term> {
    let fail = |reason: Term| {
        let mut all = vec![server.to_term()];
        all.extend(args.iter().cloned());
        all.push(timeout_term(timeout_ms));
        let mfa = Term::tuple_of([atom("sys"), atom(function), Term::list(all)]);
        Err(Term::tuple_of([reason, mfa]))
    };
    let Some(pid) = resolve(ctx, server) else {
        return fail(Term::NOPROC);
    };
    if pid == ctx.me() {
        return fail(atom("calling_self"));
    }
    let tag = ctx.monitor(pid);
    ctx.activate_alias(tag);
    let from = From { pid: ctx.me(), tag };
    ctx.send(
        pid,
        Term::tuple_of([atom("$system"), from.to_term(), request]),
    );
    let answer = ctx
        .recv_match(
            move |m| is_answer(m, tag) || is_down(m, tag),
            timeout_ms.map(ms),
        )
        .await;
    match answer {
        Some(m) if is_answer(&m, tag) => {
            ctx.demonitor(tag, true);
            Ok(m.as_tuple().map_or(Term::UNDEFINED, |t| t[1].clone()))
        }
        Some(down) => {
            ctx.unalias(tag);
            fail(down.as_tuple().map_or(Term::UNDEFINED, |t| t[4].clone()))
        }
        None => {
            ctx.demonitor(tag, true);
            fail(Term::TIMEOUT)
        }
    }
}

/// `sys:suspend/2`: from now on the server handles only system messages (and its
/// parent's `EXIT`) until [`sys_resume`]; calls and casts wait in its mailbox.
/// `Err` is the exit reason of a failed call, `{Reason, {sys, suspend, [Server,
/// Timeout]}}`.
pub async fn sys_suspend(
    ctx: &Ctx,
    server: impl Into<ServerRef>,
    timeout_ms: Option<u64>,
) -> Result<(), Term> {
    let server = server.into();
    system_call(ctx, &server, atom("suspend"), timeout_ms, "suspend", vec![]).await?;
    Ok(())
}

/// `sys:resume/2`: the server goes back to normal work, with a fresh idle timeout if
/// it had one (GS-9). Resuming a server that is not suspended is harmless.
pub async fn sys_resume(
    ctx: &Ctx,
    server: impl Into<ServerRef>,
    timeout_ms: Option<u64>,
) -> Result<(), Term> {
    let server = server.into();
    system_call(ctx, &server, atom("resume"), timeout_ms, "resume", vec![]).await?;
    Ok(())
}

/// `sys:change_code/5` (GS-15): a suspended server running `Old` migrates its state
/// with `New::code_change(old, &extra)` and goes on running `New` in the same process.
///
/// `Err({error, Reason})` when the server refused: `code_change` returned `Err`, the
/// server is not suspended (`{unknown_system_msg, Request}`, as sys.erl answers), or it
/// does not run `Old` (`{wrong_code, RunningVsn}`); the old code then keeps running.
/// Any other `Err` is the exit reason of a failed call, `{Reason, {sys, change_code,
/// [Server, Code, OldVsn, Extra, Timeout]}}`.
pub async fn sys_change_code<Old: GenServer, New: Upgrade<Old>>(
    ctx: &Ctx,
    server: impl Into<ServerRef>,
    extra: Term,
    timeout_ms: Option<u64>,
) -> Result<(), Term> {
    let server = server.into();
    let code = Term::fun("gen_server.code_change", NewCode::new::<Old, New>());
    let args = vec![code, Old::vsn(), extra];
    let request = Term::tuple(std::iter::once(atom("change_code")).chain(args.iter().cloned()));
    let reply = system_call(ctx, &server, request, timeout_ms, "change_code", args).await?;
    if reply.is_atom("ok") {
        Ok(())
    } else {
        Err(reply)
    }
}

/// A typed `sys:get_state/2`: runs `read` on the server's state inside the server
/// process and returns what it gives. Works while suspended, and does not disturb an
/// idle timeout beyond restarting it (GS-9).
///
/// `Err({wrong_code, Vsn})` when the server does not run `G`, `Err({callback_failed,
/// Crash})` when `read` panicked (the server goes on), and otherwise the exit reason of
/// a failed call, `{Reason, {sys, get_state, [Server, Timeout]}}`.
pub async fn sys_get_state<G: GenServer, R: 'static>(
    ctx: &Ctx,
    server: impl Into<ServerRef>,
    read: impl FnOnce(&G) -> R + 'static,
    timeout_ms: Option<u64>,
) -> Result<R, Term> {
    let server = server.into();
    let reader: ReadFn = Box::new(move |state| {
        let state = state.downcast_ref::<G>()?;
        Some(Term::fun("sys.state", RefCell::new(Some(read(state)))))
    });
    let request = Term::tagged(
        "get_state",
        Term::fun("sys.get_state", StateReader::new(Some(reader))),
    );
    let reply = system_call(ctx, &server, request, timeout_ms, "get_state", vec![]).await?;
    let value = reply
        .as_fun()
        .and_then(|f| f.payload::<RefCell<Option<R>>>())
        .and_then(|cell| cell.borrow_mut().take());
    match (value, reply.as_tuple()) {
        (Some(value), _) => Ok(value),
        (None, Some([tag, reason])) if tag.is_atom("error") => Err(reason.clone()),
        (None, _) => Err(Term::tagged("bad_reply", reply)),
    }
}

/// Upgrades a running server from `Old` to `New` as a release handler does:
/// [`sys_suspend`], [`sys_change_code`], then [`sys_resume`] (resumed even when the
/// change was refused, so the old code goes on serving). Each step has the default
/// timeout of 5000 ms. Errors are those of the three steps, the change's first.
///
/// ```
/// use otpsim::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, StartOpts, Upgrade};
/// use otpsim::kernel::{Ctx, Sim, SimConfig};
/// use otpsim::term::{atom, Term};
///
/// struct V1(i64);
/// struct V2 { count: i64, step: i64 }
///
/// impl GenServer for V1 {
///     type Args = i64;
///     async fn init(_ctx: &Ctx, n: i64) -> Init<Self> { Init::Ok(V1(n)) }
///     async fn handle_call(&mut self, _ctx: &Ctx, _req: Term, _from: From) -> CallResponse {
///         self.0 += 1;
///         CallResponse::reply(Term::Int(self.0))
///     }
/// }
/// impl GenServer for V2 {
///     type Args = i64;
///     async fn init(_ctx: &Ctx, n: i64) -> Init<Self> { Init::Ok(V2 { count: n, step: 10 }) }
///     async fn handle_call(&mut self, _ctx: &Ctx, _req: Term, _from: From) -> CallResponse {
///         self.count += self.step;
///         CallResponse::reply(Term::Int(self.count))
///     }
///     fn vsn() -> Term { Term::Int(2) }
/// }
/// impl Upgrade<V1> for V2 {
///     fn code_change(old: V1, _extra: &Term) -> Result<V2, (V1, Term)> {
///         Ok(V2 { count: old.0, step: 10 })
///     }
/// }
///
/// let mut sim = Sim::new(SimConfig::default());
/// sim.spawn(|ctx| async move {
///     let pid = gen_server::start_link::<V1>(&ctx, 0, StartOpts::default()).await.into_result()?;
///     assert_eq!(gen_server::call(&ctx, pid, atom("bump"), None).await?, Term::Int(1));
///     gen_server::upgrade::<V1, V2>(&ctx, pid, Term::UNDEFINED).await?;
///     assert_eq!(gen_server::call(&ctx, pid, atom("bump"), None).await?, Term::Int(11));
///     Ok(())
/// });
/// assert!(sim.run().outcome.is_normal());
/// ```
pub async fn upgrade<Old: GenServer, New: Upgrade<Old>>(
    ctx: &Ctx,
    server: impl Into<ServerRef>,
    extra: Term,
) -> Result<(), Term> {
    let server = server.into();
    sys_suspend(ctx, server.clone(), DEFAULT_TIMEOUT).await?;
    let changed = sys_change_code::<Old, New>(ctx, server.clone(), extra, DEFAULT_TIMEOUT).await;
    let resumed = sys_resume(ctx, server, DEFAULT_TIMEOUT).await;
    changed.and(resumed)
}
