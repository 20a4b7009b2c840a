//! Reading the committed real-OTP probe outputs (`tests/otp_fixtures/<area>/NAME.out`,
//! one `key=value` fact a line) and checking that every fact was compared, and agreed.
//! Shared by every test crate that replays probes.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One `.out` file and the bookkeeping of which facts were compared.
pub struct Fixture {
    name: String,
    facts: BTreeMap<String, String>,
    done: Vec<String>,
    mismatches: Vec<String>,
}

impl Fixture {
    /// Loads `tests/otp_fixtures/{path}.out`, e.g. `Fixture::load("kernel/exit_self")`.
    pub fn load(path: &str) -> Fixture {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/otp_fixtures")
            .join(format!("{path}.out"));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let facts = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (k, v) = l.split_once('=').expect("key=value");
                (k.to_string(), v.to_string())
            })
            .collect();
        Fixture {
            name: path.to_string(),
            facts,
            done: Vec::new(),
            mismatches: Vec::new(),
        }
    }

    /// Compares otpsim's printed value for `key` with OTP's.
    pub fn check(&mut self, key: &str, otpsim: impl Into<String>) {
        let otpsim = otpsim.into();
        self.check_with(key, &otpsim, |otp| otp == otpsim);
    }

    /// Compares with a predicate over OTP's value, where the two sides print
    /// differently (an Elixir exception against a Rust panic); `shown` is otpsim's side.
    pub fn check_with(&mut self, key: &str, shown: &str, agrees: impl Fn(&str) -> bool) {
        match self.facts.get(key) {
            None => self.mismatches.push(format!("{key}: not in the fixture")),
            Some(otp) if !agrees(otp) => self
                .mismatches
                .push(format!("{key}: OTP {otp}, otpsim {shown}")),
            Some(_) => {}
        }
        self.done.push(key.to_string());
    }

    /// A fact otpsim does not model; `why` says what is missing.
    pub fn skip(&mut self, key: &str, why: &str) {
        assert!(self.facts.contains_key(key), "{}: no fact {key}", self.name);
        assert!(!why.is_empty());
        self.done.push(key.to_string());
    }

    /// The value OTP recorded for `key`.
    pub fn get(&self, key: &str) -> &str {
        self.facts.get(key).map_or("", String::as_str)
    }

    /// Every fact must have been compared, and agreed.
    pub fn finish(self) {
        let unseen: Vec<_> = self
            .facts
            .keys()
            .filter(|k| !self.done.contains(k))
            .collect();
        assert!(
            self.mismatches.is_empty() && unseen.is_empty(),
            "{}.out: mismatches {:#?}; facts not checked {:?}",
            self.name,
            self.mismatches,
            unseen
        );
    }
}
