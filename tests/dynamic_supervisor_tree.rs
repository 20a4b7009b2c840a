//! A dynamic supervisor inside a static supervision tree.

mod supervisor_common;

use otpsim::behaviour::dynamic_supervisor::{self, DynSupFlags};
use otpsim::behaviour::gen_server::StartResult;
use otpsim::term::atom;
use supervisor_common::*;

#[test]
fn a_dynamic_supervisor_runs_under_a_static_one() {
    // A dynamic supervisor as a child: type supervisor, labelled with its path, its
    // children labelled under it.
    let log = log();
    let got = slot();
    let (g, l) = (got.clone(), log.clone());
    let (sim, _) = run(move |ctx| async move {
        use otpsim::behaviour::supervisor::{self, Strategy, SupFlags};
        let specs = vec![dynamic_supervisor::child_spec("pool", DynSupFlags::new())];
        let top = supervisor::start_link(
            &ctx,
            SupFlags::new(Strategy::OneForOne),
            specs,
            labelled("app"),
        )
        .await
        .into_result()?;
        let rows = supervisor::which_children(&ctx, top).await;
        let pool = pid_of(&ctx, top, "pool").await.ok_or(atom("no_pool"))?;
        let w = dynamic_supervisor::start_child(&ctx, pool, W::new("w", &l).spec()).await;
        *g.borrow_mut() = Some((rows[0].child_type, pool, w));
        Ok(())
    });
    let (ty, pool, w) = got.borrow().clone().expect("ran");
    assert_eq!(ty, otpsim::behaviour::supervisor::ChildType::Supervisor);
    assert_eq!(label_of(&sim, pool).as_deref(), Some("app/pool"));
    let StartResult::Ok(w) = w else {
        panic!("no worker: {w:?}")
    };
    assert_eq!(label_of(&sim, w).as_deref(), Some("app/pool/w"));
}
