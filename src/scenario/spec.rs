//! A scenario as data: what the loader produces from a JSON file and everything after
//! it (build, run, check, explore, shrink) reads.
//!
//! Times are virtual microseconds (`_us`); the JSON format writes them as durations
//! ("150ms", "5s") or integers of milliseconds. Exit reasons and request terms are
//! [`Term`]s, written in JSON as Erlang term text (`"kill"`, `"{shutdown, db_down}"`).
//! Every collection keeps file order: determinism rule 3.
//!
//! A `Scenario` serialises back to the JSON format ([`Scenario::to_json`]), which is
//! how a trace header carries its input and how `shrink` writes a minimised file.

use crate::models::ModelSpec;
use crate::term::Term;

/// The scenario format version this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file it was read from (for messages and replay commands); not serialised.
    pub file: String,
    /// A short identifier: letters, digits, `_` and `-`.
    pub name: String,
    /// What the scenario shows, for people.
    pub description: String,
    /// The seed `run` uses when none is given.
    pub seed: u64,
    /// How much virtual time a run covers.
    pub duration_us: u64,
    /// The run's bounds.
    pub limits: ScenarioLimits,
    /// The application: its environment and its supervision tree.
    pub app: AppSpec,
    /// Load clients, started after the application, in order.
    pub workload: Vec<ClientSpec>,
    /// Scheduled and random faults, in file order.
    pub faults: Vec<FaultSpec>,
    /// Named windows of the run (a fault phase, then a heal phase).
    pub phases: Vec<Phase>,
    /// Bounds on random fault rates that `explore --swarm` draws from.
    pub swarm: Vec<SwarmBound>,
    /// BUGGIFY injection points in the models, when switched on.
    pub buggify: Option<BuggifySpec>,
    /// What must hold, evaluated over the trace.
    pub expectations: Vec<Expectation>,
}

/// `"buggify"`: the models' injection points switched on for the run
/// ([`crate::kernel::Ctx::buggify`]); they fire only in the fault windows, as random
/// faults do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BuggifySpec {
    /// The probability that a site is switched on for the run.
    pub enable: f64,
    /// The probability that a switched-on site fires each time it is reached.
    pub fire: f64,
}

impl Default for BuggifySpec {
    /// FoundationDB's odds: a quarter of the sites on, each firing a quarter of the
    /// times it is reached.
    fn default() -> Self {
        BuggifySpec {
            enable: 0.25,
            fire: 0.25,
        }
    }
}

/// The scenario's limits; each maps onto a kernel limit and ends the run with a named
/// outcome when hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScenarioLimits {
    /// Events in the whole run.
    pub max_events: u64,
    /// Events at one virtual instant (livelock guard).
    pub max_events_per_instant: u64,
    /// Processes alive at once.
    pub max_processes: u32,
    /// Messages waiting in one mailbox.
    pub max_mailbox_len: u32,
}

impl Default for ScenarioLimits {
    fn default() -> ScenarioLimits {
        ScenarioLimits {
            max_events: 10_000_000,
            max_events_per_instant: 1_000_000,
            max_processes: 1_000_000,
            max_mailbox_len: 100_000,
        }
    }
}

/// The application: a name, an environment, and the root of its tree.
#[derive(Clone, Debug, PartialEq)]
pub struct AppSpec {
    /// The application's name (`my_app`).
    pub name: String,
    /// `permanent`, `transient` or `temporary` (APP-3).
    pub app_type: AppRestartType,
    /// The environment (`Application.get_env`), key order as in the file.
    pub env: Vec<(String, Term)>,
    /// The root supervisor. Its id is the first segment of every path.
    pub root: Node,
    /// When set, the application is stopped at this time (`Application.stop`): the
    /// tree shuts down in order, each child within its budget (graceful shutdown).
    pub stop_at_us: Option<u64>,
}

/// An application's restart type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppRestartType {
    /// The node halts when it stops.
    Permanent,
    /// The node halts when it stops abnormally.
    Transient,
    /// Its stop is only reported.
    Temporary,
}

/// One node of the supervision tree: how its parent supervises it, and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The child id, unique among its siblings. The node's path is its ancestors' ids
    /// and its own, joined by `/`.
    pub id: String,
    /// permanent, transient or temporary. Default: permanent.
    pub restart: RestartSpec,
    /// The shutdown budget. Default: 5s for workers, infinity for supervisors.
    pub shutdown: ShutdownSpec,
    /// A significant child (auto_shutdown). Default false.
    pub significant: bool,
    /// What the node is.
    pub kind: NodeKind,
}

/// A child's restart type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartSpec {
    /// Always restarted.
    Permanent,
    /// Restarted after an abnormal exit.
    Transient,
    /// Never restarted.
    Temporary,
}

/// A child's shutdown budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShutdownSpec {
    /// Killed at once.
    BrutalKill,
    /// Sent `shutdown`, killed after this long.
    Timeout(u64),
    /// Sent `shutdown`, waited for without limit.
    Infinity,
}

/// A supervisor's strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategySpec {
    /// Restart only the failed child.
    OneForOne,
    /// Restart every child.
    OneForAll,
    /// Restart the failed child and those started after it.
    RestForOne,
}

/// auto_shutdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoShutdownSpec {
    /// Never.
    Never,
    /// When any significant child exits.
    AnySignificant,
    /// When all significant children have exited.
    AllSignificant,
}

/// Restart intensity: at most `max_restarts` in any `max_seconds` window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Intensity {
    /// Default 3.
    pub max_restarts: u32,
    /// Default 5.
    pub max_seconds: u32,
}

/// What a tree node is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A Supervisor with static children.
    Supervisor {
        /// Its strategy.
        strategy: StrategySpec,
        /// Its intensity.
        intensity: Intensity,
        /// Its auto_shutdown.
        auto_shutdown: AutoShutdownSpec,
        /// Its children, in start order.
        children: Vec<Node>,
    },
    /// A DynamicSupervisor; `children` are started (in order) right after it, as a
    /// program would with `start_child` in its start-up.
    DynamicSupervisor {
        /// Its intensity.
        intensity: Intensity,
        /// `max_children`; `None` is infinity.
        max_children: Option<u32>,
        /// Children to start at boot, each a model node.
        children: Vec<Node>,
    },
    /// A Task.Supervisor (tasks are started by models that name it).
    TaskSupervisor {
        /// Its intensity.
        intensity: Intensity,
        /// `max_children`; `None` is infinity.
        max_children: Option<u32>,
    },
    /// A PartitionSupervisor of `partitions` copies of one model.
    PartitionSupervisor {
        /// How many partitions.
        partitions: u32,
        /// The model every partition runs (its id is ignored; partitions are 0..N).
        child: Box<Node>,
        /// The partitions' supervisor strategy.
        strategy: StrategySpec,
        /// Its intensity.
        intensity: Intensity,
    },
    /// A Registry.
    Registry {
        /// Unique or duplicate keys.
        keys: RegistryKeys,
        /// Partitions of the registry's table.
        partitions: u32,
    },
    /// A built-in model.
    Model(ModelSpec),
}

/// Registry key mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryKeys {
    /// One process per key.
    Unique,
    /// Many processes per key.
    Duplicate,
}

/// How faults and clients name a process.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A path in the tree, `root/db/pool`: the process currently running there.
    Path(String),
    /// A key of a unique registry at `registry` (a path): `{"registry": .., "key": ..}`.
    RegistryKey {
        /// The registry's path.
        registry: String,
        /// The key, as a term.
        key: Term,
    },
}

/// A load client: a model started after the application, outside the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientSpec {
    /// Unique among clients; its process label is `workload/<id>`.
    pub id: String,
    /// The client model and its parameters (normally `load_client`).
    pub model: ModelSpec,
}

/// A fault: scheduled at a time, or random.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultSpec {
    /// At `at_us`, do `action` to `target`.
    Scheduled {
        /// When.
        at_us: u64,
        /// To whom.
        target: Target,
        /// What.
        action: FaultAction,
    },
    /// Crashes (or exits) drawn as a Poisson process per target, from the faults
    /// stream, during fault phases only.
    Random {
        /// Which processes: path patterns, where a `*` segment matches any one id.
        targets: Vec<String>,
        /// Mean time between failures per target.
        mtbf_us: u64,
        /// What each failure does (`exit`, `crash` or `degrade`).
        action: FaultAction,
    },
}

/// What a fault does.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// `exit(Pid, Reason)` from outside (`kill`, `shutdown`, any term).
    Exit {
        /// The reason.
        reason: Term,
    },
    /// The process fails from inside: its current callback raises with `reason`.
    Crash {
        /// The reason.
        reason: Term,
    },
    /// A dependency fails or slows down for a window.
    Degrade {
        /// Probability that a request fails, in [0, 1].
        error_rate: f64,
        /// Extra latency per request.
        latency_us: u64,
        /// How long the degradation lasts.
        for_us: u64,
    },
    /// Messages to the target are dropped with `probability` for a window.
    DropMessages {
        /// In [0, 1].
        probability: f64,
        /// How long.
        for_us: u64,
    },
    /// Messages to the target are delivered `delay_us` late for a window.
    DelayMessages {
        /// The delay.
        delay_us: u64,
        /// How long.
        for_us: u64,
    },
    /// The process is suspended (erlang:suspend_process) and resumed after `for_us`.
    Pause {
        /// How long.
        for_us: u64,
    },
    /// The process is upgraded to version `to_vsn` of its model (code_change).
    Upgrade {
        /// The version to upgrade to.
        to_vsn: u32,
    },
    /// A supervisor API call made on the target supervisor.
    SupervisorCall {
        /// Which call.
        call: SupervisorCall,
        /// The child id it names (for start_child: the node to start, given whole).
        child: String,
        /// For start_child: the child to add.
        spec: Option<Box<Node>>,
    },
}

/// The supervisor calls a fault can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SupervisorCall {
    /// `terminate_child(Sup, Id)`.
    TerminateChild,
    /// `restart_child(Sup, Id)`.
    RestartChild,
    /// `delete_child(Sup, Id)`.
    DeleteChild,
    /// `start_child(Sup, Spec)`.
    StartChild,
}

/// A named window of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    /// Unique among phases.
    pub name: String,
    /// Start, inclusive.
    pub from_us: u64,
    /// End, exclusive.
    pub until_us: u64,
    /// Random faults fire in this phase.
    pub faults: bool,
}

/// A bound on a random fault's rate that `--swarm` draws within: the fault at
/// `fault_index` gets an mtbf drawn uniformly from `[min_mtbf_us, max_mtbf_us]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwarmBound {
    /// Index into `faults` (a random fault).
    pub fault_index: usize,
    /// Shortest mean time between failures.
    pub min_mtbf_us: u64,
    /// Longest.
    pub max_mtbf_us: u64,
}

/// One expectation: a name and a check.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// How reports name it (given, or generated from the check).
    pub name: String,
    /// What must hold.
    pub check: Check,
}

/// A window of virtual time an expectation looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Window {
    /// Start, inclusive; 0 when absent.
    pub from_us: u64,
    /// End, exclusive; the end of the run when absent.
    pub until_us: Option<u64>,
}

/// A condition on the state of the system at an instant.
#[derive(Clone, Debug, PartialEq)]
pub enum StateCond {
    /// A process is running at this path.
    Alive(String),
    /// The circuit breaker at this path is in this state (`closed`, `open`,
    /// `half_open`).
    BreakerState(String, String),
}

/// Events an expectation counts.
#[derive(Clone, Debug, PartialEq)]
pub enum EventMatch {
    /// A process at the path (a pattern: `*` one segment, a trailing `/**` the node
    /// and everything under it) exited abnormally.
    Crash(String),
    /// A supervisor restarted the child at the path.
    Restart(String),
    /// The supervisor at the path exceeded its intensity.
    Escalation(String),
    /// A child at the path overran its shutdown budget and was killed.
    KilledOverBudget(String),
    /// The breaker at the path opened.
    BreakerOpen(String),
    /// A fault was injected into the path.
    Fault(String),
    /// A model at the path reported `what` (a `model` trace event such as a cache's
    /// `expired` or a pool's `overflow`).
    ModelEvent {
        /// The path pattern.
        of: String,
        /// The model event's `what`.
        what: String,
    },
}

/// What an expectation checks.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// The condition holds at every event in the window.
    Always(StateCond, Window),
    /// The condition holds at no event in the window.
    Never(StateCond, Window),
    /// The condition holds at some event at or after `from_us` and before `by_us`,
    /// and still holds at `by_us`.
    Eventually(StateCond, Window),
    /// The condition holds at some event in the window.
    Sometimes(StateCond, Window),
    /// The number of matching events in the window is within bounds.
    Count {
        /// What to count.
        what: EventMatch,
        /// The window.
        window: Window,
        /// At least this many.
        at_least: Option<u64>,
        /// At most this many.
        at_most: Option<u64>,
    },
    /// A load client's call outcomes.
    Calls {
        /// The client's id.
        client: String,
        /// Lowest acceptable ok / total.
        min_success_ratio: Option<f64>,
        /// Most acceptable timeouts.
        max_timeouts: Option<u64>,
        /// Most acceptable errors.
        max_errors: Option<u64>,
        /// Fewest calls made.
        min_calls: Option<u64>,
    },
    /// The state at the end of the run.
    AtEnd(EndCond),
    /// Every call was answered or timed out, and every item a buffered writer accepted
    /// was flushed or reported lost.
    NothingLost,
}

/// Conditions at the end of the run.
#[derive(Clone, Debug, PartialEq)]
pub enum EndCond {
    /// A process is running at the path.
    Alive(String),
    /// No process is running at the path.
    Dead(String),
    /// The supervisor at the path has this many live children.
    Children(String, u32),
}
