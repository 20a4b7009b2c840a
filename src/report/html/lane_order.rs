//! The order of the timeline's lifelines: the scenario's tree first, then the workload,
//! then the runtime around them; within a section, paths in natural order.

use std::cmp::Ordering;

/// Which part of the timeline a lifeline belongs to, in drawing order: what a reader
/// came for first, the machinery that runs it last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// The scenario's supervision tree.
    Tree = 0,
    /// The workload: load clients and the processes they spawn.
    Workload = 1,
    /// The runtime around the tree: application controller and master, otpsim's own.
    Runtime = 2,
}

/// The section of the lifeline at `path`, in a run of the tree under `root`.
pub fn section(root: &str, path: &str) -> Section {
    let under =
        |top: &str| path == top || path.strip_prefix(top).is_some_and(|r| r.starts_with('/'));
    if under(root) {
        Section::Tree
    } else if under("workload") {
        Section::Workload
    } else {
        Section::Runtime
    }
}

/// Path order with numbers compared as numbers: `w2` before `w10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    while let (Some(&c), Some(&d)) = (x.first(), y.first()) {
        if c.is_ascii_digit() && d.is_ascii_digit() {
            let nx = x.iter().take_while(|b| b.is_ascii_digit()).count();
            let ny = y.iter().take_while(|b| b.is_ascii_digit()).count();
            let (dx, dy) = (trim_zeros(&x[..nx]), trim_zeros(&y[..ny]));
            let ord = dx.len().cmp(&dy.len()).then(dx.cmp(dy)).then(nx.cmp(&ny));
            if ord != Ordering::Equal {
                return ord;
            }
            (x, y) = (&x[nx..], &y[ny..]);
        } else {
            if c != d {
                return c.cmp(&d);
            }
            (x, y) = (&x[1..], &y[1..]);
        }
    }
    x.len().cmp(&y.len())
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&b| b == b'0').count();
    &digits[zeros..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers_as_numbers() {
        let mut v = vec!["w10", "w2", "w1", "a/b", "w02"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["a/b", "w1", "w2", "w02", "w10"]);
    }
}
