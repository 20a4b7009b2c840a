//! `Task.async_stream` (TASK-8): one task per item, at most `max_concurrency` at once
//! in a sliding window, results in input or completion order, a timeout per task.
//!
//! The tasks are linked to the caller, so a crashing task kills a caller that does not
//! trap exits. Elixir links them to a helper process instead, which keeps their `EXIT`s
//! out of a trapping caller's mailbox; here the stream removes each task's `EXIT`
//! after its `DOWN` (the `EXIT` always comes first, PROC-3), with the same result.

use super::{body, down_reason, is_down, is_reply, second, Task};
use crate::kernel::{Ctx, SpawnOpts};
use crate::term::{atom, Pid, Ref, Term};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What happens when a task runs past the stream's timeout (TASK-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnTimeout {
    /// The caller exits `{timeout, {'Elixir.Task.Supervised', stream, [Timeout]}}`
    /// (the default); every running task is killed.
    Exit,
    /// The task is killed and its item gives `{exit, timeout}`.
    KillTask,
}

/// `Task.async_stream` options.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamOpts {
    /// Tasks running at once. Elixir's default is the number of schedulers online;
    /// otpsim's is 1, the single-scheduler BEAM (`erl +S 1`) its fixtures come from.
    pub max_concurrency: usize,
    /// Results in input order (the default) or in completion order.
    pub ordered: bool,
    /// Each task's time limit from its start, in ms; `None` is `infinity`. Default 5000.
    pub timeout_ms: Option<u64>,
    /// What a timeout does.
    pub on_timeout: OnTimeout,
}

impl Default for StreamOpts {
    fn default() -> StreamOpts {
        StreamOpts {
            max_concurrency: 1,
            ordered: true,
            timeout_ms: Some(5000),
            on_timeout: OnTimeout::Exit,
        }
    }
}

type Job = Rc<dyn Fn(Ctx, Term) -> Pin<Box<dyn Future<Output = Result<Term, Term>>>>>;

struct Running {
    index: u64,
    task: Task,
    deadline_us: Option<u64>,
    /// `{ok, Value}` once the reply came; the slot stays taken until the `DOWN`.
    result: Option<Term>,
}

/// A lazy stream of task results: each [`AsyncStream::next`] starts tasks as the
/// window allows and returns the next `{ok, Value}` or `{exit, Reason}`.
///
/// Stop early with [`AsyncStream::close`], which kills the tasks still running (as
/// Elixir does when a consumer halts); a stream dropped without it leaves them running.
pub struct AsyncStream {
    items: Box<dyn Iterator<Item = Term>>,
    job: Job,
    opts: StreamOpts,
    running: Vec<Running>,
    started: u64,
    next_out: u64,
    by_index: BTreeMap<u64, Term>,
    by_completion: VecDeque<Term>,
}

/// `Task.async_stream(items, fun, opts)` (TASK-8): runs `f(ctx, item)` in a task per
/// item. Nothing starts until the first [`AsyncStream::next`].
///
/// ```
/// use otpsim::behaviour::task::{async_stream, StreamOpts};
/// use otpsim::kernel::{ms, Sim, SimConfig};
/// use otpsim::term::Term;
///
/// let mut sim = Sim::new(SimConfig::default());
/// sim.spawn(|ctx| async move {
///     let items = [300, 100, 200, 50].map(Term::Int);
///     let opts = StreamOpts { max_concurrency: 2, ..StreamOpts::default() };
///     let results = async_stream(&ctx, items, |tctx, item| async move {
///         let t = item.as_int().unwrap_or(0) as u64;
///         tctx.work(ms(t)).await;
///         Ok(item)
///     }, opts).collect(&ctx).await?;
///     let ok = |n| Term::tuple_of([Term::OK, Term::Int(n)]);
///     assert_eq!(results, [ok(300), ok(100), ok(200), ok(50)]);
///     assert_eq!(ctx.now_us(), ms(350));
///     Ok(())
/// });
/// assert!(sim.run().outcome.is_normal());
/// ```
pub fn async_stream<I, F, Fut>(ctx: &Ctx, items: I, f: F, opts: StreamOpts) -> AsyncStream
where
    I: IntoIterator<Item = Term>,
    I::IntoIter: 'static,
    F: Fn(Ctx, Term) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Term>> + 'static,
{
    let _ = ctx;
    let job: Job = Rc::new(move |c, item| Box::pin(f(c, item)));
    AsyncStream {
        items: Box::new(items.into_iter()),
        job,
        opts,
        running: Vec::new(),
        started: 0,
        next_out: 0,
        by_index: BTreeMap::new(),
        by_completion: VecDeque::new(),
    }
}

fn exit_item(reason: Term) -> Term {
    Term::tagged("exit", reason)
}

fn is_exit_from(m: &Term, pid: Pid) -> bool {
    matches!(m.as_tuple(), Some([t, Term::Pid(p), _]) if *p == pid && t.is_atom("EXIT"))
}

impl AsyncStream {
    /// The next result, `{ok, Value}` or `{exit, Reason}`; `Ok(None)` when every item
    /// is done. `Err` is the reason the caller exits with after a timeout under
    /// [`OnTimeout::Exit`]: `{timeout, {'Elixir.Task.Supervised', stream, [Timeout]}}`.
    pub async fn next(&mut self, ctx: &Ctx) -> Result<Option<Term>, Term> {
        loop {
            if let Some(item) = self.take_ready() {
                return Ok(Some(item));
            }
            self.fill(ctx);
            if self.running.is_empty() {
                return Ok(None);
            }
            let watched: Vec<Ref> = self.running.iter().map(|r| r.task.mref).collect();
            let deadline = self
                .running
                .iter()
                .filter(|r| r.result.is_none())
                .filter_map(|r| r.deadline_us)
                .min();
            let wait_us = deadline.map(|d| d.saturating_sub(ctx.now_us()));
            let got = ctx
                .recv_match(
                    move |m| watched.iter().any(|r| is_reply(m, *r) || is_down(m, *r)),
                    wait_us,
                )
                .await;
            match got {
                Some(m) => self.on_message(ctx, &m).await,
                None => self.on_timeout(ctx).await?,
            }
        }
    }

    /// Every remaining result, in stream order; `Err` as [`AsyncStream::next`].
    pub async fn collect(mut self, ctx: &Ctx) -> Result<Vec<Term>, Term> {
        let mut out = Vec::new();
        while let Some(item) = self.next(ctx).await? {
            out.push(item);
        }
        Ok(out)
    }

    /// Stops the stream: unlinks and kills the tasks still running and drops their
    /// messages, so nothing of the stream is left in the caller's mailbox.
    pub async fn close(&mut self, ctx: &Ctx) {
        for r in std::mem::take(&mut self.running) {
            kill(ctx, &r.task).await;
        }
        self.items = Box::new(std::iter::empty());
        self.by_index.clear();
        self.by_completion.clear();
    }

    fn take_ready(&mut self) -> Option<Term> {
        if !self.opts.ordered {
            return self.by_completion.pop_front();
        }
        let item = self.by_index.remove(&self.next_out)?;
        self.next_out += 1;
        Some(item)
    }

    fn done(&mut self, index: u64, item: Term) {
        if self.opts.ordered {
            self.by_index.insert(index, item);
        } else {
            self.by_completion.push_back(item);
        }
    }

    /// Starts tasks until the window is full or the items run out.
    fn fill(&mut self, ctx: &Ctx) {
        while self.running.len() < self.opts.max_concurrency.max(1) {
            let Some(item) = self.items.next() else {
                return;
            };
            let owner = ctx.me();
            let job = self.job.clone();
            let opts = SpawnOpts {
                link: true,
                monitor: true,
                label: None,
            };
            let (pid, mref) =
                ctx.spawn_opt(opts, move |tctx| body(tctx, owner, move |c| job(c, item)));
            let task = Task::started(ctx, pid, mref.unwrap_or(Ref(0)));
            let deadline_us = self
                .opts
                .timeout_ms
                .map(|t| ctx.now_us() + crate::kernel::ms(t));
            self.running.push(Running {
                index: self.started,
                task,
                deadline_us,
                result: None,
            });
            self.started += 1;
        }
    }

    async fn on_message(&mut self, ctx: &Ctx, m: &Term) {
        let Some(at) = self
            .running
            .iter()
            .position(|r| is_reply(m, r.task.mref) || is_down(m, r.task.mref))
        else {
            return;
        };
        if is_reply(m, self.running[at].task.mref) {
            self.running[at].result = Some(Term::tuple_of([Term::OK, second(m)]));
            return;
        }
        // The DOWN frees the slot; a trapping caller's EXIT from the task goes with it.
        let r = self.running.remove(at);
        let pid = r.task.pid;
        let _ = ctx.recv_match(move |x| is_exit_from(x, pid), Some(0)).await;
        let item = r.result.unwrap_or_else(|| exit_item(down_reason(m)));
        self.done(r.index, item);
    }

    async fn on_timeout(&mut self, ctx: &Ctx) -> Result<(), Term> {
        let now = ctx.now_us();
        let late = |r: &Running| r.result.is_none() && r.deadline_us.is_some_and(|d| d <= now);
        if self.opts.on_timeout == OnTimeout::Exit && self.running.iter().any(late) {
            self.close(ctx).await;
            let timeout = self
                .opts
                .timeout_ms
                .map_or(atom("infinity"), |t| Term::Int(t as i64));
            let mfa = Term::tuple_of([
                atom("Elixir.Task.Supervised"),
                atom("stream"),
                Term::list([timeout]),
            ]);
            return Err(Term::tuple_of([Term::TIMEOUT, mfa]));
        }
        while let Some(at) = self.running.iter().position(late) {
            let r = self.running.remove(at);
            kill(ctx, &r.task).await;
            self.done(r.index, exit_item(Term::TIMEOUT));
        }
        Ok(())
    }
}

/// Unlinks and kills a stream task and drops whatever it left in the caller's mailbox.
async fn kill(ctx: &Ctx, task: &Task) {
    let (pid, mref) = (task.pid, task.mref);
    ctx.unlink(pid);
    ctx.exit(pid, Term::KILL);
    ctx.demonitor(mref, true);
    let _ = ctx.recv_match(move |x| is_exit_from(x, pid), Some(0)).await;
    let _ = ctx.recv_match(move |x| is_reply(x, mref), Some(0)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Sim, SimConfig};
    use std::cell::RefCell;

    #[test]
    fn task8_defaults_and_an_empty_stream() {
        // TASK-8: ordered, timeout 5000, on_timeout exit; an empty input ends at once.
        let d = StreamOpts::default();
        assert_eq!(
            (d.ordered, d.timeout_ms, d.on_timeout),
            (true, Some(5000), OnTimeout::Exit)
        );
        let mut sim = Sim::new(SimConfig::default());
        let out = Rc::new(RefCell::new(None));
        let o = out.clone();
        sim.spawn(move |ctx| async move {
            let s = async_stream(&ctx, Vec::new(), |_, x| async move { Ok(x) }, d);
            *o.borrow_mut() = Some(s.collect(&ctx).await);
            Ok(())
        });
        sim.run();
        assert_eq!(out.borrow().clone(), Some(Ok(Vec::new())));
    }
}
