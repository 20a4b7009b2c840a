//! A process's death: its exit, what its links and monitors are told, and what it
//! held that ends with it (PROC-6).

use super::*;

impl Kernel {
    // ----- death (PROC-6) -----------------------------------------------------------

    /// Terminates `pid` with `reason`: releases its name, then sends exit signals to its
    /// links (in partner spawn order), then `DOWN`s to its monitors (in creation order).
    /// Returns the body so the caller can drop it outside the kernel borrow: dropping
    /// user state may run user code.
    pub(crate) fn terminate(&mut self, pid: Pid, reason: Term) -> Option<Body> {
        // The record stays in its slot, emptied, for the next process there: moving
        // it out and a new one in copied a few hundred bytes twice per process.
        let mut p = self.slots.get_mut(pid.slot as usize)?.take(pid)?;
        self.live -= 1;
        self.free_slots.push(pid.slot);
        let view = ExitView {
            pid,
            reason: &reason,
        };
        self.emit_view(&view, || EventKind::Exit {
            pid,
            reason: reason.clone(),
        });
        if let Some(name) = p.name.take() {
            self.names.remove(&name);
            self.emit(EventKind::Unregister { pid, name });
        }
        for (partner, ()) in p.links.drain() {
            if let Some(q) = self.proc_mut(partner) {
                q.links.remove(&pid);
            }
            self.exit_signal(pid, partner, reason.clone(), Via::Link);
        }
        for (mref, watcher) in p.monitored_by.drain() {
            let named = if self.monitor_objects.is_empty() {
                None
            } else {
                self.monitor_objects.remove(&mref)
            };
            // A process monitoring itself has nobody left to tell.
            if watcher == pid {
                continue;
            }
            if let Some(w) = self.proc_mut(watcher) {
                w.monitoring.remove(&mref);
                // An alias made from the monitor ({alias, demonitor}) ends with it (GS-7).
                w.aliases.retain(|a| *a != mref);
            }
            let object = named.unwrap_or_else(|| Term::Pid(pid));
            self.queue_down(watcher, mref, object, reason.clone());
        }
        for (mref, target) in p.monitoring.drain() {
            if let Some(t) = self.proc_mut(target) {
                t.monitored_by.remove(&mref);
            }
            if !self.monitor_objects.is_empty() {
                self.monitor_objects.remove(&mref);
            }
        }
        if let Some(label) = p.label.take() {
            self.forget_label(pid, &label);
        }
        self.forget_hooks(pid);
        if let Some(s) = &mut self.scheduler {
            s.forget(pid);
        }
        // Tables die with their owner, as ETS tables do.
        self.tables.retain(|_, (owner, _)| *owner != pid);
        // Timers addressed to a pid are cancelled when that process dies.
        for tref in std::mem::take(&mut p.timers_to_me) {
            if self.user_timers.remove(&tref).is_some() && self.timers.mark_stale() {
                self.purge_timers();
            }
        }
        self.slots[pid.slot as usize].proc.settle(&mut p);
        p.body
    }
}
