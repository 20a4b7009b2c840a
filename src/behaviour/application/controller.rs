//! The application controller: one per simulation, registered as
//! `application_controller`, written after `application_controller.erl`. It loads
//! applications, starts them through an application master each (APP-1, APP-2), stops
//! them (APP-3, APP-4), and reacts to their deaths by their type (APP-5), halting the
//! node when OTP would.

use super::env::{EnvTable, TABLE};
use super::master::master;
use super::spec::{AppSpec, AppType};
use crate::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Next, Response};
use crate::kernel::{Ctx, SpawnOpts};
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::EventKind;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Options for [`super::start_controller`].
#[derive(Clone, Debug, Default)]
pub struct ControllerOpts {
    /// Configuration by application, applied over each application's own `env` when
    /// it is loaded: the simulation's `sys.config` or Elixir config files (APP-6).
    pub config: BTreeMap<String, BTreeMap<String, Term>>,
}

/// An application whose start function is running.
struct Starting {
    app: Atom,
    app_type: AppType,
    master: Option<Pid>,
    waiters: Vec<From>,
}

pub(crate) struct Controller {
    config: BTreeMap<String, BTreeMap<String, Term>>,
    env: Rc<EnvTable>,
    loaded: BTreeMap<Atom, AppSpec>,
    /// Started applications with their types; an application that exited on its own
    /// stays started (OTP's `started`), so its dependants may still start.
    started: Vec<(Atom, AppType)>,
    /// Running applications and their masters, newest first (OTP's `running`).
    running: Vec<(Atom, Pid)>,
    starting: Vec<Starting>,
}

fn error(reason: Term) -> Term {
    Term::tagged("error", reason)
}

fn app_pair(tag: &'static str, app: &Atom) -> Term {
    Term::tagged(tag, Term::Atom(app.clone()))
}

/// `{{'EXIT', normal}, _}`: the one failed start a transient application survives.
fn is_exit_normal(reason: &Term) -> bool {
    matches!(reason.as_tuple(), Some([call, _])
        if matches!(call.as_tuple(), Some([e, n]) if e.is_atom("EXIT") && n.is_atom("normal")))
}

impl GenServer for Controller {
    type Args = ControllerOpts;

    async fn init(ctx: &Ctx, opts: ControllerOpts) -> Init<Self> {
        ctx.trap_exit(true);
        let env = Rc::new(EnvTable::default());
        if ctx.table_new(TABLE, env.clone()).is_err() {
            return Init::Stop(atom("badarg"));
        }
        Init::Ok(Controller {
            config: opts.config,
            env,
            loaded: BTreeMap::new(),
            started: Vec::new(),
            running: Vec::new(),
            starting: Vec::new(),
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, req: Term, from: From) -> CallResponse {
        let items = req.as_tuple().unwrap_or(&[]).to_vec();
        let app = items.get(1).and_then(Term::as_atom).map(Atom::new);
        match (req.tag().or(req.as_atom()), app) {
            (Some("load"), _) => {
                CallResponse::reply(self.load(items.get(1).unwrap_or(&Term::UNDEFINED)))
            }
            (Some("unload"), Some(app)) => CallResponse::reply(self.unload(&app)),
            (Some("start_application"), Some(app)) => {
                let app_type = items
                    .get(2)
                    .and_then(AppType::from_term)
                    .unwrap_or_default();
                self.start(ctx, app, app_type, from).await
            }
            (Some("stop_application"), Some(app)) => {
                CallResponse::reply(self.stop(ctx, &app).await)
            }
            (Some("stop_all"), _) => {
                for (app, master) in self.running.clone() {
                    self.stop_appl(ctx, &app, master).await;
                }
                self.running.clear();
                self.started.clear();
                CallResponse::reply(Term::OK)
            }
            (Some("which_applications"), _) => {
                let apps = self.running.iter().map(|(a, _)| Term::Atom(a.clone()));
                CallResponse::reply(Term::list(apps))
            }
            _ => CallResponse::reply(error(Term::tagged("bad_request", req.clone()))),
        }
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        let halt = match msg.as_tuple() {
            Some([tag, Term::Atom(app), Term::Pid(master), result])
                if tag.is_atom("ac_started") =>
            {
                let outcome = match result.as_tuple() {
                    Some([e, r]) if e.is_atom("error") => Err(r.clone()),
                    _ => Ok(*master),
                };
                self.finish_start(ctx, app, outcome, true)
            }
            Some([tag, Term::Pid(pid), reason]) if tag.is_atom("EXIT") => {
                self.master_exited(ctx, *pid, reason.clone())
            }
            _ => None,
        };
        match halt {
            Some(reason) => {
                self.halt(ctx, &reason).await;
                Response::Stop(reason)
            }
            None => Response::noreply(),
        }
    }
}

impl Controller {
    fn load(&mut self, spec: &Term) -> Term {
        let Some(spec) = spec.as_fun().and_then(|f| f.payload::<AppSpec>()) else {
            return error(atom("bad_application"));
        };
        if self.loaded.contains_key(&spec.name) {
            return error(app_pair("already_loaded", &spec.name));
        }
        let mut env = spec.env.clone();
        if let Some(over) = self.config.get(spec.name.as_str()) {
            env.extend(over.clone());
        }
        self.env.load(&spec.name, env);
        self.loaded.insert(spec.name.clone(), (*spec).clone());
        Term::OK
    }

    fn unload(&mut self, app: &Atom) -> Term {
        if self.is_running(app) {
            return error(app_pair("running", app));
        }
        if self.loaded.remove(app).is_none() {
            return error(app_pair("not_loaded", app));
        }
        self.env.unload(app);
        Term::OK
    }

    fn is_running(&self, app: &Atom) -> bool {
        self.running.iter().any(|(a, _)| a == app)
    }

    fn type_of(&self, app: &Atom) -> AppType {
        self.started
            .iter()
            .find(|(a, _)| a == app)
            .map_or(AppType::Temporary, |(_, t)| *t)
    }

    /// OTP's `check_start_cond`: loaded, not running, and every dependency started.
    fn check_start_cond(&self, app: &Atom) -> Result<AppSpec, Term> {
        let spec = self
            .loaded
            .get(app)
            .ok_or_else(|| app_pair("not_loaded", app))?;
        if self.is_running(app) {
            return Err(app_pair("already_started", app));
        }
        match spec
            .applications
            .iter()
            .find(|dep| !self.started.iter().any(|(a, _)| a == *dep))
        {
            Some(dep) => Err(app_pair("not_started", dep)),
            None => Ok(spec.clone()),
        }
    }

    async fn start(&mut self, ctx: &Ctx, app: Atom, app_type: AppType, from: From) -> CallResponse {
        if let Some(s) = self.starting.iter_mut().find(|s| s.app == app) {
            s.waiters.push(from);
            return CallResponse::noreply();
        }
        let spec = match self.check_start_cond(&app) {
            Ok(spec) => spec,
            Err(reason) => return CallResponse::reply(error(reason)),
        };
        let mut starting = Starting {
            app: app.clone(),
            app_type,
            master: None,
            waiters: vec![from],
        };
        // start_appl: a dependency that was started but has since exited.
        if let Some(dep) = spec.applications.iter().find(|d| !self.is_running(d)) {
            self.starting.push(starting);
            let reason = app_pair("not_running", dep);
            if let Some(halt) = self.finish_start(ctx, &app, Err(reason), false) {
                self.halt(ctx, &halt).await;
                return CallResponse::Stop {
                    reason: halt,
                    reply: None,
                };
            }
            return CallResponse::NoReply(Next::Wait);
        }
        let controller = ctx.me();
        let opts = SpawnOpts {
            link: true,
            label: Some(format!("{app}.master").into()),
            ..SpawnOpts::default()
        };
        let (pid, _) = ctx.spawn_opt(opts, move |mctx| master(mctx, spec, controller));
        starting.master = Some(pid);
        self.starting.push(starting);
        CallResponse::noreply()
    }

    /// The start's outcome: record and answer it; `Some(halt reason)` when a failed
    /// start of a permanent or transient application must halt the node. `exited`
    /// says whether OTP logs the failure as the application exiting.
    fn finish_start(
        &mut self,
        ctx: &Ctx,
        app: &Atom,
        outcome: Result<Pid, Term>,
        exited: bool,
    ) -> Option<Term> {
        let index = self.starting.iter().position(|s| &s.app == app)?;
        let s = self.starting.remove(index);
        let result = match &outcome {
            Ok(_) => Term::OK,
            Err(r) => error(r.clone()),
        };
        ctx.emit(EventKind::AppStart {
            app: app.clone(),
            app_type: s.app_type.atom(),
            result: result.clone(),
        });
        for waiter in &s.waiters {
            gen_server::reply(ctx, *waiter, result.clone());
        }
        match outcome {
            Ok(master) => {
                self.running.insert(0, (app.clone(), master));
                match self.started.iter_mut().find(|(a, _)| a == app) {
                    Some(entry) => entry.1 = s.app_type,
                    None => self.started.insert(0, (app.clone(), s.app_type)),
                }
                None
            }
            Err(reason) => {
                let halts = match s.app_type {
                    AppType::Temporary => false,
                    AppType::Transient => !is_exit_normal(&reason),
                    AppType::Permanent => true,
                };
                if exited {
                    self.emit_exit(ctx, app, reason.clone(), s.app_type, halts);
                }
                halts.then(|| {
                    Term::tuple_of([
                        atom("application_start_failure"),
                        Term::Atom(app.clone()),
                        reason,
                    ])
                })
            }
        }
    }

    fn emit_exit(&self, ctx: &Ctx, app: &Atom, reason: Term, app_type: AppType, halts: bool) {
        ctx.emit(EventKind::AppExit {
            app: app.clone(),
            reason,
            app_type: app_type.atom(),
            consequence: Atom::from_static(if halts { "node_halt" } else { "logged" }),
        });
    }

    /// A master died: a running application ended on its own (APP-5), or a start
    /// ended before its master could report.
    fn master_exited(&mut self, ctx: &Ctx, pid: Pid, reason: Term) -> Option<Term> {
        if let Some(index) = self.running.iter().position(|(_, m)| *m == pid) {
            let (app, _) = self.running.remove(index);
            let app_type = self.type_of(&app);
            let halts = match app_type {
                AppType::Temporary => false,
                AppType::Transient => !reason.is_atom("normal"),
                AppType::Permanent => true,
            };
            self.emit_exit(ctx, &app, reason.clone(), app_type, halts);
            return halts.then(|| {
                Term::tuple_of([atom("application_terminated"), Term::Atom(app), reason])
            });
        }
        let app = self
            .starting
            .iter()
            .find(|s| s.master == Some(pid))
            .map(|s| s.app.clone())?;
        self.finish_start(ctx, &app, Err(reason), true)
    }

    async fn stop(&mut self, ctx: &Ctx, app: &Atom) -> Term {
        if let Some(index) = self.running.iter().position(|(a, _)| a == app) {
            let (_, master) = self.running[index].clone();
            self.stop_appl(ctx, app, master).await;
            self.running.retain(|(a, _)| a != app);
            self.started.retain(|(a, _)| a != app);
            return Term::OK;
        }
        if self.started.iter().any(|(a, _)| a == app) {
            self.started.retain(|(a, _)| a != app);
            return Term::OK;
        }
        error(app_pair("not_started", app))
    }

    /// `stop_appl`: ask the master to stop the application and wait (APP-3).
    async fn stop_appl(&self, ctx: &Ctx, app: &Atom, master: Pid) {
        ctx.unlink(master);
        let mref = ctx.monitor(master);
        ctx.send(
            master,
            Term::tuple_of([atom("stop"), Term::Ref(mref), Term::Pid(ctx.me())]),
        );
        let _ = ctx
            .recv_match(
                move |m| match m.as_tuple() {
                    Some([Term::Ref(r), _]) => *r == mref,
                    Some([d, Term::Ref(r), ..]) => d.is_atom("DOWN") && *r == mref,
                    _ => false,
                },
                None,
            )
            .await;
        ctx.demonitor(mref, true);
        self.emit_exit(ctx, app, atom("stopped"), self.type_of(app), false);
    }

    /// The node halts: every running application is stopped, newest first, as the
    /// controller's `terminate` does; then every other process is killed, in spawn
    /// order. Naming the run's outcome is the scenario layer's job.
    async fn halt(&mut self, ctx: &Ctx, reason: &Term) {
        ctx.emit(EventKind::NodeHalt {
            reason: reason.clone(),
        });
        for (_, master) in std::mem::take(&mut self.running) {
            ctx.unlink(master);
            let mref = ctx.monitor(master);
            ctx.exit(master, Term::SHUTDOWN);
            let _ = ctx
                .recv_match(
                    move |m| matches!(m.as_tuple(), Some([d, Term::Ref(r), ..]) if d.is_atom("DOWN") && *r == mref),
                    None,
                )
                .await;
        }
        let me = ctx.me();
        for pid in ctx.processes() {
            if pid != me {
                ctx.exit(pid, Term::KILL);
            }
        }
    }
}
