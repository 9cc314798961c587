//! The action tracker: every follow-up action across the knowledge base, overdue and open
//! first.

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
/// last), then done and won't-fix (newest postmortem first).
pub fn derive_actions(site: &Site) -> Vec<ActionRef> {
    let mut refs: Vec<ActionRef> = site
        .incidents
        .iter()
        .enumerate()
        .flat_map(|(i, incident)| {
            let age_days = (site.build_date - incident.date().date()).whole_days();
            (0..incident.actions.len()).map(move |a| ActionRef { incident: i, action: a, age_days })
        })
        .collect();
    refs.sort_by_key(|r| {
        let a = &site.incidents[r.incident].actions[r.action];
        let group = match (a.overdue, a.status) {
            (true, _) => 0,
            (false, ActionStatus::Open) => 1,
            _ => 2,
        };
        let due = if group < 2 { a.due.map(|d| d.to_julian_day()).unwrap_or(i32::MAX) } else { 0 };
        (group, due, r.incident, r.action)
    });
    refs
}
