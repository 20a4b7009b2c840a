use super::*;
use crate::term::{atom, Atom, Pid, Term};
use crate::trace::{strategy, EventKind, Fingerprinter};
use proptest::prelude::*;

fn pid(n: u32) -> Pid {
    Pid::from_parts(n, n)
}

fn events_of(kinds: Vec<EventKind>) -> Vec<Event> {
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event {
            t: i as u64 * 5,
            seq: i as u64,
            kind,
        })
        .collect()
}

fn footer_for(events: &[Event]) -> TraceFooter {
    let mut f = Fingerprinter::new();
    events.iter().for_each(|e| f.add(e));
    let end = events.last().map_or(0, |e| e.t);
    TraceFooter::new(events.len() as u64, f.value(), "quiescent", end)
}

fn write_to_string(events: &[Event]) -> String {
    let header = TraceHeader::new(7, serde_json::json!({"scenario": "unit"}));
    let mut out = Vec::new();
    write_trace(&mut out, &header, events, &footer_for(events)).unwrap();
    String::from_utf8(out).unwrap()
}

fn small_run() -> Vec<Event> {
    events_of(vec![
        EventKind::Spawn {
            parent: None,
            child: pid(1),
            linked: false,
            monitored: false,
            label: Some("sup".into()),
        },
        EventKind::Spawn {
            parent: Some(pid(1)),
            child: pid(2),
            linked: true,
            monitored: false,
            label: Some("db".into()),
        },
        EventKind::Register {
            pid: pid(2),
            name: Atom::new("db_server"),
        },
        EventKind::Send {
            from: Some(pid(1)),
            to: Term::Pid(pid(2)),
            msg: atom("ping"),
            outcome: None,
        },
        EventKind::Unregister {
            pid: pid(2),
            name: Atom::new("db_server"),
        },
        EventKind::Exit {
            pid: pid(2),
            reason: Term::KILLED,
        },
    ])
}

fn read_str(text: &str) -> Result<Trace, TraceError> {
    read_trace(text.as_bytes())
}

fn error_of(text: &str) -> (u64, u64, TraceErrorKind) {
    let e = read_str(text).expect_err("should be rejected");
    (e.line, e.column, e.kind)
}

#[test]
fn writes_the_documented_lines() {
    let text = write_to_string(&small_run());
    let lines: Vec<&str> = text.lines().collect();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        lines[0],
        format!(
            r#"{{"otpsim_trace":1,"otpsim_version":"{version}","seed":7,"input":{{"scenario":"unit"}}}}"#
        )
    );
    assert_eq!(
        lines[2],
        r#"{"t":5,"seq":1,"kind":"spawn","parent":"<0.1.0>","child":"<0.2.0>","linked":true,"monitored":false,"label":"db","parent_name":"sup","child_name":"db"}"#
    );
    // A registered name wins over a label while it is held.
    assert!(
        lines[4].ends_with(r#""from_name":"sup","to_name":"db_server"}"#),
        "{}",
        lines[4]
    );
    assert!(lines[6].ends_with(r#""pid_name":"db"}"#), "{}", lines[6]);
    let footer = footer_for(&small_run());
    assert_eq!(
        lines[7],
        format!(
            r#"{{"end":true,"events":6,"fingerprint":"{:016x}","outcome":"quiescent","virtual_time_us":25}}"#,
            footer.fingerprint
        )
    );
}

#[test]
fn reads_back_what_it_wrote() {
    let trace = read_str(&write_to_string(&small_run())).unwrap();
    assert_eq!(trace.events, small_run());
    assert_eq!(trace.footer, footer_for(&small_run()));
    assert_eq!(trace.header.seed, 7);
    assert_eq!(trace.header.input["scenario"], "unit");
}

#[test]
fn the_writer_refuses_what_the_reader_would() {
    let header = TraceHeader::new(0, serde_json::Value::Null);
    let run = small_run();
    let mut w = TraceWriter::new(Vec::new(), &header).unwrap();
    assert!(w.write_event(&run[1]).is_err());
    w.write_event(&run[0]).unwrap();
    let mut late = run[1].clone();
    late.t = 0;
    w.write_event(&late).unwrap();
    let mut early = run[2].clone();
    early.t = 0;
    w.write_event(&early).unwrap();
    let mut wrong = footer_for(&run[..3]);
    wrong.events = 2;
    assert!(TraceWriter::new(Vec::new(), &header)
        .unwrap()
        .finish(&wrong)
        .is_err());
    let bad = TraceFooter::new(3, 1, "quiescent", 0);
    assert_eq!(
        w.finish(&bad).unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
}

#[test]
fn says_where_a_trace_is_broken() {
    let good = write_to_string(&small_run());
    let lines: Vec<&str> = good.lines().collect();
    let with = |n: usize, replacement: &str| {
        let mut v = lines.clone();
        v[n] = replacement;
        v.join("\n")
    };
    assert_eq!(error_of("").2, TraceErrorKind::MissingHeader);
    assert_eq!(
        error_of(&lines[1..].join("\n")).2,
        TraceErrorKind::MissingHeader
    );
    let (line, _, kind) = error_of(&with(
        0,
        r#"{"otpsim_trace":2,"otpsim_version":"9","seed":1}"#,
    ));
    assert_eq!((line, kind), (1, TraceErrorKind::UnsupportedFormat(2)));
    let (line, column, kind) = error_of(&with(3, r#"{"t":10,"seq":2,"kind":"register""#));
    assert_eq!((line, column), (4, 33));
    assert!(matches!(kind, TraceErrorKind::BadJson(_)), "{kind:?}");
    let (line, column, kind) = error_of(&with(
        3,
        r#"{"t":10,"seq":2,"kind":"teleport","pid":"<0.2.0>"}"#,
    ));
    assert_eq!(
        (line, column, kind),
        (4, 17, TraceErrorKind::UnknownKind("teleport".into()))
    );
    let (line, _, kind) = error_of(&with(
        3,
        r#"{"t":10,"seq":2,"kind":"register","pid":"nope","name":"x"}"#,
    ));
    assert_eq!(line, 4);
    assert!(
        matches!(&kind, TraceErrorKind::BadEvent(m) if m.contains("expected a pid")),
        "{kind:?}"
    );
    let (line, column, kind) = error_of(&with(3, &lines[3].replace("\"seq\":2", "\"seq\":3")));
    assert_eq!(
        (line, column, kind),
        (
            4,
            9,
            TraceErrorKind::SeqGap {
                expected: 2,
                found: 3
            }
        )
    );
    let (line, column, kind) = error_of(&with(3, &lines[3].replace("\"t\":10", "\"t\":1")));
    assert_eq!(
        (line, column, kind),
        (
            4,
            2,
            TraceErrorKind::TimeBackwards {
                previous_us: 5,
                found_us: 1
            }
        )
    );
    let footer = lines[7];
    let (line, _, kind) = error_of(&with(7, &footer.replace("\"events\":6", "\"events\":5")));
    assert_eq!(
        (line, kind),
        (8, TraceErrorKind::EventCount { footer: 5, read: 6 })
    );
    let tampered = with(4, &lines[4].replace("ping", "pong"));
    assert!(matches!(
        error_of(&tampered),
        (8, _, TraceErrorKind::Fingerprint { .. })
    ));
    let (line, _, kind) = error_of(&with(7, &footer.replace("\"end\":true", "\"end\":false")));
    assert!(
        line == 8 && matches!(kind, TraceErrorKind::BadFooter(_)),
        "{kind:?}"
    );
    assert_eq!(
        error_of(&lines[..7].join("\n")),
        (8, 1, TraceErrorKind::MissingFooter)
    );
    assert_eq!(
        error_of(&format!("{good}\n{}\n", lines[1])),
        (10, 1, TraceErrorKind::AfterFooter)
    );
    let mut bytes = good.clone().into_bytes();
    bytes[lines[0].len() + 4] = 0xff;
    let e = read_trace(&bytes[..]).unwrap_err();
    assert_eq!(
        (e.line, e.column, e.kind.clone()),
        (2, 4, TraceErrorKind::NotUtf8)
    );
    assert!(e
        .to_string()
        .starts_with("line 2, column 4: expected UTF-8"));
}

#[test]
fn tolerates_blank_lines_and_crlf() {
    let text = write_to_string(&small_run()).replace('\n', "\r\n\r\n");
    assert_eq!(read_str(&text).unwrap().events, small_run());
}

/// A valid trace of generated events, with times that never go back.
fn trace_text() -> impl Strategy<Value = String> {
    prop::collection::vec((strategy::kind(), 0u64..3), 0..6).prop_map(|steps| {
        let mut t = 0;
        let events: Vec<Event> = steps
            .into_iter()
            .enumerate()
            .map(|(i, (kind, dt))| {
                t += dt;
                Event {
                    t,
                    seq: i as u64,
                    kind,
                }
            })
            .collect();
        write_to_string(&events)
    })
}

proptest! {
    #[test]
    fn generated_traces_round_trip(text in trace_text()) {
        let trace = read_str(&text).unwrap();
        let mut again = Vec::new();
        write_trace(&mut again, &trace.header, &trace.events, &trace.footer).unwrap();
        prop_assert_eq!(String::from_utf8(again).unwrap(), text);
    }

    #[test]
    fn never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = read_trace(&bytes[..]);
    }

    #[test]
    fn never_panics_on_damaged_traces(
        text in trace_text(),
        at in any::<prop::sample::Index>(),
        len in 0usize..40,
        byte in any::<u8>(),
        how in 0u8..4,
    ) {
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len());
        match how {
            0 => bytes[i] = byte,
            1 => { bytes.drain(i..(i + len).min(bytes.len())); }
            2 => bytes.truncate(i),
            _ => { let copy = bytes[i..(i + len).min(bytes.len())].to_vec(); bytes.splice(i..i, copy); }
        }
        if let Ok(trace) = read_trace(&bytes[..]) {
            let mut f = Fingerprinter::new();
            trace.events.iter().for_each(|e| f.add(e));
            prop_assert_eq!(f.value(), trace.footer.fingerprint);
        }
    }
}
