//! The restart-storm workload behind `otpsim bench restart-storm`: exact restart
//! counts, every child back under a new pid, and the same history every run.

use otpsim::kernel::SimConfig;
use otpsim::term::atom;
use otpsim::workloads::restart_storm;

/// Runs a storm; returns (restarts, verified, fingerprint).
fn storm(children: u32, one_for_all: bool) -> (u64, bool, u64) {
    let mut s = restart_storm(children, one_for_all, SimConfig::default());
    s.sim.run();
    assert_eq!(s.inits.get(), u64::from(children), "all children started");
    s.sim.send(s.driver, atom("go"));
    let report = s.sim.run();
    let restarts = s.inits.get() - u64::from(children);
    s.sim.send(s.driver, atom("check"));
    s.sim.run();
    (restarts, s.verified.get(), report.fingerprint)
}

#[test]
fn one_for_one_storm_restarts_every_child_once() {
    let (restarts, verified, _) = storm(200, false);
    assert_eq!(restarts, 200);
    assert!(verified);
}

#[test]
fn one_for_all_storm_restarts_every_child_after_one_crash() {
    let (restarts, verified, _) = storm(200, true);
    assert_eq!(restarts, 200);
    assert!(verified);
}

#[test]
fn a_storm_is_deterministic() {
    assert_eq!(storm(50, false).2, storm(50, false).2);
    assert_eq!(storm(50, true).2, storm(50, true).2);
}

#[test]
fn storms_repeat_on_the_same_tree() {
    use otpsim::workloads::restart_storms;
    // one_for_one counts every child's restart: three storms need the room
    // `restart_storms` gives (one more storm's worth), or the third would end the tree.
    for one_for_all in [false, true] {
        let mut s = restart_storms(40, one_for_all, 3, SimConfig::default());
        s.sim.run();
        for storm in 1..=3u64 {
            s.verified.set(false);
            s.sim.send(s.driver, atom("go"));
            s.sim.run();
            assert_eq!(s.inits.get(), 40 * (storm + 1), "storm {storm}");
            s.sim.send(s.driver, atom("check"));
            s.sim.run();
            assert!(s.verified.get(), "storm {storm}: every child new");
        }
    }
}
