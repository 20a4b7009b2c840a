//! DynamicSupervisor: Elixir's supervisor for children started on demand (semantics
//! reference section 7).
//!
//! Only one_for_one exists. Children are kept by pid; ids are ignored. A failed
//! restart is retried through a `{'$gen_restart', OldPid}` message; restarts count in
//! the same whole-second window as a static supervisor's. Stopping shuts every child
//! down *concurrently* (DSUP-6), unlike the one-after-another protocol of SUP-20.
//!
//! Extra arguments: Elixir prepends `extra_arguments` to the child's start arguments.
//! Here [`DynSupFlags::extra_arguments`] is handed to every [`DynStartFn`] as its
//! second argument, and [`DynChildSpec::worker_with`] builds a gen_server's `init`
//! arguments from it. A static [`ChildSpec`](crate::behaviour::supervisor::ChildSpec)
//! converts into a [`DynChildSpec`] whose start function ignores them.
//!
//! ```
//! use otpsim::behaviour::dynamic_supervisor::{self, DynChildSpec, DynSupFlags};
//! use otpsim::behaviour::gen_server::{GenServer, Init, StartOpts, StartResult};
//! use otpsim::kernel::{Ctx, Sim, SimConfig};
//! use otpsim::term::{atom, Term};
//! use std::cell::RefCell;
//! use std::rc::Rc;
//!
//! struct Session(Vec<Term>);
//! impl GenServer for Session {
//!     type Args = Vec<Term>;
//!     async fn init(_ctx: &Ctx, args: Vec<Term>) -> Init<Self> { Init::Ok(Session(args)) }
//! }
//!
//! let mut sim = Sim::new(SimConfig::default());
//! let seen = Rc::new(RefCell::new(Vec::new()));
//! let out = seen.clone();
//! sim.spawn(move |ctx| async move {
//!     let flags = DynSupFlags { max_children: Some(1), ..DynSupFlags::new() };
//!     let sup = dynamic_supervisor::start_link(&ctx, flags, StartOpts::default()).await.into_result()?;
//!     let spec = DynChildSpec::worker_with::<Session>("session", |extra| extra);
//!     let first = dynamic_supervisor::start_child(&ctx, sup, spec.clone()).await;
//!     let second = dynamic_supervisor::start_child(&ctx, sup, spec).await;
//!     out.borrow_mut().extend([first, second]);
//!     dynamic_supervisor::stop(&ctx, sup, Term::NORMAL).await
//! });
//! sim.run();
//! let seen = seen.borrow();
//! assert!(matches!(seen[0], StartResult::Ok(_)));
//! assert_eq!(seen[1], StartResult::Error(atom("max_children")));
//! ```

mod api;
mod server;
mod shutdown;
mod spec;

pub use api::{
    child_spec, count_children, start_child, start_link, stop, terminate_child, which_children,
};
pub use spec::{DynChildSpec, DynStartFn, DynSupFlags};
