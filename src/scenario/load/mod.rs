//! The scenario loader: a JSON file in the format of `docs/scenario-format.md`, read
//! into a [`Scenario`] or rejected with every problem found, each at its file, line,
//! column and JSON path.
//!
//! Loading goes section by section, in the order later sections depend on earlier
//! ones: the top-level fields (the duration bounds every time), the application and
//! its tree (paths are what targets name), the workload (expectations name clients),
//! the phases, the faults (swarm bounds name faults), the swarm bounds and the
//! expectations. A section that cannot be read does not stop the others; checks that
//! need a broken section (a target when the tree did not load) are skipped rather than
//! reported, so that one mistake gives one error. Errors come out in source order.

mod actions;
mod conds;
mod expect;
mod faults;
mod fields;
mod kinds;
mod model_refs;
mod names;
mod paths;
mod phases;
mod targets;
mod terms;
mod top;
mod tree;

pub use paths::pattern_matches;
pub(crate) use paths::walk;
pub(crate) use terms::env_json;

use super::json::{Document, Errors, Limits, LoadError};
use super::spec::Scenario;
use std::path::Path;

/// The parse limits for scenario files: 16 MiB, nesting 64 deep (a tree 16 nodes deep
/// with nested parameters needs about 40).
pub fn parse_limits() -> Limits {
    Limits {
        max_depth: 64,
        max_bytes: 16 << 20,
    }
}

/// Reads and loads the scenario file at `path`. An unreadable file is a [`LoadError`]
/// naming it.
pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    let file = path.display().to_string();
    let bytes = read_bounded(path).map_err(|e| {
        LoadError::from(super::json::Diagnostic::new(
            file.clone(),
            format!("cannot read the file: {e}"),
        ))
    })?;
    let doc = Document::from_bytes(&file, &bytes, parse_limits())?;
    load_document(&doc)
}

/// The start of the file at `path`: at most one byte more than a scenario file may
/// hold, enough for the parser to refuse a larger one. Reading no further keeps an
/// enormous or endless file (`/dev/zero`) from exhausting memory first.
pub fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let limit = parse_limits().max_bytes as u64 + 1;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Loads a scenario from `text`, naming it `file` in errors.
///
/// ```
/// let s = otpsim::scenario::load_str("demo.json", r#"{
///   "otpsim": 1, "name": "demo", "duration": "10s",
///   "app": {"root": {"id": "root", "type": "supervisor", "children": []}}
/// }"#).unwrap();
/// assert_eq!(s.duration_us, 10_000_000);
/// assert_eq!(s.paths(), ["root"]);
/// ```
pub fn load_str(file: &str, text: &str) -> Result<Scenario, LoadError> {
    let doc = Document::from_bytes(file, text.as_bytes(), parse_limits())?;
    load_document(&doc)
}

/// Loads a scenario from a parsed document.
pub fn load_document(doc: &Document) -> Result<Scenario, LoadError> {
    let top = doc.reader().expect_object()?;
    fields::reset_suggestions();
    let mut errors = Errors::new();
    let header = top::read_header(&top, &mut errors)?;
    let app = top::read_app(&top, &header, &mut errors);
    let known = app.as_ref().map(|a| paths::Known::new(&a.root));
    let workload = top::read_workload(&top, &mut errors);
    let phases = phases::read_phases(&top, header.duration_us, &mut errors);
    let faults = faults::read_faults(&top, &header, known.as_ref(), &mut errors);
    let known = match (known, &faults) {
        (Some(k), Some(f)) => {
            let k = k.with_started_children(f);
            model_refs::check_model_refs(&top, &k, &mut errors);
            Some(k)
        }
        (k, _) => k,
    };
    let swarm = phases::read_swarm(&top, faults.as_deref(), &mut errors);
    let buggify = phases::read_buggify(&top, &mut errors);
    let refs = expect::Refs {
        duration_us: header.duration_us,
        known: known.as_ref(),
        phases: phases.as_deref(),
        clients: workload.as_deref(),
    };
    let expectations = expect::read_expectations(&top, &refs, &mut errors);
    finish(errors)?;
    // Every section loaded without error, so each is present.
    match (
        app,
        workload,
        phases,
        faults,
        (swarm, buggify),
        expectations,
    ) {
        (
            Some(app),
            Some(workload),
            Some(phases),
            Some(faults),
            (Some(swarm), Some(buggify)),
            Some(exp),
        ) => Ok(Scenario {
            file: doc.file().to_string(),
            name: header.name,
            description: header.description,
            seed: header.seed,
            duration_us: header.duration_us.unwrap_or_default(),
            limits: header.limits,
            app,
            workload,
            faults,
            phases,
            swarm,
            buggify,
            expectations: exp,
        }),
        _ => Err(doc
            .reader()
            .error("internal error: a section failed without an error")),
    }
}

/// The collected errors in source order (those without a position first), or `Ok`.
fn finish(errors: Errors) -> Result<(), LoadError> {
    let Err(e) = errors.finish() else {
        return Ok(());
    };
    let mut all = e.diagnostics().to_vec();
    all.sort_by_key(|d| d.span.map(|s| s.offset));
    Err(LoadError::from_diagnostics(all).unwrap_or(e))
}
