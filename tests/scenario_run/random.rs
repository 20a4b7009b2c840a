//! Random faults: the seed, the phases, the streams and swarm overrides.

use super::*;

fn random_scenario(extra_fault: &str, phases: &str) -> Scenario {
    scenario(
        r#"{"id": "w1", "model": "worker"}, {"id": "w2", "model": "worker"},
           {"id": "other", "type": "supervisor", "max_restarts": 1000, "children": [{"id": "x", "model": "worker"}]}"#,
        &format!(
            r#","faults": [{{"random": "crash", "targets": ["root/w1", "root/w2", "root/w1"], "mtbf": "2s"}}{extra_fault}] {phases}"#
        ),
    )
}

fn firing_times(out: &RunOutput, cause: &str) -> Vec<(u64, String)> {
    faults(&out.events)
        .into_iter()
        .filter(|f| f.cause == cause)
        .map(|f| (f.t, f.target))
        .collect()
}

#[test]
fn random_faults_follow_the_seed() {
    let s = scenario(
        r#"{"id": "w1", "model": "worker"}, {"id": "w2", "model": "worker"}"#,
        r#","faults": [{"random": "exit", "targets": ["root/*"], "mtbf": "1s"}]"#,
    );
    let (a, b, c) = (run_seed(&s, 3), run_seed(&s, 3), run_seed(&s, 4));
    let (fa, fc) = (firing_times(&a, "random"), firing_times(&c, "random"));
    assert_eq!(fa, firing_times(&b, "random"));
    assert_ne!(fa, fc);
    // Both targets, about 10 s / 1 s each.
    for target in ["root/w1", "root/w2"] {
        let n = fa.iter().filter(|(_, t)| t == target).count();
        assert!((3..=25).contains(&n), "{target}: {n} firings");
    }
    assert!(fa.windows(2).all(|w| w[0].0 <= w[1].0));
}

#[test]
fn random_faults_fire_only_in_fault_phases() {
    let s = random_scenario(
        "",
        r#","phases": [{"name": "calm", "from": "0s", "until": "3s", "faults": false},
                       {"name": "storm", "from": "3s", "until": "6s"},
                       {"name": "heal", "from": "6s", "until": "10s", "faults": false}]"#,
    );
    let f = firing_times(&run1(&s), "random");
    assert!(!f.is_empty());
    assert!(f.iter().all(|(t, _)| (3 * S..6 * S).contains(t)), "{f:?}");
}

#[test]
fn adding_a_random_fault_does_not_move_another() {
    let one = random_scenario("", "");
    let two = random_scenario(
        r#",{"random": "exit", "targets": ["root/other/x"], "mtbf": "500ms"}"#,
        "",
    );
    let (a, b) = (run1(&one), run1(&two));
    let first = |out: &RunOutput| -> Vec<(u64, String)> {
        faults(&out.events)
            .into_iter()
            .filter(|f| f.target.starts_with("root/w"))
            .map(|f| (f.t, f.target))
            .collect()
    };
    assert!(!first(&a).is_empty());
    assert_eq!(first(&a), first(&b));
    assert!(faults(&b.events).iter().any(|f| f.target == "root/other/x"));
}

#[test]
fn swarm_overrides_change_the_rate() {
    let s = random_scenario("", "");
    let base = firing_times(&run1(&s), "random").len();
    let fast = run(
        &s,
        &RunOptions {
            seed: s.seed,
            record: true,
            mtbf_override: vec![(0, 100 * MS)],
            ..RunOptions::default()
        },
    );
    assert!(firing_times(&fast, "random").len() > 5 * base.max(1));
}
