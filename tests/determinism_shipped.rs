//! Same scenario, seed and otpsim version: the same fingerprint in debug and release
//! (design §3, rule 5), on every shipped scenario rather than on kernel workloads alone
//! (tests/determinism_pinned.rs): supervision trees, the models, random faults from
//! ChaCha streams, and the random schedule.
//!
//! tests/fixtures/release_fingerprints.tsv holds what an optimized build computed;
//! `cargo test` runs in the test profile (debug assertions, no optimization) and
//! compares. A change to what a scenario does, to the event vocabulary or to the hash
//! changes these values on purpose: rewrite them in the same commit with
//!
//! ```sh
//! OTPSIM_WRITE_PINS=1 cargo test --release --test determinism_shipped
//! ```
//!
//! and say in the commit message why they moved.

use otpsim::kernel::Schedule;
use otpsim::scenario::load_file;
use otpsim::scenario::run::{run, RunOptions};
use std::path::{Path, PathBuf};

const PINS: &str = "tests/fixtures/release_fingerprints.tsv";

/// The seeds each scenario runs under besides its own.
const OTHER_SEEDS: [u64; 2] = [7, 90_210];

/// One pinned run: which scenario, seed and schedule, and what it gave.
#[derive(Debug, PartialEq, Eq)]
struct Pin {
    file: String,
    seed: String,
    schedule: String,
    events: u64,
    fingerprint: String,
}

impl Pin {
    fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}",
            self.file, self.seed, self.schedule, self.events, self.fingerprint
        )
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every shipped scenario, lab files included, by path relative to the crate root.
fn shipped() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/labs"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("scenario directory") {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|x| x == "json") {
                let name = path.file_name().expect("file name").to_string_lossy();
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    files
}

/// Runs one scenario as `otpsim run FILE [--seed S] --schedule SCHEDULE` would.
fn run_one(file: &str, seed: Option<u64>, schedule: Schedule) -> Pin {
    let scenario = load_file(&root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let options = RunOptions {
        seed: seed.unwrap_or(scenario.seed),
        record: false,
        mtbf_override: Vec::new(),
        schedule,
    };
    let out = run(&scenario, &options);
    Pin {
        file: file.to_string(),
        seed: seed.map_or_else(|| "own".to_string(), |s| s.to_string()),
        schedule: schedule.name(),
        events: out.report.events,
        fingerprint: format!("{:016x}", out.report.fingerprint),
    }
}

/// The runs pinned: each scenario with its own seed under FIFO and under the random
/// schedule, and with two other seeds under FIFO.
fn all_runs() -> Vec<Pin> {
    let mut pins = Vec::new();
    for file in shipped() {
        pins.push(run_one(&file, None, Schedule::Fifo));
        pins.push(run_one(&file, None, Schedule::Random));
        for seed in OTHER_SEEDS {
            pins.push(run_one(&file, Some(seed), Schedule::Fifo));
        }
    }
    pins
}

fn read_pins(path: &Path) -> Vec<Pin> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (see this file's header)", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 5, "{PINS} data line {}: {line:?}", i + 1);
            Pin {
                file: f[0].to_string(),
                seed: f[1].to_string(),
                schedule: f[2].to_string(),
                events: f[3].parse().expect("events is a number"),
                fingerprint: f[4].to_string(),
            }
        })
        .collect()
}

#[test]
fn every_shipped_scenario_fingerprints_as_the_release_build_did() {
    let path = root().join(PINS);
    let runs = all_runs();
    if std::env::var_os("OTPSIM_WRITE_PINS").is_some() {
        // Debug and release must agree: pins written by a debug build would prove
        // nothing when compared with a debug build.
        if cfg!(debug_assertions) {
            panic!("write the pins from an optimized build: add --release");
        }
        let mut text = String::from(
            "# scenario\tseed\tschedule\tevents\tfingerprint\n\
             # written by `OTPSIM_WRITE_PINS=1 cargo test --release --test determinism_shipped`\n",
        );
        for pin in &runs {
            text.push_str(&pin.line());
            text.push('\n');
        }
        std::fs::write(&path, text).expect("write the pins");
        return;
    }
    let pinned = read_pins(&path);
    let differ: Vec<String> = runs
        .iter()
        .filter(|run| !pinned.contains(run))
        .map(|run| format!("now:    {}", run.line()))
        .collect();
    let gone: Vec<String> = pinned
        .iter()
        .filter(|pin| !runs.contains(pin))
        .map(|pin| format!("pinned: {}", pin.line()))
        .collect();
    assert!(
        differ.is_empty() && gone.is_empty(),
        "runs that differ from {PINS} (a new scenario, or a change in behaviour, the \
         event vocabulary or the hash: see this file's header to rewrite the pins)\n{}\n{}",
        differ.join("\n"),
        gone.join("\n")
    );
}

#[test]
fn the_pins_vary_with_the_seed_and_the_schedule() {
    // A fingerprint that ignored the seed or the schedule would pin nothing: the
    // scenarios with random faults must give different histories under other seeds.
    if std::env::var_os("OTPSIM_WRITE_PINS").is_some() {
        return; // the other test is rewriting the file
    }
    let pinned = read_pins(&root().join(PINS));
    let flapping: Vec<&Pin> = pinned
        .iter()
        .filter(|p| p.file == "scenarios/flapping_tight_intensity.json")
        .collect();
    assert_eq!(flapping.len(), 2 + OTHER_SEEDS.len(), "{flapping:?}");
    let mut prints: Vec<&str> = flapping.iter().map(|p| p.fingerprint.as_str()).collect();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), flapping.len(), "{flapping:?}");
}
