//! Output for machines: the sitemap and `postmortems.json`, a documented export of every
//! published postmortem's metadata and derived values for dashboards and chat bots.

use serde::Serialize;

use super::pages::{RenderContext, plan_pages};
use crate::model::Incident;
use crate::model::dates::{format_date, format_rfc3339};

/// `sitemap.xml`: every HTML page a reader browses to, with absolute URLs.
pub fn sitemap(ctx: &RenderContext<'_>) -> Vec<u8> {
    let base = crate::model::base_url::with_trailing_slash(&ctx.site.config.base_url);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in plan_pages(ctx.site, ctx.derived).iter().filter(|p| p.is_html_page()) {
        out.push_str("  <url><loc>");
        out.push_str(&super::markdown::escape(&format!(
            "{base}{}",
            page.url(ctx.site, ctx.derived)
        )));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// The export's top level.
#[derive(Serialize)]
struct Export<'a> {
    /// Version of this format; bumped on incompatible changes.
    format_version: u32,
    generator: String,
    site: ExportSite<'a>,
    postmortems: Vec<ExportPostmortem<'a>>,
}

#[derive(Serialize)]
struct ExportSite<'a> {
    title: &'a str,
    base_url: &'a str,
    build_date: String,
    severities: &'a [String],
}

#[derive(Serialize)]
struct ExportTimes {
    start: String,
    detected: Option<String>,
    mitigated: Option<String>,
    resolved: Option<String>,
}

#[derive(Serialize)]
struct ExportDurations {
    detect: Option<i64>,
    mitigate: Option<i64>,
    resolve: Option<i64>,
}

#[derive(Serialize)]
struct ExportAction<'a> {
    title: &'a str,
    owner: Option<&'a str>,
    status: &'static str,
    due: Option<String>,
    overdue: bool,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct ExportPostmortem<'a> {
    slug: &'a str,
    url: String,
    path: String,
    title: &'a str,
    date: String,
    year: i32,
    month: u8,
    severity: Option<&'a str>,
    severity_rank: Option<usize>,
    status: &'static str,
    visibility: &'static str,
    summary: &'a str,
    impact: Option<&'a str>,
    services: &'a [String],
    tags: &'a [String],
    authors: &'a [String],
    times: ExportTimes,
    durations_seconds: ExportDurations,
    lessons: &'a [crate::model::Lesson],
    actions: Vec<ExportAction<'a>>,
    open_actions: usize,
    overdue_actions: usize,
    related: Vec<&'a str>,
    source: &'a str,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

fn export_one<'a>(base: &str, related: Vec<&'a str>, i: &'a Incident) -> ExportPostmortem<'a> {
    let t = &i.timeline;
    let time = |at: Option<time::OffsetDateTime>| at.map(|a| format_rfc3339(a, false));
    ExportPostmortem {
        slug: &i.slug,
        url: format!("{base}{}", i.url_path()),
        path: i.url_path(),
        title: &i.title,
        date: format_rfc3339(i.date(), false),
        year: i.year(),
        month: u8::from(i.date().month()),
        severity: i.severity.as_ref().map(|s| s.name.as_str()),
        severity_rank: i.severity.as_ref().map(|s| s.rank),
        status: i.status.as_str(),
        visibility: match i.visibility {
            crate::model::Visibility::Internal => "internal",
            crate::model::Visibility::Public => "public",
        },
        summary: &i.summary,
        impact: i.impact.as_deref(),
        services: &i.services,
        tags: &i.tags,
        authors: &i.authors,
        times: ExportTimes {
            start: format_rfc3339(t.start, false),
            detected: time(t.detected),
            mitigated: time(t.mitigated),
            resolved: time(t.resolved),
        },
        durations_seconds: ExportDurations {
            detect: t.time_to_detect().map(|d| d.whole_seconds()),
            mitigate: t.time_to_mitigate().map(|d| d.whole_seconds()),
            resolve: t.time_to_resolve().map(|d| d.whole_seconds()),
        },
        lessons: &i.lessons,
        actions: i
            .actions
            .iter()
            .map(|a| ExportAction {
                title: &a.title,
                owner: a.owner.as_deref(),
                status: a.status.as_str(),
                due: a.due.map(format_date),
                overdue: a.overdue,
                url: a.url.as_deref(),
            })
            .collect(),
        open_actions: i.open_actions(),
        overdue_actions: i.overdue_actions(),
        related,
        source: &i.source,
        extra: &i.extra,
    }
}

/// `postmortems.json`.
pub fn json_export(ctx: &RenderContext<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    json_export_to(ctx, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// `postmortems.json`, written to `out` as it is serialized (213 MB at 100,000 postmortems).
pub fn json_export_to(
    ctx: &RenderContext<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let site = ctx.site;
    let base = crate::model::base_url::with_trailing_slash(&site.config.base_url);
    let export = Export {
        format_version: 1,
        generator: format!("hindsight {}", env!("CARGO_PKG_VERSION")),
        site: ExportSite {
            title: &site.config.title,
            base_url: &base,
            build_date: format_date(site.build_date),
            severities: &site.config.severities,
        },
        postmortems: site
            .incidents
            .iter()
            .enumerate()
            .map(|(n, i)| {
                let related = ctx.derived.related[n]
                    .iter()
                    .map(|r| site.incidents[r.incident].slug.as_str())
                    .collect();
                export_one(&base, related, i)
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &export).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}
