//! Swarm testing (Groce et al., ISSTA 2012): each seed runs with its own fault rates,
//! drawn within the bounds the scenario declares, so a sweep also covers rate mixes
//! no single configuration would.

use crate::kernel::rng;
use crate::scenario::spec::{FaultSpec, Scenario};
use rand_core::RngCore;

/// The `(fault index, mtbf_us)` overrides seed `seed` runs with: for each swarm
/// bound, in order, an mtbf drawn uniformly from `[min, max]` from the seed's
/// `"swarm"` stream.
pub fn swarm_overrides(scenario: &Scenario, seed: u64) -> Vec<(usize, u64)> {
    let mut stream = rng::stream(seed, "swarm");
    scenario
        .swarm
        .iter()
        .map(|b| {
            let (lo, hi) = (
                b.min_mtbf_us.min(b.max_mtbf_us),
                b.min_mtbf_us.max(b.max_mtbf_us),
            );
            let span = hi - lo;
            let draw = if span == u64::MAX {
                stream.next_u64()
            } else {
                lo + stream.next_u64() % (span + 1)
            };
            (b.fault_index, draw)
        })
        .collect()
}

/// `scenario` as seed `seed` runs it under swarm: each bounded random fault's mtbf
/// replaced by its draw, and no swarm bounds left. Run without overrides it is the
/// same run as `scenario` with [`swarm_overrides`] (the draws come from their own
/// stream), and written out it is a plain scenario that `otpsim run` and `replay`
/// play back without knowing about swarm.
pub fn with_swarm_draws(scenario: &Scenario, seed: u64) -> Scenario {
    let mut out = scenario.clone();
    for (index, mtbf) in swarm_overrides(scenario, seed) {
        if let Some(FaultSpec::Random { mtbf_us, .. }) = out.faults.get_mut(index) {
            *mtbf_us = mtbf.max(1);
        }
    }
    out.swarm.clear();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    #[test]
    fn draws_stay_in_bounds_and_replay() {
        let s = load_str(
            "s.json",
            r#"{"otpsim": 1, "name": "s", "duration": "10s",
                "app": {"name": "a", "root": {"id": "root", "type": "supervisor",
                        "children": [{"id": "w", "model": "worker"}]}},
                "faults": [{"random": "crash", "reason": "x", "targets": ["root/w"], "mtbf": "5s"}],
                "swarm": [{"fault": 0, "mtbf": ["1s", "3s"]}]}"#,
        )
        .expect("loads");
        let mut seen = Vec::new();
        for seed in 0..50 {
            let o = swarm_overrides(&s, seed);
            assert_eq!(o, swarm_overrides(&s, seed));
            assert_eq!(o.len(), 1);
            assert_eq!(o[0].0, 0);
            assert!((1_000_000..=3_000_000).contains(&o[0].1), "{o:?}");
            seen.push(o[0].1);
        }
        seen.sort_unstable();
        seen.dedup();
        assert!(seen.len() > 40, "seeds draw different rates");
    }
}
