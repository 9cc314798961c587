//! TOML front matter (`+++`) into a [`Node`] tree.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::SyntaxError;
use super::node::{Key, Node, Value};

/// Parse TOML front matter. `base` is the byte offset of `text` in the file; spans of the tree
/// and of the errors are file offsets. Every syntax error found is returned.
pub(super) fn parse_toml(text: &str, base: usize) -> Result<Node<'_>, Vec<SyntaxError>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let mut errors: Vec<SyntaxError> = errors
            .into_iter()
            .map(|e| SyntaxError {
                message: e.message().trim().to_string(),
                span: shift(e.span().unwrap_or(0..0), base),
            })
            .collect();
        errors.sort_by_key(|e| e.span.start);
        return Err(errors);
    }
    let span = shift(table.span(), base);
    let mut problems = Vec::new();
    let node = convert_table(table.into_inner(), span, base, &mut problems);
    if problems.is_empty() { Ok(node) } else { Err(problems) }
}

fn shift(span: Range<usize>, base: usize) -> Range<usize> {
    span.start + base..span.end + base
}

fn convert_table<'a>(
    table: DeTable<'a>,
    span: Range<usize>,
    base: usize,
    problems: &mut Vec<SyntaxError>,
) -> Node<'a> {
    let mut entries: Vec<(Key<'a>, Node<'a>)> = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_span = shift(key.span(), base);
        entries
            .push((Key { name: key.into_inner(), span: key_span }, convert(value, base, problems)));
    }
    // DeTable is sorted by key; the file order is more useful to authors and templates.
    entries.sort_by_key(|(k, _)| k.span.start);
    Node { value: Value::Table(entries), span }
}

fn convert<'a>(
    value: Spanned<DeValue<'a>>,
    base: usize,
    problems: &mut Vec<SyntaxError>,
) -> Node<'a> {
    let span = shift(value.span(), base);
    let value = match value.into_inner() {
        DeValue::String(s) => Value::String(s),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => Value::Integer(n),
            Err(e) => {
                problems.push(SyntaxError {
                    message: format!("invalid integer: {e}"),
                    span: span.clone(),
                });
                Value::Null
            }
        },
        DeValue::Float(f) => Value::Float(parse_float(f.as_str())),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(dt) => match crate::model::dates::from_toml(&dt) {
            Ok((at, date_only)) => Value::DateTime { at, date_only },
            Err(e) => {
                problems.push(SyntaxError {
                    message: format!("invalid date: {e}"),
                    span: span.clone(),
                });
                Value::Null
            }
        },
        DeValue::Array(items) => {
            Value::Array(items.into_iter().map(|item| convert(item, base, problems)).collect())
        }
        DeValue::Table(table) => return convert_table(table, span, base, problems),
    };
    Node { value, span }
}

fn parse_float(text: &str) -> f64 {
    match text.trim_start_matches('+') {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "-nan" => f64::NAN,
        t => t.replace('_', "").parse().unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_file_offsets_and_order_is_kept() {
        let text = "title = \"x\"\nabc = 0x1F\n[times]\nz = 1.5\n";
        let node = parse_toml(text, 4).unwrap();
        let Value::Table(entries) = &node.value else { panic!() };
        let keys: Vec<_> = entries.iter().map(|(k, _)| k.name.as_ref()).collect();
        assert_eq!(keys, ["title", "abc", "times"]);
        assert_eq!(entries[0].0.span, 4..9);
        assert_eq!(entries[1].1.value, Value::Integer(31));
        assert_eq!(&text[entries[0].1.span.start - 4..entries[0].1.span.end - 4], "\"x\"");
    }

    #[test]
    fn all_syntax_errors_are_reported() {
        let errors = parse_toml("a = \nb = [1,\n", 0).unwrap_err();
        assert!(!errors.is_empty());
        assert!(errors[0].span.start <= 4, "{errors:?}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let errors = parse_toml("title = \"a\"\ntitle = \"b\"\n", 0).unwrap_err();
        assert_eq!(errors[0].span.start, 12, "{errors:?}");
    }
}
