//! One readable line per trace event, for terminals: virtual time, the process's tree
//! path (its pid when it has no label), the event kind and its other fields, compactly.
//!
//! ```text
//!     1.500000s  root/db          exit  reason=killed
//! ```

use super::text::printable;
use crate::check::{child_path, World};
use crate::scenario::pattern_matches;
use crate::term::Pid;
use crate::trace::{Event, EventKind};
use serde::de::{Deserializer, MapAccess, Visitor};
use std::fmt;
use std::io::{self, Write};

/// Which events to print.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceFilter {
    /// Only events of a process whose path matches (`scenario::pattern_matches`; a
    /// supervisor's event about a child matches the child's path too).
    pub path_pattern: Option<String>,
    /// Only events at or after this virtual time.
    pub from_us: Option<u64>,
    /// Only events at or before this virtual time.
    pub to_us: Option<u64>,
}

/// A field value longer than this is cut, so that one event stays one line.
const MAX_VALUE_CHARS: usize = 80;

/// Whether to colour output: only on a terminal, and never when `NO_COLOR` is set
/// (to anything, as <https://no-color.org> asks).
pub fn use_color(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none()
}

/// Writes the events `filter` selects, one line each; returns how many it wrote.
/// Labels come from every spawn event, the filtered-out ones included.
pub fn print_trace<W: Write>(
    events: &[Event],
    filter: &TraceFilter,
    color: bool,
    mut out: W,
) -> io::Result<u64> {
    let mut world = World::new();
    let mut written = 0;
    for event in events {
        // The spawn event names the process it creates: label it first.
        if matches!(event.kind, EventKind::Spawn { .. }) {
            world.apply(event);
        }
        if selected(event, &world, filter) {
            writeln!(out, "{}", format_event(event, &world, color))?;
            written += 1;
        }
        if !matches!(event.kind, EventKind::Spawn { .. }) {
            world.apply(event);
        }
    }
    out.flush()?;
    Ok(written)
}

fn selected(event: &Event, world: &World, filter: &TraceFilter) -> bool {
    if filter.from_us.is_some_and(|from| event.t < from)
        || filter.to_us.is_some_and(|to| event.t > to)
    {
        return false;
    }
    let Some(pattern) = &filter.path_pattern else {
        return true;
    };
    let (path, _) = subject(event, world);
    let child = child_of(event, world);
    [path, child]
        .into_iter()
        .flatten()
        .any(|p| pattern_matches(pattern, &p))
}

/// One event as one line; `world` knows the labels of the processes spawned so far.
pub fn format_event(event: &Event, world: &World, color: bool) -> String {
    let (path, field) = subject(event, world);
    let path = path.unwrap_or_else(|| "-".to_string());
    let mut kind = String::new();
    let mut details = Vec::new();
    if let Ok(fields) = ordered_fields(&event.kind) {
        for (key, value) in fields {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            if key == "kind" {
                kind = text;
            } else if Some(key.as_str()) != field && key != "label" {
                let value = name_pid(&text, world);
                details.push(format!("{key}={}", shorten(&printable(&value))));
            }
        }
    }
    let time = format_time(event.t);
    let details = details.join(" ");
    if color {
        let c = kind_colour(&kind, &details);
        format!(
            "\x1b[2m{time}\x1b[0m  \x1b[36m{path:<16}\x1b[0m  \x1b[{c}m{kind}\x1b[0m  {details}"
        )
    } else {
        format!("{time}  {path:<16}  {kind}  {details}")
    }
    .trim_end()
    .to_string()
}

/// An event's fields in their declared order (serde_json's maps sort their keys).
fn ordered_fields(kind: &EventKind) -> Result<Vec<(String, serde_json::Value)>, serde_json::Error> {
    struct Fields;
    impl<'de> Visitor<'de> for Fields {
        type Value = Vec<(String, serde_json::Value)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut fields = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                fields.push((key, map.next_value()?));
            }
            Ok(fields)
        }
    }
    let text = serde_json::to_string(kind)?;
    serde_json::Deserializer::from_str(&text).deserialize_map(Fields)
}

/// Virtual time as seconds with microsecond digits, right-aligned: `  12.500000s`.
pub fn format_time(t_us: u64) -> String {
    format!("{:>4}.{:06}s", t_us / 1_000_000, t_us % 1_000_000)
}

/// The process an event is about, as its path (or pid), and the field that named it.
fn subject(event: &Event, world: &World) -> (Option<String>, Option<&'static str>) {
    use EventKind as K;
    let (pid, field): (Option<Pid>, &'static str) = match &event.kind {
        K::Spawn { child, .. } => (Some(*child), "child"),
        K::Register { pid, .. }
        | K::Unregister { pid, .. }
        | K::Recv { pid, .. }
        | K::Exit { pid, .. }
        | K::TrapExit { pid, .. }
        | K::InitResult { pid, .. }
        | K::StartResult { pid, .. }
        | K::Handle { pid, .. }
        | K::TerminateCb { pid, .. }
        | K::CodeChange { pid, .. }
        | K::RegRegister { pid, .. }
        | K::RegUnregister { pid, .. }
        | K::Model { pid, .. } => (Some(*pid), "pid"),
        K::Send { from, .. } => (*from, "from"),
        K::Cast { from, .. } => (Some(*from), "from"),
        K::ExitSignal { from, .. } => (Some(*from), "from"),
        K::Drop { to, .. } | K::ExitSignalHandled { to, .. } => (Some(*to), "to"),
        K::Link { a, .. } | K::Unlink { a, .. } => (Some(*a), "a"),
        K::Monitor { watcher, .. } | K::Demonitor { watcher, .. } | K::Down { watcher, .. } => {
            (Some(*watcher), "watcher")
        }
        K::Call { caller, .. } | K::CallExit { caller, .. } => (Some(*caller), "caller"),
        K::Reply { server, .. } => (Some(*server), "server"),
        K::ChildStart { sup, .. }
        | K::ChildExitSeen { sup, .. }
        | K::RestartCounted { sup, .. }
        | K::ChildShutdown { sup, .. }
        | K::ChildShutdownTimeout { sup, .. }
        | K::ChildDown { sup, .. }
        | K::TryAgain { sup, .. }
        | K::IntensityExceeded { sup, .. }
        | K::AutoShutdown { sup, .. }
        | K::SupExit { sup, .. } => (Some(*sup), "sup"),
        K::Fault { target, pid, .. } => {
            let path = pid
                .and_then(|p| world.label(p).map(str::to_string))
                .unwrap_or_else(|| target.clone());
            return (Some(path), Some("target"));
        }
        K::TimerFire { .. }
        | K::AppStart { .. }
        | K::AppPrepStop { .. }
        | K::AppStop { .. }
        | K::AppExit { .. }
        | K::NodeHalt { .. } => return (None, None),
    };
    let path = pid.map(|p| world.label(p).map_or_else(|| p.to_string(), str::to_string));
    (path, Some(field))
}

/// The child a supervisor event is about, as a path.
fn child_of(event: &Event, world: &World) -> Option<String> {
    use EventKind as K;
    match &event.kind {
        K::ChildStart { sup, id, pid, .. } => child_path(world, *sup, id, *pid),
        K::ChildExitSeen { sup, id, pid, .. }
        | K::ChildShutdown { sup, id, pid, .. }
        | K::ChildShutdownTimeout { sup, id, pid }
        | K::ChildDown { sup, id, pid, .. } => child_path(world, *sup, id, Some(*pid)),
        K::RestartCounted { sup, id, .. } | K::TryAgain { sup, id } => {
            child_path(world, *sup, id, None)
        }
        K::IntensityExceeded {
            sup, offender_id, ..
        } => child_path(world, *sup, offender_id, None),
        _ => None,
    }
}

/// A pid's text replaced by its label, when it has one.
fn name_pid(text: &str, world: &World) -> String {
    text.parse::<Pid>()
        .ok()
        .and_then(|pid| world.label(pid))
        .map_or_else(|| text.to_string(), str::to_string)
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
    format!("{cut}…")
}

/// Red for deaths and escalations, green for starts, magenta for faults, yellow for
/// model reports.
fn kind_colour(kind: &str, details: &str) -> &'static str {
    match kind {
        "exit" if details == "reason=normal" => "0",
        "exit"
        | "exit_signal"
        | "intensity_exceeded"
        | "sup_exit"
        | "call_exit"
        | "child_shutdown_timeout"
        | "node_halt" => "31",
        "spawn" | "child_start" | "init_result" => "32",
        "fault" => "35",
        "model" => "33",
        _ => "0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_aligned_seconds() {
        assert_eq!(format_time(12_500_000), "  12.500000s");
        assert_eq!(format_time(7), "   0.000007s");
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_color(true, None));
        assert!(!use_color(false, None));
        assert!(!use_color(true, Some(std::ffi::OsStr::new(""))));
    }

    #[test]
    fn long_values_are_cut() {
        let long = "x".repeat(200);
        assert_eq!(shorten(&long).chars().count(), MAX_VALUE_CHARS);
        assert_eq!(shorten("short"), "short");
    }
}
