//! Is a postmortem ready to publish? The sections a reader expects, and whether they have
//! anything in them. Shared by the warnings of `check` and its `--review` checklist.

use crate::render::markdown::{Outline, Section};

/// Which sections of a body are empty. A section counts as written when it has a block of its
/// own or a written subsection (a "Root causes" heading whose content sits under "### Trigger"
/// is not empty).
pub fn empty_sections(outline: &Outline) -> Vec<&Section> {
    let sections = &outline.sections;
    let mut written = vec![false; sections.len()];
    // Walk backwards so that subsections are settled before their parent.
    for i in (0..sections.len()).rev() {
        let mut has_content = sections[i].blocks > 0;
        let mut j = i + 1;
        while j < sections.len() && sections[j].level > sections[i].level {
            has_content |= written[j];
            j += 1;
        }
        written[i] = has_content;
    }
    sections.iter().zip(written).filter(|(_, w)| !w).map(|(s, _)| s).collect()
}

/// The first section whose title contains one of `words` (case-insensitive).
pub fn find_section<'o>(outline: &'o Outline, words: &[&str]) -> Option<&'o Section> {
    outline.sections.iter().find(|s| {
        let title = s.title.to_lowercase();
        words.iter().any(|w| title.contains(w))
    })
}

/// How many blocks the section holds, its subsections included.
pub fn blocks_under(outline: &Outline, section: &Section) -> u32 {
    let sections = &outline.sections;
    let Some(i) = sections.iter().position(|s| std::ptr::eq(s, section)) else { return 0 };
    let mut total = sections[i].blocks;
    for s in sections[i + 1..].iter().take_while(|s| s.level > section.level) {
        total += s.blocks;
    }
    total
}

/// Whether a section with one of these titles is written (present and not empty).
pub fn section_written(outline: &Outline, words: &[&str]) -> bool {
    find_section(outline, words).is_some_and(|s| blocks_under(outline, s) > 0)
}

/// Titles of the body sections that the front matter fills on the page: an empty "Lessons"
/// heading is fine when `[[lessons]]` has entries.
pub const LESSON_TITLES: &[&str] = &["lesson"];
/// See [`LESSON_TITLES`], for `[[actions]]`.
pub const ACTION_TITLES: &[&str] = &["action item", "follow-up", "follow up", "actions"];

#[cfg(test)]
mod tests {
    use super::*;

    fn section(level: u8, title: &str, blocks: u32) -> Section {
        Section { level, title: title.into(), span: 0..0, blocks }
    }

    #[test]
    fn a_section_with_a_written_subsection_is_not_empty() {
        let outline = Outline {
            sections: vec![
                section(2, "Root causes", 0),
                section(3, "Trigger", 2),
                section(2, "Detection", 0),
                section(2, "Resolution", 1),
                section(3, "Notes", 0),
            ],
            code: vec![],
        };
        let empty: Vec<&str> = empty_sections(&outline).iter().map(|s| s.title.as_str()).collect();
        assert_eq!(empty, ["Detection", "Notes"]);
        let causes = find_section(&outline, &["cause"]).unwrap();
        assert_eq!(blocks_under(&outline, causes), 2);
        assert!(section_written(&outline, &["resolution"]));
        assert!(!section_written(&outline, &["detect"]));
    }
}
