//! The commands that look at a scenario without running it: `check`, `tree` and
//! `schema`.

use super::input::{load_scenario, EXIT_BAD_INPUT};
use super::output::{err, errln, out, outln};
use clap::{Args, ValueEnum};
use otpsim::scenario::schema::json_schema;
use otpsim::scenario::spec::{FaultSpec, Scenario};
use otpsim::scenario::tree_draw::draw;
use otpsim::scenario::TreeFormat;
use std::path::PathBuf;

/// `otpsim check FILE`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  otpsim check scenarios/lesson1_one_for_one.json\n\n\
Exits 0 when the file is a valid scenario, 2 (with every problem found, each at its \
line and column) when it is not."
)]
pub struct CheckArgs {
    /// The scenario file.
    pub file: PathBuf,
}

/// `otpsim tree FILE`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  otpsim tree scenarios/lesson1_one_for_one.json\n  \
otpsim tree scenarios/lesson1_one_for_one.json --format dot | dot -Tsvg > tree.svg\n  \
otpsim tree scenarios/lesson1_one_for_one.json --format mermaid"
)]
pub struct TreeArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// How to draw the tree: indented text, Graphviz DOT or a Mermaid flowchart.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A tree drawing format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Box-drawing text for a terminal.
    Text,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// `otpsim schema`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  otpsim schema > otpsim-scenario.schema.json\n\n\
Point an editor's JSON Schema support at the file to validate and complete scenarios."
)]
pub struct SchemaArgs {}

pub fn check(a: CheckArgs) -> i32 {
    match load_scenario(&a.file) {
        Ok(s) => {
            outln(&format!("{}: ok ({})", a.file.display(), counts(&s)));
            0
        }
        Err(rendered) => {
            err(&rendered);
            EXIT_BAD_INPUT
        }
    }
}

/// `4 nodes, 2 faults, 3 expectations` (a partition supervisor's child counted once
/// per partition, as it runs).
fn counts(s: &Scenario) -> String {
    let plural = |n: usize, one: &str| {
        let s = if n == 1 { "" } else { "s" };
        format!("{n} {one}{s}")
    };
    let random = s
        .faults
        .iter()
        .filter(|f| matches!(f, FaultSpec::Random { .. }))
        .count();
    let mut faults = plural(s.faults.len(), "fault");
    if random > 0 {
        faults.push_str(&format!(" ({random} random)"));
    }
    format!(
        "{}, {faults}, {}",
        plural(s.nodes().len(), "node"),
        plural(s.expectations.len(), "expectation")
    )
}

pub fn tree(a: TreeArgs) -> i32 {
    let s = match load_scenario(&a.file) {
        Ok(s) => s,
        Err(rendered) => {
            err(&rendered);
            return EXIT_BAD_INPUT;
        }
    };
    let format = match a.format {
        Format::Text => TreeFormat::Text,
        Format::Dot => TreeFormat::Dot,
        Format::Mermaid => TreeFormat::Mermaid,
    };
    out(&draw(&s, format));
    0
}

pub fn schema(_: SchemaArgs) -> i32 {
    match serde_json::to_string_pretty(&json_schema()) {
        Ok(text) => {
            outln(&text.to_string());
            0
        }
        Err(e) => {
            errln(&format!("error: cannot write the schema: {e}"));
            1
        }
    }
}
