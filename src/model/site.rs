//! [`Site`]: the configuration and the postmortems a build publishes, newest first, with the
//! lookups later stages need.

use std::collections::HashMap;

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
    /// Whether `incident` is published by this build.
    pub fn publishes(&self, incident: &Incident) -> bool {
        (self.include_drafts || incident.status == Status::Published)
            && (!self.public_only || incident.visibility == Visibility::Public)
    }
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
    by_slug: HashMap<String, usize>,
    by_source: HashMap<String, usize>,
}

impl Site {
    /// Keep the incidents `filter` publishes, newest first.
    pub fn new(
        config: SiteConfig,
        build_date: Date,
        all: Vec<Incident>,
        filter: BuildFilter,
    ) -> Site {
        let mut incidents: Vec<Incident> =
            all.into_iter().filter(|i| filter.publishes(i)).collect();
        incidents.sort_by(|a, b| b.date().cmp(&a.date()).then_with(|| a.slug.cmp(&b.slug)));
        let by_slug = incidents.iter().enumerate().map(|(i, inc)| (inc.slug.clone(), i)).collect();
        let by_source =
            incidents.iter().enumerate().map(|(i, inc)| (inc.source.clone(), i)).collect();
        Site { config, build_date, incidents, by_slug, by_source }
    }

    /// The published incident with `slug`.
    pub fn by_slug(&self, slug: &str) -> Option<usize> {
        self.by_slug.get(slug).copied()
    }

    /// The page URL (relative to the site root) of the published postmortem whose source file
    /// is `source` (root-relative).
    pub fn url_of_source(&self, source: &str) -> Option<String> {
        self.by_source.get(source).map(|&i| self.incidents[i].url_path())
    }
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
