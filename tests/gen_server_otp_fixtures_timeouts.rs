//! otpsim's gen_server against real OTP, part three: idle timeouts and continues
//! (`gs_timeouts`, GS-9 and GS-10). The conventions are those of
//! `gen_server_otp_fixtures.rs`. The server logs each callback it runs to its
//! watcher as `{Event, Ms}`, Ms since its init rounded to 50 ms, as the probe does;
//! the whole log comes from one process, so its order is compared as it is.

mod common;

use common::otp::*;
use otpsim::behaviour::gen_server::{self, GenServer, Init, Next, Response, StartOpts};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};

/// What `init/1` of `gs_timeouts.erl` returns after the state.
#[derive(Clone)]
enum InitNext {
    None,
    Timeout(u64),
    Continue(Term),
}

struct TimeoutProbe {
    watcher: Pid,
    t0_us: u64,
}

impl TimeoutProbe {
    fn log(&self, ctx: &Ctx, event: Term) {
        let elapsed_ms = (ctx.now_us() - self.t0_us) as f64 / 1000.0;
        let rounded = ((elapsed_ms / 50.0).round() * 50.0) as i64;
        let entry = Term::tuple([event, Term::Int(rounded)]);
        ctx.send(self.watcher, Term::tagged("log", entry));
    }
}

fn pair(a: &'static str, b: Term) -> Term {
    Term::tuple([atom(a), b])
}

impl GenServer for TimeoutProbe {
    type Args = (Pid, InitNext);
    async fn init(ctx: &Ctx, (watcher, next): (Pid, InitNext)) -> Init<Self> {
        ctx.trap_exit(true);
        let s = TimeoutProbe {
            watcher,
            t0_us: ctx.now_us(),
        };
        match next {
            InitNext::None => Init::Ok(s),
            InitNext::Timeout(t) => Init::OkThen(s, Next::Timeout(t)),
            InitNext::Continue(c) => Init::OkThen(s, Next::Continue(c)),
        }
    }
    async fn handle_cast(&mut self, ctx: &Ctx, req: Term) -> Response {
        let tag = req.as_atom().or(req.tag()).expect("a cast").to_string();
        self.log(ctx, pair("cast", Term::atom_owned(&tag)));
        let items = req.as_tuple().unwrap_or_default();
        match tag.as_str() {
            "rearm" => Response::NoReply(Next::Timeout(items[1].as_int().expect("ms") as u64)),
            "cont" => Response::NoReply(Next::Continue(atom("c1"))),
            "sleep_then" => {
                ctx.sleep(ms(items[1].as_int().expect("ms") as u64)).await;
                if items[2].is_atom("zero") {
                    Response::NoReply(Next::Timeout(0))
                } else {
                    Response::noreply()
                }
            }
            _ => Response::noreply(),
        }
    }
    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if msg.is_atom("timeout") {
            self.log(ctx, atom("timeout"));
        } else {
            self.log(ctx, pair("info", msg));
        }
        Response::noreply()
    }
    async fn handle_continue(&mut self, ctx: &Ctx, cont: Term) -> Response {
        let name = cont
            .as_atom()
            .or(cont.tag())
            .expect("a continue")
            .to_string();
        self.log(ctx, pair("continue", Term::atom_owned(&name)));
        match name.as_str() {
            "c1" => Response::NoReply(Next::Continue(atom("c2"))),
            "then_timeout" => {
                let t = cont.as_tuple().expect("tuple")[1].as_int().expect("ms");
                Response::NoReply(Next::Timeout(t as u64))
            }
            _ => Response::noreply(),
        }
    }
}

/// The probe's `run/3`: start the server, act on it, note its log after 400 ms.
fn run<F, Fut>(fx: &mut Fixture, key: &str, init: InitNext, act: F)
where
    F: FnOnce(Ctx, Probe, Pid) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let (p, _) = observe(move |ctx, p| async move {
        let r = gen_server::start::<TimeoutProbe>(&ctx, (ctx.me(), init), StartOpts::default());
        let s = p.name(r.await.into_result()?, "s");
        act(ctx.clone(), p.clone(), s).await;
        ctx.sleep(ms(400)).await;
        let log = drain_for(&ctx, 0).await;
        let entries = log
            .iter()
            .map(|m| m.as_tuple().expect("{log, E}")[1].clone());
        note(&p, "log", Term::list(entries));
        end_of_body()
    });
    check_notes(fx, key, &p);
}

#[test]
fn otp_gs_timeouts() {
    let mut fx = Fixture::load("gen_server/gs_timeouts");
    let t100 = || InitNext::Timeout(100);
    run(&mut fx, "init_timeout", t100(), |_, _, _| async {});
    run(
        &mut fx,
        "init_zero",
        InitNext::Timeout(0),
        |_, _, _| async {},
    );
    // GS-9: any message cancels the timeout; only a new return value arms one.
    run(&mut fx, "cast_cancels", t100(), |ctx, _, s| async move {
        ctx.sleep(ms(50)).await;
        gen_server::cast(&ctx, s, atom("plain"));
    });
    run(&mut fx, "cast_rearms", t100(), |ctx, _, s| async move {
        ctx.sleep(ms(50)).await;
        gen_server::cast(&ctx, s, pair("rearm", Term::Int(100)));
    });
    run(&mut fx, "info_cancels", t100(), |ctx, _, s| async move {
        ctx.sleep(ms(50)).await;
        ctx.send(s, atom("hello"));
    });
    run(&mut fx, "exit_cancels", t100(), |ctx, p, s| async move {
        let helper = ctx.spawn(move |c| async move {
            c.link(s)?;
            c.recv_match(|m| m.is_atom("go"), None).await;
            Err(atom("bye"))
        });
        p.name(helper, "p");
        ctx.sleep(ms(50)).await;
        ctx.send(helper, atom("go"));
    });
    // GS-9: a timeout of 0 with messages queued: they are handled instead of it.
    run(
        &mut fx,
        "zero_after_queued",
        InitNext::None,
        |ctx, _, s| async move {
            let sleep_then = Term::tuple([atom("sleep_then"), Term::Int(50), atom("zero")]);
            gen_server::cast(&ctx, s, sleep_then);
            ctx.send(s, atom("m1"));
            ctx.send(s, atom("m2"));
        },
    );
    // GS-10: queued1, a cast that returns a continue, queued2.
    run(
        &mut fx,
        "continue_order",
        InitNext::None,
        |ctx, _, s| async move {
            let sleep_then = Term::tuple([atom("sleep_then"), Term::Int(50), atom("plain")]);
            gen_server::cast(&ctx, s, sleep_then);
            ctx.send(s, atom("queued1"));
            gen_server::cast(&ctx, s, atom("cont"));
            ctx.send(s, atom("queued2"));
        },
    );
    let then_timeout = InitNext::Continue(pair("then_timeout", Term::Int(100)));
    run(
        &mut fx,
        "continue_then_timeout",
        then_timeout,
        |_, _, _| async {},
    );
    fx.finish();
}
