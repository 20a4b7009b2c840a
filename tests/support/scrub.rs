//! Printing terms the way the OTP probes do after their `scrub/2`: named pids by name,
//! other pids as `pid`, refs as `ref`, so otpsim's values compare with the recorded ones.

use otpsim::term::{atom, Pid, Term};

/// `t` with every pid replaced by its name in `names` (or `pid`), every ref by `ref`.
pub fn scrub(names: &[(Pid, String)], t: &Term) -> Term {
    match t {
        Term::Pid(p) => {
            let name = names.iter().find(|(q, _)| q == p).map_or("pid", |n| &n.1);
            Term::atom_owned(name)
        }
        Term::Ref(_) => atom("ref"),
        Term::Tuple(items) => Term::tuple(items.iter().map(|i| scrub(names, i))),
        Term::List(items) => Term::list(items.iter().map(|i| scrub(names, i))),
        other => other.clone(),
    }
}
