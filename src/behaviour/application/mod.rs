//! Applications: OTP's application controller and masters (APP-1 to APP-6, fixtures
//! `otp_fixtures/application`).
//!
//! An application is an [`AppSpec`]: a name, the applications it depends on, a default
//! environment, a start function that starts the top supervisor, and optional
//! `prep_stop`/`stop` callbacks. The simulation's controller ([`start_controller`])
//! loads specs ([`load`]), starts them ([`start`], [`ensure_all_started`]) each under
//! its own master and starter processes, stops them ([`stop`], [`stop_all`]) and reacts
//! when a top supervisor exits on its own, by the application's [`AppType`]:
//!
//! | type | reason `normal` | any other reason (`shutdown` included) |
//! |---|---|---|
//! | temporary | logged | logged |
//! | transient | logged | the node halts |
//! | permanent | the node halts | the node halts |
//!
//! A failed start of a permanent or transient application halts the node too: the
//! caller first gets its `{error, ..}`. This is what OTP 25 does (fixtures
//! `halt_start_*.out`), although the semantics reference's APP-2 says otherwise.
//!
//! When the node halts, the controller emits `node_halt`, stops every running
//! application newest first (each as [`stop`] does), kills every other process, and
//! exits. The kernel has no "node halted" outcome: the run then ends quiescent, and
//! naming that outcome from the `node_halt` event is the scenario layer's job.
//!
//! Every step is a trace event: `app_start`, `app_prep_stop`, `app_stop`, `app_exit`
//! (with reason `stopped` for a requested stop, as OTP's "exited: stopped" report)
//! and `node_halt`.
//!
//! Leftovers (APP-3, step 4): OTP kills every process whose group leader is the
//! application master. otpsim has no group leaders; it kills, with `kill`, the
//! processes still linked to the application's starter process when it ends (what
//! the start function `spawn_link`ed besides the top supervisor). Processes the
//! application started with no link to its starter are not found and keep running.
//!
//! ```
//! use otpsim::behaviour::application::{self, AppSpec, AppType, ControllerOpts};
//! use otpsim::behaviour::supervisor::{Strategy, SupFlags};
//! use otpsim::kernel::{Sim, SimConfig};
//! use otpsim::term::{atom, Term};
//!
//! let mut sim = Sim::new(SimConfig::default());
//! sim.spawn(|ctx| async move {
//!     application::start_controller(&ctx, ControllerOpts::default()).await.into_result()?;
//!     let flags = SupFlags::new(Strategy::OneForOne);
//!     application::load(&ctx, AppSpec::supervisor("db", flags, vec![])).await?;
//!     application::load(&ctx, AppSpec::supervisor("web", flags, vec![]).depends_on(&["db"])).await?;
//!     // web needs db: start it alone and it refuses; ensure_all_started starts both.
//!     let refused = application::start(&ctx, "web", AppType::Temporary).await;
//!     assert_eq!(refused, Err(Term::tagged("not_started", atom("db"))));
//!     let started = application::ensure_all_started(&ctx, "web", AppType::Temporary).await?;
//!     assert_eq!(started.iter().map(|a| a.as_str()).collect::<Vec<_>>(), ["db", "web"]);
//!     application::stop_all(&ctx).await
//! });
//! assert!(sim.run().outcome.is_normal());
//! ```

mod api;
mod controller;
mod env;
mod master;
mod spec;

pub use api::{
    ensure_all_started, load, start, start_controller, stop, stop_all, unload, which_applications,
    CONTROLLER,
};
pub use controller::ControllerOpts;
pub use env::{delete_env, fetch_env, get_all_env, get_env, put_env};
pub use spec::{AppCallbackFn, AppSpec, AppStartFn, AppType};
