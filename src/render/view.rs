//! View structs: what templates receive. Built from the model here and only here, so templates
//! never see model types and every derived string (dates, durations, URLs) is made once.
//! URLs are relative to the site root (`postmortems/x/`); templates prefix them with `root`,
//! the relative path from the current page to the root, so the site works under any base
//! path and from `file://`.

use serde::Serialize;

use crate::model::dates::{format_date, format_datetime_utc, format_duration, format_human_date};
use crate::model::slug::slugify;
use crate::model::{Incident, Site};
use crate::render::markdown::TocEntry;

/// The site-wide values every template gets as `site`.
#[derive(Clone, Debug, Serialize)]
pub struct SiteView {
    /// Site title.
    pub title: String,
    /// Site description.
    pub description: String,
    /// Absolute base URL with a trailing slash.
    pub base_url: String,
    /// The build date, `YYYY-MM-DD`.
    pub build_date: String,
    /// The severity scale, most severe first.
    pub severities: Vec<String>,
    /// hindsight's version, for the generator meta tag.
    pub generator: String,
    /// Whether any reading path is configured (the navigation shows Paths).
    pub has_paths: bool,
}

impl SiteView {
    /// The view of `site`.
    pub fn new(site: &Site, derived: &crate::derive::Derived) -> Self {
        SiteView {
            title: site.config.title.clone(),
            description: site.config.description.clone(),
            base_url: crate::model::base_url::with_trailing_slash(&site.config.base_url),
            build_date: format_date(site.build_date),
            severities: site.config.severities.clone(),
            generator: format!("hindsight {}", env!("CARGO_PKG_VERSION")),
            has_paths: !derived.paths.is_empty(),
        }
    }
}

/// A link to a taxonomy term (tag, service, theme) with its display title.
#[derive(Clone, Debug, Serialize)]
pub struct TermLink {
    /// The term as written.
    pub name: String,
    /// Display title.
    pub title: String,
    /// URL relative to the site root.
    pub url: String,
}

/// A severity as shown on a badge.
#[derive(Clone, Debug, Serialize)]
pub struct SeverityView {
    /// Name, e.g. `SEV1`.
    pub name: String,
    /// 0 = most severe; drives the badge colour.
    pub rank: usize,
    /// URL of the severity's page, relative to the site root.
    pub url: String,
}

/// A postmortem in a list: everything a card shows.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentCard {
    /// Title.
    pub title: String,
    /// URL relative to the site root.
    pub url: String,
    /// Slug.
    pub slug: String,
    /// Severity, if rated.
    pub severity: Option<SeverityView>,
    /// `draft`, `review` or `published`.
    pub status: &'static str,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `14 Mar 2024`.
    pub date_human: String,
    /// Year impact started.
    pub year: i32,
    /// Time to resolve, e.g. `1h 48m`, when known.
    pub duration: Option<String>,
    /// Summary text.
    pub summary: String,
    /// Services, linked.
    pub services: Vec<TermLink>,
    /// Tags, linked.
    pub tags: Vec<TermLink>,
    /// Open actions.
    pub open_actions: usize,
    /// Overdue actions.
    pub overdue_actions: usize,
}

/// URL of a tag's page.
pub fn tag_url(tag: &str) -> String {
    format!("tags/{}/", slugify(tag))
}

/// URL of a service's page.
pub fn service_url(service: &str) -> String {
    format!("services/{}/", slugify(service))
}

/// URL of a severity's page.
pub fn severity_url(severity: &str) -> String {
    format!("severity/{}/", slugify(severity))
}

/// URL of a lesson theme's page.
pub fn theme_url(theme: &str) -> String {
    format!("lessons/{}/", slugify(theme))
}

/// URL of a year's page.
pub fn year_url(year: i32) -> String {
    format!("years/{year}/")
}

impl IncidentCard {
    /// The card of `incident`.
    pub fn new(incident: &Incident, site: &Site) -> Self {
        IncidentCard {
            title: incident.title.clone(),
            url: incident.url_path(),
            slug: incident.slug.clone(),
            severity: incident.severity.as_ref().map(|s| SeverityView {
                name: s.name.clone(),
                rank: s.rank,
                url: severity_url(&s.name),
            }),
            status: incident.status.as_str(),
            date: format_date(incident.date().date()),
            date_human: format_human_date(incident.date().date()),
            year: incident.year(),
            duration: incident.timeline.time_to_resolve().map(format_duration),
            summary: incident.summary.clone(),
            services: incident
                .services
                .iter()
                .map(|s| TermLink { name: s.clone(), title: s.clone(), url: service_url(s) })
                .collect(),
            tags: incident
                .tags
                .iter()
                .map(|t| TermLink {
                    name: t.clone(),
                    title: site.config.tag_title(t),
                    url: tag_url(t),
                })
                .collect(),
            open_actions: incident.open_actions(),
            overdue_actions: incident.overdue_actions(),
        }
    }
}

/// A milestone of the timeline, with its offset from the start.
#[derive(Clone, Debug, Serialize)]
pub struct MilestoneView {
    /// `started`, `detected`, `mitigated` or `resolved`.
    pub name: &'static str,
    /// `2024-03-14 09:41 UTC`.
    pub at: String,
    /// RFC 3339, for `<time datetime>`.
    pub datetime: String,
    /// `T+9m` (empty for the start).
    pub offset: String,
    /// Horizontal position on the timeline bar (SVG units, 20 to 980).
    pub x: f64,
}

/// A stretch of the timeline bar between two milestones.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentView {
    /// Start, in SVG units.
    pub x1: f64,
    /// End, in SVG units.
    pub x2: f64,
    /// `undetected` (before detection), `impact` (until mitigated), `recovery` (until resolved).
    pub phase: &'static str,
}

/// The durations shown in the key facts.
#[derive(Clone, Debug, Serialize)]
pub struct DurationsView {
    /// Time to detect.
    pub detect: Option<String>,
    /// Time to mitigate.
    pub mitigate: Option<String>,
    /// Time to resolve.
    pub resolve: Option<String>,
}

/// A lesson with its theme linked.
#[derive(Clone, Debug, Serialize)]
pub struct LessonView {
    /// Theme.
    pub theme: TermLink,
    /// What we learned.
    pub text: String,
}

/// An action item.
#[derive(Clone, Debug, Serialize)]
pub struct ActionView {
    /// What is to be done.
    pub title: String,
    /// Owning team.
    pub owner: Option<String>,
    /// `open`, `done` or `wontfix`.
    pub status: &'static str,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    /// Open and past due.
    pub overdue: bool,
    /// Tracker link.
    pub url: Option<String>,
}

/// A plain link with a title (previous/next, breadcrumbs).
#[derive(Clone, Debug, Serialize)]
pub struct LinkView {
    /// Link text.
    pub title: String,
    /// URL relative to the site root.
    pub url: String,
}

/// Everything the postmortem page shows.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentView {
    /// The card fields.
    #[serde(flatten)]
    pub card: IncidentCard,
    /// Customer impact.
    pub impact: Option<String>,
    /// Authoring teams.
    pub authors: Vec<String>,
    /// `2024-03-14 09:32 UTC`.
    pub started_at: String,
    /// Milestones in order.
    pub milestones: Vec<MilestoneView>,
    /// The timeline bar's stretches between milestones.
    pub segments: Vec<SegmentView>,
    /// Time to detect, mitigate, resolve.
    pub durations: DurationsView,
    /// Lessons.
    pub lessons: Vec<LessonView>,
    /// Actions.
    pub actions: Vec<ActionView>,
    /// Table of contents of the body.
    pub toc: Vec<TocEntry>,
    /// The body HTML (already sanitized).
    pub body: String,
    /// Related postmortems, explicit ones first, each with why.
    pub related: Vec<RelatedView>,
    /// This postmortem's places on reading paths.
    pub paths: Vec<PathPositionView>,
    /// The older postmortem.
    pub previous: Option<LinkView>,
    /// The newer postmortem.
    pub next: Option<LinkView>,
    /// Source file, relative to the root.
    pub source: String,
    /// `[extra]` as written.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The page's table of contents: the body's headings, then the page's own lessons and action
/// sections unless the body already has headings of those names.
fn page_toc(incident: &Incident) -> Vec<TocEntry> {
    let mut toc = incident.body.toc.clone();
    let has =
        |toc: &[TocEntry], word: &str| toc.iter().any(|e| e.title.to_lowercase().starts_with(word));
    if !incident.lessons.is_empty() && !has(&toc, "lesson") {
        toc.push(TocEntry { level: 2, id: "hs-lessons".into(), title: "Lessons".into() });
    }
    if !incident.actions.is_empty() && !has(&toc, "action") {
        toc.push(TocEntry { level: 2, id: "hs-actions".into(), title: "Action items".into() });
    }
    toc
}

/// Offset label: `T+9m`.
fn offset_label(d: time::Duration) -> String {
    format!("T+{}", format_duration(d))
}

impl IncidentView {
    /// The page view of the incident at `index` in `site.incidents`, with `body` (links resolved).
    pub fn new(site: &Site, derived: &crate::derive::Derived, index: usize, body: String) -> Self {
        let incident = &site.incidents[index];
        let t = &incident.timeline;
        let total =
            t.milestones().last().map_or(0, |(_, at)| (*at - t.start).whole_seconds()).max(1)
                as f64;
        let milestones: Vec<MilestoneView> = t
            .milestones()
            .into_iter()
            .map(|(name, at)| {
                let offset = at - t.start;
                MilestoneView {
                    name,
                    at: format_datetime_utc(at),
                    datetime: crate::model::dates::format_rfc3339(at, false),
                    offset: if name == "started" { String::new() } else { offset_label(offset) },
                    // A square-root scale: a 9-minute gap before detection stays visible
                    // next to a 20-hour recovery; the labels give the exact offsets.
                    x: 20.0
                        + ((offset.whole_seconds() as f64 / total).sqrt() * 9600.0).round() / 10.0,
                }
            })
            .collect();
        let segments = milestones
            .windows(2)
            .map(|w| SegmentView {
                x1: w[0].x,
                x2: w[1].x,
                phase: match w[1].name {
                    "detected" => "undetected",
                    "mitigated" => "impact",
                    _ => "recovery",
                },
            })
            .collect();
        let link = |i: usize| {
            let other = &site.incidents[i];
            LinkView { title: other.title.clone(), url: other.url_path() }
        };
        // Incidents are newest first: the next (newer) one is at index - 1.
        let next = index.checked_sub(1).map(link);
        let previous = (index + 1 < site.incidents.len()).then(|| link(index + 1));
        IncidentView {
            card: IncidentCard::new(incident, site),
            impact: incident.impact.clone(),
            authors: incident.authors.clone(),
            started_at: format_datetime_utc(t.start),
            milestones,
            segments,
            durations: DurationsView {
                detect: t.time_to_detect().map(format_duration),
                mitigate: t.time_to_mitigate().map(format_duration),
                resolve: t.time_to_resolve().map(format_duration),
            },
            lessons: incident
                .lessons
                .iter()
                .map(|l| LessonView {
                    theme: TermLink {
                        name: l.theme.clone(),
                        title: site.config.theme_title(&l.theme),
                        url: theme_url(&l.theme),
                    },
                    text: l.text.clone(),
                })
                .collect(),
            actions: incident
                .actions
                .iter()
                .map(|a| ActionView {
                    title: a.title.clone(),
                    owner: a.owner.clone(),
                    status: a.status.as_str(),
                    due: a.due.map(format_date),
                    overdue: a.overdue,
                    url: a.url.clone(),
                })
                .collect(),
            toc: page_toc(incident),
            body,
            related: derived.related[index]
                .iter()
                .map(|r| {
                    let other = &site.incidents[r.incident];
                    RelatedView {
                        title: other.title.clone(),
                        url: other.url_path(),
                        reason: r.reason.clone(),
                        severity: other.severity.as_ref().map(|s| SeverityView {
                            name: s.name.clone(),
                            rank: s.rank,
                            url: severity_url(&s.name),
                        }),
                        date_human: format_human_date(other.date().date()),
                    }
                })
                .collect(),
            paths: derived.path_positions[index]
                .iter()
                .map(|pos| {
                    let path = &derived.paths[pos.path];
                    let link = |k: usize| {
                        let other = &site.incidents[path.incidents[k]];
                        LinkView { title: other.title.clone(), url: other.url_path() }
                    };
                    PathPositionView {
                        title: path.title.clone(),
                        url: format!("paths/{}/", path.slug),
                        part: pos.index + 1,
                        of: path.incidents.len(),
                        previous: pos.index.checked_sub(1).map(link),
                        next: (pos.index + 1 < path.incidents.len()).then(|| link(pos.index + 1)),
                    }
                })
                .collect(),
            previous,
            next,
            source: incident.source.clone(),
            extra: incident.extra.clone(),
        }
    }
}

/// A related postmortem and why.
#[derive(Clone, Debug, Serialize)]
pub struct RelatedView {
    /// Its title.
    pub title: String,
    /// Its URL, relative to the site root.
    pub url: String,
    /// Why it is related.
    pub reason: String,
    /// Its severity.
    pub severity: Option<SeverityView>,
    /// Its date, `14 Mar 2024`.
    pub date_human: String,
}

/// "Part 3 of 10 of Start here", with the neighbours along the path.
#[derive(Clone, Debug, Serialize)]
pub struct PathPositionView {
    /// The path's title.
    pub title: String,
    /// The path's URL.
    pub url: String,
    /// 1-based position.
    pub part: usize,
    /// Length of the path.
    pub of: usize,
    /// The previous postmortem on the path.
    pub previous: Option<LinkView>,
    /// The next postmortem on the path.
    pub next: Option<LinkView>,
}

/// The count of postmortems of one severity, for the home page.
#[derive(Clone, Debug, Serialize)]
pub struct SeverityCount {
    /// The severity.
    pub severity: SeverityView,
    /// How many published postmortems have it.
    pub count: usize,
}

/// A group of cards under a heading (a year, in long lists).
#[derive(Clone, Debug, Serialize)]
pub struct CardGroup {
    /// Heading, e.g. `2024`.
    pub title: String,
    /// Anchor id.
    pub id: String,
    /// The postmortems' cards (serialized [`IncidentCard`]s).
    pub items: Vec<tera::Value>,
}
