//! [`RawFrontMatter`]: the keys of SCHEMA.md as the author wrote them, each with its span.
//! Only types are checked here (a string where a string belongs); meaning (a known severity,
//! times in order) is checked when the model is built.

use std::ops::Range;

use time::{Date, OffsetDateTime};

use super::node::{Key, Node, Value};
use super::unknown_keys::unknown_key_help;
use crate::diagnostics::{Code, FileDiagnostics};

/// A value with the byte span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// The top-level keys of a postmortem's front matter.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "title",
    "date",
    "severity",
    "status",
    "visibility",
    "summary",
    "services",
    "tags",
    "authors",
    "slug",
    "aliases",
    "related",
    "impact",
    "times",
    "lessons",
    "actions",
    "extra",
];
const TIMES_KEYS: &[&str] = &["detected", "mitigated", "resolved"];
const LESSON_KEYS: &[&str] = &["theme", "text"];
const ACTION_KEYS: &[&str] = &["title", "owner", "status", "due", "url"];

/// `[times]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawTimes {
    /// When the problem was noticed.
    pub detected: Option<Spanned<OffsetDateTime>>,
    /// When customer impact stopped.
    pub mitigated: Option<Spanned<OffsetDateTime>>,
    /// When the incident was closed.
    pub resolved: Option<Spanned<OffsetDateTime>>,
}

/// One `[[lessons]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct RawLesson {
    /// Learning theme slug.
    pub theme: Option<Spanned<String>>,
    /// What we learned.
    pub text: Option<Spanned<String>>,
    /// The whole entry.
    pub span: Range<usize>,
}

/// One `[[actions]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct RawAction {
    /// What is to be done.
    pub title: Option<Spanned<String>>,
    /// Who owns it (a team).
    pub owner: Option<Spanned<String>>,
    /// `open`, `done` or `wontfix`.
    pub status: Option<Spanned<String>>,
    /// When it is due.
    pub due: Option<Spanned<Date>>,
    /// Tracker link.
    pub url: Option<Spanned<String>>,
    /// The whole entry.
    pub span: Range<usize>,
}

/// Everything a postmortem's front matter may hold, as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawFrontMatter {
    /// Span of the whole front matter.
    pub span: Range<usize>,
    /// `title`.
    pub title: Option<Spanned<String>>,
    /// `date`: when customer impact started.
    pub date: Option<Spanned<OffsetDateTime>>,
    /// `severity`.
    pub severity: Option<Spanned<String>>,
    /// `status`.
    pub status: Option<Spanned<String>>,
    /// `visibility`.
    pub visibility: Option<Spanned<String>>,
    /// `summary`.
    pub summary: Option<Spanned<String>>,
    /// `services`.
    pub services: Vec<Spanned<String>>,
    /// `tags`.
    pub tags: Vec<Spanned<String>>,
    /// `authors`.
    pub authors: Vec<Spanned<String>>,
    /// `slug`.
    pub slug: Option<Spanned<String>>,
    /// `aliases`.
    pub aliases: Vec<Spanned<String>>,
    /// `related`.
    pub related: Vec<Spanned<String>>,
    /// `impact`.
    pub impact: Option<Spanned<String>>,
    /// `[times]`.
    pub times: RawTimes,
    /// `[[lessons]]`.
    pub lessons: Vec<RawLesson>,
    /// `[[actions]]`.
    pub actions: Vec<RawAction>,
    /// `[extra]`, handed to templates untouched.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Every top-level key written, valid or not (a `title` of the wrong type is reported
    /// as such, not as missing).
    pub keys: Vec<String>,
}

/// Type-check a parsed front-matter tree into [`RawFrontMatter`], reporting every problem.
pub fn read_front_matter(root: &Node<'_>, diags: &mut FileDiagnostics<'_>) -> RawFrontMatter {
    let mut raw = RawFrontMatter { span: root.span.clone(), ..Default::default() };
    let Value::Table(entries) = &root.value else {
        diags.push(
            Code::WrongType,
            root.span.clone(),
            format!("front matter must be a table of keys, found {}", root.value.type_name()),
            Some("write `key = value` lines (TOML) or `key: value` lines (YAML)".into()),
        );
        return raw;
    };
    let mut r = Reader { diags };
    for (key, node) in entries {
        let k = key.name.as_ref();
        raw.keys.push(k.to_string());
        match k {
            "title" => raw.title = r.string(k, node),
            "date" => raw.date = r.datetime(k, node),
            "severity" => raw.severity = r.string(k, node),
            "status" => raw.status = r.string(k, node),
            "visibility" => raw.visibility = r.string(k, node),
            "summary" => raw.summary = r.string(k, node),
            "services" => raw.services = r.strings(k, node),
            "tags" => raw.tags = r.strings(k, node),
            "authors" => raw.authors = r.strings(k, node),
            "slug" => raw.slug = r.string(k, node),
            "aliases" => raw.aliases = r.strings(k, node),
            "related" => raw.related = r.strings(k, node),
            "impact" => raw.impact = r.string(k, node),
            "times" => raw.times = r.times(node),
            "lessons" => {
                raw.lessons = r.each_table(k, node, |r, entries, span| r.lesson(entries, span))
            }
            "actions" => {
                raw.actions = r.each_table(k, node, |r, entries, span| r.action(entries, span))
            }
            "extra" => match &node.value {
                Value::Table(entries) => {
                    raw.extra = entries
                        .iter()
                        .map(|(k, v)| (k.name.to_string(), v.value.to_json()))
                        .collect();
                }
                other => r.wrong_type(k, node, "a table", other),
            },
            _ => r.unknown(key, TOP_LEVEL_KEYS),
        }
    }
    raw
}

struct Reader<'d, 'f> {
    diags: &'d mut FileDiagnostics<'f>,
}

impl Reader<'_, '_> {
    fn wrong_type(&mut self, key: &str, node: &Node<'_>, expected: &str, found: &Value<'_>) {
        let help = match expected {
            "a string" => format!("put the value in quotes: {key} = \"...\""),
            "a list of strings" => format!("write a list: {key} = [\"a\", \"b\"]"),
            "a date" => {
                format!("write an RFC 3339 date-time or a date: {key} = 2024-03-14T09:32:00Z")
            }
            _ => format!("see the format of `{key}` in SCHEMA.md"),
        };
        self.diags.push(
            Code::WrongType,
            node.span.clone(),
            format!("`{key}` must be {expected}, found {}", found.type_name()),
            Some(help),
        );
    }

    fn unknown(&mut self, key: &Key<'_>, known: &[&str]) {
        self.diags.push(
            Code::UnknownKey,
            key.span.clone(),
            format!("unknown key `{}`", key.name),
            Some(unknown_key_help(&key.name, known.iter().copied())),
        );
    }

    fn string(&mut self, key: &str, node: &Node<'_>) -> Option<Spanned<String>> {
        match &node.value {
            Value::String(s) => Some(Spanned { value: s.to_string(), span: node.span.clone() }),
            Value::Null => None,
            other => {
                self.wrong_type(key, node, "a string", other);
                None
            }
        }
    }

    /// A list of strings; a single string is taken as a list of one.
    fn strings(&mut self, key: &str, node: &Node<'_>) -> Vec<Spanned<String>> {
        match &node.value {
            Value::String(s) => vec![Spanned { value: s.to_string(), span: node.span.clone() }],
            Value::Null => Vec::new(),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match &item.value {
                        Value::String(s) => {
                            out.push(Spanned { value: s.to_string(), span: item.span.clone() })
                        }
                        other => self.wrong_type(key, item, "a list of strings", other),
                    }
                }
                out
            }
            other => {
                self.wrong_type(key, node, "a list of strings", other);
                Vec::new()
            }
        }
    }

    fn datetime(&mut self, key: &str, node: &Node<'_>) -> Option<Spanned<OffsetDateTime>> {
        match &node.value {
            Value::DateTime { at, .. } => Some(Spanned { value: *at, span: node.span.clone() }),
            Value::String(s) => {
                match crate::model::dates::parse_datetime(s) {
                    Some((at, _)) => Some(Spanned { value: at, span: node.span.clone() }),
                    None => {
                        self.diags.push(
                        Code::WrongType,
                        node.span.clone(),
                        format!("`{key}` is not a valid date: `{s}`"),
                        Some(format!("write an RFC 3339 date-time or a date: {key} = 2024-03-14T09:32:00Z")),
                    );
                        None
                    }
                }
            }
            Value::Null => None,
            other => {
                self.wrong_type(key, node, "a date", other);
                None
            }
        }
    }

    fn date(&mut self, key: &str, node: &Node<'_>) -> Option<Spanned<Date>> {
        self.datetime(key, node).map(|s| Spanned { value: s.value.date(), span: s.span })
    }

    fn times(&mut self, node: &Node<'_>) -> RawTimes {
        let mut times = RawTimes::default();
        let Value::Table(entries) = &node.value else {
            self.wrong_type("times", node, "a table", &node.value);
            return times;
        };
        for (key, value) in entries {
            match key.name.as_ref() {
                "detected" => times.detected = self.datetime("detected", value),
                "mitigated" => times.mitigated = self.datetime("mitigated", value),
                "resolved" => times.resolved = self.datetime("resolved", value),
                _ => self.unknown(key, TIMES_KEYS),
            }
        }
        times
    }

    fn each_table<T>(
        &mut self,
        key: &str,
        node: &Node<'_>,
        mut read: impl FnMut(&mut Self, &[(Key<'_>, Node<'_>)], Range<usize>) -> T,
    ) -> Vec<T> {
        let Value::Array(items) = &node.value else {
            self.wrong_type(key, node, "a list of tables", &node.value);
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match &item.value {
                Value::Table(entries) => out.push(read(self, entries, item.span.clone())),
                other => self.wrong_type(key, item, "a list of tables", other),
            }
        }
        out
    }

    fn lesson(&mut self, entries: &[(Key<'_>, Node<'_>)], span: Range<usize>) -> RawLesson {
        let mut lesson = RawLesson { theme: None, text: None, span };
        for (key, value) in entries {
            match key.name.as_ref() {
                "theme" => lesson.theme = self.string("theme", value),
                "text" => lesson.text = self.string("text", value),
                _ => self.unknown(key, LESSON_KEYS),
            }
        }
        lesson
    }

    fn action(&mut self, entries: &[(Key<'_>, Node<'_>)], span: Range<usize>) -> RawAction {
        let mut action =
            RawAction { title: None, owner: None, status: None, due: None, url: None, span };
        for (key, value) in entries {
            match key.name.as_ref() {
                "title" => action.title = self.string("title", value),
                "owner" => action.owner = self.string("owner", value),
                "status" => action.status = self.string("status", value),
                "due" => action.due = self.date("due", value),
                "url" => action.url = self.string("url", value),
                _ => self.unknown(key, ACTION_KEYS),
            }
        }
        action
    }
}
