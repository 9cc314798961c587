//! Rendering each kind of [`Page`]: the template it uses and the data it receives (documented,
//! per template, in the README).

use serde::Serialize;
use tera::Value;

use super::pages::{
    ActionFilter, Page, RenderContext, Taxonomy, actions_page_size, lessons_page_size, page_count,
    paged_url,
};
use super::view::{CardGroup, IncidentView, SeverityView, service_url, theme_url};
use crate::model::ActionStatus;
use crate::model::dates::{format_date, format_duration, format_human_date};
use crate::model::slug::slugify;
use crate::render::markdown::resolve_links;

/// A link to one page of a paginated list.
#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

/// Links between the pages of a long list.
#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    previous: Option<String>,
    next: Option<String>,
    /// Labels of the previous and next links.
    previous_label: &'static str,
    next_label: &'static str,
    /// The first, last and nearby pages; `None` marks a gap ("…").
    pages: Vec<Option<PageLink>>,
}

fn pagination(base: &str, current: usize, total: usize) -> Pagination {
    let mut pages = Vec::new();
    let mut last_shown = 0;
    for n in 1..=total {
        if n == 1 || n == total || n.abs_diff(current) <= 2 {
            if n > last_shown + 1 {
                pages.push(None);
            }
            pages.push(Some(PageLink {
                number: n,
                url: paged_url(base, n),
                current: n == current,
            }));
            last_shown = n;
        }
    }
    Pagination {
        current,
        total,
        previous: (current > 1).then(|| paged_url(base, current - 1)),
        next: (current < total).then(|| paged_url(base, current + 1)),
        previous_label: "← Newer",
        next_label: "Older →",
        pages,
    }
}

/// A term (tag, service, theme, path) with its count, for index pages.
#[derive(Serialize)]
struct TermCount {
    name: String,
    title: String,
    url: String,
    count: usize,
    description: Option<String>,
}

/// A service's extra numbers.
#[derive(Serialize)]
struct ServiceView {
    by_year: Vec<(i32, usize)>,
    resolved: usize,
    median_resolve: Option<String>,
    p90_resolve: Option<String>,
    enough: bool,
    co_failing: Vec<TermCount>,
}

/// A lesson quoted on a theme page.
#[derive(Serialize)]
struct QuotedLesson {
    text: String,
    incident: Value,
}

/// A row of the action tracker.
#[derive(Serialize)]
struct ActionRow {
    title: String,
    owner: Option<String>,
    owner_slug: String,
    status: &'static str,
    due: Option<String>,
    overdue: bool,
    url: Option<String>,
    age_days: i64,
    incident_title: String,
    incident_url: String,
}

/// Days between the day and month of `d` and of `today`, around the turn of the year too
/// (30 December is 3 days from 2 January); 29 February counts as 28 February in other years.
fn days_apart_in_the_year(d: time::Date, today: time::Date) -> i64 {
    (today.year() - 1..=today.year() + 1)
        .filter_map(|year| {
            d.replace_year(year)
                .or_else(|_| time::Date::from_calendar_date(year, d.month(), 28))
                .ok()
        })
        .map(|moved| (moved - today).whole_days().abs())
        .min()
        .unwrap_or(i64::MAX)
}

/// A postmortem from a past year on "on this day".
#[derive(Serialize)]
struct PastIncident {
    years_ago: i32,
    incident: Value,
}

/// An entry of an Atom feed.
#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    published: String,
    updated: String,
    summary: String,
    categories: Vec<String>,
    severity: Option<String>,
}

/// Group `indices` (newest first) by year, as cards.
fn groups_by_year(ctx: &RenderContext<'_>, indices: &[usize]) -> Vec<CardGroup> {
    let mut groups: Vec<CardGroup> = Vec::new();
    for &i in indices {
        let year = ctx.site.incidents[i].year().to_string();
        match groups.last_mut() {
            Some(g) if g.title == year => g.items.push(ctx.cards[i].clone()),
            _ => groups.push(CardGroup {
                id: format!("y{year}"),
                title: year,
                items: vec![ctx.cards[i].clone()],
            }),
        }
    }
    groups
}

fn page_slice(indices: &[usize], page: usize, size: usize) -> &[usize] {
    let start = ((page - 1) * size).min(indices.len());
    &indices[start..(start + size).min(indices.len())]
}

fn counts(terms: &[crate::derive::Term], segment: &str) -> Vec<TermCount> {
    terms
        .iter()
        .map(|t| TermCount {
            name: t.name.clone(),
            title: t.title.clone(),
            url: format!("{segment}/{}/", t.slug),
            count: t.incidents.len(),
            description: t.description.clone(),
        })
        .collect()
}

/// Render `page`.
pub fn render_page(ctx: &RenderContext<'_>, page: &Page) -> Result<Vec<u8>, String> {
    let site = ctx.site;
    let derived = ctx.derived;
    let size = site.config.lists.page_size;
    match page {
        Page::Home => {
            let mut c = ctx.context(page, "home", &site.config.title, &site.config.description);
            c.insert("recent", &ctx.cards.iter().take(12).collect::<Vec<_>>());
            c.insert("total", &site.incidents.len());
            c.insert(
                "open_actions",
                &site.incidents.iter().map(|i| i.open_actions()).sum::<usize>(),
            );
            c.insert(
                "overdue_actions",
                &site.incidents.iter().map(|i| i.overdue_actions()).sum::<usize>(),
            );
            let severities: Vec<(SeverityView, usize)> = derived
                .severities
                .iter()
                .enumerate()
                .map(|(rank, t)| {
                    (
                        SeverityView {
                            name: t.name.clone(),
                            rank,
                            url: format!("severity/{}/", t.slug),
                        },
                        t.incidents.len(),
                    )
                })
                .collect();
            c.insert("severity_counts", &severities);
            c.insert("paths", &path_counts(ctx));
            let mut themes = theme_counts(ctx);
            themes.sort_by(|a, b| b.count.cmp(&a.count).then(a.title.cmp(&b.title)));
            themes.truncate(8);
            c.insert("themes", &themes);
            c.insert("years", &counts(&derived.years, "years"));
            ctx.render_template("index.html", &c)
        }
        Page::PostmortemIndex { page: n } => {
            let all = site.incidents.len();
            let shown: Vec<usize> = ((n - 1) * size..(n * size).min(all)).collect();
            let mut c =
                ctx.context(page, "list", "All postmortems", "Every postmortem, newest first.");
            c.insert("groups", &groups_by_year(ctx, &shown));
            c.insert("count", &all);
            c.insert("pagination", &pagination("postmortems/", *n, page_count(all, size)));
            c.insert("years", &counts(&derived.years, "years"));
            ctx.render_template("postmortems.html", &c)
        }
        Page::Incident(i) => {
            let incident = &site.incidents[*i];
            let body = resolve_links(incident.body_html()?, &incident.body.source_links, |link| {
                site.url_of_source(&link.target)
            });
            let view = IncidentView::new(site, derived, *i, body);
            let mut c = ctx.context(page, "incident", &incident.title, &incident.summary);
            c.insert("incident", &view);
            ctx.render_template("incident.html", &c)
        }
        Page::TaxonomyIndex(taxonomy) => {
            let mut terms = counts(taxonomy.terms(derived), taxonomy.segment());
            if matches!(taxonomy, Taxonomy::Tags | Taxonomy::Services) {
                terms.sort_by(|a, b| {
                    b.count.cmp(&a.count).then(a.title.to_lowercase().cmp(&b.title.to_lowercase()))
                });
            }
            let description = format!("Postmortems by {}.", taxonomy.title().to_lowercase());
            let mut c = ctx.context(page, "taxonomy", taxonomy.title(), &description);
            c.insert("taxonomy", taxonomy.segment());
            c.insert("terms", &terms);
            ctx.render_template(taxonomy.templates().1, &c)
        }
        Page::Term { taxonomy, term, page: n } => {
            let t = &taxonomy.terms(derived)[*term];
            let base = format!("{}/{}/", taxonomy.segment(), t.slug);
            let description = t.description.clone().unwrap_or_default();
            let mut c = ctx.context(page, "term", &t.title, &description);
            c.insert("taxonomy", taxonomy.segment());
            c.insert("taxonomy_title", taxonomy.title());
            c.insert(
                "term",
                &TermCount {
                    name: t.name.clone(),
                    title: t.title.clone(),
                    url: base.clone(),
                    count: t.incidents.len(),
                    description: t.description.clone(),
                },
            );
            c.insert("groups", &groups_by_year(ctx, page_slice(&t.incidents, *n, size)));
            c.insert("count", &t.incidents.len());
            c.insert("pagination", &pagination(&base, *n, page_count(t.incidents.len(), size)));
            c.insert("feed", &(*taxonomy == Taxonomy::Tags).then(|| format!("{base}atom.xml")));
            if *taxonomy == Taxonomy::Services {
                c.insert("service", &service_view(ctx, *term));
            }
            ctx.render_template(taxonomy.templates().0, &c)
        }
        Page::LessonsIndex => {
            let mut c = ctx.context(
                page,
                "lessons",
                "Lessons",
                "Every lesson, gathered by learning theme.",
            );
            c.insert("themes", &theme_counts(ctx));
            c.insert(
                "lesson_count",
                &derived.themes.iter().map(|t| t.lessons.len()).sum::<usize>(),
            );
            ctx.render_template("lessons.html", &c)
        }
        Page::Theme { theme: t, page: n } => {
            let theme = &derived.themes[*t];
            let description = theme.description.clone().unwrap_or_default();
            let mut c = ctx.context(page, "theme", &theme.title, &description);
            let size = lessons_page_size(site);
            let lessons: Vec<QuotedLesson> = theme
                .lessons
                .iter()
                .skip((n - 1) * size)
                .take(size)
                .map(|&(i, l)| QuotedLesson {
                    text: site.incidents[i].lessons[l].text.clone(),
                    incident: ctx.cards[i].clone(),
                })
                .collect();
            c.insert(
                "theme",
                &TermCount {
                    name: theme.name.clone(),
                    title: theme.title.clone(),
                    url: theme_url(&theme.name),
                    count: theme.lessons.len(),
                    description: theme.description.clone(),
                },
            );
            c.insert("lessons", &lessons);
            c.insert("postmortem_count", &theme.postmortem_count());
            let base = format!("lessons/{}/", theme.slug);
            c.insert("pagination", &pagination(&base, *n, page_count(theme.lessons.len(), size)));
            ctx.render_template("theme.html", &c)
        }
        Page::PathsIndex => {
            let mut c = ctx.context(
                page,
                "paths",
                "Reading paths",
                "Curated reading for onboarding and for learning a topic.",
            );
            c.insert("paths", &path_counts(ctx));
            ctx.render_template("paths.html", &c)
        }
        Page::Path(p) => {
            let path = &derived.paths[*p];
            let description = path.description.clone().unwrap_or_default();
            let mut c = ctx.context(page, "path", &path.title, &description);
            c.insert(
                "items",
                &path.incidents.iter().map(|&i| ctx.cards[i].clone()).collect::<Vec<_>>(),
            );
            c.insert("description", &path.description);
            ctx.render_template("path.html", &c)
        }
        Page::Actions { filter, page: n } => render_actions(ctx, page, *filter, *n),
        Page::Stats => super::stats_view::render_stats(ctx, page),
        Page::OnThisDay => {
            let today = site.build_date;
            let mut past: Vec<PastIncident> = site
                .incidents
                .iter()
                .enumerate()
                .filter(|(_, inc)| {
                    let d = inc.date().date();
                    (today - d).whole_days() >= 300 && days_apart_in_the_year(d, today) <= 7
                })
                .map(|(i, inc)| PastIncident {
                    years_ago: ((today - inc.date().date()).whole_days() as f64 / 365.25).round()
                        as i32,
                    incident: ctx.cards[i].clone(),
                })
                .collect();
            past.sort_by_key(|p| p.years_ago);
            let title = format!(
                "On this day: around {}",
                format_human_date(today).split(' ').take(2).collect::<Vec<_>>().join(" ")
            );
            let mut c = ctx.context(
                page,
                "on-this-day",
                &title,
                "Postmortems from past years within a week of today's date.",
            );
            c.insert("items", &past);
            c.insert("today", &format_date(today));
            ctx.render_template("on_this_day.html", &c)
        }
        Page::Search => {
            let mut c = ctx.context(page, "search", "Search", "Search every postmortem.");
            c.insert_value("manifest", tera::Value::safe_string(&ctx.search_manifest));
            ctx.render_template("search.html", &c)
        }
        Page::NotFound => {
            // A static host serves this page for a missing URL at any depth, so its links
            // start from the site's path rather than being relative.
            let mut c = ctx.context(page, "404", "Page not found", "");
            c.insert("root", &crate::model::base_url::path_of(&site.config.base_url));
            ctx.render_template("404.html", &c)
        }
        Page::Alias { incident, .. } => {
            let target = &site.incidents[*incident];
            let mut c = ctx.context(page, "redirect", &target.title, "");
            c.insert("target", &target.url_path());
            ctx.render_template("redirect.html", &c)
        }
        Page::Feed { tag } => render_feed(ctx, page, *tag),
        Page::Sitemap => Ok(super::machine::sitemap(ctx)),
        Page::Json => super::machine::json_export(ctx),
    }
}

fn theme_counts(ctx: &RenderContext<'_>) -> Vec<TermCount> {
    ctx.derived
        .themes
        .iter()
        .map(|t| TermCount {
            name: t.name.clone(),
            title: t.title.clone(),
            url: format!("lessons/{}/", t.slug),
            count: t.lessons.len(),
            description: t.description.clone(),
        })
        .collect()
}

fn path_counts(ctx: &RenderContext<'_>) -> Vec<TermCount> {
    ctx.derived
        .paths
        .iter()
        .map(|p| TermCount {
            name: p.slug.clone(),
            title: p.title.clone(),
            url: format!("paths/{}/", p.slug),
            count: p.incidents.len(),
            description: p.description.clone(),
        })
        .collect()
}

fn service_view(ctx: &RenderContext<'_>, term: usize) -> ServiceView {
    let stats = &ctx.derived.metrics.services[term];
    ServiceView {
        by_year: stats.by_year.clone(),
        resolved: stats.resolve.n,
        median_resolve: stats.resolve.median.map(format_duration),
        p90_resolve: stats.resolve.p90.map(format_duration),
        enough: stats.resolve.enough(),
        co_failing: stats
            .co_failing
            .iter()
            .map(|(name, count)| TermCount {
                name: name.clone(),
                title: name.clone(),
                url: service_url(name),
                count: *count,
                description: None,
            })
            .collect(),
    }
}

/// An option of the tracker's status or owner filter.
#[derive(Serialize)]
struct FilterOption {
    value: String,
    label: String,
    /// The page listing these actions, on a tracker split into pages.
    url: Option<String>,
    count: usize,
}

/// What every page of the action tracker shows of all actions: counted once per build (a
/// tracker of 300,000 actions has thousands of pages).
pub(super) struct ActionSummary {
    counts: [usize; 4],
    paged: bool,
    statuses: Vec<FilterOption>,
    owners: Vec<FilterOption>,
}

impl ActionSummary {
    fn new(ctx: &RenderContext<'_>) -> ActionSummary {
        let (site, derived) = (ctx.site, ctx.derived);
        let size = actions_page_size(site);
        let paged = derived.actions.len() > size;
        // Counts, and where each status's run of the full list starts.
        let mut counts = [0usize; 4];
        let mut starts: [Option<usize>; 4] = [None; 4];
        for (k, r) in derived.actions.iter().enumerate() {
            let a = &site.incidents[r.incident].actions[r.action];
            let mut note = |group: usize| {
                counts[group] += 1;
                starts[group].get_or_insert(k);
            };
            if a.overdue {
                note(0);
            }
            match a.status {
                ActionStatus::Open => note(1),
                ActionStatus::Done => note(2),
                ActionStatus::Wontfix => note(3),
            }
        }
        let statuses: Vec<FilterOption> = ["overdue", "open", "done", "wontfix"]
            .iter()
            .zip(["Overdue", "Open", "Done", "Won't fix"])
            .enumerate()
            .map(|(g, (value, label))| FilterOption {
                value: value.to_string(),
                label: label.to_string(),
                url: starts[g].filter(|_| paged).map(|k| paged_url("actions/", k / size + 1)),
                count: counts[g],
            })
            .collect();
        let owners: Vec<FilterOption> = derived
            .action_owners
            .iter()
            .enumerate()
            .map(|(o, owner)| FilterOption {
                value: owner.slug.clone(),
                label: owner.name.clone(),
                url: paged.then(|| ActionFilter::Owner(o).base_url(derived)),
                count: owner.actions.len(),
            })
            .collect();
        ActionSummary { counts, paged, statuses, owners }
    }
}

fn render_actions(
    ctx: &RenderContext<'_>,
    page: &Page,
    filter: ActionFilter,
    n: usize,
) -> Result<Vec<u8>, String> {
    let site = ctx.site;
    let derived = ctx.derived;
    let size = actions_page_size(site);
    let (shown, keys): (usize, Vec<usize>) = match filter {
        ActionFilter::All => {
            let all = derived.actions.len();
            (all, ((n - 1) * size..(n * size).min(all)).collect())
        }
        ActionFilter::Owner(o) => {
            let mine = &derived.action_owners[o].actions;
            (mine.len(), page_slice(mine, n, size).to_vec())
        }
    };
    let total = page_count(shown, size);
    let rows: Vec<ActionRow> = keys
        .iter()
        .map(|&k| {
            let r = &derived.actions[k];
            let incident = &site.incidents[r.incident];
            let a = &incident.actions[r.action];
            ActionRow {
                title: a.title.clone(),
                owner_slug: a.owner.as_deref().map(slugify).unwrap_or_default(),
                owner: a.owner.clone(),
                status: a.status.as_str(),
                due: a.due.map(format_date),
                overdue: a.overdue,
                url: a.url.clone(),
                age_days: r.age_days,
                incident_title: incident.title.clone(),
                incident_url: incident.url_path(),
            }
        })
        .collect();
    let summary = ctx.action_summary.get_or_init(|| ActionSummary::new(ctx));
    let (title, owner) = match filter {
        ActionFilter::All => ("Action items".to_string(), None),
        ActionFilter::Owner(o) => {
            let owner = &derived.action_owners[o];
            (format!("Action items owned by {}", owner.name), Some(owner.slug.clone()))
        }
    };
    let mut c =
        ctx.context(page, "actions", &title, "Every follow-up action across the knowledge base.");
    c.insert("heading", &title);
    c.insert("overdue", &summary.counts[0]);
    c.insert("open", &summary.counts[1]);
    c.insert("done", &summary.counts[2]);
    c.insert("wontfix", &summary.counts[3]);
    c.insert("paged", &summary.paged);
    c.insert("statuses", &summary.statuses);
    c.insert("owners", &summary.owners);
    c.insert("owner", &owner);
    c.insert("all_url", "actions/");
    c.insert("shown", &shown);
    c.insert("actions", &rows);
    let mut p = pagination(&filter.base_url(derived), n, total);
    p.previous_label = "← Previous";
    p.next_label = "Next →";
    c.insert("pagination", &p);
    ctx.render_template("actions.html", &c)
}

fn render_feed(
    ctx: &RenderContext<'_>,
    page: &Page,
    tag: Option<usize>,
) -> Result<Vec<u8>, String> {
    let site = ctx.site;
    let (indices, title, limit): (Vec<usize>, String, usize) = match tag {
        None => ((0..site.incidents.len()).collect(), site.config.title.clone(), 50),
        Some(t) => {
            let term = &ctx.derived.tags[t];
            (term.incidents.clone(), format!("{}: {}", site.config.title, term.title), 20)
        }
    };
    let base = crate::model::base_url::with_trailing_slash(&site.config.base_url);
    let entries: Vec<FeedEntry> = indices
        .iter()
        .take(limit)
        .map(|&i| {
            let inc = &site.incidents[i];
            let published = crate::model::dates::format_rfc3339(inc.date(), false);
            let updated = crate::model::dates::format_rfc3339(
                inc.timeline.resolved.unwrap_or(inc.date()).max(inc.date()),
                false,
            );
            FeedEntry {
                title: inc.title.clone(),
                url: format!("{base}{}", inc.url_path()),
                published,
                updated,
                summary: inc.summary.clone(),
                categories: inc.tags.clone(),
                severity: inc.severity.as_ref().map(|s| s.name.clone()),
            }
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| format!("{}T00:00:00Z", format_date(site.build_date)));
    let mut c = ctx.context(page, "feed", &title, &site.config.description);
    c.insert("feed_url", &format!("{base}{}", page.url(site, ctx.derived)));
    c.insert("updated", &updated);
    c.insert("entries", &entries);
    c.insert(
        "alternate",
        &match tag {
            None => base.clone(),
            Some(t) => format!("{base}tags/{}/", ctx.derived.tags[t].slug),
        },
    );
    ctx.render_template("atom.xml", &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_this_day_wraps_around_the_year_and_keeps_leap_days() {
        use time::macros::date;
        assert_eq!(days_apart_in_the_year(date!(2023 - 12 - 30), date!(2026 - 01 - 02)), 3);
        assert_eq!(days_apart_in_the_year(date!(2024 - 02 - 29), date!(2026 - 02 - 27)), 1);
        assert_eq!(days_apart_in_the_year(date!(2020 - 06 - 01), date!(2026 - 11 - 26)), 178);
    }
}
