//! The driver process, twin of conf_run.erl's: it traps exits, starts the root linked
//! to itself, performs the timeline at its virtual-time offsets, and takes the final
//! snapshot at `end_ms`. It writes the same lines the OTP driver writes.

use super::scenario::{Action, Scenario};
use super::tree::{child_spec, dyn_child_spec, start_sup, Kind};
use super::worker::{reason, Registry};
use otpsim::behaviour::dynamic_supervisor;
use otpsim::behaviour::gen_server;
use otpsim::behaviour::supervisor::{self, ChildInfo, ChildPid, ChildType};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// What the driver works with: the scenario, the registry of the tree's processes,
/// and what each path is.
pub struct World {
    pub scenario: Scenario,
    pub registry: Registry,
    pub kinds: BTreeMap<String, Kind>,
}

impl World {
    fn is_dynamic(&self, path: &str) -> bool {
        self.kinds.get(path) == Some(&Kind::DynSup)
    }

    fn show(&self, t: &Term) -> String {
        self.registry.named(t).to_string()
    }

    fn sup_pid(&self, path: &str) -> Pid {
        self.registry
            .pid_of(path)
            .unwrap_or_else(|| panic!("no supervisor {path}"))
    }

    /// which_children of the supervisor at `path` as (name, status) rows: the name is
    /// the child id, or under a dynamic supervisor (every id `undefined`) the name of
    /// the child's process, as conf_run:children/1 prints them.
    async fn children(&self, ctx: &Ctx, path: &str) -> Vec<(String, String, Option<Pid>)> {
        let dynamic = self.is_dynamic(path);
        let rows = supervisor::which_children(ctx, self.sup_pid(path)).await;
        rows.iter()
            .map(|c| {
                let pid = match (c.child_type, c.pid) {
                    (ChildType::Supervisor, ChildPid::Pid(p)) => Some(p),
                    _ => None,
                };
                let name = match c.pid {
                    ChildPid::Pid(p) if dynamic => self.show(&Term::Pid(p)),
                    _ => id_text(&c.id),
                };
                (name, status(c), pid)
            })
            .collect()
    }
}

/// What the driver saw: its lines, and the final state.
#[derive(Default)]
pub struct DriverLog {
    pub lines: Vec<String>,
    /// `(supervisor path, [(child id, running | undefined | restarting)])`, from the
    /// root down, as conf_run:tree/2 walks it.
    pub which_children: Vec<(String, Vec<(String, String)>)>,
    /// When the snapshot was taken (µs); later events are not compared.
    pub snapshot_us: Option<u64>,
}

pub type SharedLog = Rc<RefCell<DriverLog>>;

/// The driver's body.
pub async fn drive(ctx: Ctx, world: Rc<World>, log: SharedLog) {
    let line = |l: String| log.borrow_mut().lines.push(l);
    let sc = &world.scenario;
    ctx.trap_exit(true);
    let t0 = ctx.now_us();
    let start = start_sup(&ctx, &sc.root, "root", &world.registry).await;
    line(format!("start root -> {}", world.show(&start.to_term())));
    for a in &sc.timeline {
        sleep_until(&ctx, t0 + ms(a.at_ms)).await;
        act(&ctx, a, &world, &line).await;
    }
    sleep_until(&ctx, t0 + ms(sc.end_ms)).await;
    let mut tree = Vec::new();
    let root_alive = world
        .registry
        .pid_of("root")
        .is_some_and(|p| ctx.is_alive(p));
    if root_alive {
        walk(&ctx, &world, "root".into(), &mut tree).await;
    }
    {
        let mut l = log.borrow_mut();
        l.which_children = tree;
        l.snapshot_us = Some(ctx.now_us());
    }
    // Stay alive: the root is linked to the driver, and a parent's exit would stop it.
    let _ = ctx.recv_match(|_| false, None).await;
}

async fn sleep_until(ctx: &Ctx, at_us: u64) {
    let now = ctx.now_us();
    if at_us > now {
        ctx.sleep(at_us - now).await;
    }
}

fn status(c: &ChildInfo) -> String {
    match c.pid {
        ChildPid::Pid(_) => "running",
        ChildPid::Restarting => "restarting",
        ChildPid::Undefined => "undefined",
    }
    .to_string()
}

fn id_text(id: &Term) -> String {
    id.as_atom().map_or_else(|| id.to_string(), str::to_string)
}

async fn walk(
    ctx: &Ctx,
    world: &World,
    path: String,
    out: &mut Vec<(String, Vec<(String, String)>)>,
) {
    let rows = world.children(ctx, &path).await;
    out.push((
        path.clone(),
        rows.iter()
            .map(|(n, s, _)| (n.clone(), s.clone()))
            .collect(),
    ));
    for (name, _, sup) in rows {
        if sup.is_some() {
            Box::pin(walk(ctx, world, format!("{path}/{name}"), out)).await;
        }
    }
}

fn ok_or_error(r: Result<(), Term>) -> Term {
    match r {
        Ok(()) => Term::OK,
        Err(e) => Term::tagged("error", e),
    }
}

fn started(r: Result<Option<Pid>, Term>) -> Term {
    match r {
        Ok(Some(p)) => Term::tuple([Term::OK, Term::Pid(p)]),
        Ok(None) => Term::tuple([Term::OK, Term::UNDEFINED]),
        Err(e) => Term::tagged("error", e),
    }
}

/// start_child's `{error, {Reason, ChildInfo}}` with the child info replaced by
/// `child`, as conf_run:strip_child/1 does.
fn strip_child(t: Term) -> Term {
    if let Some([e, inner]) = t.as_tuple() {
        if let Some([r, _]) = inner.as_tuple() {
            if e.is_atom("error") && !r.is_atom("already_started") {
                return Term::tagged("error", Term::tuple([r.clone(), atom("child")]));
            }
        }
    }
    t
}

async fn act(ctx: &Ctx, a: &Action, world: &World, line: &impl Fn(String)) {
    let field = |f: &Option<String>, what: &str| {
        f.clone()
            .unwrap_or_else(|| panic!("action {} needs {what}", a.what))
    };
    let registry = &world.registry;
    let show = |t: &Term| world.show(t);
    let sup_pid = |path: &str| world.sup_pid(path);
    match a.what.as_str() {
        "kill" | "exit" => {
            let path = field(&a.path, "path");
            let r = reason(&field(&a.reason, "reason"));
            let target = match registry.pid_of(&path) {
                None => format!("{path} noproc"),
                Some(pid) => {
                    if a.what == "kill" {
                        ctx.exit(pid, r.clone());
                    } else {
                        gen_server::cast(ctx, pid, Term::tagged("stop_with", r.clone()));
                    }
                    show(&Term::Pid(pid))
                }
            };
            line(format!("{} {target} {r}", a.what));
        }
        "stop" => {
            let path = field(&a.path, "path");
            let r = reason(a.reason.as_deref().unwrap_or("normal"));
            let res = supervisor::stop(ctx, sup_pid(&path), r.clone()).await;
            line(format!("stop {path} {r} -> {}", show(&ok_or_error(res))));
        }
        "which_children" => {
            let path = field(&a.sup, "sup");
            let rows = world.children(ctx, &path).await;
            let text: String = rows.iter().map(|(n, s, _)| format!(" {n}:{s}")).collect();
            line(format!("which_children {path} ->{text}"));
        }
        "start_child" => {
            let path = field(&a.sup, "sup");
            let node = a.child.as_ref().expect("start_child needs child");
            let res = if world.is_dynamic(&path) {
                let spec = dyn_child_spec(node, &path, registry);
                dynamic_supervisor::start_child(ctx, sup_pid(&path), spec)
                    .await
                    .to_term()
            } else {
                let spec = child_spec(node, &path, registry);
                strip_child(started(
                    supervisor::start_child(ctx, sup_pid(&path), spec).await,
                ))
            };
            line(format!(
                "start_child {path} {} -> {}",
                node.id(),
                show(&res)
            ));
        }
        "terminate_child" if a.child_path.is_some() => {
            // A dynamic supervisor's child, by pid (DSUP-4).
            let path = field(&a.sup, "sup");
            let child = registry
                .pid_of(&field(&a.child_path, "child_path"))
                .expect("the child was started");
            let res = dynamic_supervisor::terminate_child(ctx, sup_pid(&path), child).await;
            let (who, what) = (show(&Term::Pid(child)), show(&ok_or_error(res)));
            line(format!("terminate_child {path} {who} -> {what}"));
        }
        "terminate_child" | "restart_child" | "delete_child" => {
            let path = field(&a.sup, "sup");
            let id = field(&a.id, "id");
            let sup = sup_pid(&path);
            let idt = Term::atom_owned(&id);
            let res = match a.what.as_str() {
                "terminate_child" => ok_or_error(supervisor::terminate_child(ctx, sup, idt).await),
                "restart_child" => started(supervisor::restart_child(ctx, sup, idt).await),
                _ => ok_or_error(supervisor::delete_child(ctx, sup, idt).await),
            };
            line(format!("{} {path} {id} -> {}", a.what, show(&res)));
        }
        other => panic!("unknown action {other:?}"),
    }
}
