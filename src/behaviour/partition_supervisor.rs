//! PartitionSupervisor: Elixir's supervisor of P identical children, with keys routed
//! to one of them (PSUP-1 to PSUP-3, fixture `otp_fixtures/partition_supervisor`).
//!
//! It is a plain [`supervisor`] (one_for_one, 3 restarts in 5 s unless told otherwise)
//! whose children have ids `0 .. P-1` and are started in that order. A key picks a
//! partition: an integer key `rem(abs(Key), P)`, any other key `erlang:phash2(Key, P)`,
//! bit-exact with OTP ([`crate::term::phash2`]). The partition → pid table is a kernel
//! named table called after the supervisor, owned by the supervisor process and
//! rewritten each time a partition's child (re)starts: so between a child's death and
//! its restart the table still names the dead pid, and a call routed there fails with
//! `noproc` (PSUP-3), as in Elixir.
//!
//! The gen_server client has no generic via-names, so the routing calls live here:
//! [`PartitionSupervisor::call`] and [`PartitionSupervisor::cast`] resolve the key to a
//! pid and use [`gen_server::call`]/[`gen_server::cast`]; a failed call names the
//! server `{via, 'Elixir.PartitionSupervisor', {Name, Key}}`, as Elixir does.
//!
//! ```
//! use otpsim::behaviour::gen_server::{self, CallResponse, From, GenServer, Init};
//! use otpsim::behaviour::partition_supervisor::{PartitionChild, PartitionOpts, PartitionSupervisor};
//! use otpsim::kernel::{Ctx, Sim, SimConfig};
//! use otpsim::term::{atom, Term};
//!
//! struct Shard(u32);
//! impl GenServer for Shard {
//!     type Args = u32;
//!     async fn init(_ctx: &Ctx, index: u32) -> Init<Self> { Init::Ok(Shard(index)) }
//!     async fn handle_call(&mut self, _ctx: &Ctx, _req: Term, _from: From) -> CallResponse {
//!         CallResponse::reply(Term::Int(i64::from(self.0)))
//!     }
//! }
//!
//! const SHARDS: PartitionSupervisor = PartitionSupervisor::named("shards");
//! let mut sim = Sim::new(SimConfig::default());
//! sim.spawn(|ctx| async move {
//!     let child = PartitionChild::worker::<Shard>(0).with_arguments(|_, index| index);
//!     SHARDS.start_link(&ctx, child, PartitionOpts::new(4)).await.into_result()?;
//!     // Integer keys go to rem(abs(Key), 4); others to erlang:phash2(Key, 4).
//!     assert_eq!(SHARDS.call(&ctx, &Term::Int(-7), atom("which"), None).await?, Term::Int(3));
//!     assert_eq!(SHARDS.call(&ctx, &atom("foo"), atom("which"), None).await?, Term::Int(3));
//!     Ok(())
//! });
//! assert!(sim.run().outcome.is_normal());
//! ```

use crate::behaviour::gen_server::{
    self, GenServer, ServerName, ServerRef, StartOpts, StartResult,
};
use crate::behaviour::supervisor::{
    self, ChildCounts, ChildInfo, ChildSpec, ChildType, Shutdown, StartFn, Strategy, SupFlags,
};
use crate::kernel::Ctx;
use crate::term::{atom, phash2, Atom, Pid, Term};
use std::cell::RefCell;
use std::rc::Rc;

/// A partition supervisor, by name: a cheap handle, usable as a `const`. The name is
/// the supervisor's local name and its partition table's name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PartitionSupervisor {
    name: Atom,
}

/// What each partition runs: a child spec built from arguments, and how partition
/// `i`'s arguments are made from the common ones (Elixir's `:child_spec` and
/// `:with_arguments`).
pub struct PartitionChild<A> {
    args: A,
    build: Rc<dyn Fn(A) -> ChildSpec>,
    with_arguments: Rc<dyn Fn(A, u32) -> A>,
}

/// Options for [`PartitionSupervisor::start_link`].
#[derive(Clone, Debug)]
pub struct PartitionOpts {
    /// How many partitions, at least 1. Elixir defaults to `System.schedulers_online()`;
    /// a simulation has no schedulers, so otpsim asks for the number.
    pub partitions: u32,
    /// The supervisor's flags: one_for_one, 3 restarts in 5 s by default (PSUP-1).
    pub flags: SupFlags,
    /// The trace label of the supervisor (its children are `label/0`, `label/1`, ..);
    /// defaults to the name.
    pub label: Option<Atom>,
}

impl PartitionOpts {
    /// `partitions` partitions under a one_for_one supervisor with 3 restarts in 5 s.
    pub fn new(partitions: u32) -> PartitionOpts {
        PartitionOpts {
            partitions,
            flags: SupFlags::new(Strategy::OneForOne),
            label: None,
        }
    }
}

impl<A: Clone + 'static> PartitionChild<A> {
    /// Each partition runs `build(args)`; the spec's id and start are replaced, its
    /// restart, shutdown and type are kept. Every partition gets the same `args` unless
    /// [`PartitionChild::with_arguments`] says otherwise.
    pub fn new(args: A, build: impl Fn(A) -> ChildSpec + 'static) -> PartitionChild<A> {
        PartitionChild {
            args,
            build: Rc::new(build),
            with_arguments: Rc::new(|args, _| args),
        }
    }

    /// Each partition runs the gen_server `G` started with `args` (a permanent worker).
    pub fn worker<G: GenServer<Args = A>>(args: A) -> PartitionChild<A> {
        PartitionChild::new(args, |a| ChildSpec::worker::<G>("partition", a))
    }

    /// Partition `i` is started with `f(args, i)` (PSUP-1), computed once at start.
    pub fn with_arguments(self, f: impl Fn(A, u32) -> A + 'static) -> PartitionChild<A> {
        PartitionChild {
            with_arguments: Rc::new(f),
            ..self
        }
    }
}

/// The partition table: the count and each partition's latest pid.
struct PartitionTable {
    partitions: u32,
    pids: RefCell<Vec<Option<Pid>>>,
}

/// The partition a key goes to among `partitions` (PSUP-2): `rem(abs(Key), P)` for an
/// integer, `erlang:phash2(Key, P)` for anything else.
///
/// # Panics
/// When `partitions` is 0.
pub fn partition_of(key: &Term, partitions: u32) -> u32 {
    match key {
        Term::Int(i) => (i.unsigned_abs() % u64::from(partitions)) as u32,
        other => phash2(other, partitions),
    }
}

/// `PartitionSupervisor.whereis_name({Name, Key})` for the supervisor called `name`;
/// `None` when it does not exist. The pid may be dead (PSUP-3).
pub fn whereis(ctx: &Ctx, name: &Atom, key: &Term) -> Option<Pid> {
    PartitionSupervisor::new(name.clone())
        .whereis_name(ctx, key)
        .ok()
}

impl PartitionSupervisor {
    /// The partition supervisor called `name`, a name fixed at compile time.
    pub const fn named(name: &'static str) -> PartitionSupervisor {
        PartitionSupervisor {
            name: Atom::from_static(name),
        }
    }

    /// The partition supervisor called `name`.
    pub fn new(name: Atom) -> PartitionSupervisor {
        PartitionSupervisor { name }
    }

    /// Its name.
    pub fn name(&self) -> &Atom {
        &self.name
    }

    /// `PartitionSupervisor.start_link(name: N, child_spec: .., partitions: P,
    /// with_arguments: F)` (PSUP-1): a supervisor registered as the name, linked to
    /// the caller, with children `0 .. P-1` started in that order. Returns
    /// `{error, {already_started, Pid}}` when the name is taken.
    ///
    /// # Panics
    /// When `opts.partitions` is 0, as Elixir raises `ArgumentError`.
    pub async fn start_link<A: Clone + 'static>(
        &self,
        ctx: &Ctx,
        child: PartitionChild<A>,
        opts: PartitionOpts,
    ) -> StartResult {
        let start = StartOpts {
            name: Some(ServerName::Local(self.name.clone())),
            label: opts.label.clone(),
            ..StartOpts::default()
        };
        supervisor::start_link(
            ctx,
            opts.flags,
            self.children(child, opts.partitions),
            start,
        )
        .await
    }

    /// A child spec that runs this partition supervisor under another supervisor:
    /// type supervisor, shutdown infinity, id the name (as Elixir's `child_spec/1`).
    ///
    /// # Panics
    /// When `opts.partitions` is 0.
    pub fn child_spec<A: Clone + 'static>(
        &self,
        child: PartitionChild<A>,
        opts: PartitionOpts,
    ) -> ChildSpec {
        let me = self.clone();
        let child = Rc::new(child);
        let start: StartFn = Rc::new(move |ctx: Ctx| {
            let label = supervisor::child_label().or_else(|| opts.label.clone());
            let child = PartitionChild {
                args: child.args.clone(),
                build: child.build.clone(),
                with_arguments: child.with_arguments.clone(),
            };
            let opts = PartitionOpts {
                label,
                ..opts.clone()
            };
            let me = me.clone();
            Box::pin(async move { me.start_link(&ctx, child, opts).await })
        });
        ChildSpec {
            child_type: ChildType::Supervisor,
            shutdown: Shutdown::Infinity,
            ..ChildSpec::new(Term::Atom(self.name.clone()), start)
        }
    }

    /// The P child specs, arguments computed once, as Elixir does in `start_link`.
    fn children<A: Clone + 'static>(
        &self,
        child: PartitionChild<A>,
        partitions: u32,
    ) -> Vec<ChildSpec> {
        assert!(
            partitions > 0,
            "the :partitions option must be a positive integer, got: 0"
        );
        (0..partitions)
            .map(|index| {
                let args = (child.with_arguments)(child.args.clone(), index);
                let spec = (child.build)(args);
                let start = self.recording_start(spec.start.clone(), index, partitions);
                ChildSpec {
                    id: Term::Int(i64::from(index)),
                    start,
                    ..spec
                }
            })
            .collect()
    }

    /// Wraps a partition's start so that it writes the started pid into the table,
    /// creating the table on first use. Runs inside the supervisor, which thus owns the
    /// table: it goes when the supervisor dies (PSUP-3).
    fn recording_start(&self, inner: StartFn, index: u32, partitions: u32) -> StartFn {
        let name = self.name.clone();
        Rc::new(move |ctx: Ctx| {
            let table = match ensure_table(&ctx, &name, partitions) {
                Ok(table) => table,
                Err(reason) => return Box::pin(async move { StartResult::Error(reason) }),
            };
            // Called now, not inside the future, so the child sees its label.
            let started = inner(ctx);
            Box::pin(async move {
                let result = started.await;
                if let StartResult::Ok(pid) = result {
                    if let Some(slot) = table.pids.borrow_mut().get_mut(index as usize) {
                        *slot = Some(pid);
                    }
                }
                result
            })
        })
    }

    fn table(&self, ctx: &Ctx) -> Result<Rc<PartitionTable>, Term> {
        ctx.table::<PartitionTable>(&self.name).ok_or_else(|| {
            let mfa = Term::tuple_of([
                atom("Elixir.PartitionSupervisor"),
                atom("partitions"),
                Term::list([Term::Atom(self.name.clone())]),
            ]);
            Term::tuple_of([Term::NOPROC, mfa])
        })
    }

    /// `PartitionSupervisor.partitions(Name)`; without the supervisor,
    /// `Err({noproc, {'Elixir.PartitionSupervisor', partitions, [Name]}})`, the reason
    /// Elixir exits with.
    pub fn partitions(&self, ctx: &Ctx) -> Result<u32, Term> {
        Ok(self.table(ctx)?.partitions)
    }

    /// `PartitionSupervisor.whereis_name({Name, Key})`: the pid in `key`'s partition,
    /// read from the table in the caller. The pid may be dead, until the partition is
    /// restarted (PSUP-3). `Err` as [`PartitionSupervisor::partitions`] without the
    /// supervisor, `Err(badarg)` for a partition not started yet.
    pub fn whereis_name(&self, ctx: &Ctx, key: &Term) -> Result<Pid, Term> {
        let table = self.table(ctx)?;
        let partition = partition_of(key, table.partitions);
        let pid = table
            .pids
            .borrow()
            .get(partition as usize)
            .copied()
            .flatten();
        pid.ok_or_else(|| atom("badarg"))
    }

    /// `{via, 'Elixir.PartitionSupervisor', {Name, Key}}`, as exit reasons show it.
    pub fn via(&self, key: &Term) -> Term {
        let name_key = Term::tuple_of([Term::Atom(self.name.clone()), key.clone()]);
        Term::tuple_of([atom("via"), atom("Elixir.PartitionSupervisor"), name_key])
    }

    /// `GenServer.call({via, PartitionSupervisor, {Name, Key}}, Request, Timeout)`.
    /// A failed call is `Err({Reason, {gen_server, call, [Via, Request, Timeout]}})`,
    /// `noproc` for a dead partition not yet restarted (PSUP-3); without the
    /// supervisor, the reason of [`PartitionSupervisor::partitions`].
    pub async fn call(
        &self,
        ctx: &Ctx,
        key: &Term,
        request: Term,
        timeout_ms: Option<u64>,
    ) -> Result<Term, Term> {
        let pid = self.whereis_name(ctx, key)?;
        gen_server::call(ctx, pid, request, timeout_ms)
            .await
            .map_err(|reason| self.name_server_in(reason, key))
    }

    /// `GenServer.cast({via, PartitionSupervisor, {Name, Key}}, Msg)`: never fails.
    pub fn cast(&self, ctx: &Ctx, key: &Term, msg: Term) {
        if let Ok(pid) = self.whereis_name(ctx, key) {
            gen_server::cast(ctx, pid, msg);
        }
    }

    /// Puts the via-name where a failed call's reason names the server by pid.
    fn name_server_in(&self, reason: Term, key: &Term) -> Term {
        let Some([why, mfa]) = reason.as_tuple() else {
            return reason;
        };
        let Some([m, f, Term::List(args)]) = mfa.as_tuple() else {
            return reason;
        };
        let mut args = args.to_vec();
        if let Some(first) = args.first_mut() {
            *first = self.via(key);
        }
        Term::tuple_of([
            why.clone(),
            Term::tuple_of([m.clone(), f.clone(), Term::list(args)]),
        ])
    }

    /// `which_children`: partitions in reverse order (PSUP-1, SUP-24).
    pub async fn which_children(&self, ctx: &Ctx) -> Vec<ChildInfo> {
        supervisor::which_children(ctx, self.server()).await
    }

    /// `count_children`.
    pub async fn count_children(&self, ctx: &Ctx) -> ChildCounts {
        supervisor::count_children(ctx, self.server()).await
    }

    /// `Supervisor.stop(Name, Reason)`: partitions shut down in reverse order.
    pub async fn stop(&self, ctx: &Ctx, reason: Term) -> Result<(), Term> {
        supervisor::stop(ctx, self.server(), reason).await
    }

    fn server(&self) -> ServerRef {
        ServerRef::Name(self.name.clone())
    }
}

/// The table, created by the first partition start of this supervisor. A table of
/// another kind under the name is `Err(badarg)`, as `ets:new` on a taken name.
fn ensure_table(ctx: &Ctx, name: &Atom, partitions: u32) -> Result<Rc<PartitionTable>, Term> {
    if let Some(table) = ctx.table::<PartitionTable>(name) {
        return Ok(table);
    }
    let table = Rc::new(PartitionTable {
        partitions,
        pids: RefCell::new(vec![None; partitions as usize]),
    });
    ctx.table_new(name.clone(), table.clone())?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_use_the_magnitude() {
        assert_eq!(partition_of(&Term::Int(-7), 4), 3);
        assert_eq!(
            partition_of(&Term::Int(i64::MIN), 3),
            ((1u64 << 63) % 3) as u32
        );
        assert_eq!(partition_of(&Term::Int(5), 1), 0);
    }
}
