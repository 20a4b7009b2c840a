//! The scenario format (tests/conformance/scenarios/NAME.json), read by this harness
//! and by the OTP side (tests/otp_fixtures/supervision/conf_run.erl), which must agree
//! on every default written here.
//!
//! ```json
//! {
//!   "description": "...", "rules": ["SUP-11"],
//!   "root": {"strategy": "one_for_all", "max_restarts": 3, "max_seconds": 5,
//!            "auto_shutdown": "never", "children": [CHILD, ...]},
//!   "timeline": [{"at_ms": 100, "do": "exit", "path": "root/c2", "reason": "boom"}],
//!   "end_ms": 500
//! }
//! ```
//! A CHILD has an `id` and `type` (`worker`, the default, `supervisor` or
//! `dynamic_supervisor`), `restart`
//! (permanent), `shutdown` (`brutal_kill`, `infinity` or ms; 5000 for a worker,
//! infinity for a supervisor) and `significant` (false). A worker also has
//! `trap_exit` (false), `terminate_ms` (0), `init` (`"ok"`, `"ignore"`,
//! `{"error": "R"}` or `{"crash": "message"}`) and `fail_on`
//! (`[{"start": N, "init": INIT}]`: the init result of its Nth start). A supervisor
//! child has the root's fields; a `dynamic_supervisor` child (Elixir's
//! DynamicSupervisor on the OTP side) has `max_restarts`, `max_seconds` and
//! `max_children`, and no children of its own until `start_child`. Reasons are Erlang
//! terms in text (`"{shutdown,x}"`).

use serde::Deserialize;

/// One scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What it shows, for people.
    pub description: String,
    /// The reference's rules it exercises.
    pub rules: Vec<String>,
    /// The root supervisor (its `id` and child fields are unused).
    pub root: Node,
    /// The actions, in time order.
    #[serde(default)]
    pub timeline: Vec<Action>,
    /// When the final state is taken, in ms after the root's start was asked for.
    pub end_ms: u64,
}

/// A supervisor or a worker of the tree.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(rename = "type", default = "worker")]
    pub kind: String,
    #[serde(default = "permanent")]
    pub restart: String,
    #[serde(default)]
    pub shutdown: Option<ShutdownSpec>,
    #[serde(default)]
    pub significant: bool,
    // A worker's behaviour.
    #[serde(default)]
    pub trap_exit: bool,
    #[serde(default)]
    pub terminate_ms: u64,
    #[serde(default)]
    pub init: InitSpec,
    #[serde(default)]
    pub fail_on: Vec<FailOn>,
    // A supervisor's flags and children.
    #[serde(default = "one_for_one")]
    pub strategy: String,
    #[serde(default = "three")]
    pub max_restarts: u32,
    #[serde(default = "five")]
    pub max_seconds: u32,
    #[serde(default = "never")]
    pub auto_shutdown: String,
    /// A dynamic supervisor's limit; absent is `infinity`.
    #[serde(default)]
    pub max_children: Option<u32>,
    #[serde(default)]
    pub children: Vec<Node>,
}

fn worker() -> String {
    "worker".into()
}
fn permanent() -> String {
    "permanent".into()
}
fn one_for_one() -> String {
    "one_for_one".into()
}
fn never() -> String {
    "never".into()
}
fn three() -> u32 {
    3
}
fn five() -> u32 {
    5
}

impl Node {
    /// True for a child supervisor (and the root).
    pub fn is_supervisor(&self) -> bool {
        self.kind == "supervisor"
    }

    /// True for a dynamic supervisor (Elixir's DynamicSupervisor).
    pub fn is_dynamic(&self) -> bool {
        self.kind == "dynamic_supervisor"
    }

    /// The child id; the root has none.
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or("root")
    }
}

/// `shutdown`: milliseconds, `brutal_kill` or `infinity`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum ShutdownSpec {
    Ms(u64),
    Word(String),
}

/// A worker's `init` result.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum InitSpec {
    /// `"ok"` or `"ignore"`.
    Word(String),
    /// `{"error": "R"}`: init returns `{stop, R}`, the starter gets `{error, R}`.
    Error { error: String },
    /// `{"crash": "message"}`: init panics; the reason is `{panic, <<"message">>}`.
    Crash { crash: String },
}

impl Default for InitSpec {
    fn default() -> InitSpec {
        InitSpec::Word("ok".into())
    }
}

/// The init result of one particular start of a worker (1 = its first start).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailOn {
    pub start: u32,
    pub init: InitSpec,
}

/// One step of the timeline.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// When, in ms after the root's start was asked for.
    pub at_ms: u64,
    /// `kill` (exit(Pid, reason) from the driver), `exit` (the worker stops itself
    /// with reason), `stop` (a supervisor), `terminate_child`, `restart_child`,
    /// `delete_child`, `start_child`, `which_children`.
    #[serde(rename = "do")]
    pub what: String,
    /// The target process of `kill`, `exit` and `stop`.
    #[serde(default)]
    pub path: Option<String>,
    /// The reason of `kill`, `exit` and `stop` (default `normal`).
    #[serde(default)]
    pub reason: Option<String>,
    /// The supervisor of the supervisor API calls.
    #[serde(default)]
    pub sup: Option<String>,
    /// The child id of terminate/restart/delete_child.
    #[serde(default)]
    pub id: Option<String>,
    /// terminate_child under a dynamic supervisor: the child, by path (the call
    /// takes its latest pid, DSUP-4).
    #[serde(default)]
    pub child_path: Option<String>,
    /// The child of start_child.
    #[serde(default)]
    pub child: Option<Node>,
}
