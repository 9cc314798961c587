//! `check --review FILE`: the questions a reviewer asks of a postmortem before it is
//! published, answered from the file.

use serde::Serialize;

use super::completeness::{blocks_under, find_section, section_written};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::Incident;
use crate::render::markdown::Outline;

/// One question of the checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    /// Stable key, e.g. `impact`.
    pub key: &'static str,
    /// The question, e.g. "Is the impact stated?".
    pub question: &'static str,
    /// Whether the file answers it.
    pub done: bool,
    /// What to write when it does not.
    pub help: &'static str,
}

/// What the checklist looks at.
pub struct ReviewInput<'a> {
    /// The postmortem.
    pub incident: &'a Incident,
    /// Its body's structure.
    pub outline: &'a Outline,
    /// Whether the front matter has a `summary`.
    pub summary_key: bool,
    /// Every finding in the file.
    pub findings: &'a [Diagnostic],
}

/// The checklist for one postmortem, in reading order.
pub fn checklist(input: &ReviewInput<'_>) -> Vec<ReviewItem> {
    let incident = input.incident;
    let outline = input.outline;
    let has = |codes: &[Code]| input.findings.iter().any(|d| codes.contains(&d.code));
    let summary_written = input.summary_key
        || (!incident.summary.is_empty()
            && find_section(outline, &["summary"]).is_none_or(|s| blocks_under(outline, s) > 0));
    let causes = find_section(outline, &["cause", "contributing", "trigger", "why"])
        .map_or(0, |s| blocks_under(outline, s));
    let item = |key, question, done, help| ReviewItem { key, question, done, help };
    vec![
        item(
            "summary",
            "Is there a summary a reader can skim?",
            summary_written,
            "add `summary = \"...\"` or a paragraph under \"Summary\"",
        ),
        item(
            "impact",
            "Is the impact stated (who was affected, how, for how long)?",
            incident.impact.as_deref().is_some_and(|i| !i.trim().is_empty())
                || section_written(outline, &["impact"]),
            "add `impact = \"...\"` or write under \"Impact\"",
        ),
        item(
            "timeline",
            "Is there a timeline?",
            incident.timeline.detected.is_some() || section_written(outline, &["timeline"]),
            "add [times] detected/mitigated/resolved, or a list under \"Timeline\"",
        ),
        item(
            "detection",
            "Is detection described (how we found out, and how long it took)?",
            section_written(outline, &["detect"]),
            "write under \"Detection\": which signal fired, or who noticed, and what delayed it",
        ),
        item(
            "causes",
            "Are causes beyond the trigger described?",
            causes >= 2,
            "under \"Root causes and trigger\", list the conditions that let the trigger cause \
             harm, not only the change that set it off",
        ),
        item(
            "resolved",
            "Is the resolution recorded, with a resolved time?",
            incident.timeline.resolved.is_some(),
            "add `resolved = ...` under [times] and describe the fix under \"Resolution\"",
        ),
        item(
            "lessons",
            "Are lessons recorded under themes?",
            !incident.lessons.is_empty(),
            "add [[lessons]] entries with a `theme` and a one-sentence `text`",
        ),
        item(
            "actions",
            "Are there action items, each with an owner?",
            !incident.actions.is_empty() && incident.actions.iter().all(|a| a.owner.is_some()),
            "add [[actions]] with `title`, `owner` and `due`",
        ),
        item(
            "blameless",
            "Is the wording blameless?",
            !has(&[Code::BlamefulLanguage]),
            "reword the phrases `check` flags to describe the system, not the person",
        ),
        item(
            "private",
            "Is it free of credentials and personal data?",
            !has(&[Code::LeakedSecret, Code::PersonalData]),
            "remove or redact what `check` flags (and rotate any credential)",
        ),
        item(
            "valid",
            "Does it pass every other check?",
            !input.findings.iter().any(|d| {
                !matches!(
                    d.code,
                    Code::BlamefulLanguage
                        | Code::LeakedSecret
                        | Code::PersonalData
                        | Code::MissingSummary
                        | Code::MissingLessons
                        | Code::MissingResolved
                )
            }),
            "fix the findings printed above",
        ),
    ]
}
