//! A supervisor's code change (SUP-27): what `sys:suspend`, `sys:change_code` and
//! `sys:resume` do to a running supervisor.
//!
//! OTP's `supervisor:code_change/3` re-runs `Mod:init(Args)` and merges its answer into
//! the running state. A Rust [`ChildSpec`] holds a closure that cannot be re-derived
//! from a module, so here the caller hands over what `init` would now return, as a
//! [`SupInit`]. It travels to the supervisor inside the `change_code` system message
//! (a fun term), and the supervisor migrates itself through the gen_server upgrade
//! path ([`Upgrade`]), which also emits the `code_change` trace event.
//!
//! As recorded on OTP 25 (`tests/otp_fixtures/supervisor_probes/sup_code_change_probe`):
//! - the new flags rule from then on; the restart history is kept and judged by the
//!   new intensity;
//! - existing ids take their new spec and keep their process; new ids are added with
//!   no process (`restart_child` starts them); ids missing from the new list stay,
//!   with their old spec and process;
//! - the start order becomes the new list's order, then the kept ids in their old
//!   order;
//! - the specs are checked against the *new* `auto_shutdown`; bad flags or specs
//!   refuse the change with `{error, {error, E}}` and leave the old state whole;
//! - `ignore` from `init` is `ok` and changes nothing; any other answer `T` is
//!   refused as `{error, T}`.

use super::children::{Children, State};
use super::flags::SupFlags;
use super::server::Sup;
use super::spec::{check_specs, ChildSpec};
use crate::behaviour::gen_server::{self, ServerRef, Upgrade};
use crate::kernel::Ctx;
use crate::term::Term;

/// What the supervisor's `init` answers when a code change re-runs it (SUP-27).
#[derive(Clone, Debug)]
pub enum SupInit {
    /// `{ok, {Flags, Specs}}`: the flags and child specs to merge in.
    Ok(SupFlags, Vec<ChildSpec>),
    /// `ignore`: the change succeeds and leaves the supervisor as it was.
    Ignore,
    /// Any other answer: the change is refused with it as the reason.
    Error(Term),
}

/// The name of the fun that carries a [`SupInit`] in the `change_code` message.
const PAYLOAD: &str = "supervisor.init";

/// `sys:suspend`, `sys:change_code` and `sys:resume` on a supervisor whose `init` now
/// returns `{ok, {flags, specs}}` (SUP-27). See [`change_code_with`].
///
/// ```
/// use otpsim::behaviour::gen_server::{GenServer, Init, StartOpts};
/// use otpsim::behaviour::supervisor::{self, ChildPid, ChildSpec, Strategy, SupFlags};
/// use otpsim::kernel::{Ctx, Sim, SimConfig};
/// use otpsim::term::{atom, Term};
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// struct Worker;
/// impl GenServer for Worker {
///     type Args = ();
///     async fn init(_ctx: &Ctx, _args: ()) -> Init<Self> { Init::Ok(Worker) }
/// }
///
/// let mut sim = Sim::new(SimConfig::default());
/// let seen = Rc::new(RefCell::new(None));
/// let out = seen.clone();
/// sim.spawn(move |ctx| async move {
///     let flags = SupFlags::new(Strategy::OneForOne);
///     let specs = vec![ChildSpec::worker::<Worker>("a", ())];
///     let sup = supervisor::start_link(&ctx, flags, specs, StartOpts::default())
///         .await
///         .into_result()?;
///     let before = supervisor::which_children(&ctx, sup).await;
///     // The new code adds `b` and switches to one_for_all.
///     let specs = vec![ChildSpec::worker::<Worker>("a", ()), ChildSpec::worker::<Worker>("b", ())];
///     supervisor::change_code(&ctx, sup, SupFlags::new(Strategy::OneForAll), specs).await?;
///     let after = supervisor::which_children(&ctx, sup).await;
///     // A period of 0 is refused, and the supervisor goes on as it was.
///     let bad = SupFlags::new(Strategy::OneForOne).intensity(1, 0);
///     let refused = supervisor::change_code(&ctx, sup, bad, vec![]).await;
///     *out.borrow_mut() = Some((before, after, refused));
///     supervisor::stop(&ctx, sup, Term::NORMAL).await
/// });
/// sim.run();
/// let (before, after, refused) = seen.borrow_mut().take().expect("the process got there");
/// // `b` is known but not started; `a` kept its process.
/// assert_eq!((after[0].id.clone(), after[0].pid), (atom("b"), ChildPid::Undefined));
/// assert_eq!((after[1].id.clone(), after[1].pid), (atom("a"), before[0].pid));
/// assert_eq!(refused.unwrap_err().to_string(), "{error,{error,{invalid_period,0}}}");
/// ```
pub async fn change_code(
    ctx: &Ctx,
    sup: impl Into<ServerRef>,
    flags: SupFlags,
    specs: Vec<ChildSpec>,
) -> Result<(), Term> {
    change_code_with(ctx, sup, SupInit::Ok(flags, specs)).await
}

/// A supervisor's code change as a release handler does it (SUP-27): `sys:suspend`,
/// `sys:change_code` with `init` re-run as `init` says, then `sys:resume` (also after
/// a refusal, so the old state goes on).
///
/// `Err` is what `sys:change_code` returns on a refusal: `{error, {error, E}}` for
/// bad flags (`{invalid_period, 0}`) or specs (`{duplicate_child_name, Id}`,
/// `{bad_combination, ..}`), `{error, T}` for [`SupInit::Error`]`(T)`; or the exit
/// reason of a failed system call, as [`gen_server::upgrade`] gives it.
pub async fn change_code_with(
    ctx: &Ctx,
    sup: impl Into<ServerRef>,
    init: SupInit,
) -> Result<(), Term> {
    gen_server::upgrade::<Sup, Sup>(ctx, sup, Term::fun(PAYLOAD, init)).await
}

impl Upgrade<Sup> for Sup {
    /// OTP's `code_change/3`: `set_flags`, then `update_childspec`; either failing
    /// leaves the old state whole.
    fn code_change(old: Sup, extra: &Term) -> Result<Sup, (Sup, Term)> {
        let Some(init) = extra.as_fun().and_then(|f| f.payload::<SupInit>()) else {
            return Err((old, Term::tagged("bad_extra", extra.clone())));
        };
        let (flags, specs) = match &*init {
            SupInit::Ok(flags, specs) => (*flags, specs),
            SupInit::Ignore => return Ok(old),
            SupInit::Error(answer) => return Err((old, answer.clone())),
        };
        let checked = flags
            .check()
            .and_then(|()| check_specs(specs, flags.auto_shutdown));
        if let Err(e) = checked {
            return Err((old, Term::tagged("error", e)));
        }
        let mut sup = old;
        sup.flags = flags;
        // OTP's set_flags leaves `restarts` alone: past restarts count against the
        // new intensity.
        sup.intensity
            .set_limits(flags.max_restarts, flags.max_seconds);
        let children = std::mem::take(&mut sup.children);
        sup.children = merge(children, specs);
        Ok(sup)
    }
}

/// OTP's `update_childspec`: the new specs in their order, each keeping the process of
/// the child with its id; then the children the new list leaves out, in their order.
fn merge(mut old: Children, specs: &[ChildSpec]) -> Children {
    let mut merged = Children::default();
    for spec in specs {
        let state = old
            .by_id(&spec.id)
            .and_then(|pos| old.remove(pos))
            .map_or(State::Undefined, |child| child.state);
        merged.push(spec.clone(), state);
    }
    for pos in old.positions() {
        if let Some(child) = old.remove(pos) {
            merged.push(child.spec, child.state);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::super::children::spec;
    use super::*;
    use crate::term::{atom, Pid};

    fn rows(c: &Children) -> Vec<String> {
        c.iter_rev()
            .map(|ch| format!("{}:{:?}", ch.spec.id, ch.state))
            .collect()
    }

    #[test]
    fn sup27_merge_orders_new_ids_first_and_keeps_the_left_out() {
        // SUP-27: new list order first, kept ids after, pids kept, new ids undefined.
        let (pa, pb, pc) = (
            Pid::from_parts(0, 1),
            Pid::from_parts(1, 2),
            Pid::from_parts(2, 3),
        );
        let mut old = Children::default();
        old.push(spec("a"), State::Running(pa));
        old.push(spec("b"), State::Running(pb));
        old.push(spec("c"), State::Running(pc));
        let merged = merge(old, &[spec("c"), spec("a"), spec("n")]);
        let want = [
            format!("b:{:?}", State::Running(pb)),
            "n:Undefined".to_string(),
            format!("a:{:?}", State::Running(pa)),
            format!("c:{:?}", State::Running(pc)),
        ];
        assert_eq!(rows(&merged), want);
        assert_eq!(merged.by_pid(pa), merged.by_id(&atom("a")));
    }
}
