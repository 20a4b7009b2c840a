//! docs/scenario-format.md stays true: every `json` block in it is a scenario that
//! loads and that the JSON Schema (`otpsim schema`) accepts, and the drawn tree shown
//! there is what `otpsim tree` draws.

use otpsim::scenario::schema::json_schema;
use otpsim::scenario::tree_draw::draw;
use otpsim::scenario::{load_str, TreeFormat};
use serde_json::Value;

const DOC: &str = "docs/scenario-format.md";

/// The fenced blocks of `lang` in the doc: (line of the first content line, text).
fn blocks(lang: &str) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(DOC).expect("read the format doc");
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut open {
            None if line.trim_start() == format!("```{lang}") => {
                open = Some((i + 2, String::new()))
            }
            Some(_) if line.trim_start() == "```" => out.extend(open.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    assert!(open.is_none(), "{DOC}: an unclosed ```{lang} block");
    out
}

#[test]
fn every_json_block_loads() {
    let blocks = blocks("json");
    assert!(
        blocks.len() >= 15,
        "the doc has {} json blocks",
        blocks.len()
    );
    for (line, text) in &blocks {
        let file = format!("{DOC}:{line}");
        if let Err(e) = load_str(&file, text) {
            panic!("the json block at {file} does not load:\n{e}");
        }
    }
}

/// The errors of `v` against `schema` (a small subset of JSON Schema: `$ref`, `type`,
/// `properties`, `required`, `additionalProperties`, `items`, `oneOf`, `anyOf`,
/// `allOf`, `if`/`then`, `const`, `enum`, `minimum`, `maximum`, `minItems`).
fn check(v: &Value, schema: &Value, root: &Value, at: &str, errors: &mut Vec<String>) {
    let Value::Object(s) = schema else { return };
    if let Some(Value::String(r)) = s.get("$ref") {
        let name = r.strip_prefix("#/$defs/").expect("local refs only");
        let target = &root["$defs"][name];
        assert!(!target.is_null(), "dangling $ref {r}");
        check(v, target, root, at, errors);
    }
    let mut fail = |m: String| errors.push(format!("{at}: {m}"));
    if let Some(t) = s.get("type") {
        let kinds: Vec<&str> = match t {
            Value::String(k) => vec![k.as_str()],
            Value::Array(ks) => ks.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = kinds.iter().any(|k| match *k {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            fail(format!("{v} is not of type {t}"));
            return;
        }
    }
    if let Some(c) = s.get("const") {
        if c != v {
            fail(format!("{v} is not {c}"));
        }
    }
    if let Some(Value::Array(e)) = s.get("enum") {
        if !e.contains(v) {
            fail(format!("{v} is not one of {}", Value::Array(e.clone())));
        }
    }
    if let (Some(n), Some(min)) = (v.as_f64(), s.get("minimum").and_then(Value::as_f64)) {
        if n < min {
            fail(format!("{n} < {min}"));
        }
    }
    if let (Some(n), Some(max)) = (v.as_f64(), s.get("maximum").and_then(Value::as_f64)) {
        if n > max {
            fail(format!("{n} > {max}"));
        }
    }
    if let Value::Object(o) = v {
        let props = s.get("properties").and_then(Value::as_object);
        for req in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let req = req.as_str().unwrap();
            if !o.contains_key(req) {
                errors.push(format!("{at}: missing required `{req}`"));
            }
        }
        for (k, child) in o {
            let path = format!("{at}.{k}");
            match (props.and_then(|p| p.get(k)), s.get("additionalProperties")) {
                (Some(ps), _) => check(child, ps, root, &path, errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{at}: property `{k}` is not allowed"))
                }
                (None, Some(extra)) => check(child, extra, root, &path, errors),
                (None, None) => {}
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (v, s.get("items")) {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < min {
                errors.push(format!("{at}: fewer than {min} items"));
            }
        }
        for (i, item) in items.iter().enumerate() {
            check(item, item_schema, root, &format!("{at}[{i}]"), errors);
        }
    }
    let passes = |sub: &Value| {
        let mut e = Vec::new();
        check(v, sub, root, at, &mut e);
        e
    };
    if let Some(Value::Array(all)) = s.get("allOf") {
        for sub in all {
            errors.extend(passes(sub));
        }
    }
    if let Some(Value::Array(any)) = s.get("anyOf") {
        let results: Vec<Vec<String>> = any.iter().map(passes).collect();
        if results.iter().all(|r| !r.is_empty()) {
            errors.push(format!("{at}: matches no anyOf branch: {results:?}"));
        }
    }
    if let Some(Value::Array(one)) = s.get("oneOf") {
        let results: Vec<Vec<String>> = one.iter().map(passes).collect();
        let matched = results.iter().filter(|r| r.is_empty()).count();
        if matched != 1 {
            errors.push(format!(
                "{at}: matches {matched} oneOf branches: {results:?}"
            ));
        }
    }
    if let Some(cond) = s.get("if") {
        if passes(cond).is_empty() {
            if let Some(then) = s.get("then") {
                errors.extend(passes(then));
            }
        }
    }
}

fn schema_errors(v: &Value) -> Vec<String> {
    let schema = json_schema();
    let mut errors = Vec::new();
    check(v, &schema, &schema, "$", &mut errors);
    errors
}

#[test]
fn every_json_block_fits_the_schema() {
    for (line, text) in blocks("json") {
        let v: Value = serde_json::from_str(&text).unwrap();
        let errors = schema_errors(&v);
        assert!(
            errors.is_empty(),
            "the json block at {DOC}:{line} does not fit the schema:\n{}",
            errors.join("\n")
        );
        // A written-back scenario (every field explicit) fits too.
        let written = load_str("doc", &text).unwrap().to_json();
        let errors = schema_errors(&written);
        assert!(
            errors.is_empty(),
            "the block at {DOC}:{line}, written back, does not fit:\n{}\n{written}",
            errors.join("\n")
        );
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects_by_shape() {
    let text = blocks("json").remove(0).1;
    let good: Value = serde_json::from_str(&text).unwrap();
    let mut v = good.clone();
    v["sed"] = Value::from(7);
    assert_eq!(schema_errors(&v), ["$: property `sed` is not allowed"]);
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("duration");
    assert_eq!(schema_errors(&v), ["$: missing required `duration`"]);
    let mut v = good.clone();
    v["app"]["root"]["children"][0]["strategy"] = Value::from("one_for_one");
    let e = schema_errors(&v);
    assert!(
        e.iter().any(|m| m.contains("matches 0 oneOf branches")),
        "{e:?}"
    );
    let mut v = good.clone();
    v["faults"][0]["action"] = Value::from("explode");
    assert!(!schema_errors(&v).is_empty());
    // Model parameters are checked by the model's own schema, chosen by `model`.
    let mut v = good;
    v["app"]["root"]["children"][0]["params"] = serde_json::json!({"wrok": "5ms"});
    let e = schema_errors(&v);
    assert!(
        e.iter().any(|m| m.contains("`wrok` is not allowed")),
        "{e:?}"
    );
}

/// Every property the schema declares has a description; optional ones with a fixed
/// default state it.
fn walk_properties(s: &Value, at: &str, missing: &mut Vec<String>) {
    match s {
        Value::Object(m) => {
            if let Some(Value::Object(props)) = m.get("properties") {
                for (k, p) in props {
                    // `if`/`then` branches restate a property only to test or narrow it.
                    let branch = at.ends_with(".then") || at.ends_with(".if");
                    if !branch && p.get("description").is_none() {
                        missing.push(format!("{at}.{k}"));
                    }
                }
            }
            for (k, v) in m {
                walk_properties(v, &format!("{at}.{k}"), missing);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                walk_properties(v, &format!("{at}[{i}]"), missing);
            }
        }
        _ => {}
    }
}

#[test]
fn the_schema_is_draft_2020_12_and_describes_every_property() {
    let s = json_schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let text = serde_json::to_string_pretty(&s).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), s);
    let mut missing = Vec::new();
    walk_properties(&s, "$", &mut missing);
    // Model parameter schemas come from the catalogue; the format's own must be complete.
    missing.retain(|p| !p.contains(".then.properties.params"));
    assert!(
        missing.is_empty(),
        "properties without a description: {missing:?}"
    );
    assert_eq!(s["properties"]["seed"]["default"], 1);
    assert_eq!(
        s["$defs"]["supervisor_node"]["properties"]["max_restarts"]["default"],
        3
    );
    assert_eq!(
        s["$defs"]["model_node"]["properties"]["shutdown"]["default"],
        "5s"
    );
    let models = s["$defs"]["model_node"]["allOf"].as_array().unwrap();
    assert_eq!(models.len(), otpsim::models::catalog::CATALOG.len());
}

#[test]
fn the_drawn_tree_in_the_doc_is_current() {
    let json = blocks("json");
    let (_, scenario) = json
        .iter()
        .find(|(_, t)| t.contains("\"every_node_type\""))
        .expect("the every_node_type example");
    let s = load_str("doc", scenario).unwrap();
    let drawn = blocks("text")
        .into_iter()
        .find(|(_, t)| t.starts_with("root (supervisor"))
        .expect("the drawn tree");
    assert_eq!(drawn.1, draw(&s, TreeFormat::Text));
}

/// The example of the Errors section: `otpsim check` on the invalid file shown prints
/// the errors shown and exits 2, and the library's error says the same one per line.
#[test]
fn the_error_example_is_what_check_prints() {
    let text = blocks("text");
    let (_, file) = text
        .iter()
        .find(|(_, t)| t.starts_with('{'))
        .expect("the invalid file");
    let (_, shown) = text
        .iter()
        .find(|(_, t)| t.starts_with("error: "))
        .expect("the errors it gives");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_docs_errors");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("s.json"), file).unwrap();
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_otpsim"))
        .args(["check", "s.json"])
        .current_dir(&dir)
        .output()
        .expect("run otpsim");
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&r.stderr).trim_end(),
        shown.trim_end()
    );
    let e = load_str("s.json", file).expect_err("the example is invalid");
    let doc = std::fs::read_to_string(DOC).unwrap();
    let first = e.to_string().lines().next().unwrap().to_string();
    assert!(
        first.starts_with("s.json:4:3: at $.sed: unknown field "),
        "{first}"
    );
    assert!(doc.contains("`s.json:4:3: at $.sed: unknown field ...`"));
}

/// Every example runs and meets its expectations (`otpsim run` exits 0), as the page
/// says; the buffered writer's example reports the 20 writes its crash finds as lost.
#[test]
fn every_json_block_meets_its_expectations() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_docs_runs");
    std::fs::create_dir_all(&dir).unwrap();
    let doc = std::fs::read_to_string(DOC).unwrap();
    for (line, text) in blocks("json") {
        let file = dir.join(format!("line{line}.json"));
        std::fs::write(&file, &text).unwrap();
        let r = std::process::Command::new(env!("CARGO_BIN_EXE_otpsim"))
            .arg("run")
            .arg(&file)
            .output()
            .expect("run otpsim");
        let out = String::from_utf8_lossy(&r.stdout);
        assert_eq!(r.status.code(), Some(0), "{DOC}:{line}:\n{out}");
        if text.contains("\"model_writer_and_settings\"") {
            assert!(out.contains(", 20 lost"), "{DOC}:{line}:\n{out}");
            assert!(doc.contains("finds 20 writes in the buffer"));
        }
    }
}
