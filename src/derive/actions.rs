//! The action tracker: every follow-up action across the knowledge base, overdue and open
//! first.

use std::collections::BTreeMap;

use crate::model::slug::slugify;
use crate::model::{ActionStatus, Site};

/// An action, by position: `site.incidents[incident].actions[action]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionRef {
    /// Index into `site.incidents`.
    pub incident: usize,
    /// Index into that incident's actions.
    pub action: usize,
    /// Days from the postmortem's date to the build date.
    pub age_days: i64,
}

/// Every action: overdue first (most overdue first), then open (soonest due first, undated
/// last), then done, then won't-fix (newest postmortem first): each status is one run of the
/// list, so a long tracker's pages need no copies per status.
pub fn derive_actions(site: &Site) -> Vec<ActionRef> {
    // Each action with its sort key, computed once; keys are unique, so an unstable sort is
    // exact.
    let mut keyed: Vec<((u8, i32, usize, usize), ActionRef)> = site
        .incidents
        .iter()
        .enumerate()
        .flat_map(|(i, incident)| {
            let age_days = (site.build_date - incident.date().date()).whole_days();
            incident.actions.iter().enumerate().map(move |(k, a)| {
                let group = match (a.overdue, a.status) {
                    (true, _) => 0,
                    (false, ActionStatus::Open) => 1,
                    (false, ActionStatus::Done) => 2,
                    (false, ActionStatus::Wontfix) => 3,
                };
                let due = if group < 2 {
                    a.due.map(|d| d.to_julian_day()).unwrap_or(i32::MAX)
                } else {
                    0
                };
                ((group, due, i, k), ActionRef { incident: i, action: k, age_days })
            })
        })
        .collect();
    keyed.sort_unstable_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, r)| r).collect()
}

/// The actions of one owner (team), for the tracker's per-owner pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionOwner {
    /// URL segment.
    pub slug: String,
    /// The owner as most often written (`Payments team` and `payments-team` are one owner).
    pub name: String,
    /// Indices into the derived actions, in tracker order.
    pub actions: Vec<usize>,
}

/// Every owner of an action, by slug.
pub fn derive_action_owners(site: &Site, actions: &[ActionRef]) -> Vec<ActionOwner> {
    let mut by_slug: BTreeMap<String, (BTreeMap<&str, usize>, Vec<usize>)> = BTreeMap::new();
    // Owners repeat across thousands of actions: each spelling is slugified once.
    let mut slugs: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (k, r) in actions.iter().enumerate() {
        if let Some(owner) = &site.incidents[r.incident].actions[r.action].owner {
            let slug = slugs.entry(owner.as_str()).or_insert_with(|| slugify(owner));
            let entry = by_slug.entry(slug.clone()).or_default();
            *entry.0.entry(owner.as_str()).or_default() += 1;
            entry.1.push(k);
        }
    }
    by_slug
        .into_iter()
        .map(|(slug, (spellings, actions))| {
            let name = spellings
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or_else(|| slug.clone(), |(s, _)| s.to_string());
            ActionOwner { slug, name, actions }
        })
        .collect()
}
