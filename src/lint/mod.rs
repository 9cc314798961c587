//! The authoring checks that go beyond the schema: is a postmortem complete, blameless, and
//! free of credentials and personal data? They run on every file in `check` and `build`, in the
//! same parallel pass that parses it.
//!
//! A file opts out of a check with a comment naming its code or name, for instance
//! `<!-- hindsight: allow blameful-language -->` in a postmortem that quotes a chat log, or
//! `# hindsight: allow personal-data` in TOML front matter.

pub mod blameless;
pub mod completeness;
pub mod review;
pub mod secrets;

use std::ops::Range;

use crate::config::LintConfig;
use crate::diagnostics::{Code, FileDiagnostics};
use crate::model::{Incident, Status};
use crate::render::markdown::Outline;
use blameless::BlamefulPhrases;
use completeness::{ACTION_TITLES, LESSON_TITLES, empty_sections, find_section};
use secrets::{Kind, find_leaks};

/// The marker of a per-file opt-out.
const ALLOW_MARKER: &str = "hindsight: allow";

/// Checks compiled once per run from the site's `[lint]` settings.
pub struct LintRules {
    blameful: BlamefulPhrases,
}

impl LintRules {
    /// Compile the built-in checks plus the site's additions.
    pub fn new(config: &LintConfig) -> LintRules {
        LintRules { blameful: BlamefulPhrases::new(&config.blameful_phrases) }
    }
}

/// One postmortem file as the checks see it.
pub struct LintedFile<'a> {
    /// The whole file.
    pub text: &'a str,
    /// Its body's structure, when the front matter parsed.
    pub outline: Option<&'a Outline>,
    /// The postmortem, when it validated.
    pub incident: Option<&'a Incident>,
    /// Whether the front matter has a non-empty `summary`.
    pub summary_key: bool,
}

/// Run every check on `file`. Returns the spans of what looks like credentials, so that the
/// copy of the text kept for printing findings can hide them.
pub fn lint_file(
    rules: &LintRules,
    file: &LintedFile<'_>,
    diags: &mut FileDiagnostics<'_>,
) -> Vec<Range<usize>> {
    let allowed = allowed_codes(file.text);
    let mut push = |code: Code, span: Range<usize>, message: String, help: String| {
        if !allowed.contains(&code) {
            diags.push(code, span, message, Some(help));
        }
    };
    let mut secret_spans = Vec::new();
    for leak in find_leaks(file.text) {
        let (code, message, help) = match leak.kind {
            Kind::Secret(what) => {
                secret_spans.push(leak.span.clone());
                (
                    Code::LeakedSecret,
                    format!("this looks like {what}"),
                    "revoke or rotate it now (git history keeps it), then replace it with \
                     `<redacted>`"
                        .to_string(),
                )
            }
            Kind::Email => (
                Code::PersonalData,
                "an email address: personal data should not be published".to_string(),
                "name a team or role instead (\"the payments on-call\"), or write `<redacted>`"
                    .to_string(),
            ),
            Kind::IpAddress => (
                Code::PersonalData,
                "a public IP address, which can identify a customer".to_string(),
                "write `<customer IP>` or a documentation address such as 203.0.113.7".to_string(),
            ),
        };
        push(code, leak.span, message, opt_out_help(&help, code));
    }
    for (at, c) in file.text.char_indices().filter(|(_, c)| is_bidi_control(*c)) {
        push(
            Code::BidiControl,
            at..at + c.len_utf8(),
            format!("invisible bidirectional control character U+{:04X}", c as u32),
            opt_out_help(
                "delete it: it can make a title or line display differently from how it reads",
                Code::BidiControl,
            ),
        );
    }
    let skipped = prose_exclusions(file);
    for found in rules.blameful.find(file.text) {
        if skipped.iter().any(|r| r.start < found.span.end && found.span.start < r.end) {
            continue;
        }
        let phrase = &file.text[found.span.clone()];
        push(
            Code::BlamefulLanguage,
            found.span,
            format!("blameful wording: \"{phrase}\""),
            opt_out_help(found.help, Code::BlamefulLanguage),
        );
    }
    if let (Some(incident), Some(outline)) = (file.incident, file.outline)
        && incident.status == Status::Published
    {
        completeness(incident, outline, file.summary_key, &mut push);
    }
    secret_spans
}

/// The warnings of a published postmortem that is not finished.
fn completeness(
    incident: &Incident,
    outline: &Outline,
    summary_key: bool,
    push: &mut impl FnMut(Code, Range<usize>, String, String),
) {
    let front_matter = 0..3;
    let summary_section = find_section(outline, &["summary"]);
    let empty = empty_sections(outline);
    let summary_empty = summary_section.is_some_and(|s| empty.iter().any(|e| std::ptr::eq(*e, s)));
    if !summary_key && (summary_empty || incident.summary.is_empty()) {
        let span = summary_section
            .filter(|_| summary_empty)
            .map_or(front_matter.clone(), |s| s.span.clone());
        push(
            Code::MissingSummary,
            span,
            "this published postmortem has no summary".into(),
            "add `summary = \"...\"` to the front matter or a paragraph under \"Summary\": \
             lists, feeds and search results show it"
                .into(),
        );
    }
    if incident.lessons.is_empty() {
        push(
            Code::MissingLessons,
            front_matter.clone(),
            "this published postmortem lists no lessons".into(),
            "add a [[lessons]] entry with a `theme` and a one-sentence `text` someone can act on"
                .into(),
        );
    }
    if incident.timeline.resolved.is_none() {
        push(
            Code::MissingResolved,
            front_matter,
            "this published postmortem has no `resolved` time".into(),
            "add `resolved = 2024-03-14T11:20:00Z` under [times], so time to resolve shows in \
             lists and stats"
                .into(),
        );
    }
    for section in empty {
        let title = section.title.to_lowercase();
        let filled_by_front_matter = (LESSON_TITLES.iter().any(|t| title.contains(t))
            && !incident.lessons.is_empty())
            || (ACTION_TITLES.iter().any(|t| title.contains(t)) && !incident.actions.is_empty());
        // An empty summary section is either filled by the `summary` key or reported above.
        let is_summary = summary_section.is_some_and(|s| std::ptr::eq(s, section));
        if filled_by_front_matter || is_summary {
            continue;
        }
        push(
            Code::EmptySection,
            section.span.clone(),
            format!("section \"{}\" is empty", section.title),
            "write what happened here, or delete the heading if it does not apply".into(),
        );
    }
}

/// The bidirectional embedding, override and isolate controls ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The help of a finding, with how to silence it for a file.
fn opt_out_help(help: &str, code: Code) -> String {
    format!(
        "{help} (if this file quotes it on purpose, add `<!-- {ALLOW_MARKER} {} -->` to it)",
        code.name()
    )
}

/// Codes a file opts out of: `hindsight: allow NAME-OR-ID ...` anywhere in it.
fn allowed_codes(text: &str) -> Vec<Code> {
    let mut allowed = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(ALLOW_MARKER) {
        rest = &rest[at + ALLOW_MARKER.len()..];
        let line = rest.split(['\n', '\r']).next().unwrap_or("");
        let line = line.split("-->").next().unwrap_or("");
        for word in line.split([',', ' ', '\t']).filter(|w| !w.is_empty()) {
            if let Some(code) =
                Code::ALL.iter().find(|c| c.name() == word || c.id().eq_ignore_ascii_case(word))
            {
                allowed.push(*code);
            }
        }
    }
    allowed
}

/// Where prose checks do not look: code (logs, commands) and HTML comments.
fn prose_exclusions(file: &LintedFile<'_>) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = file.outline.map(|o| o.code.clone()).unwrap_or_default();
    let mut from = 0;
    while let Some(start) = file.text[from..].find("<!--").map(|i| from + i) {
        let end = file.text[start..].find("-->").map_or(file.text.len(), |i| start + i + 3);
        ranges.push(start..end);
        from = end;
    }
    ranges
}

/// `text` with the bytes of `spans` replaced by `*` (credentials are ASCII, so this keeps
/// every position and line as it was).
pub fn mask(text: &str, spans: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        for b in &mut bytes[span.clone()] {
            if b.is_ascii_graphic() {
                *b = b'*';
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII, so the text is still UTF-8; be safe anyway.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_outs_accept_names_and_ids() {
        let text = "x\n<!-- hindsight: allow blameful-language, H110 -->\n# hindsight: allow nope";
        assert_eq!(allowed_codes(text), [Code::BlamefulLanguage, Code::PersonalData]);
    }

    #[test]
    fn masking_keeps_positions() {
        let spans = [2..6, 6..10];
        assert_eq!(mask("a AKIA1234 b", &spans), "a ******** b");
    }
}
