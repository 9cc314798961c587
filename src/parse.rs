//! Stages 2–3 for every postmortem, in parallel: read, split and parse the front matter,
//! render the markdown body, and validate into an [`Incident`]. One pass per file, so each file
//! is read and parsed exactly once.

use std::collections::HashSet;

use rayon::prelude::*;
use time::Date;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, FileDiagnostics, Mode};
use crate::front_matter::parse_front_matter;
use crate::lint::{LintRules, LintedFile, lint_file, mask};
use crate::load::{SourceEntry, decode_source, read_bytes};
use crate::model::body::PackedText;
use crate::model::{Incident, IncidentContext, build_incident};
use crate::render::markdown::{BodySource, MarkdownOptions, Outline, render_markdown};
use crate::search::document::{DocTerms, SearchVocabulary, Vocabulary, field_texts};

/// The result of parsing every postmortem.
pub struct ParsedPostmortems {
    /// Postmortems that validated.
    pub incidents: Vec<Incident>,
    /// Everything found, in no particular order.
    pub diagnostics: Vec<Diagnostic>,
    /// Texts of the files with findings (for printing source lines), compressed.
    pub texts: Vec<(String, PackedText)>,
    /// The terms and surface words of every postmortem's text.
    pub vocabulary: SearchVocabulary,
}

/// Analyze the searchable text of an incident.
fn analyze_incident(incident: &Incident, vocabulary: &Vocabulary) -> DocTerms {
    let lessons: Vec<String> = incident.lessons.iter().map(|l| l.text.clone()).collect();
    let fields = field_texts(
        &incident.title,
        &incident.tags,
        &incident.services,
        &lessons,
        &incident.summary,
        &incident.body.text(),
    );
    DocTerms::analyze(&fields, vocabulary)
}

/// What parsing one file gives.
pub struct FileOutcome {
    /// The postmortem, when it validated.
    pub incident: Option<Incident>,
    /// Everything found in the file.
    pub diagnostics: Vec<Diagnostic>,
    /// The file's text (credentials masked), kept when there are findings.
    pub text: Option<(String, PackedText)>,
    /// The body's structure, when the front matter parsed.
    pub outline: Option<Outline>,
    /// Whether the front matter has a non-empty `summary`.
    pub summary_key: bool,
}

impl FileOutcome {
    /// A file that could not be read as text: its one diagnostic and what can be printed of it.
    fn unusable(diagnostic: Diagnostic, text: Option<(String, PackedText)>) -> FileOutcome {
        FileOutcome {
            incident: None,
            diagnostics: vec![diagnostic],
            text,
            outline: None,
            summary_key: false,
        }
    }
}

/// Everything parsing a file needs, prepared once per run and shared by the threads.
pub struct FileParser {
    ctx: IncidentContext,
    known: HashSet<String>,
    options: MarkdownOptions,
    rules: LintRules,
    vocabulary: Vocabulary,
    mode: Mode,
}

impl FileParser {
    /// A parser for the postmortems `entries` of a site.
    pub fn new(
        entries: &[SourceEntry],
        config: &SiteConfig,
        build_date: Date,
        mode: Mode,
    ) -> FileParser {
        FileParser {
            ctx: IncidentContext::new(config, build_date),
            known: entries.iter().map(|e| e.rel.clone()).collect(),
            options: MarkdownOptions {
                smart_punctuation: config.markdown.smart_punctuation,
                trusted_html: config.markdown.trusted_html,
                validate_only: !mode.renders(),
            },
            rules: LintRules::new(&config.lint),
            vocabulary: Vocabulary::default(),
            mode,
        }
    }

    /// Read, parse, render, validate, analyze and check one file.
    pub fn parse(&self, entry: &SourceEntry) -> FileOutcome {
        match read_bytes(entry, self.mode) {
            Ok(bytes) => self.parse_bytes(entry, bytes),
            Err(diagnostic) => FileOutcome::unusable(*diagnostic, None),
        }
    }

    /// Parse, render, validate, analyze and check the bytes of `entry` (read by the caller: the
    /// fuzz targets feed arbitrary bytes through here).
    pub fn parse_bytes(&self, entry: &SourceEntry, bytes: Vec<u8>) -> FileOutcome {
        let source = match decode_source(&entry.rel, bytes, self.mode) {
            Ok(source) => source,
            Err((diagnostic, lossy)) => {
                // Not UTF-8: the lossy decoding shows the line with the bad byte.
                let text = (entry.rel.clone(), PackedText::pack(&lossy));
                return FileOutcome::unusable(*diagnostic, Some(text));
            }
        };
        let mut diags = FileDiagnostics::new(&entry.rel, &source.lines, self.mode);
        let mut outline = None;
        let mut summary_key = false;
        let incident = parse_front_matter(&source.text, &mut diags).and_then(|parsed| {
            summary_key = parsed.raw.summary.as_ref().is_some_and(|s| !s.value.trim().is_empty());
            let body = BodySource {
                text: parsed.body,
                offset: parsed.body_offset,
                file: &entry.rel,
                bundle: entry.bundle.as_ref(),
                known_sources: &self.known,
            };
            let mut rendered = render_markdown(&body, self.options, &mut diags);
            outline = Some(std::mem::take(&mut rendered.outline));
            if !self.mode.renders() {
                rendered.html.clear();
                rendered.plain_text.clear();
            }
            let mut incident = build_incident(entry, parsed.raw, rendered, &self.ctx, &mut diags)?;
            if self.mode.renders() {
                incident.search = analyze_incident(&incident, &self.vocabulary);
            }
            Some(incident)
        });
        let linted = LintedFile {
            text: &source.text,
            outline: outline.as_ref(),
            incident: incident.as_ref(),
            summary_key,
        };
        let secrets = lint_file(&self.rules, &linted, &mut diags);
        let found = diags.found;
        let text = (!found.is_empty()).then(|| {
            let text = if secrets.is_empty() {
                PackedText::pack(&source.text)
            } else {
                PackedText::pack(&mask(&source.text, &secrets))
            };
            (entry.rel.clone(), text)
        });
        FileOutcome { incident, diagnostics: found, text, outline, summary_key }
    }

    /// Parse `entries` in parallel, in their order.
    pub fn parse_all(&self, entries: &[SourceEntry]) -> Vec<FileOutcome> {
        entries.par_iter().map(|entry| self.parse(entry)).collect()
    }

    /// Add to `vocabulary` (this parser's, as returned earlier) the strings of files parsed
    /// since: their ids continue where it ends.
    pub fn extend_vocabulary(&self, vocabulary: &mut SearchVocabulary) {
        self.vocabulary.terms.extend_strings(&mut vocabulary.terms);
        self.vocabulary.surfaces.extend_strings(&mut vocabulary.surfaces);
    }

    /// The strings of the analyzed text of every file parsed so far.
    pub fn into_vocabulary(self) -> SearchVocabulary {
        SearchVocabulary {
            terms: self.vocabulary.terms.into_strings(),
            surfaces: self.vocabulary.surfaces.into_strings(),
        }
    }
}

/// Parse every postmortem of `entries`.
pub fn parse_postmortems(
    entries: &[SourceEntry],
    config: &SiteConfig,
    build_date: Date,
    mode: Mode,
) -> ParsedPostmortems {
    let parser = FileParser::new(entries, config, build_date, mode);
    let results = parser.parse_all(entries);
    let mut parsed = ParsedPostmortems {
        incidents: Vec::with_capacity(results.len()),
        diagnostics: Vec::new(),
        texts: Vec::new(),
        vocabulary: SearchVocabulary::default(),
    };
    for outcome in results {
        parsed.incidents.extend(outcome.incident);
        parsed.diagnostics.extend(outcome.diagnostics);
        parsed.texts.extend(outcome.text);
    }
    parsed.vocabulary = parser.into_vocabulary();
    parsed
}
