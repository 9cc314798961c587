//! The parse cache: what parsing each postmortem gave (the validated incident with its
//! rendered body and analyzed text, and its findings), kept between builds in the cache folder
//! (`.hindsight/parsed/`), so a rebuild after an edit parses only the files that changed.
//!
//! An entry is reused when the file's bytes (and its bundle's asset list) hash the same and
//! everything else parsing reads is unchanged: the hindsight binary, `hindsight.toml`,
//! `--base-url` and the build date (one key for the whole cache). Files with errors are never
//! kept, and an entry linking to a postmortem file that no longer exists is parsed again (it
//! now has an error). Entries live in [`SHARDS`] files by a hash of the path; a build rewrites
//! only the shards holding a file it parsed.
//!
//! Analyzed text refers to words by id, so the vocabulary is kept too, and a build continues
//! it rather than starting afresh: ids only ever grow, and every shard names the generation of
//! the vocabulary it was written against (a new generation starts whenever the key changes).
//! The vocabulary is written before the shards that use it are moved into place, so a build
//! stopped at any moment leaves a consistent cache. One build at a time uses it (a lock
//! file); a second one running at the same moment parses everything.
//!
//! Everything here is best effort: a cache that cannot be read is empty, one that cannot be
//! written is skipped, and the build's result never depends on it (a test compares a cached
//! rebuild with a fresh build byte for byte).

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_64, xxh3_128};

use crate::diagnostics::{Diagnostic, Mode};
use crate::load::SourceEntry;
use crate::model::Incident;
use crate::model::body::{BodyStore, PackedText};
use crate::output::up_to_date::RecordedDiagnostic;
use crate::parse::FileOutcome;
use crate::search::document::SearchVocabulary;

/// Shard files per cache: a rebuild after one edit rewrites about 1/64th of the cache.
pub const SHARDS: usize = 64;

/// Bumped whenever what is cached changes shape.
const FORMAT: u32 = 1;

/// The key of everything besides a file's own bytes that parsing it depends on; `None` when
/// the running binary cannot be identified (a different binary could parse differently).
pub fn cache_key(
    config_text: &str,
    base_url: Option<&str>,
    build_date: time::Date,
    mode: Mode,
) -> Option<u128> {
    let binary = crate::output::up_to_date::binary_identity()?;
    let text = format!(
        "{FORMAT}\n{}\n{binary}\n{base_url:?}\n{build_date}\n{mode:?}\n{config_text}",
        env!("CARGO_PKG_VERSION"),
    );
    Some(xxh3_128(text.as_bytes()))
}

/// The parse cache of the knowledge base at `root` for a run with `options`, whose
/// `hindsight.toml` reads `config_text`; `None` when it cannot be used (see
/// [`ParseCache::open`]) or the run does not render (`check` keeps no bodies).
pub fn open_for(
    root: &Path,
    config_text: &str,
    options: &crate::LoadOptions,
) -> Option<ParseCache> {
    if !options.mode.renders() {
        return None;
    }
    let key =
        cache_key(config_text, options.base_url.as_deref(), options.build_date, options.mode)?;
    ParseCache::open(&crate::cache_dir(root).join("parsed"), key)
}

/// The key of one file: its path, its bundle's assets (links to them are checked) and bytes.
pub fn file_key(entry: &SourceEntry, bytes: &[u8]) -> u128 {
    let mut h = Xxh3::new();
    h.update(entry.rel.as_bytes());
    h.update(&[0]);
    if let Some(bundle) = &entry.bundle {
        h.update(bundle.dir_rel.as_bytes());
        for asset in &bundle.assets {
            h.update(&[0]);
            h.update(asset.as_bytes());
        }
    }
    h.update(&[1]);
    h.update(bytes);
    h.digest128()
}

/// The shard an entry lives in.
pub fn shard_of(rel: &str) -> usize {
    crate::search::static_index::fnv1a(rel) as usize % SHARDS
}

/// What is kept of one parsed file.
#[derive(Deserialize)]
pub struct CachedFile {
    incident: Option<Incident>,
    diagnostics: Vec<RecordedDiagnostic>,
    text: Option<PackedText>,
}

/// [`CachedFile`], borrowed for writing.
#[derive(Serialize)]
struct CachedFileRef<'a> {
    incident: Option<&'a Incident>,
    diagnostics: Vec<RecordedDiagnostic>,
    text: Option<&'a PackedText>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    key: u128,
    generation: u64,
    /// Terms and surfaces the vocabulary had when the file was written: a shard is used only
    /// with a vocabulary at least that long (its analyses refer to ids below these).
    words: (usize, usize),
}

/// One shard's entries: path → (file key, what parsing gave).
pub type ShardEntries = FxHashMap<String, (u128, CachedFile)>;

/// The parse cache of one knowledge base, open for one build.
pub struct ParseCache {
    dir: PathBuf,
    key: u128,
    generation: u64,
    /// The vocabulary as the cache left it (empty for a new generation).
    vocabulary: Option<SearchVocabulary>,
    /// Terms and surfaces the cache's vocabulary held when opened.
    loaded: (usize, usize),
    /// Whether the vocabulary file must be written even if nothing was parsed.
    fresh: bool,
    /// Shards written to their temporary files, to move into place on [`ParseCache::commit`].
    pending: Mutex<Vec<usize>>,
    _lock: File,
}

impl ParseCache {
    /// Open the cache in `dir` for a build whose [`cache_key`] is `key`. `None` when the
    /// folder cannot be used or another build holds it.
    pub fn open(dir: &Path, key: u128) -> Option<ParseCache> {
        std::fs::create_dir_all(dir).ok()?;
        let lock =
            File::options().create(true).truncate(false).write(true).open(dir.join("lock")).ok()?;
        lock.try_lock().ok()?;
        let stored = read_bincode::<(Header, SearchVocabulary)>(&dir.join("vocabulary.bin"))
            .filter(|(h, v)| {
                h.format == FORMAT && h.key == key && h.words == (v.terms.len(), v.surfaces.len())
            });
        let (generation, vocabulary, fresh) = match stored {
            Some((header, vocabulary)) => (header.generation, vocabulary, false),
            None => (new_generation(), SearchVocabulary::default(), true),
        };
        Some(ParseCache {
            dir: dir.to_path_buf(),
            key,
            generation,
            loaded: (vocabulary.terms.len(), vocabulary.surfaces.len()),
            vocabulary: Some(vocabulary),
            fresh,
            pending: Mutex::new(Vec::new()),
            _lock: lock,
        })
    }

    /// The vocabulary the cached analyses refer to; parsing must go on from it (taken once).
    pub fn take_vocabulary(&mut self) -> SearchVocabulary {
        self.vocabulary.take().unwrap_or_default()
    }

    fn shard_path(&self, shard: usize) -> PathBuf {
        self.dir.join(format!("shard-{shard:02}.bin"))
    }

    /// The entries of `shard`, and whether the file held entries of this cache (a shard of
    /// another key or generation, or an unreadable one, is empty).
    pub fn read_shard(&self, shard: usize) -> ShardEntries {
        if self.fresh {
            return ShardEntries::default();
        }
        read_bincode::<(Header, Vec<(String, u128, CachedFile)>)>(&self.shard_path(shard))
            .filter(|(h, _)| {
                h.format == FORMAT
                    && h.key == self.key
                    && h.generation == self.generation
                    && h.words.0 <= self.loaded.0
                    && h.words.1 <= self.loaded.1
            })
            .map(|(_, entries)| entries.into_iter().map(|(rel, k, f)| (rel, (k, f))).collect())
            .unwrap_or_default()
    }

    /// Write `shard` anew with `entries` (path, file key, outcome) into its temporary file;
    /// outcomes with errors are left out. `words` is how many terms and surfaces the parser's
    /// vocabulary holds now. [`ParseCache::commit`] moves the file into place.
    pub fn write_shard<'a>(
        &self,
        shard: usize,
        entries: impl Iterator<Item = (&'a str, u128, &'a FileOutcome)>,
        words: (usize, usize),
    ) -> io::Result<()> {
        let kept: Vec<(&str, u128, CachedFileRef<'_>)> = entries
            .filter(|(_, _, o)| !o.diagnostics.iter().any(Diagnostic::is_error))
            .map(|(rel, key, o)| {
                let file = CachedFileRef {
                    incident: o.incident.as_ref(),
                    diagnostics: o.diagnostics.iter().map(RecordedDiagnostic::of).collect(),
                    text: o.text.as_ref().map(|(_, t)| t),
                };
                (rel, key, file)
            })
            .collect();
        let header = Header { format: FORMAT, key: self.key, generation: self.generation, words };
        write_checked(&self.shard_path(shard).with_extension("tmp"), &(header, kept))?;
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).push(shard);
        Ok(())
    }

    /// Save `vocabulary` (every string the cached analyses refer to) and move the shards
    /// written into place.
    pub fn commit(self, vocabulary: &SearchVocabulary) -> io::Result<()> {
        let pending = self.pending.into_inner().unwrap_or_else(|e| e.into_inner());
        let grew = (vocabulary.terms.len(), vocabulary.surfaces.len()) != self.loaded;
        if self.fresh || grew {
            let words = (vocabulary.terms.len(), vocabulary.surfaces.len());
            let header =
                Header { format: FORMAT, key: self.key, generation: self.generation, words };
            let path = self.dir.join("vocabulary.bin");
            let tmp = path.with_extension("tmp");
            write_checked(&tmp, &(header, vocabulary))?;
            std::fs::rename(tmp, path)?;
        }
        for shard in pending {
            let path = self.dir.join(format!("shard-{shard:02}.bin"));
            std::fs::rename(path.with_extension("tmp"), path)?;
        }
        Ok(())
    }
}

/// What parsing `rel` (whose file key is `key`) gave, from its entry in `cache`; `None` when
/// the entry cannot be used
/// (a finding this binary does not know, a link to a postmortem file that is gone, or an
/// analysis that does not fit the vocabulary: a damaged file).
pub fn restore(
    cache: &ParseCache,
    rel: &str,
    key: u128,
    cached: CachedFile,
    store: &BodyStore,
    known: &HashSet<String>,
) -> Option<FileOutcome> {
    let diagnostics: Vec<Diagnostic> =
        cached.diagnostics.iter().map(RecordedDiagnostic::restore).collect::<Option<_>>()?;
    let incident = match cached.incident {
        Some(mut incident) => {
            if !incident.body.source_links.iter().all(|l| known.contains(&l.target))
                || !incident.search.fits(cache.loaded.0, cache.loaded.1)
            {
                return None;
            }
            incident.body = std::mem::take(&mut incident.body).keep_in(store);
            Some(incident)
        }
        None => None,
    };
    Some(FileOutcome {
        incident,
        diagnostics,
        text: cached.text.map(|t| (rel.to_string(), t)),
        outline: None,
        summary_key: false,
        key,
    })
}

/// Write `value` to `path` as bincode after an xxh3 checksum of it, so that a damaged or
/// truncated file is recognized before anything in it is used.
pub(crate) fn write_checked<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let bytes = bincode::serialize(value).map_err(io::Error::other)?;
    let mut file = File::create(path)?;
    file.write_all(&xxh3_64(&bytes).to_le_bytes())?;
    file.write_all(&bytes)
}

/// Read what [`write_checked`] wrote; `None` when the file is missing, damaged or of another
/// shape.
pub(crate) fn read_bincode<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let (sum, payload) = bytes.split_first_chunk::<8>()?;
    (u64::from_le_bytes(*sum) == xxh3_64(payload)).then_some(())?;
    bincode::deserialize(payload).ok()
}

/// A generation number unlikely to repeat: the clock and the process id, hashed.
fn new_generation() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    xxhash_rust::xxh3::xxh3_64(format!("{nanos} {}", std::process::id()).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;
    use crate::parse::FileParser;

    fn parse(
        dir: &Path,
        key: u128,
    ) -> Option<(Vec<FileOutcome>, usize, ParseCache, SearchVocabulary)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site");
        let (config, _) = SiteConfig::load(&root, Mode::Build, None).unwrap();
        let layout = crate::load::walk_kb(&root, Mode::Build);
        let date = time::macros::date!(2026 - 11 - 26);
        let mut cache = ParseCache::open(dir, key)?;
        let parser = FileParser::new(&layout.postmortems, &config, date, Mode::Build)
            .continuing(cache.take_vocabulary());
        let (outcomes, reused) = parser.parse_all_cached(&layout.postmortems, &cache);
        Some((outcomes, reused, cache, parser.into_vocabulary()))
    }

    #[test]
    fn entries_come_back_as_parsed_only_for_the_same_key_an_intact_file_and_enough_words() {
        let dir = tempfile::tempdir().unwrap();
        let (first, reused, cache, vocabulary) = parse(dir.path(), 1).unwrap();
        assert_eq!(reused, 0);
        assert!(ParseCache::open(dir.path(), 1).is_none(), "one build at a time");
        cache.commit(&vocabulary).unwrap();
        let (again, reused, cache, vocabulary_again) = parse(dir.path(), 1).unwrap();
        assert_eq!(reused, first.len(), "every example postmortem is kept");
        assert_eq!(vocabulary_again.terms, vocabulary.terms);
        for (a, b) in first.iter().zip(&again) {
            let (Some(a), Some(b)) = (&a.incident, &b.incident) else { panic!("not parsed") };
            assert_eq!((&a.slug, &a.title, &a.timeline), (&b.slug, &b.title, &b.timeline));
            assert_eq!(a.body.html().unwrap(), b.body.html().unwrap());
            assert_eq!(
                a.search.entries().collect::<Vec<_>>(),
                b.search.entries().collect::<Vec<_>>()
            );
        }
        let findings = |o: &[FileOutcome]| -> Vec<String> {
            o.iter().flat_map(|o| &o.diagnostics).map(|d| format!("{d:?}")).collect()
        };
        assert_eq!(findings(&again), findings(&first));
        drop(cache);
        // One byte of a shard damaged: its entries are parsed again, the others reused.
        let shard = (0..SHARDS)
            .map(|k| dir.path().join(format!("shard-{k:02}.bin")))
            .find(|p| p.exists())
            .unwrap();
        let mut bytes = std::fs::read(&shard).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x20;
        std::fs::write(&shard, bytes).unwrap();
        let (_, reused, cache, _) = parse(dir.path(), 1).unwrap();
        assert!(reused > 0 && reused < first.len(), "{reused} of {}", first.len());
        drop(cache);
        let (_, reused, cache, _) = parse(dir.path(), 2).unwrap();
        assert_eq!(reused, 0, "another key");
        drop(cache);
        // A vocabulary shorter than what the shards were written against (as if an older
        // vocabulary file came back): the shards are not trusted.
        let path = dir.path().join("vocabulary.bin");
        let (mut header, mut words) = read_bincode::<(Header, SearchVocabulary)>(&path).unwrap();
        words.terms.pop();
        header.words.0 -= 1;
        write_checked(&path, &(header, words)).unwrap();
        let (_, reused, _, _) = parse(dir.path(), 1).unwrap();
        assert!(reused < first.len(), "{reused}");
    }
}
