//! `docs/templates.md` documents every variable the default theme's templates use: a template
//! that starts using a variable (or a new template) fails here until the reference says what it
//! is.
//!
//! Each template's variables are read from its source: every `{{ … }}`, and the expressions of
//! `{% if %}`, `{% elif %}`, `{% for %}` and `{% set %}`. Loop variables and `set` aliases are
//! followed back to the context, so in `{% for g in groups %}{{ g.title }}` the variable is
//! `groups[].title` (`[]`: an item of a list). A variable is documented when its section of
//! the reference (the deepest heading naming the template in backticks, e.g. "### `tag.html`")
//! or the "Global variables" section has a table row for it (first cell in backticks), as
//! written, without its trailing `[]`/`[N]`, or with `[N]` written `[]`; or when a prefix of it
//! has a row whose type links to a shared object (`[card](#card)`) whose own section documents
//! the rest.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use hindsight::render::templates::BUILTIN_TEMPLATES;

/// The reference's text.
fn reference() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/templates.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A heading of the reference and its section: the text up to the next heading of the same or
/// a higher level (so it includes its sub-sections).
struct Section {
    level: usize,
    title: String,
    text: String,
}

/// Every section of `doc`, in order. Lines in fenced code blocks are never headings.
fn sections(doc: &str) -> Vec<Section> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut headings = Vec::new();
    let mut fenced = false;
    for (n, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let level = line.chars().take_while(|c| *c == '#').count();
        if !fenced && level > 0 && line[level..].starts_with(' ') {
            headings.push((n, level, line[level..].trim().to_string()));
        }
    }
    headings
        .iter()
        .map(|(start, level, title)| {
            let end = headings
                .iter()
                .find(|(n, l, _)| n > start && l <= level)
                .map_or(lines.len(), |(n, _, _)| *n);
            Section { level: *level, title: title.clone(), text: lines[*start + 1..end].join("\n") }
        })
        .collect()
}

/// The anchor GitHub gives a heading: lower case, spaces to `-`, other punctuation dropped.
fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The section of template `name`: the deepest heading naming it in backticks.
fn template_section<'s>(sections: &'s [Section], name: &str) -> Option<&'s Section> {
    let quoted = format!("`{name}`");
    let mut best: Option<&Section> = None;
    for s in sections.iter().filter(|s| s.title.contains(&quoted)) {
        if best.is_none_or(|b| s.level > b.level) {
            best = Some(s);
        }
    }
    best
}

/// The rows of the tables in `text`, as (first cell, second cell).
fn rows(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().split('|').map(str::trim).collect();
            (cells.len() > 3).then(|| (cells[1], cells[2]))
        })
        .collect()
}

/// The spellings of `path` the reference may use: as is, without a trailing index, and with
/// every `[N]` written `[]`.
fn spellings(path: &str) -> Vec<String> {
    let mut trimmed = path;
    while let Some(rest) = trimmed.strip_suffix(']') {
        match rest.rfind('[') {
            Some(open) if rest[open + 1..].chars().all(|c| c.is_ascii_digit()) => {
                trimmed = &rest[..open];
            }
            _ => break,
        }
    }
    let generic = |p: &str| {
        let mut out = String::new();
        let mut in_index = false;
        for c in p.chars() {
            match c {
                '[' => {
                    in_index = true;
                    out.push('[');
                }
                ']' => {
                    in_index = false;
                    out.push(']');
                }
                _ if in_index => {}
                _ => out.push(c),
            }
        }
        out
    };
    let mut all = vec![path.to_string(), trimmed.to_string(), generic(path), generic(trimmed)];
    all.dedup();
    all
}

/// Whether `path` is documented in `scope`, directly or through a shared object.
fn documented(path: &str, scope: &[&Section], all: &[Section], depth: usize) -> bool {
    if path.is_empty() || depth > 8 {
        return false;
    }
    let names: Vec<String> = spellings(path).iter().map(|n| format!("`{n}`")).collect();
    for section in scope {
        if rows(&section.text)
            .iter()
            .any(|(first, _)| names.iter().any(|n| first.contains(n.as_str())))
        {
            return true;
        }
    }
    // Longest prefix first: `lessons[].incident` (a card) + `severity.rank`.
    for (dot, _) in path.match_indices('.').collect::<Vec<_>>().into_iter().rev() {
        let (prefix, rest) = (&path[..dot], &path[dot + 1..]);
        let prefixes: Vec<String> = spellings(prefix).iter().map(|n| format!("`{n}`")).collect();
        for section in scope {
            for (first, kind) in rows(&section.text) {
                if !prefixes.iter().any(|p| first.contains(p.as_str())) {
                    continue;
                }
                for link in kind.split("(#").skip(1) {
                    let target = link.split(')').next().unwrap_or_default();
                    if let Some(shared) = all.iter().find(|s| anchor(&s.title) == target)
                        && documented(rest, &[shared], all, depth + 1)
                    {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// A tag of a template: `{{ expression }}` or `{% statement %}`, without delimiters, trim
/// markers or surrounding spaces.
enum Tag<'s> {
    Expression(&'s str),
    Statement(&'s str),
}

/// The tags of `source`, skipping comments and `{% raw %}` blocks.
fn tags(source: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut rest = source;
    let mut raw = false;
    while let Some(start) = rest.find('{') {
        let after = &rest[start..];
        let close = match after.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            Some("{#") => "#}",
            _ => {
                rest = &after[1..];
                continue;
            }
        };
        let Some(end) = after[2..].find(close) else { break };
        let inner = after[2..2 + end].trim().trim_start_matches('-').trim_end_matches('-').trim();
        rest = &after[2 + end + 2..];
        match close {
            "%}" if raw => raw = inner != "endraw",
            _ if raw => {}
            "%}" if inner == "raw" => raw = true,
            "}}" => out.push(Tag::Expression(inner)),
            "%}" => out.push(Tag::Statement(inner)),
            _ => {}
        }
    }
    out
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "if", "else", "true", "false", "True", "False", "none", "None",
];

/// The variable paths of a Tera expression, as written (`i.severity?.rank` as
/// `i.severity.rank`), each with whether it starts the expression. Filter, test, function and
/// keyword-argument names are not variables.
fn paths_in(expression: &str) -> Vec<(bool, String)> {
    // String literals become `#`, which is neither a name nor a number.
    let mut chars = Vec::new();
    let mut quote = None;
    for c in expression.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => {
                quote = Some(c);
                chars.push('#');
            }
            None => chars.push(c),
        }
    }
    let is_start = |c: char| c.is_alphabetic() || c == '_';
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    let next_visible = |from: usize| chars[from..].iter().copied().find(|c| !c.is_whitespace());
    let mut out = Vec::new();
    let mut previous_word = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            while i < chars.len() && (is_name(chars[i]) || chars[i] == '.') {
                i += 1;
            }
            continue;
        }
        if !is_start(c) {
            if !c.is_whitespace() {
                previous_word.clear();
            }
            i += 1;
            continue;
        }
        let begin = i;
        while i < chars.len() && is_name(chars[i]) {
            i += 1;
        }
        let word: String = chars[begin..i].iter().collect();
        let before = chars[..begin].iter().rev().copied().find(|c| !c.is_whitespace());
        let after = next_visible(i);
        let kwarg = after == Some('=')
            && chars[i..].iter().filter(|c| !c.is_whitespace()).nth(1) != Some(&'=');
        let skip = KEYWORDS.contains(&word.as_str())
            || before == Some('|')
            || previous_word == "is"
            || after == Some('(')
            || kwarg;
        if skip {
            // `is not defined`: the test name follows `not`.
            if !(previous_word == "is" && word == "not") {
                previous_word = word;
            }
            continue;
        }
        previous_word.clear();
        let mut path = word;
        loop {
            let dot = match (chars.get(i), chars.get(i + 1)) {
                (Some('.'), _) => Some(i + 1),
                (Some('?'), Some('.')) => Some(i + 2),
                _ => None,
            };
            if let Some(from) = dot
                && chars.get(from).is_some_and(|c| is_start(*c))
            {
                let mut end = from;
                while end < chars.len() && is_name(chars[end]) {
                    end += 1;
                }
                path.push('.');
                path.extend(&chars[from..end]);
                i = end;
                continue;
            }
            if chars.get(i) == Some(&'[') {
                let digits: String =
                    chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).collect();
                if !digits.is_empty() && chars.get(i + 1 + digits.len()) == Some(&']') {
                    path.push_str(&format!("[{digits}]"));
                    i += digits.len() + 2;
                    continue;
                }
            }
            break;
        }
        let first = chars[..begin].iter().all(|c| c.is_whitespace());
        out.push((first, path));
    }
    out
}

/// Names bound by `for` and `set`: the path they stand for, or `None` for a local value.
type Scope = HashMap<String, Option<String>>;

/// `path` from the context's top level, following loop variables and `set` aliases; `None`
/// for locals and Tera's own variables (`loop`, `__tera_context`).
fn resolve(path: &str, scopes: &[Scope]) -> Option<String> {
    let root_end = path.find(['.', '[']).unwrap_or(path.len());
    let (root, rest) = path.split_at(root_end);
    if root == "loop" || root == "__tera_context" {
        return None;
    }
    match scopes.iter().rev().find_map(|s| s.get(root)) {
        Some(Some(alias)) => Some(format!("{alias}{rest}")),
        Some(None) => None,
        None => Some(path.to_string()),
    }
}

/// Record the variables of `expression`; the first one's resolved path when it starts it.
fn record(expression: &str, scopes: &[Scope], found: &mut BTreeSet<String>) -> Option<String> {
    let mut leading = None;
    for (first, path) in paths_in(expression) {
        if let Some(resolved) = resolve(&path, scopes) {
            if first {
                leading = Some(resolved.clone());
            }
            found.insert(resolved);
        }
    }
    leading
}

/// Every variable `source` uses, as a path from the context's top level:
/// `incident.severity.rank`, `groups[].items`, `severity_counts[][0].rank`.
fn variables(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut scopes: Vec<Scope> = vec![Scope::new()];
    for tag in tags(source) {
        let statement = match tag {
            Tag::Expression(e) => {
                record(e, &scopes, &mut found);
                continue;
            }
            Tag::Statement(s) => s,
        };
        let (word, rest) = statement.split_once(char::is_whitespace).unwrap_or((statement, ""));
        match word {
            "if" | "elif" => {
                record(rest, &scopes, &mut found);
            }
            "for" => {
                let (names, iterable) = rest.split_once(" in ").unwrap_or((rest, ""));
                let leading = record(iterable, &scopes, &mut found);
                let names: Vec<&str> = names.split(',').map(str::trim).collect();
                let item = if names.len() == 1 { leading.map(|p| format!("{p}[]")) } else { None };
                scopes.push(names.iter().map(|n| (n.to_string(), item.clone())).collect());
            }
            "endfor" if scopes.len() > 1 => {
                scopes.pop();
            }
            "set" | "set_global" => {
                let (name, value) = rest.split_once('=').unwrap_or((rest, ""));
                let leading = record(value, &scopes, &mut found);
                // An alias only when the value is a bare path: `{% set i = incident %}`.
                let bare = value.trim().chars().all(|c| c.is_alphanumeric() || "_.?[]".contains(c));
                let alias = if bare { leading } else { None };
                let scope = if word == "set" { scopes.len() - 1 } else { 0 };
                scopes[scope].insert(name.trim().to_string(), alias);
            }
            _ => {}
        }
    }
    found
}

#[test]
fn variables_are_followed_back_to_the_context() {
    let source = "{% set i = incident %}{{ i.severity?.name | default(value=x) }}\
        {% for s in i.services %}{{ s.url }}{{ loop.index }}{% endfor %}{{ s }}\
        {% if pairs[0][1] is not defined and page.title != \"a.b\" %}{% endif %}\
        {# {{ hidden }} #}{% raw %}{{ raw }}{% endraw %}{{- trimmed -}}\
        {% for row in t.rows %}{% for cell in row %}{{ cell }}{% endfor %}{% endfor %}\
        {{ items | length }}{{ range(end=3) }}{% set n = count + 1 %}{{ n }}";
    let found: Vec<String> = variables(source).into_iter().collect();
    assert_eq!(
        found,
        [
            "count",
            "incident",
            "incident.services",
            "incident.services[].url",
            "incident.severity.name",
            "items",
            "page.title",
            "pairs[0][1]",
            "s",
            "t.rows",
            "t.rows[]",
            "t.rows[][]",
            "trimmed",
            "x",
        ]
    );
}

#[test]
fn every_variable_of_the_theme_templates_is_documented() {
    let doc = reference();
    let sections = sections(&doc);
    let global: Vec<&Section> = sections.iter().filter(|s| s.title.contains("Global")).collect();
    assert!(!global.is_empty(), "docs/templates.md has no \"Global variables\" section");
    let mut missing = Vec::new();
    for (name, source) in BUILTIN_TEMPLATES {
        let Some(section) = template_section(&sections, name) else {
            missing.push(format!("{name}: no section (a heading with `{name}` in backticks)"));
            continue;
        };
        let mut scope = vec![section];
        scope.extend(&global);
        for path in variables(source) {
            if !documented(&path, &scope, &sections, 0) {
                missing.push(format!("{name}: `{path}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/templates.md does not document what these templates use:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_reference_names_only_templates_that_exist() {
    let doc = reference();
    let mut unknown = Vec::new();
    for section in sections(&doc) {
        for name in section.title.split('`').skip(1).step_by(2) {
            let template = [".html", ".xml", ".md"].iter().any(|e| name.ends_with(e));
            if template && !BUILTIN_TEMPLATES.iter().any(|(n, _)| *n == name) {
                unknown.push(format!("{name} (in \"{}\")", section.title));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "docs/templates.md documents missing templates:\n{}",
        unknown.join("\n")
    );
}
