//! Starting, stopping and restarting children: the strategies (SUP-5 to SUP-7,
//! SUP-11 to SUP-17).

use super::children::{Pos, State};
use super::flags::{Restart, Strategy};
use super::server::Sup;
use super::shutdown::shutdown_child;
use super::spec::{with_child_label, ChildSpec};
use crate::behaviour::gen_server::{self, Response, StartResult};
use crate::kernel::{catch_crash_pinned, Ctx};
use crate::term::{atom, Atom, Term};
use crate::trace::hot::ChildStartView;
use crate::trace::EventKind;

/// Runs a child's start function inside the supervisor with the child's path as its
/// label; a panic in it is a failed start, as `catch apply(M, F, A)` makes it in OTP.
/// Emits `child_start` with the outcome.
pub(crate) async fn start_one(
    ctx: &Ctx,
    label: Atom,
    spec: &ChildSpec,
    cause: &'static str,
) -> StartResult {
    let start = spec.start.clone();
    let c = ctx.clone();
    let fut = std::pin::pin!(async move { with_child_label(label, move || start(c)).await });
    let result = catch_crash_pinned(fut)
        .await
        .unwrap_or_else(StartResult::Error);
    let (pid, outcome) = match &result {
        StartResult::Ok(pid) => (Some(*pid), Term::OK),
        StartResult::Ignore => (None, atom("ignore")),
        StartResult::Error(r) => (None, Term::tagged("error", r.clone())),
    };
    let (sup, cause) = (ctx.me(), Atom::from_static(cause));
    let view = ChildStartView {
        sup,
        id: &spec.id,
        pid,
        result: &outcome,
        cause: &cause,
    };
    ctx.emit_view(&view, || EventKind::ChildStart {
        sup,
        id: spec.id.clone(),
        pid,
        result: outcome.clone(),
        cause: cause.clone(),
    });
    result
}

impl Sup {
    /// OTP's `start_children`: starts `group` in start order, one at a time, each start
    /// waiting for the child's `init` (SUP-5). An ignored temporary child is dropped,
    /// another keeps its spec with no process (SUP-6). Stops at the first failure and
    /// returns its position and reason (SUP-7); later children stay unstarted.
    pub(crate) async fn start_children(
        &mut self,
        ctx: &Ctx,
        group: &[Pos],
        cause: &'static str,
    ) -> Result<(), (Pos, Term)> {
        for &pos in group {
            let Some(child) = self.children.get(pos) else {
                continue;
            };
            let (spec, path) = (child.spec.clone(), child.path(self.label.as_deref()));
            match start_one(ctx, path, &spec, cause).await {
                StartResult::Ok(pid) => self.children.set_state(pos, State::Running(pid)),
                StartResult::Ignore if spec.restart == Restart::Temporary => {
                    self.children.remove(pos);
                }
                StartResult::Ignore => self.children.set_state(pos, State::Undefined),
                StartResult::Error(reason) => return Err((pos, reason)),
            }
        }
        Ok(())
    }

    /// OTP's `terminate_children`: `group` is in start order and is shut down in
    /// reverse, one child after another (SUP-20). Temporary children are forgotten,
    /// the others keep their specs with no process.
    pub(crate) async fn terminate_children(&mut self, ctx: &Ctx, group: &[Pos]) {
        for &pos in group.iter().rev() {
            let Some(child) = self.children.get(pos) else {
                continue;
            };
            if let State::Running(pid) = child.state {
                let (id, restart, how) = (
                    child.spec.id.clone(),
                    child.spec.restart,
                    child.spec.shutdown,
                );
                shutdown_child(ctx, &id, pid, restart, how).await;
            }
            self.children.del(pos);
        }
    }

    /// OTP's `restart/2`: counts the restart (SUP-14), then applies the strategy. Over
    /// the limit, the offender is removed and the supervisor stops with `shutdown`
    /// (SUP-16); its `terminate` shuts the rest down.
    pub(crate) async fn restart(&mut self, ctx: &Ctx, pos: Pos, cause: &'static str) -> Response {
        let Some(child) = self.children.get(pos) else {
            return Response::noreply();
        };
        let id = child.spec.id.clone();
        let counted = self.intensity.add(ctx.now_us());
        ctx.emit(EventKind::RestartCounted {
            sup: ctx.me(),
            id: id.clone(),
            stamp_s: counted.stamp_s,
            window_len: counted.window_len,
            max: u64::from(self.intensity.max_restarts()),
        });
        if counted.exceeded {
            ctx.emit(EventKind::IntensityExceeded {
                sup: ctx.me(),
                offender_id: id,
            });
            self.children.del(pos);
            return Response::Stop(Term::SHUTDOWN);
        }
        match self.flags.strategy {
            Strategy::OneForOne => {
                let (spec, path) = (child.spec.clone(), child.path(self.label.as_deref()));
                match start_one(ctx, path, &spec, cause).await {
                    StartResult::Ok(pid) => self.children.set_state(pos, State::Running(pid)),
                    StartResult::Ignore => self.children.set_state(pos, State::Undefined),
                    StartResult::Error(_) => {
                        self.children.set_state(pos, State::Restarting);
                        self.try_again(ctx, id);
                    }
                }
            }
            Strategy::RestForOne => {
                self.children.set_state(pos, State::Undefined);
                let group = self.children.positions_from(pos);
                self.restart_group(ctx, group, cause).await;
            }
            Strategy::OneForAll => {
                self.children.set_state(pos, State::Undefined);
                let group = self.children.positions();
                self.restart_group(ctx, group, cause).await;
            }
        }
        Response::noreply()
    }

    /// OTP's `restart_multiple_children`: shut the group down in reverse start order,
    /// then start every child left in it in start order, including those that were
    /// not running (SUP-12, SUP-13). A failed start marks that child `restarting` and
    /// schedules a retry (SUP-17).
    async fn restart_group(&mut self, ctx: &Ctx, mut group: Vec<Pos>, cause: &'static str) {
        self.terminate_children(ctx, &group).await;
        group.retain(|p| self.children.get(*p).is_some());
        if let Err((failed, _)) = self.start_children(ctx, &group, cause).await {
            self.children.set_state(failed, State::Restarting);
            if let Some(child) = self.children.get(failed) {
                let id = child.spec.id.clone();
                self.try_again(ctx, id);
            }
        }
    }

    /// Retries through the back of the mailbox, so calls and `EXIT`s already queued
    /// are handled first (SUP-17).
    fn try_again(&self, ctx: &Ctx, id: Term) {
        ctx.emit(EventKind::TryAgain {
            sup: ctx.me(),
            id: id.clone(),
        });
        gen_server::cast(
            ctx,
            ctx.me(),
            Term::tuple_of([atom("try_again_restart"), id]),
        );
    }

    /// The `try_again_restart` cast: retries if the child is still waiting for it
    /// (a `terminate_child` in between cancels the retry).
    pub(crate) async fn on_try_again(&mut self, ctx: &Ctx, id: &Term) -> Response {
        match self.children.by_id(id) {
            Some(pos) if self.children.state(pos) == Some(State::Restarting) => {
                self.restart(ctx, pos, "try_again").await
            }
            _ => Response::noreply(),
        }
    }
}
