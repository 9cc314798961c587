//! Walking the knowledge-base folder.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{Bundle, SourceEntry, StaticFile};
use crate::diagnostics::{Code, Diagnostic, Location, Mode};

/// Everything found in a knowledge base, in a stable (sorted) order.
#[derive(Debug, Default)]
pub struct KbLayout {
    /// Postmortem files.
    pub postmortems: Vec<SourceEntry>,
    /// Files of `static/`, copied to the output root.
    pub static_files: Vec<StaticFile>,
    /// Template overrides in `templates/`: (name relative to templates/, absolute path).
    pub templates: Vec<(String, PathBuf)>,
    /// Symlinks skipped and unreadable folders.
    pub diagnostics: Vec<Diagnostic>,
}

/// Is this a markdown file name?
fn is_markdown(name: &str) -> bool {
    name.ends_with(".md") || name.ends_with(".markdown")
}

/// Hidden files and folders (`.git`, editor swap files) are never part of the knowledge base.
fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// `/`-separated path of `path` relative to `base`.
fn rel_string(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

/// Find the postmortems, bundles, static files and templates under `root`.
pub fn walk_kb(root: &Path, mode: Mode) -> KbLayout {
    let mut layout = KbLayout::default();
    let postmortems = root.join("postmortems");
    if postmortems.is_dir() {
        walk_postmortems(root, &postmortems, mode, &mut layout);
    }
    for (entry_rel, abs) in walk_files(root, &root.join("static"), mode, &mut layout.diagnostics) {
        let output_rel = entry_rel.strip_prefix("static/").unwrap_or(&entry_rel).to_string();
        layout.static_files.push(StaticFile { output_rel, source_rel: entry_rel, abs });
    }
    for (entry_rel, abs) in walk_files(root, &root.join("templates"), mode, &mut layout.diagnostics)
    {
        let name = entry_rel.strip_prefix("templates/").unwrap_or(&entry_rel).to_string();
        layout.templates.push((name, abs));
    }
    layout
}

fn symlink_warning(root: &Path, path: &Path, mode: Mode) -> Diagnostic {
    let rel = rel_string(path, root);
    Diagnostic::new(
        Code::SymlinkSkipped,
        mode,
        format!("`{rel}` is a symbolic link; it is not followed"),
    )
    .help(
        "hindsight never reads outside the knowledge base: copy the file in instead of linking it",
    )
    .at(Location::whole_file(&rel))
}

fn walk_error(root: &Path, error: walkdir::Error, mode: Mode) -> Diagnostic {
    let rel = error.path().map(|p| rel_string(p, root)).unwrap_or_default();
    Diagnostic::new(Code::UnreadableFile, mode, format!("cannot read `{rel}`: {error}"))
        .help("check the folder's permissions")
        .at(Location::whole_file(&rel))
}

fn walk_postmortems(root: &Path, dir: &Path, mode: Mode, layout: &mut KbLayout) {
    let mut it = WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter();
    while let Some(next) = it.next() {
        let entry = match next {
            Ok(entry) => entry,
            Err(e) => {
                layout.diagnostics.push(walk_error(root, e, mode));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && is_hidden(&name) {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() {
            layout.diagnostics.push(symlink_warning(root, entry.path(), mode));
            continue;
        }
        let file_type = entry.file_type();
        if file_type.is_dir() {
            let index = entry.path().join("index.md");
            // A bundle is a folder holding index.md: the page plus its assets.
            if entry.depth() > 0 && index.symlink_metadata().is_ok_and(|m| m.is_file()) {
                let dir_rel = rel_string(entry.path(), root);
                let mut assets = Vec::new();
                for (rel, _) in walk_files(root, entry.path(), mode, &mut layout.diagnostics) {
                    let asset = rel[dir_rel.len() + 1..].to_string();
                    if asset != "index.md" {
                        assets.push(asset);
                    }
                }
                layout.postmortems.push(SourceEntry {
                    rel: format!("{dir_rel}/index.md"),
                    abs: index,
                    bundle: Some(Bundle { dir_rel, assets }),
                });
                it.skip_current_dir();
            }
        } else if file_type.is_file() && is_markdown(&name) {
            layout.postmortems.push(SourceEntry {
                rel: rel_string(entry.path(), root),
                abs: entry.path().to_path_buf(),
                bundle: None,
            });
        }
    }
}

/// All regular files under `dir` (skipping hidden ones and symlinks), as (root-relative path,
/// absolute path), sorted.
fn walk_files(
    root: &Path,
    dir: &Path,
    mode: Mode,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return files;
    }
    let mut it = WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter();
    while let Some(next) = it.next() {
        let entry = match next {
            Ok(entry) => entry,
            Err(e) => {
                diagnostics.push(walk_error(root, e, mode));
                continue;
            }
        };
        if entry.depth() > 0 && is_hidden(&entry.file_name().to_string_lossy()) {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() {
            diagnostics.push(symlink_warning(root, entry.path(), mode));
        } else if entry.file_type().is_file() {
            files.push((rel_string(entry.path(), root), entry.path().to_path_buf()));
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pages_bundles_and_static_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("postmortems/2024/a.md", "x"),
            ("postmortems/2024/b/index.md", "x"),
            ("postmortems/2024/b/img/chart.png", "x"),
            ("postmortems/2024/b/notes.md", "x"),
            ("postmortems/.draft.md", "x"),
            ("postmortems/2024/readme.txt", "x"),
            ("static/css/site.css", "x"),
            ("templates/incident.html", "x"),
        ] {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let layout = walk_kb(root, Mode::Build);
        let rels: Vec<_> = layout.postmortems.iter().map(|p| p.rel.as_str()).collect();
        assert_eq!(rels, ["postmortems/2024/a.md", "postmortems/2024/b/index.md"]);
        let bundle = layout.postmortems[1].bundle.as_ref().unwrap();
        assert_eq!(bundle.assets, ["img/chart.png", "notes.md"]);
        assert_eq!(layout.postmortems[1].stem(), "b");
        assert_eq!(layout.postmortems[0].stem(), "a");
        assert_eq!(layout.static_files[0].output_rel, "css/site.css");
        assert_eq!(layout.templates[0].0, "incident.html");
        assert!(layout.diagnostics.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("postmortems")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("postmortems/passwd.md")).unwrap();
        std::os::unix::fs::symlink(root, root.join("postmortems/loop")).unwrap();
        let layout = walk_kb(root, Mode::Build);
        assert!(layout.postmortems.is_empty());
        assert_eq!(layout.diagnostics.len(), 2);
        assert!(layout.diagnostics.iter().all(|d| d.code == Code::SymlinkSkipped));
    }
}
