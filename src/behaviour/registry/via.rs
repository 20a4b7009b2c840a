//! Names through a registry: `{via, Registry, {Name, Key}}` (REG-9), the registry's
//! side of gen_server's `register_name`/`whereis_name`/`send` protocol.

use super::table::{self, Info};
use super::{Keys, Registry};
use crate::kernel::Ctx;
use crate::term::{atom, Pid, Term};
use std::rc::Rc;

/// A gen_server name held in a unique [`Registry`]: `{via, Registry, {Name, Key}}`,
/// or `{via, Registry, {Name, Key, Value}}` to register the server with a value
/// (otherwise the value is `nil`, as in Elixir). Use it as
/// [`crate::behaviour::gen_server::StartOpts::via`] to start a server under it, and
/// wherever a [`crate::behaviour::gen_server::ServerRef`] goes to reach the server.
///
/// ```
/// use otpsim::behaviour::gen_server::{self, GenServer, Init, StartOpts, StartResult};
/// use otpsim::behaviour::registry::{Keys, Registry, RegistryOpts};
/// use otpsim::kernel::{Ctx, Sim, SimConfig};
/// use otpsim::term::{atom, Term};
///
/// struct Room;
/// impl GenServer for Room {
///     type Args = ();
///     async fn init(_ctx: &Ctx, _: ()) -> Init<Self> { Init::Ok(Room) }
/// }
///
/// const ROOMS: Registry = Registry::named("rooms");
/// let done = std::rc::Rc::new(std::cell::Cell::new(false));
/// let finished = done.clone();
/// let mut sim = Sim::new(SimConfig::default());
/// sim.spawn(move |ctx| async move {
///     ROOMS.start_link(&ctx, Keys::Unique, RegistryOpts::default()).await.into_result()?;
///     let lobby = ROOMS.via(atom("lobby"));
///     let pid = gen_server::start_link::<Room>(&ctx, (), StartOpts::via(lobby.clone())).await.into_result()?;
///     assert_eq!(ROOMS.whereis_name(&ctx, &atom("lobby")), Some(pid));
///     let again = gen_server::start_link::<Room>(&ctx, (), StartOpts::via(lobby)).await;
///     assert_eq!(again, StartResult::Error(Term::tagged("already_started", pid.into())));
///     finished.set(true);
///     Ok(())
/// });
/// assert!(sim.run().outcome.is_normal());
/// assert!(done.get(), "the process ran to the end");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ViaName {
    registry: Registry,
    key: Term,
    value: Option<Term>,
    /// The tuple as OTP prints it, kept for labels.
    text: Rc<str>,
}

impl ViaName {
    fn build(registry: Registry, key: Term, value: Option<Term>) -> ViaName {
        let mut name = ViaName {
            registry,
            key,
            value,
            text: Rc::from(""),
        };
        name.text = Rc::from(name.to_term().to_string());
        name
    }

    /// The same name, registering the server with `value` (`{Name, Key, Value}`).
    pub fn with_value(self, value: Term) -> ViaName {
        ViaName::build(self.registry, self.key, Some(value))
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The key.
    pub fn key(&self) -> &Term {
        &self.key
    }

    /// The value a server started under this name registers with.
    pub fn value(&self) -> Term {
        self.value.clone().unwrap_or_else(|| atom("nil"))
    }

    /// `{via, 'Elixir.Registry', {Name, Key}}` (or `{Name, Key, Value}`), the way OTP
    /// shows the server in an exit reason such as `{noproc, {gen_server, call, [..]}}`.
    pub fn to_term(&self) -> Term {
        let name = Term::Atom(self.registry.name().clone());
        let inner = match &self.value {
            None => Term::tuple_of([name, self.key.clone()]),
            Some(v) => Term::tuple_of([name, self.key.clone(), v.clone()]),
        };
        Term::tuple_of([atom("via"), atom("Elixir.Registry"), inner])
    }

    /// The tuple as text, for labels.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `whereis_name`, for gen_server's client calls and its start-up check.
    ///
    /// # Panics
    /// As [`Registry::whereis_name`].
    pub(crate) fn whereis(&self, ctx: &Ctx) -> Option<Pid> {
        self.registry.whereis_name(ctx, &self.key)
    }

    /// `register_name`, run by the server being started: registers it under the key
    /// with the value. False when the key is taken.
    pub(crate) fn register_self(&self, ctx: &Ctx) -> bool {
        self.registry
            .register(ctx, self.key.clone(), self.value())
            .is_ok()
    }

    /// gen_server's cast through the name: `Registry.send`, with every failure
    /// swallowed, as `GenServer.cast` catches them (REG-9: a cast returns ok).
    pub(crate) fn cast(&self, ctx: &Ctx, msg: Term) {
        if ctx.table::<Info>(self.registry.name()).is_some() {
            let _ = self.registry.send(ctx, &self.key, msg);
        }
    }
}

impl Registry {
    /// The via-name for `key` in this registry (REG-9). The registry must have unique
    /// keys to be used so; that is checked when the name is used.
    pub fn via(&self, key: Term) -> ViaName {
        ViaName::build(self.clone(), key, None)
    }

    /// `Registry.whereis_name({Name, Key})`: the holder of `key` if it is alive. Unlike
    /// [`Registry::lookup`], a dead holder not yet cleaned up gives `None` (REG-6).
    ///
    /// # Panics
    /// When the registry does not exist, or has duplicate keys (Elixir raises
    /// `ArgumentError`: ":via is not supported for duplicate registries").
    pub fn whereis_name(&self, ctx: &Ctx, key: &Term) -> Option<Pid> {
        let info = table::info(ctx, self.name());
        if info.keys == Keys::Duplicate {
            panic!(":via is not supported for duplicate registries");
        }
        match self.lookup(ctx, key).first() {
            Some((pid, _)) if ctx.is_alive(*pid) => Some(*pid),
            _ => None,
        }
    }

    /// `Registry.send({Name, Key}, Msg)`: sends to the one process under `key`;
    /// `Err(badarg)` when there is none (REG-9). Like Elixir, it does not check that
    /// the holder is alive: a message to a dead holder is lost.
    ///
    /// # Panics
    /// When the registry does not exist.
    pub fn send(&self, ctx: &Ctx, key: &Term, msg: Term) -> Result<(), Term> {
        match self.lookup(ctx, key).as_slice() {
            [(pid, _)] => {
                ctx.send(*pid, msg);
                Ok(())
            }
            _ => Err(atom("badarg")),
        }
    }
}
