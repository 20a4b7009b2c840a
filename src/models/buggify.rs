//! The models' BUGGIFY injection points ([`crate::kernel::Ctx::buggify`]): rare but
//! legal behaviour a real component can show, which an ordinary run never asks of it.
//!
//! | site | model | when it fires |
//! |---|---|---|
//! | `worker.slow` | worker | a call or cast takes ten times its `work` (at least 1 ms): a GC pause, a slow disk |
//! | `flaky.slow` | flaky | a request takes ten times its drawn latency (at least 1 ms) |
//! | `flaky.error` | flaky | a request fails although its error draw passed |
//! | `buffered_writer.slow_flush` | buffered_writer | the flush in `terminate` takes ten times `terminate_flush` (at least 1 ms) |
//!
//! A firing changes only what the row says; a model whose site does not fire behaves
//! as without buggify, and draws from its own streams exactly as before.

use crate::kernel::{ms, Ctx};

/// Every site the built-in models have, for docs and tests.
pub const SITES: &[&str] = &[
    "worker.slow",
    "flaky.slow",
    "flaky.error",
    "buffered_writer.slow_flush",
];

/// `us`, or ten times it (at least 1 ms) when `site` fires.
pub(crate) fn slow(ctx: &Ctx, site: &str, us: u64) -> u64 {
    debug_assert!(SITES.contains(&site), "{site} is not in SITES");
    if ctx.buggify(site) {
        us.saturating_mul(10).max(ms(1))
    } else {
        us
    }
}

/// Whether `site` fires now (for sites that change an outcome, not a duration).
pub(crate) fn fires(ctx: &Ctx, site: &str) -> bool {
    debug_assert!(SITES.contains(&site), "{site} is not in SITES");
    ctx.buggify(site)
}
