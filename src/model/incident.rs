//! Validating one postmortem's [`RawFrontMatter`] into an [`Incident`].

use std::collections::HashMap;

use time::Date;

use super::slug::{alias_output_path, check_slug, slugify};
use super::url_safety::is_script_url;
use super::{
    Action, ActionStatus, Incident, Lesson, Reference, Severity, Status, Timeline, Visibility,
};
use crate::config::SiteConfig;
use crate::diagnostics::{Code, FileDiagnostics, Location, Mode};
use crate::front_matter::unknown_keys::did_you_mean;
use crate::front_matter::{RawFrontMatter, Spanned};
use crate::load::SourceEntry;
use crate::render::markdown::RenderedBody;

/// What validating a postmortem needs to know about the site and the run.
pub struct IncidentContext {
    /// The site configuration.
    pub config: SiteConfig,
    /// The build date: actions due before it are overdue.
    pub build_date: Date,
    severities: HashMap<String, Severity>,
    /// Where rendered bodies are kept.
    pub bodies: super::body::BodyStore,
}

impl IncidentContext {
    /// A context for `config` (copied: a parser outlives the load that read it, in `serve`)
    /// on `build_date`.
    pub fn new(config: &SiteConfig, build_date: Date) -> Self {
        let severities = config
            .severities
            .iter()
            .enumerate()
            .map(|(rank, name)| (name.to_lowercase(), Severity { rank, name: name.clone() }))
            .collect();
        IncidentContext {
            config: config.clone(),
            build_date,
            severities,
            bodies: super::body::BodyStore::in_memory(),
        }
    }
}

/// Validate `raw` into an incident. Problems go to `diags`; `None` when a required value is
/// missing, so later stages never see a half-valid postmortem.
pub fn build_incident(
    entry: &SourceEntry,
    raw: RawFrontMatter,
    body: RenderedBody,
    ctx: &IncidentContext,
    diags: &mut FileDiagnostics<'_>,
) -> Option<Incident> {
    // Problems of the whole front matter point at its opening fence.
    let fm_start = 0..3;
    let title = match raw.title.clone() {
        Some(t) if !t.value.trim().is_empty() => Some(t.value.trim().to_string()),
        Some(t) => {
            diags.push(
                Code::MissingRequired,
                t.span,
                "`title` is empty",
                Some("give the postmortem a title that says what happened".into()),
            );
            None
        }
        // Written with the wrong type: already reported as such.
        None if raw.keys.iter().any(|k| k == "title") => None,
        None => {
            diags.push(
                Code::MissingRequired,
                fm_start.clone(),
                "the front matter has no `title`",
                Some("add a line such as: title = \"Payments API returned 500s after a config rollout\"".into()),
            );
            None
        }
    };
    let start = match &raw.date {
        Some(d) => Some(d.value),
        None if raw.keys.iter().any(|k| k == "date") => None,
        None => {
            diags.push(
                Code::MissingRequired,
                fm_start,
                "the front matter has no `date` (when customer impact started)",
                Some("add a line such as: date = 2024-03-14T09:32:00Z".into()),
            );
            None
        }
    };
    let severity = raw.severity.as_ref().and_then(|s| severity(s, ctx, diags));
    let status = raw.status.as_ref().map_or(Some(Status::Published), |s| {
        enum_value(s, "status", Status::parse, &["draft", "review", "published"], diags)
    });
    let visibility = match &raw.visibility {
        Some(v) => enum_value(v, "visibility", Visibility::parse, &["internal", "public"], diags),
        None => Visibility::parse(&ctx.config.default_visibility),
    };
    let slug = match &raw.slug {
        Some(s) => match check_slug(&s.value) {
            Ok(()) => Some(s.value.clone()),
            Err(why) => {
                diags.push(
                    Code::InvalidSlug,
                    s.span.clone(),
                    format!("`slug` {why}"),
                    Some(format!(
                        "use lowercase words joined by dashes, e.g. slug = \"{}\"",
                        slugify(&s.value)
                    )),
                );
                None
            }
        },
        None => Some(slugify(entry.stem())),
    };
    let mut aliases = Vec::new();
    for alias in &raw.aliases {
        match alias_output_path(&alias.value) {
            Ok(path) => aliases.push(path),
            Err(why) => diags.push(
                Code::InvalidSlug,
                alias.span.clone(),
                format!("alias `{}` {why}", alias.value),
                Some(
                    "write an alias as a path on this site, e.g. aliases = [\"/incidents/42/\"]"
                        .into(),
                ),
            ),
        }
    }
    let timeline = start.and_then(|start| timeline(start, &raw, diags));
    let lessons = lessons(&raw, ctx, diags);
    let actions = actions(&raw, ctx, diags);
    for tag in &raw.tags {
        if ctx.config.described_tag(&tag.value).is_none() {
            let suggestion = did_you_mean(&tag.value, ctx.config.tags.keys().map(String::as_str));
            let help = match suggestion {
                Some(s) => format!(
                    "did you mean `{s}`? Otherwise describe it under [tags.{}] in hindsight.toml",
                    tag.value
                ),
                None => format!(
                    "describe it under [tags.{}] in hindsight.toml (title and description)",
                    tag.value
                ),
            };
            diags.push(
                Code::UndescribedTag,
                tag.span.clone(),
                format!("tag `{}` is not described in hindsight.toml", tag.value),
                Some(help),
            );
        }
    }
    let summary = match raw.summary {
        Some(s) if !s.value.trim().is_empty() => s.value.trim().to_string(),
        _ => body.first_paragraph.clone(),
    };
    Some(Incident {
        source: entry.rel.clone(),
        bundle: entry.bundle.clone(),
        slug: slug?,
        title: title?,
        timeline: timeline?,
        severity,
        status: status?,
        visibility: visibility?,
        summary,
        services: values(raw.services),
        tags: values(raw.tags),
        authors: values(raw.authors),
        aliases,
        related: raw
            .related
            .into_iter()
            .map(|r| Reference {
                slug: r.value.trim().to_string(),
                location: Location::from_span(diags.file, diags.lines, r.span),
            })
            .collect(),
        impact: raw.impact.map(|i| i.value.trim().to_string()).filter(|i| !i.is_empty()),
        lessons: lessons?,
        actions: actions?,
        extra: raw.extra,
        body: super::body::Body::new(body, &ctx.bodies),
        search: Default::default(),
    })
}

fn values(list: Vec<Spanned<String>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for item in list {
        let v = item.value.trim().to_string();
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn severity(
    s: &Spanned<String>,
    ctx: &IncidentContext,
    diags: &mut FileDiagnostics<'_>,
) -> Option<Severity> {
    if let Some(sev) = ctx.severities.get(&s.value.trim().to_lowercase()) {
        return Some(sev.clone());
    }
    let scale = ctx.config.severities.join(", ");
    let help = match did_you_mean(&s.value, ctx.config.severities.iter().map(String::as_str)) {
        Some(close) => format!("did you mean `{close}`? The site's scale is: {scale}"),
        None => format!("use one of the site's scale: {scale} (configured in hindsight.toml)"),
    };
    diags.push(
        Code::UnknownSeverity,
        s.span.clone(),
        format!("severity `{}` is not in the site's scale", s.value),
        Some(help),
    );
    None
}

fn enum_value<T>(
    s: &Spanned<String>,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &[&str],
    diags: &mut FileDiagnostics<'_>,
) -> Option<T> {
    if let Some(v) = parse(s.value.trim()) {
        return Some(v);
    }
    let list = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ");
    let help = match did_you_mean(&s.value, allowed.iter().copied()) {
        Some(close) => format!("did you mean \"{close}\"? Allowed: {list}"),
        None => format!("allowed values: {list}"),
    };
    diags.push(
        Code::InvalidValue,
        s.span.clone(),
        format!("`{key}` is \"{}\"", s.value),
        Some(help),
    );
    None
}

fn timeline(
    start: time::OffsetDateTime,
    raw: &RawFrontMatter,
    diags: &mut FileDiagnostics<'_>,
) -> Option<Timeline> {
    use crate::model::dates::format_datetime_utc as fmt;
    let t = &raw.times;
    let mut ok = true;
    let mut previous: (&str, time::OffsetDateTime) = ("date", start);
    for (name, value) in
        [("detected", &t.detected), ("mitigated", &t.mitigated), ("resolved", &t.resolved)]
    {
        let Some(v) = value else { continue };
        if v.value < previous.1 {
            diags.push(
                Code::TimesOutOfOrder,
                v.span.clone(),
                format!("`{name}` ({}) is before `{}` ({})", fmt(v.value), previous.0, fmt(previous.1)),
                Some("times go in order: date <= detected <= mitigated <= resolved; check the day and the time zone".into()),
            );
            ok = false;
        }
        previous = (name, v.value);
    }
    ok.then(|| Timeline {
        start,
        detected: t.detected.as_ref().map(|s| s.value),
        mitigated: t.mitigated.as_ref().map(|s| s.value),
        resolved: t.resolved.as_ref().map(|s| s.value),
    })
}

fn lessons(
    raw: &RawFrontMatter,
    ctx: &IncidentContext,
    diags: &mut FileDiagnostics<'_>,
) -> Option<Vec<Lesson>> {
    let mut out = Vec::with_capacity(raw.lessons.len());
    let mut ok = true;
    for lesson in &raw.lessons {
        let text = lesson.text.as_ref().map(|t| t.value.trim()).filter(|t| !t.is_empty());
        let theme = lesson.theme.as_ref().map(|t| t.value.trim()).filter(|t| !t.is_empty());
        if text.is_none() {
            diags.push(
                Code::MissingRequired,
                lesson.span.clone(),
                "a lesson has no `text`",
                Some("say what was learned: text = \"...\"".into()),
            );
        }
        if theme.is_none() {
            diags.push(
                Code::MissingRequired,
                lesson.span.clone(),
                "a lesson has no `theme`",
                Some(theme_help(ctx)),
            );
        }
        if let (Some(theme_span), Some(theme)) = (&lesson.theme, theme)
            && ctx.config.described_theme(theme).is_none()
        {
            let help = match did_you_mean(
                theme,
                ctx.config.lesson_themes.keys().map(String::as_str),
            ) {
                Some(close) => format!(
                    "did you mean `{close}`? Otherwise describe it under [lesson_themes.{theme}] in hindsight.toml"
                ),
                None => format!(
                    "describe it under [lesson_themes.{theme}] in hindsight.toml; {}",
                    theme_help(ctx)
                ),
            };
            diags.push(
                Code::UndescribedTheme,
                theme_span.span.clone(),
                format!("lesson theme `{theme}` is not described in hindsight.toml"),
                Some(help),
            );
        }
        match (theme, text) {
            (Some(theme), Some(text)) => {
                out.push(Lesson { theme: theme.to_string(), text: text.to_string() })
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn theme_help(ctx: &IncidentContext) -> String {
    let themes: Vec<&str> = ctx.config.lesson_themes.keys().map(String::as_str).collect();
    if themes.is_empty() {
        "file the lesson under a theme: theme = \"detect-early\"".into()
    } else {
        format!("configured themes: {}", themes.join(", "))
    }
}

fn actions(
    raw: &RawFrontMatter,
    ctx: &IncidentContext,
    diags: &mut FileDiagnostics<'_>,
) -> Option<Vec<Action>> {
    let mut out = Vec::with_capacity(raw.actions.len());
    let mut ok = true;
    for action in &raw.actions {
        let title = action.title.as_ref().map(|t| t.value.trim()).filter(|t| !t.is_empty());
        if title.is_none() {
            diags.push(
                Code::MissingRequired,
                action.span.clone(),
                "an action has no `title`",
                Some("say what is to be done: title = \"...\"".into()),
            );
        }
        let status = match &action.status {
            Some(s) => {
                enum_value(s, "status", ActionStatus::parse, &["open", "done", "wontfix"], diags)
            }
            None => Some(ActionStatus::Open),
        };
        let url = match &action.url {
            Some(u) if is_script_url(&u.value) => {
                diags.push(
                    Code::UnsafeUrl,
                    u.span.clone(),
                    "the action's `url` uses a script scheme",
                    Some("link to the tracker with an https:// URL".into()),
                );
                ok = false;
                None
            }
            Some(u) => Some(u.value.trim().to_string()).filter(|u| !u.is_empty()),
            None => None,
        };
        match (title, status) {
            (Some(title), Some(status)) => {
                let due = action.due.as_ref().map(|d| d.value);
                out.push(Action {
                    title: title.to_string(),
                    owner: action
                        .owner
                        .as_ref()
                        .map(|o| o.value.trim().to_string())
                        .filter(|o| !o.is_empty()),
                    status,
                    due,
                    url,
                    overdue: status == ActionStatus::Open
                        && due.is_some_and(|d| d < ctx.build_date),
                });
                // Overdue work is a review finding, not a build problem: only `check` says so.
                if let (true, Mode::Check, Some(d)) =
                    (out.last().is_some_and(|a: &Action| a.overdue), diags.mode, &action.due)
                {
                    diags.push(
                        Code::OverdueAction,
                        d.span.clone(),
                        format!(
                            "action \"{title}\" was due {} and is still open",
                            crate::model::dates::format_date(d.value)
                        ),
                        Some(
                            "finish it, mark it done or wontfix, or move `due` to a realistic date"
                                .into(),
                        ),
                    );
                }
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}
