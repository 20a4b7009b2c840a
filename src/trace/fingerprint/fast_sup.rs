//! The register-resident hashing of the events every supervised start and shutdown
//! makes (`spawn`, `init_result`, `start_result`, `child_start`, `child_shutdown`,
//! `child_down`): the same words as the serde path, which `trace::hot`'s tests hold.

use super::fast::{head, head_long, simple, Lanes};
use super::{tag, Words};
use crate::term::{Atom, Pid};
use crate::trace::hot::{
    ChildDownView, ChildShutdownView, ChildStartView, InitResultView, SpawnView, StartResultView,
};

#[inline(always)]
fn option_pid(l: &mut Lanes, p: Option<Pid>) {
    match p {
        Some(p) => {
            l.tagged(tag::SOME, 0);
            l.pid(p);
        }
        None => l.tagged(tag::NONE, 0),
    }
}

#[inline(always)]
fn atom(l: &mut Lanes, a: &Atom) {
    l.str_any(a.as_str());
}

#[inline(always)]
fn boolean(l: &mut Lanes, v: bool) {
    l.tagged(tag::BOOL, u64::from(v));
}

/// Hashes `(t, seq, spawn)`; the label, when present, is one more field.
#[inline]
pub(crate) fn spawn(w: &mut Words, t: u64, seq: u64, v: &SpawnView<'_>) -> bool {
    let mut l = Lanes::load(w);
    head(&mut l, t, seq, 5 + u64::from(v.label.is_some()), "spawn");
    option_pid(&mut l, v.parent);
    l.pid(v.child);
    boolean(&mut l, v.linked);
    boolean(&mut l, v.monitored);
    if let Some(label) = v.label {
        l.tagged(tag::SOME, 0);
        l.str_any(label);
    }
    l.store(w);
    true
}

/// Hashes `(t, seq, init_result)`; false (nothing hashed) when it needs serde.
#[inline]
pub(crate) fn init_result(w: &mut Words, t: u64, seq: u64, v: &InitResultView<'_>) -> bool {
    if v.reason.is_some_and(|r| !simple(r)) {
        return false;
    }
    let mut l = Lanes::load(w);
    let fields = 3 + u64::from(v.reason.is_some());
    head_long(&mut l, t, seq, fields, "init_result");
    l.pid(v.pid);
    atom(&mut l, v.result);
    if let Some(reason) = v.reason {
        l.tagged(tag::SOME, 0);
        l.term(reason);
    }
    l.store(w);
    true
}

/// Hashes `(t, seq, start_result)`; false (nothing hashed) when it needs serde.
#[inline]
pub(crate) fn start_result(w: &mut Words, t: u64, seq: u64, v: &StartResultView<'_>) -> bool {
    if !simple(v.value) {
        return false;
    }
    let mut l = Lanes::load(w);
    head_long(&mut l, t, seq, 4, "start_result");
    l.pid(v.caller);
    l.pid(v.pid);
    l.term(v.value);
    l.store(w);
    true
}

/// Hashes `(t, seq, child_start)`; the pid, when present, is one more field.
#[inline]
pub(crate) fn child_start(w: &mut Words, t: u64, seq: u64, v: &ChildStartView<'_>) -> bool {
    if !simple(v.id) || !simple(v.result) {
        return false;
    }
    let mut l = Lanes::load(w);
    let fields = 5 + u64::from(v.pid.is_some());
    head_long(&mut l, t, seq, fields, "child_start");
    l.pid(v.sup);
    l.term(v.id);
    if let Some(pid) = v.pid {
        l.tagged(tag::SOME, 0);
        l.pid(pid);
    }
    l.term(v.result);
    atom(&mut l, v.cause);
    l.store(w);
    true
}

/// Hashes `(t, seq, child_shutdown)`; false (nothing hashed) when it needs serde.
#[inline]
pub(crate) fn child_shutdown(w: &mut Words, t: u64, seq: u64, v: &ChildShutdownView<'_>) -> bool {
    if !simple(v.id) || !simple(v.timeout) {
        return false;
    }
    let mut l = Lanes::load(w);
    head_long(&mut l, t, seq, 6, "child_shutdown");
    l.pid(v.sup);
    l.term(v.id);
    l.pid(v.pid);
    atom(&mut l, v.method);
    l.term(v.timeout);
    l.store(w);
    true
}

/// Hashes `(t, seq, child_down)`; false (nothing hashed) when it needs serde.
#[inline]
pub(crate) fn child_down(w: &mut Words, t: u64, seq: u64, v: &ChildDownView<'_>) -> bool {
    if !simple(v.id) || !simple(v.reason) {
        return false;
    }
    let mut l = Lanes::load(w);
    head_long(&mut l, t, seq, 6, "child_down");
    l.pid(v.sup);
    l.term(v.id);
    l.pid(v.pid);
    l.term(v.reason);
    boolean(&mut l, v.accepted);
    l.store(w);
    true
}
