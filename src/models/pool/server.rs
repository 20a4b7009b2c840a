//! The pool process: poolboy's `handle_call`/`handle_cast`/`handle_info` on the
//! behaviour API (see the module documentation in `mod.rs` for the protocol).

use super::{protocol, Params, NAME};
use crate::behaviour::dynamic_supervisor::{self, DynChildSpec, DynStartFn, DynSupFlags};
use crate::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Response, StartOpts, StartResult,
};
use crate::behaviour::supervisor::{child_label, Restart};
use crate::kernel::{ms, Ctx};
use crate::models::params::model_event;
use crate::models::{fault, ModelEnv};
use crate::term::{atom, Pid, Ref, Term};
use std::collections::VecDeque;
use std::rc::Rc;

/// A checked-out worker and the monitor on its borrower.
struct Checked {
    worker: Pid,
    mref: Ref,
}

/// A blocked checkout: the caller, the monitor on it, and when it gives up.
struct Waiter {
    from: From,
    mref: Ref,
    deadline_us: Option<u64>,
}

/// The running pool.
pub struct Pool {
    params: Rc<Params>,
    env: ModelEnv,
    sup: Pid,
    /// Idle workers; checkin appends, lifo takes from the back, fifo from the front.
    workers: VecDeque<Pid>,
    checked: Vec<Checked>,
    waiting: VecDeque<Waiter>,
    overflow: u64,
    /// Workers started so far, to number them.
    started: u64,
}

impl Pool {
    /// Starts a worker under the pool's supervisor and links to it (poolboy's
    /// `new_worker`).
    async fn new_worker(&mut self, ctx: &Ctx) -> Result<Pid, Term> {
        self.started += 1;
        let spec = self.params.worker.clone();
        let app = self.env.app.clone();
        let fallback = format!("{}/workers/{}", self.env.path, self.started);
        let start: DynStartFn = Rc::new(move |c: Ctx, extra| {
            let env = ModelEnv {
                path: child_label().map_or_else(|| fallback.clone(), |l| l.to_string()),
                name: None,
                app: app.clone(),
            };
            spec.start(c, env, extra)
        });
        let child =
            DynChildSpec::new(Term::Int(self.started as i64), start).restart(Restart::Temporary);
        match dynamic_supervisor::start_child(ctx, self.sup, child).await {
            StartResult::Ok(pid) => {
                // A worker already dead gives an `EXIT` (we trap), handled as any death.
                let _ = ctx.link(pid);
                Ok(pid)
            }
            other => Err(Term::tagged("worker_start_failed", other.to_term())),
        }
    }

    fn take_idle(&mut self) -> Option<Pid> {
        if self.params.lifo {
            self.workers.pop_back()
        } else {
            self.workers.pop_front()
        }
    }

    /// The first waiter still waiting; those past their deadline are dropped.
    fn next_waiter(&mut self, ctx: &Ctx) -> Option<Waiter> {
        while let Some(w) = self.waiting.pop_front() {
            if w.deadline_us.is_some_and(|d| d <= ctx.now_us()) {
                ctx.demonitor(w.mref, true);
                continue;
            }
            return Some(w);
        }
        None
    }

    fn hand_out(&mut self, ctx: &Ctx, worker: Pid, mref: Ref) {
        self.checked.push(Checked { worker, mref });
        model_event(ctx, NAME, "checkout", Term::Pid(worker));
    }

    fn set_overflow(&mut self, ctx: &Ctx, overflow: u64) {
        self.overflow = overflow;
        model_event(ctx, NAME, "overflow", Term::Int(overflow as i64));
    }

    async fn checkout(
        &mut self,
        ctx: &Ctx,
        from: From,
        block: bool,
        timeout_ms: Option<u64>,
    ) -> CallResponse {
        if let Some(worker) = self.take_idle() {
            let mref = ctx.monitor(from.pid);
            self.hand_out(ctx, worker, mref);
            return CallResponse::reply(Term::Pid(worker));
        }
        if self.overflow < self.params.max_overflow {
            let worker = match self.new_worker(ctx).await {
                Ok(w) => w,
                Err(reason) => {
                    return CallResponse::Stop {
                        reason,
                        reply: None,
                    }
                }
            };
            let mref = ctx.monitor(from.pid);
            self.set_overflow(ctx, self.overflow + 1);
            self.hand_out(ctx, worker, mref);
            return CallResponse::reply(Term::Pid(worker));
        }
        model_event(ctx, NAME, "full", Term::Pid(from.pid));
        if !block {
            return CallResponse::reply(atom("full"));
        }
        let mref = ctx.monitor(from.pid);
        let deadline_us = timeout_ms.map(|t| ctx.now_us() + ms(t));
        if let Some(t) = timeout_ms {
            ctx.send_after(ms(t), ctx.me(), protocol::expire_message(mref));
        }
        self.waiting.push_back(Waiter {
            from,
            mref,
            deadline_us,
        });
        CallResponse::noreply()
    }

    /// A worker comes back (poolboy's `handle_checkin`).
    async fn checkin(&mut self, ctx: &Ctx, worker: Pid) {
        model_event(ctx, NAME, "checkin", Term::Pid(worker));
        if let Some(w) = self.next_waiter(ctx) {
            self.hand_out(ctx, worker, w.mref);
            gen_server::reply(ctx, w.from, Term::Pid(worker));
        } else if self.overflow > 0 {
            ctx.unlink(worker);
            // Already gone (it died meanwhile) is as good as dismissed.
            let _ = dynamic_supervisor::terminate_child(ctx, self.sup, worker).await;
            self.set_overflow(ctx, self.overflow - 1);
        } else {
            self.workers.push_back(worker);
        }
    }

    /// A checked-out worker died (poolboy's `handle_worker_exit`).
    async fn worker_exit(&mut self, ctx: &Ctx) -> Result<(), Term> {
        if let Some(w) = self.next_waiter(ctx) {
            let worker = self.new_worker(ctx).await?;
            self.hand_out(ctx, worker, w.mref);
            gen_server::reply(ctx, w.from, Term::Pid(worker));
        } else if self.overflow > 0 {
            self.set_overflow(ctx, self.overflow - 1);
        } else {
            let worker = self.new_worker(ctx).await?;
            self.workers.push_back(worker);
        }
        Ok(())
    }

    fn status(&self) -> Term {
        protocol::status(
            protocol::state_name(
                self.overflow,
                self.params.max_overflow,
                self.workers.is_empty(),
            ),
            self.workers.len(),
            self.overflow,
            self.checked.len(),
        )
    }

    async fn on_exit(&mut self, ctx: &Ctx, pid: Pid, reason: &Term) -> Response {
        if pid == self.sup {
            return Response::Stop(reason.clone());
        }
        let result = if let Some(i) = self.checked.iter().position(|c| c.worker == pid) {
            let c = self.checked.remove(i);
            ctx.demonitor(c.mref, true);
            self.worker_exit(ctx).await
        } else if let Some(i) = self.workers.iter().position(|w| *w == pid) {
            self.workers.remove(i);
            self.new_worker(ctx)
                .await
                .map(|w| self.workers.push_back(w))
        } else {
            Ok(())
        };
        match result {
            Ok(()) => Response::noreply(),
            Err(reason) => Response::Stop(reason),
        }
    }
}

impl GenServer for Pool {
    /// The parameters and where the pool is.
    type Args = (Rc<Params>, ModelEnv);

    async fn init(ctx: &Ctx, (params, env): Self::Args) -> Init<Self> {
        ctx.trap_exit(true);
        let flags = DynSupFlags {
            max_restarts: 0,
            max_seconds: 1,
            ..DynSupFlags::new()
        };
        let opts = StartOpts {
            label: Some(format!("{}/workers", env.path).into()),
            ..StartOpts::default()
        };
        let sup = match dynamic_supervisor::start_link(ctx, flags, opts).await {
            StartResult::Ok(pid) => pid,
            other => return Init::Stop(Term::tagged("worker_sup_failed", other.to_term())),
        };
        let mut pool = Pool {
            params,
            env,
            sup,
            workers: VecDeque::new(),
            checked: Vec::new(),
            waiting: VecDeque::new(),
            overflow: 0,
            started: 0,
        };
        for _ in 0..pool.params.size {
            match pool.new_worker(ctx).await {
                Ok(w) => pool.workers.push_back(w),
                Err(reason) => return Init::Stop(reason),
            }
        }
        Init::Ok(pool)
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, from: From) -> CallResponse {
        if request.is_atom("status") {
            return CallResponse::reply(self.status());
        }
        let default_ms = self.params.checkout_timeout_us / ms(1);
        match protocol::checkout_request(&request, default_ms) {
            Some((block, timeout_ms)) => self.checkout(ctx, from, block, timeout_ms).await,
            None => CallResponse::reply(Term::tagged("error", atom("invalid_message"))),
        }
    }

    async fn handle_cast(&mut self, ctx: &Ctx, request: Term) -> Response {
        let worker = match request.as_tuple() {
            Some([tag, Term::Pid(w)]) if tag.is_atom("checkin") => *w,
            _ => return Response::noreply(),
        };
        if let Some(i) = self.checked.iter().position(|c| c.worker == worker) {
            let c = self.checked.remove(i);
            ctx.demonitor(c.mref, true);
            self.checkin(ctx, worker).await;
        }
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        if let Some(mref) = protocol::expired(&msg) {
            if let Some(i) = self.waiting.iter().position(|w| w.mref == mref) {
                self.waiting.remove(i);
                ctx.demonitor(mref, true);
            }
            return Response::noreply();
        }
        match msg.as_tuple() {
            Some([tag, Term::Ref(mref), _, _, _]) if tag.is_atom("DOWN") => {
                if let Some(i) = self.checked.iter().position(|c| c.mref == *mref) {
                    let c = self.checked.remove(i);
                    self.checkin(ctx, c.worker).await;
                } else {
                    self.waiting.retain(|w| w.mref != *mref);
                }
                Response::noreply()
            }
            Some([tag, Term::Pid(pid), reason]) if tag.is_atom("EXIT") => {
                let reason = reason.clone();
                self.on_exit(ctx, *pid, &reason).await
            }
            _ => Response::noreply(),
        }
    }

    async fn terminate(&mut self, ctx: &Ctx, _reason: &Term) {
        for w in &self.workers {
            ctx.unlink(*w);
        }
        ctx.exit(self.sup, Term::SHUTDOWN);
    }
}
