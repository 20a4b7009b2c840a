//! BUGGIFY-style injection points (design §4): places in actor code where something
//! rare but legal may happen on purpose (a slow flush, a spurious error), switched on
//! per run and then firing with a probability, so that a sweep of seeds visits the
//! corners ordinary runs never reach.
//!
//! A run with buggify on decides, the first time each named site is reached inside a
//! fault window, whether that site is switched on for the whole run (probability
//! `enable`); a switched-on site then fires each time it is reached inside a fault
//! window with probability `fire`. Both draws come from the stream `buggify:<site>`,
//! one per site, so a new site or a new caller of one site never moves another site's
//! draws. A firing is a `fault` event (action `buggify`, detail the site, cause
//! `buggify`) before the caller acts on it, so a failing run explains itself.
//! With buggify off, [`Ctx::buggify`] is `false` and draws nothing: a run without it is
//! the run it always was.

use super::rng::{self, chance, Stream};
use super::Ctx;
use crate::term::{Atom, Term};
use crate::trace::EventKind;
use std::collections::BTreeMap;

/// How buggify behaves in a run.
#[derive(Clone, Debug, PartialEq)]
pub struct BuggifyConfig {
    /// The probability that a site is switched on for the run, 0 to 1.
    pub enable: f64,
    /// The probability that a switched-on site fires each time it is reached, 0 to 1.
    pub fire: f64,
    /// The windows of virtual time `[from, until)` in which sites may fire, in time
    /// order; empty for the whole run.
    pub windows: Vec<(u64, u64)>,
}

impl BuggifyConfig {
    fn in_window(&self, now_us: u64) -> bool {
        self.windows.is_empty() || self.windows.iter().any(|&(a, b)| a <= now_us && now_us < b)
    }
}

/// One site's decision for the run and its stream.
struct Site {
    enabled: bool,
    rng: Stream,
}

/// The kernel's buggify state: the configuration and every site reached so far.
pub(crate) struct Buggify {
    config: BuggifyConfig,
    seed: u64,
    sites: BTreeMap<String, Site>,
}

impl Buggify {
    pub(crate) fn new(config: BuggifyConfig, seed: u64) -> Buggify {
        Buggify {
            config,
            seed,
            sites: BTreeMap::new(),
        }
    }

    /// Whether `site` fires now.
    fn draw(&mut self, site: &str, now_us: u64) -> bool {
        if !self.config.in_window(now_us) {
            return false;
        }
        let fire = self.config.fire;
        if let Some(known) = self.sites.get_mut(site) {
            return known.enabled && chance(&mut known.rng, fire);
        }
        // First reach: the site's switch, then its first firing draw.
        let mut rng = rng::stream(self.seed, &format!("buggify:{site}"));
        let enabled = chance(&mut rng, self.config.enable);
        let fires = enabled && chance(&mut rng, fire);
        self.sites.insert(site.to_string(), Site { enabled, rng });
        fires
    }
}

impl Ctx {
    /// A BUGGIFY injection point named `site` (by convention `model.what`, such as
    /// `flaky.error`): `true` when the run has buggify on, the site is switched on for
    /// this run, and it fires this time (see the module documentation). The caller then
    /// does the rare thing; a `fault` event has already said so.
    ///
    /// ```
    /// use otpsim::kernel::{BuggifyConfig, Sim, SimConfig};
    /// let mut sim = Sim::new(SimConfig::default());
    /// sim.enable_buggify(BuggifyConfig { enable: 1.0, fire: 1.0, windows: vec![] });
    /// sim.spawn(|ctx| async move {
    ///     let work_us = if ctx.buggify("doc.slow") { 50_000 } else { 5_000 };
    ///     ctx.work(work_us).await;
    ///     Ok(())
    /// });
    /// sim.run();
    /// assert_eq!(sim.now_us(), 50_000);
    /// ```
    pub fn buggify(&self, site: &str) -> bool {
        let mut k = self.kernel.borrow_mut();
        let now_us = k.now_us;
        let Some(state) = k.buggify.as_mut() else {
            return false;
        };
        if !state.draw(site, now_us) {
            return false;
        }
        let me = self.me;
        let target = k
            .label_of(me)
            .map_or_else(|| me.to_string(), str::to_string);
        k.emit_unfolded(EventKind::Fault {
            target,
            pid: Some(me),
            action: Atom::from_static("buggify"),
            detail: Term::Atom(Atom::new(site)),
            cause: Atom::from_static("buggify"),
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(enable: f64, fire: f64, windows: Vec<(u64, u64)>) -> BuggifyConfig {
        BuggifyConfig {
            enable,
            fire,
            windows,
        }
    }

    #[test]
    fn a_site_switched_off_never_fires_and_one_always_on_always_does() {
        let mut off = Buggify::new(config(0.0, 1.0, vec![]), 1);
        let mut on = Buggify::new(config(1.0, 1.0, vec![]), 1);
        for t in 0..100 {
            assert!(!off.draw("s", t));
            assert!(on.draw("s", t));
        }
    }

    #[test]
    fn sites_fire_only_inside_the_windows() {
        let mut b = Buggify::new(config(1.0, 1.0, vec![(10, 20), (30, 40)]), 1);
        let fired: Vec<u64> = (0..50).filter(|&t| b.draw("s", t)).collect();
        let expected: Vec<u64> = (10..20).chain(30..40).collect();
        assert_eq!(fired, expected);
    }

    #[test]
    fn the_draws_depend_on_the_seed_and_the_site_only() {
        let pattern = |seed: u64, site: &str, other: bool| -> Vec<bool> {
            let mut b = Buggify::new(config(1.0, 0.5, vec![]), seed);
            (0..64)
                .map(|t| {
                    if other {
                        // Another site's draws in between move nothing of this one's.
                        b.draw("other", t);
                    }
                    b.draw(site, t)
                })
                .collect()
        };
        assert_eq!(pattern(3, "a", false), pattern(3, "a", true));
        assert_ne!(pattern(3, "a", false), pattern(4, "a", false));
        assert_ne!(pattern(3, "a", false), pattern(3, "b", false));
        let fired = pattern(3, "a", false).iter().filter(|f| **f).count();
        assert!((16..=48).contains(&fired), "{fired} of 64 at p = 0.5");
    }

    #[test]
    fn about_the_enable_share_of_sites_is_switched_on() {
        let mut b = Buggify::new(config(0.25, 1.0, vec![]), 9);
        let on = (0..400).filter(|i| b.draw(&format!("site{i}"), 0)).count();
        assert!(
            (60..=140).contains(&on),
            "{on} of 400 sites at enable = 0.25"
        );
    }
}
