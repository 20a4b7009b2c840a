//! The values gen_server callbacks return, and how servers are named.

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
        Term::tuple([Term::Pid(self.pid), Term::Ref(self.tag)])
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
}

impl ServerRef {
    /// The server as OTP would show it in an exit reason.
    pub fn to_term(&self) -> Term {
        match self {
            ServerRef::Pid(p) => Term::Pid(*p),
            ServerRef::Name(n) => Term::Atom(n.clone()),
        }
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
    Term::tuple([atom("gen_server"), atom(function), Term::list(args)])
}

/// A timeout as OTP writes it: milliseconds or `infinity`.
pub(crate) fn timeout_term(timeout_ms: Option<u64>) -> Term {
    timeout_ms.map_or(atom("infinity"), |t| Term::Int(t as i64))
}
