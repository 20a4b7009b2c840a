//! otpsim's gen_server against real OTP, part two: how a start ends (`gs_start`) and
//! how a server ends (`gs_terminate`). The conventions are those of
//! `gen_server_otp_fixtures.rs` (which has the call probes and checks that every
//! probe has a test).

mod common;

use common::otp::*;
use otpsim::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Next, Response, StartOpts,
};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};

/// What `init/1` of `gs_start.erl` does.
#[derive(Clone)]
enum StartMode {
    Ok,
    Continue,
    Ignore,
    Stop(Term),
    /// `exit(R)` in init: a panic in Rust.
    Exit(&'static str),
    Sleep(u64),
}

/// The server of `gs_start.erl`: tells its starter when `terminate` runs.
struct StartProbe {
    watcher: Pid,
}

impl GenServer for StartProbe {
    type Args = (Pid, StartMode);
    async fn init(ctx: &Ctx, (watcher, mode): (Pid, StartMode)) -> Init<Self> {
        let s = StartProbe { watcher };
        match mode {
            StartMode::Ok => Init::Ok(s),
            StartMode::Continue => Init::OkThen(s, Next::Continue(atom("block"))),
            StartMode::Ignore => Init::Ignore,
            StartMode::Stop(r) => Init::Stop(r),
            StartMode::Exit(r) => panic!("{r}"),
            StartMode::Sleep(t) => {
                ctx.sleep(ms(t)).await;
                Init::Ok(s)
            }
        }
    }
    async fn handle_call(&mut self, _ctx: &Ctx, _req: Term, _from: From) -> CallResponse {
        CallResponse::reply(Term::OK)
    }
    async fn handle_continue(&mut self, ctx: &Ctx, _cont: Term) -> gen_server::Response {
        ctx.recv_match(|m| m.is_atom("unblock"), None).await;
        gen_server::Response::noreply()
    }
    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        ctx.send(self.watcher, Term::tagged("terminated", reason.clone()));
    }
}

fn modes() -> Vec<(&'static str, StartMode)> {
    vec![
        ("ok", StartMode::Ok),
        ("ignore", StartMode::Ignore),
        ("stop_bye", StartMode::Stop(atom("bye"))),
        ("stop_normal", StartMode::Stop(atom("normal"))),
        (
            "stop_shutdown_x",
            StartMode::Stop(Term::tagged("shutdown", atom("x"))),
        ),
        ("exit_boom", StartMode::Exit("boom")),
    ]
}

fn start_opts(timeout_ms: Option<u64>) -> StartOpts {
    StartOpts {
        timeout_ms,
        ..StartOpts::default()
    }
}

/// The starter's exit reason, printed as the probe does (only `self` is named).
fn check_reason(fx: &mut Fixture, key: &str, probe: &Probe, reason: &Term) {
    fx.check(key, probe.show(&panic_as_exit(reason)));
}

#[test]
fn otp_gs_start() {
    let mut fx = Fixture::load("gen_server/gs_start");

    // GS-2, GS-3: a trapping starter gets the result, then the link's EXIT; terminate
    // never runs for a failed init.
    for (key, mode) in modes() {
        let (p, _) = observe(move |ctx, p| async move {
            ctx.trap_exit(true);
            let r = gen_server::start_link::<StartProbe>(&ctx, (ctx.me(), mode), start_opts(None))
                .await;
            if let gen_server::StartResult::Ok(s) = r {
                p.name(s, "s");
            }
            note(&p, "returned", r.to_term());
            note_mailbox(&ctx, &p, 50).await;
            end_of_body()
        });
        check_notes(&mut fx, &format!("trap.{key}"), &p);
    }

    // GS-3: a starter that does not trap dies of the server's reason, unless normal.
    for (key, mode) in modes() {
        let (p, reason) = observe(move |ctx, _p| async move {
            let r = gen_server::start_link::<StartProbe>(&ctx, (ctx.me(), mode), start_opts(None));
            r.await;
            ctx.sleep(ms(50)).await;
            end_of_body()
        });
        check_reason(
            &mut fx,
            &format!("notrap.{key}.starter_reason"),
            &p,
            &reason,
        );
    }

    // GS-1: start_link returns before the continue runs.
    let (p, _) = observe(|ctx, p| async move {
        let mode = StartMode::Continue;
        let r = gen_server::start_link::<StartProbe>(&ctx, (ctx.me(), mode), start_opts(None));
        let s = p.name(r.await.into_result()?, "s");
        note(&p, "returned", Term::tuple([Term::OK, Term::Pid(s)]));
        let r = gen_server::call(&ctx, s, atom("get"), Some(50)).await;
        note(&p, "during_continue", caught(r));
        ctx.send(s, atom("unblock"));
        let r = gen_server::call(&ctx, s, atom("get"), Some(5000)).await;
        note(&p, "after_continue", caught(r));
        end_of_body()
    });
    check_notes(&mut fx, "continue", &p);

    // GS-4: the start gives up after 50 ms; nothing is left behind.
    for (key, trap) in [("trap", true), ("notrap", false)] {
        let (p, reason) = observe(move |ctx, p| async move {
            ctx.trap_exit(trap);
            let args = (ctx.me(), StartMode::Sleep(200));
            let r = gen_server::start_link::<StartProbe>(&ctx, args, start_opts(Some(50))).await;
            note(&p, "returned", r.to_term());
            note_mailbox(&ctx, &p, 300).await;
            end_of_body()
        });
        let case = format!("start_timeout.{key}");
        check_notes(&mut fx, &case, &p);
        check_reason(&mut fx, &format!("{case}.starter_reason"), &p, &reason);
    }

    // gen_server:start/3: no link, so a failed init leaves no message.
    let (p, reason) = observe(|ctx, p| async move {
        let args = (ctx.me(), StartMode::Stop(atom("bye")));
        let r = gen_server::start::<StartProbe>(&ctx, args, start_opts(None)).await;
        note(&p, "returned", r.to_term());
        note_mailbox(&ctx, &p, 50).await;
        end_of_body()
    });
    check_notes(&mut fx, "unlinked_stop_bye", &p);
    check_reason(&mut fx, "unlinked_stop_bye.starter_reason", &p, &reason);
    fx.finish();
}

/// What `terminate/2` of `gs_terminate.erl` does after telling the watcher.
#[derive(Clone, Copy)]
enum TermMode {
    /// Returns (any value: OTP ignores it, and a Rust `terminate` returns nothing).
    Ok,
    /// `exit(R)`: a panic in Rust.
    Exit(&'static str),
    /// Sleeps, then sends `{terminate_done, R}`.
    Sleep(u64),
}

/// The server of `gs_terminate.erl`.
struct TermProbe {
    watcher: Pid,
    mode: TermMode,
}

impl GenServer for TermProbe {
    type Args = (Pid, bool, TermMode);
    async fn init(ctx: &Ctx, (watcher, trap, mode): (Pid, bool, TermMode)) -> Init<Self> {
        ctx.trap_exit(trap);
        Init::Ok(TermProbe { watcher, mode })
    }
    async fn handle_cast(&mut self, _ctx: &Ctx, req: Term) -> Response {
        Response::stop(req.as_tuple().expect("{stop_with, R}")[1].clone())
    }
    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        ctx.send(self.watcher, Term::tagged("info", msg));
        Response::noreply()
    }
    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        ctx.send(self.watcher, Term::tagged("terminated", reason.clone()));
        match self.mode {
            TermMode::Ok => {}
            TermMode::Exit(r) => panic!("{r}"),
            TermMode::Sleep(t) => {
                ctx.sleep(ms(t)).await;
                ctx.send(self.watcher, Term::tagged("terminate_done", reason.clone()));
            }
        }
    }
}

/// The probe's `server/2`: started unlinked by the watcher, monitored, named `s`.
async fn term_server(ctx: &Ctx, p: &Probe, trap: bool, mode: TermMode) -> Pid {
    let r = gen_server::start::<TermProbe>(ctx, (ctx.me(), trap, mode), start_opts(None));
    let s = r.await.into_result().expect("started");
    ctx.monitor(s);
    p.name(s, "s")
}

fn reason_of(r: Result<(), Term>) -> Term {
    caught(r.map(|()| Term::OK))
}

#[test]
fn otp_gs_terminate() {
    let mut fx = Fixture::load("gen_server/gs_terminate");

    // GS-11c, GS-12: the parent exits; terminate runs only in a trapping server.
    for trap in [true, false] {
        for r in ["normal", "shutdown", "bye"] {
            let (p, _) = observe(move |ctx, p| async move {
                let w = ctx.me();
                let parent = ctx.spawn(move |c| async move {
                    let args = (w, trap, TermMode::Ok);
                    let s = gen_server::start_link::<TermProbe>(&c, args, start_opts(None));
                    let s = s.await.into_result()?;
                    c.send(w, Term::tagged("started", Term::Pid(s)));
                    c.recv_match(|m| m.is_atom("go"), None).await;
                    if r == "normal" {
                        Ok(())
                    } else {
                        Err(atom(r))
                    }
                });
                p.name(parent, "p");
                let started = ctx.recv_match(|m| m.tag() == Some("started"), None).await;
                let s = started.expect("started").as_tuple().expect("t")[1].as_pid();
                let s = p.name(s.expect("pid"), "s");
                ctx.monitor(s);
                ctx.send(parent, atom("go"));
                note_mailbox(&ctx, &p, 100).await;
                note(&p, "alive", Term::from(ctx.is_alive(s)));
                end_of_body()
            });
            let key = if trap { "trap" } else { "notrap" };
            check_notes(&mut fx, &format!("parent_exit.{key}.{r}"), &p);
        }
    }

    // GS-12: EXITs that do not come from the parent go to handle_info.
    let (p, _) = observe(|ctx, p| async move {
        let s = term_server(&ctx, &p, true, TermMode::Ok).await;
        let helper = ctx.spawn(move |c| async move {
            c.link(s)?;
            c.recv_match(|m| m.is_atom("go"), None).await;
            Err(atom("bye"))
        });
        p.name(helper, "p");
        ctx.sleep(ms(10)).await;
        ctx.send(helper, atom("go"));
        note(&p, "linked", Term::list(drain_for(&ctx, ms(50)).await));
        ctx.exit(s, atom("shutdown"));
        note(&p, "exit2", Term::list(drain_for(&ctx, ms(50)).await));
        note(&p, "alive", Term::from(ctx.is_alive(s)));
        end_of_body()
    });
    check_notes(&mut fx, "not_parent", &p);

    // GS-12: kill skips terminate.
    let (p, _) = observe(|ctx, p| async move {
        let s = term_server(&ctx, &p, true, TermMode::Ok).await;
        ctx.exit(s, Term::KILL);
        note_mailbox(&ctx, &p, 50).await;
        end_of_body()
    });
    check_notes(&mut fx, "killed", &p);

    // GS-13: a crash in terminate is the exit reason; a return value is not.
    for (key, mode) in [
        ("exits", TermMode::Exit("tcrash")),
        ("returns", TermMode::Ok),
    ] {
        let (p, _) = observe(move |ctx, p| async move {
            let s = term_server(&ctx, &p, false, mode).await;
            gen_server::cast(&ctx, s, Term::tagged("stop_with", atom("bye")));
            note_mailbox(&ctx, &p, 50).await;
            end_of_body()
        });
        check_notes(&mut fx, &format!("terminate_{key}"), &p);
    }

    // GS-11d, GS-14: gen_server:stop on a server that does not trap exits.
    let cases = [
        ("default", TermMode::Ok, atom("normal"), None),
        ("reason", TermMode::Ok, atom("bye"), None),
        ("other_reason", TermMode::Exit("tcrash"), atom("bye"), None),
        ("timeout", TermMode::Sleep(200), atom("normal"), Some(50)),
    ];
    for (key, mode, reason, timeout) in cases {
        let (p, _) = observe(move |ctx, p| async move {
            let s = term_server(&ctx, &p, false, mode).await;
            let r = gen_server::stop(&ctx, s, reason, timeout).await;
            note(&p, "caught", reason_of(r));
            note(&p, "alive", Term::from(ctx.is_alive(s)));
            note_mailbox(&ctx, &p, 300).await;
            end_of_body()
        });
        check_notes(&mut fx, &format!("stop.{key}"), &p);
    }
    // Known mismatch: Erlang's gen_server:stop exits plain `noproc` here, while
    // otpsim's stop gives Elixir's `GenServer.stop` shape, `{noproc, {gen_server,
    // stop, [...]}}`, which registry/via.out (`reg9.stop_missing`) and agent/agent.out
    // (`stop.dead.caller_reason`) pin. One function cannot give both.
    fx.skip(
        "stop.dead.caught",
        "otpsim's stop on a dead server follows Elixir's GenServer.stop (wrapped noproc)",
    );
    fx.finish();
}
