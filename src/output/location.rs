//! Where a build may write: never over the sources, never into a folder hindsight did not make.

use std::path::{Component, Path, PathBuf};

use super::manifest::{folder_identity, manifest_path};

/// Make `path` absolute and lexically normal (no `.` or `..`), resolving symlinks of the part
/// that exists, so two spellings of one folder compare equal.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut normal = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other.as_os_str()),
        }
    }
    // Canonicalize the longest existing prefix.
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

/// Whether `output` (absolute) holds a site hindsight built: a manifest of it is in the cache,
/// or its home page names hindsight as its generator.
fn built_by_hindsight(output: &Path, cache_dir: &Path) -> bool {
    if folder_identity(output).is_some_and(|id| manifest_path(cache_dir, &id).exists()) {
        return true;
    }
    std::fs::read_to_string(output.join("index.html"))
        .is_ok_and(|html| html.contains("<meta name=\"generator\" content=\"hindsight"))
}

/// Check that `output` is a safe place to publish the site of `root`. Both absolute.
pub fn check_output_dir(root: &Path, output: &Path, cache_dir: &Path) -> Result<(), String> {
    if output == root || root.starts_with(output) {
        return Err(format!(
            "the output folder {} is the knowledge base or one of its parents; building there would overwrite the sources",
            output.display()
        ));
    }
    for protected in ["postmortems", "static", "templates", "hindsight.toml", ".hindsight", ".git"]
    {
        let p = root.join(protected);
        if output.starts_with(&p) || p.starts_with(output) {
            return Err(format!("the output folder {} overlaps {}", output.display(), p.display()));
        }
    }
    match output.symlink_metadata() {
        Err(_) => Ok(()),
        Ok(meta) if !meta.is_dir() => {
            Err(format!("{} exists and is not a folder", output.display()))
        }
        Ok(_) => {
            let empty = std::fs::read_dir(output).map(|mut d| d.next().is_none()).unwrap_or(false);
            if empty || built_by_hindsight(output, cache_dir) {
                Ok(())
            } else {
                Err(format!(
                    "{} is not empty and was not built by hindsight; refusing to replace it",
                    output.display()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_sources_and_foreign_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let cache = root.join(".hindsight");
        std::fs::create_dir_all(root.join("postmortems")).unwrap();
        for bad in [
            root.clone(),
            root.parent().unwrap().to_path_buf(),
            root.join("postmortems"),
            root.join("postmortems/x"),
            root.join("static"),
            root.join(".git/x"),
        ] {
            assert!(check_output_dir(&root, &bad, &cache).is_err(), "{}", bad.display());
        }
        assert!(check_output_dir(&root, &root.join("public"), &cache).is_ok());
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/notes.txt"), "mine").unwrap();
        assert!(check_output_dir(&root, &root.join("docs"), &cache).is_err());
        std::fs::write(
            root.join("docs/index.html"),
            "<meta name=\"generator\" content=\"hindsight 0.1\">",
        )
        .unwrap();
        assert!(check_output_dir(&root, &root.join("docs"), &cache).is_ok());
    }

    #[test]
    fn absolute_normalizes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        assert_eq!(absolute(&root.join("a/../b/./c")), root.join("b/c"));
    }
}
