//! What stopping a Task.Supervisor does to its tasks (TASK-7, DSUP-6), replayed
//! against the Elixir probe tests/otp_fixtures/task/task_sup_shutdown.exs (recorded in
//! task_sup_shutdown.out). Each task's exit reason comes from its own monitor, so no
//! order between tasks is compared; a mailbox is compared only where one process
//! fills it.

mod common;

use common::otp::*;
use otpsim::behaviour::dynamic_supervisor::{self, DynSupFlags};
use otpsim::behaviour::gen_server::StartOpts;
use otpsim::behaviour::supervisor::{Restart, Shutdown};
use otpsim::behaviour::task::supervisor::{self as task_sup, ChildOpts};
use otpsim::kernel::{ms, Ctx};
use otpsim::term::{atom, Pid, Term};

/// A `%Task{}` prints as the atom `task`, as probe_helpers.exs scrubs it.
fn task_as_atom(t: &Term) -> Term {
    match t {
        Term::Tuple(items) => match items.as_ref() {
            [tag, Term::Pid(_), Term::Pid(_), Term::Ref(_)] if tag.is_atom("Elixir.Task") => {
                atom("task")
            }
            _ => Term::tuple(items.iter().map(task_as_atom)),
        },
        Term::List(items) => Term::list(items.iter().map(task_as_atom)),
        other => other.clone(),
    }
}

/// `note({Key, V})` for a key with dots in it.
fn fact(p: &Probe, key: &str, v: Term) {
    p.note(Term::tuple([Term::atom_owned(key), task_as_atom(&v)]));
}

async fn forever(ctx: Ctx) -> Result<Term, Term> {
    ctx.recv_match(|_| false, None).await;
    Ok(Term::OK)
}

async fn trapping_forever(ctx: Ctx) -> Result<Term, Term> {
    ctx.trap_exit(true);
    forever(ctx).await
}

/// Traps exits; on the supervisor's EXIT, takes 50 ms, then exits with its reason.
async fn tidy(ctx: Ctx) -> Result<Term, Term> {
    ctx.trap_exit(true);
    let exit = ctx.recv_match(|m| m.tag() == Some("EXIT"), None).await;
    ctx.sleep(ms(50)).await;
    Err(exit.expect("EXIT").as_tuple().expect("t")[2].clone())
}

fn child(shutdown: Shutdown) -> ChildOpts {
    ChildOpts {
        restart: Restart::Temporary,
        shutdown,
    }
}

async fn start_sup(ctx: &Ctx) -> Result<Pid, Term> {
    task_sup::start_link(ctx, DynSupFlags::new(), StartOpts::default())
        .await
        .into_result()
}

/// `nil`, `{ok, V}` or `{exit, R}`, as Task.yield returns them.
fn yielded(r: Option<Result<Term, Term>>) -> Term {
    match r {
        None => atom("nil"),
        Some(Ok(v)) => Term::tuple([Term::OK, v]),
        Some(Err(e)) => Term::tagged("exit", e),
    }
}

#[test]
fn otp_task_supervisor_stop_shuts_its_tasks_down() {
    let mut fx = Fixture::load("task/task_sup_shutdown");

    // Tasks with each shutdown and an async_nolink task; the trapping owner stops the
    // supervisor.
    let (p, _) = observe(|ctx, p| async move {
        ctx.trap_exit(true);
        let sup = p.name(start_sup(&ctx).await?, "sup");
        let default = Shutdown::Timeout(5000);
        let plain = task_sup::start_child(&ctx, sup, forever, child(default));
        let plain = plain.await.into_result()?;
        let stubborn = child(Shutdown::Timeout(200));
        let stubborn = task_sup::start_child(&ctx, sup, trapping_forever, stubborn);
        let stubborn = stubborn.await.into_result()?;
        let brutal = child(Shutdown::BrutalKill);
        let brutal = task_sup::start_child(&ctx, sup, trapping_forever, brutal);
        let brutal = brutal.await.into_result()?;
        let tidy = task_sup::start_child(&ctx, sup, tidy, child(default));
        let tidy = tidy.await.into_result()?;
        let nolink = task_sup::async_nolink(&ctx, sup, forever).await?;
        let tasks = [
            ("plain", plain),
            ("stubborn", stubborn),
            ("brutal", brutal),
            ("tidy", tidy),
            ("nolink", nolink.pid),
        ];
        let refs: Vec<_> = tasks.iter().map(|(n, t)| (*n, ctx.monitor(*t))).collect();
        let t0 = ctx.now_us();
        let r = dynamic_supervisor::stop(&ctx, sup, atom("normal")).await;
        fact(&p, "returned", r.map_or_else(|e| e, |()| Term::OK));
        let elapsed_ms = (ctx.now_us() - t0) / 1000 / 100 * 100;
        fact(&p, "ms", Term::Int(elapsed_ms as i64));
        for (name, mref) in refs {
            let down = ctx
                .recv_match(
                    move |m| matches!(m.as_tuple(), Some([_, Term::Ref(r), ..]) if *r == mref),
                    Some(ms(1000)),
                )
                .await;
            let reason = down.map_or(atom("alive"), |d| d.as_tuple().expect("t")[4].clone());
            fact(&p, &format!("{name}.reason"), reason);
        }
        fact(
            &p,
            "nolink.yield",
            yielded(nolink.yield_(&ctx, Some(0)).await),
        );
        let mailbox = drain_for(&ctx, ms(20)).await;
        fact(&p, "owner_mailbox", Term::list(mailbox));
        end_of_body()
    });
    check_notes(&mut fx, "stop", &p);

    // Task.Supervisor.async links the task to its owner too; another process stops
    // the supervisor while the owner awaits.
    for trap in [false, true] {
        let key = if trap {
            "async.trapping_owner"
        } else {
            "async.owner"
        };
        let (p, reason) = observe(move |ctx, p| async move {
            ctx.trap_exit(trap);
            let sup = start_sup(&ctx).await?;
            ctx.unlink(sup);
            let t = task_sup::async_(&ctx, sup, forever).await?;
            ctx.spawn(move |c| async move {
                c.sleep(ms(20)).await;
                dynamic_supervisor::stop(&c, sup, atom("normal")).await
            });
            let r = t.await_(&ctx, Some(1000)).await;
            fact(&p, "await", r.unwrap_or_else(|e| Term::tagged("caught", e)));
            let mailbox = drain_for(&ctx, ms(20)).await;
            fact(&p, "mailbox", Term::list(mailbox));
            end_of_body()
        });
        check_notes(&mut fx, key, &p);
        fx.check(&format!("{key}.reason"), p.show(&reason));
    }
    fx.finish();
}
