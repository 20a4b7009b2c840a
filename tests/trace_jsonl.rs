//! Trace files end to end: a real run written as JSON Lines, read back, checked against
//! the run's own fingerprint, and compared with a run that went differently.

use otpsim::kernel::{ms, RunReport, Sim, SimConfig};
use otpsim::term::{atom, Atom, Term};
use otpsim::trace::{
    first_divergence, read_trace, write_trace, Event, Fingerprinter, TraceErrorKind, TraceFooter,
    TraceHeader, TraceWriter,
};

/// A worker that registers itself, answers one ping, then exits with `reason`.
fn run(reason: &'static str) -> (RunReport, Vec<Event>) {
    let mut sim = Sim::new(SimConfig {
        seed: 3,
        record: true,
        ..SimConfig::default()
    });
    let worker = sim.spawn_labelled("worker", move |ctx| async move {
        ctx.register(Atom::new("pinger"), ctx.me())?;
        let msg = ctx.recv().await;
        if let Some([Term::Pid(from), _]) = msg.as_tuple() {
            ctx.send(*from, atom("pong"));
        }
        ctx.sleep(ms(5)).await;
        Err(Term::atom_owned(reason))
    });
    sim.spawn_labelled("client", move |ctx| async move {
        ctx.monitor(worker);
        ctx.send(worker, Term::tuple([Term::Pid(ctx.me()), atom("ping")]));
        let _pong = ctx.recv().await;
        let _down = ctx.recv().await;
        Ok(())
    });
    let report = sim.run();
    (report, sim.take_events())
}

fn footer_of(report: &RunReport) -> TraceFooter {
    TraceFooter::new(
        report.events,
        report.fingerprint,
        report.outcome.name(),
        report.virtual_time_us,
    )
}

fn trace_text(report: &RunReport, events: &[Event]) -> String {
    let header = TraceHeader::new(3, serde_json::json!({"program": "ping"}));
    let mut out = Vec::new();
    write_trace(&mut out, &header, events, &footer_of(report)).expect("a consistent run writes");
    String::from_utf8(out).expect("traces are UTF-8")
}

#[test]
fn a_run_reads_back_with_its_fingerprint() {
    let (report, events) = run("boom");
    assert!(!events.is_empty());
    let text = trace_text(&report, &events);
    let trace = read_trace(text.as_bytes()).expect("a written trace reads back");
    assert_eq!(trace.events, events);
    assert_eq!(trace.footer.fingerprint, report.fingerprint);
    let mut recomputed = Fingerprinter::new();
    trace.events.iter().for_each(|e| recomputed.add(e));
    assert_eq!(recomputed.value(), report.fingerprint);
}

#[test]
fn lines_name_the_processes() {
    let (report, events) = run("boom");
    let text = trace_text(&report, &events);
    assert!(
        text.contains(r#""label":"worker","child_name":"worker""#),
        "{text}"
    );
    assert!(text.contains(r#""to_name":"pinger""#), "{text}");
    assert!(text.contains(r#""from_name":"client""#), "{text}");
}

#[test]
fn streaming_and_whole_writes_agree() {
    let (report, events) = run("boom");
    let header = TraceHeader::new(3, serde_json::json!({"program": "ping"}));
    let mut w = TraceWriter::new(Vec::new(), &header).unwrap();
    for e in &events {
        w.write_event(e).unwrap();
    }
    let streamed = String::from_utf8(w.finish(&footer_of(&report)).unwrap()).unwrap();
    assert_eq!(streamed, trace_text(&report, &events));
}

#[test]
fn a_run_without_kept_events_cannot_be_written() {
    let (report, _) = run("boom");
    let header = TraceHeader::new(3, serde_json::Value::Null);
    let err = write_trace(Vec::new(), &header, &[], &footer_of(&report)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn different_runs_diverge_where_they_differ() {
    let (_, a) = run("boom");
    let (_, b) = run("bang");
    let d = first_divergence(&a, &b).expect("the exit reasons differ");
    assert_eq!(a[..d.index], b[..d.index]);
    let shown = d.to_string();
    assert!(
        shown.starts_with(&format!("traces diverge at event {}:\n", d.index)),
        "{shown}"
    );
    assert!(
        shown.contains("reason=boom") && shown.contains("reason=bang"),
        "{shown}"
    );
    assert_eq!(first_divergence(&a, &run("boom").1), None);
}

#[test]
fn an_edited_trace_is_caught() {
    let (report, events) = run("boom");
    let text = trace_text(&report, &events).replace("boom", "bang");
    let err = read_trace(text.as_bytes()).unwrap_err();
    assert!(
        matches!(err.kind, TraceErrorKind::Fingerprint { .. }),
        "{err}"
    );
    assert_eq!(err.line, events.len() as u64 + 2);
}
