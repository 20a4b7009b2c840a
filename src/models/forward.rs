//! Forwarding a call without blocking the forwarder: a short-lived helper process makes
//! the `gen_server` call and mails the outcome back, so a router (circuit breaker,
//! connection pool, keyed router) keeps serving while one downstream call is slow. The
//! router answers its own caller later with `gen_server::reply`, as an OTP server that
//! returns `{noreply, State}` and replies from `handle_info` does.

use crate::behaviour::gen_server::{self, From, ServerRef};
use crate::kernel::{Ctx, SpawnOpts};
use crate::term::{atom, Ref, Term};
use std::collections::BTreeMap;

const TAG: &str = "$otpsim_forwarded";

/// Spawns a helper, linked to the caller and labelled `label`, that calls `server`
/// with `request` (timeout `timeout_ms`) and sends back
/// `{'$otpsim_forwarded', Tag, {reply, Reply} | {exit, Reason}}`; returns the `Tag`.
///
/// Linked, so that a router that dies takes its calls in flight with it; the helper
/// itself never fails (a failed call is a result), so it cannot take the router down.
pub fn spawn_call(
    ctx: &Ctx,
    label: String,
    server: ServerRef,
    request: Term,
    timeout_ms: Option<u64>,
) -> Ref {
    let tag = ctx.make_ref();
    let router = ctx.me();
    let opts = SpawnOpts {
        link: true,
        monitor: false,
        label: Some(label.into()),
    };
    ctx.spawn_opt(opts, move |hctx| async move {
        let outcome = match gen_server::call(&hctx, server, request, timeout_ms).await {
            Ok(reply) => Term::tagged("reply", reply),
            Err(reason) => Term::tagged("exit", exit_reason(&reason)),
        };
        hctx.send(
            router,
            Term::tuple_of([Term::atom_owned(TAG), Term::Ref(tag), outcome]),
        );
        Ok(())
    });
    tag
}

/// Reads a helper's message: `Some((Tag, Ok(Reply)))` or `Some((Tag, Err(Reason)))`,
/// `None` for any other message.
pub fn forwarded(msg: &Term) -> Option<(Ref, Result<Term, Term>)> {
    match msg.as_tuple()? {
        [t, Term::Ref(tag), outcome] if t.is_atom(TAG) => match outcome.as_tuple()? {
            [kind, value] if kind.is_atom("reply") => Some((*tag, Ok(value.clone()))),
            [kind, value] if kind.is_atom("exit") => Some((*tag, Err(value.clone()))),
            _ => None,
        },
        _ => None,
    }
}

/// A router's forwarded calls in flight: who to answer when each helper reports.
#[derive(Debug, Default)]
pub struct Forwards {
    pending: BTreeMap<Ref, From>,
}

impl Forwards {
    /// Forwards `request` to `server` through a helper labelled `label`
    /// ([`spawn_call`]); the answer goes to `from` when [`Forwards::on_info`] sees it.
    pub fn call(
        &mut self,
        ctx: &Ctx,
        label: String,
        server: ServerRef,
        request: Term,
        timeout_ms: Option<u64>,
        from: From,
    ) {
        let tag = spawn_call(ctx, label, server, request, timeout_ms);
        self.pending.insert(tag, from);
    }

    /// Answers the caller of a forwarded call with its reply, or `{error, Reason}`
    /// when it failed. True when `msg` was a helper's report (handled or stale).
    pub fn on_info(&mut self, ctx: &Ctx, msg: &Term) -> bool {
        let Some((tag, result)) = forwarded(msg) else {
            return false;
        };
        if let Some(from) = self.pending.remove(&tag) {
            gen_server::reply(ctx, from, result.unwrap_or_else(error_reply));
        }
        true
    }
}

/// The reason part of a failed call's exit, `{Reason, {gen_server, call, Args}}`:
/// `timeout`, `noproc`, or the server's exit reason.
pub fn exit_reason(reason: &Term) -> Term {
    match reason.as_tuple() {
        Some([r, mfa]) if mfa.as_tuple().is_some_and(|t| t.len() == 3) => r.clone(),
        _ => reason.clone(),
    }
}

/// The reply a router gives for a forwarded call that failed: `{error, Reason}`.
pub fn error_reply(reason: Term) -> Term {
    Term::tuple_of([atom("error"), reason])
}

/// True for a reply that reports a failure: `error` or `{error, _}`.
pub fn is_error_reply(reply: &Term) -> bool {
    reply.is_atom("error") || reply.tag() == Some("error")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::behaviour::gen_server::{CallResponse, From, GenServer, Init, StartOpts};
    use crate::kernel::{ms, Sim, SimConfig};
    use std::cell::RefCell;
    use std::rc::Rc;

    struct Echo;
    impl GenServer for Echo {
        type Args = ();
        async fn init(_ctx: &Ctx, _: ()) -> Init<Self> {
            Init::Ok(Echo)
        }
        async fn handle_call(&mut self, ctx: &Ctx, req: Term, _from: From) -> CallResponse {
            ctx.work(ms(10)).await;
            CallResponse::reply(req)
        }
    }

    #[test]
    fn replies_and_failures_come_back_tagged() {
        let mut sim = Sim::new(SimConfig::default());
        let seen = Rc::new(RefCell::new(Vec::new()));
        let out = seen.clone();
        sim.spawn(move |ctx| async move {
            let echo = gen_server::start_link::<Echo>(&ctx, (), StartOpts::named("echo"))
                .await
                .into_result()?;
            let a = spawn_call(&ctx, "h1".into(), echo.into(), atom("hi"), Some(50));
            let b = spawn_call(&ctx, "h2".into(), echo.into(), atom("slow"), Some(5));
            let c = spawn_call(&ctx, "h3".into(), "nobody".into(), atom("x"), Some(5));
            for _ in 0..3 {
                let m = ctx.recv().await;
                out.borrow_mut()
                    .push(forwarded(&m).expect("a forwarded message"));
            }
            let mut got = out.borrow_mut();
            got.sort_by_key(|(t, _)| *t);
            assert_eq!(got[0], (a, Ok(atom("hi"))));
            assert_eq!(got[1], (b, Err(Term::TIMEOUT)));
            assert_eq!(got[2], (c, Err(Term::NOPROC)));
            Ok(())
        });
        assert!(sim.run().outcome.is_normal());
        assert_eq!(seen.borrow().len(), 3);
        assert!(is_error_reply(&error_reply(atom("x"))) && is_error_reply(&atom("error")));
        assert!(!is_error_reply(&Term::OK));
        assert_eq!(forwarded(&atom("other")), None);
    }
}
