//! "Did you mean ...?": the closest allowed name to a misspelt one.

/// Words longer than this are not compared: no allowed name is that long, and it keeps
/// the quadratic distance cheap on hostile input.
const MAX_CHARS: usize = 64;

/// The optimal-string-alignment distance between `a` and `b`: insertions, deletions,
/// substitutions and swaps of two adjacent characters each cost 1 (so `sede` is 1
/// away from `seed`). Counts characters, not bytes.
///
/// ```
/// use otpsim::scenario::json::edit_distance;
/// assert_eq!(edit_distance("sed", "seed"), 1);
/// assert_eq!(edit_distance("wroker", "worker"), 1);
/// assert_eq!(edit_distance("", "abc"), 3);
/// ```
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous is needed for swaps.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if one is close enough to be a likely typo: at
/// most a third of the word's length away (at least 1), as rustc judges it, or equal
/// ignoring case. Ties go to the earlier candidate.
///
/// ```
/// use otpsim::scenario::json::closest;
/// assert_eq!(closest("sed", &["name", "seed"]), Some("seed"));
/// assert_eq!(closest("SEED", &["name", "seed"]), Some("seed"));
/// assert_eq!(closest("banana", &["name", "seed"]), None);
/// ```
pub fn closest<'s>(word: &str, candidates: &[&'s str]) -> Option<&'s str> {
    let len = word.chars().count();
    if len > MAX_CHARS {
        return None;
    }
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(c);
    }
    let max = (len / 3).max(1);
    candidates
        .iter()
        .filter(|c| c.chars().count() <= MAX_CHARS)
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(edit_distance("seed", "seed"), 0);
        assert_eq!(edit_distance("sede", "seed"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("\u{e9}t\u{e9}", "ete"), 2);
    }

    #[test]
    fn closest_needs_a_plausible_typo() {
        let fields = ["name", "seed", "app", "duration"];
        assert_eq!(closest("sed", &fields), Some("seed"));
        assert_eq!(closest("durtion", &fields), Some("duration"));
        assert_eq!(closest("ap", &fields), Some("app"));
        assert_eq!(closest("xyz", &fields), None);
        assert_eq!(closest("", &fields), None);
        assert_eq!(closest(&"s".repeat(1000), &fields), None);
    }

    #[test]
    fn ties_go_to_the_earlier_candidate() {
        assert_eq!(closest("ab", &["aa", "bb"]), Some("aa"));
        assert_eq!(closest("ab", &["bb", "aa"]), Some("bb"));
    }
}
