//! The knowledge base as `serve` keeps it: parsed, derived and rendered in memory, and kept
//! up to date file by file.
//!
//! A change to a postmortem re-parses that file only, derives again (reusing the related
//! incidents, the expensive part), and renders only the pages whose content changed (see
//! [`crate::render::affected`]): a quick rebuild. A moment later, [`Workspace::settle`] brings the rest
//! up to date: related incidents, the browser's search index and the search page, and the
//! tantivy index `/api/search` answers from. A change to `hindsight.toml`, a template, a static
//! file or a bundle asset rebuilds everything.
//!
//! A file with errors does not replace its last good version: the site keeps being served as
//! it was, and the errors are reported until the file is fixed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::config::{CONFIG_FILE, SiteConfig};
use crate::derive::{Derived, Reuse, derive_site, derive_site_reusing};
use crate::diagnostics::report::SourceTexts;
use crate::diagnostics::{Code, Diagnostic, Mode, sort_diagnostics};
use crate::load::{KbLayout, SourceEntry, walk_kb};
use crate::model::Site;
use crate::model::site::find_duplicate_slugs;
use crate::output::{MemorySink, OutputPlan};
use crate::parse::FileParser;
use crate::render::affected::{Changes, Selection, Signatures, meta_hash, signatures};
use crate::render::pages::{Page, RenderContext, card_value, plan_pages};
use crate::render::templates::load_templates;
use crate::search::document::SearchVocabulary;
use crate::search::static_index::{StaticIndex, manifest_json};
use crate::{Failure, LoadOptions};

/// The served files, by output-relative path.
pub type Files = HashMap<String, Arc<[u8]>>;

/// What a rebuild changed.
#[derive(Debug, Default)]
pub struct Rebuilt {
    /// The source files applied (root-relative).
    pub sources: Vec<String>,
    /// Output paths whose bytes changed, were added or removed.
    pub paths: Vec<String>,
    /// Whether everything was rebuilt (a configuration, template or static change).
    pub everything: bool,
    /// How long it took.
    pub millis: u128,
    /// How long each step took, in microseconds (printed by `serve --timings`).
    pub stages: Vec<(&'static str, u128)>,
}

/// Times the steps of a rebuild.
struct Clock {
    last: Instant,
    stages: Vec<(&'static str, u128)>,
}

impl Clock {
    fn new() -> Clock {
        Clock { last: Instant::now(), stages: Vec::new() }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push((stage, (now - self.last).as_micros()));
        self.last = now;
    }
}

/// The knowledge base in memory.
pub struct Workspace {
    root: PathBuf,
    options: LoadOptions,
    config_text: String,
    layout: KbLayout,
    parser: FileParser,
    tera: tera::Tera,
    site: Site,
    derived: Derived,
    vocabulary: SearchVocabulary,
    /// Findings per postmortem file, from its last parse.
    file_findings: BTreeMap<String, Vec<Diagnostic>>,
    /// Postmortems sharing a slug (the layout's own findings stay in `layout`).
    duplicate_findings: Vec<Diagnostic>,
    /// Findings of the last derivation (references, reading paths).
    derive_findings: Vec<Diagnostic>,
    sources: SourceTexts,
    signatures: Signatures,
    manifest: String,
    files: Files,
    /// Each published postmortem's card, by source, kept between rebuilds.
    cards: HashMap<String, tera::Value>,
    /// Each postmortem's [`meta_hash`], by source.
    meta: HashMap<String, u64>,
    /// What changed since the site last settled (`None`: nothing).
    unsettled: Option<Changes>,
    /// Whether the browser's search index lags behind.
    index_stale: bool,
}

/// What a render covers.
#[derive(Clone, Copy)]
enum Pass<'c> {
    /// Every page and the search index.
    Full,
    /// The pages a change affects, but not the heavy ones.
    Quick(&'c Changes),
    /// The pages changes since the last settle affect, heavy ones included.
    Settle(&'c Changes),
    /// The browser's search index and the search page.
    Index,
}

/// `Failure` from a single message about the site.
pub(super) fn failure(code: Code, message: String, help: &str) -> Failure {
    let diagnostic = Diagnostic::new(code, Mode::Build, message).help(help);
    Failure { diagnostics: vec![diagnostic], sources: SourceTexts::default() }
}

impl Workspace {
    /// Load, derive and render the knowledge base at `root` into memory. Postmortems with
    /// errors are left out (and reported by [`Workspace::errors`]); an invalid configuration
    /// or template is a failure.
    pub fn open(root: &Path, options: &LoadOptions) -> Result<Workspace, Failure> {
        let mode = options.mode;
        let (config, config_text) = SiteConfig::load(root, mode, options.base_url.as_deref())
            .map_err(|diagnostics| {
                let mut sources = SourceTexts::default();
                if let Ok(text) = std::fs::read_to_string(root.join(CONFIG_FILE)) {
                    sources.insert(CONFIG_FILE, &text);
                }
                Failure { diagnostics, sources }
            })?;
        let layout = walk_kb(root, mode);
        let tera = load_templates(&layout.templates, mode)
            .map_err(|diagnostics| Failure { diagnostics, sources: SourceTexts::default() })?;
        let mut parser = FileParser::new(&layout.postmortems, &config, options.build_date, mode);
        // What the last build (or preview) parsed of files unchanged since is reused.
        let cache = crate::parse_cache::open_for(root, &config_text, options);
        let (outcomes, _) = parser.parse_all_reusing(&layout.postmortems, cache);
        let mut file_findings = BTreeMap::new();
        let mut sources = SourceTexts::default();
        let mut incidents = Vec::new();
        for (entry, outcome) in layout.postmortems.iter().zip(outcomes) {
            if outcome.diagnostics.iter().any(Diagnostic::is_error) {
                // Left out; reported until fixed.
            } else {
                incidents.extend(outcome.incident);
            }
            if let Some((rel, text)) = outcome.text {
                sources.insert_packed(&rel, text);
            }
            file_findings.insert(entry.rel.clone(), outcome.diagnostics);
        }
        // Of postmortems sharing a slug, only the first by path is served.
        let duplicate_findings = find_duplicate_slugs(&incidents, mode);
        if !duplicate_findings.is_empty() {
            crate::model::site::keep_first_per_slug(&mut incidents);
        }
        let mut vocabulary = SearchVocabulary::default();
        parser.extend_vocabulary(&mut vocabulary);
        let site = Site::new(config, options.build_date, incidents, options.filter);
        let (derived, derive_findings) = derive_site(&site, &vocabulary, &config_text, mode);
        let mut workspace = Workspace {
            root: root.to_path_buf(),
            options: options.clone(),
            config_text,
            layout,
            parser,
            tera,
            site,
            derived,
            vocabulary,
            file_findings,
            duplicate_findings,
            derive_findings,
            sources,
            signatures: Signatures::default(),
            manifest: String::new(),
            files: Files::new(),
            cards: HashMap::new(),
            meta: HashMap::new(),
            unsettled: None,
            index_stale: false,
        };
        workspace.meta =
            workspace.site.incidents.iter().map(|i| (i.source.clone(), meta_hash(i))).collect();
        workspace.render(Pass::Full, &mut Clock::new()).map_err(|message| {
            failure(Code::InvalidOutput, message, "fix the template or the postmortem it names")
        })?;
        Ok(workspace)
    }

    /// The served files.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The published site.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The strings of the analyzed text.
    pub fn vocabulary(&self) -> &SearchVocabulary {
        &self.vocabulary
    }

    /// The fingerprint of the sources as they are now (see [`crate::load::fingerprint`]).
    pub fn fingerprint(&self) -> u128 {
        crate::load::fingerprint(&self.root, &walk_kb(&self.root, self.options.mode))
    }

    /// Current errors (files left out or kept at their last good version), and the texts they
    /// point into.
    pub fn errors(&self) -> (Vec<Diagnostic>, &SourceTexts) {
        let mut errors: Vec<Diagnostic> = self
            .file_findings
            .values()
            .flatten()
            .chain(&self.layout.diagnostics)
            .chain(&self.duplicate_findings)
            .chain(&self.derive_findings)
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        sort_diagnostics(&mut errors);
        (errors, &self.sources)
    }

    /// Whether a [`Workspace::settle`] is due.
    pub fn unsettled(&self) -> bool {
        self.unsettled.is_some()
    }

    /// Whether a [`Workspace::reindex`] is due.
    pub fn index_stale(&self) -> bool {
        self.index_stale
    }

    /// Bring the knowledge base up to date with the files `changed` (root-relative paths).
    pub fn update(&mut self, changed: &[String]) -> Result<Rebuilt, Failure> {
        let started = Instant::now();
        // Folders and editors' temporary files come and go: only files that exist, or that
        // the site was built from, matter.
        let mut files: Vec<String> =
            changed.iter().filter(|rel| self.is_source(rel)).cloned().collect();
        // A folder that appeared (a new year, a new bundle) may hold files written before it
        // was watched.
        for folder in changed.iter().filter(|rel| rel.starts_with("postmortems/")) {
            let dir = self.root.join(folder);
            if !dir.is_dir() {
                continue;
            }
            for entry in walkdir::WalkDir::new(&dir).into_iter().filter_map(Result::ok) {
                if let Ok(rel) = entry.path().strip_prefix(&self.root)
                    && entry.file_type().is_file()
                    && let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/"))
                    && !rel.split('/').any(|part| part.starts_with('.'))
                {
                    files.push(rel);
                }
            }
        }
        files.sort();
        files.dedup();
        let changed = files;
        let everything =
            changed.iter().any(|rel| !is_markdown(rel) || !rel.starts_with("postmortems/"));
        if everything {
            let fresh = Workspace::open(&self.root, &self.options)?;
            let old = std::mem::replace(self, fresh);
            let paths = changed_paths(&old.files, &self.files);
            let millis = started.elapsed().as_millis();
            let stages = vec![("everything", millis * 1000)];
            return Ok(Rebuilt { sources: changed, paths, everything: true, millis, stages });
        }
        let sources: Vec<&String> =
            changed.iter().filter(|rel| rel.starts_with("postmortems/")).collect();
        if sources.is_empty() {
            return Ok(Rebuilt::default());
        }
        // A new or deleted file changes the list of postmortems.
        if sources.iter().any(|rel| {
            let known = self.layout.postmortems.iter().any(|e| &e.rel == *rel);
            known != self.root.join(rel.as_str()).is_file()
        }) {
            let layout = walk_kb(&self.root, self.options.mode);
            self.layout.postmortems = layout.postmortems;
        }
        let entries: Vec<&SourceEntry> =
            self.layout.postmortems.iter().filter(|e| sources.contains(&&e.rel)).collect();
        let mut replaced: HashSet<String> = HashSet::new();
        let mut incidents = Vec::new();
        for &rel in &sources {
            match entries.iter().find(|e| &e.rel == rel) {
                None => {
                    // Deleted.
                    replaced.insert(rel.clone());
                    self.file_findings.remove(rel);
                }
                Some(entry) => {
                    let outcome = self.parser.parse(entry);
                    if let Some((file, text)) = &outcome.text {
                        self.sources.insert_packed(file, text.clone());
                    }
                    let failed = outcome.diagnostics.iter().any(Diagnostic::is_error);
                    self.file_findings.insert(rel.clone(), outcome.diagnostics);
                    if !failed {
                        replaced.insert(rel.clone());
                        incidents.extend(outcome.incident);
                    }
                }
            }
        }
        if replaced.is_empty() {
            let (errors, sources) = self.errors();
            return Err(Failure { diagnostics: errors, sources: sources.clone() });
        }
        let mut clock = Clock::new();
        clock.lap("parse");
        let before: Vec<_> =
            self.site.incidents.iter().filter(|i| replaced.contains(&i.source)).cloned().collect();
        let old_sources: Vec<String> =
            self.site.incidents.iter().map(|i| i.source.clone()).collect();
        // Slugs can only collide when one is new.
        let new_slug = incidents.iter().any(|i| !before.iter().any(|b| b.slug == i.slug));
        self.site.replace(&replaced, incidents);
        let duplicates = if new_slug {
            find_duplicate_slugs(&self.site.incidents, self.options.mode)
        } else {
            Vec::new()
        };
        self.duplicate_findings.clear();
        if !duplicates.is_empty() {
            // Keep serving the last good versions.
            self.site.replace(&replaced, before);
            self.duplicate_findings = duplicates;
            let (errors, sources) = self.errors();
            return Err(Failure { diagnostics: errors, sources: sources.clone() });
        }
        self.parser.extend_vocabulary(&mut self.vocabulary);
        let mut changes = Changes { files: replaced.clone(), meta: HashSet::new(), related: false };
        for source in &replaced {
            self.cards.remove(source);
            let new = self.site.index_of_source(source).map(|i| meta_hash(&self.site.incidents[i]));
            let old = match new {
                Some(hash) => self.meta.insert(source.clone(), hash),
                None => self.meta.remove(source),
            };
            if old != new {
                changes.meta.insert(source.clone());
            }
        }
        clock.lap("replace");
        // Related incidents and the stats are kept as they were until the site settles.
        let old = std::mem::take(&mut self.derived);
        let mut related = old
            .related
            .into_iter()
            .zip(&old_sources)
            .map(|(list, source)| (source.as_str(), list))
            .collect::<HashMap<_, _>>();
        let related = self
            .site
            .incidents
            .iter()
            .map(|incident| {
                let mut list = related.remove(incident.source.as_str()).unwrap_or_default();
                list.retain_mut(|r| match self.site.index_of_source(&old_sources[r.incident]) {
                    Some(i) => {
                        r.incident = i;
                        true
                    }
                    None => false,
                });
                list
            })
            .collect();
        let slugs = old.services.iter().map(|t| t.slug.clone()).collect();
        let reuse = Reuse { related, metrics: (old.metrics, slugs) };
        let (derived, problems) = derive_site_reusing(
            &self.site,
            &self.vocabulary,
            &self.config_text,
            self.options.mode,
            Some(reuse),
        );
        self.derived = derived;
        self.derive_findings = problems;
        clock.lap("derive");
        let paths = self.render(Pass::Quick(&changes), &mut clock).map_err(|message| {
            failure(Code::InvalidOutput, message, "fix the template or the postmortem it names")
        })?;
        self.index_stale = true;
        let pending = self.unsettled.get_or_insert_with(Changes::default);
        // Settling derives related incidents again, which an edited text may change.
        pending.related |= !changes.files.is_empty();
        pending.files.extend(changes.files);
        pending.meta.extend(changes.meta);
        let millis = started.elapsed().as_millis();
        Ok(Rebuilt { sources: changed, paths, everything: false, millis, stages: clock.stages })
    }

    /// Whether the root-relative `rel` is (or was) a file the site is built from.
    fn is_source(&self, rel: &str) -> bool {
        if rel == CONFIG_FILE || (is_markdown(rel) && rel.starts_with("postmortems/")) {
            return true;
        }
        self.root.join(rel).is_file()
            || self.layout.static_files.iter().any(|f| f.source_rel == rel)
            || self
                .layout
                .templates
                .iter()
                .any(|(name, _)| rel.strip_prefix("templates/") == Some(name))
            || self.layout.postmortems.iter().filter_map(|e| e.bundle.as_ref()).any(|b| {
                rel.strip_prefix(b.dir_rel.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|asset| b.assets.iter().any(|a| a == asset))
            })
    }

    /// Bring related incidents and the search indexes up to date after quick rebuilds.
    /// Returns the output paths that changed.
    pub fn settle(&mut self) -> Result<Rebuilt, Failure> {
        let started = Instant::now();
        let Some(changes) = self.unsettled.take() else { return Ok(Rebuilt::default()) };
        let mut clock = Clock::new();
        let (derived, problems) =
            derive_site(&self.site, &self.vocabulary, &self.config_text, self.options.mode);
        self.derived = derived;
        self.derive_findings = problems;
        clock.lap("derive");
        let paths = self.render(Pass::Settle(&changes), &mut clock).map_err(|message| {
            failure(Code::InvalidOutput, message, "fix the template or the postmortem it names")
        })?;
        let millis = started.elapsed().as_millis();
        let sources = changes.files.into_iter().collect();
        Ok(Rebuilt { sources, paths, everything: false, millis, stages: clock.stages })
    }

    /// Rebuild the browser's search index (and the search page, which holds its manifest)
    /// after postmortems changed.
    pub fn reindex(&mut self) -> Result<Rebuilt, Failure> {
        let started = Instant::now();
        self.index_stale = false;
        let mut clock = Clock::new();
        let paths = self.render(Pass::Index, &mut clock).map_err(|message| {
            failure(Code::InvalidOutput, message, "fix the template or the postmortem it names")
        })?;
        let millis = started.elapsed().as_millis();
        Ok(Rebuilt { sources: Vec::new(), paths, everything: false, millis, stages: clock.stages })
    }

    /// Render into memory what `pass` covers. Returns the output paths whose bytes changed.
    fn render(&mut self, pass: Pass<'_>, clock: &mut Clock) -> Result<Vec<String>, String> {
        let site = &self.site;
        let derived = &self.derived;
        let pages = plan_pages(site, derived);
        let with_index = matches!(pass, Pass::Full | Pass::Index);
        let mut plan = OutputPlan::new(&self.root, site, derived, pages, &self.layout.static_files);
        // Output paths move only when slugs, aliases or the list of files change.
        let moved = match pass {
            Pass::Full => true,
            Pass::Quick(c) | Pass::Settle(c) => !c.meta.is_empty(),
            Pass::Index => false,
        };
        if moved && let Some(d) = plan.collisions(self.options.mode).first() {
            return Err(d.message.clone());
        }
        let planned: rustc_hash::FxHashSet<String> = plan.paths().map(String::from).collect();
        clock.lap("plan");
        let new_signatures = match pass {
            Pass::Full => signatures(plan.pages(), site, derived),
            Pass::Quick(changes) | Pass::Settle(changes) => {
                let settling = matches!(pass, Pass::Settle(_));
                let mut selection =
                    Selection::new(site, derived, &self.signatures, changes, settling);
                plan.retain_pages(|path, page| selection.wants(path, page));
                selection.after
            }
            Pass::Index => {
                plan.retain_pages(|_, page| matches!(page, Page::Search));
                Signatures::default()
            }
        };
        clock.lap("select");
        let static_index = with_index
            .then(|| StaticIndex::new(site, &self.vocabulary, &site.config.search.synonyms));
        clock.lap("index plan");
        let manifest =
            static_index.as_ref().map_or(self.manifest.clone(), |i| manifest_json(&i.manifest));
        let cards = site
            .incidents
            .iter()
            .map(|i| {
                self.cards.entry(i.source.clone()).or_insert_with(|| card_value(i, site)).clone()
            })
            .collect();
        let ctx =
            RenderContext::with_cards(self.tera.clone(), site, derived, manifest.clone(), cards);
        clock.lap("context");
        let sink = MemorySink::default();
        plan.write(&ctx, &sink, static_index.as_ref())?;
        clock.lap("render");
        let mut written = sink.into_files();
        let mut changed_paths = Vec::new();
        if with_index || moved {
            // Pages that are no longer planned, and search files no longer written.
            self.files.retain(|path, _| {
                let keep = if path.starts_with("search/") && path != "search/index.html" {
                    !with_index || written.contains_key(path)
                } else {
                    planned.contains(path)
                };
                if !keep {
                    changed_paths.push(path.clone());
                }
                keep
            });
        }
        for (path, bytes) in written.drain() {
            if self.files.get(&path).is_none_or(|old| **old != *bytes) {
                changed_paths.push(path.clone());
                self.files.insert(path, bytes);
            }
        }
        // Signatures of pages not considered keep their value.
        if let Pass::Full = pass {
            self.signatures = new_signatures;
        } else {
            self.signatures.retain(|path, _| planned.contains(path));
            self.signatures.extend(new_signatures);
        }
        self.manifest = manifest;
        changed_paths.sort();
        clock.lap("merge");
        Ok(changed_paths)
    }
}

fn is_markdown(rel: &str) -> bool {
    rel.ends_with(".md") || rel.ends_with(".markdown")
}

/// The paths whose bytes differ between two sets of files.
fn changed_paths(old: &Files, new: &Files) -> Vec<String> {
    let mut paths: Vec<String> = new
        .iter()
        .filter(|(path, bytes)| old.get(*path).is_none_or(|b| b != *bytes))
        .map(|(path, _)| path.clone())
        .chain(old.keys().filter(|path| !new.contains_key(*path)).cloned())
        .collect();
    paths.sort();
    paths
}
