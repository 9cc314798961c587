//! Writing the site atomically: everything goes into a staging folder beside the output, which
//! is swapped in only when complete. The staging folder is the previous generation of the site
//! (kept from the last swap), so a rebuild rewrites only the files whose bytes changed and
//! deletes the ones that no longer exist; nothing is ever `rm -rf`ed. A build killed at any
//! moment leaves the published folder exactly as it was.

use std::collections::HashSet;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use xxhash_rust::xxh3::xxh3_128;

use super::manifest::{
    Manifest, ManifestEntry, dir_mtime, folder_identity, manifest_path, stamp, stamp_of,
};

/// Counts of what a build wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written (new or changed).
    pub written: usize,
    /// Files whose bytes were unchanged and were not rewritten.
    pub unchanged: usize,
    /// Stale files deleted.
    pub deleted: usize,
}

/// Writes output files into the staging folder.
pub struct OutputWriter {
    output: PathBuf,
    stage: PathBuf,
    /// Whether this build created the staging folder (so nothing in it is stale).
    created: bool,
    cache_dir: PathBuf,
    previous: Manifest,
    /// The published folder's manifest, when pages may be kept from there (see
    /// [`OutputWriter::keeping`]).
    published: Manifest,
    /// Folders of the staging folder that may hold files no manifest knows (added by hand
    /// since it was last written: their modification time changed); `None` when that is not
    /// known, so the whole folder is searched.
    dirty: Option<Vec<String>>,
    written: Mutex<Vec<(String, ManifestEntry)>>,
    dirs: Mutex<HashSet<PathBuf>>,
    counts: [AtomicUsize; 2],
}

fn vanished(path: &Path) -> io::Error {
    io::Error::other(format!("{} vanished", path.display()))
}

/// The staging folder of `output`: a hidden sibling, so the swap is a rename on one file system.
pub fn stage_dir(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.hindsight-stage"))
}

/// Check that `rel` is a plain relative path that stays inside the folder it is joined to.
fn check_relative(rel: &str) -> io::Result<()> {
    let path = Path::new(rel);
    let ok = !rel.is_empty()
        && !rel.contains('\\')
        && !rel.contains('\0')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {rel:?}"),
        ))
    }
}

impl OutputWriter {
    /// Prepare the staging folder for `output`. `cache_dir` holds the manifests.
    pub fn new(output: &Path, cache_dir: &Path) -> io::Result<OutputWriter> {
        let stage = stage_dir(output);
        if stage.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&stage)?;
        }
        let existed = stage.is_dir();
        std::fs::create_dir_all(&stage)?;
        let previous = match folder_identity(&stage) {
            Some(id) => {
                let path = manifest_path(cache_dir, &id);
                let manifest = Manifest::load(&path);
                // The staging folder is about to change: its manifest and the record of what
                // its pages were rendered from are stale until `finish`.
                let _ = std::fs::remove_file(&path);
                let _ = std::fs::remove_file(super::page_record::record_path(cache_dir, &id));
                manifest
            }
            None => Manifest::default(),
        };
        let dirty = (!previous.dirs.is_empty()).then(|| {
            let mut dirty: Vec<String> = previous
                .dirs
                .iter()
                .filter(|(rel, mtime)| dir_mtime(&stage.join(rel)) != Some(**mtime))
                .map(|(rel, _)| rel.clone())
                .collect();
            dirty.sort();
            dirty
        });
        let mut dirs = HashSet::new();
        dirs.insert(stage.clone());
        Ok(OutputWriter {
            output: output.to_path_buf(),
            stage,
            created: !existed,
            cache_dir: cache_dir.to_path_buf(),
            previous,
            published: Manifest::default(),
            dirty,
            written: Mutex::new(Vec::new()),
            dirs: Mutex::new(dirs),
            counts: [AtomicUsize::new(0), AtomicUsize::new(0)],
        })
    }

    /// Let [`OutputWriter::keep`] keep files of the published folder: reads its manifest.
    pub fn keeping(mut self) -> OutputWriter {
        if let Some(id) = folder_identity(&self.output) {
            self.published = Manifest::load(&manifest_path(&self.cache_dir, &id));
        }
        self
    }

    /// Keep at `rel` the file the published folder holds there: nothing to do when the staging
    /// folder holds the same bytes (as its manifest and the file's stamp say), else a hard link
    /// to the published file (a copy where links are not supported; nothing writes into a
    /// staging file in place, see [`OutputWriter::write`]). `false` when the published file is
    /// not known to be intact (its manifest does not list it, or it changed since): the
    /// caller renders it.
    pub fn keep(&self, rel: &str) -> io::Result<bool> {
        check_relative(rel)?;
        let Some(published) = self.published.entries.get(rel) else { return Ok(false) };
        if let Some(stamp) = self.previous.held(&self.stage, rel, published.hash) {
            self.record(rel, published.hash, stamp, false)?;
            return Ok(true);
        }
        let source = self.output.join(rel);
        let expected = (published.size, published.mtime_ns);
        if stamp(&source) != Some(expected) {
            return Ok(false);
        }
        let path = self.free_path(rel)?;
        if std::fs::hard_link(&source, &path).is_err() {
            std::fs::copy(&source, &path)?;
        }
        let copied = stamp(&path).ok_or_else(|| vanished(&path))?;
        if copied.0 != published.size {
            // Changed meanwhile: rendered instead.
            return Ok(false);
        }
        self.record(rel, published.hash, copied, true)?;
        Ok(true)
    }

    /// The staging path of `rel`, ready for a new file: its folders made and whatever an older
    /// generation left there removed (nothing to remove in a staging folder this build
    /// created: each file is written once).
    fn free_path(&self, rel: &str) -> io::Result<PathBuf> {
        let path = self.stage.join(rel);
        self.ensure_parent(&path)?;
        if !self.created {
            remove_any(&path)?;
        }
        Ok(path)
    }

    fn ensure_parent(&self, path: &Path) -> io::Result<()> {
        let Some(parent) = path.parent() else { return Ok(()) };
        if self.dirs.lock().map_err(|_| io::Error::other("lock poisoned"))?.contains(parent) {
            return Ok(());
        }
        // A file where a folder must go (left from an older generation) is replaced; a staging
        // folder this build created holds only what it wrote.
        let mut ancestor = parent;
        while !self.created && ancestor != self.stage {
            if ancestor.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
                std::fs::remove_file(ancestor)?;
            }
            match ancestor.parent() {
                Some(p) => ancestor = p,
                None => break,
            }
        }
        std::fs::create_dir_all(parent)?;
        self.dirs
            .lock()
            .map_err(|_| io::Error::other("lock poisoned"))?
            .insert(parent.to_path_buf());
        Ok(())
    }

    fn record(&self, rel: &str, hash: u128, stamp: (u64, i128), wrote: bool) -> io::Result<()> {
        let (size, mtime_ns) = stamp;
        self.counts[usize::from(!wrote)].fetch_add(1, Ordering::Relaxed);
        self.written
            .lock()
            .map_err(|_| io::Error::other("lock poisoned"))?
            .push((rel.to_string(), ManifestEntry { hash, size, mtime_ns }));
        Ok(())
    }

    /// Create the folders `rels` (output-relative, sorted so parents come first).
    pub fn create_folders(&self, rels: &[String]) -> io::Result<()> {
        for rel in rels {
            check_relative(rel)?;
            self.ensure_parent(&self.stage.join(rel).join("_"))?;
        }
        Ok(())
    }

    /// Write `bytes` to `rel` (output-relative), unless the file already holds them.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        check_relative(rel)?;
        let hash = xxh3_128(bytes);
        if let Some(stamp) = self.previous.held(&self.stage, rel, hash) {
            return self.record(rel, hash, stamp, false);
        }
        // Never into the file in place: it may be a hard link to the published file (see
        // `keep`), which must not change before the swap.
        let path = self.free_path(rel)?;
        let mut file = std::fs::File::create(&path)?;
        file.write_all(bytes)?;
        // The stamp from the open file: no second lookup of the path.
        let stamp = stamp_of(&file.metadata()?).ok_or_else(|| vanished(&path))?;
        self.record(rel, hash, stamp, true)
    }

    /// Write to `rel` what `produce` writes, through a file beside it (hashed on the way): for
    /// files too large to hold in memory. When the result is the file already there, the new
    /// copy is dropped and the old one (with its modification time) stays.
    pub fn write_streamed(&self, rel: &str, produce: super::sink::Produce<'_>) -> io::Result<()> {
        check_relative(rel)?;
        let path = self.stage.join(rel);
        self.ensure_parent(&path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let partial = path.with_file_name(format!(".{name}.hindsight-partial"));
        let mut out = HashingWriter {
            file: io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(&partial)?),
            hash: xxhash_rust::xxh3::Xxh3Default::new(),
        };
        let written = produce(&mut out).and_then(|()| {
            out.file.into_inner().map_err(io::IntoInnerError::into_error)?.metadata()
        });
        let hash = out.hash.digest128();
        let meta = match written {
            Ok(meta) => meta,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        if let Some(stamp) = self.previous.held(&self.stage, rel, hash) {
            std::fs::remove_file(&partial)?;
            return self.record(rel, hash, stamp, false);
        }
        if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::rename(&partial, &path)?;
        let stamp = stamp_of(&meta).ok_or_else(|| vanished(&path))?;
        self.record(rel, hash, stamp, true)
    }

    /// Copy the file `source` to `rel`, unless the copy made last time is still there (judged by
    /// the source's size and modification time).
    pub fn copy(&self, rel: &str, source: &Path) -> io::Result<()> {
        check_relative(rel)?;
        let (size, mtime) = stamp(source).ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("{} is not a file", source.display()))
        })?;
        let hash = xxh3_128(format!("copy\0{size}\0{mtime}").as_bytes());
        if let Some(stamp) = self.previous.held(&self.stage, rel, hash) {
            return self.record(rel, hash, stamp, false);
        }
        let path = self.free_path(rel)?;
        std::fs::copy(source, &path)?;
        let stamp = stamp(&path).ok_or_else(|| vanished(&path))?;
        self.record(rel, hash, stamp, true)
    }

    /// Delete what the new generation does not hold, save the manifest, and swap the staging
    /// folder with the output folder.
    pub fn finish(self) -> io::Result<WriteStats> {
        let written = self.written.into_inner().map_err(|_| io::Error::other("lock poisoned"))?;
        let keep: HashSet<&str> = written.iter().map(|(rel, _)| rel.as_str()).collect();
        // Files added to a published folder by hand are stale too (they would otherwise come
        // back every other swap): the folders whose modification time changed since the
        // manifest was written are searched for them, or the whole folder without one.
        let deleted = match &self.dirty {
            _ if self.created => 0,
            None => delete_stale(&self.stage, &keep)?,
            Some(dirty) => delete_stale_known(&self.stage, &keep, &self.previous, dirty)?,
        };
        let manifest = Manifest {
            entries: written.iter().cloned().collect(),
            dirs: folder_times(&self.stage, &keep),
        };
        // fsync is skipped: the swap is atomic for readers, and a power cut mid-build only costs
        // a rebuild, while syncing 10,000 files would double the build time.
        swap_into_place(&self.stage, &self.output)?;
        // After the swap the new generation is `output`; record its manifest, and forget
        // those of folders not written for a while (see `OTHER_MANIFESTS`).
        // The manifest only saves work next time: a read-only cache folder costs speed, not
        // correctness, so failing to write it does not fail the build.
        if let Some(id) = folder_identity(&self.output)
            && manifest.save(&manifest_path(&self.cache_dir, &id)).is_ok()
        {
            prune_manifests(&self.cache_dir, &[Some(id), folder_identity(&self.stage)]);
        }
        Ok(WriteStats {
            written: self.counts[0].load(Ordering::Relaxed),
            unchanged: self.counts[1].load(Ordering::Relaxed),
            deleted,
        })
    }
}

/// Remove whatever is at `path` (a file, a link or a folder), if anything.
fn remove_any(path: &Path) -> io::Result<()> {
    match path.symlink_metadata() {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    }
}

/// A file writer that hashes what passes through it.
struct HashingWriter {
    file: io::BufWriter<std::fs::File>,
    hash: xxhash_rust::xxh3::Xxh3Default,
}

impl io::Write for HashingWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.hash.update(&bytes[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Remove files under `stage` not in `keep`, and folders left empty.
fn delete_stale(stage: &Path, keep: &HashSet<&str>) -> io::Result<usize> {
    let mut candidates = HashSet::new();
    let deleted = sweep(stage, stage, keep, &mut candidates)?;
    remove_empty(stage, candidates);
    Ok(deleted)
}

/// [`delete_stale`] for a staging folder whose manifest says what it held: the files it lists
/// that `keep` does not are removed by name, and only the `dirty` folders (which may hold files
/// added by hand) are searched.
fn delete_stale_known(
    stage: &Path,
    keep: &HashSet<&str>,
    previous: &Manifest,
    dirty: &[String],
) -> io::Result<usize> {
    let mut deleted = 0;
    let mut candidates = HashSet::new();
    for rel in previous.entries.keys().filter(|rel| !keep.contains(rel.as_str())) {
        let path = stage.join(rel);
        match std::fs::remove_file(&path) {
            Ok(()) => deleted += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            // A folder made by hand where the file was: its parent's time changed, so the
            // search below removes what is in it.
            Err(_) if path.symlink_metadata().is_ok_and(|m| m.is_dir()) => {}
            Err(e) => return Err(e),
        }
        candidates.extend(path.parent().map(Path::to_path_buf));
    }
    // Sorted, so a folder comes right before those inside it (which its search covers).
    let mut searched: Option<&str> = None;
    for rel in dirty {
        if searched.is_some_and(|s| s.is_empty() || rel.starts_with(&format!("{s}/"))) {
            continue;
        }
        searched = Some(rel);
        let dir = stage.join(rel);
        // Never through a symbolic link (its target is not the site's); a link where a folder
        // was is found by the search of the folder above, whose time changed too.
        if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
            deleted += sweep(stage, &dir, keep, &mut candidates)?;
            candidates.insert(dir);
        }
    }
    remove_empty(stage, candidates);
    Ok(deleted)
}

/// The modification time of every folder of `stage` that holds a file of `keep` (and of
/// `stage` itself, as `""`), for the manifest.
fn folder_times(stage: &Path, keep: &HashSet<&str>) -> std::collections::HashMap<String, i128> {
    let mut folders: HashSet<&str> = HashSet::from([""]);
    for rel in keep {
        let mut rel = *rel;
        while let Some((parent, _)) = rel.rsplit_once('/') {
            if !folders.insert(parent) {
                break;
            }
            rel = parent;
        }
    }
    folders
        .into_iter()
        .filter_map(|rel| Some((rel.to_string(), dir_mtime(&stage.join(rel))?)))
        .collect()
}

/// Remove files under `dir` (inside `stage`) not in `keep`; folders that lost a file or hold
/// nothing go to `candidates` (they may now be empty). Returns the files removed.
fn sweep(
    stage: &Path,
    dir: &Path,
    keep: &HashSet<&str>,
    candidates: &mut HashSet<PathBuf>,
) -> io::Result<usize> {
    let mut deleted = 0;
    let mut dirs = Vec::new();
    let mut parents: HashSet<PathBuf> = HashSet::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false).min_depth(1) {
        let entry = entry.map_err(io::Error::other)?;
        let rel = entry.path().strip_prefix(stage).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        let parent = entry.path().parent().map(Path::to_path_buf);
        if entry.file_type().is_dir() {
            dirs.push(entry.path().to_path_buf());
            parents.extend(parent);
        } else if !keep.contains(rel.as_str()) {
            std::fs::remove_file(entry.path())?;
            deleted += 1;
            candidates.extend(parent);
        } else {
            parents.extend(parent);
        }
    }
    candidates.extend(dirs.into_iter().filter(|d| !parents.contains(d)));
    Ok(deleted)
}

/// Remove the `candidates` folders of `stage` that are empty, deepest first, so parents empty
/// out after their children; a folder removed makes its parent a candidate (trying to remove
/// each of a large site's folders instead would cost a tenth of a second).
fn remove_empty(stage: &Path, candidates: HashSet<PathBuf>) {
    let mut queue: std::collections::BinaryHeap<(usize, PathBuf)> =
        candidates.into_iter().map(|d| (d.components().count(), d)).collect();
    let mut tried = HashSet::new();
    while let Some((depth, dir)) = queue.pop() {
        if dir == stage || !dir.starts_with(stage) || !tried.insert(dir.clone()) {
            continue;
        }
        if std::fs::remove_dir(&dir).is_ok()
            && let Some(parent) = dir.parent()
        {
            queue.push((depth - 1, parent.to_path_buf()));
        }
    }
}

/// Manifests (and page records) kept for folders other than the one just built and its
/// staging folder: those of the most recently written others, so that a knowledge base built
/// into a few folders (a drafts preview beside the site) stays incremental in each, while
/// folders deleted long ago are forgotten.
const OTHER_MANIFESTS: usize = 8;

fn prune_manifests(cache_dir: &Path, keep: &[Option<String>]) {
    let Ok(entries) = std::fs::read_dir(cache_dir.join("outputs")) else { return };
    // Identity → (newest modification time of its files, its files).
    let mut others: std::collections::HashMap<String, (std::time::SystemTime, Vec<PathBuf>)> =
        std::collections::HashMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name.split_once('.').map_or(name.as_str(), |(id, _)| id);
        if keep.iter().flatten().any(|k| k == id) {
            continue;
        }
        let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
        let other = others.entry(id.to_string()).or_insert((modified, Vec::new()));
        other.0 = other.0.max(modified);
        other.1.push(entry.path());
    }
    let mut others: Vec<(std::time::SystemTime, String, Vec<PathBuf>)> =
        others.into_iter().map(|(id, (modified, files))| (modified, id, files)).collect();
    others.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (_, _, files) in others.into_iter().skip(OTHER_MANIFESTS) {
        for file in files {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Make `stage` the new `output`, keeping the old output as the next staging folder.
fn swap_into_place(stage: &Path, output: &Path) -> io::Result<()> {
    if output.symlink_metadata().is_err() {
        return std::fs::rename(stage, output);
    }
    #[cfg(target_os = "linux")]
    {
        if exchange(stage, output).is_ok() {
            return Ok(());
        }
    }
    // Elsewhere: two renames. Readers may briefly see no output folder, never a partial one.
    let old = output.with_file_name(format!(
        ".{}.hindsight-old",
        output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    std::fs::rename(output, &old)?;
    std::fs::rename(stage, output)?;
    std::fs::rename(&old, stage)
}

/// Atomically exchange two folders (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn kept_files_link_to_the_published_ones_which_never_change_before_the_swap() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let cache = dir.path().join(".hindsight");
        let w = OutputWriter::new(&out, &cache).unwrap();
        w.write("a.html", b"first a").unwrap();
        w.write("b.html", b"first b").unwrap();
        w.finish().unwrap();
        // A new staging folder: what is kept is linked, not copied.
        let w = OutputWriter::new(&out, &cache).unwrap().keeping();
        assert!(w.keep("a.html").unwrap() && w.keep("b.html").unwrap());
        assert!(!w.keep("c.html").unwrap(), "not published: rendered instead");
        w.finish().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(out.join("a.html")).unwrap();
            assert_eq!(meta.nlink(), 2, "linked with the staging folder's copy");
        }
        // Writing over a linked file leaves the published one as it was until the swap.
        let w = OutputWriter::new(&out, &cache).unwrap().keeping();
        w.write("a.html", b"second a").unwrap();
        assert!(w.keep("b.html").unwrap());
        assert_eq!(read(&out.join("a.html")), "first a");
        w.finish().unwrap();
        assert_eq!(read(&out.join("a.html")), "second a");
        assert_eq!(read(&out.join("b.html")), "first b");
        // A published file changed by hand (same size) is not kept.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(out.join("b.html"), "hand  b").unwrap();
        let w = OutputWriter::new(&out, &cache).unwrap().keeping();
        assert!(!w.keep("b.html").unwrap());
    }

    #[test]
    fn swaps_in_complete_generations_and_skips_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let cache = dir.path().join(".hindsight");
        for generation in 0..4 {
            let w = OutputWriter::new(&out, &cache).unwrap();
            w.write("index.html", b"home").unwrap();
            w.write("a/index.html", format!("gen {generation}").as_bytes()).unwrap();
            if generation == 0 {
                w.write("old/index.html", b"gone later").unwrap();
            }
            let stats = w.finish().unwrap();
            assert_eq!(read(&out.join("a/index.html")), format!("gen {generation}"));
            assert_eq!(read(&out.join("index.html")), "home");
            assert_eq!(out.join("old").exists(), generation == 0);
            if generation >= 2 {
                // The staging folder held generation - 2: `index.html` was unchanged.
                assert_eq!(stats.unchanged, 1, "generation {generation}: {stats:?}");
                assert_eq!(stats.written, 1);
            }
        }
    }

    #[test]
    fn streamed_files_are_hashed_like_written_ones_and_kept_when_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let cache = dir.path().join(".hindsight");
        let mut produce = |w: &mut dyn io::Write| w.write_all(&b"big export\n".repeat(50_000));
        let mut stats = Vec::new();
        for generation in 0..4 {
            let w = OutputWriter::new(&out, &cache).unwrap();
            if generation % 2 == 0 {
                w.write_streamed("data/export.json", &mut produce).unwrap();
            } else {
                // The same bytes written whole: recognized by the hash of the streamed ones.
                w.write("data/export.json", &b"big export\n".repeat(50_000)).unwrap();
            }
            stats.push(w.finish().unwrap());
            assert_eq!(std::fs::read(out.join("data/export.json")).unwrap().len(), 550_000);
        }
        // Generations 2 and 3 find the staging folder holding the same file.
        assert_eq!((stats[2].written, stats[2].unchanged), (0, 1), "{stats:?}");
        assert_eq!((stats[3].written, stats[3].unchanged), (0, 1), "{stats:?}");
        let leftovers: Vec<_> = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    /// Every file and folder under `folder`, relative, sorted.
    fn files_under(folder: &Path) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(folder)
            .min_depth(1)
            .into_iter()
            .flatten()
            .map(|e| e.path().strip_prefix(folder).unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        files
    }

    #[test]
    fn stale_files_go_with_the_folders_they_leave_empty_and_kept_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let stage = dir.path();
        for rel in ["a/b/kept.html", "a/c/d/stale.html", "a/c/stale.html", "top.html", "g/kept.css"]
        {
            let path = stage.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, rel).unwrap();
        }
        std::fs::create_dir_all(stage.join("e/f/g")).unwrap();
        let keep: HashSet<&str> = ["a/b/kept.html", "g/kept.css"].into_iter().collect();
        assert_eq!(delete_stale(stage, &keep).unwrap(), 3);
        assert_eq!(files_under(stage), ["a", "a/b", "a/b/kept.html", "g", "g/kept.css"]);
    }

    #[test]
    fn files_added_by_hand_are_found_through_the_folder_times_in_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let (out, cache) = (dir.path().join("public"), dir.path().join(".hindsight"));
        let build = |files: &[&str]| -> (Option<Vec<String>>, WriteStats) {
            let w = OutputWriter::new(&out, &cache).unwrap();
            let dirty = w.dirty.clone();
            for rel in files {
                w.write(rel, rel.as_bytes()).unwrap();
            }
            (dirty, w.finish().unwrap())
        };
        let all = ["a/x.html", "b/y.html", "b/c/z.html", "top.html"];
        build(&all);
        build(&all);
        // Nothing touched by hand: nothing to search.
        let (dirty, _) = build(&all);
        assert_eq!(dirty, Some(vec![]));
        // A file added by hand to one folder of the published site, which becomes the
        // staging folder two builds later.
        std::fs::write(out.join("b/c/stray.html"), "stray").unwrap();
        build(&["a/x.html", "b/y.html"]);
        let (dirty, stats) = build(&["a/x.html"]);
        assert_eq!(dirty, Some(vec!["b/c".to_string()]), "only the folder that changed");
        // b/y.html, b/c/z.html and top.html by name, the stray file by the search.
        assert_eq!(stats.deleted, 4, "{stats:?}");
        assert_eq!(files_under(&out), ["a", "a/x.html"]);
        // The staging folder is the generation before: it never had the stray file.
        assert_eq!(files_under(&stage_dir(&out)), ["a", "a/x.html", "b", "b/y.html"]);
        // A file replaced by a folder of the same name, by hand.
        build(&["a/x.html", "b/y.html"]);
        build(&["a/x.html", "b/y.html"]);
        std::fs::remove_file(out.join("b/y.html")).unwrap();
        std::fs::create_dir_all(out.join("b/y.html/inner")).unwrap();
        std::fs::write(out.join("b/y.html/inner/f.txt"), "f").unwrap();
        build(&["a/x.html"]);
        build(&["a/x.html"]);
        assert_eq!(files_under(&out), ["a", "a/x.html"]);
        // A folder added by hand at the top: the whole folder is searched.
        std::fs::create_dir_all(out.join("extra")).unwrap();
        std::fs::write(out.join("extra/note.txt"), "note").unwrap();
        build(&["a/x.html"]);
        let (dirty, _) = build(&["a/x.html"]);
        assert_eq!(dirty.as_deref().and_then(|d| d.first()).map(String::as_str), Some(""));
        assert!(!stage_dir(&out).join("extra").exists() && !out.join("extra").exists());
    }

    #[test]
    fn refuses_paths_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        let w = OutputWriter::new(&dir.path().join("public"), &dir.path().join("c")).unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a\\b", "./a"] {
            assert!(w.write(bad, b"x").is_err(), "{bad}");
        }
    }

    #[test]
    fn an_unfinished_build_leaves_the_output_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let cache = dir.path().join("c");
        let w = OutputWriter::new(&out, &cache).unwrap();
        w.write("index.html", b"v1").unwrap();
        w.finish().unwrap();
        let w = OutputWriter::new(&out, &cache).unwrap();
        w.write("index.html", b"v2").unwrap();
        drop(w);
        assert_eq!(read(&out.join("index.html")), "v1");
    }
}
