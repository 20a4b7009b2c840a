//! "Let it crash" for Rust code: a panic inside a process becomes that process's exit.
//!
//! The default panic hook would print every actor crash to stderr; a simulation full of
//! injected crashes must stay quiet, so while a process is being polled the hook stays
//! silent. Panics anywhere else still print as usual.

use crate::term::{atom, Term};
use std::any::Any;
use std::cell::Cell;
use std::sync::Once;

thread_local! {
    static POLLING: Cell<bool> = const { Cell::new(false) };
}

static INSTALL: Once = Once::new();

/// The payload the kernel unwinds a process with when it must stop running at once:
/// the run hit a limit, or the process handled a fatal signal it sent itself
/// (`exit(self(), R)`, after which OTP runs no further statement).
pub(crate) struct StopNow;

pub(crate) fn install_quiet_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !POLLING.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Marks the current thread as polling a process while `f` runs.
pub(crate) fn polling<R>(f: impl FnOnce() -> R) -> R {
    let was = POLLING.with(|p| p.replace(true));
    let r = f();
    POLLING.with(|p| p.set(was));
    r
}

/// The exit reason for a panic payload: `{panic, <<"message">>}`.
pub(crate) fn reason_of(payload: &(dyn Any + Send)) -> Term {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    };
    Term::tuple_of([atom("panic"), Term::bin(&text)])
}
