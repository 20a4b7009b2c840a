//! The registry's shared tables: kernel named tables (the simulation's ETS), so that
//! reads and registrations run in the calling process with no message (REG-1, REG-2).
//!
//! Two kinds of table, as in Elixir's `registry.ex`:
//! - the registry table, named after the registry and owned by the registry process:
//!   the kind, the partitions' table names, the listeners and the metadata;
//! - one table per partition, owned by the partition process, holding the partition's
//!   key entries and its pid index (which keys each linked process registered, and in
//!   which key partition). A table dies with its owner, as an ETS table does.

use super::Keys;
use crate::kernel::Ctx;
use crate::term::{phash2, Atom, Pid, Term};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The registry table (Elixir's `@all_info`, `@key_info` and `meta:` entries).
pub(crate) struct Info {
    pub(crate) keys: Keys,
    /// The name of each partition's table, in partition order.
    pub(crate) partitions: Vec<Atom>,
    /// Processes (by local name) told of explicit registrations (REG-7).
    pub(crate) listeners: Vec<Atom>,
    /// `put_meta`/`meta`: public and written by any process, as the ETS table is.
    pub(crate) meta: RefCell<BTreeMap<Term, Term>>,
}

/// One partition's tables.
pub(crate) struct PartitionTable {
    /// The partition process: callers link to it; it cleans up after them (REG-6).
    pub(crate) owner: Pid,
    /// Key table: each key's `(pid, value)` entries in registration order (REG-4).
    /// A unique registry holds at most one entry per key.
    pub(crate) keys: BTreeMap<Term, Vec<(Pid, Term)>>,
    /// Pid table: for each process linked to this partition, every registration it
    /// made, as `(key, key partition)`, in registration order.
    pub(crate) pids: BTreeMap<Pid, Vec<(Term, usize)>>,
}

pub(crate) type Shared = Rc<RefCell<PartitionTable>>;

impl PartitionTable {
    pub(crate) fn new(owner: Pid) -> PartitionTable {
        PartitionTable {
            owner,
            keys: BTreeMap::new(),
            pids: BTreeMap::new(),
        }
    }

    /// Removes `pid`'s entries under `key`; how many went.
    pub(crate) fn remove_entries(&mut self, key: &Term, pid: Pid) -> usize {
        let Some(entries) = self.keys.get_mut(key) else {
            return 0;
        };
        let before = entries.len();
        entries.retain(|(p, _)| *p != pid);
        let removed = before - entries.len();
        if entries.is_empty() {
            self.keys.remove(key);
        }
        removed
    }

    /// Removes one `(key, key_partition)` record per registration of `pid` under `key`.
    pub(crate) fn forget(&mut self, pid: Pid, key: &Term) {
        if let Some(records) = self.pids.get_mut(&pid) {
            records.retain(|(k, _)| k != key);
            if records.is_empty() {
                self.pids.remove(&pid);
            }
        }
    }
}

/// The name of partition `index`'s table: Elixir's `KeyPartition` name.
pub(crate) fn partition_table_name(registry: &Atom, index: usize) -> Atom {
    Atom::new(&format!("{registry}.KeyPartition{index}"))
}

/// The local name of partition `index`'s process: Elixir's `PIDPartition` name.
pub(crate) fn partition_process_name(registry: &Atom, index: usize) -> Atom {
    Atom::new(&format!("{registry}.PIDPartition{index}"))
}

/// The registry table, or a panic: Elixir raises `ArgumentError` in the caller for an
/// unknown registry, and a panic is how a Rust actor raises (the process crashes with
/// `{panic, <<"unknown registry: Name">>}`).
pub(crate) fn info(ctx: &Ctx, registry: &Atom) -> Rc<Info> {
    match ctx.table::<Info>(registry) {
        Some(info) => info,
        None => panic!("unknown registry: {registry}"),
    }
}

/// Partition `index`'s table; `None` while that partition is not running (a read then
/// sees no entries there, as Elixir's lookups catch the missing table).
pub(crate) fn partition(ctx: &Ctx, info: &Info, index: usize) -> Option<Shared> {
    ctx.table::<RefCell<PartitionTable>>(&info.partitions[index])
}

/// The partition for `term`: `erlang:phash2(Term, Partitions)`, as Elixir's
/// `Registry` picks it, so that a key lands in the partition real OTP would use (pids
/// hash in otpsim's own stable way).
pub(crate) fn slot(term: &Term, partitions: usize) -> usize {
    let range = u32::try_from(partitions.max(1)).unwrap_or(u32::MAX);
    phash2(term, range) as usize
}

/// `(key partition, pid partition)` for a registration (Elixir's `partitions/4`):
/// unique keys are spread by key and duplicate ones by pid, while the process is
/// always linked to the partition its pid hashes to.
pub(crate) fn partitions_for(info: &Info, key: &Term, pid: Pid) -> (usize, usize) {
    let n = info.partitions.len();
    let by_pid = slot(&Term::Pid(pid), n);
    match info.keys {
        Keys::Unique => (slot(key, n), by_pid),
        Keys::Duplicate => (by_pid, by_pid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::atom;

    #[test]
    fn slot_is_phash2_and_in_range() {
        // Recorded on Erlang/OTP 25: erlang:phash2(foo, 8) =:= 7.
        assert_eq!(slot(&atom("foo"), 8), 7);
        let key = Term::tuple_of([atom("user"), Term::Int(42)]);
        assert!(slot(&key, 7) < 7);
        assert_eq!(slot(&key, 1), 0);
        let spread: std::collections::BTreeSet<usize> =
            (0..64).map(|i| slot(&Term::Int(i), 4)).collect();
        assert_eq!(spread.len(), 4, "keys spread over every partition");
    }

    #[test]
    fn removing_entries_keeps_the_others_in_order() {
        let a = Pid::from_parts(1, 1);
        let b = Pid::from_parts(2, 2);
        let mut t = PartitionTable::new(a);
        let k = atom("k");
        t.keys.insert(
            k.clone(),
            vec![(a, Term::Int(1)), (b, Term::Int(2)), (a, Term::Int(3))],
        );
        assert_eq!(t.remove_entries(&k, a), 2);
        assert_eq!(t.keys[&k], vec![(b, Term::Int(2))]);
        assert_eq!(t.remove_entries(&k, b), 1);
        assert!(t.keys.is_empty());
    }
}
