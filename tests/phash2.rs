//! `erlang:phash2/1,2` against values recorded on Erlang/OTP 25
//! (tests/otp_fixtures/phash2/phash2.out; see the README there to regenerate).

use otpsim::term::{hash2, parse_term, phash2, phash2_27, Term};

const FIXTURE: &str = include_str!("otp_fixtures/phash2/phash2.out");

struct Row {
    term: Term,
    text: String,
    h27: u32,
    full: u32,
    ranged: Vec<(u32, u32)>,
}

fn rows() -> Vec<Row> {
    FIXTURE
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "malformed fixture line {line:?}");
            let term = parse_term(cols[0]).unwrap_or_else(|e| panic!("{}: {e}", cols[0]));
            let ranged = cols[3]
                .split(' ')
                .map(|pair| {
                    let (r, v) = pair.split_once(':').expect("range:value");
                    (r.parse().expect("range"), v.parse().expect("value"))
                })
                .collect();
            Row {
                term,
                text: cols[0].to_string(),
                h27: cols[1].parse().expect("phash2/1"),
                full: cols[2].parse().expect("phash2/2 with 2^32"),
                ranged,
            }
        })
        .collect()
}

#[test]
fn fixture_covers_every_term_kind_scenarios_use() {
    let rows = rows();
    assert!(rows.len() > 800, "only {} rows", rows.len());
    let has = |f: fn(&Term) -> bool| rows.iter().any(|r| f(&r.term));
    assert!(has(|t| matches!(t, Term::Int(i) if *i == i64::MIN)));
    assert!(has(|t| matches!(t, Term::Int(i) if *i == i64::MAX)));
    assert!(has(
        |t| matches!(t, Term::Atom(a) if !a.as_str().is_ascii())
    ));
    assert!(has(|t| matches!(t, Term::Bin(b) if b.len() >= 1000)));
    assert!(has(|t| matches!(t, Term::Tuple(e) if e.is_empty())));
    assert!(has(|t| matches!(t, Term::List(e) if e.is_empty())));
}

#[test]
fn full_hash_matches_otp_for_every_fixture_term() {
    let bad: Vec<String> = rows()
        .iter()
        .filter(|r| hash2(&r.term) != r.full)
        .map(|r| format!("{}: otp {} otpsim {}", r.text, r.full, hash2(&r.term)))
        .collect();
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn phash2_1_keeps_27_bits_like_otp() {
    for r in rows() {
        assert_eq!(phash2_27(&r.term), r.h27, "phash2({})", r.text);
    }
}

#[test]
fn phash2_2_matches_otp_for_every_range() {
    for r in rows() {
        for &(range, value) in &r.ranged {
            assert_eq!(phash2(&r.term, range), value, "phash2({}, {range})", r.text);
        }
    }
}

// PSUP-2: "phash2(T, P) is the full 32-bit hash of T taken rem P, not phash2(T) rem P".
#[test]
fn psup2_phash2_range_is_full_hash_rem_not_27_bit_rem() {
    let bar = Term::bin("bar");
    assert_eq!(phash2(&bar, 3), 2);
    assert_eq!(phash2_27(&bar) % 3, 0);
    // The two agree when the range is a power of two.
    let differ = rows()
        .iter()
        .filter(|r| phash2(&r.term, 3) != phash2_27(&r.term) % 3)
        .count();
    assert!(differ > 0);
    for r in rows() {
        assert_eq!(phash2(&r.term, 8), phash2_27(&r.term) % 8, "{}", r.text);
    }
}

#[test]
fn otpsim_only_terms_hash_deterministically() {
    let pid = parse_term("<0.7.0>").expect("pid");
    let reference = parse_term("#Ref<0.0.0.9>").expect("ref");
    let fun = Term::fun("agent.update", 1i64);
    for t in [pid, reference, fun] {
        assert_eq!(hash2(&t), hash2(&t.clone()));
        assert_ne!(hash2(&t), hash2(&Term::tuple([t.clone()])));
    }
    assert_ne!(
        hash2(&parse_term("<0.7.0>").expect("pid")),
        hash2(&parse_term("<0.8.0>").expect("pid"))
    );
}
