//! Reading a scenario file for a command: bad input becomes the loader's error with
//! the offending lines quoted, ready to print before exiting with code 2.

use otpsim::scenario::json::Document;
use otpsim::scenario::load::{parse_limits, read_bounded};
use otpsim::scenario::load_document;
use otpsim::scenario::spec::Scenario;
use std::path::Path;

/// The exit code for bad input (a bad file, a bad flag).
pub const EXIT_BAD_INPUT: i32 = 2;

/// Loads the scenario at `path`; on failure, the error rendered for a terminal:
/// `error: at $.path: message (expected ...)`, ` --> FILE:LINE:COL`, the line and a
/// caret under the column.
pub fn load_scenario(path: &Path) -> Result<Scenario, String> {
    load_scenario_and_text(path).map(|(scenario, _)| scenario)
}

/// [`load_scenario`], also returning the file's text: the file is read once, so a
/// pipe (`/dev/stdin`) can be both loaded and handed on.
pub fn load_scenario_and_text(path: &Path) -> Result<(Scenario, String), String> {
    let file = path.display().to_string();
    let bytes = read_bounded(path).map_err(|e| format!("error: cannot read {file}: {e}\n"))?;
    let doc = match Document::from_bytes(&file, &bytes, parse_limits()) {
        Ok(doc) => doc,
        // Not JSON (or not UTF-8): quote the text as far as it decodes.
        Err(e) => return Err(e.render(&String::from_utf8_lossy(&bytes))),
    };
    let scenario = load_document(&doc).map_err(|e| doc.render(&e))?;
    // Valid UTF-8: the document parsed.
    Ok((scenario, String::from_utf8_lossy(&bytes).into_owned()))
}

/// `text` quoted for a POSIX shell when it needs to be, so a printed command can be
/// pasted back as it is.
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:=@+,".contains(&b));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("scenarios/a-b_c.json"), "scenarios/a-b_c.json");
        assert_eq!(shell_quote("my file.json"), "'my file.json'");
        assert_eq!(shell_quote("it's.json"), r"'it'\''s.json'");
        assert_eq!(shell_quote(""), "''");
    }
}
