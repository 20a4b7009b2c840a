//! The registry's processes: the registry process (Elixir's `Registry.Supervisor`)
//! and its partitions (`Registry.Partition`), both gen_servers that trap exits (REG-1).
//!
//! The registry process owns the registry table and restarts partitions as Elixir's
//! supervisor does: all of them for unique keys (a partition's linked processes may
//! have keys in every key partition), only the dead one for duplicate keys, at most 3
//! restarts in 5 seconds, after which it shuts the rest down and exits `shutdown`.
//! A partition owns its table and removes a dead process's entries when it handles
//! that process's `EXIT` (REG-6).

use super::table::{self, Info, PartitionTable};
use super::{Keys, RegistryOpts};
use crate::behaviour::gen_server::{self, GenServer, Init, Response, ServerName, StartOpts};
use crate::kernel::{ms, secs, Ctx};
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::EventKind;
use std::cell::RefCell;
use std::rc::Rc;

/// Elixir's supervisor defaults: 3 restarts within 5 seconds.
const MAX_RESTARTS: usize = 3;
const MAX_SECONDS: u64 = 5;
/// A partition's shutdown budget (a worker's default, 5000 ms).
const SHUTDOWN_MS: u64 = 5000;

/// One partition.
pub(crate) struct Partition {
    registry: Atom,
    index: usize,
    table: table::Shared,
}

impl GenServer for Partition {
    type Args = (Atom, usize);

    async fn init(ctx: &Ctx, (registry, index): (Atom, usize)) -> Init<Self> {
        ctx.trap_exit(true);
        let table = Rc::new(RefCell::new(PartitionTable::new(ctx.me())));
        let name = table::partition_table_name(&registry, index);
        if ctx.table_new(name, table.clone()).is_err() {
            return Init::Stop(atom("badarg"));
        }
        Init::Ok(Partition {
            registry,
            index,
            table,
        })
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        // Only processes that registered here are linked to a partition besides its
        // parent, whose EXIT the gen_server loop handles itself (GS-11c).
        if let Some([tag, Term::Pid(pid), _reason]) = msg.as_tuple() {
            if tag.is_atom("EXIT") {
                self.clean_up(ctx, *pid);
            }
        }
        Response::noreply()
    }
}

impl Partition {
    /// REG-6: the dead process's entries go now, when its `EXIT` is handled, not when it
    /// died. Only its own entries go: a unique key taken over meanwhile stays (REG-3).
    fn clean_up(&self, ctx: &Ctx, pid: Pid) {
        let records = self
            .table
            .borrow_mut()
            .pids
            .remove(&pid)
            .unwrap_or_default();
        let info = ctx.table::<Info>(&self.registry);
        let mut done: Vec<&Term> = Vec::new();
        for (key, key_partition) in &records {
            if done.contains(&key) {
                continue;
            }
            done.push(key);
            let tab = if *key_partition == self.index {
                Some(self.table.clone())
            } else {
                info.as_ref()
                    .and_then(|info| table::partition(ctx, info, *key_partition))
            };
            let removed = tab.map_or(0, |t| t.borrow_mut().remove_entries(key, pid));
            if removed > 0 {
                ctx.emit(EventKind::RegUnregister {
                    registry: Term::Atom(self.registry.clone()),
                    key: key.clone(),
                    pid,
                    cause: Atom::from_static("cleanup"),
                });
            }
        }
    }
}

/// The registry process.
pub(crate) struct RegistryServer {
    registry: Atom,
    keys: Keys,
    /// Each partition's pid, by index.
    partitions: Vec<Pid>,
    /// When partitions were restarted, in microseconds, within the last window.
    restarts: Vec<u64>,
}

impl GenServer for RegistryServer {
    type Args = (Atom, Keys, RegistryOpts);

    async fn init(ctx: &Ctx, (registry, keys, opts): Self::Args) -> Init<Self> {
        ctx.trap_exit(true);
        let count = opts.partitions.max(1);
        let info = Info {
            keys,
            partitions: (0..count)
                .map(|i| table::partition_table_name(&registry, i))
                .collect(),
            listeners: opts.listeners,
            meta: RefCell::new(opts.meta.into_iter().collect()),
        };
        if ctx.table_new(registry.clone(), Rc::new(info)).is_err() {
            return Init::Stop(atom("badarg"));
        }
        let mut server = RegistryServer {
            registry,
            keys,
            partitions: Vec::with_capacity(count),
            restarts: Vec::new(),
        };
        for index in 0..count {
            match start_partition(ctx, &server.registry, index).await {
                Ok(pid) => server.partitions.push(pid),
                Err(reason) => {
                    server.shut_down_all(ctx).await;
                    let id = Term::Atom(table::partition_process_name(&server.registry, index));
                    let failed = Term::tuple_of([atom("failed_to_start_child"), id, reason]);
                    return Init::Stop(Term::tagged("shutdown", failed));
                }
            }
        }
        Init::Ok(server)
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        let Some([tag, Term::Pid(pid), _reason]) = msg.as_tuple() else {
            return Response::noreply();
        };
        if !tag.is_atom("EXIT") {
            return Response::noreply();
        }
        let Some(index) = self.partitions.iter().position(|p| p == pid) else {
            return Response::noreply();
        };
        let now = ctx.now_us();
        self.restarts.retain(|t| now - t <= secs(MAX_SECONDS));
        self.restarts.push(now);
        if self.restarts.len() > MAX_RESTARTS {
            return Response::Stop(Term::SHUTDOWN);
        }
        let restart: Vec<usize> = match self.keys {
            Keys::Unique => {
                // one_for_all: the others go down in reverse start order first.
                for other in (0..self.partitions.len()).rev().filter(|i| *i != index) {
                    shut_down(ctx, self.partitions[other]).await;
                }
                (0..self.partitions.len()).collect()
            }
            Keys::Duplicate => vec![index],
        };
        for i in restart {
            match start_partition(ctx, &self.registry, i).await {
                Ok(pid) => self.partitions[i] = pid,
                Err(reason) => return Response::Stop(reason),
            }
        }
        Response::noreply()
    }

    async fn terminate(&mut self, ctx: &Ctx, _reason: &Term) {
        self.shut_down_all(ctx).await;
    }
}

impl RegistryServer {
    async fn shut_down_all(&mut self, ctx: &Ctx) {
        for pid in self.partitions.drain(..).rev() {
            shut_down(ctx, pid).await;
        }
    }
}

async fn start_partition(ctx: &Ctx, registry: &Atom, index: usize) -> Result<Pid, Term> {
    let opts = StartOpts {
        name: Some(ServerName::Local(table::partition_process_name(
            registry, index,
        ))),
        ..StartOpts::default()
    };
    gen_server::start_link::<Partition>(ctx, (registry.clone(), index), opts)
        .await
        .into_result()
}

/// A supervisor's shutdown of one child: `shutdown`, then `kill` after the budget.
async fn shut_down(ctx: &Ctx, pid: Pid) {
    let exited = move |m: &Term| matches!(m.as_tuple(), Some([t, Term::Pid(p), _]) if t.is_atom("EXIT") && *p == pid);
    if !ctx.is_alive(pid) {
        // Its EXIT is already queued (or was handled): take it if it is there.
        ctx.recv_match(exited, Some(0)).await;
        return;
    }
    ctx.exit(pid, Term::SHUTDOWN);
    if ctx
        .recv_match(exited, Some(ms(SHUTDOWN_MS)))
        .await
        .is_none()
    {
        ctx.exit(pid, Term::KILL);
        ctx.recv_match(exited, None).await;
    }
}
