//! The learning-themed indexes: every lesson, gathered under its theme across all postmortems,
//! so "what have rollbacks taught us" is one page.

use std::collections::BTreeMap;

use crate::model::Site;
use crate::model::slug::slugify;

/// A learning theme and its lessons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonTheme {
    /// URL segment.
    pub slug: String,
    /// The theme key (as configured or written).
    pub name: String,
    /// Display title.
    pub title: String,
    /// Configured description.
    pub description: Option<String>,
    /// (incident index, lesson index), newest postmortem first.
    pub lessons: Vec<(usize, usize)>,
}

impl LessonTheme {
    /// How many distinct postmortems taught something under this theme.
    pub fn postmortem_count(&self) -> usize {
        let mut seen: Vec<usize> = self.lessons.iter().map(|(i, _)| *i).collect();
        seen.dedup();
        seen.len()
    }
}

/// Every configured theme (also those with no lesson yet) and every theme used, by slug.
pub fn derive_lesson_themes(site: &Site) -> Vec<LessonTheme> {
    let mut themes: BTreeMap<String, LessonTheme> = BTreeMap::new();
    for (key, described) in &site.config.lesson_themes {
        themes.insert(
            slugify(key),
            LessonTheme {
                slug: slugify(key),
                name: key.clone(),
                title: described.title.clone().unwrap_or_else(|| key.clone()),
                description: described.description.clone(),
                lessons: Vec::new(),
            },
        );
    }
    for (i, incident) in site.incidents.iter().enumerate() {
        for (l, lesson) in incident.lessons.iter().enumerate() {
            let slug = slugify(&lesson.theme);
            themes
                .entry(slug.clone())
                .or_insert_with(|| LessonTheme {
                    slug,
                    name: lesson.theme.clone(),
                    title: lesson.theme.clone(),
                    description: None,
                    lessons: Vec::new(),
                })
                .lessons
                .push((i, l));
        }
    }
    themes.into_values().collect()
}
