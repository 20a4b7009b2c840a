//! Text for messages and generated names: durations and default expectation names.

use crate::scenario::spec::{Check, EndCond, EventMatch, StateCond, Window};
use crate::scenario::to_json::event_match;
pub(super) use crate::scenario::to_json::format_duration as duration;

/// The name an expectation gets when the file gives none: the check in words, such as
/// `never alive root/x` or `count restart root/db/conn1 at_most 5`, with its window
/// (`during heal`, `from 10s until 20s`) when it has one.
pub(super) fn default_name(check: &Check, during: Option<&str>) -> String {
    let window = |w: &Window, until_word: &str| -> String {
        if let Some(p) = during {
            return format!(" during {p}");
        }
        let mut s = String::new();
        if w.from_us > 0 {
            s.push_str(&format!(" from {}", duration(w.from_us)));
        }
        if let Some(u) = w.until_us {
            s.push_str(&format!(" {until_word} {}", duration(u)));
        }
        s
    };
    match check {
        Check::Always(c, w) => format!("always {}{}", cond(c), window(w, "until")),
        Check::Never(c, w) => format!("never {}{}", cond(c), window(w, "until")),
        Check::Sometimes(c, w) => format!("sometimes {}{}", cond(c), window(w, "until")),
        Check::Eventually(c, w) => format!("eventually {}{}", cond(c), window(w, "by")),
        Check::Count {
            what,
            window: w,
            at_least,
            at_most,
        } => {
            let (kind, of) = event_match(what);
            let kind = match what {
                EventMatch::ModelEvent { what, .. } => format!("model_event {what}"),
                _ => kind.to_string(),
            };
            let bounds = match (at_least, at_most) {
                (Some(a), Some(b)) if a == b => format!(" equals {a}"),
                (a, b) => {
                    let mut s = String::new();
                    if let Some(a) = a {
                        s.push_str(&format!(" at_least {a}"));
                    }
                    if let Some(b) = b {
                        s.push_str(&format!(" at_most {b}"));
                    }
                    s
                }
            };
            format!("count {kind} {of}{bounds}{}", window(w, "until"))
        }
        Check::Calls {
            client,
            min_success_ratio,
            max_timeouts,
            max_errors,
            min_calls,
        } => {
            let mut s = format!("calls {client}");
            if let Some(r) = min_success_ratio {
                s.push_str(&format!(" min_success_ratio {r}"));
            }
            for (word, v) in [
                ("max_timeouts", max_timeouts),
                ("max_errors", max_errors),
                ("min_calls", min_calls),
            ] {
                if let Some(v) = v {
                    s.push_str(&format!(" {word} {v}"));
                }
            }
            s
        }
        Check::AtEnd(EndCond::Alive(p)) => format!("at_end alive {p}"),
        Check::AtEnd(EndCond::Dead(p)) => format!("at_end dead {p}"),
        Check::AtEnd(EndCond::Children(p, n)) => format!("at_end children {p} {n}"),
        Check::NothingLost => "nothing_lost".to_string(),
    }
}

fn cond(c: &StateCond) -> String {
    match c {
        StateCond::Alive(p) => format!("alive {p}"),
        StateCond::BreakerState(p, s) => format!("breaker {p} {s}"),
    }
}
