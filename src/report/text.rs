//! The run summary as text, for a terminal.

use super::summary::Summary;
use crate::check::format_us;
use std::borrow::Cow;
use std::fmt::Write;

impl Summary {
    /// The summary for people:
    ///
    /// ```text
    /// scenario three_workers, seed 1
    /// run: 1234 events, 60s of virtual time, duration_reached, fingerprint 0123456789abcdef
    /// crashes: 2
    /// supervisors:
    ///   root  2 child crashes, 2 restarts, 0 escalations, window peak 1 of 3
    /// clients:
    ///   web  120 calls: 110 ok, 4 errors, 6 timeouts, 0 rejected; success 91.7%; p50 12ms, p99 250ms
    /// breakers:
    ///   root/cb  3 trips, closed at the end
    /// faults: 2 injected (1 crash, 1 exit), 0 missed
    /// expectations: 1 of 2 passed
    ///   ok    root up: root alive at all 40 instants in [0s, 60s)
    ///   FAIL  few restarts: 2 restarts of root/* in [0s, 60s), at most 1 allowed; ...
    /// ```
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "scenario {}, seed {}", self.scenario, self.seed);
        let _ = writeln!(
            out,
            "run: {} events, {} of virtual time, {}, fingerprint {}",
            self.events,
            format_us(self.virtual_time_us),
            self.outcome,
            self.fingerprint_hex()
        );
        if !self.completed() {
            let _ = writeln!(out, "  the run was cut short: {}", self.outcome_detail);
        }
        let _ = writeln!(out, "crashes: {}", self.crashes);
        self.supervisors_text(&mut out);
        self.clients_text(&mut out);
        self.breakers_text(&mut out);
        self.faults_text(&mut out);
        self.expectations_text(&mut out);
        out
    }

    fn supervisors_text(&self, out: &mut String) {
        if self.supervisors.is_empty() {
            return;
        }
        let rows: Vec<(String, String)> = self
            .supervisors
            .iter()
            .map(|s| {
                let mut detail = format!(
                    "{} child crashes, {} restarts, {} escalations",
                    s.child_crashes, s.restarts, s.escalations
                );
                if let Some(max) = s.max_restarts {
                    detail.push_str(&format!(", window peak {} of {max}", s.window_peak));
                }
                (s.path.clone(), detail)
            })
            .collect();
        table(out, "supervisors", &rows);
    }

    fn clients_text(&self, out: &mut String) {
        if self.clients.is_empty() {
            return;
        }
        let rows: Vec<(String, String)> = self
            .clients
            .iter()
            .map(|c| {
                let s = &c.calls;
                let mut detail = s.describe();
                if let Some(r) = s.success_ratio() {
                    let _ = write!(detail, "; success {:.1}%", r * 100.0);
                }
                if let (Some(p50), Some(p99)) =
                    (s.latency_percentile_us(50), s.latency_percentile_us(99))
                {
                    let _ = write!(detail, "; p50 {}, p99 {}", format_us(p50), format_us(p99));
                }
                (c.id.clone(), detail)
            })
            .collect();
        table(out, "clients", &rows);
    }

    fn breakers_text(&self, out: &mut String) {
        if self.breakers.is_empty() {
            return;
        }
        let rows: Vec<(String, String)> = self
            .breakers
            .iter()
            .map(|b| {
                let trips = if b.trips == 1 { "trip" } else { "trips" };
                let end = match &b.final_state {
                    Some(state) => format!("{state} at the end"),
                    None => "not running at the end".to_string(),
                };
                (b.path.clone(), format!("{} {trips}, {end}", b.trips))
            })
            .collect();
        table(out, "breakers", &rows);
    }

    fn faults_text(&self, out: &mut String) {
        let f = &self.faults;
        let _ = write!(out, "faults: {} injected", f.injected);
        if !f.by_action.is_empty() {
            let parts: Vec<String> = f
                .by_action
                .iter()
                .map(|(action, n)| format!("{n} {action}"))
                .collect();
            let _ = write!(out, " ({})", parts.join(", "));
        }
        if f.random > 0 {
            let _ = write!(out, ", {} of them random", f.random);
        }
        let _ = writeln!(out, ", {} missed", f.missed);
    }

    fn expectations_text(&self, out: &mut String) {
        if self.expectations.is_empty() {
            let _ = writeln!(out, "expectations: none");
            return;
        }
        let passed = self.expectations.iter().filter(|e| e.passed).count();
        let _ = writeln!(
            out,
            "expectations: {passed} of {} passed",
            self.expectations.len()
        );
        for e in &self.expectations {
            let mark = if e.passed { "ok  " } else { "FAIL" };
            let (name, detail) = (printable(&e.name), printable(&e.detail));
            let _ = writeln!(out, "  {mark}  {name}: {detail}");
        }
    }
}

/// `text` with its control characters escaped (`\u{1b}`): names and terms come from
/// the scenario or the trace, and a raw escape sequence in one would drive the
/// terminal the output is read on (colours, clearing the screen, rewriting lines).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A titled two-column list with the first column padded to line up.
fn table(out: &mut String, title: &str, rows: &[(String, String)]) {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let _ = writeln!(out, "{title}:");
    for (key, value) in rows {
        let _ = writeln!(out, "  {key:width$}  {value}");
    }
}
