//! Where two runs part ways: the first event at which two traces differ.
//!
//! Determinism bugs and behaviour changes both show up as two traces that agree for a
//! while and then do not; the interesting part is the first difference and what led
//! up to it.

use super::Event;
use std::fmt;

/// How many agreeing events a [`Divergence`] keeps from before the difference.
pub const DIVERGENCE_CONTEXT: usize = 3;

/// The first place two traces differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Divergence {
    /// The index of the first differing event (equal to the shorter length when one
    /// trace is a prefix of the other).
    pub index: usize,
    /// The first trace's event there, or `None` when that trace had ended.
    pub a: Option<Event>,
    /// The second trace's event there, or `None` when that trace had ended.
    pub b: Option<Event>,
    /// Up to [`DIVERGENCE_CONTEXT`] events just before `index`, the same in both.
    pub context: Vec<Event>,
}

/// The first index at which `a` and `b` differ, or `None` when they are identical.
/// A trace that ends early differs from a longer one at its end.
pub fn first_divergence(a: &[Event], b: &[Event]) -> Option<Divergence> {
    let index = match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => i,
        None if a.len() == b.len() => return None,
        None => a.len().min(b.len()),
    };
    let start = index.saturating_sub(DIVERGENCE_CONTEXT);
    Some(Divergence {
        index,
        a: a.get(index).cloned(),
        b: b.get(index).cloned(),
        context: a[start..index].to_vec(),
    })
}

/// ```text
/// traces diverge at event 4:
///     #2 t=0us link a=<0.1.0> b=<0.2.0>
///     #3 t=0us trap_exit pid=<0.1.0> on=true
///   a #4 t=10us exit pid=<0.2.0> reason=normal
///   b #4 t=10us exit pid=<0.2.0> reason=killed
/// ```
impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "traces diverge at event {}:", self.index)?;
        if self.index > self.context.len() {
            writeln!(
                f,
                "    ... {} identical events",
                self.index - self.context.len()
            )?;
        }
        for event in &self.context {
            writeln!(f, "    {event}")?;
        }
        for (side, event) in [("a", &self.a), ("b", &self.b)] {
            match event {
                Some(event) => writeln!(f, "  {side} {event}")?,
                None => writeln!(f, "  {side} (trace ended after {} events)", self.index)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::{Pid, Term};
    use crate::trace::EventKind;

    fn exit(seq: u64, reason: Term) -> Event {
        Event {
            t: seq * 10,
            seq,
            kind: EventKind::Exit {
                pid: Pid::from_parts(0, 2),
                reason,
            },
        }
    }

    fn run(n: u64) -> Vec<Event> {
        (0..n).map(|i| exit(i, Term::NORMAL)).collect()
    }

    #[test]
    fn identical_traces_do_not_diverge() {
        assert_eq!(first_divergence(&run(5), &run(5)), None);
        assert_eq!(first_divergence(&[], &[]), None);
    }

    #[test]
    fn finds_the_first_difference_with_context() {
        let a = run(6);
        let mut b = run(6);
        b[4] = exit(4, Term::KILLED);
        b[5] = exit(5, Term::KILLED);
        let d = first_divergence(&a, &b).unwrap();
        assert_eq!(d.index, 4);
        assert_eq!(d.a, Some(a[4].clone()));
        assert_eq!(d.b, Some(b[4].clone()));
        assert_eq!(d.context, a[1..4].to_vec());
        assert_eq!(
            d.to_string(),
            "traces diverge at event 4:\n    ... 1 identical events\n    #1 t=10us exit pid=<0.2.0> reason=normal\n    #2 t=20us exit pid=<0.2.0> reason=normal\n    #3 t=30us exit pid=<0.2.0> reason=normal\n  a #4 t=40us exit pid=<0.2.0> reason=normal\n  b #4 t=40us exit pid=<0.2.0> reason=killed\n"
        );
    }

    #[test]
    fn a_shorter_trace_diverges_where_it_ends() {
        let d = first_divergence(&run(2), &run(3)).unwrap();
        assert_eq!((d.index, d.a.clone(), d.b.is_some()), (2, None, true));
        assert_eq!(d.context.len(), 2);
        assert!(d.to_string().contains("  a (trace ended after 2 events)\n"));
        let d = first_divergence(&run(1), &[]).unwrap();
        assert_eq!(
            (d.index, d.a.is_some(), d.b.clone(), d.context.len()),
            (0, true, None, 0)
        );
    }
}
