//! Same program, seed and otpsim version: the same fingerprint in debug and release
//! (design §3, rule 5). The values below were computed by a release build
//! (`otpsim bench ring --procs 10 --rounds 10 --json`, `otpsim bench spawn --procs 1000
//! --json`); this test runs in the test profile, so every CI run compares the two.
//! A change to the event vocabulary or the hash changes them on purpose: recompute
//! them with the release commands above in the same commit.

use otpsim::kernel::SimConfig;
use otpsim::workloads;

#[test]
fn ring_fingerprint_matches_the_release_build() {
    let mut ring = workloads::Ring::build(10, SimConfig::default());
    ring.start(10);
    let report = ring.sim.run();
    assert_eq!(format!("{:016x}", report.fingerprint), "11a74392bb2f1fc9");
}

#[test]
fn spawn_storm_fingerprint_matches_the_release_build() {
    let (mut sim, downs) = workloads::spawn_storm(1000, 10_000, SimConfig::default());
    let report = sim.run();
    assert_eq!(downs.get(), 1000);
    assert_eq!(format!("{:016x}", report.fingerprint), "3e88cbaf5432dfde");
}
