//! The value tree: JSON values that remember where they came from.

use super::number::Number;
use super::span::Span;

/// A JSON value with its position in the source text.
///
/// Only the parser builds nodes, so a tree is never deeper than the parser's depth limit
/// and the recursive walks over it ([`Node::to_serde_json`]) cannot overflow the stack.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub(crate) span: Span,
    pub(crate) value: Value,
}

/// A JSON value whose children are [`Node`]s.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(Number),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, in source order.
    Object(Object),
}

/// A JSON object: members in source order, keys unique (the parser rejects duplicates).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Object {
    pub(crate) members: Vec<Member>,
}

/// One `"key": value` pair of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub(crate) key: String,
    pub(crate) key_span: Span,
    pub(crate) value: Node,
}

impl Node {
    /// Where the value is: its first character and the byte just past its last.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The value.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The value as a `serde_json::Value`, or `None` if a number does not fit one
    /// (a literal beyond the range of `f64`, such as `1e400`, which serde_json rejects).
    /// Integers become `u64` when they fit, else `i64`, else `f64`, as in serde_json.
    pub fn to_serde_json(&self) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number(n.to_serde_json()?),
            Value::String(s) => J::String(s.clone()),
            Value::Array(items) => J::Array(
                items
                    .iter()
                    .map(Node::to_serde_json)
                    .collect::<Option<Vec<_>>>()?,
            ),
            Value::Object(obj) => {
                let mut map = serde_json::Map::new();
                for m in &obj.members {
                    map.insert(m.key.clone(), m.value.to_serde_json()?);
                }
                J::Object(map)
            }
        })
    }
}

impl Value {
    /// What kind of value this is, with an article, for messages: `an object`,
    /// `a string`, `null`, ...
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
}

impl Object {
    /// The members, in source order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The member with this key.
    pub fn get(&self, key: &str) -> Option<&Member> {
        // Linear: scenario objects have a handful of keys, and this keeps source order
        // without a second index.
        self.members.iter().find(|m| m.key == key)
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True if the object is `{}`.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

impl Member {
    /// The key, unescaped.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Where the key is, quotes included.
    pub fn key_span(&self) -> Span {
        self.key_span
    }

    /// The value.
    pub fn value(&self) -> &Node {
        &self.value
    }
}
