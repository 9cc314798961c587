//! Markdown bodies to HTML, in one pass over pulldown-cmark's events that also collects what
//! the rest of the build needs: the table of contents (stable heading ids), the first
//! paragraph (the default summary), plain text for search, and the links between postmortems.
//!
//! Links to other postmortems' `.md` files cannot be resolved yet (their slugs may not be
//! parsed), so they are written as placeholders that [`resolve_links`] fills in afterwards.

use std::collections::HashSet;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};
use serde::{Deserialize, Serialize};

use super::highlight::highlight;
use super::links::{LinkTarget, classify_link};
use crate::diagnostics::{Code, FileDiagnostics};
use crate::load::Bundle;
use crate::model::slug::slugify;

/// Link placeholders are `%00HL<n>%00`: pulldown-cmark percent-encodes the NUL we write, and
/// a NUL never reaches the text (NUL bytes become U+FFFD on load).
const LINK_MARK_OPEN: &str = "%00HL";
const LINK_MARK_CLOSE: &str = "%00";

/// Markdown rendering options from `[markdown]`.
#[derive(Clone, Copy, Debug, Default)]
pub struct MarkdownOptions {
    /// Typographic quotes and dashes.
    pub smart_punctuation: bool,
    /// Pass raw HTML through unsanitized.
    pub trusted_html: bool,
    /// Only validate (`check`): skip highlighting and sanitizing, whose output nobody reads.
    pub validate_only: bool,
}

/// An entry of a page's table of contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// The heading's id (anchor).
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A heading of the body, for the completeness checks of `check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// 1 to 6.
    pub level: u8,
    /// The heading's text.
    pub title: String,
    /// Byte span of the heading in the file.
    pub span: std::ops::Range<usize>,
    /// Paragraphs, list items, code blocks, tables, quotes and HTML blocks (not comments)
    /// between this heading and the next.
    pub blocks: u32,
}

/// The body's structure as written: its headings and where its code is.
#[derive(Clone, Debug, Default)]
pub struct Outline {
    /// Every heading, in order.
    pub sections: Vec<Section>,
    /// Byte spans (in the file) of code blocks and inline code, which prose checks skip.
    pub code: Vec<std::ops::Range<usize>>,
}

/// A link from this body to another postmortem's source file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLink {
    /// Root-relative path of the linked `.md` file.
    pub target: String,
    /// Byte span of the link in the file.
    pub span: std::ops::Range<usize>,
}

/// A rendered body and what was learned while rendering it.
#[derive(Clone, Debug, Default)]
pub struct RenderedBody {
    /// HTML, with link placeholders until [`resolve_links`] runs.
    pub html: String,
    /// h2 and h3 headings, in order.
    pub toc: Vec<TocEntry>,
    /// Plain text of the first top-level paragraph.
    pub first_paragraph: String,
    /// All text, for the search index.
    pub plain_text: String,
    /// Links to other postmortems' files.
    pub source_links: Vec<SourceLink>,
    /// Headings and code spans, for `check`.
    pub outline: Outline,
}

/// Where the body comes from, for resolving relative links and reporting problems.
pub struct BodySource<'a> {
    /// The markdown.
    pub text: &'a str,
    /// Byte offset of `text` in the file.
    pub offset: usize,
    /// Root-relative path of the file.
    pub file: &'a str,
    /// The bundle, when the file is a bundle's `index.md`.
    pub bundle: Option<&'a Bundle>,
    /// Every postmortem file of the knowledge base (root-relative), to check links against.
    pub known_sources: &'a HashSet<String>,
}

fn parser_options(options: MarkdownOptions) -> Options {
    let mut o = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if options.smart_punctuation {
        o |= Options::ENABLE_SMART_PUNCTUATION;
    }
    o
}

/// Render a body. Problems (broken links, missing assets, unsafe links) go to `diags`.
pub fn render_markdown(
    source: &BodySource<'_>,
    options: MarkdownOptions,
    diags: &mut FileDiagnostics<'_>,
) -> RenderedBody {
    let mut state = State::new(source);
    let mut events: Vec<Event<'_>> = Vec::with_capacity(source.text.len() / 8);
    let mut has_raw_html = false;
    let parser = Parser::new_ext(source.text, parser_options(options)).into_offset_iter();
    // Buffers for constructs whose output depends on their whole content.
    let mut heading: Option<(HeadingLevel, Option<CowStr<'_>>, Vec<Event<'_>>, String)> = None;
    let mut code: Option<(String, String)> = None;
    let mut dropped_links = 0usize;
    for (event, range) in parser {
        let span = source.offset + range.start..source.offset + range.end;
        if let Some((lang, buffer)) = &mut code {
            match event {
                Event::Text(text) => buffer.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {
                    state.text(buffer);
                    state.plain_text.push('\n');
                    let highlighted =
                        if options.validate_only { None } else { highlight(buffer, lang) };
                    let html = match highlighted {
                        Some(h) => format!(
                            "<pre class=\"code\" data-lang=\"{}\"><code>{h}</code></pre>\n",
                            escape(lang)
                        ),
                        None => {
                            format!("<pre class=\"code\"><code>{}</code></pre>\n", escape(buffer))
                        }
                    };
                    events.push(Event::Html(html.into()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                state.block();
                state.outline.code.push(span);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                continue;
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                state.outline.sections.push(Section {
                    level: level as u8,
                    title: String::new(),
                    span,
                    blocks: 0,
                });
                heading = Some((level, id, Vec::new(), String::new()));
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, inner, text)) = heading.take() {
                    state.heading(level, id, inner, text, &mut events);
                }
                continue;
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                match state.link(&dest_url, span, diags) {
                    Some(dest) => {
                        Event::Start(Tag::Link { link_type, dest_url: dest.into(), title, id })
                    }
                    None => {
                        dropped_links += 1;
                        continue;
                    }
                }
            }
            Event::End(TagEnd::Link) if dropped_links > 0 => {
                dropped_links -= 1;
                continue;
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest = state.link(&dest_url, span, diags).unwrap_or_default();
                Event::Start(Tag::Image { link_type, dest_url: dest.into(), title, id })
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                event
            }
            // A task list's box, named so that a screen reader says whether the task is done
            // (pulldown-cmark's own has no accessible name).
            Event::TaskListMarker(done) => Event::InlineHtml(
                if done {
                    "<input type=\"checkbox\" disabled checked aria-label=\"Done\"> "
                } else {
                    "<input type=\"checkbox\" disabled aria-label=\"Not done\"> "
                }
                .into(),
            ),
            Event::Start(Tag::HtmlBlock) => {
                let html = source.text[range.clone()].trim();
                if !(html.starts_with("<!--") && html.ends_with("-->")) {
                    state.block();
                }
                event
            }
            Event::Start(Tag::Paragraph) => {
                if state.depth == 0 {
                    state.block();
                }
                state.enter_block(true);
                event
            }
            Event::Start(Tag::Item) => {
                state.block();
                event
            }
            Event::End(TagEnd::Paragraph) => {
                state.leave_paragraph();
                event
            }
            Event::Start(
                Tag::List(_) | Tag::BlockQuote(_) | Tag::Table(_) | Tag::FootnoteDefinition(_),
            ) => {
                if state.depth == 0 && !matches!(event, Event::Start(Tag::List(_))) {
                    state.block();
                }
                state.enter_block(false);
                event
            }
            Event::End(
                TagEnd::List(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition,
            ) => {
                state.leave_block();
                event
            }
            Event::Text(ref text) => {
                state.text(text);
                event
            }
            Event::Code(ref text) => {
                state.outline.code.push(span);
                state.text(text);
                event
            }
            Event::SoftBreak | Event::HardBreak => {
                state.text(" ");
                event
            }
            // Block ends separate words in the plain text (list items and table cells hold
            // no paragraph of their own).
            Event::End(TagEnd::Item | TagEnd::TableRow | TagEnd::TableHead) => {
                state.plain_text.push('\n');
                event
            }
            Event::End(TagEnd::TableCell) => {
                state.plain_text.push(' ');
                event
            }
            other => other,
        };
        match &mut heading {
            Some((_, _, inner, text)) => {
                if let Event::Text(t) | Event::Code(t) = &event {
                    text.push_str(t);
                }
                inner.push(event);
            }
            None => events.push(event),
        }
    }
    let mut out = String::with_capacity(source.text.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    if has_raw_html && !options.trusted_html && !options.validate_only {
        out = super::sanitize::sanitize_html(&out);
    }
    RenderedBody {
        html: out,
        toc: state.toc,
        first_paragraph: state.first_paragraph.unwrap_or_default().trim().to_string(),
        plain_text: state.plain_text,
        source_links: state.source_links,
        outline: state.outline,
    }
}

/// What the single pass keeps track of.
struct State<'s> {
    source: &'s BodySource<'s>,
    ids: HashSet<String>,
    toc: Vec<TocEntry>,
    /// Nesting of lists, quotes, tables: only a top-level paragraph is the first paragraph.
    depth: usize,
    in_first_paragraph: bool,
    first_paragraph: Option<String>,
    plain_text: String,
    source_links: Vec<SourceLink>,
    outline: Outline,
}

impl<'s> State<'s> {
    fn new(source: &'s BodySource<'s>) -> Self {
        State {
            source,
            ids: HashSet::new(),
            toc: Vec::new(),
            depth: 0,
            in_first_paragraph: false,
            first_paragraph: None,
            plain_text: String::with_capacity(source.text.len()),
            source_links: Vec::new(),
            outline: Outline::default(),
        }
    }

    /// Count a block of content under the current heading.
    fn block(&mut self) {
        if let Some(section) = self.outline.sections.last_mut() {
            section.blocks += 1;
        }
    }

    fn enter_block(&mut self, paragraph: bool) {
        if paragraph {
            if self.depth == 0 && self.first_paragraph.is_none() {
                self.in_first_paragraph = true;
                self.first_paragraph = Some(String::new());
            }
        } else {
            self.depth += 1;
        }
    }

    fn leave_paragraph(&mut self) {
        self.in_first_paragraph = false;
        self.plain_text.push('\n');
    }

    fn leave_block(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn text(&mut self, text: &str) {
        self.plain_text.push_str(text);
        if self.in_first_paragraph
            && let Some(p) = &mut self.first_paragraph
        {
            p.push_str(text);
        }
    }

    fn heading<'e>(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'e>>,
        inner: Vec<Event<'e>>,
        text: String,
        events: &mut Vec<Event<'e>>,
    ) {
        let base = match &id {
            Some(id) => id.to_string(),
            None => {
                let s = slugify(&text);
                if s.is_empty() { "section".to_string() } else { s }
            }
        };
        if let Some(section) = self.outline.sections.last_mut() {
            section.title = text.trim().to_string();
        }
        let mut unique = base.clone();
        let mut n = 1;
        while !self.ids.insert(unique.clone()) {
            unique = format!("{base}-{n}");
            n += 1;
        }
        self.plain_text.push('\n');
        let level_num = level as u8;
        if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
            self.toc.push(TocEntry {
                level: level_num,
                id: unique.clone(),
                title: text.trim().to_string(),
            });
        }
        let id_attr = escape(&unique);
        events.push(Event::Html(format!("<h{level_num} id=\"{id_attr}\">").into()));
        events.extend(inner);
        events.push(Event::Html(
            format!(
                "<a class=\"anchor\" href=\"#{id_attr}\" aria-label=\"Link to this section: {}\">#</a></h{level_num}>\n",
                escape(text.trim())
            )
            .into(),
        ));
    }

    /// Rewrite a link or image destination; `None` drops the link (keeping its text).
    fn link(
        &mut self,
        dest: &str,
        span: std::ops::Range<usize>,
        diags: &mut FileDiagnostics<'_>,
    ) -> Option<String> {
        let s = self.source;
        match classify_link(dest, s.file, s.bundle) {
            LinkTarget::Keep => Some(dest.to_string()),
            LinkTarget::SiteRoot(path) => Some(format!("../../{path}")),
            LinkTarget::Unsafe => {
                diags.push(
                    Code::UnsafeLink,
                    span,
                    format!("link to `{}` uses a script scheme and was removed", truncate(dest)),
                    Some("link to an http(s) page instead".into()),
                );
                None
            }
            LinkTarget::Postmortem { path, fragment } => {
                if !s.known_sources.contains(&path) {
                    let help = match crate::front_matter::unknown_keys::did_you_mean(
                        &path,
                        s.known_sources.iter().map(String::as_str),
                    ) {
                        Some(close) => {
                            format!("did you mean `{close}`? Paths are relative to this file")
                        }
                        None => "check the path: it is relative to this file's folder".to_string(),
                    };
                    diags.push(
                        Code::BrokenLink,
                        span,
                        format!("link to `{}`, which does not exist", truncate(dest)),
                        Some(help),
                    );
                    return Some(dest.to_string());
                }
                let n = self.source_links.len();
                self.source_links.push(SourceLink { target: path, span });
                Some(format!("\0HL{n}\0{fragment}"))
            }
            LinkTarget::Asset(asset) => Some(asset),
            LinkTarget::MissingAsset { resolved, help } => {
                diags.push(
                    Code::MissingAsset,
                    span,
                    format!(
                        "`{}` links to `{resolved}`, which is not in this postmortem's bundle",
                        truncate(dest)
                    ),
                    Some(help),
                );
                Some(dest.to_string())
            }
            LinkTarget::OutsideRoot => {
                diags.push(Code::BrokenLink, span, format!("link `{}` points outside the knowledge base", truncate(dest)), Some("link to postmortems by their relative .md path, or use a full https:// URL".into()));
                None
            }
        }
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Minimal HTML escaping for text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Replace link placeholders in `html` with URLs. `url_of` maps a link (an entry of `links`,
/// the body's [`RenderedBody::source_links`]) to the target page's URL relative to the site root
/// (`postmortems/<slug>/`); a link whose target is unknown (already reported) points at the
/// postmortems index instead.
pub fn resolve_links(
    html: String,
    links: &[SourceLink],
    url_of: impl Fn(&SourceLink) -> Option<String>,
) -> String {
    if links.is_empty() {
        return html;
    }
    let html = html.as_str();
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(start) = rest.find(LINK_MARK_OPEN) {
        let after = &rest[start + LINK_MARK_OPEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let link = after[..digits].parse::<usize>().ok().and_then(|n| links.get(n));
        match (link, after[digits..].strip_prefix(LINK_MARK_CLOSE)) {
            (Some(link), Some(tail)) => {
                out.push_str(&rest[..start]);
                out.push_str("../../");
                out.push_str(&url_of(link).unwrap_or_else(|| "postmortems/".to_string()));
                rest = tail;
            }
            _ => {
                out.push_str(&rest[..start + LINK_MARK_OPEN.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
