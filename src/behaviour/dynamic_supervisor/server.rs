//! The dynamic supervisor process (DSUP-2 to DSUP-6): children kept in a map by pid,
//! as Elixir's `DynamicSupervisor` keeps them, so every lookup is O(log n).

use super::shutdown::{terminate_children, Target};
use super::spec::{DynChildSpec, DynSupFlags};
use crate::behaviour::gen_server::{CallResponse, From, GenServer, Init, Response, StartResult};
use crate::behaviour::supervisor::{child_path, with_child_label, ChildType, Intensity, Restart};
use crate::kernel::{catch_crash, Ctx};
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::EventKind;
use std::collections::BTreeMap;

pub(crate) struct DynArgs {
    pub(crate) flags: DynSupFlags,
    pub(crate) label: Option<String>,
}

struct Child {
    spec: DynChildSpec,
    /// A restart failed; a `$gen_restart` message will retry (DSUP-5).
    restarting: bool,
}

pub(crate) struct DynSup {
    flags: DynSupFlags,
    /// Keyed by pid, which orders by spawn: a restarting child stays under its old pid.
    children: BTreeMap<Pid, Child>,
    intensity: Intensity,
    label: Option<String>,
}

fn is_gen_restart(m: &Term) -> Option<Pid> {
    match m.as_tuple()? {
        [tag, Term::Pid(p)] if tag.is_atom("$gen_restart") => Some(*p),
        _ => None,
    }
}

impl GenServer for DynSup {
    type Args = DynArgs;

    async fn init(ctx: &Ctx, args: DynArgs) -> Init<Self> {
        ctx.trap_exit(true);
        if args.flags.max_seconds == 0 {
            let e = Term::tagged("invalid_period", Term::Int(0));
            return Init::Stop(Term::tagged("supervisor_data", e));
        }
        Init::Ok(DynSup {
            intensity: Intensity::new(args.flags.max_restarts, args.flags.max_seconds),
            flags: args.flags,
            children: BTreeMap::new(),
            label: args.label,
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, _from: From) -> CallResponse {
        let reply = match request.as_tuple() {
            Some([tag, Term::Fun(f)]) if tag.is_atom("start_child") => {
                match f.payload::<DynChildSpec>() {
                    Some(spec) => self.start_child(ctx, (*spec).clone()).await,
                    None => {
                        Term::tagged("error", Term::tagged("invalid_child_spec", request.clone()))
                    }
                }
            }
            Some([tag, Term::Pid(pid)]) if tag.is_atom("terminate_child") => {
                let pid = *pid;
                self.terminate_child(ctx, pid).await
            }
            _ if request.is_atom("which_children") => self.which_children(),
            _ if request.is_atom("count_children") => self.count_children(),
            _ => {
                return CallResponse::Stop {
                    reason: Term::tagged("bad_call", request),
                    reply: None,
                }
            }
        };
        CallResponse::reply(reply)
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some([tag, Term::Pid(pid), reason]) = msg.as_tuple() {
            if tag.is_atom("EXIT") {
                let (pid, reason) = (*pid, reason.clone());
                return self.on_exit(ctx, pid, reason).await;
            }
        }
        if let Some(pid) = is_gen_restart(&msg) {
            // The child may have been terminated since the retry was scheduled.
            if self.children.get(&pid).is_some_and(|c| c.restarting) {
                return self.restart(ctx, pid, "try_again").await;
            }
        }
        Response::noreply()
    }

    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        let targets = self.targets(|_| true);
        terminate_children(ctx, &targets).await;
        self.children.clear();
        ctx.emit(EventKind::SupExit {
            sup: ctx.me(),
            reason: reason.clone(),
        });
    }
}

impl DynSup {
    /// Running children (not restarting) among those `keep` selects, in pid order.
    fn targets(&self, keep: impl Fn(Pid) -> bool) -> Vec<Target> {
        self.children
            .iter()
            .filter(|(pid, c)| !c.restarting && keep(**pid))
            .map(|(pid, c)| Target {
                pid: *pid,
                restart: c.spec.restart,
                shutdown: c.spec.shutdown,
            })
            .collect()
    }

    /// Calls the start function with the extra arguments, labelled with the child's
    /// path; a panic is a failed start (`{error, Reason}`, DSUP-2).
    async fn start(&self, ctx: &Ctx, spec: &DynChildSpec, cause: &'static str) -> StartResult {
        let start = spec.start.clone();
        let extra = self.flags.extra_arguments.clone();
        let label = child_path(self.label.as_deref(), &spec.id);
        let c = ctx.clone();
        let fut = async move { with_child_label(label, move || start(c, extra)).await };
        let result = catch_crash(fut).await.unwrap_or_else(StartResult::Error);
        let (pid, outcome) = match &result {
            StartResult::Ok(pid) => (Some(*pid), Term::OK),
            StartResult::Ignore => (None, atom("ignore")),
            StartResult::Error(r) => (None, Term::tagged("error", r.clone())),
        };
        ctx.emit(EventKind::ChildStart {
            sup: ctx.me(),
            id: Term::UNDEFINED,
            pid,
            result: outcome,
            cause: Atom::from_static(cause),
        });
        result
    }

    /// DSUP-2: the limit counts restarting children; `ignore` stores nothing.
    async fn start_child(&mut self, ctx: &Ctx, spec: DynChildSpec) -> Term {
        let limit = self.flags.max_children.map_or(usize::MAX, |m| m as usize);
        if self.children.len() >= limit {
            return Term::tagged("error", atom("max_children"));
        }
        if let Err(e) = spec.check() {
            return Term::tagged("error", e);
        }
        let result = self.start(ctx, &spec, "start_child").await;
        if let StartResult::Ok(pid) = result {
            let child = Child {
                spec,
                restarting: false,
            };
            self.children.insert(pid, child);
        }
        result.to_term()
    }

    /// DSUP-4: shut the child down and forget it, even a permanent one.
    async fn terminate_child(&mut self, ctx: &Ctx, pid: Pid) -> Term {
        if !self.children.contains_key(&pid) {
            return Term::tagged("error", atom("not_found"));
        }
        let targets = self.targets(|p| p == pid);
        terminate_children(ctx, &targets).await;
        self.children.remove(&pid);
        Term::OK
    }

    /// SUP-10's table, except that a non-restarted child is always forgotten (DSUP-5).
    async fn on_exit(&mut self, ctx: &Ctx, pid: Pid, reason: Term) -> Response {
        let restart = match self.children.get(&pid) {
            Some(c) if !c.restarting => Some(c.spec.restart),
            _ => None,
        };
        let again = match restart {
            Some(Restart::Permanent) => true,
            Some(_) if reason.is_clean_exit() => false,
            Some(Restart::Transient) => true,
            _ => false,
        };
        let decision = match (restart, again) {
            (None, _) => "ignore_unknown",
            (Some(_), true) => "restart",
            (Some(_), false) => "delete",
        };
        ctx.emit(EventKind::ChildExitSeen {
            sup: ctx.me(),
            id: Term::UNDEFINED,
            pid,
            reason,
            decision: Atom::from_static(decision),
        });
        if again {
            return self.restart(ctx, pid, "restart").await;
        }
        if restart.is_some() {
            self.children.remove(&pid);
        }
        Response::noreply()
    }

    /// DSUP-5: count the restart, then start the child again under a new pid; a
    /// failed start keeps it under the old pid as restarting and retries by message.
    async fn restart(&mut self, ctx: &Ctx, pid: Pid, cause: &'static str) -> Response {
        let counted = self.intensity.add(ctx.now_us());
        ctx.emit(EventKind::RestartCounted {
            sup: ctx.me(),
            id: Term::UNDEFINED,
            stamp_s: counted.stamp_s,
            window_len: counted.window_len,
            max: u64::from(self.intensity.max_restarts()),
        });
        if counted.exceeded {
            ctx.emit(EventKind::IntensityExceeded {
                sup: ctx.me(),
                offender_id: Term::UNDEFINED,
            });
            self.children.remove(&pid);
            return Response::Stop(Term::SHUTDOWN);
        }
        let Some(spec) = self.children.get(&pid).map(|c| c.spec.clone()) else {
            return Response::noreply();
        };
        match self.start(ctx, &spec, cause).await {
            StartResult::Ok(new) => {
                self.children.remove(&pid);
                let child = Child {
                    spec,
                    restarting: false,
                };
                self.children.insert(new, child);
            }
            StartResult::Ignore => {
                self.children.remove(&pid);
            }
            StartResult::Error(_) => {
                if let Some(c) = self.children.get_mut(&pid) {
                    c.restarting = true;
                }
                ctx.emit(EventKind::TryAgain {
                    sup: ctx.me(),
                    id: Term::UNDEFINED,
                });
                ctx.send(ctx.me(), Term::tagged("$gen_restart", Term::Pid(pid)));
            }
        }
        Response::noreply()
    }

    /// `[{undefined, Pid | restarting, Type}]` in ascending spawn order (DSUP-3).
    fn which_children(&self) -> Term {
        Term::list(self.children.iter().map(|(pid, c)| {
            let p = if c.restarting {
                atom("restarting")
            } else {
                Term::Pid(*pid)
            };
            Term::tuple_of([Term::UNDEFINED, p, c.spec.child_type.to_term()])
        }))
    }

    /// DSUP-3: specs counts restarting children, active does not.
    fn count_children(&self) -> Term {
        let (mut active, mut sups, mut workers) = (0i64, 0i64, 0i64);
        for c in self.children.values() {
            if !c.restarting {
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
