//! Where rendered files go: the output folder (through [`OutputWriter`]) for `build`, or
//! memory for `serve`, which never touches `public/`.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::OutputWriter;

/// A destination for the files of a site.
pub trait Sink: Sync {
    /// Prepare the folders `rels` (sorted, parents first) before files are written.
    fn create_folders(&self, _rels: &[String]) -> io::Result<()> {
        Ok(())
    }
    /// Store `bytes` at `rel` (output-relative, `/`-separated).
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    /// Store a copy of the file `source` at `rel`.
    fn copy(&self, rel: &str, source: &Path) -> io::Result<()>;
    /// Keep at `rel` what the published site holds there, unchanged since it was rendered
    /// (so it need not be rendered again); `false` when that cannot be done, and the page is
    /// rendered.
    fn keep(&self, _rel: &str) -> io::Result<bool> {
        Ok(false)
    }
    /// Store at `rel` what `produce` writes (a large file, never whole in memory).
    fn write_streamed(&self, rel: &str, produce: Produce<'_>) -> io::Result<()> {
        let mut bytes = Vec::new();
        produce(&mut bytes)?;
        self.write(rel, &bytes)
    }
}

/// Writes a file's bytes to the writer it is given.
pub type Produce<'p> = &'p mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>;

impl Sink for OutputWriter {
    fn create_folders(&self, rels: &[String]) -> io::Result<()> {
        OutputWriter::create_folders(self, rels)
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        OutputWriter::write(self, rel, bytes)
    }
    fn copy(&self, rel: &str, source: &Path) -> io::Result<()> {
        OutputWriter::copy(self, rel, source)
    }
    fn write_streamed(&self, rel: &str, produce: Produce<'_>) -> io::Result<()> {
        OutputWriter::write_streamed(self, rel, produce)
    }
    fn keep(&self, rel: &str) -> io::Result<bool> {
        OutputWriter::keep(self, rel)
    }
}

/// Files kept in memory, by output-relative path.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<HashMap<String, Arc<[u8]>>>,
}

impl MemorySink {
    /// Everything written, by path.
    pub fn into_files(self) -> HashMap<String, Arc<[u8]>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(rel.to_string(), Arc::from(bytes));
        Ok(())
    }
    fn copy(&self, rel: &str, source: &Path) -> io::Result<()> {
        let bytes = std::fs::read(source)?;
        self.write(rel, &bytes)
    }
}
