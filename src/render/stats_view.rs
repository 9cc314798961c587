//! The stats page: charts drawn at build time with a data table beside each.

use serde::Serialize;
use time::Duration;

use super::charts::{Series, duration_lines, horizontal_bars, stacked_bars};
use super::pages::{Page, RenderContext};
use crate::derive::metrics::{MIN_GROUP, RESOLVE_BUCKETS, Spread};
use crate::model::dates::format_duration;

/// A chart with its data.
#[derive(Serialize)]
struct ChartView {
    id: String,
    title: String,
    /// What to keep in mind reading it.
    note: Option<String>,
    /// The SVG, escaped where it holds text.
    svg: String,
    table: Table,
}

/// A data table.
#[derive(Serialize, Default)]
struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn severity_series<'a>(names: &'a [String], columns: &[Vec<usize>]) -> Vec<Series<'a>> {
    let mut series: Vec<Series<'a>> = names
        .iter()
        .enumerate()
        .map(|(rank, name)| Series {
            name: name.as_str(),
            class: format!("fill-sev-{}", rank.min(4)),
            values: columns.iter().map(|c| c[rank] as f64).collect(),
        })
        .collect();
    let unrated: Vec<f64> = columns.iter().map(|c| c[names.len()] as f64).collect();
    if unrated.iter().any(|v| *v > 0.0) {
        series.push(Series { name: "Unrated", class: "fill-sev-none".into(), values: unrated });
    }
    series
}

fn count_table(first: &str, labels: &[String], series: &[Series<'_>]) -> Table {
    let mut head = vec![first.to_string()];
    head.extend(series.iter().map(|s| s.name.to_string()));
    head.push("Total".into());
    let rows = labels
        .iter()
        .enumerate()
        .map(|(c, label)| {
            let mut row = vec![label.clone()];
            row.extend(series.iter().map(|s| s.values[c].to_string()));
            row.push(series.iter().map(|s| s.values[c]).sum::<f64>().to_string());
            row
        })
        .collect();
    Table { head, rows }
}

fn spread_cells(s: &Spread) -> [String; 2] {
    let f = |d: Option<Duration>| d.map_or_else(|| "—".to_string(), format_duration);
    [f(s.median), f(s.p90)]
}

fn severity_chart(
    ctx: &RenderContext<'_>,
    id: &str,
    title: &str,
    first: &str,
    data: &[(String, Vec<usize>)],
) -> ChartView {
    let names = &ctx.site.config.severities;
    let labels: Vec<String> = data.iter().map(|(l, _)| l.clone()).collect();
    let columns: Vec<Vec<usize>> = data.iter().map(|(_, c)| c.clone()).collect();
    let series = severity_series(names, &columns);
    let svg = stacked_bars(
        id,
        title,
        &format!("Stacked bars of postmortems per {}, by severity.", first.to_lowercase()),
        &labels,
        &series,
    );
    ChartView {
        id: id.into(),
        title: title.into(),
        note: None,
        svg,
        table: count_table(first, &labels, &series),
    }
}

/// Render the stats page.
pub fn render_stats(ctx: &RenderContext<'_>, page: &Page) -> Result<Vec<u8>, String> {
    let m = &ctx.derived.metrics;
    let derived = ctx.derived;
    let mut charts = vec![
        severity_chart(
            ctx,
            "per-month",
            "Postmortems per month (last 24 months with any)",
            "Month",
            &m.per_month,
        ),
        severity_chart(ctx, "per-year", "Postmortems per year", "Year", &m.per_year),
    ];

    let periods: Vec<String> = m.per_period.iter().map(|q| q.label.clone()).collect();
    let enough = |s: &Spread| if s.enough() { s.median } else { None };
    let detect: Vec<Option<Duration>> = m.per_period.iter().map(|q| enough(&q.detect)).collect();
    let resolve: Vec<Option<Duration>> = m.per_period.iter().map(|q| enough(&q.resolve)).collect();
    let period_title = if m.period == "quarter" { "Quarter" } else { "Year" };
    let mut table = Table {
        head: [period_title, "Incidents", "Median to detect", "Median to resolve"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    for q in &m.per_period {
        let cell = |s: &Spread| {
            if s.enough() {
                s.median.map_or_else(|| "—".into(), format_duration)
            } else {
                format!("fewer than {MIN_GROUP} ({})", s.n)
            }
        };
        table.rows.push(vec![
            q.label.clone(),
            q.incidents.to_string(),
            cell(&q.detect),
            cell(&q.resolve),
        ]);
    }
    let title = format!("Median time to detect and to resolve, per {}", m.period);
    let shown = detect.iter().chain(&resolve).filter(|d| d.is_some()).count();
    charts.push(ChartView {
        id: "per-period".into(),
        title: title.clone(),
        note: Some(if shown == 0 {
            format!("No {} has {MIN_GROUP} or more incidents with the times recorded yet: too few to draw a trend. The table gives what there is.", m.period)
        } else {
            format!("Logarithmic scale. A {} with fewer than {MIN_GROUP} incidents with the time recorded shows no point: too few to call a trend.", m.period)
        }),
        svg: duration_lines(
            "per-period",
            &title,
            &format!("Lines of the median time to detect and to resolve per {}, on a logarithmic scale.", m.period),
            &periods,
            &[("Time to detect", "line-detect", detect), ("Time to resolve", "line-resolve", resolve)],
        ),
        table,
    });

    let bucket_labels: Vec<String> = RESOLVE_BUCKETS.iter().map(|(_, l)| l.to_string()).collect();
    let mut hist_series: Vec<Series<'_>> = Vec::new();
    for (rank, (name, counts)) in m.resolve_histogram.iter().enumerate() {
        let class = if rank < ctx.site.config.severities.len() {
            format!("fill-sev-{}", rank.min(4))
        } else {
            "fill-sev-none".into()
        };
        hist_series.push(Series {
            name: name.as_str(),
            class,
            values: counts.iter().map(|c| *c as f64).collect(),
        });
    }
    charts.push(ChartView {
        id: "resolve-histogram".into(),
        title: "How long incidents took to resolve, by severity".into(),
        note: Some("Durations are heavily skewed: a few incidents take days. Read the distribution, not an average.".into()),
        svg: stacked_bars("resolve-histogram", "How long incidents took to resolve, by severity", "Histogram of time to resolve in buckets from under 30 minutes to over 3 days, stacked by severity.", &bucket_labels, &hist_series),
        table: count_table("Time to resolve", &bucket_labels, &hist_series),
    });

    for (id, title, terms, segment) in [
        ("top-services", "Services in the most postmortems", &derived.services, "services"),
        ("top-tags", "Most used tags", &derived.tags, "tags"),
    ] {
        let mut items: Vec<(String, usize)> =
            terms.iter().map(|t| (t.title.clone(), t.incidents.len())).collect();
        items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        items.truncate(10);
        charts.push(top_chart(id, title, segment, &items));
    }
    let mut themes: Vec<(String, usize)> =
        derived.themes.iter().map(|t| (t.title.clone(), t.lessons.len())).collect();
    themes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    themes.truncate(10);
    charts.push(top_chart("top-themes", "Lesson themes with the most lessons", "lessons", &themes));

    let labels: Vec<String> = m.actions_per_quarter.iter().map(|(l, _)| l.clone()).collect();
    let action_series: Vec<Series<'_>> =
        [("Open", "fill-open"), ("Done", "fill-done"), ("Won't fix", "fill-wontfix")]
            .iter()
            .enumerate()
            .map(|(k, (name, class))| Series {
                name,
                class: class.to_string(),
                values: m.actions_per_quarter.iter().map(|(_, c)| c[k] as f64).collect(),
            })
            .collect();
    charts.push(ChartView {
        id: "actions".into(),
        title: "Action items by the quarter of their postmortem, open and closed".into(),
        note: Some("Status as of the build date.".into()),
        svg: stacked_bars(
            "actions",
            "Action items by the quarter of their postmortem",
            "Stacked bars of open, done and won't-fix action items per quarter.",
            &labels,
            &action_series,
        ),
        table: count_table("Quarter", &labels, &action_series),
    });

    let mut durations = Table {
        head: [
            "Group",
            "Incidents",
            "Detect: median",
            "Detect: p90",
            "Mitigate: median",
            "Mitigate: p90",
            "Resolve: median",
            "Resolve: p90",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for row in &m.by_severity {
        let mut cells = vec![row.label.clone(), row.incidents.to_string()];
        for s in [&row.detect, &row.mitigate, &row.resolve] {
            cells.extend(spread_cells(s));
        }
        if !row.resolve.enough() && row.incidents > 0 {
            cells[0] = format!("{}*", row.label);
        }
        durations.rows.push(cells);
    }
    let co = Table {
        head: ["Service", "Failed together with", "Incidents"].map(String::from).to_vec(),
        rows: m
            .co_failures
            .iter()
            .map(|(a, b, n)| vec![a.clone(), b.clone(), n.to_string()])
            .collect(),
    };
    let mut c = ctx.context(
        page,
        "stats",
        "Stats",
        "How often things break, how fast we notice and recover, and what we learn.",
    );
    c.insert("charts", &charts);
    c.insert("durations", &durations);
    c.insert("co_failures", &co);
    c.insert("total", &ctx.site.incidents.len());
    c.insert("min_group", &MIN_GROUP);
    ctx.render_template("stats.html", &c)
}

fn top_chart(id: &str, title: &str, first: &str, items: &[(String, usize)]) -> ChartView {
    ChartView {
        id: id.into(),
        title: title.into(),
        note: None,
        svg: horizontal_bars(
            id,
            title,
            &format!("Horizontal bars of the top {first} by count."),
            items,
        ),
        table: Table {
            head: vec![first[..1].to_uppercase() + &first[1..], "Count".into()],
            rows: items.iter().map(|(l, n)| vec![l.clone(), n.to_string()]).collect(),
        },
    }
}
