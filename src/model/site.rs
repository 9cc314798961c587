//! [`Site`]: the configuration and the postmortems a build publishes, newest first, with the
//! lookups later stages need.

use std::collections::{BTreeMap, HashMap, HashSet};

use time::Date;

use super::slug::collision_key;
use super::{Incident, Status, Visibility};
use crate::config::SiteConfig;
use crate::diagnostics::{Code, Diagnostic, Location, Mode};

/// Which postmortems a build publishes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildFilter {
    /// Include drafts and postmortems in review (`--drafts`).
    pub include_drafts: bool,
    /// Only `visibility = "public"` postmortems (`--public`).
    pub public_only: bool,
}

impl BuildFilter {
    /// A name for this selection of postmortems (the search cache keeps one index per name).
    pub fn variant(&self) -> &'static str {
        match (self.include_drafts, self.public_only) {
            (false, false) => "published",
            (true, false) => "drafts",
            (false, true) => "public",
            (true, true) => "public-drafts",
        }
    }

    /// Whether `incident` is published by this build.
    pub fn publishes(&self, incident: &Incident) -> bool {
        (self.include_drafts || incident.status == Status::Published)
            && (!self.public_only || incident.visibility == Visibility::Public)
    }
}

/// What a reference to a postmortem (a reading-path entry, a `related` slug) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Referent {
    /// A postmortem this build publishes (its index in `Site::incidents`).
    Published(usize),
    /// A valid postmortem this build leaves out (a draft, or internal in a public build).
    Unpublished,
    /// Nothing of that name.
    Unknown,
}

/// The published knowledge base.
#[derive(Debug)]
pub struct Site {
    /// `hindsight.toml`.
    pub config: SiteConfig,
    /// Build date: "today" for overdue actions and "on this day".
    pub build_date: Date,
    /// Published postmortems, newest first (ties by slug).
    pub incidents: Vec<Incident>,
    /// Slug or file stem → index in `incidents`.
    published: HashMap<String, usize>,
    /// Valid postmortems this build leaves out: source → slug.
    left_out: BTreeMap<String, String>,
    /// Slugs and file stems of `left_out`.
    unpublished: HashSet<String>,
    by_source: HashMap<String, usize>,
    filter: BuildFilter,
}

/// The file stem of a source path (`postmortems/2024/x.md` → `x`; a bundle's folder name).
fn source_stem(source: &str) -> &str {
    let path = source.strip_suffix("/index.md").unwrap_or(source);
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".markdown").or_else(|| name.strip_suffix(".md")).unwrap_or(name)
}

impl Site {
    /// Keep the incidents `filter` publishes, newest first.
    pub fn new(
        config: SiteConfig,
        build_date: Date,
        all: Vec<Incident>,
        filter: BuildFilter,
    ) -> Site {
        let mut site = Site {
            config,
            build_date,
            incidents: Vec::new(),
            published: HashMap::new(),
            left_out: BTreeMap::new(),
            unpublished: HashSet::new(),
            by_source: HashMap::new(),
            filter,
        };
        site.replace(&HashSet::new(), all);
        site
    }

    /// Replace the postmortems read from the files `sources` (re-read, changed, created or
    /// deleted) with `incidents`, the valid ones among them; for `serve`'s rebuilds.
    pub fn replace(&mut self, sources: &HashSet<String>, incidents: Vec<Incident>) {
        if !sources.is_empty() {
            self.incidents.retain(|i| !sources.contains(&i.source));
            self.left_out.retain(|source, _| !sources.contains(source));
        }
        for incident in incidents {
            if self.filter.publishes(&incident) {
                self.incidents.push(incident);
            } else {
                self.left_out.insert(incident.source.clone(), incident.slug.clone());
            }
        }
        self.incidents.sort_by(|a, b| b.date().cmp(&a.date()).then_with(|| a.slug.cmp(&b.slug)));
        self.published.clear();
        for (i, inc) in self.incidents.iter().enumerate() {
            self.published.entry(source_stem(&inc.source).to_string()).or_insert(i);
        }
        for (i, inc) in self.incidents.iter().enumerate() {
            self.published.insert(inc.slug.clone(), i);
        }
        self.unpublished = self
            .left_out
            .iter()
            .flat_map(|(source, slug)| [slug.clone(), source_stem(source).to_string()])
            .collect();
        self.by_source =
            self.incidents.iter().enumerate().map(|(i, inc)| (inc.source.clone(), i)).collect();
    }

    /// The index in `incidents` of the published postmortem read from `source`.
    pub fn index_of_source(&self, source: &str) -> Option<usize> {
        self.by_source.get(source).copied()
    }

    /// What `name` (a slug, or a file stem) refers to.
    pub fn resolve(&self, name: &str) -> Referent {
        match self.published.get(name) {
            Some(&i) => Referent::Published(i),
            None if self.unpublished.contains(name) => Referent::Unpublished,
            None => Referent::Unknown,
        }
    }

    /// The page URL (relative to the site root) of the published postmortem whose source file
    /// is `source` (root-relative).
    pub fn url_of_source(&self, source: &str) -> Option<String> {
        self.by_source.get(source).map(|&i| self.incidents[i].url_path())
    }
}

/// Of postmortems sharing a slug (an error reported by [`find_duplicate_slugs`]), keep the
/// first by source path, which stands in for the others so that the rest of the site still
/// builds and cross-file checks still run.
pub fn keep_first_per_slug(incidents: &mut Vec<Incident>) {
    incidents.sort_by(|a, b| a.source.cmp(&b.source));
    let mut seen = std::collections::HashSet::new();
    incidents.retain(|i| seen.insert(super::slug::collision_key(&i.slug)));
}

/// Two postmortems with the same slug (also when the slugs differ only by case or Unicode
/// normalization, which are one folder on macOS and Windows) are one error naming every file.
pub fn find_duplicate_slugs(incidents: &[Incident], mode: Mode) -> Vec<Diagnostic> {
    let mut groups: HashMap<String, Vec<&Incident>> = HashMap::new();
    for incident in incidents {
        groups.entry(collision_key(&incident.slug)).or_default().push(incident);
    }
    let mut problems: Vec<Diagnostic> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut group| {
            group.sort_by(|a, b| a.source.cmp(&b.source));
            let files: Vec<String> =
                group.iter().map(|i| format!("{} (slug `{}`)", i.source, i.slug)).collect();
            Diagnostic::new(
                Code::DuplicateOutput,
                mode,
                format!(
                    "{} postmortems would be published at the same URL: {}",
                    group.len(),
                    files.join(", ")
                ),
            )
            .help("give each one its own `slug = \"...\"`, or rename the files")
            .at(Location::whole_file(&group[0].source))
        })
        .collect();
    problems.sort_by(|a, b| a.message.cmp(&b.message));
    problems
}
