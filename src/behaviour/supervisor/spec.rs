//! Child specifications: how a child is started, restarted and shut down (SUP-2 to
//! SUP-4), and the checks OTP runs on them.

use super::flags::{AutoShutdown, ChildType, Restart, Shutdown, SupFlags};
use crate::behaviour::gen_server::{self, GenServer, StartOpts, StartResult};
use crate::kernel::Ctx;
use crate::term::{atom, Atom, Fun, Term};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// How a child is started: must spawn the child linked to the calling (supervisor)
/// process and return its [`StartResult`] (SUP-4). It runs inside the supervisor, so
/// the supervisor waits for it, as `supervisor.erl` waits for `apply(M, F, A)`.
pub type StartFn = Rc<dyn Fn(Ctx) -> Pin<Box<dyn Future<Output = StartResult>>>>;

/// What a supervisor needs to know about one child (SUP-2).
#[derive(Clone)]
pub struct ChildSpec {
    /// The child's id, unique within its supervisor; use atoms.
    pub id: Term,
    /// How to start it.
    pub start: StartFn,
    /// When to restart it.
    pub restart: Restart,
    /// How to shut it down.
    pub shutdown: Shutdown,
    /// Worker or supervisor.
    pub child_type: ChildType,
    /// Whether its exit counts for `auto_shutdown` (SUP-18).
    pub significant: bool,
}

impl std::fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("child_type", &self.child_type)
            .field("significant", &self.significant)
            .finish_non_exhaustive()
    }
}

thread_local! {
    /// The trace label of the child a supervisor is starting right now: set around the
    /// synchronous call of a [`StartFn`], like the `$ancestors` OTP's proc_lib reads
    /// from the starter's process dictionary.
    static START_LABEL: RefCell<Option<Atom>> = const { RefCell::new(None) };
}

/// The label the child being started should carry: its supervisor's label, `/`, and
/// its id (`app_sup/db`), or just the id under an unlabelled supervisor.
///
/// Only set while a supervisor calls a [`StartFn`]: read it in the start function
/// itself, before the future it returns first awaits. `None` anywhere else.
pub fn child_label() -> Option<Atom> {
    START_LABEL.with(|l| l.borrow().clone())
}

/// Puts the previous label back, even when the start function panics.
struct Restore(Option<Atom>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        START_LABEL.with(|l| *l.borrow_mut() = previous);
    }
}

/// Calls `f` with [`child_label`] returning `label`.
pub(crate) fn with_child_label<R>(label: Atom, f: impl FnOnce() -> R) -> R {
    let _restore = Restore(START_LABEL.with(|l| l.replace(Some(label))));
    f()
}

/// The path of a child: `sup_label/id`, or the id alone, interned. A supervisor
/// keeps it per child, so a restart builds no string.
pub(crate) fn child_path(sup_label: Option<&str>, id: &Term) -> Atom {
    match (sup_label, id) {
        (Some(l), Term::Atom(name)) => Atom::new(&format!("{l}/{name}")),
        (Some(l), _) => Atom::new(&format!("{l}/{id}")),
        (None, Term::Atom(name)) => name.clone(),
        (None, _) => Atom::new(&id.to_string()),
    }
}

impl ChildSpec {
    /// A worker with OTP's defaults: permanent, shutdown 5000 ms, not significant
    /// (SUP-2).
    pub fn new(id: Term, start: StartFn) -> ChildSpec {
        ChildSpec {
            id,
            start,
            restart: Restart::Permanent,
            shutdown: Shutdown::Timeout(5000),
            child_type: ChildType::Worker,
            significant: false,
        }
    }

    /// A gen_server worker `G` started with `gen_server::start_link::<G>(ctx, args)`,
    /// labelled with the child's path ([`child_label`]).
    ///
    /// ```
    /// use otpsim::behaviour::gen_server::{GenServer, Init};
    /// use otpsim::behaviour::supervisor::{ChildSpec, Restart};
    /// use otpsim::kernel::Ctx;
    ///
    /// struct Worker;
    /// impl GenServer for Worker {
    ///     type Args = ();
    ///     async fn init(_ctx: &Ctx, _args: ()) -> Init<Self> { Init::Ok(Worker) }
    /// }
    /// let spec = ChildSpec::worker::<Worker>("db", ()).restart(Restart::Transient);
    /// assert_eq!(spec.id.to_string(), "db");
    /// ```
    pub fn worker<G: GenServer>(id: &str, args: G::Args) -> ChildSpec
    where
        G::Args: Clone,
    {
        let fallback = Atom::new(id);
        let start: StartFn = Rc::new(move |ctx: Ctx| {
            let label = child_label().unwrap_or_else(|| fallback.clone());
            let opts = StartOpts {
                label: Some(label),
                ..StartOpts::default()
            };
            // `start_link`'s two halves: the spawn now, as the supervisor polls this
            // start at once, and a wait that is the same for every worker, so the box
            // holds no arguments.
            match gen_server::start::spawn_server::<G>(&ctx, args.clone(), opts, true) {
                Ok(starting) => Box::pin(async move { starting.acknowledged(&ctx).await }),
                Err(result) => Box::pin(std::future::ready(result)),
            }
        });
        ChildSpec::new(Term::atom_owned(id), start)
    }

    /// A child supervisor with `flags` and `children`: type supervisor, shutdown
    /// infinity (SUP-2).
    pub fn supervisor(id: &str, flags: SupFlags, children: Vec<ChildSpec>) -> ChildSpec {
        let fallback = Atom::new(id);
        let children = Rc::new(children);
        let start: StartFn = Rc::new(move |ctx: Ctx| {
            let label = child_label().unwrap_or_else(|| fallback.clone());
            let children = (*children).clone();
            Box::pin(async move {
                let opts = StartOpts {
                    label: Some(label),
                    ..StartOpts::default()
                };
                super::api::start_link(&ctx, flags, children, opts).await
            })
        });
        ChildSpec {
            child_type: ChildType::Supervisor,
            shutdown: Shutdown::Infinity,
            ..ChildSpec::new(Term::atom_owned(id), start)
        }
    }

    /// The same spec with another restart type.
    pub fn restart(self, r: Restart) -> ChildSpec {
        ChildSpec { restart: r, ..self }
    }

    /// The same spec with another shutdown.
    pub fn shutdown(self, s: Shutdown) -> ChildSpec {
        ChildSpec {
            shutdown: s,
            ..self
        }
    }

    /// The same spec, significant or not (SUP-18).
    pub fn significant(self, on: bool) -> ChildSpec {
        ChildSpec {
            significant: on,
            ..self
        }
    }

    /// The same spec with another child type (the shutdown is left as it is).
    pub fn child_type(self, t: ChildType) -> ChildSpec {
        ChildSpec {
            child_type: t,
            ..self
        }
    }

    /// OTP's `validSignificant` (SUP-3).
    pub(crate) fn check(&self, auto: AutoShutdown) -> Result<(), Term> {
        if !self.significant {
            return Ok(());
        }
        let pair = |k: &'static str, v: Term| Term::tuple_of([atom(k), v]);
        if auto == AutoShutdown::Never {
            let why = [
                pair("auto_shutdown", atom("never")),
                pair("significant", Term::TRUE),
            ];
            return Err(Term::tagged("bad_combination", Term::list(why)));
        }
        if self.restart == Restart::Permanent {
            let why = [
                pair("restart", atom("permanent")),
                pair("significant", Term::TRUE),
            ];
            return Err(Term::tagged("bad_combination", Term::list(why)));
        }
        Ok(())
    }

    /// The child record as OTP puts it in `{error, {Reason, Child}}`:
    /// `{child, Pid, Id, Start, Restart, Significant, Shutdown, Type}`.
    pub(crate) fn to_record(&self, pid: Term) -> Term {
        Term::tuple_of([
            atom("child"),
            pid,
            self.id.clone(),
            Term::Fun(Fun::named("supervisor.start")),
            self.restart.to_term(),
            Term::from(self.significant),
            self.shutdown.to_term(),
            self.child_type.to_term(),
        ])
    }
}

/// OTP's `check_startspec`: each spec valid, ids unique (SUP-2, SUP-3).
pub(crate) fn check_specs(specs: &[ChildSpec], auto: AutoShutdown) -> Result<(), Term> {
    let mut seen = std::collections::BTreeSet::new();
    for spec in specs {
        spec.check(auto)?;
        if !seen.insert(&spec.id) {
            return Err(Term::tagged("duplicate_child_name", spec.id.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dummy() -> StartFn {
        Rc::new(|_ctx| Box::pin(async { StartResult::Ignore }))
    }

    #[test]
    fn sup2_child_spec_defaults() {
        // SUP-2: restart permanent, type worker, significant false, shutdown 5000 for a
        // worker and infinity for a supervisor; duplicate ids fail the start.
        let w = ChildSpec::new(atom("a"), dummy());
        assert_eq!(w.restart, Restart::Permanent);
        assert_eq!(w.shutdown, Shutdown::Timeout(5000));
        assert_eq!(w.child_type, ChildType::Worker);
        assert!(!w.significant);
        let s = ChildSpec::supervisor(
            "s",
            SupFlags::new(super::super::Strategy::OneForOne),
            vec![],
        );
        assert_eq!(s.shutdown, Shutdown::Infinity);
        assert_eq!(s.child_type, ChildType::Supervisor);
        let dup = check_specs(&[w.clone(), w], AutoShutdown::Never);
        assert_eq!(dup, Err(Term::tagged("duplicate_child_name", atom("a"))));
    }

    #[test]
    fn sup3_significant_needs_auto_shutdown_and_a_non_permanent_child() {
        // SUP-3: significant is invalid with auto_shutdown never or restart permanent.
        let s = ChildSpec::new(atom("a"), dummy()).significant(true);
        let never = s.check(AutoShutdown::Never).unwrap_err();
        assert_eq!(
            never.to_string(),
            "{bad_combination,[{auto_shutdown,never},{significant,true}]}"
        );
        let perm = s.check(AutoShutdown::AnySignificant).unwrap_err();
        assert_eq!(
            perm.to_string(),
            "{bad_combination,[{restart,permanent},{significant,true}]}"
        );
        let ok = ChildSpec::new(atom("a"), dummy())
            .significant(true)
            .restart(Restart::Transient);
        assert!(ok.check(AutoShutdown::AllSignificant).is_ok());
    }

    #[test]
    fn labels_nest_and_restore() {
        assert_eq!(child_label(), None);
        let inner = with_child_label("top/a".into(), child_label);
        assert_eq!(inner.as_ref().map(Atom::as_str), Some("top/a"));
        assert_eq!(child_label(), None);
        assert_eq!(child_path(Some("top"), &atom("db")).as_str(), "top/db");
        assert_eq!(child_path(None, &Term::Int(3)).as_str(), "3");
    }
}
