//! Stage 1: find what the knowledge base is made of (postmortems, bundles and their assets,
//! static files, template overrides) and read postmortem files as text.
//!
//! Nothing outside the root is ever read: symbolic links are reported and skipped, never
//! followed.

mod read;
mod walk;

use std::path::PathBuf;

pub use read::{SourceText, decode_source, read_bytes};
pub use walk::{KbLayout, walk_kb};

/// A postmortem file found in `postmortems/`.
#[derive(Clone, Debug)]
pub struct SourceEntry {
    /// Path relative to the root, `/`-separated (e.g. `postmortems/2024/x.md`).
    pub rel: String,
    /// Absolute path on disk.
    pub abs: PathBuf,
    /// Set when the file is a bundle's `index.md`.
    pub bundle: Option<Bundle>,
}

impl SourceEntry {
    /// The file stem a default slug is made from: the bundle folder's name for a bundle,
    /// otherwise the file name without `.md`.
    pub fn stem(&self) -> &str {
        let path = match &self.bundle {
            Some(bundle) => bundle.dir_rel.as_str(),
            None => self.rel.as_str(),
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        name.strip_suffix(".markdown").or_else(|| name.strip_suffix(".md")).unwrap_or(name)
    }
}

/// A bundle: a folder holding `index.md` and the assets it shows.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Bundle {
    /// The folder, relative to the root.
    pub dir_rel: String,
    /// Assets relative to the bundle folder, `/`-separated, sorted.
    pub assets: Vec<String>,
}

/// A file to copy as-is into the output.
#[derive(Clone, Debug)]
pub struct StaticFile {
    /// Path inside the output folder, `/`-separated.
    pub output_rel: String,
    /// Where it comes from, relative to the root (for messages).
    pub source_rel: String,
    /// Absolute path on disk.
    pub abs: PathBuf,
}

/// A fingerprint of everything a build reads (paths, sizes and modification times of the
/// postmortems, bundle assets and `hindsight.toml`): when it is unchanged, so is the site's
/// content. `hindsight search` uses it to tell whether its index is current.
pub fn fingerprint(root: &std::path::Path, layout: &KbLayout) -> u128 {
    let mut text = String::new();
    let mut stamp = |rel: &str, path: &std::path::Path| {
        let meta = std::fs::metadata(path).ok();
        let mtime = meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        text.push_str(&format!("{rel}\t{}\t{:?}\n", meta.map_or(0, |m| m.len()), mtime));
    };
    stamp(crate::config::CONFIG_FILE, &root.join(crate::config::CONFIG_FILE));
    for entry in &layout.postmortems {
        stamp(&entry.rel, &entry.abs);
    }
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}
