//! Stages 2–3 for every postmortem, in parallel: read, split and parse the front matter,
//! render the markdown body, and validate into an [`Incident`]. One pass per file, so each file
//! is read and parsed exactly once.

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;
use time::Date;

use crate::activity::{self, Activity};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, FileDiagnostics, Mode};
use crate::front_matter::parse_front_matter;
use crate::lint::{LintRules, LintedFile, lint_file, mask};
use crate::load::{SourceEntry, decode_source, read_bytes};
use crate::model::body::{BodyStore, IN_MEMORY_BODY_BYTES, PackedText};
use crate::model::{Incident, IncidentContext, build_incident};
use crate::parse_cache::{self, ParseCache};
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
    /// Files whose outcome came from the parse cache (unchanged since it was written).
    pub reused: usize,
    /// Each postmortem's file key (see [`parse_cache::file_key`]), by source.
    pub file_keys: rustc_hash::FxHashMap<String, u128>,
}

/// Analyze the searchable text of an incident whose body's plain text is `body`.
fn analyze_incident(incident: &Incident, body: &str, vocabulary: &Vocabulary) -> DocTerms {
    let lessons: Vec<String> = incident.lessons.iter().map(|l| l.text.clone()).collect();
    let fields = field_texts(
        &incident.title,
        &incident.tags,
        &incident.services,
        &lessons,
        &incident.summary,
        body,
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
    /// The file's key (see [`parse_cache::file_key`]); 0 for a file that could not be read.
    pub key: u128,
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
            key: 0,
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

    /// Keep rendered bodies beyond `budget` compressed bytes in a scratch file in `dir` (a
    /// build of a very large knowledge base; see [`BodyStore`]).
    pub fn spill_bodies_to(mut self, dir: &Path, budget: usize) -> FileParser {
        self.ctx.bodies = BodyStore::spilling(dir, budget);
        self
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
        let key = parse_cache::file_key(entry, &bytes);
        let source = match decode_source(&entry.rel, bytes, self.mode) {
            Ok(source) => source,
            Err((diagnostic, lossy)) => {
                // Not UTF-8: the lossy decoding shows the line with the bad byte.
                let text = (entry.rel.clone(), PackedText::pack(&lossy));
                return FileOutcome { key, ..FileOutcome::unusable(*diagnostic, Some(text)) };
            }
        };
        let mut diags = FileDiagnostics::new(&entry.rel, &source.lines, self.mode);
        let mut outline = None;
        let mut summary_key = false;
        let front_matter = {
            let _time = activity::enter(Activity::FrontMatter);
            parse_front_matter(&source.text, &mut diags)
        };
        let incident = front_matter.and_then(|parsed| {
            summary_key = parsed.raw.summary.as_ref().is_some_and(|s| !s.value.trim().is_empty());
            let body = BodySource {
                text: parsed.body,
                offset: parsed.body_offset,
                file: &entry.rel,
                bundle: entry.bundle.as_ref(),
                known_sources: &self.known,
            };
            let mut rendered = {
                let _time = activity::enter(Activity::Markdown);
                render_markdown(&body, self.options, &mut diags)
            };
            outline = Some(std::mem::take(&mut rendered.outline));
            if !self.mode.renders() {
                rendered.html.clear();
                rendered.plain_text.clear();
            }
            // The body is about to be compressed (or spilled): analysis reads this copy.
            let plain_text = self.mode.renders().then(|| rendered.plain_text.clone());
            let mut incident = {
                let _time = activity::enter(Activity::Validate);
                build_incident(entry, parsed.raw, rendered, &self.ctx, &mut diags)?
            };
            if let Some(text) = plain_text {
                let _time = activity::enter(Activity::SearchAnalysis);
                incident.search = analyze_incident(&incident, &text, &self.vocabulary);
            }
            Some(incident)
        });
        let linted = LintedFile {
            text: &source.text,
            outline: outline.as_ref(),
            incident: incident.as_ref(),
            summary_key,
        };
        let secrets = {
            let _time = activity::enter(Activity::Checks);
            lint_file(&self.rules, &linted, &mut diags)
        };
        let found = diags.found;
        let text = (!found.is_empty()).then(|| {
            let text = if secrets.is_empty() {
                PackedText::pack(&source.text)
            } else {
                PackedText::pack(&mask(&source.text, &secrets))
            };
            (entry.rel.clone(), text)
        });
        FileOutcome { incident, diagnostics: found, text, outline, summary_key, key }
    }

    /// Parse `entries` in parallel, in their order.
    pub fn parse_all(&self, entries: &[SourceEntry]) -> Vec<FileOutcome> {
        entries.par_iter().map(|entry| self.parse(entry)).collect()
    }

    /// Parse `entries` in parallel, in their order: with a `cache`, through it (see
    /// [`FileParser::parse_all_cached`]; the parser goes on from the cache's vocabulary, and
    /// the cache is then saved). Returns the outcomes and how many came from the cache.
    pub fn parse_all_reusing(
        &mut self,
        entries: &[SourceEntry],
        cache: Option<ParseCache>,
    ) -> (Vec<FileOutcome>, usize) {
        let Some(mut cache) = cache else { return (self.parse_all(entries), 0) };
        self.vocabulary = Vocabulary::continuing(cache.take_vocabulary());
        let (outcomes, reused) = self.parse_all_cached(entries, &cache);
        let mut words = SearchVocabulary::default();
        self.extend_vocabulary(&mut words);
        // Best effort: shards not moved into place are parsed again next time.
        let _time = activity::enter(Activity::ParseCache);
        let _ = cache.commit(&words);
        (outcomes, reused)
    }

    /// Go on from the vocabulary of a parse cache (see [`ParseCache::take_vocabulary`]), so
    /// the analyses it kept stay valid.
    pub fn continuing(mut self, vocabulary: SearchVocabulary) -> FileParser {
        self.vocabulary = Vocabulary::continuing(vocabulary);
        self
    }

    /// [`FileParser::parse_all`], reusing what `cache` kept of the files unchanged since, and
    /// writing back each shard of the cache that holds a file parsed now. The parser must
    /// go on from the cache's vocabulary ([`FileParser::continuing`]).
    /// Returns the outcomes and how many came from the cache.
    pub fn parse_all_cached(
        &self,
        entries: &[SourceEntry],
        cache: &ParseCache,
    ) -> (Vec<FileOutcome>, usize) {
        let reused = std::sync::atomic::AtomicUsize::new(0);
        let mut shards: Vec<Vec<usize>> = vec![Vec::new(); parse_cache::SHARDS];
        for (i, entry) in entries.iter().enumerate() {
            shards[parse_cache::shard_of(&entry.rel)].push(i);
        }
        let mut results: Vec<(usize, FileOutcome)> = shards
            .par_iter()
            .enumerate()
            .flat_map_iter(|(shard, members)| {
                let mut kept = {
                    let _time = activity::enter(Activity::ParseCache);
                    cache.read_shard(shard)
                };
                // Entries of files that are gone (or were not kept) change the shard too.
                let mut changed = kept.len() != members.len();
                let mut out = Vec::with_capacity(members.len());
                for &i in members {
                    let entry = &entries[i];
                    let bytes = match read_bytes(entry, self.mode) {
                        Ok(bytes) => bytes,
                        Err(diagnostic) => {
                            changed = true;
                            out.push((i, 0, FileOutcome::unusable(*diagnostic, None)));
                            continue;
                        }
                    };
                    let key = parse_cache::file_key(entry, &bytes);
                    let restored = kept.remove(&entry.rel).filter(|(k, _)| *k == key).and_then(
                        |(_, cached)| {
                            let _time = activity::enter(Activity::ParseCache);
                            parse_cache::restore(
                                cache,
                                &entry.rel,
                                key,
                                cached,
                                &self.ctx.bodies,
                                &self.known,
                            )
                        },
                    );
                    let outcome = match restored {
                        Some(outcome) => {
                            reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            outcome
                        }
                        None => {
                            changed = true;
                            self.parse_bytes(entry, bytes)
                        }
                    };
                    out.push((i, key, outcome));
                }
                if changed {
                    let entries = out.iter().map(|(i, key, o)| (entries[*i].rel.as_str(), *key, o));
                    // The cache is best effort: a shard that cannot be written is parsed again.
                    let words = (self.vocabulary.terms.len(), self.vocabulary.surfaces.len());
                    let _time = activity::enter(Activity::ParseCache);
                    let _ = cache.write_shard(shard, entries, words);
                }
                out.into_iter().map(|(i, _, outcome)| (i, outcome))
            })
            .collect();
        results.sort_unstable_by_key(|(i, _)| *i);
        let outcomes = results.into_iter().map(|(_, outcome)| outcome).collect();
        (outcomes, reused.into_inner())
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

/// Parse every postmortem of `entries`; with a `scratch` folder, bodies beyond a memory budget
/// are kept in a file there; with a `cache`, files unchanged since it was written are not
/// parsed again.
pub fn parse_postmortems(
    entries: &[SourceEntry],
    config: &SiteConfig,
    build_date: Date,
    mode: Mode,
    scratch: Option<&Path>,
    cache: Option<ParseCache>,
) -> ParsedPostmortems {
    let mut parser = FileParser::new(entries, config, build_date, mode);
    if let Some(dir) = scratch {
        parser = parser.spill_bodies_to(dir, IN_MEMORY_BODY_BYTES);
    }
    let (results, reused) = parser.parse_all_reusing(entries, cache);
    let mut parsed = ParsedPostmortems {
        incidents: Vec::with_capacity(results.len()),
        diagnostics: Vec::new(),
        texts: Vec::new(),
        vocabulary: SearchVocabulary::default(),
        reused,
        file_keys: rustc_hash::FxHashMap::default(),
    };
    for outcome in results {
        if let Some(incident) = &outcome.incident {
            parsed.file_keys.insert(incident.source.clone(), outcome.key);
        }
        parsed.incidents.extend(outcome.incident);
        parsed.diagnostics.extend(outcome.diagnostics);
        parsed.texts.extend(outcome.text);
    }
    parsed.vocabulary = parser.into_vocabulary();
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_in_the_scratch_file_read_back_as_parsed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site");
        let (config, _) = SiteConfig::load(&root, Mode::Build, None).unwrap();
        let layout = crate::load::walk_kb(&root, Mode::Build);
        let date = time::macros::date!(2026 - 11 - 26);
        let scratch = tempfile::tempdir().unwrap();
        let kept = FileParser::new(&layout.postmortems, &config, date, Mode::Build);
        let spilled = FileParser::new(&layout.postmortems, &config, date, Mode::Build)
            .spill_bodies_to(scratch.path(), 0);
        assert!(!spilled.ctx.bodies.spilled());
        let (a, b) = (kept.parse_all(&layout.postmortems), spilled.parse_all(&layout.postmortems));
        assert!(spilled.ctx.bodies.spilled(), "a zero budget spills every body");
        let mut compared = 0;
        for (a, b) in a.iter().zip(&b) {
            let (Some(a), Some(b)) = (&a.incident, &b.incident) else { continue };
            assert_eq!(a.body.html().unwrap(), b.body.html().unwrap(), "{}", a.source);
            assert_eq!(a.body.text().unwrap(), b.body.text().unwrap(), "{}", a.source);
            assert!(a.body.html().unwrap().len() > 100, "{}", a.source);
            assert_eq!(a.search.lengths, b.search.lengths, "{}", a.source);
            compared += 1;
        }
        assert!(compared >= 20, "{compared}");
    }
}
