//! The top level: version, name, seed, duration, limits, the application and the
//! workload.

use super::fields::{
    bounded, check_fields, failed, opt, positive_duration_us, read_id, read_name, req,
};
use super::terms::env_term;
use super::tree::{read_node, Parent, TreeCounter};
use crate::models::ModelSpec;
use crate::scenario::json::{Errors, LoadError, ObjectReader, Reader, UniqueIds};
use crate::scenario::spec::{
    AppRestartType, AppSpec, ClientSpec, NodeKind, ScenarioLimits, FORMAT_VERSION,
};

/// The fields a scenario file may have.
pub(super) const TOP_FIELDS: &[&str] = &[
    "otpsim",
    "name",
    "description",
    "seed",
    "duration",
    "limits",
    "app",
    "workload",
    "faults",
    "phases",
    "swarm",
    "buggify",
    "expect",
];

/// The longest run: a day of virtual time.
pub(super) const MAX_DURATION_US: u64 = 24 * 3_600_000_000;

/// The top-level scalars.
pub(super) struct Header {
    pub name: String,
    pub description: String,
    pub seed: u64,
    /// `None` when the duration could not be read (time checks are then skipped).
    pub duration_us: Option<u64>,
    pub limits: ScenarioLimits,
}

/// Reads the version, name, description, seed, duration and limits. A file of another
/// format version stops here: its other fields may mean something else.
pub(super) fn read_header(
    top: &ObjectReader<'_>,
    errors: &mut Errors,
) -> Result<Header, LoadError> {
    if let Some(v) = top.optional("otpsim") {
        let version = v.expect_u64();
        if version.as_ref().map_or(true, |n| *n != FORMAT_VERSION) {
            let shown = match version {
                Ok(n) => format!("unsupported format version {n}"),
                Err(_) => "the format version must be an integer".to_string(),
            };
            return Err(v.error_expected(
                shown,
                format!(
                    "`\"otpsim\": {FORMAT_VERSION}`: this build reads version {FORMAT_VERSION}"
                ),
            ));
        }
    } else {
        errors.push(top.as_reader().error_expected(
            "missing field `otpsim`",
            format!("`\"otpsim\": {FORMAT_VERSION}` (the format version)"),
        ));
    }
    errors.check(check_fields(top, TOP_FIELDS, "a scenario", &[]));
    let name = req(top, "name", errors, |r| read_name(r).map(str::to_string));
    let description = opt(top, "description", errors, String::new(), |r| {
        r.expect_str().map(str::to_string)
    });
    let seed = opt(top, "seed", errors, 1, Reader::expect_u64);
    let duration_us = req(top, "duration", errors, |r| {
        let us = positive_duration_us(r)?;
        if us > MAX_DURATION_US {
            return Err(r.error_expected(
                format!("{} is too long", super::names::duration(us)),
                "at most 24h",
            ));
        }
        Ok(us)
    });
    let limits = opt(
        top,
        "limits",
        errors,
        ScenarioLimits::default(),
        read_limits,
    );
    Ok(Header {
        name: name.unwrap_or_default(),
        description: description.unwrap_or_default(),
        seed: seed.unwrap_or(1),
        duration_us,
        limits: limits.unwrap_or_default(),
    })
}

fn read_limits(r: &Reader<'_>) -> Result<ScenarioLimits, LoadError> {
    let obj = r.expect_object()?;
    const FIELDS: &[&str] = &[
        "max_events",
        "max_events_per_instant",
        "max_processes",
        "max_mailbox_len",
    ];
    let mut errors = Errors::new();
    errors.check(check_fields(&obj, FIELDS, "limits", &[]));
    let d = ScenarioLimits::default();
    let e = &mut errors;
    let max_events = opt(&obj, "max_events", e, d.max_events, |r| {
        bounded(r, 1, 1_000_000_000)
    });
    let per_instant = opt(
        &obj,
        "max_events_per_instant",
        e,
        d.max_events_per_instant,
        |r| bounded(r, 1, 1_000_000_000),
    );
    let procs = opt(&obj, "max_processes", e, d.max_processes, |r| {
        bounded(r, 1, 10_000_000).map(|n| n as u32)
    });
    let mailbox = opt(&obj, "max_mailbox_len", e, d.max_mailbox_len, |r| {
        bounded(r, 1, 10_000_000).map(|n| n as u32)
    });
    match (max_events, per_instant, procs, mailbox) {
        (
            Some(max_events),
            Some(max_events_per_instant),
            Some(max_processes),
            Some(max_mailbox_len),
        ) => errors.into_result(ScenarioLimits {
            max_events,
            max_events_per_instant,
            max_processes,
            max_mailbox_len,
        }),
        _ => Err(failed(errors, r)),
    }
}

const APP_FIELDS: &[&str] = &["name", "type", "env", "stop_at", "root"];

/// Reads `"app"`: name, type, env, stop_at and the tree.
pub(super) fn read_app(
    top: &ObjectReader<'_>,
    header: &Header,
    errors: &mut Errors,
) -> Option<AppSpec> {
    let obj = errors.check(top.required("app").and_then(|r| r.expect_object()))?;
    errors.check(check_fields(&obj, APP_FIELDS, "the app", &[]));
    let name = opt(&obj, "name", errors, header.name.clone(), |r| {
        read_name(r).map(str::to_string)
    });
    let app_type = opt(&obj, "type", errors, AppRestartType::Temporary, |r| {
        Ok(match r.one_of(&["temporary", "transient", "permanent"])? {
            "temporary" => AppRestartType::Temporary,
            "transient" => AppRestartType::Transient,
            _ => AppRestartType::Permanent,
        })
    });
    let env = opt(&obj, "env", errors, Vec::new(), read_env);
    let stop_at_us = opt(&obj, "stop_at", errors, None, |r| {
        super::fields::time_before_end_us(r, header.duration_us).map(Some)
    });
    let root = req(&obj, "root", errors, |r| {
        let mut counter = TreeCounter::default();
        let mut node_errors = Errors::new();
        let node = read_node(r, 1, Parent::Application, &mut counter, &mut node_errors);
        let node = node_errors.into_result(node)?;
        match node {
            Some(n) if matches!(n.kind, NodeKind::Model(_) | NodeKind::Registry { .. }) => {
                Err(r.error_expected(
                    "the root must be a supervisor",
                    "a node of type `supervisor`, `dynamic_supervisor`, `partition_supervisor` or `task_supervisor`",
                ))
            }
            Some(n) => Ok(n),
            None => Err(r.error("internal error: a node failed without an error")),
        }
    });
    Some(AppSpec {
        name: name?,
        app_type: app_type?,
        env: env?,
        root: root?,
        stop_at_us: stop_at_us?,
    })
}

fn read_env(r: &Reader<'_>) -> Result<Vec<(String, crate::term::Term)>, LoadError> {
    let obj = r.expect_object()?;
    let mut errors = Errors::new();
    let mut env = Vec::new();
    for (key, _, value) in obj.fields() {
        if let Some(t) = errors.check(env_term(&value)) {
            env.push((key.to_string(), t));
        }
    }
    // Sorted by key, as nested objects are (see `env_term`).
    env.sort_by(|a: &(String, crate::term::Term), b| a.0.cmp(&b.0));
    errors.into_result(env)
}

const CLIENT_FIELDS: &[&str] = &["id", "model", "params"];

/// Reads `"workload"`: the load clients, ids unique.
pub(super) fn read_workload(
    top: &ObjectReader<'_>,
    errors: &mut Errors,
) -> Option<Vec<ClientSpec>> {
    let Some(r) = top.optional("workload") else {
        return Some(Vec::new());
    };
    let items = errors.check(r.expect_array())?;
    let mut ids = UniqueIds::new("client id");
    let mut clients = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        let client = errors.check(read_client(&item, &mut ids));
        match client {
            Some(c) => clients.push(c),
            None => ok = false,
        }
    }
    ok.then_some(clients)
}

fn read_client<'a>(r: &Reader<'a>, ids: &mut UniqueIds<'a>) -> Result<ClientSpec, LoadError> {
    let obj = r.expect_object()?;
    let mut errors = Errors::new();
    errors.check(check_fields(&obj, CLIENT_FIELDS, "a client", &[]));
    let id = errors.check(obj.required("id").and_then(|r| {
        read_id(&r)?;
        ids.check(&r)
    }));
    let params = obj.optional("params");
    let model = req(&obj, "model", &mut errors, |m| {
        ModelSpec::parse(m, params.as_ref())
    });
    match (id, model) {
        (Some(id), Some(model)) => errors.into_result(ClientSpec {
            id: id.to_string(),
            model,
        }),
        _ => Err(failed(errors, r)),
    }
}
