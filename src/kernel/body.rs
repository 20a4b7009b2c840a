//! A process body: its future, in a box that outlives the process.
//!
//! Every spawn boxes the body's future, and a gen_server's is over a kilobyte: past
//! glibc's per-thread cache, so a restart storm that frees a thousand of them and then
//! allocates a thousand took the allocator's slow path twice per child. When a process
//! ends, its future is dropped in place (at the same point as before: user state is
//! dropped outside the kernel's borrow) and the empty box goes to a pool for the next
//! process running the same code (ADR 007).

use super::process::ProcResult;
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A process body, pinned and type-erased.
pub(crate) type Body = Pin<Box<dyn ProcBody>>;

/// What the kernel does with a body: poll it, and give it back when the process ends.
pub(crate) trait ProcBody {
    /// Polls the future; an emptied body is finished.
    fn poll_body(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ProcResult>;

    /// Drops the future in place, then keeps the box for the next body of its type.
    fn recycle(self: Pin<Box<Self>>);
}

impl<F: Future<Output = ProcResult> + 'static> ProcBody for Option<F> {
    fn poll_body(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ProcResult> {
        match self.as_pin_mut() {
            Some(fut) => fut.poll(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    fn recycle(mut self: Pin<Box<Self>>) {
        // The future's own drop runs first, with the pool not borrowed: it may end or
        // start other processes.
        self.set(None);
        POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            let kept = pool
                .entry(TypeId::of::<F>())
                .or_insert_with(|| Box::new(Vec::<Pin<Box<Option<F>>>>::new()));
            if let Some(kept) = kept.downcast_mut::<Vec<Pin<Box<Option<F>>>>>() {
                if kept.len() < most_kept::<F>() {
                    kept.push(self);
                }
            }
        });
    }
}

thread_local! {
    /// Empty boxes by the type of future they held. Never iterated.
    static POOL: RefCell<BTreeMap<TypeId, Box<dyn Any>>> = const { RefCell::new(BTreeMap::new()) };
}

/// How many empty boxes of one type are kept: a few thousand, and at most about 4 MiB.
fn most_kept<F>() -> usize {
    const BYTES: usize = 4 << 20;
    (BYTES / std::mem::size_of::<Option<F>>().max(1)).min(4096)
}

/// Boxes `fut` as a body, in a kept box of its type if there is one.
pub(crate) fn boxed<F: Future<Output = ProcResult> + 'static>(fut: F) -> Body {
    let kept = POOL.with(|pool| {
        pool.borrow_mut()
            .get_mut(&TypeId::of::<F>())
            .and_then(|kept| kept.downcast_mut::<Vec<Pin<Box<Option<F>>>>>())
            .and_then(Vec::pop)
    });
    match kept {
        Some(mut body) => {
            body.set(Some(fut));
            body
        }
        None => Box::pin(Some(fut)),
    }
}

/// Gives a body that ended back: its future is dropped now.
pub(crate) fn recycle(body: Body) {
    body.recycle();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;
    use std::task::Waker;

    /// One future type for both bodies, so the second can take the first's box.
    async fn holding(held: Rc<()>, result: ProcResult) -> ProcResult {
        let _keep = held;
        result
    }

    fn address(body: &Body) -> usize {
        (&**body as *const dyn ProcBody).cast::<u8>() as usize
    }

    #[test]
    fn a_recycled_body_drops_its_future_at_once_and_serves_the_next_one() {
        let held = Rc::new(());
        let body = boxed(holding(held.clone(), Ok(())));
        let first = address(&body);
        assert_eq!(Rc::strong_count(&held), 2);
        recycle(body);
        // The future (and what it held) is gone, though its box is kept.
        assert_eq!(Rc::strong_count(&held), 1);
        let mut again = boxed(holding(held.clone(), Err(crate::term::Term::NORMAL)));
        assert_eq!(address(&again), first);
        let mut cx = Context::from_waker(Waker::noop());
        let polled = again.as_mut().poll_body(&mut cx);
        assert!(matches!(polled, Poll::Ready(Err(_))));
        drop(again);
        assert_eq!(Rc::strong_count(&held), 1);
    }
}
