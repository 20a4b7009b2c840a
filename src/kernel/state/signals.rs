//! Exit signals, links and monitors (SIG-1 to SIG-3, MON-1 to MON-4), and the
//! messages they leave in mailboxes.

use super::*;

fn exit_message(from: Pid, reason: Term) -> Term {
    Term::tuple_of([atom("EXIT"), Term::Pid(from), reason])
}

fn down_message(mref: Ref, object: Term, reason: Term) -> Term {
    Term::tuple_of([
        atom("DOWN"),
        Term::Ref(mref),
        atom("process"),
        object,
        reason,
    ])
}

impl Kernel {
    // ----- exit signals (SIG-3) ------------------------------------------------------

    pub(crate) fn exit_signal(&mut self, from: Pid, to: Pid, reason: Term, via: Via) {
        let view = ExitSignalView {
            from,
            to,
            reason: &reason,
            via,
        };
        self.emit_view(&view, || EventKind::ExitSignal {
            from,
            to,
            reason: reason.clone(),
            via,
        });
        let running = self.running;
        let Some(p) = self.proc_mut(to) else { return };
        let outcome = if p.pending_exit.is_some() {
            SignalOutcome::AlreadyExiting
        } else if via == Via::ExitCall && reason.is_atom("kill") {
            p.pending_exit = Some(Term::KILLED);
            SignalOutcome::KilledReceiver
        } else if p.trap_exit {
            SignalOutcome::Trapped
        } else if reason.is_atom("normal") {
            if from == to {
                p.pending_exit = Some(Term::NORMAL);
                SignalOutcome::KilledReceiver
            } else {
                SignalOutcome::Ignored
            }
        } else {
            p.pending_exit = Some(reason.clone());
            SignalOutcome::KilledReceiver
        };
        match outcome {
            SignalOutcome::Trapped => self.deliver(to, exit_message(from, reason.clone())),
            SignalOutcome::KilledReceiver if running != Some(to) => self.enqueue(to),
            // The running process killed itself: stop it inside the current call.
            SignalOutcome::KilledReceiver => self.abort_running = true,
            _ => {}
        }
        // What the signal did is an outcome: traced even when a behaviour's event
        // stands for the sending (ADR 003, ADR 004).
        let view = ExitSignalHandledView {
            to,
            from,
            reason: &reason,
            outcome,
        };
        self.emit_view_unfolded(&view, || EventKind::ExitSignalHandled {
            to,
            from,
            reason: reason.clone(),
            outcome,
        });
    }

    // ----- links and monitors ------------------------------------------------------

    /// `link/1` (SIG-1, SIG-2).
    pub(crate) fn link(&mut self, me: Pid, other: Pid) -> Result<(), Term> {
        if me == other {
            return Ok(());
        }
        if self.is_alive(other) {
            if self.add_link(me, other) {
                self.emit(EventKind::Link { a: me, b: other });
            }
            return Ok(());
        }
        let trapping = self.proc(me).is_some_and(|p| p.trap_exit);
        if trapping {
            self.deliver(me, exit_message(other, Term::NOPROC));
            Ok(())
        } else {
            Err(Term::NOPROC)
        }
    }

    /// `unlink/1`: removes the link both ways (SIG-1).
    pub(crate) fn unlink(&mut self, me: Pid, other: Pid) {
        let had = self
            .proc_mut(me)
            .is_some_and(|p| p.links.remove(&other).is_some());
        if let Some(q) = self.proc_mut(other) {
            q.links.remove(&me);
        }
        if had {
            self.emit(EventKind::Unlink { a: me, b: other });
        }
    }

    /// `monitor(process, Target)` where the target is a pid, or a name resolved now
    /// (MON-1, MON-2).
    pub(crate) fn monitor(&mut self, me: Pid, target: Option<Pid>, object: Term) -> Ref {
        let mref = self.make_ref();
        if self.folded == 0 {
            self.emit(EventKind::Monitor {
                watcher: me,
                target: object.clone(),
                mref,
            });
        }
        match target.filter(|t| self.is_alive(*t)) {
            Some(t) => {
                if self.add_monitor(me, t, mref) && object != Term::Pid(t) {
                    self.monitor_objects.insert(mref, object);
                }
            }
            None => self.queue_down(me, mref, object, Term::NOPROC),
        }
        mref
    }

    /// `monitor(process, Target, [{alias, demonitor}])`: the monitor, plus its
    /// reference made an active alias of `me` unless the target was already dead
    /// (the `DOWN` is then queued and no alias is left active).
    pub(crate) fn monitor_alias(&mut self, me: Pid, target: Pid) -> Ref {
        // `monitor` unrolled for a pid: every call makes one (GS-6).
        let mref = self.make_ref();
        if self.folded == 0 {
            self.emit(EventKind::Monitor {
                watcher: me,
                target: Term::Pid(target),
                mref,
            });
        }
        if !self.is_alive(target) {
            self.queue_down(me, mref, Term::Pid(target), Term::NOPROC);
        } else if self.add_monitor(me, target, mref) {
            if let Some(p) = self.proc_mut(me) {
                p.aliases.push(mref);
            }
        }
        mref
    }

    pub(super) fn queue_down(&mut self, watcher: Pid, mref: Ref, object: Term, reason: Term) {
        let view = DownView {
            watcher,
            target: &object,
            mref,
            reason: &reason,
        };
        self.emit_view(&view, || EventKind::Down {
            watcher,
            target: object.clone(),
            mref,
            reason: reason.clone(),
        });
        self.deliver(watcher, down_message(mref, object, reason));
    }

    /// `demonitor(Ref, [flush?])` (MON-4). Also turns off an alias made with the
    /// monitor, as OTP's `{alias, demonitor}` option does.
    pub(crate) fn demonitor(&mut self, me: Pid, mref: Ref, flush: bool) {
        let target = self.proc_mut(me).and_then(|p| {
            // The alias of a call's monitor is usually the newest one.
            if p.aliases.last() == Some(&mref) {
                p.aliases.pop();
            }
            if p.aliases.contains(&mref) {
                p.aliases.retain(|a| *a != mref);
            }
            p.monitoring.remove(&mref)
        });
        if let Some(t) = target.and_then(|t| self.proc_mut(t)) {
            t.monitored_by.remove(&mref);
        }
        if !self.monitor_objects.is_empty() {
            self.monitor_objects.remove(&mref);
        }
        if flush {
            if let Some(p) = self.proc_mut(me) {
                let is_down_for = |m: &Term| matches!(m.as_tuple(), Some([tag, Term::Ref(r), ..]) if tag.is_atom("DOWN") && *r == mref);
                if let Some(i) = p.mailbox.iter().position(is_down_for) {
                    p.mailbox.remove(i);
                    p.scan_from = p.scan_from.min(i);
                }
            }
        }
        if self.folded == 0 {
            self.emit(EventKind::Demonitor {
                watcher: me,
                mref,
                flush,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::kernel::{Ctx, Sim, SimConfig};
    use crate::term::{atom, Atom, Pid, Term};

    fn is_down(m: &Term) -> bool {
        matches!(m.as_tuple(), Some([tag, ..]) if tag.is_atom("DOWN"))
    }

    fn registered(sim: &mut Sim, name: &'static str) -> Pid {
        sim.spawn(move |ctx: Ctx| async move {
            ctx.register(Atom::new(name), ctx.me())?;
            ctx.recv_match(|m| m.is_atom("stop"), None).await;
            Ok(())
        })
    }

    /// MON-1: the name a monitor by name was asked for is kept by reference until the
    /// monitor ends, by `demonitor`, by the `DOWN`, or with the watcher: nothing leaks.
    #[test]
    fn mon1_a_monitor_by_name_keeps_its_object_only_while_it_lives() {
        let mut sim = Sim::new(SimConfig::default());
        let target = registered(&mut sim, "mon1_target");
        registered(&mut sim, "mon1_bystander");
        let downs = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let seen = downs.clone();
        sim.spawn(move |ctx| async move {
            ctx.sleep(1).await;
            let name = Atom::new("mon1_target");
            let dropped = ctx.monitor_name(&name);
            ctx.demonitor(dropped, true);
            ctx.sleep(10).await;
            ctx.monitor_name(&name);
            ctx.monitor(target);
            ctx.send(target, atom("stop"));
            for _ in 0..2 {
                let down = ctx.recv_match(is_down, None).await;
                seen.borrow_mut()
                    .push(down.and_then(|d| d.as_tuple().map(|t| t[3].clone())));
            }
            Ok(())
        });
        // A watcher that dies still holding a monitor by name.
        sim.spawn(|ctx| async move {
            ctx.monitor_name(&Atom::new("mon1_bystander"));
            ctx.sleep(20).await;
            Ok(())
        });
        sim.run_until(5);
        assert_eq!(
            sim.kernel_for_tests().monitor_objects.len(),
            1,
            "the bystander's only"
        );
        sim.run();
        let object = Term::tuple_of([atom("mon1_target"), atom("nonode@nohost")]);
        assert_eq!(*downs.borrow(), [Some(object), Some(Term::Pid(target))]);
        assert!(sim.kernel_for_tests().monitor_objects.is_empty());
    }
}
