//! Stages 2–3 for every postmortem, in parallel: read, split and parse the front matter,
//! render the markdown body, and validate into an [`Incident`]. One pass per file, so each file
//! is read and parsed exactly once.

use std::collections::HashSet;

use rayon::prelude::*;
use time::Date;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, FileDiagnostics, Mode};
use crate::front_matter::parse_front_matter;
use crate::load::{SourceEntry, read_source};
use crate::model::body::PackedText;
use crate::model::{Incident, IncidentContext, build_incident};
use crate::render::markdown::{BodySource, MarkdownOptions, render_markdown};
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

/// One file's incident (when valid), findings, and text (when there are findings).
type FileResult = (Option<Incident>, Vec<Diagnostic>, Option<(String, PackedText)>);

/// Parse every postmortem of `entries`.
pub fn parse_postmortems(
    entries: &[SourceEntry],
    config: &SiteConfig,
    build_date: Date,
    mode: Mode,
) -> ParsedPostmortems {
    let ctx = IncidentContext::new(config, build_date);
    let known: HashSet<String> = entries.iter().map(|e| e.rel.clone()).collect();
    let options = MarkdownOptions {
        smart_punctuation: config.markdown.smart_punctuation,
        trusted_html: config.markdown.trusted_html,
    };
    let vocabulary = Vocabulary::default();
    let results: Vec<FileResult> = entries
        .par_iter()
        .map(|entry| {
            let source = match read_source(entry, mode) {
                Ok(source) => source,
                Err(diagnostic) => return (None, vec![*diagnostic], None),
            };
            let mut diags = FileDiagnostics::new(&entry.rel, &source.lines, mode);
            let incident = parse_front_matter(&source.text, &mut diags).and_then(|parsed| {
                let body = BodySource {
                    text: parsed.body,
                    offset: parsed.body_offset,
                    file: &entry.rel,
                    bundle: entry.bundle.as_ref(),
                    known_sources: &known,
                };
                let rendered = render_markdown(&body, options, &mut diags);
                let mut incident = build_incident(entry, parsed.raw, rendered, &ctx, &mut diags)?;
                incident.search = analyze_incident(&incident, &vocabulary);
                Some(incident)
            });
            let found = diags.found;
            let text =
                (!found.is_empty()).then(|| (entry.rel.clone(), PackedText::pack(&source.text)));
            (incident, found, text)
        })
        .collect();
    let mut parsed = ParsedPostmortems {
        incidents: Vec::with_capacity(results.len()),
        diagnostics: Vec::new(),
        texts: Vec::new(),
        vocabulary: SearchVocabulary::default(),
    };
    for (incident, diagnostics, text) in results {
        parsed.incidents.extend(incident);
        parsed.diagnostics.extend(diagnostics);
        parsed.texts.extend(text);
    }
    parsed.vocabulary = SearchVocabulary {
        terms: vocabulary.terms.into_strings(),
        surfaces: vocabulary.surfaces.into_strings(),
    };
    parsed
}
