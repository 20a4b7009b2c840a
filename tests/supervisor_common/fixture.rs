//! Reading the committed real-OTP facts (`tests/otp_fixtures/supervisor_probes/`).

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One `.out` file and which of its facts were compared.
pub struct Fixture {
    name: &'static str,
    facts: BTreeMap<String, String>,
    done: Vec<String>,
    mismatches: Vec<String>,
}

impl Fixture {
    pub fn load(name: &'static str) -> Fixture {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/otp_fixtures/supervisor_probes")
            .join(format!("{name}.out"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let facts = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (k, v) = l.split_once('=').expect("key=value");
                (k.to_string(), v.to_string())
            })
            .collect();
        Fixture {
            name,
            facts,
            done: Vec::new(),
            mismatches: Vec::new(),
        }
    }

    /// The value OTP recorded for `key`.
    pub fn get(&self, key: &str) -> String {
        self.facts.get(key).cloned().unwrap_or_default()
    }

    /// Compares otpsim's value for `key` with OTP's.
    pub fn check(&mut self, key: &str, otpsim: impl Into<String>) {
        let otpsim = otpsim.into();
        match self.facts.get(key) {
            None => self.mismatches.push(format!("{key}: not in the fixture")),
            Some(otp) if *otp != otpsim => self
                .mismatches
                .push(format!("{key}: OTP {otp}, otpsim {otpsim}")),
            Some(_) => {}
        }
        self.done.push(key.to_string());
    }

    /// Every fact must have been checked, and all must agree.
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
