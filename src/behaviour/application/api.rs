//! The client side: `application:load/start/stop/ensure_all_started/...`, each a call
//! to the controller with timeout `infinity`, as in OTP.

use super::controller::{Controller, ControllerOpts};
use super::spec::{AppSpec, AppType};
use crate::behaviour::gen_server::{self, ServerName, ServerRef, StartOpts, StartResult};
use crate::kernel::Ctx;
use crate::term::{atom, Atom, Term};

/// The controller's registered name.
pub const CONTROLLER: Atom = Atom::from_static("application_controller");

/// Starts the simulation's application controller, registered as
/// `application_controller` and not linked to the caller (it belongs to the node, as
/// OTP's belongs to the kernel application). It owns the environment table, so
/// [`super::get_env`] works once it runs. `{error, {already_started, Pid}}` when one
/// runs already.
pub async fn start_controller(ctx: &Ctx, opts: ControllerOpts) -> StartResult {
    let start = StartOpts {
        name: Some(ServerName::Local(CONTROLLER)),
        ..StartOpts::default()
    };
    gen_server::start::<Controller>(ctx, opts, start).await
}

async fn call(ctx: &Ctx, request: Term) -> Result<Term, Term> {
    gen_server::call(ctx, ServerRef::Name(CONTROLLER), request, None).await
}

fn done(reply: Term) -> Result<(), Term> {
    match reply.as_tuple() {
        Some([e, r]) if e.is_atom("error") => Err(r.clone()),
        _ if reply.is_atom("ok") => Ok(()),
        _ => Err(Term::tagged("bad_reply", reply)),
    }
}

/// `application:load/1`: makes the application known to the controller and sets up
/// its environment (its `env`, overridden by the controller's config).
/// `Err({already_loaded, App})` when it is loaded already.
pub async fn load(ctx: &Ctx, spec: AppSpec) -> Result<(), Term> {
    let request = Term::tuple_of([atom("load"), Term::fun("application.spec", spec)]);
    done(call(ctx, request).await?)
}

/// `application:unload/1`: forgets the application and its environment.
/// `Err({running, App})` while it runs, `Err({not_loaded, App})` if unknown.
pub async fn unload(ctx: &Ctx, app: &str) -> Result<(), Term> {
    done(call(ctx, Term::tagged("unload", Term::atom_owned(app))).await?)
}

/// `application:start(App, Type)` (APP-1, APP-2). The application must be loaded
/// (otpsim has no `.app` files to load it from: `Err({not_loaded, App})`), and every
/// application it depends on started (`Err({not_started, Dep})`); a running one gives
/// `Err({already_started, App})`. A failed start function gives
/// `Err({R, {Mod, start, [normal, Args]}})`, and then, for a permanent or transient
/// application, the node halts (the controller stops every application and kills
/// every process), as real OTP 25 does (fixtures `application/halt_start_*.out`).
pub async fn start(ctx: &Ctx, app: &str, app_type: AppType) -> Result<(), Term> {
    let request = Term::tuple_of([
        atom("start_application"),
        Term::atom_owned(app),
        app_type.to_term(),
    ]);
    done(call(ctx, request).await?)
}

/// `application:ensure_all_started(App, Type)` (APP-1): starts the missing
/// dependencies first, depth-first in list order, and returns the applications it
/// started, in start order (empty when all ran already). On a failure it stops what
/// it started, newest first, and returns `Err({App, Reason})` naming the application
/// that failed (fixture `main.out`, `app1_ensure_failing_dep`). A dependency cycle gives
/// `Err({circular_dependency, App})` instead of looping.
pub async fn ensure_all_started(
    ctx: &Ctx,
    app: &str,
    app_type: AppType,
) -> Result<Vec<Atom>, Term> {
    let mut started: Vec<Atom> = Vec::new();
    let mut pending: Vec<Atom> = vec![Atom::new(app)];
    let failure = loop {
        let Some(next) = pending.last().cloned() else {
            return Ok(started);
        };
        match start(ctx, next.as_str(), app_type).await {
            Ok(()) => {
                started.push(next);
                pending.pop();
            }
            Err(e) if e == Term::tagged("already_started", Term::Atom(next.clone())) => {
                pending.pop();
            }
            Err(e) if e.tag() == Some("not_started") => {
                let dep = e.as_tuple().and_then(|t| t[1].as_atom()).map(Atom::new);
                match dep {
                    Some(dep) if !pending.contains(&dep) => pending.push(dep),
                    Some(dep) => break Term::tagged("circular_dependency", Term::Atom(dep)),
                    None => break e,
                }
            }
            // OTP names the application that failed: {error, {App, Reason}}.
            Err(e) => break Term::tuple_of([Term::Atom(next), e]),
        }
    };
    for app in started.iter().rev() {
        let _ = stop(ctx, app.as_str()).await;
    }
    Err(failure)
}

/// `application:stop/1` (APP-3): `prep_stop` with the tree alive, the top supervisor
/// shut down and waited for, `stop`, then the leftovers killed. Applications that
/// depend on it keep running. `Err({not_started, App})` when it is not started.
pub async fn stop(ctx: &Ctx, app: &str) -> Result<(), Term> {
    done(call(ctx, Term::tagged("stop_application", Term::atom_owned(app))).await?)
}

/// What `init:stop()` does to applications (APP-4): stops every running application
/// in reverse start order, each as [`stop`] does. The controller keeps running.
pub async fn stop_all(ctx: &Ctx) -> Result<(), Term> {
    done(call(ctx, atom("stop_all")).await?)
}

/// `application:which_applications/0`: the running applications, newest first.
pub async fn which_applications(ctx: &Ctx) -> Result<Vec<Atom>, Term> {
    let reply = call(ctx, atom("which_applications")).await?;
    Ok(reply
        .as_list()
        .unwrap_or(&[])
        .iter()
        .filter_map(|t| t.as_atom().map(Atom::new))
        .collect())
}
