//! The client side of a dynamic supervisor (DSUP-2 to DSUP-4). Every call is a
//! `gen_server` call with timeout `infinity`.

use super::server::{DynArgs, DynSup};
use super::spec::{DynChildSpec, DynSupFlags};
use crate::behaviour::gen_server::{self, ServerRef, StartOpts, StartResult};
use crate::behaviour::supervisor::{
    call_failed, child_counts, child_infos, child_label, ChildCounts, ChildInfo, ChildSpec,
    ChildType, Shutdown, StartFn,
};
use crate::kernel::Ctx;
use crate::term::{atom, Atom, Pid, Term};
use std::rc::Rc;

/// Starts a dynamic supervisor linked to the caller, with no children. Its label (for
/// traces) is `opts.label`, else its name; children are labelled `label/id`.
/// `{error, {supervisor_data, {invalid_period, 0}}}` when `max_seconds` is 0.
pub async fn start_link(ctx: &Ctx, flags: DynSupFlags, opts: StartOpts) -> StartResult {
    let label = match (&opts.label, &opts.name) {
        (Some(l), _) => Some(l.to_string()),
        (None, name) => name.as_ref().map(|n| n.as_str().to_string()),
    };
    gen_server::start_link::<DynSup>(ctx, DynArgs { flags, label }, opts).await
}

/// A child spec that runs a dynamic supervisor under a static one: type supervisor,
/// shutdown infinity, labelled with its path like any child.
pub fn child_spec(id: &str, flags: DynSupFlags) -> ChildSpec {
    let fallback = Atom::new(id);
    let start: StartFn = Rc::new(move |ctx: Ctx| {
        let label = child_label().unwrap_or_else(|| fallback.clone());
        let flags = flags.clone();
        Box::pin(async move {
            let opts = StartOpts {
                label: Some(label),
                ..StartOpts::default()
            };
            start_link(&ctx, flags, opts).await
        })
    });
    ChildSpec::new(Term::atom_owned(id), start)
        .child_type(ChildType::Supervisor)
        .shutdown(Shutdown::Infinity)
}

async fn call(ctx: &Ctx, sup: ServerRef, request: Term) -> Result<Term, Term> {
    gen_server::call(ctx, sup, request, None).await
}

/// `DynamicSupervisor.start_child/2` (DSUP-2): `Ok(pid)`; `Ignore` with nothing
/// stored; `Error(max_children)` at the limit (restarting children count);
/// `Error(R)` when the start fails, with nothing stored. Accepts a [`DynChildSpec`]
/// or a static [`ChildSpec`](crate::behaviour::supervisor::ChildSpec). A failed call
/// (no such supervisor) is `Error` with the call's exit reason.
pub async fn start_child(
    ctx: &Ctx,
    sup: impl Into<ServerRef>,
    spec: impl Into<DynChildSpec>,
) -> StartResult {
    let request = Term::tuple_of([
        atom("start_child"),
        Term::fun("dynamic_supervisor.child_spec", spec.into()),
    ]);
    match call(ctx, sup.into(), request).await {
        Ok(reply) => StartResult::from_term(&reply),
        Err(reason) => StartResult::Error(reason),
    }
}

/// `DynamicSupervisor.terminate_child/2` (DSUP-4): shuts the child down and forgets
/// it; `Err(not_found)` for a pid it does not supervise (also the second time).
pub async fn terminate_child(ctx: &Ctx, sup: impl Into<ServerRef>, pid: Pid) -> Result<(), Term> {
    let reply = call(
        ctx,
        sup.into(),
        Term::tagged("terminate_child", Term::Pid(pid)),
    )
    .await?;
    match reply.as_tuple() {
        Some([e, r]) if e.is_atom("error") => Err(r.clone()),
        _ => Ok(()),
    }
}

/// `DynamicSupervisor.which_children/1` in ascending spawn order, every id
/// `undefined` (DSUP-3). Panics (the caller crashes) when the supervisor cannot be
/// called.
pub async fn which_children(ctx: &Ctx, sup: impl Into<ServerRef>) -> Vec<ChildInfo> {
    match call(ctx, sup.into(), atom("which_children")).await {
        Ok(reply) => child_infos(&reply),
        Err(reason) => call_failed("which_children", &reason),
    }
}

/// `DynamicSupervisor.count_children/1` (DSUP-3): `specs` counts restarting children,
/// `active` does not.
pub async fn count_children(ctx: &Ctx, sup: impl Into<ServerRef>) -> ChildCounts {
    match call(ctx, sup.into(), atom("count_children")).await {
        Ok(reply) => child_counts(&reply),
        Err(reason) => call_failed("count_children", &reason),
    }
}

/// `DynamicSupervisor.stop/2`: every child is shut down concurrently (DSUP-6), then
/// the supervisor exits with `reason`.
pub async fn stop(ctx: &Ctx, sup: impl Into<ServerRef>, reason: Term) -> Result<(), Term> {
    gen_server::stop(ctx, sup, reason, None).await
}
