//! The application master and its starter, as `application_master.erl` builds them:
//! the master (linked to the controller, trapping exits) spawns the starter, which runs
//! the start function, links to the top supervisor, and later runs `prep_stop`, shuts
//! the tree down and runs `stop` (APP-2, APP-3, APP-5).
//!
//! OTP finds an application's leftover processes by their group leader, the master.
//! otpsim has no group leaders; the sound part it keeps is the processes *linked to
//! the starter* when it ends (what the start function `spawn_link`ed besides the top
//! supervisor): the master kills those with `kill` after `stop`, as OTP's
//! `kill_all_procs` does. Processes an application started with no link to its starter
//! are not found, and are left running.

use super::spec::AppSpec;
use crate::behaviour::gen_server::StartResult;
use crate::kernel::{catch_crash, Ctx, ProcResult, SpawnOpts};
use crate::term::{atom, Pid, Ref, Term};
use crate::trace::EventKind;

/// What the master tells the controller once the start function returned:
/// `{ac_started, App, Master, ok | {error, R}}`.
pub(crate) fn started_message(spec: &AppSpec, master: Pid, result: Term) -> Term {
    Term::tuple_of([
        atom("ac_started"),
        Term::Atom(spec.name.clone()),
        Term::Pid(master),
        result,
    ])
}

fn is_exit_from(m: &Term, pid: Pid) -> Option<Term> {
    match m.as_tuple()? {
        [tag, Term::Pid(p), reason] if tag.is_atom("EXIT") && *p == pid => Some(reason.clone()),
        _ => None,
    }
}

fn is_tagged(m: &Term, tag: Ref) -> Option<Term> {
    match m.as_tuple()? {
        [Term::Ref(r), value] if *r == tag => Some(value.clone()),
        _ => None,
    }
}

/// The master's body: spawned linked to the controller.
pub(crate) async fn master(ctx: Ctx, spec: AppSpec, controller: Pid) -> ProcResult {
    ctx.trap_exit(true);
    let me = ctx.me();
    let tag = ctx.make_ref();
    let opts = SpawnOpts {
        link: true,
        label: Some(format!("{}.starter", spec.name).into()),
        ..SpawnOpts::default()
    };
    let starter_spec = spec.clone();
    let (starter, _) = ctx.spawn_opt(opts, move |sctx| starter(sctx, starter_spec, me, tag));
    // init_loop: the start function's result, or the starter's death.
    let msg = ctx
        .recv_match(
            move |m| is_tagged(m, tag).is_some() || is_exit_from(m, starter).is_some(),
            None,
        )
        .await
        .unwrap_or(Term::UNDEFINED);
    let result = is_tagged(&msg, tag)
        .or_else(|| is_exit_from(&msg, starter).map(|r| Term::tagged("error", r)))
        .unwrap_or(Term::UNDEFINED);
    ctx.send(controller, started_message(&spec, me, result.clone()));
    if !result.is_atom("ok") {
        // As application_master's init: exit with the error's reason.
        return Err(result.as_tuple().map_or(result.clone(), |t| t[1].clone()));
    }
    main_loop(&ctx, controller, starter).await
}

async fn main_loop(ctx: &Ctx, controller: Pid, starter: Pid) -> ProcResult {
    loop {
        // A starter that ends on its own reports its leftovers first: keep that report
        // queued for `terminate`.
        let msg = ctx
            .recv_match(|m| m.tag() != Some("leftovers"), None)
            .await
            .unwrap_or(Term::UNDEFINED);
        if let Some(reason) = is_exit_from(&msg, controller) {
            terminate(ctx, Some(starter), reason.clone()).await;
            return Err(reason);
        }
        if let Some(reason) = is_exit_from(&msg, starter) {
            // The starter forwards the top supervisor's reason, `normal` included.
            terminate(ctx, None, reason.clone()).await;
            return exit_with(reason);
        }
        if let Some([stop, Term::Ref(tag), Term::Pid(from)]) = msg.as_tuple() {
            if stop.is_atom("stop") {
                terminate(ctx, Some(starter), Term::NORMAL).await;
                ctx.send(*from, Term::tuple_of([Term::Ref(*tag), Term::OK]));
                return Ok(());
            }
        }
    }
}

fn exit_with(reason: Term) -> ProcResult {
    if reason.is_atom("normal") {
        Ok(())
    } else {
        Err(reason)
    }
}

/// `terminate/2`: stop the starter gently (it runs prep_stop, the shutdown and stop),
/// then kill the leftovers it reported.
async fn terminate(ctx: &Ctx, starter: Option<Pid>, _reason: Term) {
    let mut leftovers: Vec<Pid> = Vec::new();
    if let Some(starter) = starter {
        ctx.send(
            starter,
            Term::tuple_of([Term::Pid(ctx.me()), atom("terminate")]),
        );
        loop {
            let msg = ctx
                .recv_match(
                    move |m| is_exit_from(m, starter).is_some() || m.tag() == Some("leftovers"),
                    None,
                )
                .await
                .unwrap_or(Term::UNDEFINED);
            if is_exit_from(&msg, starter).is_some() {
                break;
            }
            collect_leftovers(&msg, &mut leftovers);
        }
    }
    // A starter that ended on its own sent its list just before its EXIT.
    while let Some(msg) = ctx
        .recv_match(|m| m.tag() == Some("leftovers"), Some(0))
        .await
    {
        collect_leftovers(&msg, &mut leftovers);
    }
    for pid in leftovers {
        ctx.exit(pid, Term::KILL);
    }
}

fn collect_leftovers(msg: &Term, into: &mut Vec<Pid>) {
    if let Some([_, Term::List(pids)]) = msg.as_tuple() {
        into.extend(pids.iter().filter_map(Term::as_pid));
    }
}

/// The starter ("process X" in application_master.erl): runs the start function, then
/// waits for the end of the application.
async fn starter(ctx: Ctx, spec: AppSpec, master: Pid, tag: Ref) -> ProcResult {
    ctx.trap_exit(true);
    let reply = |value: Term| ctx.send(master, Term::tuple_of([Term::Ref(tag), value]));
    let bad_return = |what: Term| {
        let inner = Term::tuple_of([spec.start_mfa(), what]);
        Term::tagged("error", Term::tagged("bad_return", inner))
    };
    let top = match catch_crash((spec.start)(ctx.clone())).await {
        Ok(StartResult::Ok(top)) => top,
        Ok(StartResult::Error(r)) => {
            reply(Term::tagged("error", Term::tuple_of([r, spec.start_mfa()])));
            return Ok(());
        }
        Ok(StartResult::Ignore) => {
            reply(bad_return(atom("ignore")));
            return Ok(());
        }
        Err(crash) => {
            reply(bad_return(Term::tagged("EXIT", crash)));
            return Ok(());
        }
    };
    // Usually linked already by start_link; a dead top gives a trapped EXIT noproc.
    let _ = ctx.link(top);
    reply(Term::OK);
    loop {
        let msg = ctx.recv().await;
        let from_master = matches!(msg.as_tuple(), Some([Term::Pid(p), t]) if *p == master && t.is_atom("terminate"));
        if from_master {
            prep_stop(&ctx, &spec).await;
            shut_down(&ctx, top, Term::SHUTDOWN).await;
            stop(&ctx, &spec).await;
            report_leftovers(&ctx, master, top);
            return Ok(());
        }
        if let Some(reason) = is_exit_from(&msg, master) {
            prep_stop(&ctx, &spec).await;
            shut_down(&ctx, top, reason.clone()).await;
            stop(&ctx, &spec).await;
            report_leftovers(&ctx, master, top);
            return Err(reason);
        }
        if let Some(reason) = is_exit_from(&msg, top) {
            // APP-5: the tree is already dead; forward its reason, normal included.
            prep_stop(&ctx, &spec).await;
            stop(&ctx, &spec).await;
            report_leftovers(&ctx, master, top);
            return exit_with(reason);
        }
    }
}

/// `exit(TopSup, Reason)` and wait for it without a timeout (APP-3, SUP-25).
async fn shut_down(ctx: &Ctx, top: Pid, reason: Term) {
    ctx.exit(top, reason);
    let _ = ctx
        .recv_match(move |m| is_exit_from(m, top).is_some(), None)
        .await;
}

async fn prep_stop(ctx: &Ctx, spec: &AppSpec) {
    ctx.emit(EventKind::AppPrepStop {
        app: spec.name.clone(),
    });
    if let Some(f) = &spec.prep_stop {
        // OTP logs a crashing prep_stop and goes on.
        let _ = catch_crash(f(ctx.clone())).await;
    }
}

async fn stop(ctx: &Ctx, spec: &AppSpec) {
    ctx.emit(EventKind::AppStop {
        app: spec.name.clone(),
    });
    if let Some(f) = &spec.stop {
        let _ = catch_crash(f(ctx.clone())).await;
    }
}

/// Tells the master which processes are still linked to the starter: the leftovers
/// it kills (see the module documentation).
fn report_leftovers(ctx: &Ctx, master: Pid, top: Pid) {
    let pids: Vec<Term> = ctx
        .links_of(ctx.me())
        .into_iter()
        .filter(|p| *p != master && *p != top)
        .map(Term::Pid)
        .collect();
    ctx.send(master, Term::tagged("leftovers", Term::list(pids)));
}
