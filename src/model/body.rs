//! A postmortem's rendered body, kept compressed between parsing and writing: a build holds
//! every body (pages render after everything is known), and lz4 shrinks the HTML and text
//! about threefold for a fraction of a millisecond per page. Past a memory budget, bodies go
//! to a scratch file instead (see [`BodyStore`]), so a 100,000-postmortem build's memory does
//! not grow with the length of its postmortems.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use crate::render::markdown::{RenderedBody, SourceLink, TocEntry};

/// Text stored lz4-compressed, in memory or in a [`BodyStore`]'s scratch file.
#[derive(Clone, Debug)]
pub struct PackedText(Packed);

#[derive(Clone, Debug)]
enum Packed {
    Inline(Box<[u8]>),
    Spilled { file: Arc<ScratchFile>, offset: u64, len: u32 },
}

impl Default for PackedText {
    fn default() -> Self {
        PackedText(Packed::Inline(Box::default()))
    }
}

impl PackedText {
    /// Compress `text`, in memory.
    pub fn pack(text: &str) -> PackedText {
        PackedText(Packed::Inline(compress(text)))
    }

    /// The text (empty when it cannot be read back; see [`PackedText::try_unpack`]).
    pub fn unpack(&self) -> String {
        self.try_unpack().unwrap_or_default()
    }

    /// The text, or why the scratch file holding it could not be read.
    pub fn try_unpack(&self) -> io::Result<String> {
        let bytes = decompress(&self.compressed()?);
        Ok(bytes.and_then(|b| String::from_utf8(b).ok()).unwrap_or_default())
    }

    /// The compressed bytes (read back from the scratch file when spilled).
    fn compressed(&self) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        Ok(match &self.0 {
            Packed::Inline(bytes) => std::borrow::Cow::Borrowed(&bytes[..]),
            Packed::Spilled { file, offset, len } => {
                std::borrow::Cow::Owned(file.read(*offset, *len)?)
            }
        })
    }
}

/// The parse cache keeps texts as their compressed bytes.
impl serde::Serialize for PackedText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.compressed().map_err(serde::ser::Error::custom)?)
    }
}

impl<'de> serde::Deserialize<'de> for PackedText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PackedText, D::Error> {
        Ok(PackedText(Packed::Inline(deserialize_bytes(d)?)))
    }
}

/// Read bytes written with `serialize_bytes` in one piece (not byte by byte as a sequence).
pub fn deserialize_bytes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Box<[u8]>, D::Error> {
    struct Bytes;
    impl serde::de::Visitor<'_> for Bytes {
        type Value = Box<[u8]>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("bytes")
        }
        fn visit_bytes<E>(self, v: &[u8]) -> Result<Self::Value, E> {
            Ok(Box::from(v))
        }
        fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Self::Value, E> {
            Ok(v.into_boxed_slice())
        }
    }
    d.deserialize_byte_buf(Bytes)
}

fn compress(text: &str) -> Box<[u8]> {
    lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice()
}

fn decompress(bytes: &[u8]) -> Option<Vec<u8>> {
    lz4_flex::decompress_size_prepended(bytes).ok()
}

/// An unlinked file in the cache folder that compressed bodies are appended to, from any
/// thread, and read back by offset.
#[derive(Debug)]
struct ScratchFile {
    file: File,
    end: AtomicU64,
    /// Set when the file could not be unlinked right after creation (not Unix): removed on drop.
    path: Option<PathBuf>,
}

impl ScratchFile {
    fn create(dir: &Path) -> io::Result<ScratchFile> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!(
            "bodies-{}-{}.scratch",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let file = File::options().read(true).write(true).create_new(true).open(&path)?;
        // Unlinked at once: the space comes back when the build ends, however it ends.
        let path = std::fs::remove_file(&path).err().map(|_| path);
        Ok(ScratchFile { file, end: AtomicU64::new(0), path })
    }

    fn append(&self, bytes: &[u8]) -> io::Result<u64> {
        let offset = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        write_at(&self.file, bytes, offset)?;
        Ok(offset)
    }

    fn read(&self, offset: u64, len: u32) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; len as usize];
        read_at(&self.file, &mut bytes, offset)?;
        Ok(bytes)
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(not(unix))]
fn write_at(_: &File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "positioned writes"))
}

#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "positioned reads"))
}

/// Where parsed bodies are kept: in memory up to a budget of compressed bytes, then (when a
/// scratch folder is given) in a scratch file there. A body that cannot be written to the
/// file stays in memory, so spilling never loses one.
#[derive(Debug, Default)]
pub struct BodyStore {
    scratch_dir: Option<PathBuf>,
    budget: usize,
    kept: AtomicUsize,
    file: OnceLock<Option<Arc<ScratchFile>>>,
}

/// Compressed bytes of bodies a build keeps in memory before spilling to the scratch file:
/// 10,000 typical postmortems fit (≈ 50 MB).
pub const IN_MEMORY_BODY_BYTES: usize = 64 * 1024 * 1024;

impl BodyStore {
    /// Keep every body in memory.
    pub fn in_memory() -> BodyStore {
        BodyStore::default()
    }

    /// Keep `budget` compressed bytes in memory and the rest in a scratch file in `dir`.
    pub fn spilling(dir: &Path, budget: usize) -> BodyStore {
        BodyStore { scratch_dir: Some(dir.to_path_buf()), budget, ..BodyStore::default() }
    }

    fn store(&self, text: &str) -> PackedText {
        self.adopt(compress(text))
    }

    /// Keep already compressed `bytes` (in memory, or past the budget in the scratch file).
    fn adopt(&self, bytes: Box<[u8]>) -> PackedText {
        let kept = self.kept.fetch_add(bytes.len(), Ordering::Relaxed) + bytes.len();
        if kept > self.budget
            && let Some(dir) = &self.scratch_dir
            && let Some(file) =
                self.file.get_or_init(|| ScratchFile::create(dir).ok().map(Arc::new))
            && let Ok(offset) = file.append(&bytes)
        {
            self.kept.fetch_sub(bytes.len(), Ordering::Relaxed);
            let len = bytes.len() as u32;
            return PackedText(Packed::Spilled { file: Arc::clone(file), offset, len });
        }
        PackedText(Packed::Inline(bytes))
    }

    /// Whether any body went to the scratch file.
    #[cfg(test)]
    pub(crate) fn spilled(&self) -> bool {
        self.file
            .get()
            .is_some_and(|f| f.as_ref().is_some_and(|f| f.end.load(Ordering::Relaxed) > 0))
    }
}

/// A rendered body, as the model keeps it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Body {
    html: PackedText,
    text: PackedText,
    /// h2 and h3 headings, in order.
    pub toc: Vec<TocEntry>,
    /// Links to other postmortems' files (placeholders in the HTML until resolved).
    pub source_links: Vec<SourceLink>,
}

impl Body {
    /// Keep `rendered` compressed in `store`.
    pub fn new(rendered: RenderedBody, store: &BodyStore) -> Body {
        Body {
            html: store.store(&rendered.html),
            text: store.store(&rendered.plain_text),
            toc: rendered.toc,
            source_links: rendered.source_links,
        }
    }

    /// Move a body read from the parse cache (held in memory) into `store`, which spills it
    /// past its budget like a freshly rendered one.
    pub fn keep_in(self, store: &BodyStore) -> Body {
        let keep = |text: PackedText| match text.0 {
            Packed::Inline(bytes) => store.adopt(bytes),
            spilled => PackedText(spilled),
        };
        Body { html: keep(self.html), text: keep(self.text), ..self }
    }

    /// The HTML, with link placeholders.
    pub fn html(&self) -> io::Result<String> {
        self.html.try_unpack()
    }

    /// The plain text, for search.
    pub fn text(&self) -> io::Result<String> {
        self.text.try_unpack()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks() {
        let text = "A rollback does not undo rows already written. ".repeat(50) + "é ✓";
        let packed = PackedText::pack(&text);
        let Packed::Inline(bytes) = &packed.0 else { panic!("packed in memory") };
        assert!(bytes.len() < text.len() / 4);
        assert_eq!(packed.unpack(), text);
        assert_eq!(PackedText::default().unpack(), "");
    }

    #[test]
    fn bodies_past_the_budget_go_to_an_unlinked_scratch_file_and_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = BodyStore::spilling(dir.path(), 200);
        let texts: Vec<String> =
            (0..50).map(|k| format!("body {k}: ") + &"the queue backed up. ".repeat(k)).collect();
        let packed: Vec<PackedText> = texts.iter().map(|t| store.store(t)).collect();
        assert!(store.spilled());
        let spilled = packed.iter().filter(|p| matches!(p.0, Packed::Spilled { .. })).count();
        assert!(spilled > 40, "{spilled} of 50 spilled");
        assert!(matches!(packed[0].0, Packed::Inline(_)), "the first bodies stay in memory");
        for (p, t) in packed.iter().zip(&texts) {
            assert_eq!(&p.try_unpack().unwrap(), t);
        }
        #[cfg(unix)]
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the file is unlinked");
    }

    #[test]
    fn without_a_scratch_folder_or_a_writable_one_bodies_stay_in_memory() {
        let store = BodyStore::in_memory();
        assert_eq!(store.store("x").unpack(), "x");
        let file = tempfile::NamedTempFile::new().unwrap();
        // A file where the folder should be: the scratch file cannot be created.
        let store = BodyStore::spilling(file.path(), 0);
        assert_eq!(store.store("kept anyway").unpack(), "kept anyway");
        assert!(!store.spilled());
    }
}
