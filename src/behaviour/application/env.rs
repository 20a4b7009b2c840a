//! Application environment (APP-6): a kernel named table owned by the application
//! controller, as OTP keeps it in the controller's ETS table `ac_tab`, so any process
//! reads its configuration at once, without a message.

use crate::kernel::Ctx;
use crate::term::{atom, Atom, Term};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The table's name, after OTP's.
pub(crate) const TABLE: Atom = Atom::from_static("ac_tab");

/// Every application's environment, by application.
#[derive(Default)]
pub(crate) struct EnvTable {
    apps: RefCell<BTreeMap<Atom, BTreeMap<String, Term>>>,
}

impl EnvTable {
    /// Loading sets every key of `env`; keys set before and not in `env` stay, as
    /// OTP's `add_env` inserts key by key.
    pub(crate) fn load(&self, app: &Atom, env: BTreeMap<String, Term>) {
        self.apps
            .borrow_mut()
            .entry(app.clone())
            .or_default()
            .extend(env);
    }

    /// Unloading forgets the application's whole environment.
    pub(crate) fn unload(&self, app: &Atom) {
        self.apps.borrow_mut().remove(app);
    }
}

fn no_controller() -> Term {
    Term::tuple_of([Term::NOPROC, atom("application_controller")])
}

/// `application:get_env(App, Key)`: `None` for a missing key (`undefined`, Elixir's
/// `nil`), an application that is not loaded, or no controller.
///
/// ```
/// use otpsim::behaviour::application::{self, AppSpec, ControllerOpts};
/// use otpsim::behaviour::gen_server::StartResult;
/// use otpsim::kernel::{Sim, SimConfig};
/// use otpsim::term::{atom, Term};
///
/// let mut sim = Sim::new(SimConfig::default());
/// sim.spawn(|ctx| async move {
///     application::start_controller(&ctx, ControllerOpts::default()).await.into_result()?;
///     let spec = AppSpec::new("db", |_ctx| async { StartResult::Ignore }).env("pool", Term::Int(4));
///     application::load(&ctx, spec).await?;
///     assert_eq!(application::get_env(&ctx, "db", "pool"), Some(Term::Int(4)));
///     application::put_env(&ctx, "db", "pool", Term::Int(8))?;
///     assert_eq!(application::get_env(&ctx, "db", "pool"), Some(Term::Int(8)));
///     assert_eq!(application::get_env(&ctx, "db", "nope"), None);
///     Ok(())
/// });
/// assert!(sim.run().outcome.is_normal());
/// ```
pub fn get_env(ctx: &Ctx, app: &str, key: &str) -> Option<Term> {
    let table = ctx.table::<EnvTable>(&TABLE)?;
    let apps = table.apps.borrow();
    apps.get(&Atom::new(app))?.get(key).cloned()
}

/// `application:get_all_env(App)`: the whole environment, empty when not loaded.
pub fn get_all_env(ctx: &Ctx, app: &str) -> BTreeMap<String, Term> {
    ctx.table::<EnvTable>(&TABLE)
        .and_then(|t| t.apps.borrow().get(&Atom::new(app)).cloned())
        .unwrap_or_default()
}

/// Elixir's `Application.fetch_env!(App, Key)`.
///
/// # Panics
/// When the key is not set: the calling process crashes, as Elixir raises
/// `ArgumentError` (APP-6).
pub fn fetch_env(ctx: &Ctx, app: &str, key: &str) -> Term {
    get_env(ctx, app, key).unwrap_or_else(|| {
        panic!(
            "could not fetch application environment :{key} for application :{app} \
             because configuration at :{key} was not set"
        )
    })
}

/// `application:set_env(App, Key, Value)` (Elixir's `put_env`): takes effect at once
/// and lasts until the application is unloaded; a stop and a start keep it (APP-6).
/// `Err({noproc, application_controller})` when no controller runs.
pub fn put_env(ctx: &Ctx, app: &str, key: &str, value: Term) -> Result<(), Term> {
    let table = ctx.table::<EnvTable>(&TABLE).ok_or_else(no_controller)?;
    table
        .apps
        .borrow_mut()
        .entry(Atom::new(app))
        .or_default()
        .insert(key.to_string(), value);
    Ok(())
}

/// `application:unset_env(App, Key)` (Elixir's `delete_env`).
/// `Err({noproc, application_controller})` when no controller runs.
pub fn delete_env(ctx: &Ctx, app: &str, key: &str) -> Result<(), Term> {
    let table = ctx.table::<EnvTable>(&TABLE).ok_or_else(no_controller)?;
    if let Some(env) = table.apps.borrow_mut().get_mut(&Atom::new(app)) {
        env.remove(key);
    }
    Ok(())
}
