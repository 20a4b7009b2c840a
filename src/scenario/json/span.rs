//! Where a value sits in the source text.

use std::fmt;

/// The position of a JSON value (or object key) in its source text.
///
/// `line` and `column` locate the first character: both count from 1, lines end at
/// `\n`, and columns count characters (Unicode scalar values), not bytes, so they match
/// what an editor shows for text without tabs or wide characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Byte offset of the first character.
    pub offset: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// Line of the first character, from 1.
    pub line: usize,
    /// Column of the first character, in characters, from 1.
    pub column: usize,
}

impl Span {
    /// The length of the spanned text in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.offset)
    }

    /// True if the span covers no text (a position, not a value).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Shows `LINE:COLUMN`.
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The byte length of a leading UTF-8 byte order mark, which editors hide: it is
/// skipped and takes no column.
pub(crate) fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    }
}

/// Line and column of the character at byte `offset`, counted from scratch. Error paths
/// use this (they run once); the parser locates values incrementally instead.
pub(crate) fn locate(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text.as_bytes()[..offset];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = match before.iter().rposition(|&b| b == b'\n') {
        Some(nl) => nl + 1,
        None => bom_len(text).min(offset),
    };
    let column = 1 + text[line_start..offset].chars().count();
    (line, column)
}

/// A span of `len` bytes at `offset`, located from scratch (see [`locate`]).
pub(crate) fn span_at(text: &str, offset: usize, len: usize) -> Span {
    let (line, column) = locate(text, offset);
    Span {
        offset,
        end: offset.saturating_add(len).min(text.len()).max(offset),
        line,
        column,
    }
}

/// The greatest char boundary at or before `i` (`str::floor_char_boundary` is unstable).
pub(crate) fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let text = "ab\n\u{e9}\u{e9}x\n";
        assert_eq!(locate(text, 0), (1, 1));
        assert_eq!(locate(text, 2), (1, 3));
        assert_eq!(locate(text, 3), (2, 1));
        // Two 2-byte characters before `x`: column 3, not 5.
        assert_eq!(locate(text, 7), (2, 3));
        assert_eq!(locate(text, text.len()), (3, 1));
    }

    #[test]
    fn locate_skips_a_byte_order_mark_and_clamps_bad_offsets() {
        let text = "\u{feff}[1]";
        assert_eq!(locate(text, 3), (1, 1));
        assert_eq!(locate(text, 4), (1, 2));
        assert_eq!(locate(text, 1), (1, 1));
        assert_eq!(locate(text, 99), (1, 4));
    }

    #[test]
    fn span_displays_line_and_column() {
        let s = span_at("[\n  1]", 4, 1);
        assert_eq!(s.to_string(), "2:3");
        assert_eq!(s.len(), 1);
        assert!(!s.is_empty());
    }
}
