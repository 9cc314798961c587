//! One spanned value tree for both front-matter syntaxes, so typing and error positions are
//! written once: TOML and YAML are each parsed into [`Node`]s whose spans are byte offsets in
//! the whole file.

use std::borrow::Cow;
use std::ops::Range;

use time::OffsetDateTime;

/// A value with its byte span in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    /// The value.
    pub value: Value<'a>,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// A key of a table, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Key<'a> {
    /// The key text.
    pub name: Cow<'a, str>,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// A front-matter value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// A quoted string (or a YAML scalar that is not a number, bool or date).
    String(Cow<'a, str>),
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date or date-time, in UTC. `date_only` when no time of day was written.
    DateTime {
        /// The instant.
        at: OffsetDateTime,
        /// True for a plain date such as `2024-03-14`.
        date_only: bool,
    },
    /// YAML `null` or `~`.
    Null,
    /// An array.
    Array(Vec<Node<'a>>),
    /// A table, keys in file order.
    Table(Vec<(Key<'a>, Node<'a>)>),
}

impl Value<'_> {
    /// The type's name as an author knows it, for "expected a string, found an integer".
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::DateTime { .. } => "a date",
            Value::Null => "null",
            Value::Array(_) => "a list",
            Value::Table(_) => "a table",
        }
    }

    /// Convert to JSON for `[extra]`, which templates receive untouched.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::String(s) => J::String(s.to_string()),
            Value::Integer(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Bool(b) => J::Bool(*b),
            Value::DateTime { at, date_only } => {
                J::String(crate::model::dates::format_rfc3339(*at, *date_only))
            }
            Value::Null => J::Null,
            Value::Array(items) => J::Array(items.iter().map(|n| n.value.to_json()).collect()),
            Value::Table(entries) => J::Object(
                entries.iter().map(|(k, v)| (k.name.to_string(), v.value.to_json())).collect(),
            ),
        }
    }
}
