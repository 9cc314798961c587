//! hindsight turns a folder of markdown postmortems into a browsable, searchable incident
//! knowledge base.
//!
//! The build is a pipeline of stages, each mapping the previous stage's value to a new one:
//!
//! 1. [`load`]: walk the knowledge base → postmortem files, static files, template overrides
//! 2. [`front_matter`]: split and parse → [`front_matter::RawFrontMatter`] and body
//! 3. [`model`]: validate → [`model::Incident`], then [`model::Site`] (what this build publishes)
//! 4. [`render`]: markdown → HTML (during parsing), then pages through the theme's templates
//! 5. [`output`]: write atomically into the output folder
//!
//! [`load_site`] runs stages 1–3 (all `check` needs); [`build`] runs them all.

pub mod activity;
pub mod config;
pub mod derive;
pub mod diagnostics;
pub mod front_matter;
pub mod lint;
pub mod load;
pub mod model;
pub mod output;
pub mod parse;
pub mod parse_cache;
pub mod render;
pub mod search;
pub mod serve;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use time::Date;

pub use parse::parse_postmortems;

use config::SiteConfig;
use diagnostics::report::SourceTexts;
use diagnostics::{Code, Diagnostic, Mode, sort_diagnostics};
use model::{BuildFilter, Site};

/// What loading a knowledge base needs to know.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// `build` or `check`: decides which findings are errors.
    pub mode: Mode,
    /// Which postmortems are published.
    pub filter: BuildFilter,
    /// Replaces `base_url` from hindsight.toml (`--base-url`).
    pub base_url: Option<String>,
    /// "Today": actions due before it are overdue.
    pub build_date: Date,
}

/// A loaded knowledge base, ready to render.
pub struct LoadedSite {
    /// The published postmortems and the configuration.
    pub site: Site,
    /// Taxonomies, themes, reading paths, related incidents, actions and stats.
    pub derived: derive::Derived,
    /// The strings of the analyzed text.
    pub vocabulary: search::document::SearchVocabulary,
    /// Fingerprint of the sources read (see [`load::fingerprint`]).
    pub fingerprint: u128,
    /// Postmortem files and how many of them were unchanged since the parse cache kept them
    /// (so not parsed again).
    pub parsed_files: (usize, usize),
    /// Each published postmortem's file key (see [`parse_cache::file_key`]), by source.
    pub file_keys: rustc_hash::FxHashMap<String, u128>,
    /// Files of `static/`.
    pub static_files: Vec<load::StaticFile>,
    /// Template overrides from `templates/`.
    pub templates: Vec<(String, PathBuf)>,
    /// Warnings (and, under `check`, errors) found.
    pub diagnostics: Vec<Diagnostic>,
    /// Texts of the files the diagnostics point into.
    pub sources: SourceTexts,
    /// How long each stage took.
    pub timings: Timings,
}

/// Why a run stopped: every finding, and the texts they point into.
#[derive(Default)]
pub struct Failure {
    /// All findings, errors and warnings, in printing order.
    pub diagnostics: Vec<Diagnostic>,
    /// Texts of the files the diagnostics point into.
    pub sources: SourceTexts,
}

impl Failure {
    fn from(diagnostics: Vec<Diagnostic>, sources: SourceTexts) -> Failure {
        let mut diagnostics = diagnostics;
        sort_diagnostics(&mut diagnostics);
        Failure { diagnostics, sources }
    }
}

/// Wall time per stage, printed by `build --timings`.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// (stage name, duration, resident memory in bytes at its end when known), in order.
    pub stages: Vec<(&'static str, Duration, Option<u64>)>,
}

/// Resident memory of this process (Linux), for `--timings`.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

impl Timings {
    fn record(&mut self, stage: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.stages.push((stage, now - *since, resident_bytes()));
        *since = now;
    }
}

/// Output paths of a loaded site that would clash (two things written to one file, a file
/// where a folder must go): what `build` reports before writing, for `check` to report too.
pub fn output_collisions(root: &Path, loaded: &LoadedSite, mode: Mode) -> Vec<Diagnostic> {
    let pages = render::pages::plan_pages(&loaded.site, &loaded.derived);
    output::OutputPlan::new(root, &loaded.site, &loaded.derived, pages, &loaded.static_files)
        .collisions(mode)
}

/// Load, parse and validate the knowledge base at `root` (stages 1–3). Returns the site and
/// its warnings; any error stops it (errors and warnings are returned together).
pub fn load_site(root: &Path, options: &LoadOptions) -> Result<LoadedSite, Failure> {
    let mut timings = Timings::default();
    let mut clock = Instant::now();
    let mode = options.mode;
    let mut sources = SourceTexts::default();
    let (config, config_text) = match SiteConfig::load(root, mode, options.base_url.as_deref()) {
        Ok(pair) => pair,
        Err(diagnostics) => {
            if let Ok(text) = std::fs::read_to_string(root.join(config::CONFIG_FILE)) {
                sources.insert(config::CONFIG_FILE, &text);
            }
            return Err(Failure::from(diagnostics, sources));
        }
    };
    sources.insert(config::CONFIG_FILE, &config_text);
    let layout = load::walk_kb(root, mode);
    let fingerprint = load::fingerprint(root, &layout);
    let mut diagnostics = layout.diagnostics;
    if !root.join("postmortems").is_dir() {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidConfig,
                mode,
                format!("{} has no postmortems/ folder", root.display()),
            )
            .help("create postmortems/ and add a postmortem with `hindsight new \"Title\"`"),
        );
    }
    timings.record("load", &mut clock);
    // A build keeps every rendered body until pages are written; past a budget they wait in a
    // scratch file in the cache folder.
    let scratch = mode.renders().then(|| cache_dir(root));
    // A build reuses what earlier builds parsed of the files unchanged since.
    let cache = parse_cache::open_for(root, &config_text, options);
    let parsed = parse_postmortems(
        &layout.postmortems,
        &config,
        options.build_date,
        mode,
        scratch.as_deref(),
        cache,
    );
    diagnostics.extend(parsed.diagnostics);
    diagnostics.extend(model::site::find_duplicate_slugs(&parsed.incidents, mode));
    for code in [Code::UndescribedTag, Code::UndescribedTheme] {
        diagnostics::collapse_repeats(&mut diagnostics, code);
    }
    // A build prints each "not finished yet" warning once; `check` lists every file.
    if mode == Mode::Build {
        for code in [Code::MissingSummary, Code::MissingLessons, Code::MissingResolved] {
            diagnostics::collapse_repeats(&mut diagnostics, code);
        }
    }
    // Keep the text only of files a finding still points into.
    let cited: std::collections::HashSet<&str> =
        diagnostics.iter().filter_map(|d| d.location.as_ref()).map(|l| l.file.as_str()).collect();
    for (file, text) in parsed.texts {
        if cited.contains(file.as_str()) {
            sources.insert_packed(&file, text);
        }
    }
    timings.record("parse", &mut clock);
    // Cross-file checks (references, reading paths) run even when some files have errors,
    // so one run reports everything. Of postmortems sharing a slug (already an error), the
    // first by path stands in for the others.
    let mut incidents = parsed.incidents;
    if diagnostics.iter().any(|d| d.code == Code::DuplicateOutput) {
        model::site::keep_first_per_slug(&mut incidents);
    }
    let site = Site::new(config, options.build_date, incidents, options.filter);
    let config_text = sources.get(config::CONFIG_FILE).unwrap_or_default();
    let vocabulary = parsed.vocabulary;
    let parsed_files = (layout.postmortems.len(), parsed.reused);
    let file_keys = parsed.file_keys;
    let (derived, problems) = derive::derive_site(&site, &vocabulary, &config_text, mode);
    diagnostics.extend(problems);
    timings.record("derive", &mut clock);
    // Findings about whole files or cross-file references may point into files whose text
    // was not kept while parsing.
    for d in &diagnostics {
        if let Some(location) = &d.location
            && !sources.contains(&location.file)
            && let Ok(text) = std::fs::read_to_string(root.join(&location.file))
        {
            sources.insert(&location.file, &text);
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Failure::from(diagnostics, sources));
    }
    sort_diagnostics(&mut diagnostics);
    Ok(LoadedSite {
        site,
        derived,
        vocabulary,
        fingerprint,
        parsed_files,
        file_keys,
        static_files: layout.static_files,
        templates: layout.templates,
        diagnostics,
        sources,
        timings,
    })
}

/// `check --review FILE`: one postmortem's findings and review checklist.
pub struct Review {
    /// The file, relative to the root.
    pub file: String,
    /// Its status, when it validated.
    pub status: Option<model::Status>,
    /// Every finding in the file (including those that need the whole knowledge base, such
    /// as duplicate slugs), in printing order.
    pub findings: Vec<Diagnostic>,
    /// The file's text, for printing the findings.
    pub sources: SourceTexts,
    /// The checklist, when the postmortem validated far enough to answer it.
    pub checklist: Option<Vec<lint::review::ReviewItem>>,
}

/// Review the postmortem `file` (root-relative, `/`-separated) of the knowledge base at
/// `root`.
pub fn review_postmortem(
    root: &Path,
    options: &LoadOptions,
    file: &str,
) -> Result<Review, Failure> {
    let (config, _) = SiteConfig::load(root, options.mode, options.base_url.as_deref())
        .map_err(|d| Failure::from(d, SourceTexts::default()))?;
    let layout = load::walk_kb(root, options.mode);
    let Some(entry) = layout.postmortems.iter().find(|e| e.rel == file) else {
        let diagnostic = Diagnostic::new(
            Code::UnreadableFile,
            options.mode,
            format!("{file} is not a postmortem of {}", root.display()),
        )
        .help("pass a .md file under postmortems/ (or a bundle's index.md)");
        return Err(Failure::from(vec![diagnostic], SourceTexts::default()));
    };
    let parser =
        parse::FileParser::new(&layout.postmortems, &config, options.build_date, options.mode);
    let outcome = parser.parse(entry);
    // Findings that need the whole knowledge base (duplicate slugs, unknown references);
    // per-file ones come from `outcome` (the whole-site run collapses repeated warnings).
    let (all, mut sources) = match load_site(root, options) {
        Ok(loaded) => (loaded.diagnostics, loaded.sources),
        Err(failure) => (failure.diagnostics, failure.sources),
    };
    let mut findings = outcome.diagnostics;
    findings.extend(all.into_iter().filter(|d| {
        d.location.as_ref().is_some_and(|l| l.file == file)
            && !matches!(d.code, Code::UndescribedTag | Code::UndescribedTheme)
    }));
    sort_diagnostics(&mut findings);
    if let Some((rel, text)) = outcome.text {
        sources.insert_packed(&rel, text);
    }
    let checklist = match (&outcome.incident, &outcome.outline) {
        (Some(incident), Some(outline)) => {
            Some(lint::review::checklist(&lint::review::ReviewInput {
                incident,
                outline,
                summary_key: outcome.summary_key,
                findings: &findings,
            }))
        }
        _ => None,
    };
    Ok(Review {
        file: file.to_string(),
        status: outcome.incident.as_ref().map(|i| i.status),
        findings,
        sources,
        checklist,
    })
}

/// Where the search index of `root` for the postmortems `filter` selects is kept.
pub fn search_index_dir(root: &Path, filter: BuildFilter) -> PathBuf {
    cache_dir(root).join("search").join(filter.variant())
}

/// The cache folder of the knowledge base at `root`: `root/.hindsight/`, unless `root` is a
/// read-only folder (no write permission bits: a read-only checkout, a mounted corpus), which
/// hindsight does not write into even when it could (as root); then a folder of the system's
/// temporary directory named after `root`'s path.
pub fn cache_dir(root: &Path) -> PathBuf {
    let read_only = std::fs::metadata(root).is_ok_and(|m| m.permissions().readonly());
    if !read_only {
        return root.join(".hindsight");
    }
    let path = output::location::absolute(root);
    // FNV-1a: stable across runs and builds, unlike the standard library's hasher.
    let hash = search::static_index::fnv1a(&path.to_string_lossy());
    std::env::temp_dir().join("hindsight-cache").join(format!("{hash:08x}"))
}

/// Open the search index of `root`, first bringing it up to date when the sources changed
/// since it was built (which parses the knowledge base, as a build would).
pub fn open_search_index(
    root: &Path,
    options: &LoadOptions,
) -> Result<(search::tantivy_index::SearchIndex, config::SiteConfig), Failure> {
    let root = output::location::absolute(root);
    let dir = search_index_dir(&root, options.filter);
    let layout = load::walk_kb(&root, options.mode);
    let fingerprint = load::fingerprint(&root, &layout);
    let config = if search::tantivy_index::is_fresh(&dir, fingerprint) {
        match SiteConfig::load(&root, options.mode, options.base_url.as_deref()) {
            Ok((config, _)) => config,
            Err(diagnostics) => return Err(Failure::from(diagnostics, SourceTexts::default())),
        }
    } else {
        let loaded = load_site(&root, options)?;
        if let Err(e) = search::tantivy_index::update_index(
            &dir,
            &loaded.site,
            &loaded.vocabulary,
            loaded.fingerprint,
        ) {
            let diagnostic = Diagnostic::new(
                Code::CacheUnavailable,
                options.mode,
                format!("cannot write the search index in {}: {e}", dir.display()),
            )
            .help("check that the knowledge base's .hindsight/ folder is writable");
            return Err(Failure::from(vec![diagnostic], loaded.sources));
        }
        loaded.site.config
    };
    match search::tantivy_index::open_index(&dir) {
        Ok(index) => Ok((index, config)),
        Err(e) => Err(Failure::from(
            vec![
                Diagnostic::new(
                    Code::CacheUnavailable,
                    options.mode,
                    format!("cannot open the search index in {}: {e}", dir.display()),
                )
                .help("delete the .hindsight/ folder and try again"),
            ],
            SourceTexts::default(),
        )),
    }
}

/// What `build` needs beyond loading.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Loading options (mode is always `Build`).
    pub load: LoadOptions,
    /// Output folder; default `<root>/<output_dir from config>`.
    pub output: Option<PathBuf>,
}

/// What a successful build did.
pub struct BuildReport {
    /// The output folder.
    pub output: PathBuf,
    /// Postmortems published.
    pub published: usize,
    /// Pages rendered.
    pub pages: usize,
    /// Files written, unchanged and deleted.
    pub stats: WriteStatsView,
    /// Postmortem files, and how many were not parsed again (see [`parse_cache`]).
    pub parsed_files: (usize, usize),
    /// Pages a change did not affect, kept as published instead of rendered again (see
    /// [`output::page_record`]).
    pub kept_pages: usize,
    /// Warnings found.
    pub diagnostics: Vec<Diagnostic>,
    /// Texts of the files the warnings point into.
    pub sources: SourceTexts,
    /// Per-stage wall time.
    pub timings: Timings,
    /// Whether nothing had changed since the last build into the same folder, so nothing was
    /// built (see [`output::up_to_date`]).
    pub up_to_date: bool,
}

pub use output::WriteStats as WriteStatsView;

/// Build the site of the knowledge base at `root`.
pub fn build(root: &Path, options: &BuildOptions) -> Result<BuildReport, Failure> {
    let root = output::location::absolute(root);
    let cache_dir = cache_dir(&root);
    let record_options = output::up_to_date::options_of(options);
    let input_key = output::up_to_date::input_key(&root, &record_options, options.load.build_date);
    if let Some(key) = input_key
        && let Some(report) = already_built(&root, &cache_dir, options, &record_options, key)
    {
        return Ok(report);
    }
    let loaded = load_site(&root, &options.load)?;
    let LoadedSite {
        site,
        derived,
        vocabulary,
        fingerprint,
        parsed_files,
        file_keys,
        static_files,
        templates,
        diagnostics,
        sources,
        mut timings,
    } = loaded;
    let mut clock = Instant::now();
    let mode = options.load.mode;
    let fail = |message: String, help: &str, diagnostics: &[Diagnostic], sources: SourceTexts| {
        let mut all = diagnostics.to_vec();
        all.push(Diagnostic::new(Code::InvalidOutput, mode, message).help(help));
        Failure::from(all, sources)
    };
    let output = output::location::absolute(
        &options.output.clone().unwrap_or_else(|| root.join(&site.config.output_dir)),
    );
    if let Err(why) = output::location::check_output_dir(&root, &output, &cache_dir) {
        return Err(fail(
            why,
            "choose another folder with --output, or remove this one",
            &diagnostics,
            sources,
        ));
    }
    let tera = match render::templates::load_templates(&templates, mode) {
        Ok(tera) => tera,
        Err(problems) => {
            let mut all = diagnostics;
            all.extend(problems);
            return Err(Failure::from(all, sources));
        }
    };
    timings.record("prepare", &mut clock);
    let index =
        search::static_index::StaticIndex::new(&site, &vocabulary, &site.config.search.synonyms);
    timings.record("search plan", &mut clock);
    let index_dir = search_index_dir(&root, options.load.filter);
    let mut diagnostics = diagnostics;
    if let Err(e) = search::tantivy_index::update_index(&index_dir, &site, &vocabulary, fingerprint)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::CacheUnavailable,
                mode,
                format!("could not update the search index in {}: {e}", index_dir.display()),
            )
            .help("`hindsight search` rebuilds it when it can write the cache folder; the site is not affected"),
        );
    }
    timings.record("tantivy index", &mut clock);
    let pages = render::pages::plan_pages(&site, &derived);
    let page_count = pages.len();
    let mut plan = output::OutputPlan::new(&root, &site, &derived, pages, &static_files);
    let collisions = plan.collisions(mode);
    if !collisions.is_empty() {
        let mut all = diagnostics;
        all.extend(collisions);
        return Err(Failure::from(all, sources));
    }
    // Pages a change did not affect are kept as the published folder has them.
    let config_text = sources.get(config::CONFIG_FILE).unwrap_or_default();
    let render_key = output::page_record::render_key(
        &config_text,
        &record_options,
        options.load.build_date,
        &templates,
    );
    let metas = output::page_record::meta_hashes(&site);
    let related = output::page_record::related_hash(&site, &derived);
    let record = render_key
        .zip(output::manifest::folder_identity(&output))
        .and_then(|(key, id)| output::page_record::PageRecord::load(&cache_dir, &id, key));
    let signatures = match &record {
        Some(record) => {
            let changes = record.changes(&site, &file_keys, (&metas, related));
            let before = record.signatures();
            let mut selection =
                render::affected::Selection::for_build(&site, &derived, &before, &changes);
            plan.keep_pages(|path, page| selection.wants(path, page));
            selection.after
        }
        None => render::affected::signatures(plan.pages(), &site, &derived),
    };
    timings.record("select pages", &mut clock);
    let index = match &record {
        Some(record) => index.reusing(record.index_hashes()),
        None if render_key.is_some() => index.recording(),
        None => index,
    };
    let ctx = render::pages::RenderContext::new(
        tera,
        &site,
        &derived,
        search::static_index::manifest_json(&index.manifest),
    );
    let writer = match output::OutputWriter::new(&output, &cache_dir) {
        Ok(w) if record.is_some() => w.keeping(),
        Ok(w) => w,
        Err(e) => {
            return Err(fail(
                format!("cannot prepare the output folder: {e}"),
                "check permissions and free space",
                &diagnostics,
                sources,
            ));
        }
    };
    let kept_pages = match plan.write(&ctx, &writer, Some(&index)) {
        Ok(kept) => kept,
        Err(output::WriteError::Render(e)) => {
            let mut all = diagnostics;
            all.push(
                Diagnostic::new(Code::InvalidTemplate, mode, e)
                    .help("fix the template named above; the previous site was left untouched"),
            );
            return Err(Failure::from(all, sources));
        }
        Err(output::WriteError::Output(e)) => {
            let help = "the previous site was left untouched";
            return Err(fail(e, help, &diagnostics, sources));
        }
    };
    timings.record("render, index, write", &mut clock);
    let stats = match writer.finish() {
        Ok(stats) => stats,
        Err(e) => {
            return Err(fail(
                format!("cannot finish the output: {e}"),
                "check permissions and free space",
                &diagnostics,
                sources,
            ));
        }
    };
    timings.record("swap", &mut clock);
    if let Some(key) = render_key
        && let Some(identity) = output::manifest::folder_identity(&output)
    {
        let index = index.shard_hashes();
        output::page_record::PageRecord::new(
            key,
            &site,
            &file_keys,
            (&metas, related),
            &signatures,
            index,
        )
        .save(&cache_dir, &identity);
    }
    if let Some(identity) = output::manifest::folder_identity(&output)
        && let Some(input_key) = input_key
    {
        let record = output::up_to_date::BuildRecord {
            key: format!("{input_key:032x}"),
            output: output.clone(),
            identity,
            fingerprint: format!("{fingerprint:032x}"),
            published: site.incidents.len(),
            pages: page_count,
            files: stats.written + stats.unchanged,
            diagnostics: diagnostics
                .iter()
                .map(output::up_to_date::RecordedDiagnostic::of)
                .collect(),
            texts: sources.iter().map(|(f, t)| (f.to_string(), t)).collect(),
        };
        output::up_to_date::save(&cache_dir, &record_options, &record);
    }
    Ok(BuildReport {
        output,
        published: site.incidents.len(),
        pages: page_count,
        kept_pages,
        stats,
        parsed_files,
        diagnostics,
        sources,
        timings,
        up_to_date: false,
    })
}

/// The report of the last build, when nothing changed since (sources, options, binary, the
/// output folder, the search index).
fn already_built(
    root: &Path,
    cache_dir: &Path,
    options: &BuildOptions,
    record_options: &[String],
    input_key: u128,
) -> Option<BuildReport> {
    let mut clock = Instant::now();
    let record = output::up_to_date::up_to_date(cache_dir, record_options, input_key)?;
    let fingerprint = u128::from_str_radix(&record.fingerprint, 16).ok()?;
    if !search::tantivy_index::is_fresh(&search_index_dir(root, options.load.filter), fingerprint) {
        return None;
    }
    let diagnostics: Vec<Diagnostic> =
        record.diagnostics.iter().map(|d| d.restore()).collect::<Option<_>>()?;
    let mut timings = Timings::default();
    timings.record("up to date", &mut clock);
    Some(BuildReport {
        sources: output::up_to_date::texts_of(&record),
        output: record.output,
        published: record.published,
        pages: record.pages,
        stats: WriteStatsView { written: 0, unchanged: record.files, deleted: 0 },
        parsed_files: (0, 0),
        kept_pages: record.pages,
        diagnostics,
        timings,
        up_to_date: true,
    })
}
