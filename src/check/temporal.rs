//! always, never, sometimes and eventually: a state condition sampled over a window.

use super::{format_us, Probe, Span, World};
use crate::scenario::spec::StateCond;

/// How a temporal check judges its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Always,
    Never,
    Sometimes,
    Eventually,
}

/// Samples of one condition over one window.
struct Temporal {
    mode: Mode,
    cond: StateCond,
    window: Span,
    /// The window's start has been sampled.
    started: bool,
    samples: u64,
    /// Samples where the condition held.
    held: u64,
    first_held_us: Option<u64>,
    first_failed_us: Option<u64>,
    last_held_us: Option<u64>,
    last_failed_us: Option<u64>,
    /// The start of the latest stretch of samples where it held.
    held_since_us: Option<u64>,
    /// For eventually: whether it held at the window's end (`by`), once known.
    at_end: Option<bool>,
}

pub(super) fn always(cond: &StateCond, window: Span) -> Box<dyn Probe> {
    Temporal::boxed(Mode::Always, cond, window)
}

pub(super) fn never(cond: &StateCond, window: Span) -> Box<dyn Probe> {
    Temporal::boxed(Mode::Never, cond, window)
}

pub(super) fn sometimes(cond: &StateCond, window: Span) -> Box<dyn Probe> {
    Temporal::boxed(Mode::Sometimes, cond, window)
}

pub(super) fn eventually(cond: &StateCond, window: Span) -> Box<dyn Probe> {
    Temporal::boxed(Mode::Eventually, cond, window)
}

impl Temporal {
    fn boxed(mode: Mode, cond: &StateCond, window: Span) -> Box<dyn Probe> {
        Box::new(Temporal {
            mode,
            cond: cond.clone(),
            window,
            started: false,
            samples: 0,
            held: 0,
            first_held_us: None,
            first_failed_us: None,
            last_held_us: None,
            last_failed_us: None,
            held_since_us: None,
            at_end: None,
        })
    }

    fn sample(&mut self, t_us: u64, world: &World) {
        self.started = true;
        self.samples += 1;
        if world.holds(&self.cond) {
            self.held += 1;
            self.first_held_us.get_or_insert(t_us);
            self.last_held_us = Some(t_us);
            self.held_since_us.get_or_insert(t_us);
        } else {
            self.first_failed_us.get_or_insert(t_us);
            self.last_failed_us = Some(t_us);
            self.held_since_us = None;
        }
    }

    /// The condition, for details: `root/db alive`, `root/cb open`.
    fn what(&self) -> String {
        match &self.cond {
            StateCond::Alive(path) => format!("{path} alive"),
            StateCond::BreakerState(path, state) => format!("breaker {path} {state}"),
        }
    }

    fn verdict(&self, end_us: u64) -> (bool, String) {
        let what = self.what();
        let window = self.window;
        let failed = self.samples - self.held;
        let t = |us: Option<u64>| format_us(us.unwrap_or(0));
        match self.mode {
            Mode::Always if failed == 0 => (
                true,
                format!("{what} at all {} instants in {window}", self.samples),
            ),
            Mode::Always => (
                false,
                format!(
                    "{what} did not hold at {} ({failed} of {} instants in {window}; last at {})",
                    t(self.first_failed_us),
                    self.samples,
                    t(self.last_failed_us)
                ),
            ),
            Mode::Never if self.held == 0 => (
                true,
                format!("{what} at none of {} instants in {window}", self.samples),
            ),
            Mode::Never => (
                false,
                format!(
                    "{what} held at {} ({} of {} instants in {window}; last at {})",
                    t(self.first_held_us),
                    self.held,
                    self.samples,
                    t(self.last_held_us)
                ),
            ),
            Mode::Sometimes if self.held > 0 => (
                true,
                format!(
                    "{what} first held at {} ({} of {} instants in {window})",
                    t(self.first_held_us),
                    self.held,
                    self.samples
                ),
            ),
            Mode::Sometimes => (
                false,
                format!(
                    "{what} held at none of {} instants in {window}",
                    self.samples
                ),
            ),
            Mode::Eventually => self.eventually_verdict(&what, end_us),
        }
    }

    fn eventually_verdict(&self, what: &str, end_us: u64) -> (bool, String) {
        let by = format_us(self.window.until_us);
        let from = format_us(self.window.from_us);
        let cut = if self.window.until_us > end_us {
            format!(" (the run ended at {})", format_us(end_us))
        } else {
            String::new()
        };
        match (self.held > 0, self.at_end == Some(true)) {
            (true, true) => match self.held_since_us {
                Some(since) => (
                    true,
                    format!("{what} from {} on, still at {by}{cut}", format_us(since)),
                ),
                None => (
                    true,
                    format!(
                        "{what} at {}, and again at {by}{cut}",
                        format_us(self.first_held_us.unwrap_or(0))
                    ),
                ),
            },
            (false, _) => (
                false,
                format!("{what} never held between {from} and {by}{cut}"),
            ),
            (true, false) => (
                false,
                format!(
                    "{what} held at {} but not at {by}{cut} (last held at {})",
                    format_us(self.first_held_us.unwrap_or(0)),
                    format_us(self.last_held_us.unwrap_or(0))
                ),
            ),
        }
    }
}

impl Probe for Temporal {
    fn advance(&mut self, next_us: u64, world: &World) {
        let w = self.window;
        // The window opens between two instants: its start sees the state carried
        // over from the instant before.
        if !self.started && w.from_us < next_us && w.from_us < w.until_us {
            self.sample(w.from_us, world);
        }
        if self.mode == Mode::Eventually && self.at_end.is_none() && w.until_us < next_us {
            self.at_end = Some(world.holds(&self.cond));
        }
    }

    fn instant(&mut self, t_us: u64, world: &World) {
        if self.window.contains(t_us) {
            self.sample(t_us, world);
        }
        if self.mode == Mode::Eventually && t_us == self.window.until_us {
            self.at_end = Some(world.holds(&self.cond));
        }
    }

    fn finish(self: Box<Self>, _world: &World, end_us: u64) -> (bool, String) {
        self.verdict(end_us)
    }
}
