//! Which pages a change affects. Each page that lists postmortems gets a signature: a hash of
//! the postmortems it shows (and whatever else of theirs it shows, such as a related-incident
//! reason or how many a list holds). After a change, a page is rendered again when its
//! signature changed, or when it shows a postmortem whose front matter changed; a postmortem's
//! own page whenever its file changed. Pages of site-wide numbers are rendered again when any
//! front matter changed, the heavy ones (exports, feeds, the action tracker, stats) in `serve`
//! only when the site settles. `serve` keeps the signatures in memory; `build` keeps them with
//! the published folder (see [`crate::output::page_record`]).

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use crate::derive::Derived;
use crate::model::{Incident, Site};
use crate::render::pages::{Page, Taxonomy};

/// Output path → signature of the pages that list postmortems.
pub type Signatures = FxHashMap<String, u64>;

/// What changed since pages were last rendered.
#[derive(Debug, Default)]
pub struct Changes {
    /// Sources of the postmortem files re-read (their own pages change).
    pub files: HashSet<String>,
    /// Sources of the postmortems whose front matter (what other pages show of them)
    /// changed, appeared or disappeared.
    pub meta: HashSet<String>,
    /// Whether any postmortem's related incidents changed (the export lists them).
    pub related: bool,
}

/// A hash of everything of a postmortem that pages other than its own show.
pub fn meta_hash(incident: &Incident) -> u64 {
    use std::fmt::Write as _;
    /// Hashes what is formatted into it (no string is built).
    struct Hashing(FxHasher);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    let mut h = Hashing(FxHasher::default());
    let _ = write!(
        h,
        "{:?}{:?}",
        (
            &incident.slug,
            &incident.title,
            &incident.timeline,
            &incident.severity,
            &incident.status,
            &incident.visibility,
            &incident.summary,
            &incident.services,
        ),
        (
            &incident.tags,
            &incident.authors,
            &incident.aliases,
            &incident.related,
            &incident.impact,
            &incident.lessons,
            &incident.actions,
            &incident.extra,
        )
    );
    h.0.finish()
}

/// Pages whose content is the whole site's, expensive to render on a large knowledge base:
/// brought up to date when the site settles, not on every save.
pub fn is_heavy(page: &Page) -> bool {
    matches!(
        page,
        Page::Json | Page::Sitemap | Page::Feed { tag: None } | Page::Actions { .. } | Page::Stats
    )
}

/// The postmortems (by index) a page shows, and a hash of anything else of theirs it shows;
/// `None` for pages of site-wide content.
fn members(page: &Page, site: &Site, derived: &Derived) -> Option<(Vec<usize>, u64)> {
    let size = site.config.lists.page_size.max(1);
    let slice = |list: &[usize], page: usize| -> Vec<usize> {
        list.iter().skip((page - 1) * size).take(size).copied().collect()
    };
    let mut extra = FxHasher::default();
    let shown = match page {
        Page::Incident(i) => {
            let i = *i;
            let mut shown = vec![i];
            // Previous and next links.
            shown.extend(i.checked_sub(1));
            if i + 1 < site.incidents.len() {
                shown.push(i + 1);
            }
            for r in &derived.related[i] {
                shown.push(r.incident);
                r.reason.hash(&mut extra);
            }
            // Links to other postmortems point at their pages.
            for link in &site.incidents[i].body.source_links {
                site.url_of_source(&link.target).hash(&mut extra);
                shown.extend(site.index_of_source(&link.target));
            }
            for position in &derived.path_positions[i] {
                let path = &derived.paths[position.path].incidents;
                path.len().hash(&mut extra);
                shown.extend(position.index.checked_sub(1).map(|p| path[p]));
                shown.extend(path.get(position.index + 1).copied());
            }
            shown
        }
        Page::PostmortemIndex { page } => {
            let n = site.incidents.len();
            // It shows how many there are in each year (and so in all).
            for year in &derived.years {
                (year.slug.as_str(), year.incidents.len()).hash(&mut extra);
            }
            ((page - 1) * size..(page * size).min(n)).collect()
        }
        Page::Term { taxonomy, term, page } => {
            let t = &taxonomy.terms(derived)[*term];
            (t.title.as_str(), t.incidents.len()).hash(&mut extra);
            if *taxonomy == Taxonomy::Services {
                // A service page shows its counts by year and median time to resolve.
                return Some((t.incidents.clone(), extra.finish()));
            }
            slice(&t.incidents, *page)
        }
        Page::Theme { theme, page } => {
            let theme = &derived.themes[*theme];
            let size = crate::render::pages::lessons_page_size(site);
            let lessons: Vec<(usize, usize)> =
                theme.lessons.iter().skip((page - 1) * size).take(size).copied().collect();
            (lessons.as_slice(), theme.lessons.len(), theme.postmortem_count()).hash(&mut extra);
            lessons.iter().map(|(i, _)| *i).collect()
        }
        Page::Path(p) => derived.paths[*p].incidents.clone(),
        Page::Feed { tag: Some(t) } => {
            derived.tags[*t].title.hash(&mut extra);
            derived.tags[*t].incidents.iter().take(20).copied().collect()
        }
        Page::Alias { incident, .. } => vec![*incident],
        _ => return None,
    };
    Some((shown, extra.finish()))
}

/// Each incident's identity on pages that show it (source and slug), hashed once.
fn identities(site: &Site) -> Vec<u64> {
    site.incidents
        .iter()
        .map(|incident| {
            let mut h = FxHasher::default();
            (incident.source.as_str(), incident.slug.as_str()).hash(&mut h);
            h.finish()
        })
        .collect()
}

/// The signature of a page: the identities of what it shows, in order, and `extra`.
fn signature(shown: &[usize], extra: u64, identities: &[u64]) -> u64 {
    let mut h = FxHasher::default();
    extra.hash(&mut h);
    for &i in shown {
        identities[i].hash(&mut h);
    }
    h.finish()
}

/// Decides, page by page, what a rebuild renders.
pub struct Selection<'a> {
    site: &'a Site,
    derived: &'a Derived,
    before: &'a Signatures,
    changes: &'a Changes,
    /// Incident indices of `changes.meta`.
    meta: FxHashSet<usize>,
    identities: Vec<u64>,
    /// Whether the site is settling (heavy pages are rendered too).
    settling: bool,
    /// Whether the search index is written too (with the pages that inline its manifest).
    with_index: bool,
    /// The signatures of the rebuilt site, filled in by [`Selection::wants`].
    pub after: Signatures,
}

impl<'a> Selection<'a> {
    /// A selection for a rebuilt site, given the signatures before and what changed.
    pub fn new(
        site: &'a Site,
        derived: &'a Derived,
        before: &'a Signatures,
        changes: &'a Changes,
        settling: bool,
    ) -> Selection<'a> {
        let meta = changes.meta.iter().filter_map(|s| site.index_of_source(s)).collect();
        let after = Signatures::default();
        let identities = identities(site);
        Selection {
            site,
            derived,
            before,
            changes,
            meta,
            identities,
            settling,
            with_index: false,
            after,
        }
    }

    /// A selection for a build, which writes the search index and every heavy page that
    /// changed (see [`Selection::new`]).
    pub fn for_build(
        site: &'a Site,
        derived: &'a Derived,
        before: &'a Signatures,
        changes: &'a Changes,
    ) -> Selection<'a> {
        Selection { with_index: true, ..Selection::new(site, derived, before, changes, true) }
    }

    /// Whether `page`, at output path `path`, must be rendered again. Records its signature.
    pub fn wants(&mut self, path: &str, page: &Page) -> bool {
        let Some((shown, extra)) = members(page, self.site, self.derived) else {
            let meta = !self.changes.meta.is_empty();
            return match page {
                // Rendered with the search index.
                Page::NotFound | Page::Search => self.with_index,
                Page::Json => self.settling && (meta || self.changes.related),
                _ if is_heavy(page) => self.settling && meta,
                _ => meta,
            };
        };
        let signature = signature(&shown, extra, &self.identities);
        self.after.insert(path.to_string(), signature);
        if let Page::Incident(i) = page
            && self.changes.files.contains(&self.site.incidents[*i].source)
        {
            return true;
        }
        shown.iter().any(|i| self.meta.contains(i)) || self.before.get(path) != Some(&signature)
    }
}

/// The signatures of every page of a freshly rendered site.
pub fn signatures<'p>(
    pages: impl Iterator<Item = (&'p str, &'p Page)>,
    site: &Site,
    derived: &Derived,
) -> Signatures {
    use rayon::prelude::*;
    let identities = identities(site);
    let pages: Vec<(&str, &Page)> = pages.collect();
    let signed: Vec<(String, u64)> = pages
        .par_iter()
        .filter_map(|(path, page)| {
            let (shown, extra) = members(page, site, derived)?;
            Some((path.to_string(), signature(&shown, extra, &identities)))
        })
        .collect();
    signed.into_iter().collect()
}
