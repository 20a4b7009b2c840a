//! Delta debugging (Zeller and Hildebrandt's ddmin) over a list: the smallest subset,
//! in the sense of 1-minimality, on which a predicate still holds.
//!
//! The predicate is "the scenario still fails" in practice, and every call costs a
//! simulation, so answers are cached by subset: ddmin revisits configurations when it
//! refines its granularity, and a cache hit is free. Subsets keep the list's order.

use std::collections::BTreeMap;

/// The indices of a 1-minimal subset of `0..len` on which `fails` holds, given that it
/// holds on the whole list. `fails` receives ascending indices.
///
/// The empty subset is tried first (a failure needing none of the items is the best
/// outcome and costs one call). Then, at each granularity `n`, each of the `n` chunks
/// alone is tried, then each complement (the list without one chunk); the first that
/// still fails is kept. When nothing at granularity `n` fails, `n` doubles, down to
/// single items: the result fails and loses that property when any one item is removed
/// (as far as the predicate is consistent).
pub fn ddmin(len: usize, mut fails: impl FnMut(&[usize]) -> bool) -> Vec<usize> {
    let mut cache: BTreeMap<Vec<usize>, bool> = BTreeMap::new();
    let mut test = |subset: &[usize]| -> bool {
        if let Some(&known) = cache.get(subset) {
            return known;
        }
        let verdict = fails(subset);
        cache.insert(subset.to_vec(), verdict);
        verdict
    };
    let mut current: Vec<usize> = (0..len).collect();
    if current.is_empty() || test(&[]) {
        return Vec::new();
    }
    let mut n = 2usize;
    while current.len() >= 2 {
        let chunks = split(&current, n);
        if let Some(chunk) = chunks.iter().find(|c| test(c)) {
            current = chunk.clone();
            n = 2;
            continue;
        }
        let complement = (0..chunks.len()).find_map(|skip| {
            let rest: Vec<usize> = chunks
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .flat_map(|(_, c)| c.iter().copied())
                .collect();
            test(&rest).then_some(rest)
        });
        if let Some(rest) = complement {
            current = rest;
            n = (n - 1).max(2);
            continue;
        }
        if n >= current.len() {
            break;
        }
        n = (2 * n).min(current.len());
    }
    current
}

/// `items` cut into `n` contiguous chunks of near-equal size (the first ones larger).
fn split(items: &[usize], n: usize) -> Vec<Vec<usize>> {
    let n = n.clamp(1, items.len().max(1));
    let base = items.len() / n;
    let extra = items.len() % n;
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for i in 0..n {
        let size = base + usize::from(i < extra);
        out.push(items[start..start + size].to_vec());
        start += size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when every index of `needed` is present; counts the calls.
    fn needs<'a>(
        needed: &'static [usize],
        calls: &'a mut u64,
    ) -> impl FnMut(&[usize]) -> bool + 'a {
        move |s: &[usize]| {
            *calls += 1;
            needed.iter().all(|i| s.contains(i))
        }
    }

    #[test]
    fn finds_the_items_a_conjunction_needs() {
        let mut calls = 0;
        let got = ddmin(20, needs(&[3, 11, 17], &mut calls));
        assert_eq!(got, vec![3, 11, 17]);
        assert!(calls < 100, "{calls} calls");
    }

    #[test]
    fn finds_one_item_in_logarithmic_calls() {
        let mut calls = 0;
        let got = ddmin(64, needs(&[37], &mut calls));
        assert_eq!(got, vec![37]);
        // Halving 64 items down to one takes 6 rounds of at most 2 calls, plus the
        // empty set.
        assert!(calls <= 13, "{calls} calls");
    }

    #[test]
    fn an_always_failing_predicate_needs_nothing() {
        let mut calls = 0;
        assert!(ddmin(10, needs(&[], &mut calls)).is_empty());
        assert_eq!(calls, 1);
        assert!(ddmin(0, |_| panic!("nothing to test")).is_empty());
    }

    #[test]
    fn a_threshold_predicate_ends_one_minimal() {
        // Fails with any 3 of the items: the result has exactly 3, and dropping any one
        // of them passes.
        let fails = |s: &[usize]| s.len() >= 3;
        let got = ddmin(12, fails);
        assert_eq!(got.len(), 3);
        for skip in 0..got.len() {
            let fewer: Vec<usize> = got
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, v)| *v)
                .collect();
            assert!(!fails(&fewer));
        }
    }

    #[test]
    fn subsets_are_ascending_and_never_asked_twice() {
        let mut seen: Vec<Vec<usize>> = Vec::new();
        let got = ddmin(9, |s| {
            assert!(s.windows(2).all(|w| w[0] < w[1]), "{s:?}");
            assert!(!seen.contains(&s.to_vec()), "asked twice: {s:?}");
            seen.push(s.to_vec());
            s.contains(&2) && s.contains(&8)
        });
        assert_eq!(got, vec![2, 8]);
    }

    #[test]
    fn split_covers_every_item_in_order() {
        let items: Vec<usize> = (0..7).collect();
        let chunks = split(&items, 3);
        assert_eq!(chunks, vec![vec![0, 1, 2], vec![3, 4], vec![5, 6]]);
        assert_eq!(split(&items, 10).len(), 7);
    }
}
