//! Errors shown with the offending source line and a caret under the column, as rustc
//! shows them, for the CLI.

use super::error::{Diagnostic, LoadError};
use super::span::{bom_len, floor_char_boundary, Span};
use std::fmt::Write;

/// Characters shown before the caret on a long line (minified JSON is one long line).
const CONTEXT_BEFORE: usize = 40;
/// Characters shown from the caret on.
const CONTEXT_AFTER: usize = 80;

impl LoadError {
    /// Every diagnostic with its source line quoted and the position underlined:
    ///
    /// ```text
    /// error: at $.sed: unknown field `sed`; did you mean `seed`? (expected `name` or `seed`)
    ///  --> s.json:3:3
    ///   |
    /// 3 |   "sed": 7,
    ///   |   ^^^^^
    /// ```
    ///
    /// `source` must be the text the error was found in; with any other text the
    /// quoted lines are wrong, but rendering still does not panic.
    ///
    /// ```
    /// # use otpsim::scenario::json::Document;
    /// let text = "{\n  \"seed\": -1\n}";
    /// let doc = Document::parse("s.json", text).unwrap();
    /// let seed = doc.reader().expect_object().unwrap().required("seed").unwrap();
    /// let err = seed.expect_u64().unwrap_err();
    /// assert_eq!(doc.render(&err), "\
    /// error: at $.seed: found the negative number -1 (expected a non-negative integer)
    ///  --> s.json:2:11
    ///   |
    /// 2 |   \"seed\": -1
    ///   |           ^^
    /// ");
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = String::new();
        for (i, d) in self.diagnostics().iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&d.render(source));
        }
        out
    }
}

impl Diagnostic {
    /// This diagnostic with its source line quoted (see [`LoadError::render`]).
    pub fn render(&self, source: &str) -> String {
        let mut out = String::from("error: ");
        if let Some(path) = &self.path {
            let _ = write!(out, "at {path}: ");
        }
        out.push_str(&self.message);
        if let Some(expected) = &self.expected {
            let _ = write!(out, " (expected {expected})");
        }
        out.push('\n');
        let gutter = [self.span, self.note.as_ref().map(|n| n.span)]
            .iter()
            .flatten()
            .map(|s| s.line.to_string().len())
            .max()
            .unwrap_or(1);
        match self.span {
            Some(span) => snippet(&mut out, &self.file, source, span, gutter),
            None => {
                let _ = writeln!(out, "{:gutter$}--> {}", "", self.file);
            }
        }
        if let Some(note) = &self.note {
            let _ = write!(out, "note: {} here", note.message);
            if note.path.is_some() && note.path != self.path {
                let _ = write!(out, ", at {}", note.path.as_deref().unwrap_or_default());
            }
            out.push('\n');
            snippet(&mut out, &self.file, source, note.span, gutter);
        }
        out
    }
}

/// Writes `--> file:line:col`, the line at `span.offset` and a caret line under it.
fn snippet(out: &mut String, file: &str, source: &str, span: Span, gutter: usize) {
    let _ = writeln!(out, "{:gutter$}--> {file}:{span}", "");
    let offset = floor_char_boundary(source, span.offset);
    let line_start = source[..offset]
        .rfind('\n')
        .map_or(bom_len(source).min(offset), |i| i + 1);
    let line_end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    let line = source[line_start..line_end].trim_end_matches('\r');
    let rel = (offset - line_start).min(line.len());
    let (before, target) = line.split_at(rel);

    // Long lines are cut around the caret, and the cut is marked.
    let before_chars = before.chars().count();
    let skip = if before_chars > CONTEXT_BEFORE + 20 {
        before_chars - CONTEXT_BEFORE
    } else {
        0
    };
    let shown_before: String = before.chars().skip(skip).collect();
    let shown_target: String = target.chars().take(CONTEXT_AFTER).collect();
    let target_cut = shown_target.len() < target.len();

    let mut text = String::new();
    let mut pad = String::new();
    if skip > 0 {
        text.push_str("...");
        pad.push_str("   ");
    }
    text.push_str(&shown_before);
    // Tabs stay tabs under the line so the caret lines up however the terminal
    // expands them.
    pad.extend(
        shown_before
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' }),
    );
    text.push_str(&shown_target);
    if target_cut {
        text.push_str("...");
    }
    let span_text = source.get(offset..span.end.max(offset)).unwrap_or("");
    let carets = span_text
        .chars()
        .take_while(|c| *c != '\n')
        .count()
        .min(shown_target.chars().count())
        .max(1);

    let _ = writeln!(out, "{:gutter$} |", "");
    let _ = writeln!(out, "{:>gutter$} | {text}", span.line);
    let _ = writeln!(out, "{:gutter$} | {pad}{}", "", "^".repeat(carets));
}

#[cfg(test)]
mod tests {
    use super::super::document::Document;

    #[test]
    fn caret_sits_under_the_column_with_tabs_and_wide_characters() {
        let text = "{\n\t\"\u{e9}\": 1, \"x\": \"\u{e9}\u{e9}\", \"y\": [\n\t\tnull\n]}";
        let doc = Document::parse("f.json", text).unwrap();
        let x = doc.reader().expect_object().unwrap().required("x").unwrap();
        let rendered = doc.render(&x.expect_u64().unwrap_err());
        assert_eq!(
            rendered,
            "error: at $.x: found the string \"\u{e9}\u{e9}\" (expected a non-negative integer)\n \
             --> f.json:2:15\n  |\n\
             2 | \t\"\u{e9}\": 1, \"x\": \"\u{e9}\u{e9}\", \"y\": [\n  \
             | \t             ^^^^\n"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let text = format!("[{}\"bad\"{}]", "1,".repeat(100), ",2".repeat(100));
        let doc = Document::parse("f.json", &text).unwrap();
        let bad = doc.reader().expect_array().unwrap().get(100).unwrap();
        let rendered = doc.render(&bad.expect_u64().unwrap_err());
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines[1], " --> f.json:1:202");
        assert!(lines[3].starts_with("1 | ..."), "{}", lines[3]);
        assert!(lines[3].ends_with("..."));
        let caret = lines[4].find('^').unwrap();
        assert_eq!(&lines[3][caret..caret + 5], "\"bad\"");
        assert_eq!(lines[4].matches('^').count(), 5);
    }

    #[test]
    fn rendering_against_the_wrong_source_does_not_panic() {
        let doc = Document::parse("f.json", "{\"k\": \"\u{e9}\u{e9}\u{e9}\"}").unwrap();
        let k = doc.reader().expect_object().unwrap().required("k").unwrap();
        let err = k.expect_u64().unwrap_err();
        for other in ["", "x", "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", "\n\n\n"] {
            let r = err.render(other);
            assert!(r.contains("--> f.json:1:7"), "{r}");
        }
    }

    #[test]
    fn positionless_errors_and_notes_render() {
        let err = Document::parse("f.json", "{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert_eq!(
            err.render("{\"a\": 1,\n \"a\": 2}"),
            "error: at $.a: duplicate key `a`\n \
             --> f.json:2:2\n  |\n2 |  \"a\": 2}\n  |  ^^^\n\
             note: first defined here\n \
             --> f.json:1:2\n  |\n1 | {\"a\": 1,\n  |  ^^^\n"
        );
        let limits = super::super::Limits {
            max_bytes: 1,
            ..Default::default()
        };
        let big = Document::parse_with("f.json", "[]", limits).unwrap_err();
        assert_eq!(
            big.render("[]"),
            "error: the file is 2 bytes (expected at most 1 bytes)\n --> f.json\n"
        );
    }
}
