//! How many times each tree path has been started in this run, so a model can fail on
//! its Nth start (a worker that crashes in `init` after a restart, say).
//!
//! The counts live in a kernel table (the simulation's ETS) owned by the run's top
//! process, so they outlive every restart of the model itself; the runtime creates it
//! once, before it starts the application.
//!
//! ```
//! use otpsim::kernel::{Sim, SimConfig};
//! use otpsim::models::starts;
//!
//! let mut sim = Sim::new(SimConfig::default());
//! sim.spawn(|ctx| async move {
//!     starts::create_table(&ctx);
//!     assert_eq!(starts::bump(&ctx, "root/db"), 1);
//!     assert_eq!(starts::bump(&ctx, "root/db"), 2);
//!     assert_eq!(starts::bump(&ctx, "root/cache"), 1);
//!     assert_eq!(starts::count(&ctx, "root/db"), 2);
//!     Ok(())
//! });
//! assert!(sim.run().outcome.is_normal());
//! ```

use crate::kernel::Ctx;
use crate::term::Atom;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The table's name. The `$` keeps it out of the way of user names.
pub const TABLE: Atom = Atom::from_static("$otpsim_starts");

/// Start counts by path.
type Counts = RefCell<BTreeMap<String, u32>>;

/// Creates the start-count table, owned by the calling process (it is dropped when
/// that process dies). Calling it again while the table exists keeps the existing
/// counts.
pub fn create_table(ctx: &Ctx) {
    if ctx.table::<Counts>(&TABLE).is_none() {
        // The name is free (checked just above, and nothing runs in between).
        let _ = ctx.table_new(TABLE, Rc::new(Counts::default()));
    }
}

/// Counts one more start of `path` and returns its number: 1 on the first start.
///
/// Without the table (a model started outside the scenario runtime, which always
/// creates it) nothing is counted and every start is the first: returns 1.
pub fn bump(ctx: &Ctx, path: &str) -> u32 {
    let Some(table) = ctx.table::<Counts>(&TABLE) else {
        return 1;
    };
    let mut counts = table.borrow_mut();
    let n = counts.entry(path.to_string()).or_insert(0);
    *n = n.saturating_add(1);
    *n
}

/// How many times `path` has started so far (0 without the table).
pub fn count(ctx: &Ctx, path: &str) -> u32 {
    ctx.table::<Counts>(&TABLE)
        .and_then(|t| t.borrow().get(path).copied())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Sim, SimConfig};
    use std::cell::Cell;

    #[test]
    fn without_the_table_every_start_is_the_first() {
        let mut sim = Sim::new(SimConfig::default());
        let seen = Rc::new(Cell::new((0, 0, 0)));
        let out = seen.clone();
        sim.spawn(move |ctx| async move {
            out.set((bump(&ctx, "a"), bump(&ctx, "a"), count(&ctx, "a")));
            Ok(())
        });
        sim.run();
        assert_eq!(seen.get(), (1, 1, 0));
    }

    #[test]
    fn creating_the_table_twice_keeps_the_counts() {
        let mut sim = Sim::new(SimConfig::default());
        let seen = Rc::new(Cell::new(0));
        let out = seen.clone();
        sim.spawn(move |ctx| async move {
            create_table(&ctx);
            bump(&ctx, "a");
            create_table(&ctx);
            out.set(bump(&ctx, "a"));
            Ok(())
        });
        sim.run();
        assert_eq!(seen.get(), 2);
    }
}
