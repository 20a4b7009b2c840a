//! The run fingerprint: a stable 64-bit hash of the canonical trace.

use super::Event;

/// Folds events into a stable hash. The same events give the same value on any machine
/// and in debug and release builds.
#[derive(Debug, Clone)]
pub struct Fingerprinter {
    state: u64,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter::new()
    }
}

impl Fingerprinter {
    /// A fresh fingerprint.
    pub fn new() -> Fingerprinter {
        Fingerprinter { state: 0xcbf2_9ce4_8422_2325 }
    }

    /// Adds one event.
    pub fn add(&mut self, event: &Event) {
        let bytes = serde_json::to_vec(event).unwrap_or_default();
        for b in bytes {
            self.state ^= u64::from(b);
            self.state = self.state.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The current value.
    pub fn value(&self) -> u64 {
        self.state
    }
}
