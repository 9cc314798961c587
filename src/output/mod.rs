//! Stage 7: write the site. Plans every output path first (so two things mapping to one
//! file are one error naming both, before anything is written), then renders and writes pages
//! in parallel into the staging folder, copies static files and bundle assets, and swaps the
//! result into place.

pub mod location;
pub mod manifest;
pub mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::derive::Derived;
use crate::diagnostics::{Code, Diagnostic, Location, Mode};
use crate::load::StaticFile;
use crate::model::Site;
use crate::model::slug::collision_key;
use crate::render::highlight;
use crate::render::pages::{Page, RenderContext};
use crate::render::templates::BUILTIN_STATIC;
pub use write::{OutputWriter, WriteStats};

/// One file of the output and where it comes from.
enum Source {
    Page(Page),
    Bytes(Vec<u8>),
    Copy(PathBuf),
}

/// Every output file of the build, by output-relative path.
pub struct OutputPlan {
    files: Vec<(String, String, Source)>,
}

impl OutputPlan {
    /// Plan the pages of `site` (loaded from `root`), its static files, bundle assets, theme
    /// assets and `generated` files (the search index).
    pub fn new(
        root: &Path,
        site: &Site,
        derived: &Derived,
        pages: Vec<Page>,
        static_files: &[StaticFile],
        generated: Vec<(String, Vec<u8>)>,
    ) -> OutputPlan {
        let mut files = Vec::new();
        for (path, bytes) in generated {
            files.push((path, "the search index".to_string(), Source::Bytes(bytes)));
        }
        let (light, dark) = highlight::stylesheets();
        // Theme assets first: a site's static/ file of the same path replaces one.
        let overridden: std::collections::HashSet<&str> =
            static_files.iter().map(|f| f.output_rel.as_str()).collect();
        for (path, bytes) in BUILTIN_STATIC {
            if !overridden.contains(path) {
                files.push((
                    path.to_string(),
                    "the default theme".to_string(),
                    Source::Bytes(bytes.to_vec()),
                ));
            }
        }
        for (path, css) in [("assets/syntax-light.css", light), ("assets/syntax-dark.css", dark)] {
            if !overridden.contains(path) {
                files.push((
                    path.to_string(),
                    "the default theme".to_string(),
                    Source::Bytes(css.into_bytes()),
                ));
            }
        }
        for page in pages {
            files.push((
                page.output_path(site, derived),
                page.origin(site, derived),
                Source::Page(page),
            ));
        }
        for f in static_files {
            files.push((f.output_rel.clone(), f.source_rel.clone(), Source::Copy(f.abs.clone())));
        }
        for incident in &site.incidents {
            if let Some(bundle) = &incident.bundle {
                for asset in &bundle.assets {
                    if asset.ends_with(".md") {
                        continue;
                    }
                    files.push((
                        format!("postmortems/{}/{asset}", incident.slug),
                        format!("{}/{asset}", bundle.dir_rel),
                        Source::Copy(root.join(&bundle.dir_rel).join(asset)),
                    ));
                }
            }
        }
        OutputPlan { files }
    }

    /// Two sources mapping to one output path (also when they differ only by case or Unicode
    /// normalization) are one error naming every source.
    pub fn collisions(&self, mode: Mode) -> Vec<Diagnostic> {
        let mut by_key: HashMap<String, Vec<(&str, &str)>> = HashMap::new();
        for (path, origin, _) in &self.files {
            by_key.entry(collision_key(path)).or_default().push((path, origin));
        }
        let mut problems: Vec<Diagnostic> = by_key
            .into_values()
            .filter(|v| v.len() > 1)
            .map(|v| {
                let list: Vec<String> =
                    v.iter().map(|(path, origin)| format!("{origin} → {path}")).collect();
                let file = v.iter().map(|(_, o)| *o).find(|o| o.ends_with(".md")).unwrap_or(v[0].1);
                Diagnostic::new(
                    Code::DuplicateOutput,
                    mode,
                    format!(
                        "{} things would be written to the same file: {}",
                        v.len(),
                        list.join("; ")
                    ),
                )
                .help("rename one of them (slug, alias or file name)")
                .at(Location::whole_file(file))
            })
            .collect();
        problems.sort_by(|a, b| a.message.cmp(&b.message));
        problems
    }

    /// Render and write everything with `writer`.
    pub fn write(self, ctx: &RenderContext<'_>, writer: &OutputWriter) -> Result<(), String> {
        self.files.into_par_iter().try_for_each(|(path, origin, source)| {
            let result = match source {
                Source::Page(page) => {
                    let bytes = ctx
                        .render(&page)
                        .map_err(|e| format!("rendering {path} ({origin}): {e}"))?;
                    writer.write(&path, &bytes)
                }
                Source::Bytes(bytes) => writer.write(&path, &bytes),
                Source::Copy(src) => writer.copy(&path, &src),
            };
            result.map_err(|e| format!("writing {path}: {e}"))
        })
    }
}
