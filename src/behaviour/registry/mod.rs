//! Registry: Elixir's local key-value process registry (REG-1 to REG-9).
//!
//! A registry is a process (registered under the registry's name) with one or more
//! partition processes, all trapping exits. The entries live in kernel named tables,
//! the simulation's ETS, so that every read ([`Registry::lookup`], [`Registry::dispatch`],
//! [`Registry::count`], [`Registry::select`], [`Registry::keys`], [`Registry::meta`],
//! [`Registry::whereis_name`]) runs in the *calling* process and sends no message.
//! [`Registry::register`] is run by the registering process itself: it writes the
//! tables at once and links the caller to a partition. When a registered process dies,
//! its entries stay until the partition handles its `EXIT` (REG-6), so a read in
//! between can still see the dead pid, exactly as in Elixir.
//!
//! Match specs become closures: [`Registry::select`], [`Registry::count_select`],
//! [`Registry::match_key`] and [`Registry::count_match`] take a function of an
//! [`Entry`] (`key`, `pid`, `value`), which plays the pattern and the guards.
//!
//! A unique registry also names gen_servers: `{via, Registry, {Name, Key}}` is a
//! [`ViaName`] (REG-9).
//!
//! ```
//! use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
//! use otpsim::kernel::{Sim, SimConfig};
//! use otpsim::term::{atom, Term};
//!
//! const ROOMS: Registry = Registry::named("rooms");
//!
//! let done = std::rc::Rc::new(std::cell::Cell::new(false));
//! let finished = done.clone();
//! let mut sim = Sim::new(SimConfig::default());
//! sim.spawn(move |ctx| async move {
//!     ROOMS.start_link(&ctx, Keys::Duplicate, RegistryOpts::default()).await.into_result()?;
//!     ROOMS.register(&ctx, atom("lobby"), Term::Int(1))?;
//!     assert_eq!(ROOMS.lookup(&ctx, &atom("lobby")), vec![(ctx.me(), Term::Int(1))]);
//!     ROOMS.dispatch(&ctx, &atom("lobby"), |entries| {
//!         for (pid, _) in entries {
//!             ctx.send(*pid, atom("hello"));
//!         }
//!     });
//!     assert_eq!(ctx.recv().await, atom("hello"));
//!     finished.set(true);
//!     Ok(())
//! });
//! assert!(sim.run().outcome.is_normal());
//! assert!(done.get(), "the process ran to the end");
//! ```

mod api;
mod process;
mod table;
mod via;

pub use via::ViaName;

use crate::behaviour::gen_server::{self, ServerName, StartOpts, StartResult};
use crate::kernel::Ctx;
use crate::term::{Atom, Pid, Term};

/// Whether a key names at most one process or any number of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// A key names at most one process (REG-3); needed for via-names (REG-9).
    Unique,
    /// A key may be registered any number of times, by any processes (REG-4).
    Duplicate,
}

/// Options for [`Registry::start_link`] besides the kind of keys.
#[derive(Clone, Debug)]
pub struct RegistryOpts {
    /// How many partition processes; at least 1 (the default).
    pub partitions: usize,
    /// Locally registered processes told `{register, Registry, Key, Pid, Value}` and
    /// `{unregister, Registry, Key, Pid}` on explicit calls only (REG-7).
    pub listeners: Vec<Atom>,
    /// Initial metadata, read with [`Registry::meta`].
    pub meta: Vec<(Term, Term)>,
}

impl Default for RegistryOpts {
    fn default() -> RegistryOpts {
        RegistryOpts {
            partitions: 1,
            listeners: Vec::new(),
            meta: Vec::new(),
        }
    }
}

impl RegistryOpts {
    /// The default options with `partitions` partitions.
    pub fn partitions(partitions: usize) -> RegistryOpts {
        RegistryOpts {
            partitions,
            ..RegistryOpts::default()
        }
    }
}

/// One registration, as `select` and `count_select` see it: Elixir's `{key, pid,
/// value}` triple.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: Term,
    /// The process that registered it.
    pub pid: Pid,
    /// The value it registered with.
    pub value: Term,
}

/// A registry, by name: a cheap handle, usable as a `const`. Every function takes
/// the calling process's [`Ctx`], because every one of them runs in the caller.
///
/// The read functions panic when no registry has this name, as Elixir raises
/// `ArgumentError` ("unknown registry"): the calling process crashes with
/// `{panic, <<"unknown registry: Name">>}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Registry {
    name: Atom,
}

impl Registry {
    /// The registry called `name`, a name fixed at compile time.
    pub const fn named(name: &'static str) -> Registry {
        Registry {
            name: Atom::from_static(name),
        }
    }

    /// The registry called `name`.
    pub fn new(name: Atom) -> Registry {
        Registry { name }
    }

    /// Its name: the registry process's local name and the registry table's name.
    pub fn name(&self) -> &Atom {
        &self.name
    }

    /// `Registry.start_link(keys: Keys, name: Name, partitions: P)` (REG-1): starts
    /// the registry process linked to the caller, registered under the registry's
    /// name, and its partitions linked to it. Returns `{ok, RegistryPid}`, or
    /// `{error, {already_started, Pid}}` when the name is taken.
    ///
    /// ```
    /// use otpsim::behaviour::gen_server::StartResult;
    /// use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
    /// use otpsim::kernel::{Sim, SimConfig};
    ///
    /// let done = std::rc::Rc::new(std::cell::Cell::new(false));
    /// let finished = done.clone();
    /// let mut sim = Sim::new(SimConfig::default());
    /// sim.spawn(move |ctx| async move {
    ///     let reg = Registry::named("users");
    ///     let pid = reg.start_link(&ctx, Keys::Unique, RegistryOpts::partitions(4)).await.into_result()?;
    ///     assert_eq!(ctx.whereis(reg.name()), Some(pid));
    ///     let again = reg.start_link(&ctx, Keys::Unique, RegistryOpts::default()).await;
    ///     assert_eq!(again, StartResult::Error(otpsim::term::Term::tagged("already_started", pid.into())));
    ///     finished.set(true);
    ///     Ok(())
    /// });
    /// assert!(sim.run().outcome.is_normal());
    /// assert!(done.get(), "the process ran to the end");
    /// ```
    pub async fn start_link(&self, ctx: &Ctx, keys: Keys, opts: RegistryOpts) -> StartResult {
        let start = StartOpts {
            name: Some(ServerName::Local(self.name.clone())),
            ..StartOpts::default()
        };
        let args = (self.name.clone(), keys, opts);
        gen_server::start_link::<process::RegistryServer>(ctx, args, start).await
    }

    /// The registry as a term (its name), for trace events.
    fn term(&self) -> Term {
        Term::Atom(self.name.clone())
    }
}
