//! The event vocabulary of a run (semantics reference, section 15).
//!
//! Every observable step of a simulation is one [`Event`]. The trace is the single
//! source of truth: summaries, expectations, reports and replay read events, never
//! kernel internals. Field names follow the reference so that traces can be compared
//! with recordings from real OTP.

use crate::term::{Atom, Pid, Ref, Term};
use serde::{Deserialize, Serialize};

/// One trace event: when it happened, its place in the run's total order, and what.
///
/// In JSON an event is one flat object, `{"t":..,"seq":..,"kind":"send",..fields}`;
/// compact formats (the fingerprint) see the tuple `(t, seq, kind)` instead, so that
/// hashing never meets field names. `Display` gives one line for people.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Virtual time in microseconds.
    pub t: u64,
    /// Position in the run's event order, from 0, without gaps.
    pub seq: u64,
    /// What happened.
    pub kind: EventKind,
}

/// How an exit signal was sent (SIG-3 distinguishes the two for `kill`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The sender was a linked process that died.
    Link,
    /// The sender called `exit/2`.
    ExitCall,
}

/// What the receiver did with an exit signal (SIG-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalOutcome {
    /// A non-trapping receiver ignored a `normal` signal from another process.
    Ignored,
    /// A trapping receiver got an `{'EXIT', From, Reason}` message.
    Trapped,
    /// The receiver died.
    KilledReceiver,
    /// The receiver was already exiting; the signal had no effect.
    AlreadyExiting,
}

/// The kinds of event. Serialized with a `kind` field naming the variant in snake_case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A process was created (SIG-6). `parent` is absent for processes the run started.
    Spawn {
        /// The spawning process.
        parent: Option<Pid>,
        /// The new process.
        child: Pid,
        /// Created linked to the parent.
        linked: bool,
        /// Created monitored by the parent.
        monitored: bool,
        /// A human label (a child id or tree path), when the spawner gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A local name was taken (NAME-1).
    Register {
        /// The process.
        pid: Pid,
        /// The name.
        name: Atom,
    },
    /// A local name was released, explicitly or by death (NAME-2).
    Unregister {
        /// The process that held it.
        pid: Pid,
        /// The name.
        name: Atom,
    },
    /// A message was sent. `to` is a pid or a name; `outcome` is `badarg` when the name
    /// was not registered (NAME-3).
    Send {
        /// The sender (absent for messages the run injects from outside).
        from: Option<Pid>,
        /// The destination as the sender named it.
        to: Term,
        /// The message.
        msg: Term,
        /// Set when the send failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<Atom>,
    },
    /// A process took a message from its mailbox (handled, not merely queued).
    Recv {
        /// The receiver.
        pid: Pid,
        /// The message.
        msg: Term,
    },
    /// A message to an inactive alias was discarded (GS-7).
    Drop {
        /// The process the alias belonged to.
        to: Pid,
        /// The message.
        msg: Term,
        /// Why: `inactive_alias`.
        why: Atom,
    },
    /// A link was made (SIG-1).
    Link {
        /// The process that asked.
        a: Pid,
        /// The other end.
        b: Pid,
    },
    /// A link was removed (SIG-1).
    Unlink {
        /// The process that asked.
        a: Pid,
        /// The other end.
        b: Pid,
    },
    /// A monitor was made (MON-1). `target` is the pid or the name monitored.
    Monitor {
        /// The monitoring process.
        watcher: Pid,
        /// What it monitors.
        target: Term,
        /// The monitor reference.
        #[serde(rename = "ref")]
        mref: Ref,
    },
    /// A monitor was removed (MON-4).
    Demonitor {
        /// The monitoring process.
        watcher: Pid,
        /// The monitor reference.
        #[serde(rename = "ref")]
        mref: Ref,
        /// Whether a queued `DOWN` was flushed too.
        flush: bool,
    },
    /// An exit signal was sent.
    ExitSignal {
        /// The sender.
        from: Pid,
        /// The receiver.
        to: Pid,
        /// The reason carried.
        reason: Term,
        /// Over a link or by `exit/2`.
        via: Via,
    },
    /// The receiver handled an exit signal (SIG-3).
    ExitSignalHandled {
        /// The receiver.
        to: Pid,
        /// The sender.
        from: Pid,
        /// The reason carried.
        reason: Term,
        /// What the receiver did.
        outcome: SignalOutcome,
    },
    /// A process terminated (PROC-7).
    Exit {
        /// The process.
        pid: Pid,
        /// Its exit reason.
        reason: Term,
    },
    /// A `DOWN` message was queued for a watcher (MON-1, MON-2).
    Down {
        /// The monitoring process.
        watcher: Pid,
        /// The monitored pid or name.
        target: Term,
        /// The monitor reference.
        #[serde(rename = "ref")]
        mref: Ref,
        /// The reason (`noproc` for a target already dead).
        reason: Term,
    },
    /// A timer expired and its message was sent (PROC-5).
    TimerFire {
        /// The destination process or name.
        owner: Term,
        /// The timer reference.
        #[serde(rename = "ref")]
        tref: Ref,
        /// The message.
        msg: Term,
    },
    /// A process changed its `trap_exit` flag.
    TrapExit {
        /// The process.
        pid: Pid,
        /// The new value.
        on: bool,
    },
    // ----- gen_server (Agent and Task use the same kinds) ---------------------------
    /// A server's `init` returned (GS-2). `result` is `ok`, `ok_timeout`,
    /// `ok_continue`, `ok_hibernate`, `ignore`, `stop` or `crash`. Stands for the
    /// acknowledgement sent to the starter (ADR 004).
    InitResult {
        /// The server.
        pid: Pid,
        /// Which kind of result.
        result: Atom,
        /// The stop or crash reason, when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Term>,
    },
    /// `start`/`start_link` returned to the caller (GS-1..4). Stands for the caller
    /// taking the acknowledgement, or the server's `EXIT` or `DOWN` (ADR 004).
    StartResult {
        /// The starting process.
        caller: Pid,
        /// The server process.
        pid: Pid,
        /// `{ok,Pid}`, `ignore` or `{error,R}`.
        value: Term,
    },
    /// A client sent a call (GS-5).
    Call {
        /// The client.
        caller: Pid,
        /// The server.
        server: Pid,
        /// The call tag (alias).
        tag: Ref,
        /// The request.
        request: Term,
        /// The timeout: milliseconds or `infinity`.
        timeout: Term,
    },
    /// A server replied to a call (GS-8).
    Reply {
        /// The server.
        server: Pid,
        /// The client.
        caller: Pid,
        /// The call tag.
        tag: Ref,
        /// The reply.
        value: Term,
    },
    /// A call failed and the caller exits, or catches it (GS-6).
    CallExit {
        /// The client.
        caller: Pid,
        /// The server as named by the client.
        server: Term,
        /// The call tag, when the call got as far as sending.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<Ref>,
        /// `timeout`, `noproc`, or the server's exit reason.
        reason: Term,
    },
    /// A client sent a cast.
    Cast {
        /// The client.
        from: Pid,
        /// The server as named by the client.
        server: Term,
        /// The request.
        request: Term,
    },
    /// A server callback is about to run: `call`, `cast`, `info`, `continue` or
    /// `timeout`.
    Handle {
        /// The server.
        pid: Pid,
        /// Which callback.
        callback: Atom,
        /// The request or message.
        message: Term,
    },
    /// `terminate` is about to run (GS-11).
    TerminateCb {
        /// The server.
        pid: Pid,
        /// The reason passed to it.
        reason: Term,
    },
    /// A hot code upgrade ran `code_change` (GS-15), a supervisor's too (SUP-27).
    CodeChange {
        /// The server.
        pid: Pid,
        /// The version before.
        old_vsn: Term,
        /// The version after (the old one when the upgrade failed).
        new_vsn: Term,
        /// `ok` or `{error, Reason}`.
        result: Term,
    },
    // ----- supervisors (static, dynamic, task, partition) -----------------------------
    /// A supervisor started (or tried to start) a child (SUP-5, SUP-17, SUP-23).
    ChildStart {
        /// The supervisor.
        sup: Pid,
        /// The child id (`undefined` under a dynamic supervisor).
        id: Term,
        /// The child's pid, when one was started.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pid: Option<Pid>,
        /// `ok`, `ignore` or `{error, R}`.
        result: Term,
        /// `init`, `start_child`, `restart`, `restart_child` or `try_again`.
        cause: Atom,
    },
    /// A supervisor handled a child's `EXIT` (SUP-9, SUP-10).
    ChildExitSeen {
        /// The supervisor.
        sup: Pid,
        /// The child id.
        id: Term,
        /// The child's pid.
        pid: Pid,
        /// The exit reason.
        reason: Term,
        /// `restart`, `keep`, `delete` or `ignore_unknown`.
        decision: Atom,
    },
    /// A restart was counted in the intensity window (SUP-14).
    RestartCounted {
        /// The supervisor.
        sup: Pid,
        /// The child id.
        id: Term,
        /// The restart's stamp in whole seconds of virtual time.
        stamp_s: u64,
        /// Restarts in the window, this one included.
        window_len: u64,
        /// The supervisor's max_restarts.
        max: u64,
    },
    /// A supervisor began shutting a child down (SUP-20). Stands for the monitor and
    /// the exit signal (`kill` or `shutdown`) it sends the child (ADR 004).
    ChildShutdown {
        /// The supervisor.
        sup: Pid,
        /// The child id.
        id: Term,
        /// The child's pid.
        pid: Pid,
        /// `shutdown` or `kill`.
        method: Atom,
        /// The budget: milliseconds, `infinity` or `brutal_kill`.
        timeout: Term,
    },
    /// A child overran its shutdown budget and was killed (SUP-20).
    ChildShutdownTimeout {
        /// The supervisor.
        sup: Pid,
        /// The child id.
        id: Term,
        /// The child's pid.
        pid: Pid,
    },
    /// A child being shut down is gone (SUP-20, SUP-22). Stands for taking the
    /// `DOWN`, the unlink, and taking the child's `EXIT` (ADR 004).
    ChildDown {
        /// The supervisor.
        sup: Pid,
        /// The child id.
        id: Term,
        /// The child's pid.
        pid: Pid,
        /// The reason it exited with.
        reason: Term,
        /// False when the reason was unexpected (a `shutdown_error` report).
        accepted: bool,
    },
    /// A failed restart will be retried through the supervisor's mailbox (SUP-17).
    TryAgain {
        /// The supervisor.
        sup: Pid,
        /// The child id.
        id: Term,
    },
    /// The restart intensity was exceeded (SUP-16).
    IntensityExceeded {
        /// The supervisor.
        sup: Pid,
        /// The child whose restart went over the limit.
        offender_id: Term,
    },
    /// A significant child's exit shut the supervisor down (SUP-18).
    AutoShutdown {
        /// The supervisor.
        sup: Pid,
        /// The significant child.
        trigger_id: Term,
        /// `any_significant` or `all_significant`.
        mode: Atom,
    },
    /// A supervisor is exiting after shutting its children down (SUP-16, SUP-25).
    SupExit {
        /// The supervisor.
        sup: Pid,
        /// Its exit reason.
        reason: Term,
    },
    // ----- registry -----------------------------------------------------------------
    /// A key was registered (REG-2 to REG-4).
    RegRegister {
        /// The registry's name.
        registry: Term,
        /// The key.
        key: Term,
        /// The registering process.
        pid: Pid,
        /// The value stored.
        value: Term,
        /// `ok` or `{error, {already_registered, Pid}}`.
        result: Term,
    },
    /// A key was removed (REG-5, REG-6).
    RegUnregister {
        /// The registry's name.
        registry: Term,
        /// The key.
        key: Term,
        /// The process whose entry went.
        pid: Pid,
        /// `explicit` or `cleanup`.
        cause: Atom,
    },
    // ----- applications -------------------------------------------------------------
    /// An application started, or failed to (APP-1, APP-2).
    AppStart {
        /// The application.
        app: Atom,
        /// `permanent`, `transient` or `temporary`.
        #[serde(rename = "type")]
        app_type: Atom,
        /// `ok` or `{error, R}`.
        result: Term,
    },
    /// `prep_stop` ran (APP-3).
    AppPrepStop {
        /// The application.
        app: Atom,
    },
    /// `stop` ran (APP-3).
    AppStop {
        /// The application.
        app: Atom,
    },
    /// An application's top supervisor exited (APP-5).
    AppExit {
        /// The application.
        app: Atom,
        /// The top supervisor's exit reason.
        reason: Term,
        /// The application's restart type.
        #[serde(rename = "type")]
        app_type: Atom,
        /// `logged` or `node_halt`.
        consequence: Atom,
    },
    /// The node halted (APP-5).
    NodeHalt {
        /// Why.
        reason: Term,
    },
    // ----- scenarios -----------------------------------------------------------------
    /// A fault was injected (scenario faults, design section 4).
    Fault {
        /// The target as the scenario names it (a tree path or a registry key).
        target: String,
        /// The process hit, when one was running there.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pid: Option<Pid>,
        /// What was done: `exit`, `crash`, `degrade`, `drop_messages`, `delay_messages`,
        /// `pause`, `resume`, `upgrade`, `terminate_child`, `restart_child`,
        /// `delete_child`, `start_child`, `buggify` (an injection point fired), or
        /// `missed` when no process was there.
        action: Atom,
        /// The action's parameters (a reason, a window, a version, a buggify site).
        detail: Term,
        /// `scheduled`, `random` (drawn from the faults stream), or `buggify` (an
        /// injection point inside the process, drawn from its site's stream).
        cause: Atom,
    },
    /// Something a built-in model reports about itself: a breaker changing state, a
    /// load client's call outcome, a writer's flush.
    Model {
        /// The model's process.
        pid: Pid,
        /// The model's name (`circuit_breaker`).
        model: Atom,
        /// What happened (`breaker_state`, `call_outcome`, `flushed`, ...).
        what: Atom,
        /// The details.
        detail: Term,
    },
}
