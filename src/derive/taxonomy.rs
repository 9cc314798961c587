//! Grouping postmortems by tag, service, severity and year.

use std::collections::BTreeMap;

use crate::model::Site;
use crate::model::slug::slugify;

/// One term of a taxonomy (a tag, a service, a severity, a year) and its postmortems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// URL segment.
    pub slug: String,
    /// The term as written (the configured spelling when there is one).
    pub name: String,
    /// Display title (configured, or the name).
    pub title: String,
    /// Configured description.
    pub description: Option<String>,
    /// Indices into `site.incidents`, newest first.
    pub incidents: Vec<usize>,
}

/// Group by the slug of each value `values_of` gives, so `Stuff I Broke` and `stuff-i-broke`
/// are one term. The display name is the configured key of that slug if any, else the most
/// common spelling (ties: the first in sort order). Sorted by slug.
fn group<'s>(
    site: &'s Site,
    values_of: impl Fn(&'s crate::model::Incident) -> &'s [String],
    configured: impl Fn(&str) -> Option<(String, Option<String>, Option<String>)>,
) -> Vec<Term> {
    let mut by_slug: BTreeMap<String, (BTreeMap<&str, usize>, Vec<usize>)> = BTreeMap::new();
    for (i, incident) in site.incidents.iter().enumerate() {
        let mut seen = Vec::new();
        for value in values_of(incident) {
            let slug = slugify(value);
            let entry = by_slug.entry(slug.clone()).or_default();
            *entry.0.entry(value.as_str()).or_default() += 1;
            if !seen.contains(&slug) {
                entry.1.push(i);
                seen.push(slug);
            }
        }
    }
    by_slug
        .into_iter()
        .map(|(slug, (spellings, incidents))| {
            let common = spellings
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(s, _)| s.to_string())
                .unwrap_or_else(|| slug.clone());
            let (name, title, description) = match configured(&slug) {
                Some((key, title, description)) => (key.clone(), title.unwrap_or(key), description),
                None => (common.clone(), common, None),
            };
            Term { slug, name, title, description, incidents }
        })
        .collect()
}

/// Every tag, with its configured title and description.
pub fn derive_tags(site: &Site) -> Vec<Term> {
    let configured: BTreeMap<String, (&String, &crate::config::DescribedTerm)> =
        site.config.tags.iter().map(|(k, v)| (slugify(k), (k, v))).collect();
    group(
        site,
        |i| &i.tags,
        |slug| {
            configured
                .get(slug)
                .map(|(k, v)| ((*k).clone(), v.title.clone(), v.description.clone()))
        },
    )
}

/// Every service.
pub fn derive_services(site: &Site) -> Vec<Term> {
    group(site, |i| &i.services, |_| None)
}

/// Each severity of the scale (even when unused), most severe first.
pub fn derive_severities(site: &Site) -> Vec<Term> {
    site.config
        .severities
        .iter()
        .enumerate()
        .map(|(rank, name)| Term {
            slug: slugify(name),
            name: name.clone(),
            title: name.clone(),
            description: None,
            incidents: (0..site.incidents.len())
                .filter(|&i| site.incidents[i].severity.as_ref().is_some_and(|s| s.rank == rank))
                .collect(),
        })
        .collect()
}

/// Each year with postmortems, newest first.
pub fn derive_years(site: &Site) -> Vec<Term> {
    let mut years: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (i, incident) in site.incidents.iter().enumerate() {
        years.entry(incident.year()).or_default().push(i);
    }
    years
        .into_iter()
        .rev()
        .map(|(year, incidents)| Term {
            slug: year.to_string(),
            name: year.to_string(),
            title: year.to_string(),
            description: None,
            incidents,
        })
        .collect()
}
