//! Stage 4: compute what the pages around the postmortems show, once: taxonomies, lesson
//! themes, reading paths, related incidents, the action tracker and the stats. Everything here
//! is derived from the published [`Site`], so a `--public` build derives only from public
//! postmortems.

pub mod actions;
pub mod lesson_themes;
pub mod metrics;
pub mod reading_paths;
pub mod related;
pub mod taxonomy;

use crate::diagnostics::{Diagnostic, Mode};
use crate::model::Site;
use crate::search::document::SearchVocabulary;

pub use actions::{ActionOwner, ActionRef};
pub use lesson_themes::LessonTheme;
pub use metrics::Metrics;
pub use reading_paths::{PathPosition, ReadingPath};
pub use related::Related;
pub use taxonomy::Term;

/// Everything derived from the site.
#[derive(Clone, Debug, Default)]
pub struct Derived {
    /// Tags, by slug.
    pub tags: Vec<Term>,
    /// Services, by slug.
    pub services: Vec<Term>,
    /// Severities of the scale, most severe first.
    pub severities: Vec<Term>,
    /// Years, newest first.
    pub years: Vec<Term>,
    /// Learning themes, by slug.
    pub themes: Vec<LessonTheme>,
    /// Reading paths, in configured order.
    pub paths: Vec<ReadingPath>,
    /// Per incident, its places on reading paths.
    pub path_positions: Vec<Vec<PathPosition>>,
    /// Per incident, its related incidents.
    pub related: Vec<Vec<Related>>,
    /// Every action, overdue and open first.
    pub actions: Vec<ActionRef>,
    /// Owners of actions, by slug.
    pub action_owners: Vec<ActionOwner>,
    /// Numbers for the stats and service pages.
    pub metrics: Metrics,
}

/// Derive everything from `site`. `config_text` is hindsight.toml's text, for pointing at
/// reading-path entries.
pub fn derive_site(
    site: &Site,
    vocabulary: &SearchVocabulary,
    config_text: &str,
    mode: Mode,
) -> (Derived, Vec<Diagnostic>) {
    derive_site_reusing(site, vocabulary, config_text, mode, None)
}

/// What a quick rebuild keeps from the previous derivation (see [`derive_site_reusing`]).
pub struct Reuse {
    /// Related incidents, already indexed into the new site.
    pub related: Vec<Vec<Related>>,
    /// The previous stats, and the slugs of the services they were computed for.
    pub metrics: (Metrics, Vec<String>),
}

/// [`derive_site`], but keeping the related incidents and the stats of `reuse` when given
/// (the expensive parts, for `serve`'s quick rebuilds; the stats only while the services are
/// the same).
pub fn derive_site_reusing(
    site: &Site,
    vocabulary: &SearchVocabulary,
    config_text: &str,
    mode: Mode,
    reuse: Option<Reuse>,
) -> (Derived, Vec<Diagnostic>) {
    let tags = taxonomy::derive_tags(site);
    let services = taxonomy::derive_services(site);
    let (paths, mut diagnostics) = reading_paths::derive_reading_paths(site, config_text, mode);
    let (related, previous_metrics) = match reuse {
        None => {
            let (related, related_problems) = related::derive_related(site, vocabulary, mode);
            diagnostics.extend(related_problems);
            (related, None)
        }
        Some(Reuse { related, metrics: (metrics, slugs) }) => {
            let same = slugs.len() == services.len()
                && slugs.iter().zip(&services).all(|(a, b)| *a == b.slug);
            (related, same.then_some(metrics))
        }
    };
    let metrics = previous_metrics.unwrap_or_else(|| metrics::derive_metrics(site, &services));
    let actions = actions::derive_actions(site);
    let derived = Derived {
        severities: taxonomy::derive_severities(site),
        years: taxonomy::derive_years(site),
        themes: lesson_themes::derive_lesson_themes(site),
        path_positions: reading_paths::path_positions(&paths, site.incidents.len()),
        paths,
        related,
        action_owners: actions::derive_action_owners(site, &actions),
        actions,
        metrics,
        tags,
        services,
    };
    (derived, diagnostics)
}
