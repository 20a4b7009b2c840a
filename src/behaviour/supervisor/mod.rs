//! Supervisor: OTP's `supervisor` behaviour, written on the kernel's public API as
//! `supervisor.erl` is written on `gen_server`, links and monitors (semantics
//! reference section 6).
//!
//! The supervisor process is a [`GenServer`](crate::behaviour::gen_server::GenServer)
//! that traps exits, starts its children one at a time, and reacts to their `EXIT`s
//! with OTP's algorithms: the restart decision table, the three strategies, the
//! whole-second restart-intensity window, the retry through its own mailbox, and the
//! one-after-another shutdown protocol. A code change (SUP-27, [`change_code`]) takes
//! new flags and specs while children keep running, as `sys:change_code` does.
//!
//! Children are labelled in traces with their path: the supervisor's label, `/`, the
//! child id (`app/db`). Every step is a trace event (`child_start`, `child_exit_seen`,
//! `restart_counted`, `child_shutdown`, `child_down`, `try_again`,
//! `intensity_exceeded`, `auto_shutdown`, `sup_exit`).
//!
//! ```
//! use otpsim::behaviour::gen_server::{GenServer, Init, StartOpts};
//! use otpsim::behaviour::supervisor::{self, ChildPid, ChildSpec, Strategy, SupFlags};
//! use otpsim::kernel::{ms, Ctx, Sim, SimConfig};
//! use otpsim::term::{atom, Term};
//! use std::cell::RefCell;
//! use std::rc::Rc;
//!
//! struct Worker;
//! impl GenServer for Worker {
//!     type Args = ();
//!     async fn init(_ctx: &Ctx, _args: ()) -> Init<Self> { Init::Ok(Worker) }
//! }
//!
//! let mut sim = Sim::new(SimConfig::default());
//! let seen = Rc::new(RefCell::new(Vec::new()));
//! let out = seen.clone();
//! sim.spawn(move |ctx| async move {
//!     let children = vec![ChildSpec::worker::<Worker>("a", ()), ChildSpec::worker::<Worker>("b", ())];
//!     let opts = StartOpts { label: Some("top".into()), ..StartOpts::default() };
//!     let sup = supervisor::start_link(&ctx, SupFlags::new(Strategy::OneForOne), children, opts)
//!         .await
//!         .into_result()?;
//!     // which_children lists the latest started child first.
//!     let before = supervisor::which_children(&ctx, sup).await;
//!     if let ChildPid::Pid(a) = before[1].pid {
//!         ctx.exit(a, Term::KILL);
//!     }
//!     ctx.sleep(ms(1)).await;
//!     let after = supervisor::which_children(&ctx, sup).await;
//!     out.borrow_mut().extend([before, after]);
//!     supervisor::stop(&ctx, sup, Term::NORMAL).await
//! });
//! sim.run();
//! let seen = seen.borrow();
//! let (before, after) = (&seen[0], &seen[1]);
//! // `a` was restarted under a new pid, in the same place; `b` was left alone.
//! assert_eq!(after[1].id, atom("a"));
//! assert_ne!(after[1].pid, before[1].pid);
//! assert_eq!(after[0].pid, before[0].pid);
//! ```

mod api;
mod children;
mod code_change;
mod flags;
mod intensity;
mod restart;
mod server;
mod shutdown;
mod spec;

pub use api::{
    count_children, delete_child, restart_child, start_child, start_link, stop, terminate_child,
    which_children, ChildCounts, ChildInfo, ChildPid,
};
pub use code_change::{change_code, change_code_with, SupInit};
pub use flags::{AutoShutdown, ChildType, Restart, Shutdown, Strategy, SupFlags};
pub use spec::{child_label, ChildSpec, StartFn};

pub(crate) use api::{call_failed, child_counts, child_infos};
pub(crate) use intensity::Intensity;
pub(crate) use shutdown::{is_exit_from, last_reason};
pub(crate) use spec::{child_path, with_child_label};
