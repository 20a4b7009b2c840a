//! What the pattern models read besides plain values: the paths of the tree nodes they
//! work with (a dependency, a supervisor, a registry) and nested model specs (a pool's
//! worker), and how they reach a node by its path at run time.

use super::params::Params as Fields;
use super::{catalog, ModelSpec};
use crate::behaviour::gen_server::ServerRef;
use crate::kernel::Ctx;
use crate::scenario::json::{Diagnostic, Document, LoadError, Reader};
use crate::term::Atom;
use serde_json::{json, Value};

/// The longest path a parameter may name; deeper trees are rejected by the loader
/// long before (16 levels of 64-character ids fit easily).
const MAX_PATH_LEN: usize = 2_048;

/// Reads the path of a tree node (`"root/db/conn1"`): ids of `[A-Za-z0-9_.-]`
/// separated by `/`. Whether a node is there is the loader's concern, not the model's.
pub fn read_path(r: &Reader<'_>) -> Result<String, LoadError> {
    let text = r.expect_str()?;
    let valid_id = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    if text.len() > MAX_PATH_LEN || !text.split('/').all(valid_id) {
        return Err(r.error_expected(
            format!("`{}` is not a tree path", text.escape_debug()),
            "node ids of letters, digits, `_`, `.` and `-` joined by `/`, such as \"root/db\"",
        ));
    }
    Ok(text.to_string())
}

/// Reads a nested model: `{"model": NAME, "params": {..}}` (params optional), parsed
/// with [`ModelSpec::parse`] so every catalogued model may be nested.
pub fn read_model_spec(r: &Reader<'_>) -> Result<ModelSpec, LoadError> {
    let o = r.expect_object()?;
    o.deny_unknown_fields(&["model", "params"])?;
    ModelSpec::parse(&o.required("model")?, o.optional("params").as_ref())
}

/// The nested model in the field `key` of a `"params"` object, or `default()` when the
/// field is absent. Kept apart from [`Fields`]' own error list because a model's
/// parameters cannot be built without it; join the two with [`finish_with_spec`].
pub fn spec_field(
    p: &Fields<'_>,
    key: &str,
    default: impl FnOnce() -> Result<ModelSpec, LoadError>,
) -> Result<ModelSpec, LoadError> {
    match p.field(key) {
        Some(r) => read_model_spec(&r),
        None => default(),
    }
}

/// Finishes reading a `"params"` object that has a nested model: `build(spec)` when
/// everything read well, else every error (the nested model's last).
pub fn finish_with_spec<T>(
    p: Fields<'_>,
    spec: Result<ModelSpec, LoadError>,
    build: impl FnOnce(ModelSpec) -> T,
) -> Result<T, LoadError> {
    match (p.finish(()), spec) {
        (Ok(()), Ok(spec)) => Ok(build(spec)),
        (Err(mut e), Err(nested)) => {
            e.extend(nested);
            Err(e)
        }
        (Err(e), Ok(_)) | (Ok(()), Err(e)) => Err(e),
    }
}

/// The model `name` with the parameters in `params_json` (a JSON object as text), as
/// the default of a nested model parameter. `Err` only if the catalogue lacks the
/// model or refuses the parameters, which the models' own tests rule out.
pub fn default_spec(name: &str, params_json: &str) -> Result<ModelSpec, LoadError> {
    let doc = Document::parse(
        "<default>",
        &format!("{{\"model\": \"{name}\", \"params\": {params_json}}}"),
    )?;
    read_model_spec(&doc.reader())
}

/// The error for a model whose `"params"` object is absent although some of its
/// fields are required: `missing field `dependency``. The model's parser sees no
/// position to point at; [`ModelSpec::parse`] anchors it at the `"model"` value.
pub fn missing_params(model: &str, required: &[&str]) -> LoadError {
    let fields: Vec<String> = required.iter().map(|f| format!("`{f}`")).collect();
    let noun = if fields.len() == 1 { "field" } else { "fields" };
    let message = format!(
        "missing {noun} {} of the {model} model",
        fields.join(" and ")
    );
    LoadError::from_diagnostics(vec![Diagnostic::new("", message)])
        .expect("one diagnostic makes an error")
}

/// How a model reaches the node at `path`: the process registered under the path (as
/// the builder registers models, registries and supervisors), or else the live
/// process labelled with it, or else the name itself, so that a call fails with
/// `noproc` as in OTP.
pub fn node_ref(ctx: &Ctx, path: &str) -> ServerRef {
    let name = Atom::new(path);
    if ctx.whereis(&name).is_some() {
        return ServerRef::Name(name);
    }
    match ctx.find_by_label(path) {
        Some(pid) => ServerRef::Pid(pid),
        None => ServerRef::Name(name),
    }
}

/// Records an error for each of `required` that the `"params"` object lacks: at the
/// object, or one [`missing_params`] error when there is no object at all. Read the
/// fields themselves with [`Fields::read`], which gives the default when absent.
pub fn require(p: &mut Fields<'_>, params: Option<&Reader<'_>>, model: &str, required: &[&str]) {
    let Some(params) = params else {
        p.push(missing_params(model, required));
        return;
    };
    // A params value that is not an object was already reported by `Fields::open`.
    if let Ok(o) = params.expect_object() {
        for key in required {
            if let Err(e) = o.required(key) {
                p.push(e);
            }
        }
    }
}

/// JSON Schema of a path parameter.
pub fn path_schema(description: &str) -> Value {
    json!({
        "type": "string",
        "description": description,
        "pattern": "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"
    })
}

/// JSON Schema of a nested model parameter.
pub fn model_spec_schema(description: &str, default: &ModelSpec) -> Value {
    json!({
        "type": "object",
        "description": description,
        "additionalProperties": false,
        "required": ["model"],
        "properties": {
            "model": {"enum": catalog::names()},
            "params": {"type": "object"}
        },
        "default": default.to_json()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<String, LoadError> {
        let doc = Document::parse("p.json", text).unwrap();
        read_path(&doc.reader())
    }

    #[test]
    fn paths_are_ids_joined_by_slashes() {
        assert_eq!(
            read(r#""root/db/conn-1.a_b""#).unwrap(),
            "root/db/conn-1.a_b"
        );
        for bad in [
            r#""""#,
            r#""root//db""#,
            r#""/root""#,
            r#""root/""#,
            r#""a b""#,
        ] {
            let err = read(bad).unwrap_err().to_string();
            assert!(err.starts_with("p.json:1:1: at $: `"), "{err}");
            assert!(err.contains("is not a tree path"), "{err}");
        }
        assert!(read("7")
            .unwrap_err()
            .to_string()
            .contains("found the number 7"));
    }

    #[test]
    fn missing_params_names_the_required_fields() {
        let err = missing_params("circuit_breaker", &["dependency"]).to_string();
        assert_eq!(
            err,
            ": missing field `dependency` of the circuit_breaker model"
        );
        let err = missing_params("keyed", &["registry", "dynamic_supervisor"]).to_string();
        assert_eq!(
            err,
            ": missing fields `registry` and `dynamic_supervisor` of the keyed model"
        );
    }
}
