//! `catch` for process code: run a future, turning a crash (a Rust panic) into an
//! `Err(reason)` instead of ending the process. Behaviours need this to run `terminate`
//! after a callback crashes (GS-11b) and to report a crashing `init` to the starter
//! (GS-2), as proc_lib and gen_server do with try/catch.

use super::panics::{reason_of, StopNow};
use crate::term::Term;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::task::Poll;

/// Runs `fut` to completion; a panic inside it gives `Err({panic, <<"message">>})`.
///
/// The kernel's own stops (the run hit a limit, or the process sent itself a fatal exit
/// signal) are not crashes and still end the process.
pub async fn catch_crash<F: Future>(fut: F) -> Result<F::Output, Term> {
    catch_crash_pinned(std::pin::pin!(fut)).await
}

/// [`catch_crash`] for a future the caller has pinned where it was made: a callback's
/// future is then never moved again (on the hot path a move of a large future right
/// after building it costs more than the callback).
///
/// ```
/// use otpsim::kernel::{catch_crash_pinned, Sim, SimConfig};
/// use std::{cell::Cell, pin::pin, rc::Rc};
///
/// let mut sim = Sim::new(SimConfig::default());
/// let crashed = Rc::new(Cell::new(false));
/// let seen = crashed.clone();
/// sim.spawn(move |_ctx| async move {
///     let callback = pin!(async { panic!("bad state") });
///     let result: Result<(), _> = catch_crash_pinned(callback).await;
///     seen.set(result.is_err());
///     Ok(())
/// });
/// sim.run();
/// assert!(crashed.get());
/// ```
pub async fn catch_crash_pinned<F: Future>(
    mut fut: std::pin::Pin<&mut F>,
) -> Result<F::Output, Term> {
    poll_fn(
        move |cx| match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) if payload.is::<StopNow>() => resume_unwind(payload),
            Err(payload) => Poll::Ready(Err(reason_of(payload.as_ref()))),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Sim, SimConfig};
    use crate::term::atom;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn a_panic_becomes_an_error_and_the_process_goes_on() {
        let mut sim = Sim::new(SimConfig::default());
        let seen = Rc::new(RefCell::new(None));
        let out = seen.clone();
        sim.spawn(move |_ctx| async move {
            let r: Result<(), Term> = catch_crash(async { panic!("bad state") }).await;
            *out.borrow_mut() = Some(r);
            Ok(())
        });
        sim.run();
        let expected = Term::tuple_of([atom("panic"), Term::bin("bad state")]);
        assert_eq!(seen.borrow().clone(), Some(Err(expected)));
    }

    #[test]
    fn a_fatal_self_exit_is_not_caught() {
        let mut sim = Sim::new(SimConfig {
            record: true,
            ..SimConfig::default()
        });
        let pid = sim.spawn(|ctx| async move {
            let me = ctx.me();
            let _ = catch_crash(async { ctx.exit(me, atom("bye")) }).await;
            Err(atom("not_reached"))
        });
        sim.run();
        let exit = sim.events().into_iter().find_map(|e| match e.kind {
            crate::trace::EventKind::Exit { pid: p, reason } if p == pid => Some(reason),
            _ => None,
        });
        assert_eq!(exit, Some(atom("bye")));
    }
}
