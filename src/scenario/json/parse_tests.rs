//! The parser's unit tests: values, positions, limits and every syntax error.

use super::parse::{parse, parse_counting_steps};
use super::{Document, Limits, Span, Value};
use proptest::prelude::*;

fn err(text: &str) -> String {
    Document::parse("t.json", text).unwrap_err().to_string()
}

fn root(text: &str) -> super::Node {
    parse("t.json", text, Limits::default()).unwrap()
}

#[test]
fn scalars_and_containers_parse() {
    assert_eq!(root("null").value(), &Value::Null);
    assert_eq!(root(" true ").value(), &Value::Bool(true));
    assert_eq!(root("false").value(), &Value::Bool(false));
    assert_eq!(
        root("-1.5e+3").value().as_number().unwrap().literal(),
        "-1.5e+3"
    );
    assert_eq!(
        root(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#)
            .value()
            .as_str(),
        Some("a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f600}")
    );
    assert_eq!(root("[]").value().as_array().map(<[_]>::len), Some(0));
    assert!(root("{}").value().as_object().unwrap().is_empty());
    let obj = root(r#"{"b": 1, "a": [true, {}]}"#);
    let keys: Vec<&str> = obj
        .value()
        .as_object()
        .unwrap()
        .members()
        .iter()
        .map(|m| m.key())
        .collect();
    assert_eq!(keys, ["b", "a"], "source order is kept");
}

#[test]
fn every_value_and_key_has_its_span() {
    let text = "{\n  \"k\u{e9}y\": [1, \"two\"],\n\t\"n\": null }";
    let obj = root(text);
    assert_eq!(
        obj.span(),
        Span {
            offset: 0,
            end: text.len(),
            line: 1,
            column: 1
        }
    );
    let o = obj.value().as_object().unwrap();
    let m = &o.members()[0];
    assert_eq!(
        m.key_span(),
        Span {
            offset: 4,
            end: 10,
            line: 2,
            column: 3
        }
    );
    assert_eq!(&text[m.key_span().offset..m.key_span().end], "\"k\u{e9}y\"");
    let arr = m.value();
    // Column counts characters: `é` is one column though two bytes.
    assert_eq!((arr.span().line, arr.span().column), (2, 10));
    let two = &arr.value().as_array().unwrap()[1];
    assert_eq!((two.span().line, two.span().column), (2, 14));
    assert_eq!(&text[two.span().offset..two.span().end], "\"two\"");
    let n = o.get("n").unwrap();
    assert_eq!((n.key_span().line, n.key_span().column), (3, 2));
    assert_eq!((n.value().span().line, n.value().span().column), (3, 7));
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let node = root("\u{feff}[1]");
    assert_eq!((node.span().offset, node.span().column), (3, 1));
    assert_eq!(
        err("\u{feff}[1,]"),
        "t.json:1:3: at $: trailing comma: JSON allows no `,` before `]`"
    );
}

#[test]
fn syntax_errors_name_position_path_and_expectation() {
    let v = "a JSON value: an object, an array, a string, a number, `true`, `false` or `null`";
    let cases: Vec<(&str, String)> = vec![
        ("", format!("t.json:1:1: at $: found the end of the input (expected {v})")),
        ("  \n ", format!("t.json:2:2: at $: found the end of the input (expected {v})")),
        ("tru", format!("t.json:1:1: at $: found `tru` (expected {v})")),
        ("[True]", format!("t.json:1:2: at $[0]: found `True` (expected {v})")),
        ("[NaN]", format!("t.json:1:2: at $[0]: found `NaN`: JSON has no NaN or infinity (expected {v})")),
        ("['a']", format!("t.json:1:2: at $[0]: found `'`: JSON strings take double quotes (expected {v})")),
        ("[+1]", format!("t.json:1:2: at $[0]: found `+`: JSON numbers take no `+` (expected {v})")),
        ("[.5]", format!("t.json:1:2: at $[0]: found `.`: JSON numbers need a digit before `.` (expected {v})")),
        ("// c\n1", format!("t.json:1:1: at $: found `/`: JSON has no comments (expected {v})")),
        ("{\"a\": }", format!("t.json:1:7: at $.a: found `}}` (expected {v})")),
        ("1 2", "t.json:1:3: at $: found `2` (expected the end of the input)".into()),
        ("[1 2]", "t.json:1:4: at $: found `2` (expected `,` or `]`)".into()),
        ("[1,]", "t.json:1:3: at $: trailing comma: JSON allows no `,` before `]`".into()),
        ("{\"a\":1,}", "t.json:1:7: at $: trailing comma: JSON allows no `,` before `}`".into()),
        ("{\"a\":1 \"b\":2}", "t.json:1:8: at $: found `\"` (expected `,` or `}`)".into()),
        ("{a:1}", "t.json:1:2: at $: found `a`: keys take double quotes (expected a string key in double quotes, or `}`)".into()),
        ("{\"a\":1, 2}", "t.json:1:9: at $: found `2` (expected a string key in double quotes)".into()),
        ("{\"a\" 1}", "t.json:1:6: at $.a: found `1` (expected `:` after the key)".into()),
        ("{\"x\": [1, {\"y\": [tru]}]}", format!("t.json:1:18: at $.x[1].y[0]: found `tru` (expected {v})")),
        ("[\"abc", "t.json:1:2: at $[0]: unterminated string (expected a closing `\"`)".into()),
        ("[\"ab\ncd\"]", "t.json:1:5: at $[0]: found a line break inside a string (expected a closing `\"` before the end of the line, or `\\n`)".into()),
        ("\"a\tb\"", "t.json:1:3: at $: found control character U+0009 inside a string (expected it escaped, as `\\t` or `\\u00XX`)".into()),
        ("\"\\q\"", "t.json:1:2: at $: found invalid escape `\\q` (expected one of `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`)".into()),
        ("\"\\", "t.json:1:2: at $: found the end of the input after `\\` (expected one of `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`)".into()),
        ("\"\\u12G4\"", "t.json:1:2: at $: found invalid unicode escape `\\u12G4` (expected `\\u` and four hex digits)".into()),
        ("\"\\ud800\"", "t.json:1:2: at $: found lone surrogate `\\uD800` (expected a surrogate pair, a high one `\\uD800`-`\\uDBFF` then a low one `\\uDC00`-`\\uDFFF`)".into()),
        ("\"\\udc00\"", "t.json:1:2: at $: found lone surrogate `\\uDC00` (expected a surrogate pair, a high one `\\uD800`-`\\uDBFF` then a low one `\\uDC00`-`\\uDFFF`)".into()),
        ("\"\\ud800\\u0041\"", "t.json:1:2: at $: found lone surrogate `\\uD800` (expected a surrogate pair, a high one `\\uD800`-`\\uDBFF` then a low one `\\uDC00`-`\\uDFFF`)".into()),
        ("-", "t.json:1:2: at $: found the end of the input (expected a digit after `-`)".into()),
        ("[-x]", "t.json:1:3: at $[0]: found `x` (expected a digit after `-`)".into()),
        ("012", "t.json:1:1: at $: found a number with a leading zero (expected no leading zeros, as in `7` or `0.7`)".into()),
        ("1.", "t.json:1:3: at $: found the end of the input (expected a digit after `.`)".into()),
        ("1.e5", "t.json:1:3: at $: found `e5` (expected a digit after `.`)".into()),
        ("1e+", "t.json:1:4: at $: found the end of the input (expected a digit in the exponent)".into()),
        ("[1]\u{e9}", "t.json:1:4: at $: found `\u{e9}` (expected the end of the input)".into()),
        ("\u{a0}1", format!("t.json:1:1: at $: found `\u{a0}` (expected {v})")),
    ];
    for (text, want) in cases {
        assert_eq!(err(text), want, "input {text:?}");
    }
}

#[test]
fn duplicate_keys_are_errors_with_both_positions() {
    assert_eq!(
        err("{\n  \"app\": {\"name\": 1,\n           \"name\": 2}}"),
        "t.json:3:12: at $.app.name: duplicate key `name`; first defined at 2:11"
    );
    // Escapes are resolved before comparing: these are the same key.
    assert_eq!(
        err(r#"{"a": 1, "\u0061": 2}"#),
        "t.json:1:10: at $.a: duplicate key `a`; first defined at 1:2"
    );
    // The same key in different objects is fine.
    root(r#"[{"a": 1}, {"a": 2}, {"b": {"a": 3}}]"#);
}

#[test]
fn nesting_is_limited_without_recursion() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    assert!(parse("t.json", "[[[1]]]", limits).is_ok());
    assert!(parse("t.json", "[{\"a\":[]}]", limits).is_ok());
    let e = parse("t.json", "[[[[1]]]]", limits)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "t.json:1:4: at $[0][0][0]: arrays and objects are nested too deeply (expected at most 3 levels of nesting)"
    );
    // Far deeper than any stack could recurse: a clean error, at the default limit.
    let deep = "[".repeat(1_000_000);
    let e = parse("t.json", &deep, Limits::default()).unwrap_err();
    assert_eq!(e.first().span.unwrap().column, 129);
    let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
    assert!(parse("t.json", &ok, Limits::default()).is_ok());
}

#[test]
fn size_is_limited_before_parsing() {
    let limits = Limits {
        max_bytes: 4,
        ..Limits::default()
    };
    assert!(parse("t.json", "[12]", limits).is_ok());
    assert_eq!(
        parse("t.json", "[123]", limits).unwrap_err().to_string(),
        "t.json: the file is 5 bytes (expected at most 4 bytes)"
    );
    assert_eq!(
        Document::from_bytes("t.json", b"[123]", limits)
            .unwrap_err()
            .to_string(),
        "t.json: the file is too large (expected at most 4 bytes)"
    );
}

#[test]
fn invalid_utf8_is_located() {
    let e = Document::from_bytes("t.json", b"[\"ok\",\n \"\xe9\"]", Limits::default());
    assert_eq!(
        e.unwrap_err().to_string(),
        "t.json:2:3: found the byte 0xE9, which is not UTF-8 (expected UTF-8 text)"
    );
    assert!(Document::from_bytes("t.json", "[\"\u{e9}\"]".as_bytes(), Limits::default()).is_ok());
}

/// Text made of JSON's own tokens, so that random inputs get deep into the grammar.
fn token_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just("\""),
        Just("\\"),
        Just("\\u"),
        Just("d800"),
        Just("1"),
        Just("-"),
        Just("."),
        Just("e"),
        Just("0"),
        Just("true"),
        Just("null"),
        Just(" "),
        Just("\n"),
        Just("\u{e9}"),
        Just("\"k\""),
        Just("\"k\":"),
    ];
    proptest::collection::vec(token, 0..200).prop_map(|t| t.concat())
}

proptest! {
    /// Bounded time by construction: every main-loop iteration consumes input, so the
    /// loop runs at most about twice per byte, whatever the input.
    #[test]
    fn parsing_takes_linear_steps(text in prop_oneof![any::<String>(), token_soup()]) {
        let (_, steps) = parse_counting_steps("t.json", &text, Limits::default());
        prop_assert!(steps <= 2 * text.len() + 2, "{} steps for {} bytes", steps, text.len());
    }

    #[test]
    fn errors_point_inside_the_text(text in token_soup()) {
        if let Err(e) = parse("t.json", &text, Limits::default()) {
            let span = e.first().span.unwrap();
            prop_assert!(span.offset <= text.len() && span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.offset));
            prop_assert_eq!(super::span::locate(&text, span.offset), (span.line, span.column));
            let _ = e.render(&text);
        }
    }
}
