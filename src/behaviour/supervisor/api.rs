//! The client side: starting a supervisor and the calls OTP's `supervisor` module
//! exports (SUP-23 to SUP-25). Every call is a `gen_server` call with timeout
//! `infinity`.

use super::flags::{ChildType, SupFlags};
use super::server::{Sup, SupArgs};
use super::spec::ChildSpec;
use crate::behaviour::gen_server::{self, ServerRef, StartOpts, StartResult};
use crate::kernel::Ctx;
use crate::term::{atom, Pid, Term};

/// Starts a supervisor linked to the caller, with `flags` and `children`; returns
/// once every child has started (SUP-5), or with
/// `{error, {shutdown, {failed_to_start_child, Id, R}}}` (SUP-7),
/// `{error, {start_spec, E}}` (SUP-2, SUP-3) or `{error, {supervisor_data, E}}`.
///
/// The supervisor's label (for traces) is `opts.label`, else its name; its children
/// are labelled `label/id`.
pub async fn start_link(
    ctx: &Ctx,
    flags: SupFlags,
    children: Vec<ChildSpec>,
    opts: StartOpts,
) -> StartResult {
    let label = match (&opts.label, &opts.name) {
        (Some(l), _) => Some(l.to_string()),
        (None, name) => name.as_ref().map(|n| n.as_str().to_string()),
    };
    let args = SupArgs {
        flags,
        specs: children,
        label,
    };
    gen_server::start_link::<Sup>(ctx, args, opts).await
}

async fn call(ctx: &Ctx, sup: ServerRef, request: Term) -> Result<Term, Term> {
    gen_server::call(ctx, sup, request, None).await
}

/// `{ok, Pid}` → `Ok(Some(pid))`, `{ok, undefined}` → `Ok(None)`, `{error, R}` →
/// `Err(R)`.
fn started(reply: Term) -> Result<Option<Pid>, Term> {
    match reply.as_tuple() {
        Some([ok, Term::Pid(p)]) if ok.is_atom("ok") => Ok(Some(*p)),
        Some([ok, _]) if ok.is_atom("ok") => Ok(None),
        Some([e, r]) if e.is_atom("error") => Err(r.clone()),
        _ => Err(Term::tagged("bad_reply", reply)),
    }
}

fn done(reply: Term) -> Result<(), Term> {
    match reply.as_tuple() {
        Some([e, r]) if e.is_atom("error") => Err(r.clone()),
        _ if reply.is_atom("ok") => Ok(()),
        _ => Err(Term::tagged("bad_reply", reply)),
    }
}

/// `supervisor:start_child/2` (SUP-23): `Ok(Some(pid))`, `Ok(None)` for `ignore`, or
/// `Err` with `{already_started, Pid}`, `already_present`, `{Reason, Child}`, or a
/// spec error such as `{bad_combination, ..}`. The spec travels to the supervisor as a
/// fun term. A failed call (no such supervisor) is `Err` with the call's exit reason.
pub async fn start_child(
    ctx: &Ctx,
    sup: impl Into<ServerRef>,
    spec: ChildSpec,
) -> Result<Option<Pid>, Term> {
    let request = Term::tuple_of([
        atom("start_child"),
        Term::fun("supervisor.child_spec", spec),
    ]);
    started(call(ctx, sup.into(), request).await?)
}

/// `supervisor:terminate_child/2` (SUP-23): `Ok(())`, also for a child not running;
/// `Err(not_found)` for an unknown id.
pub async fn terminate_child(ctx: &Ctx, sup: impl Into<ServerRef>, id: Term) -> Result<(), Term> {
    done(call(ctx, sup.into(), Term::tagged("terminate_child", id)).await?)
}

/// `supervisor:restart_child/2` (SUP-23): only for a child with no process;
/// `Err(running | restarting | not_found | R)`.
pub async fn restart_child(
    ctx: &Ctx,
    sup: impl Into<ServerRef>,
    id: Term,
) -> Result<Option<Pid>, Term> {
    started(call(ctx, sup.into(), Term::tagged("restart_child", id)).await?)
}

/// `supervisor:delete_child/2` (SUP-23): `Err(running | restarting | not_found)`.
pub async fn delete_child(ctx: &Ctx, sup: impl Into<ServerRef>, id: Term) -> Result<(), Term> {
    done(call(ctx, sup.into(), Term::tagged("delete_child", id)).await?)
}

/// A child's process in [`which_children`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildPid {
    /// Running.
    Pid(Pid),
    /// A restart failed and is being retried (SUP-17).
    Restarting,
    /// No process (ignored, stopped, or a transient child that exited cleanly).
    Undefined,
}

/// One row of [`which_children`].
#[derive(Clone, Debug, PartialEq)]
pub struct ChildInfo {
    /// The child's id (`undefined` under a dynamic supervisor).
    pub id: Term,
    /// Its process.
    pub pid: ChildPid,
    /// Worker or supervisor.
    pub child_type: ChildType,
}

pub(crate) fn child_infos(reply: &Term) -> Vec<ChildInfo> {
    let rows = reply.as_list().unwrap_or(&[]);
    rows.iter()
        .filter_map(|row| match row.as_tuple() {
            Some([id, pid, ty, ..]) => Some(ChildInfo {
                id: id.clone(),
                pid: match pid {
                    Term::Pid(p) => ChildPid::Pid(*p),
                    t if t.is_atom("restarting") => ChildPid::Restarting,
                    _ => ChildPid::Undefined,
                },
                child_type: ChildType::from_term(ty)?,
            }),
            _ => None,
        })
        .collect()
}

/// Ends the calling process as OTP's failed `gen_server:call` does: the caller has no
/// value to go on with.
pub(crate) fn call_failed(what: &str, reason: &Term) -> ! {
    panic!("{what} failed: {reason}")
}

/// `supervisor:which_children/1`, in reverse start order (SUP-24). Panics (the caller
/// crashes, as in OTP) when the supervisor cannot be called.
pub async fn which_children(ctx: &Ctx, sup: impl Into<ServerRef>) -> Vec<ChildInfo> {
    match call(ctx, sup.into(), atom("which_children")).await {
        Ok(reply) => child_infos(&reply),
        Err(reason) => call_failed("which_children", &reason),
    }
}

/// [`count_children`]'s answer (SUP-24).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChildCounts {
    /// Every spec.
    pub specs: u32,
    /// Children with a live process.
    pub active: u32,
    /// Specs of type supervisor, alive or not.
    pub supervisors: u32,
    /// Specs of type worker, alive or not.
    pub workers: u32,
}

pub(crate) fn child_counts(reply: &Term) -> ChildCounts {
    let mut counts = ChildCounts::default();
    for pair in reply.as_list().unwrap_or(&[]) {
        if let Some([key, Term::Int(n)]) = pair.as_tuple() {
            let n = u32::try_from(*n).unwrap_or(0);
            match key.as_atom() {
                Some("specs") => counts.specs = n,
                Some("active") => counts.active = n,
                Some("supervisors") => counts.supervisors = n,
                Some("workers") => counts.workers = n,
                _ => {}
            }
        }
    }
    counts
}

/// `supervisor:count_children/1` (SUP-24). Panics when the supervisor cannot be
/// called, as [`which_children`] does.
pub async fn count_children(ctx: &Ctx, sup: impl Into<ServerRef>) -> ChildCounts {
    match call(ctx, sup.into(), atom("count_children")).await {
        Ok(reply) => child_counts(&reply),
        Err(reason) => call_failed("count_children", &reason),
    }
}

/// `Supervisor.stop/2` (SUP-25): every child is shut down in reverse start order, then
/// the supervisor exits with `reason`. Waits for ever, as Elixir's default does.
pub async fn stop(ctx: &Ctx, sup: impl Into<ServerRef>, reason: Term) -> Result<(), Term> {
    gen_server::stop(ctx, sup, reason, None).await
}
