//! The scenario JSON layer: the exact text of every error a loader can produce, and
//! properties over arbitrary input (no panic, faithful values, exact positions).

use otpsim::scenario::json::{Document, Errors, LoadError, Node, Reader, Span, UniqueIds, Value};
use proptest::prelude::*;

fn doc(text: &str) -> Document {
    Document::parse("s.json", text).unwrap()
}

/// The field `key` of the top-level object.
fn field<'a>(d: &'a Document, key: &str) -> Reader<'a> {
    d.reader().expect_object().unwrap().required(key).unwrap()
}

fn msg<T: std::fmt::Debug>(r: Result<T, LoadError>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn wrong_types_say_what_was_found_and_expected() {
    let d = doc(r#"{"a": "7", "b": 3.5, "c": [], "d": {}, "e": null, "f": true, "g": "x"}"#);
    assert_eq!(
        msg(field(&d, "a").expect_u64()),
        r#"s.json:1:7: at $.a: found the string "7" (expected a non-negative integer)"#
    );
    assert_eq!(
        msg(field(&d, "b").expect_str()),
        "s.json:1:17: at $.b: found the number 3.5 (expected a string)"
    );
    assert_eq!(
        msg(field(&d, "c").expect_object()),
        "s.json:1:27: at $.c: found an array (expected an object)"
    );
    assert_eq!(
        msg(field(&d, "d").expect_array()),
        "s.json:1:36: at $.d: found an object (expected an array)"
    );
    assert_eq!(
        msg(field(&d, "e").expect_bool()),
        "s.json:1:45: at $.e: found null (expected `true` or `false`)"
    );
    assert_eq!(
        msg(field(&d, "f").expect_i64()),
        "s.json:1:56: at $.f: found true (expected an integer)"
    );
    assert_eq!(
        msg(field(&d, "g").expect_f64()),
        r#"s.json:1:67: at $.g: found the string "x" (expected a number)"#
    );
}

#[test]
fn numbers_out_of_range_name_the_bound() {
    let d = doc(
        r#"{"neg": -3, "frac": 1.5, "exp": 1e3, "big": 18446744073709551616,
 "i_big": 9223372036854775808, "i_small": -9223372036854775809, "inf": 1e400, "pool": 100001}"#,
    );
    assert_eq!(
        msg(field(&d, "neg").expect_u64()),
        "s.json:1:9: at $.neg: found the negative number -3 (expected a non-negative integer)"
    );
    assert_eq!(
        msg(field(&d, "frac").expect_u64()),
        "s.json:1:21: at $.frac: found the non-integer 1.5 (expected a non-negative integer)"
    );
    assert_eq!(
        msg(field(&d, "exp").expect_i64()),
        "s.json:1:33: at $.exp: found the non-integer 1e3 (expected an integer)"
    );
    assert_eq!(
        msg(field(&d, "big").expect_u64()),
        "s.json:1:45: at $.big: 18446744073709551616 is too large (expected at most 18446744073709551615)"
    );
    assert_eq!(
        msg(field(&d, "i_big").expect_i64()),
        "s.json:2:11: at $.i_big: 9223372036854775808 is too large (expected at most 9223372036854775807)"
    );
    assert_eq!(
        msg(field(&d, "i_small").expect_i64()),
        "s.json:2:43: at $.i_small: -9223372036854775809 is too small (expected at least -9223372036854775808)"
    );
    assert_eq!(
        msg(field(&d, "inf").expect_f64()),
        "s.json:2:72: at $.inf: found the out-of-range number 1e400 (expected a number within the range of a 64-bit float)"
    );
    assert_eq!(
        msg(field(&d, "pool").expect_size(100_000)),
        "s.json:2:87: at $.pool: 100001 is too large (expected at most 100000)"
    );
    assert_eq!(
        msg(field(&d, "neg").expect_size(10)),
        "s.json:1:9: at $.neg: found the negative number -3 (expected an integer from 0 to 10)"
    );
    assert_eq!(field(&d, "pool").expect_size(100_001).unwrap(), 100_001);
    assert_eq!(field(&d, "exp").expect_f64().unwrap(), 1000.0);
    assert_eq!(
        field(&d, "i_small").expect_f64().unwrap(),
        -9223372036854775809.0
    );
}

#[test]
fn missing_and_unknown_fields() {
    let d = doc("{\n  \"name\": \"demo\",\n  \"sed\": 7,\n  \"zzz\": 1,\n  \"Name\": 2\n}");
    let top = d.reader().expect_object().unwrap();
    assert_eq!(
        msg(top.required("app")),
        "s.json:1:1: at $: missing field `app`"
    );
    assert_eq!(
        msg(top.deny_unknown_fields(&["name", "seed", "app"])),
        "s.json:3:3: at $.sed: unknown field `sed`; did you mean `seed`? (expected `name`, `seed` or `app`)\n\
         s.json:4:3: at $.zzz: unknown field `zzz` (expected `name`, `seed` or `app`)\n\
         s.json:5:3: at $.Name: unknown field `Name`; did you mean `name`? (expected `name`, `seed` or `app`)"
    );
    assert!(top
        .deny_unknown_fields(&["name", "sed", "zzz", "Name"])
        .is_ok());
    assert!(top.optional("seed").is_none());
    let keys: Vec<(&str, Span)> = top.fields().map(|(k, s, _)| (k, s)).collect();
    assert_eq!(keys[1].0, "sed");
    assert_eq!((keys[1].1.line, keys[1].1.column), (3, 3));
}

#[test]
fn enums_suggest_the_closest_name() {
    let d = doc(r#"{"model": "wroker", "kinds": ["counter", "cache", 3]}"#);
    let models = ["worker", "counter", "cache"];
    assert_eq!(
        msg(field(&d, "model").one_of(&models)),
        "s.json:1:11: at $.model: unknown model `wroker`; did you mean `worker`? (expected `worker`, `counter` or `cache`)"
    );
    let kinds = field(&d, "kinds").expect_array().unwrap();
    assert_eq!(kinds.get(0).unwrap().one_of(&models).unwrap(), "counter");
    assert_eq!(
        msg(kinds.get(1).unwrap().one_of(&["worker", "counter"])),
        "s.json:1:42: at $.kinds[1]: unknown value `cache` (expected `worker` or `counter`)"
    );
    assert_eq!(
        msg(kinds.get(2).unwrap().one_of(&models)),
        "s.json:1:51: at $.kinds[2]: found the number 3 (expected `worker`, `counter` or `cache`)"
    );
}

#[test]
fn durations_accept_units_and_milliseconds_and_reject_the_rest() {
    let d = doc(
        r#"{"ok": ["250us", "150ms", "1.5s", "2m", "1h", 40, 2.5, "0s"],
 "bad": ["-5s", "5d", "150", "0.5us", "99999999999h", "fast", -1, 0.0001, true]}"#,
    );
    let ok: Vec<u64> = field(&d, "ok")
        .expect_array()
        .unwrap()
        .iter()
        .map(|r| r.expect_duration_us().unwrap())
        .collect();
    assert_eq!(
        ok,
        [
            250,
            150_000,
            1_500_000,
            120_000_000,
            3_600_000_000,
            40_000,
            2_500,
            0
        ]
    );
    let forms = r#"a duration: an integer number of milliseconds, or a string such as "250us", "150ms", "1.5s", "2m" or "1h""#;
    let bad: Vec<String> = field(&d, "bad")
        .expect_array()
        .unwrap()
        .iter()
        .map(|r| msg(r.expect_duration_us()))
        .collect();
    let want = [
        format!("s.json:2:10: at $.bad[0]: negative duration `-5s` (expected {forms})"),
        format!("s.json:2:17: at $.bad[1]: unknown unit `d` in duration `5d` (expected {forms})"),
        format!("s.json:2:23: at $.bad[2]: duration `150` has no unit (expected {forms})"),
        format!("s.json:2:30: at $.bad[3]: duration `0.5us` is not a whole number of microseconds (expected {forms})"),
        "s.json:2:39: at $.bad[4]: duration `99999999999h` is too large (expected at most 18446744073709551615us)".to_string(),
        format!("s.json:2:55: at $.bad[5]: invalid duration `fast` (expected {forms})"),
        format!("s.json:2:63: at $.bad[6]: negative duration `-1` (expected {forms})"),
        format!("s.json:2:67: at $.bad[7]: duration `0.0001` is not a whole number of microseconds (expected {forms})"),
        format!("s.json:2:75: at $.bad[8]: found true (expected {forms})"),
    ];
    assert_eq!(bad, want);
}

#[test]
fn duplicate_ids_report_both_positions() {
    let text =
        "{\"children\": [\n  {\"id\": \"db\"},\n  {\"id\": \"web\"},\n  {\"id\": \"db\"}\n]}";
    let d = doc(text);
    let mut ids = UniqueIds::new("child id");
    let mut errors = Errors::new();
    for child in field(&d, "children").expect_array().unwrap().iter() {
        let id = child.expect_object().and_then(|c| c.required("id"));
        errors.check(id.and_then(|id| ids.check(&id)));
    }
    let err = errors.finish().unwrap_err();
    assert_eq!(
        err.to_string(),
        "s.json:4:10: at $.children[2].id: duplicate child id `db`; first defined at 2:10 ($.children[0].id)"
    );
    assert_eq!(
        d.render(&err),
        "error: at $.children[2].id: duplicate child id `db`
 --> s.json:4:10
  |
4 |   {\"id\": \"db\"}
  |          ^^^^
note: first defined here, at $.children[0].id
 --> s.json:2:10
  |
2 |   {\"id\": \"db\"},
  |          ^^^^
"
    );
}

#[test]
fn collected_errors_render_with_carets() {
    let text = "{\n  \"seed\": -1,\n  \"sed\": 2\n}";
    let d = doc(text);
    let top = d.reader().expect_object().unwrap();
    let mut errors = Errors::new();
    errors.check(top.deny_unknown_fields(&["seed"]));
    errors.check(top.required("seed").and_then(|s| s.expect_u64()));
    let err = errors.finish().unwrap_err();
    assert_eq!(err.diagnostics().len(), 2);
    assert_eq!(
        d.render(&err),
        "error: at $.sed: unknown field `sed`; did you mean `seed`? (expected `seed`)
 --> s.json:3:3
  |
3 |   \"sed\": 2
  |   ^^^^^

error: at $.seed: found the negative number -1 (expected a non-negative integer)
 --> s.json:2:11
  |
2 |   \"seed\": -1,
  |           ^^
"
    );
}

#[test]
fn syntax_errors_render_with_carets() {
    let text = "{\n  \"app\": {\"name\": \"x\",}\n}";
    let err = Document::parse("s.json", text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "s.json:2:22: at $.app: trailing comma: JSON allows no `,` before `}`"
    );
    assert_eq!(
        err.render(text),
        "error: at $.app: trailing comma: JSON allows no `,` before `}`
 --> s.json:2:22
  |
2 |   \"app\": {\"name\": \"x\",}
  |                      ^
"
    );
}

#[test]
fn floats_are_read_correctly_rounded() {
    // serde_json (without float_roundtrip) reads this literal one ulp off; the value
    // tree keeps the literal and `str::parse` rounds it correctly.
    let f = -2.0577057781716843e-302_f64;
    let d = doc(&format!("[{f:e}]"));
    let read = d
        .reader()
        .expect_array()
        .unwrap()
        .get(0)
        .unwrap()
        .expect_f64()
        .unwrap();
    assert_eq!(read.to_bits(), f.to_bits());
    assert_eq!(d.root().to_serde_json(), Some(serde_json::json!([f])));
}

// ---- properties -------------------------------------------------------------------

/// Any JSON value serde_json can hold.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value as J;
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<u64>().prop_map(J::from),
        any::<i64>().prop_map(J::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(J::Number)),
        any::<String>().prop_map(J::String),
        "[a-z\u{e9}\u{1f600}\t\n\"\\\\]{0,6}".prop_map(J::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            proptest::collection::btree_map(
                prop_oneof![any::<String>(), "[a-z\u{e9}]{0,4}"],
                inner,
                0..6
            )
            .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

/// The byte offset of `line`:`column`, counted independently of the parser: lines
/// split at `\n`, columns in characters.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let rest = &text[start..];
    let i = rest
        .char_indices()
        .map(|(i, _)| i)
        .chain([rest.len()])
        .nth(column - 1)?;
    Some(start + i)
}

/// Checks that `node` (and everything under it) is `expect` and is located exactly:
/// its line:column is its first character, and its span holds exactly its text.
fn check_located(text: &str, node: &Node, expect: &serde_json::Value) -> Result<(), TestCaseError> {
    let s = node.span();
    prop_assert_eq!(offset_of(text, s.line, s.column), Some(s.offset), "{:?}", s);
    prop_assert_eq!(node.to_serde_json(), Some(expect.clone()));
    // The span's text alone is the value. Both sides go through serde_json's parser
    // (which, without its float_roundtrip feature, may round a float differently from
    // `str::parse`) from the same digits, so they compare exactly.
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t);
    let alone =
        parse(&text[s.offset..s.end]).map_err(|e| TestCaseError::fail(format!("{s:?}: {e}")))?;
    prop_assert_eq!(alone, parse(&expect.to_string()).unwrap());
    match (node.value(), expect) {
        (Value::Array(items), serde_json::Value::Array(want)) => {
            prop_assert_eq!(items.len(), want.len());
            for (item, w) in items.iter().zip(want) {
                check_located(text, item, w)?;
            }
        }
        (Value::Object(obj), serde_json::Value::Object(want)) => {
            prop_assert_eq!(obj.len(), want.len());
            for m in obj.members() {
                let k = m.key_span();
                prop_assert_eq!(offset_of(text, k.line, k.column), Some(k.offset));
                let key: String = serde_json::from_str(&text[k.offset..k.end])
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(key.as_str(), m.key());
                check_located(text, m.value(), &want[m.key()])?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Calls every reader check on every value, rendering every error: none may panic,
/// and every error must locate itself correctly.
fn walk_everything<'a>(
    d: &'a Document,
    r: Reader<'a>,
    ids: &mut UniqueIds<'a>,
) -> Result<(), TestCaseError> {
    let mut errors = Errors::new();
    errors.check(r.expect_str());
    errors.check(r.expect_bool());
    errors.check(r.expect_u64());
    errors.check(r.expect_i64());
    errors.check(r.expect_f64());
    errors.check(r.expect_size(100));
    errors.check(r.expect_duration_us());
    errors.check(r.one_of(&["worker", "counter"]));
    errors.check(ids.check(&r));
    if let Ok(obj) = r.expect_object() {
        errors.check(obj.deny_unknown_fields(&["a", "seed"]));
        errors.check(obj.required("seed"));
        for (_, _, f) in obj.fields() {
            walk_everything(d, f, ids)?;
        }
    }
    if let Ok(arr) = r.expect_array() {
        for item in arr.iter() {
            walk_everything(d, item, ids)?;
        }
    }
    if let Err(e) = errors.finish() {
        let _ = d.render(&e);
        for diag in e.diagnostics() {
            let s = diag.span.unwrap();
            prop_assert_eq!(offset_of(d.text(), s.line, s.column), Some(s.offset));
            let head = format!("s.json:{}:{}: at $", s.line, s.column);
            prop_assert!(diag.to_string().starts_with(&head), "{}", diag);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        match Document::from_bytes("s.json", &bytes, Default::default()) {
            Ok(d) => walk_everything(&d, d.reader(), &mut UniqueIds::new("id"))?,
            Err(e) => {
                let _ = e.render(&String::from_utf8_lossy(&bytes));
                prop_assert!(e.to_string().starts_with("s.json"));
            }
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        match Document::parse("s.json", &text) {
            Ok(d) => walk_everything(&d, d.reader(), &mut UniqueIds::new("id"))?,
            Err(e) => {
                let _ = e.render(&text);
                let s = e.first().span.unwrap();
                prop_assert_eq!(offset_of(&text, s.line, s.column), Some(s.offset));
            }
        }
    }

    /// Valid JSON with one character inserted or removed: whatever the outcome, no
    /// panic, and an error points at a real position.
    #[test]
    fn damaged_json_never_panics(v in json_value(), at in any::<prop::sample::Index>(),
                                 insert in prop::sample::select(&['{', '}', '[', ']', ',', ':', '"', '\\', '-', '0', 'e', '.', ' ', '\n', 'x'][..]),
                                 remove in any::<bool>()) {
        let mut text = serde_json::to_string_pretty(&v).unwrap();
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        if !boundaries.is_empty() {
            let i = boundaries[at.index(boundaries.len())];
            if remove { text.remove(i); } else { text.insert(i, insert); }
        }
        match Document::parse("s.json", &text) {
            Ok(d) => walk_everything(&d, d.reader(), &mut UniqueIds::new("id"))?,
            Err(e) => {
                let _ = e.render(&text);
                let s = e.first().span.unwrap();
                prop_assert_eq!(offset_of(&text, s.line, s.column), Some(s.offset), "{}", e);
            }
        }
    }

    /// What serde_json writes, this parser reads back to the same value, with every
    /// node located at its first character.
    #[test]
    fn serde_json_output_round_trips_with_exact_positions(v in json_value(), style in 0..3u8) {
        let text = match style {
            0 => serde_json::to_string(&v).unwrap(),
            1 => serde_json::to_string_pretty(&v).unwrap(),
            _ => {
                // Tab indentation: columns count a tab as one character.
                let mut out = Vec::new();
                let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
                let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
                serde::Serialize::serialize(&v, &mut ser).unwrap();
                String::from_utf8(out).unwrap()
            }
        };
        let d = Document::parse("s.json", &text).unwrap();
        check_located(&text, d.root(), &v)?;
        walk_everything(&d, d.reader(), &mut UniqueIds::new("id"))?;
    }
}
