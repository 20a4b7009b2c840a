//! Starting a server: proc_lib's synchronous start (GS-1 to GS-4, NAME-4).
//!
//! The starter spawns the server and blocks until the server acknowledges with the
//! result of `init`. The server acknowledges *before* it acts on a timeout, hibernate or
//! continue (GS-1), and before it exits after a failed `init` (GS-3).

use super::server;
use super::types::ServerName;
use super::GenServer;
use crate::behaviour::registry::ViaName;
use crate::kernel::{ms, Ctx, SpawnOpts};
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::hot::StartResultView;
use crate::trace::EventKind;

/// Options for [`start_link`] and [`start`].
#[derive(Clone, Debug, Default)]
pub struct StartOpts {
    /// Register the server under this local name or via-name (NAME-4, REG-9 when it
    /// is taken).
    pub name: Option<ServerName>,
    /// Give up after this many milliseconds of `init` (GS-4); `None` waits for ever.
    pub timeout_ms: Option<u64>,
    /// A label for traces and reports (`Some("root/db".into())`); defaults to the name.
    pub label: Option<Atom>,
}

impl StartOpts {
    /// Options that register the server under the local name `name`.
    pub fn named(name: &'static str) -> StartOpts {
        StartOpts {
            name: Some(ServerName::Local(Atom::from_static(name))),
            ..StartOpts::default()
        }
    }

    /// Options that register the server under a key of a unique registry (REG-9).
    pub fn via(name: ViaName) -> StartOpts {
        StartOpts {
            name: Some(ServerName::Via(name)),
            ..StartOpts::default()
        }
    }
}

/// What `start_link`/`start` returned (GS-2).
#[derive(Clone, Debug, PartialEq)]
pub enum StartResult {
    /// `{ok, Pid}`.
    Ok(Pid),
    /// `ignore`.
    Ignore,
    /// `{error, Reason}`.
    Error(Term),
}

impl StartResult {
    /// As OTP writes it: `{ok,Pid}`, `ignore` or `{error,Reason}`.
    pub fn to_term(&self) -> Term {
        match self {
            StartResult::Ok(pid) => Term::tuple_of([Term::OK, Term::Pid(*pid)]),
            StartResult::Ignore => atom("ignore"),
            StartResult::Error(r) => Term::tagged("error", r.clone()),
        }
    }

    /// Reads `{ok,Pid}`, `ignore` or `{error,Reason}`; anything else is
    /// `{error, {bad_return_value, V}}`.
    pub fn from_term(t: &Term) -> StartResult {
        match t.as_tuple() {
            Some([ok, Term::Pid(p)]) if ok.is_atom("ok") => StartResult::Ok(*p),
            Some([e, r]) if e.is_atom("error") => StartResult::Error(r.clone()),
            _ if t.is_atom("ignore") => StartResult::Ignore,
            _ => StartResult::Error(Term::tagged("bad_return_value", t.clone())),
        }
    }

    /// `Ok(pid)` for `{ok, Pid}`; `Err(ignore)` or `Err(Reason)` otherwise, so a caller
    /// can write `start_link(..).await.into_result()?` and exit on failure.
    pub fn into_result(self) -> Result<Pid, Term> {
        match self {
            StartResult::Ok(pid) => Ok(pid),
            StartResult::Ignore => Err(atom("ignore")),
            StartResult::Error(r) => Err(r),
        }
    }
}

fn is_ack_from(m: &Term, pid: Pid) -> bool {
    matches!(m.as_tuple(), Some([tag, Term::Pid(p), _]) if tag.is_atom("ack") && *p == pid)
}

fn is_signal_from(m: &Term, tag_name: &str, pid: Pid, at: usize) -> bool {
    matches!(m.as_tuple(), Some(items) if items.len() > at
        && items[0].is_atom(tag_name) && items[at].as_pid() == Some(pid))
}

/// `gen_server:start_link/3,4`: spawns the server linked to the caller and waits for
/// `init` to return (GS-1). A failed `init` returns its error first; the link then
/// delivers the server's exit (GS-3).
///
/// As gen.erl does, the caller first looks the name up: when a live process holds
/// it, the result is `{error, {already_started, Pid}}` and no process is spawned
/// (NAME-4; fixture `registry/via.out`, facts `name4.*`).
///
/// # Panics
/// When `opts.name` is a via-name whose registry does not exist or has duplicate keys
/// (Elixir raises `ArgumentError` in the caller).
pub async fn start_link<G: GenServer>(ctx: &Ctx, args: G::Args, opts: StartOpts) -> StartResult {
    start_with::<G>(ctx, args, opts, true).await
}

/// `gen_server:start/3,4`: as [`start_link`] without the link; the caller watches the
/// start with a monitor instead.
pub async fn start<G: GenServer>(ctx: &Ctx, args: G::Args, opts: StartOpts) -> StartResult {
    start_with::<G>(ctx, args, opts, false).await
}

async fn start_with<G: GenServer>(
    ctx: &Ctx,
    args: G::Args,
    opts: StartOpts,
    link: bool,
) -> StartResult {
    match spawn_server::<G>(ctx, args, opts, link) {
        Ok(starting) => starting.acknowledged(ctx).await,
        Err(result) => result,
    }
}

/// A server spawned by a start and not yet acknowledged: what the wait for its
/// `init` needs. Not generic, so a supervisor's start of any worker waits in the same
/// small future, the server's arguments having gone to the server at the spawn.
pub(crate) struct Starting {
    starter: Pid,
    pid: Pid,
    mref: Option<crate::term::Ref>,
    mark: u64,
    link: bool,
    timeout_ms: Option<u64>,
}

/// The synchronous half of a start: the name check, then the spawn. `Err` is the
/// start's result when the name is taken (NAME-4) and nothing was spawned.
pub(crate) fn spawn_server<G: GenServer>(
    ctx: &Ctx,
    args: G::Args,
    opts: StartOpts,
    link: bool,
) -> Result<Starting, StartResult> {
    let starter = ctx.me();
    if let Some(holder) = opts.name.as_ref().and_then(|n| n.whereis(ctx)) {
        let result = StartResult::Error(Term::tagged("already_started", Term::Pid(holder)));
        ctx.emit(EventKind::StartResult {
            caller: starter,
            pid: holder,
            value: result.to_term(),
        });
        return Err(result);
    }
    let parent = link.then_some(starter);
    let name = opts.name;
    let label = opts
        .label
        .or_else(|| name.as_ref().map(|n| Atom::new(n.as_str())));
    let spawn = SpawnOpts {
        link,
        monitor: !link,
        label,
    };
    // Nothing from the new process can be queued before it exists.
    let mark = ctx.mailbox_mark();
    let (pid, mref) = ctx.spawn_opt(spawn, move |sctx| {
        server::enter::<G>(sctx, starter, parent, args, name.map(Box::new))
    });
    Ok(Starting {
        starter,
        pid,
        mref,
        mark,
        link,
        timeout_ms: opts.timeout_ms,
    })
}

impl Starting {
    /// The wait for the server's `init` (GS-1, GS-3, GS-4), and the `start_result`.
    pub(crate) async fn acknowledged(self, ctx: &Ctx) -> StartResult {
        let Starting {
            starter,
            pid,
            mref,
            mark,
            link,
            timeout_ms,
        } = self;
        // The ack, or the server's death before it (an EXIT when trapping, or the DOWN).
        let wait = ctx.recv_match(
            move |m| {
                is_ack_from(m, pid)
                    || (link && is_signal_from(m, "EXIT", pid, 1))
                    || (!link && is_signal_from(m, "DOWN", pid, 3))
            },
            timeout_ms.map(ms),
        );
        // The `start_result` below stands for taking the ack, `EXIT` or `DOWN` (ADR 004).
        // The ack's value is kept as it came, for the `start_result` event: building it
        // again from the result would cost an allocation per start.
        let mut acked = None;
        let result = match wait.since_mark(mark).folded().await {
            Some(m) => match m.as_tuple() {
                Some([tag, _, value]) if tag.is_atom("ack") => {
                    let result = StartResult::from_term(value);
                    // `from_term` reads the value as it is, unless it wraps a bad one.
                    let wrapped = matches!(&result, StartResult::Error(r) if r.tag() == Some("bad_return_value"));
                    if !wrapped {
                        acked = Some(value.clone());
                    }
                    result
                }
                Some([_, _, reason]) => StartResult::Error(reason.clone()),
                Some([_, _, _, _, reason]) => StartResult::Error(reason.clone()),
                _ => StartResult::Error(Term::tagged("bad_ack", m.clone())),
            },
            None => {
                // GS-4: unlink, kill, and drop whatever the server's death left behind.
                if link {
                    ctx.unlink(pid);
                }
                ctx.exit(pid, Term::KILL);
                if let Some(mref) = mref {
                    ctx.demonitor(mref, true);
                }
                let _ = ctx
                    .recv_match(move |m| is_signal_from(m, "EXIT", pid, 1), Some(0))
                    .await;
                StartResult::Error(Term::TIMEOUT)
            }
        };
        if let Some(mref) = mref {
            ctx.demonitor(mref, true);
        }
        let value = acked.unwrap_or_else(|| result.to_term());
        let view = StartResultView {
            caller: starter,
            pid,
            value: &value,
        };
        ctx.emit_view(&view, || EventKind::StartResult {
            caller: starter,
            pid,
            value: value.clone(),
        });
        result
    }
}
