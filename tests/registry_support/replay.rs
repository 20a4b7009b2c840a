//! Replaying the registry probes: otpsim counterparts of `probe.exs`'s helpers.

use otpsim::behaviour::gen_server::{sys_resume, sys_suspend, CallResponse, From, GenServer};
use otpsim::behaviour::gen_server::{Init, Response};
use otpsim::behaviour::registry::Registry;
use otpsim::kernel::{Ctx, Sim};
use otpsim::term::{atom, Atom, Pid, Term};
use otpsim::trace::EventKind;

/// Partition `i`'s process, by its local name (Elixir's `PIDPartition` name).
pub fn partition(ctx: &Ctx, reg: &Registry, i: usize) -> Pid {
    let name = Atom::new(&format!("{}.PIDPartition{i}", reg.name()));
    ctx.whereis(&name).expect("partition running")
}

/// `Probe.holder/1`: a process that runs `f`, reports its result, and waits for `stop`.
pub async fn holder(ctx: &Ctx, f: impl FnOnce(&Ctx) -> Term + 'static) -> (Pid, Term) {
    let main = ctx.me();
    let pid = ctx.spawn(move |c| async move {
        let r = f(&c);
        c.send(main, Term::tuple([atom("ready"), Term::Pid(c.me()), r]));
        c.recv_match(|m| m.is_atom("stop"), None).await;
        Ok(())
    });
    let m = ctx
        .recv_match(move |m| matches!(m.as_tuple(), Some([t, Term::Pid(p), _]) if t.is_atom("ready") && *p == pid), None)
        .await
        .expect("ready");
    (pid, m.as_tuple().expect("tuple")[2].clone())
}

/// `Probe.kill_and_wait/1`: kills `pid` and waits for its `DOWN`; its reason.
pub async fn kill_and_wait(ctx: &Ctx, pid: Pid) -> Term {
    let mref = ctx.monitor(pid);
    ctx.exit(pid, Term::KILL);
    let down = ctx
        .recv_match(
            move |m| matches!(m.as_tuple(), Some([_, Term::Ref(r), ..]) if *r == mref),
            None,
        )
        .await
        .expect("DOWN");
    down.as_tuple().expect("tuple")[4].clone()
}

/// `:sys.get_state(P)` as a barrier: the partition has handled what was queued.
pub async fn sync(ctx: &Ctx, pid: Pid) {
    sys_suspend(ctx, pid, None).await.expect("suspend");
    sys_resume(ctx, pid, None).await.expect("resume");
}

/// `undefined` or the pid.
pub fn opt_pid(p: Option<Pid>) -> Term {
    p.map_or(Term::UNDEFINED, Term::Pid)
}

/// The terms in Erlang term order, as a list.
pub fn sorted(mut v: Vec<Term>) -> Term {
    v.sort();
    Term::list(v)
}

/// The probe's `Srv`: init by argument, `ping` → `pong`, `{note, To}` casts back.
pub struct Srv;

impl GenServer for Srv {
    type Args = &'static str;

    async fn init(_ctx: &Ctx, arg: &'static str) -> Init<Self> {
        match arg {
            "stop" => Init::Stop(atom("bad_init")),
            "ignore" => Init::Ignore,
            _ => Init::Ok(Srv),
        }
    }

    async fn handle_call(&mut self, _ctx: &Ctx, _req: Term, _from: From) -> CallResponse {
        CallResponse::reply(atom("pong"))
    }

    async fn handle_cast(&mut self, ctx: &Ctx, req: Term) -> Response {
        if let Some([_, Term::Pid(to)]) = req.as_tuple() {
            ctx.send(*to, Term::tagged("cast_seen", Term::Pid(ctx.me())));
        }
        Response::noreply()
    }
}

/// `{returned, V}` or `{exit, Reason}`, as the probe's `try_` shows a call.
pub fn exit(r: Result<Term, Term>) -> Term {
    match r {
        Ok(v) => Term::tagged("returned", v),
        Err(reason) => Term::tagged("exit", reason),
    }
}

/// The reason `pid` exited with, from the trace.
pub fn exit_reason(sim: &Sim, pid: Pid) -> Option<Term> {
    sim.events().into_iter().find_map(|e| match e.kind {
        EventKind::Exit { pid: p, reason } if p == pid => Some(reason),
        _ => None,
    })
}

/// Spawns a process that registers `key` with `value` in `reg`, then waits for `stop`.
pub fn registered(ctx: &Ctx, reg: Registry, key: Term, value: Term) -> Pid {
    ctx.spawn(move |c| async move {
        reg.register(&c, key, value)?;
        c.recv_match(|m| m.is_atom("stop"), None).await;
        Ok(())
    })
}
