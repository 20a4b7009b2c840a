//! proptest strategies for events, shared by the unit tests of `trace`.
//!
//! Only the kernel's vocabulary is generated: the behaviours' kinds are still moving,
//! and these kinds already exercise every field type the serde paths meet.

use super::{Event, EventKind, SignalOutcome, Via};
use crate::term::strategy::{atom_name, pid, term};
use crate::term::{Atom, Ref};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

fn atom() -> impl Strategy<Value = Atom> {
    atom_name().prop_map(|n| Atom::new(&n))
}

fn reference() -> impl Strategy<Value = Ref> {
    any::<u64>().prop_map(Ref)
}

/// Any kernel event kind.
pub(crate) fn kind() -> BoxedStrategy<EventKind> {
    let label = proptest::option::of(any::<String>());
    let via = prop_oneof![Just(Via::Link), Just(Via::ExitCall)];
    let outcome = prop_oneof![
        Just(SignalOutcome::Ignored),
        Just(SignalOutcome::Trapped),
        Just(SignalOutcome::KilledReceiver),
        Just(SignalOutcome::AlreadyExiting),
    ];
    Union::new(vec![
        (
            proptest::option::of(pid()),
            pid(),
            any::<bool>(),
            any::<bool>(),
            label,
        )
            .prop_map(
                |(parent, child, linked, monitored, label)| EventKind::Spawn {
                    parent,
                    child,
                    linked,
                    monitored,
                    label,
                },
            )
            .boxed(),
        (pid(), atom())
            .prop_map(|(pid, name)| EventKind::Register { pid, name })
            .boxed(),
        (pid(), atom())
            .prop_map(|(pid, name)| EventKind::Unregister { pid, name })
            .boxed(),
        (
            proptest::option::of(pid()),
            term(),
            term(),
            proptest::option::of(atom()),
        )
            .prop_map(|(from, to, msg, outcome)| EventKind::Send {
                from,
                to,
                msg,
                outcome,
            })
            .boxed(),
        (pid(), term())
            .prop_map(|(pid, msg)| EventKind::Recv { pid, msg })
            .boxed(),
        (pid(), term(), atom())
            .prop_map(|(to, msg, why)| EventKind::Drop { to, msg, why })
            .boxed(),
        (pid(), pid())
            .prop_map(|(a, b)| EventKind::Link { a, b })
            .boxed(),
        (pid(), pid())
            .prop_map(|(a, b)| EventKind::Unlink { a, b })
            .boxed(),
        (pid(), term(), reference())
            .prop_map(|(watcher, target, mref)| EventKind::Monitor {
                watcher,
                target,
                mref,
            })
            .boxed(),
        (pid(), reference(), any::<bool>())
            .prop_map(|(watcher, mref, flush)| EventKind::Demonitor {
                watcher,
                mref,
                flush,
            })
            .boxed(),
        (pid(), pid(), term(), via)
            .prop_map(|(from, to, reason, via)| EventKind::ExitSignal {
                from,
                to,
                reason,
                via,
            })
            .boxed(),
        (pid(), pid(), term(), outcome)
            .prop_map(|(to, from, reason, outcome)| EventKind::ExitSignalHandled {
                to,
                from,
                reason,
                outcome,
            })
            .boxed(),
        (pid(), term())
            .prop_map(|(pid, reason)| EventKind::Exit { pid, reason })
            .boxed(),
        (pid(), term(), reference(), term())
            .prop_map(|(watcher, target, mref, reason)| EventKind::Down {
                watcher,
                target,
                mref,
                reason,
            })
            .boxed(),
        (term(), reference(), term())
            .prop_map(|(owner, tref, msg)| EventKind::TimerFire { owner, tref, msg })
            .boxed(),
        (pid(), any::<bool>())
            .prop_map(|(pid, on)| EventKind::TrapExit { pid, on })
            .boxed(),
    ])
    .boxed()
}

/// Any kernel event, at any time and sequence number.
pub(crate) fn event() -> impl Strategy<Value = Event> {
    (any::<u64>(), any::<u64>(), kind()).prop_map(|(t, seq, kind)| Event { t, seq, kind })
}
