//! What an output folder holds: for each file its content hash, size and modification time.
//! A build reads the manifest of the folder it writes into and skips files whose bytes did not
//! change (creating files costs real kernel time). Entries are trusted only when the file on
//! disk still has the recorded size and modification time.
//!
//! Manifests live in the knowledge base's cache folder (`.hindsight/outputs/`), keyed by the
//! folder's device and inode, which follow the folder through the atomic swap: nothing
//! hindsight-specific is published.

use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

/// One file of an output folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManifestEntry {
    /// xxh3-128 of the content (or, for copied files, of the source's size and mtime).
    pub hash: u128,
    /// Size in bytes on disk.
    pub size: u64,
    /// Modification time on disk, nanoseconds since the epoch.
    pub mtime_ns: i128,
}

/// The manifest of one output folder.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    /// Output-relative path → entry.
    pub entries: HashMap<String, ManifestEntry>,
    /// Output-relative folder (`""` for the folder itself) → its modification time when the
    /// manifest was written: a folder whose time is unchanged gained and lost no entry since,
    /// so looking for files added by hand can skip it.
    pub dirs: HashMap<String, i128>,
}

/// The modification time of the folder `path`, if it is one.
pub fn dir_mtime(path: &Path) -> Option<i128> {
    let meta = std::fs::symlink_metadata(path).ok().filter(std::fs::Metadata::is_dir)?;
    let mtime = meta.modified().ok()?;
    Some(match mtime.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    })
}

/// Size and modification time of `path`, if it is a regular file.
pub fn stamp(path: &Path) -> Option<(u64, i128)> {
    stamp_of(&std::fs::symlink_metadata(path).ok()?)
}

/// [`stamp`] from metadata already read (of an open file, say).
pub fn stamp_of(meta: &std::fs::Metadata) -> Option<(u64, i128)> {
    if !meta.is_file() {
        return None;
    }
    let mtime = meta.modified().ok()?;
    let ns = match mtime.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    Some((meta.len(), ns))
}

/// The identity of a folder that survives renames: `<device>-<inode>` on Unix.
pub fn folder_identity(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(dir).ok()?;
        Some(format!("{}-{}", meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Where the manifest of the folder with `identity` is kept.
pub fn manifest_path(cache_dir: &Path, identity: &str) -> PathBuf {
    cache_dir.join("outputs").join(format!("{identity}.tsv"))
}

impl Manifest {
    /// Read a manifest; a missing or unreadable one is empty (everything gets written).
    pub fn load(path: &Path) -> Manifest {
        let Ok(file) = std::fs::File::open(path) else { return Manifest::default() };
        let mut entries = HashMap::new();
        let mut dirs = HashMap::new();
        for line in io::BufReader::new(file).lines() {
            let Ok(line) = line else { return Manifest::default() };
            if let Some(dir) = line.strip_prefix("d\t") {
                let Some((Ok(mtime), rel)) =
                    dir.split_once('\t').map(|(m, rel)| (m.parse::<i128>(), rel))
                else {
                    return Manifest::default();
                };
                dirs.insert(rel.to_string(), mtime);
                continue;
            }
            let mut parts = line.splitn(4, '\t');
            let (Some(hash), Some(size), Some(mtime), Some(rel)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Manifest::default();
            };
            let (Ok(hash), Ok(size), Ok(mtime_ns)) =
                (u128::from_str_radix(hash, 16), size.parse(), mtime.parse())
            else {
                return Manifest::default();
            };
            entries.insert(rel.to_string(), ManifestEntry { hash, size, mtime_ns });
        }
        Manifest { entries, dirs }
    }

    /// Write the manifest (sorted, so it is deterministic) atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut rows: Vec<_> = self.entries.iter().collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        let tmp = path.with_extension("tsv.tmp");
        let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
        for (rel, e) in rows {
            writeln!(out, "{:032x}\t{}\t{}\t{rel}", e.hash, e.size, e.mtime_ns)?;
        }
        let mut dirs: Vec<_> = self.dirs.iter().collect();
        dirs.sort();
        for (rel, mtime) in dirs {
            writeln!(out, "d\t{mtime}\t{rel}")?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(tmp, path)
    }

    /// The stamp (size, modification time) of `rel` in `dir` when it is known to hold the
    /// bytes hashing to `hash` (the manifest says so and the file's stamp still matches).
    pub fn held(&self, dir: &Path, rel: &str, hash: u128) -> Option<(u64, i128)> {
        let e = self.entries.get(rel).filter(|e| e.hash == hash)?;
        let on_disk = (e.size, e.mtime_ns);
        (stamp(&dir.join(rel)) == Some(on_disk)).then_some(on_disk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_checks_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.html"), "hello").unwrap();
        let (size, mtime_ns) = stamp(&dir.path().join("a.html")).unwrap();
        let mut m = Manifest::default();
        m.entries.insert("a.html".into(), ManifestEntry { hash: 42, size, mtime_ns });
        let path = dir.path().join("cache/m.tsv");
        m.save(&path).unwrap();
        let loaded = Manifest::load(&path);
        assert!(loaded.held(dir.path(), "a.html", 42).is_some());
        assert!(loaded.held(dir.path(), "a.html", 43).is_none());
        std::fs::write(dir.path().join("a.html"), "changed!").unwrap();
        assert!(loaded.held(dir.path(), "a.html", 42).is_none(), "a changed file is not trusted");
    }
}
