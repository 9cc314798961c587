//! What the published site's pages were rendered from, so that a rebuild renders only the
//! pages a change affects and keeps the others as they are (see [`crate::render::affected`]).
//!
//! The record is kept beside the published folder's manifest (`.hindsight/outputs/`, by the
//! folder's identity), written after the swap that published the folder and removed when the
//! folder becomes the staging folder again: a record exists only for a folder whose pages it
//! describes. It holds a key of everything every page depends on (the binary, the
//! configuration, the options and build date, the template overrides), each postmortem's file
//! key and [`meta_hash`], a hash of the related incidents, and the signature of each page that
//! lists postmortems. A rebuild with another key renders everything.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use crate::derive::Derived;
use crate::model::Site;
use crate::render::affected::{Changes, Signatures, meta_hash};

/// Bumped when the record's shape or meaning changes.
const FORMAT: u32 = 2;

/// What the pages of a published folder were rendered from.
#[derive(Serialize, Deserialize)]
pub struct PageRecord {
    format: u32,
    /// See [`render_key`].
    key: u128,
    /// Per postmortem: its source, file key (see [`crate::parse_cache::file_key`]) and
    /// [`meta_hash`].
    incidents: Vec<(String, u128, u64)>,
    /// See [`related_hash`].
    related: u64,
    /// Signatures of the pages that list postmortems, by output path.
    signatures: Vec<(String, u64)>,
    /// What each postings shard of the browser's search index was made from (see
    /// [`crate::search::static_index::StaticIndex::reusing`]).
    index: Vec<u64>,
}

/// Where the record of the folder with `identity` is kept.
pub fn record_path(cache_dir: &Path, identity: &str) -> PathBuf {
    cache_dir.join("outputs").join(format!("{identity}.pages"))
}

/// A key of everything every page depends on besides the postmortems: the binary (its theme),
/// `hindsight.toml`, the options naming the build, the build date and the template overrides.
/// `None` when the binary cannot be identified or a template cannot be read.
pub fn render_key(
    config_text: &str,
    options: &[String],
    build_date: time::Date,
    templates: &[(String, PathBuf)],
) -> Option<u128> {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(format!("{FORMAT}\n{}\n", env!("CARGO_PKG_VERSION")).as_bytes());
    h.update(crate::output::up_to_date::binary_identity()?.as_bytes());
    for option in options {
        h.update(option.as_bytes());
        h.update(&[0]);
    }
    h.update(crate::model::dates::format_date(build_date).as_bytes());
    h.update(&[0]);
    h.update(config_text.as_bytes());
    let mut templates: Vec<&(String, PathBuf)> = templates.iter().collect();
    templates.sort();
    for (name, path) in templates {
        h.update(&[1]);
        h.update(name.as_bytes());
        h.update(&[0]);
        h.update(&std::fs::read(path).ok()?);
    }
    Some(h.digest128())
}

/// Each postmortem's [`meta_hash`], in site order (computed in parallel).
pub fn meta_hashes(site: &Site) -> Vec<u64> {
    use rayon::prelude::*;
    site.incidents.par_iter().map(meta_hash).collect()
}

/// A hash of every postmortem's related incidents (the export lists them).
pub fn related_hash(site: &Site, derived: &Derived) -> u64 {
    let mut h = FxHasher::default();
    for (incident, related) in site.incidents.iter().zip(&derived.related) {
        incident.slug.hash(&mut h);
        for r in related {
            (site.incidents[r.incident].slug.as_str(), r.reason.as_str()).hash(&mut h);
        }
        h.write_u8(0xff);
    }
    h.finish()
}

impl PageRecord {
    /// The record of a site whose pages have `signatures`; `file_keys` maps each postmortem's
    /// source to its file key, `metas` holds each one's [`meta_hash`] (see [`meta_hashes`]) and
    /// `related` is the site's [`related_hash`]; `index` holds the search index's shard hashes.
    pub fn new(
        key: u128,
        site: &Site,
        file_keys: &FxHashMap<String, u128>,
        (metas, related): (&[u64], u64),
        signatures: &Signatures,
        index: Vec<u64>,
    ) -> PageRecord {
        let mut signatures: Vec<(String, u64)> =
            signatures.iter().map(|(path, s)| (path.clone(), *s)).collect();
        signatures.sort_unstable();
        PageRecord {
            format: FORMAT,
            key,
            incidents: site
                .incidents
                .iter()
                .zip(metas)
                .map(|(i, meta)| {
                    let file = file_keys.get(&i.source).copied().unwrap_or_default();
                    (i.source.clone(), file, *meta)
                })
                .collect(),
            related,
            signatures,
            index,
        }
    }

    /// The record of the folder with `identity`, when there is one made with `key`.
    pub fn load(cache_dir: &Path, identity: &str, key: u128) -> Option<PageRecord> {
        let record: PageRecord =
            crate::parse_cache::read_bincode(&record_path(cache_dir, identity))?;
        (record.format == FORMAT && record.key == key).then_some(record)
    }

    /// Keep the record for the folder with `identity` (best effort: without it, the next
    /// build renders every page).
    pub fn save(&self, cache_dir: &Path, identity: &str) {
        let path = record_path(cache_dir, identity);
        let tmp = path.with_extension("pages.tmp");
        let saved = crate::parse_cache::write_checked(&tmp, self)
            .and_then(|()| std::fs::rename(&tmp, &path));
        if saved.is_err() {
            let _ = std::fs::remove_file(&tmp);
            let _ = std::fs::remove_file(&path);
        }
    }

    /// The search index's shard hashes (see [`PageRecord::new`]).
    pub fn index_hashes(&self) -> &[u64] {
        &self.index
    }

    /// The signatures of the recorded pages.
    pub fn signatures(&self) -> Signatures {
        self.signatures.iter().cloned().collect()
    }

    /// What changed between the recorded site and `site`: postmortems whose file changed,
    /// appeared or disappeared, those whose front matter did, and whether related incidents
    /// moved.
    /// `file_keys`, `metas` and `related` as for [`PageRecord::new`].
    pub fn changes(
        &self,
        site: &Site,
        file_keys: &FxHashMap<String, u128>,
        (metas, related): (&[u64], u64),
    ) -> Changes {
        let mut before: FxHashMap<&str, (u128, u64)> = self
            .incidents
            .iter()
            .map(|(source, file, meta)| (source.as_str(), (*file, *meta)))
            .collect();
        let mut changes = Changes {
            files: HashSet::new(),
            meta: HashSet::new(),
            related: related != self.related,
        };
        for (incident, meta) in site.incidents.iter().zip(metas) {
            let file = file_keys.get(&incident.source).copied();
            let old = before.remove(incident.source.as_str());
            if file.is_none() || old.map(|(f, _)| f) != file {
                changes.files.insert(incident.source.clone());
            }
            if old.map(|(_, m)| m) != Some(*meta) {
                changes.meta.insert(incident.source.clone());
            }
        }
        // Postmortems gone (or no longer published).
        changes.meta.extend(before.into_keys().map(String::from));
        changes
    }
}
