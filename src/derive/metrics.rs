//! Numbers for the stats and service pages. Incident durations are heavily skewed (a few
//! incidents last days), so everything here is a distribution (median and 90th percentile,
//! histograms), never a bare mean "MTTR"; a group of fewer than [`MIN_GROUP`] incidents is
//! flagged so pages say so instead of drawing a trend.

use std::collections::{BTreeMap, HashMap};

use time::Duration;

use super::taxonomy::Term;
use crate::model::{ActionStatus, Incident, Site};

/// Fewer incidents than this make no trend.
pub const MIN_GROUP: usize = 5;

/// Median and 90th percentile of a set of durations.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spread {
    /// How many values.
    pub n: usize,
    /// Median (nearest rank), when any.
    pub median: Option<Duration>,
    /// 90th percentile (nearest rank), when any.
    pub p90: Option<Duration>,
}

/// Nearest-rank percentile `p` (0..=100) of sorted `values`.
pub fn percentile(sorted: &[Duration], p: usize) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

impl Spread {
    /// The spread of `values`.
    pub fn of(mut values: Vec<Duration>) -> Spread {
        values.sort();
        Spread { n: values.len(), median: percentile(&values, 50), p90: percentile(&values, 90) }
    }

    /// Whether there are enough values to call it a trend.
    pub fn enough(&self) -> bool {
        self.n >= MIN_GROUP
    }
}

/// Durations of one group of incidents.
#[derive(Clone, Debug, PartialEq)]
pub struct DurationRow {
    /// `All`, a severity, a quarter.
    pub label: String,
    /// Incidents in the group.
    pub incidents: usize,
    /// Time to detect.
    pub detect: Spread,
    /// Time to mitigate.
    pub mitigate: Spread,
    /// Time to resolve.
    pub resolve: Spread,
}

fn duration_row(label: String, incidents: &[&Incident]) -> DurationRow {
    let spread = |f: fn(&Incident) -> Option<Duration>| {
        Spread::of(incidents.iter().filter_map(|i| f(i)).collect())
    };
    DurationRow {
        label,
        incidents: incidents.len(),
        detect: spread(|i| i.timeline.time_to_detect()),
        mitigate: spread(|i| i.timeline.time_to_mitigate()),
        resolve: spread(|i| i.timeline.time_to_resolve()),
    }
}

/// Upper bounds of the time-to-resolve histogram's buckets, and their labels.
pub const RESOLVE_BUCKETS: &[(i64, &str)] = &[
    (30 * 60, "< 30m"),
    (60 * 60, "30m–1h"),
    (2 * 3600, "1–2h"),
    (4 * 3600, "2–4h"),
    (8 * 3600, "4–8h"),
    (24 * 3600, "8–24h"),
    (3 * 86_400, "1–3d"),
    (i64::MAX, "> 3d"),
];

/// Per-service numbers for a service's page.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceStats {
    /// Incidents per year, oldest first.
    pub by_year: Vec<(i32, usize)>,
    /// Time to resolve.
    pub resolve: Spread,
    /// Other services that failed in the same incidents, most often first.
    pub co_failing: Vec<(String, usize)>,
}

/// Everything the stats page shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    /// Postmortems per month for the last 24 months that have any, by severity rank (the last
    /// column counts unrated ones): (label `2024-03`, counts).
    pub per_month: Vec<(String, Vec<usize>)>,
    /// Postmortems per year with any, by severity rank (last column: unrated).
    pub per_year: Vec<(String, Vec<usize>)>,
    /// `quarter`, or `year` when most quarters hold too few incidents for a trend.
    pub period: &'static str,
    /// Median time to detect and resolve per period, the last 12 periods with incidents.
    pub per_period: Vec<DurationRow>,
    /// Durations overall and per severity.
    pub by_severity: Vec<DurationRow>,
    /// Time-to-resolve histogram per severity: (severity, counts per bucket of
    /// [`RESOLVE_BUCKETS`]); the last row is unrated when any.
    pub resolve_histogram: Vec<(String, Vec<usize>)>,
    /// Actions by the quarter of their postmortem: (label, open, done, won't fix).
    pub actions_per_quarter: Vec<(String, [usize; 3])>,
    /// Services failing together most often: (a, b, incidents).
    pub co_failures: Vec<(String, String, usize)>,
    /// Per service, aligned with the derived services.
    pub services: Vec<ServiceStats>,
}

fn severity_column(site: &Site, incident: &Incident) -> usize {
    incident.severity.as_ref().map_or(site.config.severities.len(), |s| s.rank)
}

fn quarter_of(incident: &Incident) -> (i32, u8) {
    let d = incident.date();
    (d.year(), (u8::from(d.month()) - 1) / 3 + 1)
}

/// Compute the metrics of `site`, given its derived `services`.
pub fn derive_metrics(site: &Site, services: &[Term]) -> Metrics {
    let columns = site.config.severities.len() + 1;
    let mut months: BTreeMap<(i32, u8), Vec<usize>> = BTreeMap::new();
    let mut years: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for incident in &site.incidents {
        let d = incident.date();
        let col = severity_column(site, incident);
        months.entry((d.year(), u8::from(d.month()))).or_insert_with(|| vec![0; columns])[col] += 1;
        years.entry(d.year()).or_insert_with(|| vec![0; columns])[col] += 1;
    }
    let per_month = months
        .iter()
        .rev()
        .take(24)
        .rev()
        .map(|((y, m), counts)| (format!("{y}-{m:02}"), counts.clone()))
        .collect();
    let per_year = years.into_iter().map(|(y, counts)| (y.to_string(), counts)).collect();

    // Trends per quarter when quarters hold enough incidents to say something, else per year.
    let mut quarters: BTreeMap<(i32, u8), Vec<&Incident>> = BTreeMap::new();
    for incident in &site.incidents {
        quarters.entry(quarter_of(incident)).or_default().push(incident);
    }
    let recent_quarters: Vec<_> = quarters.iter().rev().take(12).collect();
    let dense = recent_quarters.iter().filter(|(_, list)| list.len() >= MIN_GROUP).count() * 2
        >= recent_quarters.len();
    let (period, per_period): (&'static str, Vec<DurationRow>) = if dense {
        let rows = recent_quarters
            .into_iter()
            .rev()
            .map(|((y, q), list)| duration_row(format!("{y} Q{q}"), list))
            .collect();
        ("quarter", rows)
    } else {
        let mut by_year: BTreeMap<i32, Vec<&Incident>> = BTreeMap::new();
        for incident in &site.incidents {
            by_year.entry(incident.year()).or_default().push(incident);
        }
        let rows = by_year
            .iter()
            .rev()
            .take(12)
            .rev()
            .map(|(y, list)| duration_row(y.to_string(), list))
            .collect();
        ("year", rows)
    };

    let all: Vec<&Incident> = site.incidents.iter().collect();
    let mut by_severity = vec![duration_row("All".into(), &all)];
    let mut resolve_histogram = Vec::new();
    let rows = site.config.severities.iter().map(|s| Some(s.as_str())).chain([None]);
    for (rank, name) in rows.enumerate() {
        let group: Vec<&Incident> =
            all.iter().copied().filter(|i| severity_column(site, i) == rank).collect();
        if name.is_none() && group.is_empty() {
            continue;
        }
        let label = name.unwrap_or("Unrated").to_string();
        let mut buckets = vec![0; RESOLVE_BUCKETS.len()];
        for d in group.iter().filter_map(|i| i.timeline.time_to_resolve()) {
            let secs = d.whole_seconds();
            let b = RESOLVE_BUCKETS
                .iter()
                .position(|(max, _)| secs < *max)
                .unwrap_or(RESOLVE_BUCKETS.len() - 1);
            buckets[b] += 1;
        }
        resolve_histogram.push((label.clone(), buckets));
        by_severity.push(duration_row(label, &group));
    }

    let mut action_quarters: BTreeMap<(i32, u8), [usize; 3]> = BTreeMap::new();
    for incident in &site.incidents {
        let entry = action_quarters.entry(quarter_of(incident)).or_default();
        for action in &incident.actions {
            entry[match action.status {
                ActionStatus::Open => 0,
                ActionStatus::Done => 1,
                ActionStatus::Wontfix => 2,
            }] += 1;
        }
    }
    action_quarters.retain(|_, c| c.iter().sum::<usize>() > 0);
    let actions_per_quarter = action_quarters
        .into_iter()
        .rev()
        .take(16)
        .rev()
        .map(|((y, q), c)| (format!("{y} Q{q}"), c))
        .collect();

    let slug_index: HashMap<&str, usize> =
        services.iter().enumerate().map(|(i, t)| (t.slug.as_str(), i)).collect();
    let mut pairs: HashMap<(usize, usize), usize> = HashMap::new();
    let mut service_stats: Vec<ServiceStats> = Vec::with_capacity(services.len());
    for term in services {
        let mut by_year: BTreeMap<i32, usize> = BTreeMap::new();
        let mut co: HashMap<usize, usize> = HashMap::new();
        for &i in &term.incidents {
            let incident = &site.incidents[i];
            *by_year.entry(incident.year()).or_default() += 1;
            for other in &incident.services {
                let o = slug_index[crate::model::slug::slugify(other).as_str()];
                if services[o].slug != term.slug {
                    *co.entry(o).or_default() += 1;
                }
            }
        }
        let me = slug_index[term.slug.as_str()];
        for (&o, &count) in &co {
            if me < o {
                pairs.insert((me, o), count);
            }
        }
        let mut co_failing: Vec<(String, usize)> =
            co.into_iter().map(|(o, c)| (services[o].name.clone(), c)).collect();
        co_failing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        co_failing.truncate(8);
        service_stats.push(ServiceStats {
            by_year: by_year.into_iter().collect(),
            resolve: Spread::of(
                term.incidents
                    .iter()
                    .filter_map(|&i| site.incidents[i].timeline.time_to_resolve())
                    .collect(),
            ),
            co_failing,
        });
    }
    let mut co_failures: Vec<(String, String, usize)> = pairs
        .into_iter()
        .map(|((a, b), c)| (services[a].name.clone(), services[b].name.clone(), c))
        .collect();
    co_failures.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    co_failures.truncate(12);

    Metrics {
        per_month,
        per_year,
        period,
        per_period,
        by_severity,
        resolve_histogram,
        actions_per_quarter,
        co_failures,
        services: service_stats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let d: Vec<Duration> = (1..=10).map(Duration::minutes).collect();
        assert_eq!(percentile(&d, 50), Some(Duration::minutes(5)));
        assert_eq!(percentile(&d, 90), Some(Duration::minutes(9)));
        assert_eq!(percentile(&d[..1], 90), Some(Duration::minutes(1)));
        assert_eq!(percentile(&[], 50), None);
        let s = Spread::of(vec![Duration::hours(30), Duration::minutes(10), Duration::minutes(20)]);
        assert_eq!((s.n, s.median, s.enough()), (3, Some(Duration::minutes(20)), false));
    }
}
