//! otpsim's gen_server against real OTP: the probes under `tests/otp_fixtures/gen_server/`
//! were run on Erlang/OTP 25 and their facts committed as `NAME.out` (see the README
//! there). Each test replays one probe in otpsim with a server that does what the
//! probe's callback module does, prints what the caller sees the same way, and
//! compares fact by fact. Erlang is not needed.
//!
//! Conventions shared with the other replays: a Rust panic `{panic, <<"R">>}` stands
//! for the probe's `exit(R)` inside a callback (see `show`), and `catch Expr` is
//! printed `{'EXIT', Reason}` for a failed call.

mod common;

use common::otp::*;
use otpsim::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Next, Response, StartOpts,
};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};

/// Every probe of the directory has a test here.
#[test]
fn every_gen_server_fixture_is_covered_here() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/otp_fixtures/gen_server");
    assert_eq!(
        recorded_probes(&dir),
        ["gs_calls", "gs_start", "gs_terminate", "gs_timeouts"],
        "add a test for each new probe"
    );
}

/// The server of `gs_calls.erl`: a watcher to tell about `terminate`, a held `From`
/// for a deferred reply, and how long `terminate` takes.
struct CallProbe {
    watcher: Option<Pid>,
    held: Option<From>,
    slow_ms: u64,
}

fn arg(req: &Term, i: usize) -> Term {
    req.as_tuple().expect("a tuple request")[i].clone()
}

impl GenServer for CallProbe {
    type Args = Option<Pid>;
    async fn init(_ctx: &Ctx, watcher: Option<Pid>) -> Init<Self> {
        Init::Ok(CallProbe {
            watcher,
            held: None,
            slow_ms: 0,
        })
    }
    async fn handle_call(&mut self, ctx: &Ctx, req: Term, from: From) -> CallResponse {
        match req.as_atom().or(req.tag()) {
            Some("get") => CallResponse::reply(Term::OK),
            Some("sleep") => {
                ctx.sleep(ms(arg(&req, 1).as_int().expect("ms") as u64))
                    .await;
                CallResponse::reply(atom("late"))
            }
            // exit(R) inside handle_call, as a panic (see `show`).
            Some("exit") => panic!("{}", arg(&req, 1).as_atom().expect("reason")),
            Some("stop_reply") => CallResponse::Stop {
                reason: arg(&req, 1),
                reply: Some(atom("stopped")),
            },
            Some("stop_noreply") => CallResponse::Stop {
                reason: arg(&req, 1),
                reply: None,
            },
            Some("hold") => {
                self.held = Some(from);
                CallResponse::noreply()
            }
            Some("reply_continue") => {
                CallResponse::Reply(atom("first"), Next::Continue(atom("block")))
            }
            Some("call") => {
                let target = arg(&req, 1).as_pid().expect("pid");
                let timeout = arg(&req, 3).as_int().expect("ms") as u64;
                match gen_server::call(ctx, target, arg(&req, 2), Some(timeout)).await {
                    Ok(v) => CallResponse::reply(v),
                    // The failed call exits the server, as in the probe.
                    Err(reason) => CallResponse::Stop {
                        reason,
                        reply: None,
                    },
                }
            }
            _ => panic!("unexpected call {req}"),
        }
    }
    async fn handle_cast(&mut self, ctx: &Ctx, req: Term) -> Response {
        if req.is_atom("release") {
            gen_server::reply(ctx, self.held.expect("a held call"), atom("released"));
            return Response::noreply();
        }
        self.slow_ms = arg(&req, 2).as_int().expect("ms") as u64;
        Response::stop(arg(&req, 1))
    }
    async fn handle_continue(&mut self, ctx: &Ctx, _cont: Term) -> Response {
        ctx.recv_match(|m| m.is_atom("unblock"), None).await;
        Response::noreply()
    }
    async fn terminate(&mut self, ctx: &Ctx, reason: &Term) {
        if let Some(w) = self.watcher {
            ctx.send(w, Term::tagged("terminated", reason.clone()));
        }
        ctx.sleep(ms(self.slow_ms)).await;
    }
}

async fn server(ctx: &Ctx, watcher: Option<Pid>) -> Pid {
    gen_server::start::<CallProbe>(ctx, watcher, StartOpts::default())
        .await
        .into_result()
        .expect("started")
}

fn req(tag: &'static str, v: Term) -> Term {
    Term::tagged(tag, v)
}

#[test]
fn otp_gs_calls() {
    let mut fx = Fixture::load("gen_server/gs_calls");

    // GS-6, GS-7: a timed-out caller exits timeout, the late reply never shows, the
    // server goes on.
    let (p, _) = observe(|ctx, p| async move {
        let s = p.name(server(&ctx, None).await, "s");
        let r = gen_server::call(&ctx, s, req("sleep", Term::Int(200)), Some(50)).await;
        note(&p, "caught", caught(r));
        note_mailbox(&ctx, &p, 300).await;
        note(
            &p,
            "next_call",
            caught(gen_server::call(&ctx, s, atom("get"), Some(5000)).await),
        );
        end_of_body()
    });
    check_notes(&mut fx, "timeout", &p);

    // GS-6: noproc for a dead pid and for a name nobody holds.
    let (p, _) = observe(|ctx, p| async move {
        let dead = p.name(ctx.spawn(|_| async { Ok(()) }), "dead");
        ctx.sleep(ms(1)).await;
        note(
            &p,
            "pid",
            caught(gen_server::call(&ctx, dead, atom("get"), Some(5000)).await),
        );
        let r = gen_server::call(&ctx, "nobody", atom("get"), Some(5000)).await;
        note(&p, "name", caught(r));
        end_of_body()
    });
    check_notes(&mut fx, "noproc", &p);

    // GS-5: calling yourself.
    let (p, _) = observe(|ctx, p| async move {
        let r = gen_server::call(&ctx, ctx.me(), atom("get"), Some(5000)).await;
        note(&p, "caught", caught(r));
        end_of_body()
    });
    check_notes(&mut fx, "calling_self", &p);

    // GS-6, GS-11b: the server exits in handle_call or stops without a reply;
    // terminate runs before the caller hears of the death.
    for (case, request) in [
        ("exit_in_call", req("exit", atom("boom"))),
        ("stop_noreply_normal", req("stop_noreply", atom("normal"))),
        ("stop_noreply_bye", req("stop_noreply", atom("bye"))),
    ] {
        let (p, _) = observe(move |ctx, p| async move {
            let s = p.name(server(&ctx, Some(ctx.me())).await, "s");
            note(
                &p,
                "caught",
                caught(gen_server::call(&ctx, s, request, Some(5000)).await),
            );
            note_mailbox(&ctx, &p, 50).await;
            end_of_body()
        });
        check_notes(&mut fx, case, &p);
    }

    // GS-8: {stop, R, Reply, S}: terminate runs before the reply goes out.
    let (p, _) = observe(|ctx, p| async move {
        let s = p.name(server(&ctx, Some(ctx.me())).await, "s");
        ctx.monitor(s);
        let r = gen_server::call(&ctx, s, req("stop_reply", atom("bye")), Some(5000)).await;
        note(&p, "returned", caught(r));
        note(&p, "then", Term::list(drain_for(&ctx, ms(50)).await));
        let s2 = p.name(server(&ctx, Some(ctx.me())).await, "s2");
        // The probe's hand-made From has a plain ref, which OTP answers to the pid;
        // otpsim answers through an alias, so the tag is one.
        let from = From {
            pid: ctx.me(),
            tag: ctx.alias(),
        };
        let request = req("stop_reply", atom("bye"));
        ctx.send(
            s2,
            Term::tuple([atom("$gen_call"), from.to_term(), request]),
        );
        note(&p, "by_hand", Term::list(drain_for(&ctx, ms(50)).await));
        end_of_body()
    });
    check_notes(&mut fx, "stop_reply", &p);

    // GS-8, GS-10: the reply goes out before the continue, which runs before the
    // next call.
    let (p, _) = observe(|ctx, p| async move {
        let s = p.name(server(&ctx, None).await, "s");
        let r = gen_server::call(&ctx, s, atom("reply_continue"), Some(5000)).await;
        note(&p, "returned", caught(r));
        let r = gen_server::call(&ctx, s, atom("get"), Some(50)).await;
        note(&p, "during_continue", caught(r));
        ctx.send(s, atom("unblock"));
        let r = gen_server::call(&ctx, s, atom("get"), Some(5000)).await;
        note(&p, "after_continue", caught(r));
        note_mailbox(&ctx, &p, 50).await;
        end_of_body()
    });
    check_notes(&mut fx, "reply_continue", &p);

    // GS-8: {noreply, S}, then gen_server:reply/2 from a cast.
    let (p, _) = observe(|ctx, p| async move {
        let s = p.name(server(&ctx, None).await, "s");
        ctx.spawn(move |c| async move {
            c.sleep(ms(50)).await;
            gen_server::cast(&c, s, atom("release"));
            Ok(())
        });
        let r = gen_server::call(&ctx, s, atom("hold"), Some(5000)).await;
        note(&p, "returned", caught(r));
        end_of_body()
    });
    check_notes(&mut fx, "deferred_reply", &p);

    // GS-6: a call to a server already in a slow terminate ends with its exit reason.
    for (case, reason) in [("dying_bye", "bye"), ("dying_normal", "normal")] {
        let (p, _) = observe(move |ctx, p| async move {
            let s = p.name(server(&ctx, Some(ctx.me())).await, "s");
            let stop = Term::tuple([atom("stop_slow"), atom(reason), Term::Int(100)]);
            gen_server::cast(&ctx, s, stop);
            ctx.sleep(ms(10)).await;
            note(
                &p,
                "caught",
                caught(gen_server::call(&ctx, s, atom("get"), Some(5000)).await),
            );
            note_mailbox(&ctx, &p, 50).await;
            end_of_body()
        });
        check_notes(&mut fx, case, &p);
    }

    // GS-6: nested calls wrap the inner failure once per call.
    let cases = [
        ("nested_exit", req("exit", atom("boom")), 5000, 5000),
        ("nested_timeout", req("sleep", Term::Int(200)), 50, 5000),
        ("nested_outer_timeout", req("sleep", Term::Int(200)), 50, 30),
    ];
    for (case, inner_req, inner, outer) in cases {
        let (p, _) = observe(move |ctx, p| async move {
            let c = p.name(server(&ctx, None).await, "c");
            let b = p.name(server(&ctx, None).await, "b");
            ctx.monitor(b);
            let request = Term::tuple([atom("call"), Term::Pid(c), inner_req, Term::Int(inner)]);
            let r = gen_server::call(&ctx, b, request, Some(outer)).await;
            note(&p, "caught", caught(r));
            note_mailbox(&ctx, &p, 300).await;
            end_of_body()
        });
        check_notes(&mut fx, case, &p);
    }
    fx.finish();
}

/// A server that defines `init` only, as `use GenServer` with no other callback.
struct Bare;

impl GenServer for Bare {
    type Args = ();
    async fn init(_ctx: &Ctx, _: ()) -> Init<Self> {
        Init::Ok(Bare)
    }
}

/// otpsim's default crashes `{bad_call, Req}` / `{bad_cast, Req}` written as the
/// RuntimeError Elixir's defaults raise (the probe prints it without its stack), and
/// `gen_server` in a call's mfa as `'Elixir.GenServer'`: the same events, each side in
/// its own words.
fn as_elixir_default(t: &Term) -> Term {
    let raised = |kind: &str, callback: &str| {
        let msg =
            format!("attempted to {kind} GenServer PID but no {callback} clause was provided");
        Term::tuple([
            Term::atom_owned("Elixir.RuntimeError"),
            Term::atom_owned(&msg),
        ])
    };
    match t {
        Term::Tuple(items) => match items.as_ref() {
            [tag, _] if tag.is_atom("bad_call") => raised("call", "handle_call/3"),
            [tag, _] if tag.is_atom("bad_cast") => raised("cast", "handle_cast/2"),
            _ => Term::tuple(items.iter().map(as_elixir_default)),
        },
        Term::List(items) => Term::list(items.iter().map(as_elixir_default)),
        Term::Atom(a) if a.as_str() == "gen_server" => Term::atom_owned("Elixir.GenServer"),
        other => other.clone(),
    }
}

/// The reason in the `DOWN` of monitor `mref`.
async fn down_reason(ctx: &Ctx, mref: otpsim::term::Ref) -> Term {
    let is_down = move |m: &Term| matches!(m.as_tuple(), Some([_, Term::Ref(r), ..]) if *r == mref);
    let down = ctx.recv_match(is_down, None).await.expect("DOWN");
    down.as_tuple().expect("DOWN")[4].clone()
}

#[test]
fn otp_gs16_default_callbacks() {
    // GS-16: the default handle_info ignores a message; the default handle_call and
    // handle_cast crash the server, and the caller exits with the crash. Replays
    // tests/otp_fixtures/agent/gs_defaults.exs.
    let mut fx = Fixture::load("agent/gs_defaults");
    let (p, _) = observe(|ctx, p| async move {
        let start = || gen_server::start::<Bare>(&ctx, (), StartOpts::default());
        let s = p.name(start().await.into_result()?, "s");
        let mref = ctx.monitor(s);
        ctx.send(s, atom("unexpected"));
        ctx.sleep(ms(20)).await;
        note(&p, "info.alive", Term::from(ctx.is_alive(s)));
        let r = gen_server::call(&ctx, s, atom("get"), Some(5000)).await;
        note(&p, "call.caller_reason", r.unwrap_or_else(|e| e));
        note(&p, "call.server_reason", down_reason(&ctx, mref).await);
        let s = p.name(start().await.into_result()?, "s");
        let mref = ctx.monitor(s);
        gen_server::cast(&ctx, s, atom("poke"));
        note(&p, "cast.returned", Term::OK);
        note(&p, "cast.server_reason", down_reason(&ctx, mref).await);
        end_of_body()
    });
    for n in p.notes() {
        let [tag, v] = n.as_tuple().expect("{Tag, V}") else {
            panic!("note {n}")
        };
        fx.check(tag.as_atom().expect("tag"), p.show(&as_elixir_default(v)));
    }
    fx.finish();
}
