//! A dynamic supervisor's flags and child specs (DSUP-1, DSUP-2).

use crate::behaviour::gen_server::{self, GenServer, StartOpts, StartResult};
use crate::behaviour::supervisor::{child_label, ChildSpec, ChildType, Restart, Shutdown};
use crate::kernel::Ctx;
use crate::term::{Atom, Term};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// How a dynamic child is started. The second argument is the supervisor's
/// `extra_arguments`, which Elixir prepends to the spec's own arguments (DSUP-2): a
/// start function puts them wherever its child's arguments need them. Like a
/// [`StartFn`](crate::behaviour::supervisor::StartFn), it runs inside the supervisor
/// and must start the child linked to it.
pub type DynStartFn = Rc<dyn Fn(Ctx, Vec<Term>) -> Pin<Box<dyn Future<Output = StartResult>>>>;

/// A dynamic supervisor's settings (DSUP-1). The strategy is always one_for_one and
/// `auto_shutdown` always never, so neither is a field.
#[derive(Clone, Debug, PartialEq)]
pub struct DynSupFlags {
    /// Restarts allowed in `max_seconds`.
    pub max_restarts: u32,
    /// The window in whole seconds; must be above 0.
    pub max_seconds: u32,
    /// The most children at once, restarting ones included; `None` is `infinity`.
    pub max_children: Option<u32>,
    /// Given to every child's start function (Elixir's `extra_arguments`).
    pub extra_arguments: Vec<Term>,
}

impl Default for DynSupFlags {
    fn default() -> DynSupFlags {
        DynSupFlags::new()
    }
}

impl DynSupFlags {
    /// Elixir's defaults: 3 restarts in 5 seconds, no child limit, no extra arguments.
    pub fn new() -> DynSupFlags {
        DynSupFlags {
            max_restarts: 3,
            max_seconds: 5,
            max_children: None,
            extra_arguments: Vec::new(),
        }
    }
}

/// A child spec for a dynamic supervisor. Its id is kept for the child's trace label
/// only: ids need not be unique, and the supervisor reports every child as
/// `undefined` (DSUP-2). There is no `significant`: a dynamic supervisor has no
/// automatic shutdown (DSUP-1).
#[derive(Clone)]
pub struct DynChildSpec {
    /// A name for the child's trace label.
    pub id: Term,
    /// How to start it.
    pub start: DynStartFn,
    /// When to restart it.
    pub restart: Restart,
    /// How to shut it down; a timeout must be above 0 ms (DSUP-1).
    pub shutdown: Shutdown,
    /// Worker or supervisor.
    pub child_type: ChildType,
}

impl std::fmt::Debug for DynChildSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynChildSpec")
            .field("id", &self.id)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("child_type", &self.child_type)
            .finish_non_exhaustive()
    }
}

impl DynChildSpec {
    /// A permanent worker with shutdown 5000 ms.
    pub fn new(id: Term, start: DynStartFn) -> DynChildSpec {
        DynChildSpec {
            id,
            start,
            restart: Restart::Permanent,
            shutdown: Shutdown::Timeout(5000),
            child_type: ChildType::Worker,
        }
    }

    /// A gen_server worker `G` whose `init` arguments are built from the supervisor's
    /// extra arguments by `make_args`, as Elixir calls `start_link(extra ++ args)`.
    ///
    /// ```
    /// use otpsim::behaviour::dynamic_supervisor::DynChildSpec;
    /// use otpsim::behaviour::gen_server::{GenServer, Init};
    /// use otpsim::kernel::Ctx;
    /// use otpsim::term::Term;
    ///
    /// struct Conn(Vec<Term>);
    /// impl GenServer for Conn {
    ///     type Args = Vec<Term>;
    ///     async fn init(_ctx: &Ctx, args: Vec<Term>) -> Init<Self> { Init::Ok(Conn(args)) }
    /// }
    /// // Under extra_arguments [pool], init gets [pool, port].
    /// let spec = DynChildSpec::worker_with::<Conn>("conn", |extra| {
    ///     let mut args = extra;
    ///     args.push(Term::Int(5432));
    ///     args
    /// });
    /// assert_eq!(spec.id.to_string(), "conn");
    /// ```
    pub fn worker_with<G: GenServer>(
        id: &str,
        make_args: impl Fn(Vec<Term>) -> G::Args + 'static,
    ) -> DynChildSpec {
        let fallback = Atom::new(id);
        let start: DynStartFn = Rc::new(move |ctx: Ctx, extra: Vec<Term>| {
            let label = child_label().unwrap_or_else(|| fallback.clone());
            let args = make_args(extra);
            Box::pin(async move {
                let opts = StartOpts {
                    label: Some(label),
                    ..StartOpts::default()
                };
                gen_server::start_link::<G>(&ctx, args, opts).await
            })
        });
        DynChildSpec::new(Term::atom_owned(id), start)
    }

    /// The same spec with another restart type.
    pub fn restart(self, r: Restart) -> DynChildSpec {
        DynChildSpec { restart: r, ..self }
    }

    /// The same spec with another shutdown.
    pub fn shutdown(self, s: Shutdown) -> DynChildSpec {
        DynChildSpec {
            shutdown: s,
            ..self
        }
    }

    /// The same spec with another child type.
    pub fn child_type(self, t: ChildType) -> DynChildSpec {
        DynChildSpec {
            child_type: t,
            ..self
        }
    }

    /// Elixir's `validate_shutdown`: a timeout must be above 0 (DSUP-1).
    pub(crate) fn check(&self) -> Result<(), Term> {
        match self.shutdown {
            Shutdown::Timeout(0) => Err(Term::tagged("invalid_shutdown", Term::Int(0))),
            _ => Ok(()),
        }
    }
}

/// A static supervisor's spec works too: its start function ignores the extra
/// arguments, and `significant` is dropped (Elixir ignores it here).
impl From<ChildSpec> for DynChildSpec {
    fn from(spec: ChildSpec) -> DynChildSpec {
        let inner = spec.start.clone();
        DynChildSpec {
            id: spec.id,
            start: Rc::new(move |ctx, _extra| inner(ctx)),
            restart: spec.restart,
            shutdown: spec.shutdown,
            child_type: spec.child_type,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::atom;

    #[test]
    fn dsup1_defaults_and_shutdown_check() {
        // DSUP-1: max_restarts 3, max_seconds 5, max_children infinity, no extra
        // arguments; a shutdown timeout must be > 0.
        let f = DynSupFlags::default();
        assert_eq!(
            (f.max_restarts, f.max_seconds, f.max_children),
            (3, 5, None)
        );
        assert!(f.extra_arguments.is_empty());
        let s = DynChildSpec::new(
            atom("w"),
            Rc::new(|_, _| Box::pin(async { StartResult::Ignore })),
        );
        assert!(s.check().is_ok());
        let zero = s.shutdown(Shutdown::Timeout(0)).check().unwrap_err();
        assert_eq!(zero.to_string(), "{invalid_shutdown,0}");
    }
}
