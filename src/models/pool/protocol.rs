//! The pool's message shapes: the checkout requests it reads, the status it answers,
//! and the timer message that drops a waiter at its deadline.

use crate::term::{atom, Ref, Term};

const EXPIRE: &str = "$pool_waiter_expired";

/// Reads `checkout`, `{checkout, Block}`, `{checkout, Block, TimeoutMs | infinity}`:
/// whether to block, and the waiter's timeout in ms (`None`: infinity), `default_ms`
/// when the request does not say.
pub(super) fn checkout_request(req: &Term, default_ms: u64) -> Option<(bool, Option<u64>)> {
    if req.is_atom("checkout") {
        return Some((true, Some(default_ms)));
    }
    let items = req.as_tuple()?;
    if !items.first()?.is_atom("checkout") {
        return None;
    }
    let block = match items.get(1)? {
        b if b.is_atom("true") => true,
        b if b.is_atom("false") => false,
        _ => return None,
    };
    match items.get(2) {
        None if items.len() == 2 => Some((block, Some(default_ms))),
        Some(t) if t.is_atom("infinity") && items.len() == 3 => Some((block, None)),
        Some(Term::Int(t)) if *t >= 0 && items.len() == 3 => Some((block, Some(*t as u64))),
        _ => None,
    }
}

/// The message a waiter's deadline timer sends the pool.
pub(super) fn expire_message(waiter: Ref) -> Term {
    Term::tuple_of([Term::atom_owned(EXPIRE), Term::Ref(waiter)])
}

/// The waiter whose deadline `msg` announces, if it is such a message.
pub(super) fn expired(msg: &Term) -> Option<Ref> {
    match msg.as_tuple()? {
        [t, Term::Ref(r)] if t.is_atom(EXPIRE) => Some(*r),
        _ => None,
    }
}

/// poolboy's `state_name/1`: `ready` with an idle worker, `overflow` while more
/// workers may be started, `full` when none can.
pub(super) fn state_name(overflow: u64, max_overflow: u64, no_idle: bool) -> &'static str {
    if overflow < 1 {
        match (no_idle, max_overflow < 1) {
            (true, true) => "full",
            (true, false) => "overflow",
            (false, _) => "ready",
        }
    } else if overflow == max_overflow {
        "full"
    } else {
        "overflow"
    }
}

/// `{StateName, Available, Overflow, CheckedOut}`, as `poolboy:status/1`.
pub(super) fn status(state: &'static str, idle: usize, overflow: u64, checked: usize) -> Term {
    let int = |n: u64| Term::Int(i64::try_from(n).unwrap_or(i64::MAX));
    Term::tuple_of([
        atom(state),
        int(idle as u64),
        int(overflow),
        int(checked as u64),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::parse_term;

    #[test]
    fn checkout_requests_read_as_poolboy_writes_them() {
        let t = |s: &str| parse_term(s).unwrap();
        assert_eq!(
            checkout_request(&t("checkout"), 5000),
            Some((true, Some(5000)))
        );
        assert_eq!(
            checkout_request(&t("{checkout, false}"), 5000),
            Some((false, Some(5000)))
        );
        assert_eq!(
            checkout_request(&t("{checkout, true, 250}"), 5000),
            Some((true, Some(250)))
        );
        assert_eq!(
            checkout_request(&t("{checkout, true, infinity}"), 5000),
            Some((true, None))
        );
        for bad in [
            "check",
            "{}",
            "{checkout}",
            "{checkout, maybe}",
            "{checkout, true, -1}",
            "{checkout, true, 1, 2}",
        ] {
            assert_eq!(checkout_request(&t(bad), 5000), None, "{bad}");
        }
    }

    #[test]
    fn state_names_follow_poolboy() {
        assert_eq!(state_name(0, 0, false), "ready");
        assert_eq!(state_name(0, 0, true), "full");
        assert_eq!(state_name(0, 2, true), "overflow");
        assert_eq!(state_name(1, 2, true), "overflow");
        assert_eq!(state_name(2, 2, true), "full");
        assert_eq!(status("ready", 3, 0, 1).to_string(), "{ready,3,0,1}");
        let r = Ref(7);
        assert_eq!(expired(&expire_message(r)), Some(r));
        assert_eq!(expired(&atom("x")), None);
    }
}
