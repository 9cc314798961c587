//! Watching the knowledge base for saves: debounced file-system events, reduced to the
//! root-relative paths of the files a site is built from.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// Quiet time after an event before changes are applied: an editor's save (write a temporary
/// file, rename it over the original) becomes one rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(30);

/// A running watch; dropping it stops watching.
pub struct Watch {
    _watcher: RecommendedWatcher,
}

/// Watch `root`, sending the root-relative paths of changed source files (never those under
/// `ignored`, such as the output folder). Reads are not changes: `serve` reads every file.
pub fn watch(root: &Path, ignored: Vec<PathBuf>, tx: Sender<Vec<String>>) -> notify::Result<Watch> {
    let base = root.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
        let Ok(event) = result else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        let paths: Vec<String> = event
            .paths
            .iter()
            .filter(|p| !ignored.iter().any(|i| p.starts_with(i)))
            .filter_map(|p| source_path(&base, p))
            .collect();
        if !paths.is_empty() {
            let _ = tx.send(paths);
        }
    })?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    Ok(Watch { _watcher: watcher })
}

/// The root-relative path of `path` when it is one of the files a site is built from:
/// hindsight.toml, or a file under postmortems/, templates/ or static/ that is not hidden or
/// an editor's temporary file.
pub fn source_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in rel.components() {
        let Component::Normal(part) = component else { return None };
        let part = part.to_str()?;
        if part.starts_with('.') {
            return None;
        }
        parts.push(part);
    }
    let name = *parts.last()?;
    if name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp") || name == "4913" {
        return None;
    }
    match parts.first().copied() {
        Some("hindsight.toml") if parts.len() == 1 => Some(parts.join("/")),
        Some("postmortems" | "templates" | "static") if parts.len() > 1 => Some(parts.join("/")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_source_files_count() {
        let root = Path::new("/kb");
        let rel = |p: &str| source_path(root, &root.join(p));
        assert_eq!(rel("hindsight.toml").as_deref(), Some("hindsight.toml"));
        assert_eq!(rel("postmortems/2024/a.md").as_deref(), Some("postmortems/2024/a.md"));
        assert_eq!(rel("static/logo.svg").as_deref(), Some("static/logo.svg"));
        for ignored in [
            "public/index.html",
            ".hindsight/search/x",
            "postmortems/.a.md.swp",
            "postmortems/a.md~",
            ".git/HEAD",
            "postmortems",
            "README.md",
        ] {
            assert_eq!(rel(ignored), None, "{ignored}");
        }
    }
}
