//! A rebuild with nothing changed: when the sources, the options and the hindsight binary are
//! those of the last successful build into the same output folder, and that folder still
//! holds exactly the files that build wrote, the build is already done. It reports the same
//! findings (kept with the record) and writes nothing.
//!
//! Sources are judged by their metadata (size, modification and change time, inode), which
//! must equal the last build's exactly (not merely be older than the output, as `make` asks): a
//! copy that keeps the modification time still changes the change time. The output folder is checked file by file against its manifest (size and
//! modification time), so a file edited, added or removed there means a real build.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::manifest::{Manifest, folder_identity, manifest_path, stamp};
use crate::diagnostics::report::SourceTexts;
use crate::diagnostics::{Code, Diagnostic, Severity, location_with_span};

/// What a successful build leaves for the next one to compare with.
#[derive(Serialize, Deserialize)]
pub struct BuildRecord {
    /// [`input_key`] of the build.
    pub key: String,
    /// The output folder it wrote, and that folder's identity after the swap.
    pub output: PathBuf,
    /// See [`folder_identity`].
    pub identity: String,
    /// The sources' fingerprint (the search index's freshness mark).
    pub fingerprint: String,
    /// Postmortems published.
    pub published: usize,
    /// Pages rendered.
    pub pages: usize,
    /// Files in the output folder.
    pub files: usize,
    /// The build's findings.
    pub diagnostics: Vec<RecordedDiagnostic>,
    /// Texts of the files the findings point into (credentials already masked).
    pub texts: Vec<(String, String)>,
}

/// A [`Diagnostic`], with its span (which the JSON output for users leaves out).
#[derive(Serialize, Deserialize)]
pub struct RecordedDiagnostic {
    error: bool,
    code: String,
    message: String,
    help: Option<String>,
    /// file, line, column, end line, end column, span start, span end.
    location: Option<(String, [usize; 6])>,
}

impl RecordedDiagnostic {
    /// Record `d`.
    pub fn of(d: &Diagnostic) -> RecordedDiagnostic {
        RecordedDiagnostic {
            error: d.severity == Severity::Error,
            code: d.code.id().to_string(),
            message: d.message.clone(),
            help: d.help.clone(),
            location: d.location.as_ref().map(|l| (l.file.clone(), location_with_span::numbers(l))),
        }
    }

    /// The finding again; `None` for a code this binary does not know (the record is then
    /// not trusted).
    pub fn restore(&self) -> Option<Diagnostic> {
        let code = *Code::ALL.iter().find(|c| c.id() == self.code)?;
        Some(Diagnostic {
            severity: if self.error { Severity::Error } else { Severity::Warning },
            code,
            message: self.message.clone(),
            help: self.help.clone(),
            location: self
                .location
                .as_ref()
                .map(|(file, at)| location_with_span::from_numbers(file.clone(), *at)),
        })
    }
}

/// The options that name a build's record: which postmortems, `--output`, `--base-url`.
pub fn options_of(options: &crate::BuildOptions) -> Vec<String> {
    let output = options.output.as_deref().map(super::location::absolute);
    vec![
        options.load.filter.variant().to_string(),
        output.map_or(String::new(), |p| p.to_string_lossy().into_owned()),
        options.load.base_url.clone().unwrap_or_else(|| "\u{1}".into()),
    ]
}

/// Everything a build's result depends on, hashed: the binary, the options and build date, and the metadata
/// of `hindsight.toml` and of every entry under `postmortems/`, `static/` and `templates/`.
/// `None` when the running binary cannot be identified (its theme could differ unseen).
pub fn input_key(root: &Path, options: &[String], build_date: time::Date) -> Option<u128> {
    let mut text = String::new();
    text.push_str(env!("CARGO_PKG_VERSION"));
    text.push('\n');
    text.push_str(&binary_identity()?);
    for option in options {
        text.push_str(option);
        text.push('\0');
    }
    text.push_str(&crate::model::dates::format_date(build_date));
    text.push('\n');
    push_meta(&mut text, crate::config::CONFIG_FILE, Some(&root.join(crate::config::CONFIG_FILE)));
    for dir in ["postmortems", "static", "templates"] {
        if std::fs::symlink_metadata(root.join(dir)).is_err() {
            push_meta(&mut text, dir, None);
            continue;
        }
        for entry in walkdir::WalkDir::new(root.join(dir)).follow_links(false).sort_by_file_name() {
            match entry {
                Ok(entry) => {
                    let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    push_meta(&mut text, &rel.to_string_lossy(), Some(entry.path()));
                }
                // An unreadable folder: never up to date (the build reports it).
                Err(e) => text.push_str(&format!("error {e} {}\n", std::process::id())),
            }
        }
    }
    Some(xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// The running hindsight binary, by the metadata of its file (a rebuilt binary differs):
/// `None` when it cannot be found.
pub fn binary_identity() -> Option<String> {
    let exe = std::env::current_exe().ok().filter(|p| p.is_file())?;
    let mut text = String::new();
    push_meta(&mut text, "<binary>", Some(&exe));
    Some(text)
}

/// One line of metadata for `path` (without following a symlink).
fn push_meta(text: &mut String, rel: &str, path: Option<&Path>) {
    let meta = path.and_then(|p| std::fs::symlink_metadata(p).ok());
    let line = match meta {
        None => "missing".to_string(),
        Some(m) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                format!(
                    "{:o} {} {} {}.{} {}.{}",
                    m.mode(),
                    m.ino(),
                    m.len(),
                    m.mtime(),
                    m.mtime_nsec(),
                    m.ctime(),
                    m.ctime_nsec()
                )
            }
            #[cfg(not(unix))]
            {
                format!("{:?} {} {:?}", m.file_type(), m.len(), m.modified().ok())
            }
        }
    };
    text.push_str(rel);
    text.push('\t');
    text.push_str(&line);
    text.push('\n');
}

/// Where the record of builds with `options` is kept.
fn record_path(cache_dir: &Path, options: &[String]) -> PathBuf {
    let id = xxhash_rust::xxh3::xxh3_64(options.join("\0").as_bytes());
    cache_dir.join("builds").join(format!("{id:016x}.json"))
}

/// The record of the last build with `options`, if it built exactly `key` into an output
/// folder that still holds what it wrote.
pub fn up_to_date(cache_dir: &Path, options: &[String], key: u128) -> Option<BuildRecord> {
    let text = std::fs::read_to_string(record_path(cache_dir, options)).ok()?;
    let record: BuildRecord = serde_json::from_str(&text).ok()?;
    if record.key != format!("{key:032x}") {
        return None;
    }
    let identity = folder_identity(&record.output)?;
    if identity != record.identity {
        return None;
    }
    let manifest = Manifest::load(&manifest_path(cache_dir, &identity));
    if manifest.entries.len() != record.files {
        return None;
    }
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(&record.output).follow_links(false).min_depth(1) {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(&record.output).ok()?.to_string_lossy();
        let known = manifest.entries.get(rel.replace('\\', "/").as_str())?;
        if stamp(entry.path()) != Some((known.size, known.mtime_ns)) {
            return None;
        }
        seen += 1;
    }
    (seen == record.files).then_some(record)
}

/// Remember a successful build (best effort: without the record the next build is a full one).
pub fn save(cache_dir: &Path, options: &[String], record: &BuildRecord) {
    let path = record_path(cache_dir, options);
    let Some(dir) = path.parent() else { return };
    let tmp = path.with_extension("json.tmp");
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::File::create(&tmp))
        .and_then(|mut f| f.write_all(serde_json::to_string(record).unwrap_or_default().as_bytes()))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&path);
    }
}

/// The texts of a record as [`SourceTexts`].
pub fn texts_of(record: &BuildRecord) -> SourceTexts {
    let mut texts = SourceTexts::default();
    for (file, text) in &record.texts {
        texts.insert(file, text);
    }
    texts
}
