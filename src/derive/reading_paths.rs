//! Reading paths: curated, ordered lists of postmortems from `hindsight.toml`, and each
//! postmortem's place on them ("part 3 of 10 of Start here").

use crate::config::CONFIG_FILE;
use crate::diagnostics::{Code, Diagnostic, LineIndex, Location, Mode};
use crate::model::{Referent, Site};

/// A reading path with its entries resolved to published postmortems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadingPath {
    /// URL segment.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Why to read it.
    pub description: Option<String>,
    /// Indices into `site.incidents`, in reading order.
    pub incidents: Vec<usize>,
}

/// A postmortem's place on a reading path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathPosition {
    /// Index into the reading paths.
    pub path: usize,
    /// 0-based position on the path.
    pub index: usize,
}

/// Where `needle` is quoted in the config text after byte `from`, for pointing at an entry.
fn quoted_span(text: &str, needle: &str, from: usize) -> std::ops::Range<usize> {
    let quoted = format!("\"{needle}\"");
    match text[from.min(text.len())..].find(&quoted) {
        Some(i) => from + i..from + i + quoted.len(),
        None => 0..0,
    }
}

/// Resolve every reading path. An entry naming nothing is reported (a warning under `build`,
/// an error under `check`); an entry this build does not publish (a draft, or an internal
/// postmortem in a public build) is skipped with a warning.
pub fn derive_reading_paths(
    site: &Site,
    config_text: &str,
    mode: Mode,
) -> (Vec<ReadingPath>, Vec<Diagnostic>) {
    let lines = LineIndex::new(config_text);
    let mut diagnostics = Vec::new();
    let mut paths = Vec::new();
    for path in &site.config.reading_paths {
        let anchor = quoted_span(config_text, &path.slug, 0).start;
        let mut incidents = Vec::new();
        for entry in &path.postmortems {
            let at = || {
                Location::from_span(CONFIG_FILE, &lines, quoted_span(config_text, entry, anchor))
            };
            match site.resolve(entry) {
                Referent::Published(i) if !incidents.contains(&i) => incidents.push(i),
                Referent::Published(_) => diagnostics.push(
                    Diagnostic::new(Code::UnknownReference, Mode::Build, format!("reading path `{}` lists `{entry}` twice", path.slug))
                        .help("list each postmortem once")
                        .at(at()),
                ),
                Referent::Unpublished => diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownReference,
                        Mode::Build,
                        format!("reading path `{}` lists `{entry}`, which this build does not publish; it is skipped", path.slug),
                    )
                    .help("it is a draft, or internal in a --public build")
                    .at(at()),
                ),
                Referent::Unknown => diagnostics.push(
                    Diagnostic::new(Code::UnknownReference, mode, format!("reading path `{}` lists `{entry}`, which is not a postmortem", path.slug))
                        .help("use the postmortem's slug (its file name without .md, or its `slug`)")
                        .at(at()),
                ),
            }
        }
        paths.push(ReadingPath {
            slug: path.slug.clone(),
            title: path.title.clone(),
            description: path.description.clone(),
            incidents,
        });
    }
    (paths, diagnostics)
}

/// Each incident's positions on the reading paths.
pub fn path_positions(paths: &[ReadingPath], incident_count: usize) -> Vec<Vec<PathPosition>> {
    let mut positions = vec![Vec::new(); incident_count];
    for (p, path) in paths.iter().enumerate() {
        for (index, &i) in path.incidents.iter().enumerate() {
            positions[i].push(PathPosition { path: p, index });
        }
    }
    positions
}
