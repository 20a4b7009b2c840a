//! The values gen_server callbacks return, and how servers are named.

use crate::behaviour::registry::ViaName;
use crate::kernel::Ctx;
use crate::term::{atom, Atom, Pid, Ref, Term};

/// What a callback asks the server loop to do before the next message (GS-8, GS-9,
/// GS-10).
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Wait for the next message.
    Wait,
    /// Wait at most this many milliseconds; then `handle_info(timeout)` runs (GS-9).
    Timeout(u64),
    /// Hibernate: accepted, with no effect in a simulation (GS-2).
    Hibernate,
    /// Run `handle_continue` with this term first (GS-10).
    Continue(Term),
}

/// `init/1`'s result (GS-2).
pub enum Init<S> {
    /// `{ok, State}`: wait for messages.
    Ok(S),
    /// `{ok, State, Timeout | hibernate | {continue, C}}`: acknowledge the starter, then
    /// act on `Next` (GS-1).
    OkThen(S, Next),
    /// `ignore`: the starter gets `ignore`; the server exits `normal` without
    /// `terminate`.
    Ignore,
    /// `{stop, Reason}`: the starter gets `{error, Reason}`; the server exits `Reason`
    /// without `terminate`.
    Stop(Term),
}

/// What `handle_call` returns (GS-8).
#[derive(Clone, Debug, PartialEq)]
pub enum CallResponse {
    /// `{reply, Reply, State, Next}`: the reply is sent before `Next` is acted on.
    Reply(Term, Next),
    /// `{noreply, State, Next}`: someone answers later with [`super::reply`].
    NoReply(Next),
    /// `{stop, Reason, Reply, State}` or `{stop, Reason, State}`: `terminate` runs
    /// first, then the reply (if any) is sent, then the server exits with `reason`.
    Stop {
        /// The exit reason.
        reason: Term,
        /// The reply to send after `terminate`, if any.
        reply: Option<Term>,
    },
}

impl CallResponse {
    /// `{reply, Reply, State}`.
    pub fn reply(reply: Term) -> CallResponse {
        CallResponse::Reply(reply, Next::Wait)
    }

    /// `{noreply, State}`.
    pub fn noreply() -> CallResponse {
        CallResponse::NoReply(Next::Wait)
    }
}

/// What `handle_cast`, `handle_info` and `handle_continue` return.
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    /// `{noreply, State, Next}`.
    NoReply(Next),
    /// `{stop, Reason, State}`.
    Stop(Term),
}

impl Response {
    /// `{noreply, State}`.
    pub fn noreply() -> Response {
        Response::NoReply(Next::Wait)
    }

    /// `{stop, Reason, State}`.
    pub fn stop(reason: Term) -> Response {
        Response::Stop(reason)
    }
}

/// The caller of a `handle_call`: where and how to send the reply (`{Pid, Tag}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct From {
    /// The calling process.
    pub pid: Pid,
    /// The call's tag: the caller's monitor reference, used as an alias (GS-7).
    pub tag: Ref,
}

impl From {
    /// `{Pid, Tag}` as a term.
    pub fn to_term(self) -> Term {
        Term::tuple_of([Term::Pid(self.pid), Term::Ref(self.tag)])
    }

    /// Reads `{Pid, Tag}`.
    pub fn from_term(t: &Term) -> Option<From> {
        match t.as_tuple()? {
            [Term::Pid(pid), Term::Ref(tag)] => Some(From {
                pid: *pid,
                tag: *tag,
            }),
            _ => None,
        }
    }
}

/// How a client names a server.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerRef {
    /// A pid.
    Pid(Pid),
    /// A locally registered name.
    Name(Atom),
    /// A name in a unique registry: `{via, Registry, {Name, Key}}` (REG-9).
    Via(ViaName),
}

impl ServerRef {
    /// The server as OTP would show it in an exit reason.
    pub fn to_term(&self) -> Term {
        match self {
            ServerRef::Pid(p) => Term::Pid(*p),
            ServerRef::Name(n) => Term::Atom(n.clone()),
            ServerRef::Via(v) => v.to_term(),
        }
    }
}

impl std::convert::From<ViaName> for ServerRef {
    fn from(v: ViaName) -> ServerRef {
        ServerRef::Via(v)
    }
}

impl std::convert::From<&ViaName> for ServerRef {
    fn from(v: &ViaName) -> ServerRef {
        ServerRef::Via(v.clone())
    }
}

/// The name a server is started under: OTP's `{local, Name}` or `{via, Module, Name}`
/// (with the [`crate::behaviour::registry::Registry`] as the module).
#[derive(Clone, Debug, PartialEq)]
pub enum ServerName {
    /// A locally registered name (NAME-1, NAME-4).
    Local(Atom),
    /// A key in a unique registry (REG-9).
    Via(ViaName),
}

impl ServerName {
    /// The name as text, for labels: the atom's name, or the via tuple as OTP prints
    /// it.
    pub fn as_str(&self) -> &str {
        match self {
            ServerName::Local(a) => a.as_str(),
            ServerName::Via(v) => v.as_str(),
        }
    }

    /// How a client reaches the server by this name.
    pub fn to_ref(&self) -> ServerRef {
        match self {
            ServerName::Local(a) => ServerRef::Name(a.clone()),
            ServerName::Via(v) => ServerRef::Via(v.clone()),
        }
    }

    /// gen.erl's `where/1`: the live process holding the name, if any.
    ///
    /// # Panics
    /// For a via-name whose registry does not exist or has duplicate keys, as
    /// Elixir raises `ArgumentError` there.
    pub(crate) fn whereis(&self, ctx: &Ctx) -> Option<Pid> {
        match self {
            ServerName::Local(a) => ctx.whereis(a),
            ServerName::Via(v) => v.whereis(ctx),
        }
    }

    /// gen.erl's `register_name/1`, run by the server itself before `init`: `Err` with
    /// the holder (or `undefined`) when the name is taken (NAME-4).
    pub(crate) fn register_self(&self, ctx: &Ctx) -> Result<(), Term> {
        let registered = match self {
            ServerName::Local(a) => ctx.register(a.clone(), ctx.me()).is_ok(),
            ServerName::Via(v) => v.register_self(ctx),
        };
        if registered {
            return Ok(());
        }
        Err(self.whereis(ctx).map_or(Term::UNDEFINED, Term::Pid))
    }

    /// gen.erl's `unregister_name/1`: a server whose `init` failed gives its name back
    /// before the starter hears of it, so a lookup right after the failed start finds
    /// nothing (probe tests/otp_fixtures/registry/via.out).
    pub(crate) fn unregister_self(&self, ctx: &Ctx) {
        match self {
            ServerName::Local(a) => {
                let _ = ctx.unregister(a);
            }
            ServerName::Via(v) => v.registry().unregister(ctx, v.key()),
        }
    }
}

impl std::convert::From<Atom> for ServerName {
    fn from(a: Atom) -> ServerName {
        ServerName::Local(a)
    }
}

impl std::convert::From<ViaName> for ServerName {
    fn from(v: ViaName) -> ServerName {
        ServerName::Via(v)
    }
}

impl std::convert::From<Pid> for ServerRef {
    fn from(p: Pid) -> ServerRef {
        ServerRef::Pid(p)
    }
}

impl std::convert::From<Atom> for ServerRef {
    fn from(a: Atom) -> ServerRef {
        ServerRef::Name(a)
    }
}

impl std::convert::From<&'static str> for ServerRef {
    fn from(name: &'static str) -> ServerRef {
        ServerRef::Name(Atom::from_static(name))
    }
}

/// The `{gen_server, Function, Args}` part of a failed client call's exit reason (GS-6).
pub(crate) fn mfa(function: &'static str, args: Vec<Term>) -> Term {
    Term::tuple_of([atom("gen_server"), atom(function), Term::list(args)])
}

/// A timeout as OTP writes it: milliseconds or `infinity`.
pub(crate) fn timeout_term(timeout_ms: Option<u64>) -> Term {
    timeout_ms.map_or(atom("infinity"), |t| Term::Int(t as i64))
}
