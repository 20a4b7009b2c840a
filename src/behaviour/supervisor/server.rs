//! The supervisor process: a [`GenServer`], as `supervisor.erl` is a gen_server.
//! Start-up (SUP-5 to SUP-7), reacting to `EXIT`s (SUP-9, SUP-10, SUP-18), the API
//! calls (SUP-23, SUP-24) and stopping (SUP-25).

use super::children::{Children, State};
use super::flags::{AutoShutdown, ChildType, Restart, SupFlags};
use super::intensity::Intensity;
use super::restart::start_one;
use super::shutdown::shutdown_child;
use super::spec::{check_specs, child_path, ChildSpec};
use crate::behaviour::gen_server::{
    CallResponse, From, GenServer, Init, Next, Response, StartResult,
};
use crate::kernel::Ctx;
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::EventKind;

/// What `start_link` hands the supervisor process.
pub(crate) struct SupArgs {
    pub(crate) flags: SupFlags,
    pub(crate) specs: Vec<ChildSpec>,
    /// The supervisor's own label: its children's paths start with it.
    pub(crate) label: Option<String>,
}

/// The supervisor's state.
pub(crate) struct Sup {
    pub(crate) flags: SupFlags,
    pub(crate) children: Children,
    pub(crate) intensity: Intensity,
    pub(crate) label: Option<String>,
}

fn sup_exit(ctx: &Ctx, reason: &Term) {
    ctx.emit(EventKind::SupExit {
        sup: ctx.me(),
        reason: reason.clone(),
    });
}

impl GenServer for Sup {
    type Args = SupArgs;

    async fn init(ctx: &Ctx, args: SupArgs) -> Init<Self> {
        ctx.trap_exit(true);
        if let Err(e) = args.flags.check() {
            return Init::Stop(Term::tagged("supervisor_data", e));
        }
        if let Err(e) = check_specs(&args.specs, args.flags.auto_shutdown) {
            return Init::Stop(Term::tagged("start_spec", e));
        }
        let mut sup = Sup {
            flags: args.flags,
            children: Children::default(),
            intensity: Intensity::new(args.flags.max_restarts, args.flags.max_seconds),
            label: args.label,
        };
        for spec in args.specs {
            sup.children.push(spec, State::Undefined);
        }
        let all = sup.children.positions();
        match sup.start_children(ctx, &all, "init").await {
            // Static supervisors hibernate after init in OTP: few messages are expected.
            Ok(()) => Init::OkThen(sup, Next::Hibernate),
            Err((failed, why)) => {
                let id = sup
                    .children
                    .get(failed)
                    .map_or(Term::UNDEFINED, |c| c.spec.id.clone());
                sup.terminate_children(ctx, &all).await;
                let failure = Term::tuple_of([atom("failed_to_start_child"), id, why]);
                let reason = Term::tagged("shutdown", failure);
                sup_exit(ctx, &reason);
                Init::Stop(reason)
            }
        }
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        let reply = match request.as_tuple() {
            Some([tag, Term::Fun(f)]) if tag.is_atom("start_child") => {
                match f.payload::<ChildSpec>() {
                    Some(spec) => self.start_child((*spec).clone(), ctx).await,
                    None => {
                        Term::tagged("error", Term::tagged("invalid_child_spec", request.clone()))
                    }
                }
            }
            Some([tag, id]) if tag.is_atom("terminate_child") => {
                self.terminate_child(ctx, id).await
            }
            Some([tag, id]) if tag.is_atom("restart_child") => self.restart_child(ctx, id).await,
            Some([tag, id]) if tag.is_atom("delete_child") => self.delete_child(id),
            _ if request.is_atom("which_children") => self.which_children(),
            _ if request.is_atom("count_children") => self.count_children(ctx),
            // OTP's handle_call has no clause for anything else: the supervisor crashes.
            _ => {
                return CallResponse::Stop {
                    reason: Term::tagged("bad_call", request),
                    reply: None,
                }
            }
        };
        CallResponse::reply(reply)
    }

    async fn handle_cast(&mut self, ctx: &Ctx, request: Term) -> Response {
        match request.as_tuple() {
            Some([tag, id]) if tag.is_atom("try_again_restart") => {
                let id = id.clone();
                self.on_try_again(ctx, &id).await
            }
            _ => Response::noreply(),
        }
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        match msg.as_tuple() {
            Some([tag, Term::Pid(pid), reason]) if tag.is_atom("EXIT") => {
                let reason = reason.clone();
                self.on_exit(ctx, *pid, reason).await
            }
            // OTP logs "Supervisor received unexpected message" and goes on.
            _ => Response::noreply(),
        }
    }

    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        let all = self.children.positions();
        self.terminate_children(ctx, &all).await;
        sup_exit(ctx, reason);
    }
}

impl Sup {
    /// A child's `EXIT`: SUP-10's decision table, then a restart or SUP-18's check.
    async fn on_exit(&mut self, ctx: &Ctx, pid: Pid, reason: Term) -> Response {
        let seen = |id: Term, decision: &'static str| {
            ctx.emit(EventKind::ChildExitSeen {
                sup: ctx.me(),
                id,
                pid,
                reason: reason.clone(),
                decision: Atom::from_static(decision),
            });
        };
        // SUP-9: a pid we no longer know (an old pid, a failed start) is ignored.
        let Some(pos) = self.children.by_pid(pid) else {
            seen(Term::UNDEFINED, "ignore_unknown");
            return Response::noreply();
        };
        let Some(child) = self.children.get(pos) else {
            return Response::noreply();
        };
        let (id, restart, significant) = (
            child.spec.id.clone(),
            child.spec.restart,
            child.spec.significant,
        );
        let again = match restart {
            Restart::Permanent => true,
            Restart::Transient => !reason.is_clean_exit(),
            Restart::Temporary => false,
        };
        if again {
            seen(id, "restart");
            return self.restart(ctx, pos, "restart").await;
        }
        let decision = if restart == Restart::Temporary {
            "delete"
        } else {
            "keep"
        };
        seen(id.clone(), decision);
        self.children.del(pos);
        self.auto_shutdown(ctx, id, significant)
    }

    /// SUP-18: a significant child gone for good may end the supervisor.
    fn auto_shutdown(&self, ctx: &Ctx, id: Term, significant: bool) -> Response {
        let mode = self.flags.auto_shutdown;
        let stop = match mode {
            AutoShutdown::Never => false,
            _ if !significant => false,
            AutoShutdown::AnySignificant => true,
            AutoShutdown::AllSignificant => !self.children.any_significant_alive(),
        };
        if !stop {
            return Response::noreply();
        }
        let mode = match mode.to_term() {
            Term::Atom(a) => a,
            _ => Atom::from_static("never"),
        };
        ctx.emit(EventKind::AutoShutdown {
            sup: ctx.me(),
            trigger_id: id,
            mode,
        });
        Response::Stop(Term::SHUTDOWN)
    }

    /// `start_child` (SUP-23): the new child is added last (SUP-8).
    async fn start_child(&mut self, spec: ChildSpec, ctx: &Ctx) -> Term {
        let error = |t: Term| Term::tagged("error", t);
        if let Err(e) = spec.check(self.flags.auto_shutdown) {
            return error(e);
        }
        if let Some(pos) = self.children.by_id(&spec.id) {
            return match self.children.state(pos) {
                Some(State::Running(pid)) => error(Term::tagged("already_started", Term::Pid(pid))),
                _ => error(atom("already_present")),
            };
        }
        let path = child_path(self.label.as_deref(), &spec.id);
        match start_one(ctx, path, &spec, "start_child").await {
            StartResult::Ok(pid) => {
                self.children.push(spec, State::Running(pid));
                Term::tuple_of([Term::OK, Term::Pid(pid)])
            }
            StartResult::Ignore => {
                if spec.restart != Restart::Temporary {
                    self.children.push(spec, State::Undefined);
                }
                Term::tuple_of([Term::OK, Term::UNDEFINED])
            }
            StartResult::Error(r) if r.tag() == Some("already_started") => error(r),
            StartResult::Error(r) => error(Term::tuple_of([r, spec.to_record(Term::UNDEFINED)])),
        }
    }

    /// `terminate_child` (SUP-23): never restarts anything; a pending retry is dropped.
    async fn terminate_child(&mut self, ctx: &Ctx, id: &Term) -> Term {
        let Some(pos) = self.children.by_id(id) else {
            return Term::tagged("error", atom("not_found"));
        };
        if let Some(child) = self.children.get(pos) {
            if let State::Running(pid) = child.state {
                let (restart, how) = (child.spec.restart, child.spec.shutdown);
                shutdown_child(ctx, id, pid, restart, how).await;
            }
        }
        self.children.del(pos);
        Term::OK
    }

    /// `restart_child` (SUP-23): only for a child with no process; counts nothing.
    async fn restart_child(&mut self, ctx: &Ctx, id: &Term) -> Term {
        let Some(pos) = self.children.by_id(id) else {
            return Term::tagged("error", atom("not_found"));
        };
        match self.children.state(pos) {
            Some(State::Running(_)) => return Term::tagged("error", atom("running")),
            Some(State::Restarting) => return Term::tagged("error", atom("restarting")),
            _ => {}
        }
        let Some((spec, path)) = self
            .children
            .get(pos)
            .map(|c| (c.spec.clone(), c.path(self.label.as_deref())))
        else {
            return Term::tagged("error", atom("not_found"));
        };
        match start_one(ctx, path, &spec, "restart_child").await {
            StartResult::Ok(pid) => {
                self.children.set_state(pos, State::Running(pid));
                Term::tuple_of([Term::OK, Term::Pid(pid)])
            }
            StartResult::Ignore => Term::tuple_of([Term::OK, Term::UNDEFINED]),
            StartResult::Error(r) => Term::tagged("error", r),
        }
    }

    /// `delete_child` (SUP-23).
    fn delete_child(&mut self, id: &Term) -> Term {
        let Some(pos) = self.children.by_id(id) else {
            return Term::tagged("error", atom("not_found"));
        };
        match self.children.state(pos) {
            Some(State::Running(_)) => Term::tagged("error", atom("running")),
            Some(State::Restarting) => Term::tagged("error", atom("restarting")),
            _ => {
                self.children.remove(pos);
                Term::OK
            }
        }
    }

    /// `[{Id, Pid | restarting | undefined, Type}]` in reverse start order (SUP-24).
    fn which_children(&self) -> Term {
        Term::list(self.children.iter_rev().map(|c| {
            let pid = match c.state {
                State::Running(p) => Term::Pid(p),
                State::Restarting => atom("restarting"),
                State::Undefined => Term::UNDEFINED,
            };
            Term::tuple_of([c.spec.id.clone(), pid, c.spec.child_type.to_term()])
        }))
    }

    /// `[{specs, N}, {active, N}, {supervisors, N}, {workers, N}]`; active means a
    /// live process, as OTP checks with `is_process_alive` (SUP-24).
    fn count_children(&self, ctx: &Ctx) -> Term {
        let (mut active, mut sups, mut workers) = (0i64, 0i64, 0i64);
        for c in self.children.iter_rev() {
            if matches!(c.state, State::Running(p) if ctx.is_alive(p)) {
                active += 1;
            }
            match c.spec.child_type {
                ChildType::Supervisor => sups += 1,
                ChildType::Worker => workers += 1,
            }
        }
        let pair = |k: &'static str, v: i64| Term::tuple_of([atom(k), Term::Int(v)]);
        Term::list([
            pair("specs", self.children.len() as i64),
            pair("active", active),
            pair("supervisors", sups),
            pair("workers", workers),
        ])
    }
}
