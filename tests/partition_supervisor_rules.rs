//! PartitionSupervisor conformance: PSUP-1 to PSUP-3, against the facts recorded from
//! Elixir 1.14 in tests/otp_fixtures/partition_supervisor/psup_probe.out.

use otpsim::behaviour::gen_server::{CallResponse, From, GenServer, Init, StartResult};
use otpsim::behaviour::partition_supervisor::{
    partition_of, whereis, PartitionChild, PartitionOpts, PartitionSupervisor,
};
use otpsim::behaviour::supervisor::{ChildPid, ChildType};
use otpsim::kernel::{ms, Ctx, Sim, SimConfig};
use otpsim::term::{atom, parse_term, Pid, Term};
use otpsim::trace::EventKind;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

const FIXTURE: &str = include_str!("otp_fixtures/partition_supervisor/psup_probe.out");

fn fact(key: &str) -> &'static str {
    FIXTURE
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no fact {key}"))
}

fn fact_term(key: &str) -> Term {
    parse_term(fact(key)).unwrap_or_else(|e| panic!("{key}: {e}"))
}

fn sim() -> Sim {
    Sim::new(SimConfig {
        record: true,
        ..SimConfig::default()
    })
}

/// Shared by every partition: the init calls seen, and which partitions started once.
#[derive(Clone, Default)]
struct Seen {
    inits: Rc<RefCell<Vec<u32>>>,
    started: Rc<RefCell<BTreeSet<u32>>>,
}

#[derive(Clone)]
struct Args {
    partition: Option<u32>,
    slow_restart_ms: u64,
    seen: Seen,
}

struct Worker(Option<u32>);

impl GenServer for Worker {
    type Args = Args;
    async fn init(ctx: &Ctx, a: Args) -> Init<Self> {
        let index = a.partition.unwrap_or(u32::MAX);
        a.seen.inits.borrow_mut().push(index);
        let restarted = !a.seen.started.borrow_mut().insert(index);
        if restarted && a.slow_restart_ms > 0 {
            ctx.sleep(ms(a.slow_restart_ms)).await;
        }
        Init::Ok(Worker(a.partition))
    }
    async fn handle_call(&mut self, _ctx: &Ctx, _req: Term, _from: From) -> CallResponse {
        CallResponse::reply(self.0.map_or(Term::UNDEFINED, |p| Term::Int(i64::from(p))))
    }
}

fn child(seen: &Seen, slow_restart_ms: u64) -> PartitionChild<Args> {
    let args = Args {
        partition: None,
        slow_restart_ms,
        seen: seen.clone(),
    };
    PartitionChild::worker::<Worker>(args).with_arguments(|a, i| Args {
        partition: Some(i),
        ..a
    })
}

/// Runs `body` as the root process of a fresh simulation; fails the test if it fails.
fn run<F, Fut>(body: F) -> Sim
where
    F: FnOnce(Ctx) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), Term>> + 'static,
{
    let mut s = sim();
    let done = Rc::new(RefCell::new(None));
    let d = done.clone();
    s.spawn(move |ctx| async move {
        let r = body(ctx).await;
        *d.borrow_mut() = Some(r.clone());
        r
    });
    s.run();
    let result = done.borrow().clone();
    assert_eq!(result, Some(Ok(())), "the test process failed");
    s
}

fn pids_by_partition(children: &[otpsim::behaviour::supervisor::ChildInfo]) -> Vec<Pid> {
    let mut rows: Vec<(i64, Pid)> = children
        .iter()
        .filter_map(|c| match (c.id.as_int(), c.pid) {
            (Some(i), ChildPid::Pid(p)) => Some((i, p)),
            _ => None,
        })
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, p)| p).collect()
}

// PSUP-1: "a plain Supervisor (one_for_one, 3/5) with children ids 0 … P−1, started in
// that order; partition i is started with f.(args, i); which_children lists them in
// reverse order".
#[test]
fn psup1_children_ids_order_and_with_arguments_match_elixir() {
    let seen = Seen::default();
    let s = seen.clone();
    let sim = run(move |ctx| async move {
        const PS: PartitionSupervisor = PartitionSupervisor::named("ps");
        let sup = PS
            .start_link(&ctx, child(&s, 0), PartitionOpts::new(4))
            .await
            .into_result()?;
        assert_eq!(ctx.whereis(PS.name()), Some(sup));
        assert_eq!(PS.partitions(&ctx), Ok(4));
        let children = PS.which_children(&ctx).await;
        let ids: Vec<Term> = children.iter().map(|c| c.id.clone()).collect();
        // Fixture: [{3,w3,worker,..},{2,w2,..},{1,w1,..},{0,w0,..}].
        let expected: Vec<Term> = fact_term("psup1_which_children")
            .as_list()
            .expect("list")
            .iter()
            .map(|row| row.as_tuple().expect("row")[0].clone())
            .collect();
        assert_eq!(ids, expected);
        assert!(children.iter().all(|c| c.child_type == ChildType::Worker));
        let counts = PS.count_children(&ctx).await;
        assert_eq!(
            (
                counts.specs,
                counts.active,
                counts.workers,
                counts.supervisors
            ),
            (4, 4, 4, 0)
        );
        assert_eq!(
            fact("psup1_count_children"),
            "#{active => 4,specs => 4,supervisors => 0,workers => 4}"
        );
        // Each partition got its own index (fixture psup1_with_arguments_partition).
        let mut got = Vec::new();
        for key in 0..4 {
            got.push(PS.call(&ctx, &Term::Int(key), atom("args"), None).await?);
        }
        assert_eq!(Term::list(got), fact_term("psup1_with_arguments_partition"));
        PS.stop(&ctx, Term::NORMAL).await
    });
    assert_eq!(*seen.inits.borrow(), vec![0, 1, 2, 3]);
    // Children carry the path label name/index.
    let labels: Vec<String> = sim
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Spawn { label: Some(l), .. } if l.starts_with("ps/") => Some(l.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(labels, ["ps/0", "ps/1", "ps/2", "ps/3"]);
}

// PSUP-1: "Partition i is started with f.(args, i); the default keeps args unchanged."
#[test]
fn psup1_default_with_arguments_keeps_args() {
    let seen = Seen::default();
    let s = seen.clone();
    run(move |ctx| async move {
        let ps = PartitionSupervisor::named("ps3");
        let plain = PartitionChild::worker::<Worker>(Args {
            partition: None,
            slow_restart_ms: 0,
            seen: s,
        });
        ps.start_link(&ctx, plain, PartitionOpts::new(3))
            .await
            .into_result()?;
        for key in 0..3 {
            assert_eq!(
                ps.call(&ctx, &Term::Int(key), atom("args"), None).await?,
                Term::UNDEFINED
            );
        }
        Ok(())
    });
    assert_eq!(seen.inits.borrow().len(), 3);
}

// PSUP-2: "{via, PartitionSupervisor, {N, key}} picks rem(abs(key), P) for an integer
// key and :erlang.phash2(key, P) otherwise" (fixture routes with P = 4 and P = 3).
#[test]
fn psup2_routes_keys_like_elixir_with_four_and_three_partitions() {
    for (fact_key, partitions) in [("psup2_routes_p4", 4u32), ("psup2_routes_p3", 3u32)] {
        let routes = fact_term(fact_key);
        let seen = Seen::default();
        run(move |ctx| async move {
            let ps = PartitionSupervisor::named("router");
            ps.start_link(&ctx, child(&seen, 0), PartitionOpts::new(partitions))
                .await
                .into_result()?;
            let pids = pids_by_partition(&ps.which_children(&ctx).await);
            for route in routes.as_list().expect("routes") {
                let [key, worker] = route.as_tuple().expect("pair") else {
                    panic!("bad route {route}")
                };
                let index: usize = worker.as_atom().expect("wN")[1..].parse().expect("index");
                assert_eq!(partition_of(key, partitions) as usize, index, "key {key}");
                assert_eq!(ps.whereis_name(&ctx, key), Ok(pids[index]), "key {key}");
                assert_eq!(whereis(&ctx, ps.name(), key), Some(pids[index]));
                let answer = ps.call(&ctx, key, atom("args"), None).await?;
                assert_eq!(answer, Term::Int(index as i64), "key {key}");
            }
            ps.stop(&ctx, Term::NORMAL).await
        });
    }
}

// PSUP-2: without the partition supervisor, routing exits with
// {noproc, {'Elixir.PartitionSupervisor', partitions, [Name]}}; a cast still returns.
#[test]
fn psup2_missing_partition_supervisor_is_noproc_partitions() {
    run(|ctx| async move {
        let nope = PartitionSupervisor::named("nope");
        let expected = fact_term("psup2_call_missing").as_tuple().expect("pair")[1].clone();
        assert_eq!(
            nope.call(&ctx, &Term::Int(1), atom("args"), None).await,
            Err(expected.clone())
        );
        assert_eq!(nope.whereis_name(&ctx, &Term::Int(1)), Err(expected));
        assert_eq!(whereis(&ctx, nope.name(), &Term::Int(1)), None);
        nope.cast(&ctx, &Term::Int(1), atom("x"));
        assert_eq!(fact("psup2_cast_missing"), "ok");
        Ok(())
    });
}

// PSUP-3: "A partition's entry is rewritten each time that partition's child
// (re)starts, and a dead child's pid stays in the table until its restart. Routing to
// a dead partition in that window therefore fails like a call to a dead pid (noproc)."
#[test]
fn psup3_dead_partition_routes_to_the_dead_pid_until_restarted() {
    let seen = Seen::default();
    run(move |ctx| async move {
        ctx.trap_exit(true);
        let ps = PartitionSupervisor::named("ps5");
        ps.start_link(&ctx, child(&seen, 300), PartitionOpts::new(2))
            .await
            .into_result()?;
        let old = pids_by_partition(&ps.which_children(&ctx).await)[1];
        ctx.exit(old, Term::KILL);
        ctx.sleep(ms(100)).await;
        assert_eq!(fact("psup3_whereis_during_restart"), "true");
        assert_eq!(ps.whereis_name(&ctx, &Term::Int(1)), Ok(old));
        assert!(!ctx.is_alive(old));
        // Fixture: {exit,{noproc,{'Elixir.GenServer',call,[{via,..,{ps5,1}},args,5000]}}}.
        let recorded = fact_term("psup3_call_during_restart");
        let [_, reason] = recorded.as_tuple().expect("pair") else {
            panic!()
        };
        let [why, mfa] = reason.as_tuple().expect("reason") else {
            panic!()
        };
        let [_, _, elixir_args] = mfa.as_tuple().expect("mfa") else {
            panic!()
        };
        let got = ps.call(&ctx, &Term::Int(1), atom("args"), Some(5000)).await;
        let Err(got) = got else {
            panic!("call succeeded: {got:?}")
        };
        let [got_why, got_mfa] = got.as_tuple().expect("reason") else {
            panic!()
        };
        assert_eq!(got_why, why);
        // otpsim's client is gen_server, Elixir's GenServer: compare the arguments.
        assert_eq!(&got_mfa.as_tuple().expect("mfa")[2], elixir_args);
        ps.cast(&ctx, &Term::Int(1), atom("hello"));
        ctx.sleep(ms(400)).await;
        let new = pids_by_partition(&ps.which_children(&ctx).await)[1];
        assert_ne!(new, old);
        assert_eq!(ps.whereis_name(&ctx, &Term::Int(1)), Ok(new));
        assert_eq!(
            ps.call(&ctx, &Term::Int(1), atom("args"), None).await?,
            Term::Int(1)
        );
        ps.stop(&ctx, Term::NORMAL).await?;
        // The table went with its owner (fixture psup3_table_after_stop=undefined).
        assert_eq!(fact("psup3_table_after_stop"), "undefined");
        assert!(ps.partitions(&ctx).is_err());
        Ok(())
    });
}

// PSUP-1: "a plain Supervisor (default strategy one_for_one, 3/5)": the fourth kill
// within 5 s takes it down with reason shutdown.
#[test]
fn psup1_default_intensity_is_three_restarts_in_five_seconds() {
    let seen = Seen::default();
    run(move |ctx| async move {
        ctx.trap_exit(true);
        let ps = PartitionSupervisor::named("ps6");
        let sup = ps
            .start_link(&ctx, child(&seen, 0), PartitionOpts::new(2))
            .await
            .into_result()?;
        for _ in 0..4 {
            let p0 = pids_by_partition(&ps.which_children(&ctx).await)[0];
            ctx.exit(p0, Term::KILL);
            ctx.sleep(ms(20)).await;
        }
        let exit = ctx
            .recv_match(move |m| matches!(m.as_tuple(), Some([t, Term::Pid(p), _]) if t.is_atom("EXIT") && *p == sup), Some(ms(500)))
            .await
            .expect("the supervisor exits");
        assert_eq!(
            exit.as_tuple().expect("exit")[2],
            fact_term("psup1_intensity_3_in_5")
        );
        Ok(())
    });
}

// PSUP-1: the partition count must be positive (Elixir raises ArgumentError).
#[test]
fn psup1_zero_partitions_crash_the_caller() {
    assert_eq!(
        fact("psup1_zero_partitions"),
        "{raised,'Elixir.ArgumentError'}"
    );
    let mut s = sim();
    let seen = Seen::default();
    let pid = s.spawn(move |ctx| async move {
        let ps = PartitionSupervisor::named("ps7");
        let r = ps
            .start_link(&ctx, child(&seen, 0), PartitionOpts::new(0))
            .await;
        assert!(matches!(r, StartResult::Ok(_)), "unreachable");
        Ok(())
    });
    s.run();
    let reason = s.events().into_iter().find_map(|e| match e.kind {
        EventKind::Exit { pid: p, reason } if p == pid => Some(reason),
        _ => None,
    });
    let text = reason.expect("the caller exited").to_string();
    assert!(text.contains("partitions"), "{text}");
}

// PSUP-1: as a child of another supervisor, a partition supervisor is a supervisor
// child whose partitions are labelled under it.
#[test]
fn psup1_child_spec_nests_under_a_supervisor() {
    use otpsim::behaviour::gen_server::StartOpts;
    use otpsim::behaviour::supervisor::{self, Strategy, SupFlags};
    let seen = Seen::default();
    let sim = run(move |ctx| async move {
        let ps = PartitionSupervisor::named("shards");
        let spec = ps.child_spec(child(&seen, 0), PartitionOpts::new(2));
        let opts = StartOpts {
            label: Some("top".into()),
            ..StartOpts::default()
        };
        let top =
            supervisor::start_link(&ctx, SupFlags::new(Strategy::OneForOne), vec![spec], opts)
                .await
                .into_result()?;
        let rows = supervisor::which_children(&ctx, top).await;
        assert_eq!(rows[0].id, atom("shards"));
        assert_eq!(rows[0].child_type, ChildType::Supervisor);
        assert_eq!(
            ps.call(&ctx, &Term::Int(3), atom("args"), None).await?,
            Term::Int(1)
        );
        supervisor::stop(&ctx, top, Term::NORMAL).await
    });
    let labelled = sim
        .events()
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Spawn { label: Some(l), .. } if l == "top/shards/1"));
    assert!(labelled);
}
