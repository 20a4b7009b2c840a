//! JSON paths (`$.app.children[2].model`) for messages.

use std::rc::Rc;

/// Keys longer than this are cut in paths: a path is for finding the value, and a
/// megabyte key would bury the message.
const MAX_KEY_CHARS: usize = 60;

/// Appends `.key`, or `["key"]` when the key is not a plain identifier (RFC 9535's
/// member-name shorthand, restricted to ASCII so the path is unambiguous on any
/// terminal).
pub(crate) fn push_key(out: &mut String, key: &str) {
    let mut chars = key.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && key.len() <= MAX_KEY_CHARS;
    if plain {
        out.push('.');
        out.push_str(key);
        return;
    }
    let cut: String = key.chars().take(MAX_KEY_CHARS).collect();
    let cut_short = cut.len() < key.len();
    out.push('[');
    // serde_json's escaping of a str cannot fail.
    out.push_str(&serde_json::to_string(&cut).unwrap_or_default());
    if cut_short {
        out.insert_str(out.len() - 1, "...");
    }
    out.push(']');
}

/// Appends `[index]`.
pub(crate) fn push_index(out: &mut String, index: usize) {
    out.push('[');
    out.push_str(&index.to_string());
    out.push(']');
}

/// A path from the root, shared between readers: each child reader adds one link, so
/// walking a tree costs one small allocation per visited value and no copying.
#[derive(Clone, Debug)]
pub(crate) enum Path<'a> {
    /// `$`.
    Root,
    /// `parent.key`.
    Key(Rc<Path<'a>>, &'a str),
    /// `parent[index]`.
    Index(Rc<Path<'a>>, usize),
}

impl Path<'_> {
    /// The path as text, starting with `$`.
    pub(crate) fn render(&self) -> String {
        let mut links = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(parent, _) | Path::Index(parent, _) => {
                    links.push(at);
                    at = parent;
                }
            }
        }
        let mut out = String::from("$");
        for link in links.iter().rev() {
            match link {
                Path::Key(_, key) => push_key(&mut out, key),
                Path::Index(_, i) => push_index(&mut out, *i),
                Path::Root => {}
            }
        }
        out
    }

    /// The last key, if the path ends in one.
    pub(crate) fn last_key(&self) -> Option<&str> {
        match self {
            Path::Key(_, key) => Some(key),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_use_dots_and_others_use_brackets() {
        let mut s = String::from("$");
        push_key(&mut s, "app");
        push_key(&mut s, "children");
        push_index(&mut s, 2);
        push_key(&mut s, "a b");
        push_key(&mut s, "");
        push_key(&mut s, "9lives");
        push_key(&mut s, "quote\"d");
        assert_eq!(s, r#"$.app.children[2]["a b"][""]["9lives"]["quote\"d"]"#);
    }

    #[test]
    fn long_keys_are_cut() {
        let mut s = String::new();
        push_key(&mut s, &"k".repeat(100));
        assert_eq!(s, format!("[\"{}...\"]", "k".repeat(60)));
    }

    #[test]
    fn shared_paths_render_from_the_root() {
        let root = Rc::new(Path::Root);
        let app = Rc::new(Path::Key(root.clone(), "app"));
        let kid = Path::Index(app.clone(), 0);
        assert_eq!(root.render(), "$");
        assert_eq!(kid.render(), "$.app[0]");
        assert_eq!(app.last_key(), Some("app"));
        assert_eq!(kid.last_key(), None);
    }
}
