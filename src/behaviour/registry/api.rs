//! Registering and reading, all in the calling process (REG-2 to REG-5, REG-7, REG-8).

use super::table::{self, Info};
use super::{Entry, Keys, Registry};
use crate::kernel::Ctx;
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::EventKind;

impl Registry {
    /// `Registry.register(Name, Key, Value)` for the calling process (REG-2): writes the
    /// entry at once, links the caller to its partition and returns that partition's
    /// pid. A unique key held by a live process, the caller included, gives
    /// `Err({already_registered, Holder})`; one held by a dead process not yet cleaned
    /// up is taken over (REG-3). Duplicate keys never conflict (REG-4).
    ///
    /// # Panics
    /// When the registry does not exist, or a listener is not registered (Elixir
    /// raises `ArgumentError` in both cases).
    pub fn register(&self, ctx: &Ctx, key: Term, value: Term) -> Result<Pid, Term> {
        let me = ctx.me();
        let info = table::info(ctx, &self.name);
        let (key_part, pid_part) = table::partitions_for(&info, &key, me);
        let (Some(keys_tab), Some(pids_tab)) = (
            table::partition(ctx, &info, key_part),
            table::partition(ctx, &info, pid_part),
        ) else {
            panic!("registry {} is restarting a partition", self.name);
        };
        let partition = pids_tab.borrow().owner;
        let mut replaced = None;
        let conflict = {
            let mut keys = keys_tab.borrow_mut();
            let entries = keys.keys.entry(key.clone()).or_default();
            match (info.keys, entries.first()) {
                (Keys::Unique, Some((holder, _))) if ctx.is_alive(*holder) => Some(*holder),
                (Keys::Unique, old) => {
                    // Empty, or a dead holder whose EXIT is still queued (REG-3).
                    replaced = old.map(|(dead, _)| *dead);
                    *entries = vec![(me, value.clone())];
                    None
                }
                (Keys::Duplicate, _) => {
                    entries.push((me, value.clone()));
                    None
                }
            }
        };
        if let Some(dead) = replaced {
            ctx.emit(EventKind::RegUnregister {
                registry: self.term(),
                key: key.clone(),
                pid: dead,
                cause: Atom::from_static("cleanup"),
            });
        }
        let result = match conflict {
            Some(holder) => Term::tagged(
                "error",
                Term::tagged("already_registered", Term::Pid(holder)),
            ),
            None => {
                // The table exists, so its owner is alive and the link cannot fail.
                let _ = ctx.link(partition);
                pids_tab
                    .borrow_mut()
                    .pids
                    .entry(me)
                    .or_default()
                    .push((key.clone(), key_part));
                Term::OK
            }
        };
        ctx.emit(EventKind::RegRegister {
            registry: self.term(),
            key: key.clone(),
            pid: me,
            value: value.clone(),
            result: result.clone(),
        });
        if let Some(holder) = conflict {
            return Err(Term::tagged("already_registered", Term::Pid(holder)));
        }
        let note = Term::tuple_of([atom("register"), self.term(), key, Term::Pid(me), value]);
        notify(ctx, &info.listeners, note);
        Ok(partition)
    }

    /// `Registry.unregister(Name, Key)` (REG-5): removes every entry of the caller
    /// under `key` and unlinks it from its partition once it has no entries left.
    /// Listeners hear of it even when there was nothing to remove, as in Elixir.
    ///
    /// # Panics
    /// As [`Registry::register`].
    pub fn unregister(&self, ctx: &Ctx, key: &Term) {
        let me = ctx.me();
        let info = table::info(ctx, &self.name);
        let (key_part, pid_part) = table::partitions_for(&info, key, me);
        let removed = table::partition(ctx, &info, key_part)
            .map_or(0, |t| t.borrow_mut().remove_entries(key, me));
        if let Some(pids_tab) = table::partition(ctx, &info, pid_part) {
            let mut tab = pids_tab.borrow_mut();
            tab.forget(me, key);
            if !tab.pids.contains_key(&me) {
                let owner = tab.owner;
                drop(tab);
                ctx.unlink(owner);
            }
        }
        if removed > 0 {
            ctx.emit(EventKind::RegUnregister {
                registry: self.term(),
                key: key.clone(),
                pid: me,
                cause: Atom::from_static("explicit"),
            });
        }
        let note = Term::tuple_of([atom("unregister"), self.term(), key.clone(), Term::Pid(me)]);
        notify(ctx, &info.listeners, note);
    }

    /// `Registry.lookup(Name, Key)`: the `(pid, value)` entries under `key`, in
    /// registration order (REG-4), dead holders included until cleaned up (REG-6).
    pub fn lookup(&self, ctx: &Ctx, key: &Term) -> Vec<(Pid, Term)> {
        self.per_partition(ctx, key).into_iter().flatten().collect()
    }

    /// `Registry.match(Name, Key, Pattern, Guards)`: the entries under `key` for which
    /// `keep` is true.
    pub fn match_key(
        &self,
        ctx: &Ctx,
        key: &Term,
        mut keep: impl FnMut(&Entry) -> bool,
    ) -> Vec<(Pid, Term)> {
        self.lookup(ctx, key)
            .into_iter()
            .filter(|(pid, value)| keep(&entry(key, *pid, value)))
            .collect()
    }

    /// `Registry.count_match(Name, Key, Pattern, Guards)`: how many entries under `key`
    /// `keep` accepts (REG-8).
    pub fn count_match(&self, ctx: &Ctx, key: &Term, keep: impl FnMut(&Entry) -> bool) -> usize {
        self.match_key(ctx, key, keep).len()
    }

    /// `Registry.dispatch(Name, Key, Fun)` (REG-8): calls `f` in the caller with the
    /// whole list of entries under `key`, once, and not at all when there are none.
    /// A duplicate registry with several partitions calls it once per partition that
    /// has entries, as Elixir's serial dispatch does.
    pub fn dispatch(&self, ctx: &Ctx, key: &Term, mut f: impl FnMut(&[(Pid, Term)])) {
        for entries in self.per_partition(ctx, key) {
            if !entries.is_empty() {
                f(&entries);
            }
        }
    }

    /// `Registry.count(Name)`: every entry, dead holders included until cleaned up.
    pub fn count(&self, ctx: &Ctx) -> usize {
        self.count_select(ctx, |_| true)
    }

    /// `Registry.select(Name, Spec)`: `pick` applied to every entry, keeping the
    /// `Some`s. Entries come partition by partition, in key order, then in
    /// registration order (Elixir promises no order).
    pub fn select<T>(&self, ctx: &Ctx, pick: impl FnMut(&Entry) -> Option<T>) -> Vec<T> {
        self.entries(ctx).iter().filter_map(pick).collect()
    }

    /// `Registry.count_select(Name, Spec)`: how many entries `keep` accepts.
    pub fn count_select(&self, ctx: &Ctx, mut keep: impl FnMut(&Entry) -> bool) -> usize {
        self.entries(ctx).iter().filter(|e| keep(e)).count()
    }

    /// `Registry.keys(Name, Pid)`: the keys `pid` registered, in registration order;
    /// once each in a unique registry, once per registration in a duplicate one.
    pub fn keys(&self, ctx: &Ctx, pid: Pid) -> Vec<Term> {
        let info = table::info(ctx, &self.name);
        let part = table::slot(&Term::Pid(pid), info.partitions.len());
        let Some(tab) = table::partition(ctx, &info, part) else {
            return Vec::new();
        };
        let mut keys: Vec<Term> = tab
            .borrow()
            .pids
            .get(&pid)
            .map_or_else(Vec::new, |r| r.iter().map(|(k, _)| k.clone()).collect());
        if info.keys == Keys::Unique {
            let mut seen = Vec::new();
            keys.retain(|k| {
                let first = !seen.contains(k);
                seen.push(k.clone());
                first
            });
        }
        keys
    }

    /// `Registry.meta(Name, Key)`.
    pub fn meta(&self, ctx: &Ctx, key: &Term) -> Option<Term> {
        table::info(ctx, &self.name).meta.borrow().get(key).cloned()
    }

    /// `Registry.put_meta(Name, Key, Value)`.
    pub fn put_meta(&self, ctx: &Ctx, key: Term, value: Term) {
        table::info(ctx, &self.name)
            .meta
            .borrow_mut()
            .insert(key, value);
    }

    /// The entries under `key`, one list per partition that may hold it. Copied out,
    /// so that the caller's closures may use the registry again.
    fn per_partition(&self, ctx: &Ctx, key: &Term) -> Vec<Vec<(Pid, Term)>> {
        let info = table::info(ctx, &self.name);
        let parts: Vec<usize> = match info.keys {
            Keys::Unique => vec![table::slot(key, info.partitions.len())],
            Keys::Duplicate => (0..info.partitions.len()).collect(),
        };
        parts
            .into_iter()
            .filter_map(|i| table::partition(ctx, &info, i))
            .map(|t| t.borrow().keys.get(key).cloned().unwrap_or_default())
            .collect()
    }

    fn entries(&self, ctx: &Ctx) -> Vec<Entry> {
        let info: std::rc::Rc<Info> = table::info(ctx, &self.name);
        let mut out = Vec::new();
        for i in 0..info.partitions.len() {
            if let Some(t) = table::partition(ctx, &info, i) {
                for (key, entries) in &t.borrow().keys {
                    out.extend(entries.iter().map(|(pid, v)| entry(key, *pid, v)));
                }
            }
        }
        out
    }
}

fn entry(key: &Term, pid: Pid, value: &Term) -> Entry {
    Entry {
        key: key.clone(),
        pid,
        value: value.clone(),
    }
}

/// Tells the listeners (REG-7). `Name ! Msg` to a name nobody holds raises badarg in
/// Elixir, in the registering process.
fn notify(ctx: &Ctx, listeners: &[Atom], msg: Term) {
    for listener in listeners {
        if ctx.send_named(listener, msg.clone()).is_err() {
            panic!("invalid destination: registry listener {listener} is not registered");
        }
    }
}
