//! otpsim's gen_server against real OTP, part two: how a start ends (`gs_start`). The
//! conventions are those of `gen_server_otp_fixtures.rs` (which has the call probes
//! and checks that every probe has a test).

mod common;

use common::otp::*;
use otpsim::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Next, StartOpts};
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
