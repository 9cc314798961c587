//! Stage 7: write the site. Plans every output path first (so two things mapping to one
//! file are one error naming both, before anything is written), then renders and writes pages
//! in parallel into the staging folder, copies static files and bundle assets, and swaps the
//! result into place.

pub mod location;
pub mod manifest;
pub mod page_record;
pub mod sink;
pub mod up_to_date;
pub mod write;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::activity::{self, Activity};
use crate::derive::Derived;
use crate::diagnostics::{Code, Diagnostic, Location, Mode};
use crate::load::StaticFile;
use crate::model::Site;
use crate::model::slug::collision_key;
use crate::render::highlight;
use crate::render::pages::{Page, RenderContext};
use crate::render::templates::BUILTIN_STATIC;
use crate::search::static_index::StaticIndex;
pub use sink::{MemorySink, Sink};
pub use write::{OutputWriter, WriteStats};

/// Why writing a site failed.
#[derive(Debug)]
pub enum WriteError {
    /// A template failed on a page (the message names the page and what it shows).
    Render(String),
    /// Creating or writing a file failed.
    Output(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Render(message) | WriteError::Output(message) => f.write_str(message),
        }
    }
}

impl From<WriteError> for String {
    fn from(e: WriteError) -> String {
        e.to_string()
    }
}

/// One file of the output and where it comes from.
enum Source {
    Page(Page),
    /// A page whose inputs did not change since the published folder's was rendered: kept
    /// from there when the sink can (see [`Sink::keep`]), else rendered.
    Kept(Page),
    Bytes(Vec<u8>),
    Copy(PathBuf),
    /// A folder whose files another producer writes (the search index).
    Reserved,
}

/// The folder the search index owns.
const SEARCH_PREFIX: &str = "search/";

/// Every output file of the build, by output-relative path.
pub struct OutputPlan {
    files: Vec<(String, String, Source)>,
}

impl OutputPlan {
    /// Plan the pages of `site` (loaded from `root`), its static files, bundle assets and
    /// theme assets; `search/` is reserved for the search index.
    pub fn new(
        root: &Path,
        site: &Site,
        derived: &Derived,
        pages: Vec<Page>,
        static_files: &[StaticFile],
    ) -> OutputPlan {
        let mut files = Vec::new();
        // The search index writes its own files under search/ (see `write`).
        files.push((SEARCH_PREFIX.to_string(), "the search index".to_string(), Source::Reserved));
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

    /// Every output path planned (`search/` stands for the search index's files).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(path, _, _)| path.as_str())
    }

    /// Every page planned, with its output path.
    pub fn pages(&self) -> impl Iterator<Item = (&str, &Page)> {
        self.files.iter().filter_map(|(path, _, source)| match source {
            Source::Page(page) | Source::Kept(page) => Some((path.as_str(), page)),
            _ => None,
        })
    }

    /// Render only the pages `render` selects (by output path and page); the others are
    /// kept as the published folder has them where the sink can (see [`Sink::keep`]).
    pub fn keep_pages(&mut self, mut render: impl FnMut(&str, &Page) -> bool) {
        for (path, _, source) in &mut self.files {
            if matches!(source, Source::Page(page) if !render(path, page))
                && let Source::Page(page) = std::mem::replace(source, Source::Reserved)
            {
                *source = Source::Kept(page);
            }
        }
    }

    /// Keep only the pages `keep` selects (by output path and page), dropping every other
    /// file: for re-rendering the part of a site a change affects.
    pub fn retain_pages(&mut self, mut keep: impl FnMut(&str, &Page) -> bool) {
        self.files.retain(|(path, _, source)| match source {
            Source::Page(page) => keep(path, page),
            _ => false,
        });
    }

    /// Two sources mapping to one output path (also when they differ only by case or Unicode
    /// normalization) are one error naming every source.
    pub fn collisions(&self, mode: Mode) -> Vec<Diagnostic> {
        let mut by_key: HashMap<String, Vec<(&str, &str)>> = HashMap::new();
        for (path, origin, _) in &self.files {
            // Anything else under a reserved folder collides with its owner.
            let key = match path.strip_prefix(SEARCH_PREFIX) {
                Some(rest) if !rest.is_empty() && !path.ends_with("index.html") => {
                    SEARCH_PREFIX.to_string()
                }
                _ => collision_key(path),
            };
            by_key.entry(key).or_default().push((path, origin));
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
        problems.extend(self.files_where_folders_go(mode));
        problems.sort_by(|a, b| a.message.cmp(&b.message));
        problems
    }

    /// A file planned where another planned file needs a folder (a static file named
    /// `services` beside the `services/` pages): one error per such file.
    fn files_where_folders_go(&self, mode: Mode) -> Vec<Diagnostic> {
        // Each folder once (its key), with the first file planned inside it.
        let mut folders: HashMap<String, (&str, &str)> = HashMap::new();
        for (path, origin, _) in &self.files {
            let mut folder = path.as_str();
            while let Some((parent, _)) = folder.rsplit_once('/') {
                folder = parent;
                match folders.entry(collision_key(folder)) {
                    // Its parents are in already too.
                    Entry::Occupied(_) => break,
                    Entry::Vacant(slot) => {
                        slot.insert((path, origin));
                    }
                }
            }
        }
        self.files
            .iter()
            .filter_map(|(path, origin, _)| {
                let (inside, inside_origin) = folders.get(&collision_key(path))?;
                let inside = if inside_origin.contains(inside) {
                    inside_origin.to_string()
                } else {
                    format!("{inside_origin} → {inside}")
                };
                Some(
                    Diagnostic::new(
                        Code::DuplicateOutput,
                        mode,
                        format!(
                            "{origin} would be written to the file {path}, which must be a \
                             folder: {inside} goes in it"
                        ),
                    )
                    .help("rename or move it: a file cannot take the name of a folder of the site")
                    .at(Location::whole_file(origin)),
                )
            })
            .collect()
    }

    /// Render and write everything with `writer`. Pages render in parallel; one thread writes,
    /// because creating files from several threads at once makes the file system contend
    /// (measured: twice the kernel time with two writers on ext4). It first creates every
    /// folder, while the first pages render. Returns how many pages were kept as published
    /// (see [`OutputPlan::keep_pages`]).
    pub fn write<S: Sink>(
        self,
        ctx: &RenderContext<'_>,
        writer: &S,
        index: Option<&StaticIndex<'_>>,
    ) -> Result<usize, WriteError> {
        enum Job {
            Bytes(Vec<u8>),
            Copy(PathBuf),
        }
        let mut folders: Vec<&str> = self
            .files
            .iter()
            .filter_map(|(path, _, _)| path.rsplit_once('/').map(|(d, _)| d))
            .chain([
                "search/p", "search/x", "search/d", "search/y", "search/c", "search/f", "search/s",
            ])
            .collect();
        folders.sort_unstable();
        folders.dedup();
        let folders: Vec<String> = folders.into_iter().map(String::from).collect();
        let (tx, rx) = std::sync::mpsc::sync_channel::<(String, Job)>(256);
        let kept_pages = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let writing = scope.spawn(move || -> Result<(), String> {
                let time = activity::enter(Activity::WriteFiles);
                writer.create_folders(&folders).map_err(|e| format!("creating folders: {e}"))?;
                drop(time);
                for (path, job) in rx {
                    let _time = activity::enter(Activity::WriteFiles);
                    let result = match job {
                        Job::Bytes(bytes) => writer.write(&path, &bytes),
                        Job::Copy(src) => writer.copy(&path, &src),
                    };
                    result.map_err(|e| format!("writing {path}: {e}"))?;
                }
                Ok(())
            });
            let index_tx = tx.clone();
            let index_sink = move |path: String, bytes: Vec<u8>| {
                let _time = activity::enter(Activity::WaitForWriter);
                index_tx.send((path, Job::Bytes(bytes))).map_err(|_| String::new())
            };
            let (rendered, indexed) = rayon::join(
                || {
                    self.files.into_par_iter().try_for_each_with(
                        tx,
                        |tx, (path, origin, source)| {
                            let source = match source {
                                Source::Kept(page) => {
                                    let kept = {
                                        let _time = activity::enter(Activity::WriteFiles);
                                        writer.keep(&path)
                                    };
                                    let kept = kept.map_err(|e| {
                                        WriteError::Output(format!("keeping {path}: {e}"))
                                    })?;
                                    if kept {
                                        kept_pages.fetch_add(1, Ordering::Relaxed);
                                        return Ok(());
                                    }
                                    Source::Page(page)
                                }
                                other => other,
                            };
                            let job = match source {
                                // Too large to pass around in memory: written from here.
                                Source::Page(Page::Json) => {
                                    let mut produce = |out: &mut dyn std::io::Write| {
                                        let _time = activity::enter(Activity::PageData);
                                        crate::render::machine::json_export_to(ctx, out)
                                    };
                                    return writer.write_streamed(&path, &mut produce).map_err(
                                        |e| WriteError::Output(format!("writing {path}: {e}")),
                                    );
                                }
                                Source::Page(page) | Source::Kept(page) => {
                                    Job::Bytes(ctx.render(&page).map_err(|e| {
                                        WriteError::Render(format!(
                                            "rendering {path} ({origin}): {e}"
                                        ))
                                    })?)
                                }
                                Source::Bytes(bytes) => Job::Bytes(bytes),
                                Source::Copy(src) => Job::Copy(src),
                                Source::Reserved => return Ok(()),
                            };
                            // A closed channel means the writer failed; its error is reported below.
                            let _time = activity::enter(Activity::WaitForWriter);
                            tx.send((path, job)).map_err(|_| WriteError::Output(String::new()))
                        },
                    )
                },
                || {
                    let keep = |path: &str| {
                        let _time = activity::enter(Activity::WriteFiles);
                        writer.keep(path).map_err(|e| format!("keeping {path}: {e}"))
                    };
                    let result = index.map_or(Ok(()), |index| index.write(&index_sink, &keep));
                    drop(index_sink);
                    result.map_err(WriteError::Output)
                },
            );
            let rendered = rendered.and(indexed);
            let written =
                writing.join().unwrap_or_else(|_| Err("the writer thread panicked".into()));
            match (written, rendered) {
                (Err(e), _) => Err(WriteError::Output(e)),
                (Ok(()), Err(e)) => Err(e),
                (Ok(()), Ok(())) => Ok(kept_pages.into_inner()),
            }
        })
    }
}
