//! YAML front matter (`---`) into a [`Node`] tree.
//!
//! Built from parser events with an explicit stack (no recursion, so 10,000-deep nesting cannot
//! overflow the stack), refusing what a postmortem never needs and an attacker might send:
//! duplicate keys, nesting deeper than [`MAX_DEPTH`], and alias expansion past [`MAX_NODES`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::SyntaxError;
use super::node::{Key, Node, Value};
use crate::diagnostics::LineIndex;

/// Deepest nesting accepted; the schema needs three levels.
pub(super) const MAX_DEPTH: usize = 64;
/// Most values accepted after expanding aliases (an alias bomb expands exponentially).
pub(super) const MAX_NODES: usize = 100_000;

enum Frame<'a> {
    Seq { items: Vec<Node<'a>>, start: usize, anchor: usize },
    Map { entries: Vec<(Key<'a>, Node<'a>)>, key: Option<Key<'a>>, start: usize, anchor: usize },
}

struct Builder<'a> {
    base: usize,
    lines: LineIndex,
    stack: Vec<Frame<'a>>,
    anchors: HashMap<usize, (Node<'a>, usize)>,
    nodes: usize,
    root: Option<Node<'a>>,
}

/// Parse YAML front matter. `base` is the byte offset of `text` in the file.
pub(super) fn parse_yaml(text: &str, base: usize) -> Result<Node<'_>, Vec<SyntaxError>> {
    let mut builder = Builder {
        base,
        lines: LineIndex::new(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(e) => {
                let m = e.marker();
                let at = builder.offset(m.line(), m.col());
                return Err(vec![SyntaxError { message: e.info().to_string(), span: at..at }]);
            }
        };
        if let Event::DocumentStart(_) = event {
            documents += 1;
            if documents > 1 {
                let at = builder.span(&span);
                return Err(vec![SyntaxError {
                    message: "front matter holds more than one YAML document".into(),
                    span: at,
                }]);
            }
        }
        builder.on_event(event, &span).map_err(|e| vec![e])?;
    }
    match builder.root {
        Some(root) => Ok(root),
        None => Ok(Node { value: Value::Table(Vec::new()), span: base..base + text.len() }),
    }
}

impl<'a> Builder<'a> {
    fn offset(&self, line: usize, col: usize) -> usize {
        self.base + self.lines.offset_of(line, col)
    }

    fn span(&self, span: &Span) -> Range<usize> {
        self.offset(span.start.line(), span.start.col())
            ..self.offset(span.end.line(), span.end.col())
    }

    fn on_event(&mut self, event: Event<'a>, span: &Span) -> Result<(), SyntaxError> {
        let at = self.span(span);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let forced_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = resolve_scalar(text, style, forced_string);
                self.complete(Node { value, span: at }, anchor, 1)
            }
            Event::SequenceStart(anchor, _) => {
                self.open()?;
                self.stack.push(Frame::Seq { items: Vec::new(), start: at.start, anchor });
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.open()?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    start: at.start,
                    anchor,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, start, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, start, anchor }) => {
                        (Value::Array(items), start, anchor)
                    }
                    Some(Frame::Map { entries, start, anchor, .. }) => {
                        (Value::Table(entries), start, anchor)
                    }
                    None => return Ok(()),
                };
                self.complete(Node { value, span: start..at.end.max(start) }, anchor, 0)
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id).cloned() else {
                    return Err(SyntaxError {
                        message: "alias to an unknown anchor".into(),
                        span: at,
                    });
                };
                let node = Node { value: node.value, span: at };
                self.complete(node, 0, size)
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            let at = self.base;
            return Err(SyntaxError {
                message: format!("YAML nested deeper than {MAX_DEPTH} levels"),
                span: at..at,
            });
        }
        Ok(())
    }

    /// A value is finished: count it, remember its anchor, and attach it to its parent.
    fn complete(&mut self, node: Node<'a>, anchor: usize, size: usize) -> Result<(), SyntaxError> {
        self.nodes += size.max(1);
        if self.nodes > MAX_NODES {
            return Err(SyntaxError {
                message: format!("YAML expands to more than {MAX_NODES} values (alias expansion?)"),
                span: node.span,
            });
        }
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), count_nodes(&node)));
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => {
                    entries.push((k, node));
                    Ok(())
                }
                None => {
                    let name = match node.value {
                        Value::String(s) => s,
                        Value::Integer(i) => Cow::Owned(i.to_string()),
                        Value::Bool(b) => Cow::Owned(b.to_string()),
                        _ => {
                            return Err(SyntaxError {
                                message: "a key must be a plain word, not a list or table".into(),
                                span: node.span,
                            });
                        }
                    };
                    if let Some((first, _)) = entries.iter().find(|(k, _)| k.name == name) {
                        let first_line = self.lines.line_col(first.span.start - self.base).0;
                        return Err(SyntaxError {
                            message: format!(
                                "duplicate key `{name}` (first defined on line {} of the front matter)",
                                first_line
                            ),
                            span: node.span,
                        });
                    }
                    *key = Some(Key { name, span: node.span });
                    Ok(())
                }
            },
        }
    }
}

fn count_nodes(node: &Node<'_>) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Array(items) => stack.extend(items),
            Value::Table(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    count
}

/// YAML 1.2 core-schema resolution of a scalar, plus timestamps.
fn resolve_scalar(text: Cow<'_, str>, style: ScalarStyle, forced_string: bool) -> Value<'_> {
    if style != ScalarStyle::Plain || forced_string {
        return Value::String(text);
    }
    match text.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let t = text.as_ref();
    if let Some(hex) = t.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Integer(i);
        }
    } else if let Some(oct) = t.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Integer(i);
        }
    } else if t.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'+')
        && t.bytes().skip(1).all(|b| b.is_ascii_digit())
        && let Ok(i) = t.parse::<i64>()
    {
        return Value::Integer(i);
    }
    if t.len() >= 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[..4].iter().all(u8::is_ascii_digit)
    {
        if let Some((at, date_only)) = crate::model::dates::parse_datetime(t) {
            return Value::DateTime { at, date_only };
        }
    } else if t.contains(['.', 'e', 'E'])
        && t.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.')
        && let Ok(f) = t.parse::<f64>()
    {
        return Value::Float(f);
    }
    match t {
        ".inf" | "+.inf" | ".Inf" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" => Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" => Value::Float(f64::NAN),
        _ => Value::String(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn table<'a>(node: &'a Node<'a>) -> Vec<(&'a str, &'a Value<'a>)> {
        let Value::Table(entries) = &node.value else { panic!("not a table: {node:?}") };
        entries.iter().map(|(k, v)| (k.name.as_ref(), &v.value)).collect()
    }

    #[test]
    fn scalars_resolve_like_yaml_core() {
        let text = "a: 12\nb: '12'\nc: true\nd: 2024-03-14T09:32:00Z\ne: 2024-03-14\nf: hello world\ng: 1.5\nh:\ni: !!str 7\n";
        let node = parse_yaml(text, 0).unwrap();
        let t = table(&node);
        assert_eq!(t[0].1, &Value::Integer(12));
        assert_eq!(t[1].1, &Value::String("12".into()));
        assert_eq!(t[2].1, &Value::Bool(true));
        assert_eq!(
            t[3].1,
            &Value::DateTime { at: datetime!(2024-03-14 09:32 UTC), date_only: false }
        );
        assert_eq!(
            t[4].1,
            &Value::DateTime { at: datetime!(2024-03-14 00:00 UTC), date_only: true }
        );
        assert_eq!(t[5].1, &Value::String("hello world".into()));
        assert_eq!(t[6].1, &Value::Float(1.5));
        assert_eq!(t[7].1, &Value::Null);
        assert_eq!(t[8].1, &Value::String("7".into()));
    }

    #[test]
    fn spans_point_into_the_file() {
        let text = "title: Payments\ntags: [a, b]\n";
        let node = parse_yaml(text, 4).unwrap();
        let Value::Table(entries) = &node.value else { panic!() };
        assert_eq!(entries[1].0.span, 20..24);
        let Value::Array(items) = &entries[1].1.value else { panic!() };
        assert_eq!(items[1].span.start, 4 + text.find('b').unwrap());
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse_yaml("title: a\nx: 1\ntitle: b\n", 0).unwrap_err();
        assert!(err[0].message.contains("duplicate key `title`"), "{err:?}");
        assert_eq!(err[0].span.start, 14);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let text = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_yaml(&text, 0).unwrap_err();
        assert!(err[0].message.contains("recursion limit"), "{err:?}");
        let text = format!("a: {}{}\n", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let err = parse_yaml(&text, 0).unwrap_err();
        assert!(err[0].message.contains("nested deeper"), "{err:?}");
        let block = format!("{}x\n", "- ".repeat(10_000));
        let err = parse_yaml(&block, 0).unwrap_err();
        assert!(err[0].message.contains("nested deeper"), "{err:?}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = parse_yaml(&text, 0).unwrap_err();
        assert!(err[0].message.contains("more than"), "{err:?}");
    }
}
