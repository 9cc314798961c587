//! The browser's search index: static files under `search/` that `search.js` loads piece by
//! piece, so a query never downloads the whole index.
//!
//! Every file is a small script pushing `[key, data]` onto the global `hsq` queue (which
//! `search.js` drains), so the index also loads from `file://` (a downloaded CI artifact),
//! where fetching JSON is not allowed, and files can load before or after the script.
//!
//! - `manifest.js`: counts, average field lengths, where each chunk starts, synonyms, facet
//!   labels, the tails filter (also inlined in the search page).
//! - `d/N.js`: the surface dictionary (words as written, folded) in sorted chunks: word, its
//!   stem, its document frequency. For prefix completion of the word being typed.
//! - `p/N.js`: postings of stems, sharded by a hash of the stem: per document, the field,
//!   term frequency and tantivy's one-byte field norm, so the browser computes tantivy's BM25
//!   exactly. A very common stem keeps only its highest-impact postings here (with its
//!   document frequencies); the rest is in `p/tH.js` (H: the stem's hash), fetched only when a
//!   query needs it, in the same round as the shard thanks to the manifest's Bloom filter of
//!   stems having a tail.
//! - `x/N.js`, `x/tH.js`: positions, for phrases (a rare stem's sit in its postings entry).
//! - `y/N.js`: typo buckets: words by (first two letters, length) and (last two letters,
//!   length); any word one edit away from a 5-letter-or-longer word shares one of those.
//! - `c/N.js`: result cards (title, URL, date, severity, summary, excerpt), a few per file.
//! - `f/*.js`: facets (tags, services, severity, dates and time to resolve per postmortem),
//!   fetched only when filtering.
//!
//! A build that knows the hashes of what each postings shard was made from last time (see
//! [`StaticIndex::reusing`]) keeps the shards whose input is unchanged as published instead of
//! encoding them again: after a one-file edit, most of them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use super::analyzer::term_of_folded;
use super::document::{BOOSTS, GROUPS, NUM_FIELDS, SearchVocabulary, push_varint};
use super::engine::{bm25, fieldnorm_id, fieldnorm_of};
use super::query::{Phrase, phrase_of, synonym_table};
use crate::activity::{self, Activity};
use crate::model::Site;
use crate::model::slug::slugify;

/// Postings kept in the main shard for a very common stem (the first page of results of a
/// one-word query is always among them).
pub const MAIN_POSTINGS: usize = 200;
/// Approximate raw size of a dictionary chunk, in bytes (about 3 KB compressed).
const CHUNK_BYTES: usize = 12 * 1024;
/// Estimated raw size of a postings shard, in bytes: a one-word query fetches two or three
/// shards (its stem, its completions while typing), so they are kept to about 3 KB
/// compressed (postings compress less than words: 2.3 times, measured by benches/search.sh).
const SHARD_BYTES: usize = 6 * 1024;
/// Result cards per file.
pub const CARDS_PER_FILE: usize = 4;
/// Characters of body text in a result card, for snippets.
const EXCERPT_CHARS: usize = 320;
/// Characters of the summary in a result card.
const SUMMARY_CHARS: usize = 300;

/// A JSON object.
type JsonMap = serde_json::Map<String, Value>;

/// Files of the browser index: (path under the output root, bytes).
type IndexFiles = Vec<(String, Vec<u8>)>;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// `(globalThis.hsq=globalThis.hsq||[]).push(["key",data]);`: queued until `search.js` has
/// loaded, handed to it directly after. Every `<` is escaped so no file can close a script.
fn script(key: &str, data: &Value) -> Vec<u8> {
    let json = serde_json::to_string(data).unwrap_or_default().replace('<', "\\u003c");
    format!(
        "(globalThis.hsq=globalThis.hsq||[]).push([{},{json}]);\n",
        serde_json::to_string(key).unwrap_or_default()
    )
    .into_bytes()
}

/// 32-bit FNV-1a, the typo buckets' hash (search.js computes the same).
pub fn fnv1a(text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The typo bucket keys of a word.
pub fn typo_keys(word: &str) -> [String; 2] {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let prefix: String = chars.iter().take(2).collect();
    let suffix: String = chars[n.saturating_sub(2)..].iter().collect();
    [format!("p{prefix}{n}"), format!("s{suffix}{n}")]
}

/// The files of postings shard `k` whose stems with a tail are `tailed` (see [`shard_files`]).
fn shard_paths(k: u32, tailed: &[&str]) -> Vec<String> {
    let mut paths = vec![format!("search/p/{k}.js"), format!("search/x/{k}.js")];
    for term in tailed {
        let key = tail_key(term);
        paths.extend([format!("search/p/{key}.js"), format!("search/x/{key}.js")]);
    }
    paths.sort();
    paths.dedup();
    paths
}

/// Keep every one of `paths` (see [`Keep`]); `false` as soon as one cannot be kept.
fn keep_all(paths: &[String], keep: Keep<'_>) -> Result<bool, String> {
    for path in paths {
        if !keep(path)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A stem's postings while the index is built.
#[derive(Default)]
struct TermData<'a> {
    /// (doc, field, tf, norm), sorted by (doc, field).
    postings: Vec<(u32, u8, u16, u8)>,
    /// Each posting's positions: delta varints, borrowed from the document's analysis.
    positions: Vec<&'a [u8]>,
}

/// Positions of a stem shorter than this (base64 characters) sit in its postings entry, not
/// in `x/`: a rare stem's positions cost less than repeating the stem as a key.
const INLINE_POSITIONS: usize = 16;
/// Bits per tailed stem in the manifest's Bloom filter, and its number of hashes (about 1%
/// false positives, each costing one needless tail fetch).
const BLOOM_BITS_PER_TERM: usize = 10;
/// See [`BLOOM_BITS_PER_TERM`].
pub const BLOOM_HASHES: u64 = 7;

/// A stem's tail key: `t` and its hash in base 36 (`p/t….js` postings, `x/t….js`
/// positions); stems whose hashes collide share the files.
pub fn tail_key(term: &str) -> String {
    format!("t{}", base36(fnv1a(term)))
}

/// `h` in base 36 (JavaScript's `h.toString(36)`).
fn base36(mut h: u32) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(char::from_digit(h % 36, 36).unwrap_or('0'));
        h /= 36;
        if h == 0 {
            break;
        }
    }
    digits.into_iter().rev().collect()
}

/// The multi-word members of a synonym table, once each. The browser reads where they occur
/// from `s/H.js` (H: the hash of [`phrase_key`]) instead of the postings and positions of
/// their words, which are often very common (`roll back`, `out of memory`).
pub fn synonym_phrases(table: &[Vec<String>]) -> Vec<Phrase> {
    let mut out: Vec<Phrase> = Vec::new();
    for phrase in table.iter().flatten().filter_map(|m| phrase_of(m)) {
        if phrase.terms.len() > 1 && !out.contains(&phrase) {
            out.push(phrase);
        }
    }
    out
}

/// A phrase's key in `s/H.js`: its terms, `/`, its gaps.
pub fn phrase_key(phrase: &Phrase) -> String {
    let gaps: Vec<String> = phrase.gaps.iter().map(u32::to_string).collect();
    format!("{}/{}", phrase.terms.join(" "), gaps.join(","))
}

/// In one postmortem holding a phrase: per term of the phrase, its (field, tf) entries.
type PhraseHit = Vec<Vec<(u8, u16)>>;

/// A phrase as term ids and position gaps.
type PhraseIds = (Vec<u32>, Vec<u32>);

/// Where `phrases` (as term ids) occur in one postmortem, as [`encode_term`] needs them.
fn phrase_hits(
    search: &super::document::DocTerms,
    phrases: &[PhraseIds],
    needed: &rustc_hash::FxHashMap<u32, usize>,
) -> Vec<Option<PhraseHit>> {
    // (field, tf, positions) of each needed term.
    let mut found: Vec<Vec<(u8, u16, Vec<u32>)>> = vec![Vec::new(); needed.len()];
    for (e, bytes) in search.with_position_bytes() {
        if let Some(&k) = needed.get(&e.term) {
            found[k].push((e.field, e.tf, super::document::decode_positions(bytes)));
        }
    }
    phrases
        .iter()
        .map(|(terms, gaps)| {
            let lists: Vec<&Vec<(u8, u16, Vec<u32>)>> =
                terms.iter().map(|t| &found[needed[t]]).collect();
            let occurs = lists[0].iter().any(|(field, _, first)| {
                first.iter().any(|&p| {
                    lists[1..].iter().zip(&gaps[1..]).all(|(list, gap)| {
                        list.iter().any(|(f, _, ps)| f == field && ps.contains(&(p + gap)))
                    })
                })
            });
            occurs.then(|| {
                lists.iter().map(|l| l.iter().map(|(f, tf, _)| (*f, *tf)).collect()).collect()
            })
        })
        .collect()
}

/// The bits a stem sets in the tails Bloom filter of `bits` bits (search.js computes the same).
pub fn bloom_bits(term: &str, bits: u64) -> impl Iterator<Item = u64> {
    let h1 = u64::from(fnv1a(term));
    let h2 = u64::from(fnv1a(&format!("{term}\u{1}")) | 1);
    (0..BLOOM_HASHES).map(move |i| (h1 + i * h2) % bits)
}

/// The Bloom filter of the stems having a tail, base64: a query needing complete postings
/// fetches a tail in the same round as the stem's shard instead of one round later.
fn tails_filter<'t>(tailed: impl Iterator<Item = &'t str>, count: usize) -> String {
    let bits = (count * BLOOM_BITS_PER_TERM).max(64).div_ceil(8) * 8;
    let mut filter = vec![0u8; bits / 8];
    for term in tailed {
        for bit in bloom_bits(term, bits as u64) {
            filter[(bit / 8) as usize] |= 1 << (bit % 8);
        }
    }
    b64(&filter)
}

/// The files of postings shard `k`: `p/k.js`, `x/k.js` and the tails of its common stems.
/// An entry of `p/k.js` is the postings alone (document frequencies follow from them,
/// positions are in `x/k.js`), `[postings, positions]` for a rare stem, or
/// `[postings, document frequencies]` for a stem with a tail.
fn shard_files(k: u32, bucket: Vec<EncodedTerm>) -> IndexFiles {
    let mut files = Vec::new();
    let mut shard = serde_json::Map::new();
    let mut positions = serde_json::Map::new();
    // Tail key → (postings, positions) of the stems having it.
    let mut tails: BTreeMap<String, (JsonMap, JsonMap)> = BTreeMap::new();
    for e in bucket {
        let entry = if let Some((tail, tail_positions)) = e.tail {
            let files = tails.entry(tail_key(&e.term)).or_default();
            files.0.insert(e.term.clone(), json!(tail));
            files.1.insert(e.term.clone(), json!(tail_positions));
            positions.insert(e.term.clone(), json!(e.main_positions));
            json!([e.main, e.df])
        } else if e.main_positions.len() < INLINE_POSITIONS {
            json!([e.main, e.main_positions])
        } else {
            positions.insert(e.term.clone(), json!(e.main_positions));
            json!(e.main)
        };
        shard.insert(e.term, entry);
    }
    for (key, (postings, positions)) in tails {
        files.push((
            format!("search/p/{key}.js"),
            script(&format!("p{key}"), &Value::Object(postings)),
        ));
        files.push((
            format!("search/x/{key}.js"),
            script(&format!("x{key}"), &Value::Object(positions)),
        ));
    }
    files.push((format!("search/p/{k}.js"), script(&format!("p{k}"), &Value::Object(shard))));
    files.push((format!("search/x/{k}.js"), script(&format!("x{k}"), &Value::Object(positions))));
    files
}

/// A stem's postings, encoded: per-field document frequencies, the main postings and their
/// positions, and (for a very common stem) the rest.
struct EncodedTerm {
    term: String,
    df: [u32; NUM_FIELDS],
    main: String,
    main_positions: String,
    tail: Option<(String, String)>,
}

/// Encode a stem's postings: per document, the delta of its id, a mask of the fields holding
/// the stem, then per field the term frequency and the field-norm byte; positions apart.
fn encode_term(term: &str, data: TermData<'_>, n: u32, avg: &[f64; NUM_FIELDS]) -> EncodedTerm {
    let mut df = [0u32; NUM_FIELDS];
    for p in &data.postings {
        df[usize::from(p.1)] += 1;
    }
    // Per document, the range of its postings (sorted by document, so each is contiguous).
    let mut docs: Vec<(u32, std::ops::Range<usize>)> = Vec::new();
    for (i, p) in data.postings.iter().enumerate() {
        match docs.last_mut() {
            Some((d, list)) if *d == p.0 => list.end = i + 1,
            _ => docs.push((p.0, i..i + 1)),
        }
    }
    let (main, tail): (Vec<usize>, Vec<usize>) = if docs.len() > MAIN_POSTINGS {
        let impact: Vec<f64> = docs
            .iter()
            .map(|(_, list)| {
                list.clone()
                    .map(|i| {
                        let (_, f, tf, norm) = data.postings[i];
                        let f = usize::from(f);
                        BOOSTS[f] * bm25(u32::from(tf), norm, df[f], n, avg[f])
                    })
                    .sum()
            })
            .collect();
        // The best MAIN_POSTINGS by a total order (impact, then document), without sorting all.
        let mut ranked: Vec<usize> = (0..docs.len()).collect();
        ranked.select_nth_unstable_by(MAIN_POSTINGS - 1, |&a, &b| {
            impact[b].total_cmp(&impact[a]).then(docs[a].0.cmp(&docs[b].0))
        });
        let mut keep = vec![false; docs.len()];
        for &d in &ranked[..MAIN_POSTINGS] {
            keep[d] = true;
        }
        (0..docs.len()).partition(|&d| keep[d])
    } else {
        ((0..docs.len()).collect(), Vec::new())
    };
    let encode = |which: &[usize]| -> (String, String) {
        let mut bytes = Vec::new();
        let mut pos = Vec::new();
        let mut previous = 0u32;
        for &d in which {
            let (doc, list) = &docs[d];
            push_varint(&mut bytes, doc - previous);
            previous = *doc;
            push_varint(&mut bytes, list.clone().fold(0u32, |m, i| m | (1 << data.postings[i].1)));
            for i in list.clone() {
                let (_, _, tf, norm) = data.postings[i];
                push_varint(&mut bytes, u32::from(tf));
                bytes.push(norm);
                pos.extend_from_slice(data.positions[i]);
            }
        }
        (b64(&bytes), b64(&pos))
    };
    let (main, main_positions) = encode(&main);
    let tail = (!tail.is_empty()).then(|| encode(&tail));
    EncodedTerm { term: term.to_string(), df, main, main_positions, tail }
}

/// The manifest, also inlined in the search page.
#[derive(Serialize)]
pub struct Manifest {
    v: u32,
    n: u32,
    avg: [f64; NUM_FIELDS],
    boosts: [f64; NUM_FIELDS],
    norms: Vec<u32>,
    dict: Vec<String>,
    post: u32,
    typo: u32,
    cards: usize,
    years: Vec<(i32, u32)>,
    syn: Vec<Vec<String>>,
    facets: BTreeMap<&'static str, Vec<(String, String)>>,
    /// Bloom filter of the stems having a tail (see [`tails_filter`]).
    tails: String,
}

/// Where a file of the index goes: `Ok` to continue, `Err` to stop (the writer failed).
pub type Sink<'s> = &'s (dyn Fn(String, Vec<u8>) -> Result<(), String> + Sync);

/// Keeps the published file at a path: `Ok(false)` when it cannot (the file is then written).
pub type Keep<'s> = &'s (dyn Fn(&str) -> Result<bool, String> + Sync);

/// `x` to three significant digits. The average field lengths that decide which postings of a
/// very common stem are its main ones are rounded so, so that a small edit does not change
/// every shard holding such a stem (the browser scores with the exact averages).
fn coarse(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return x;
    }
    let scale = 10f64.powi(2 - x.log10().floor() as i32);
    (x * scale).round() / scale
}

/// The browser index of a site, planned: the manifest is known (the search page inlines it)
/// before the files are produced, which [`StaticIndex::write`] streams to a sink in parallel,
/// so the whole index is never in memory at once.
pub struct StaticIndex<'a> {
    site: &'a Site,
    vocabulary: &'a SearchVocabulary,
    /// The manifest.
    pub manifest: Manifest,
    surface_df: Vec<u32>,
    /// Surface ids in sorted order, and where each dictionary chunk starts in that order.
    surfaces: Vec<u32>,
    dict_bounds: Vec<usize>,
    shard_of: Vec<u32>,
    /// The synonym table's multi-word members (see [`synonym_phrases`]).
    phrases: Vec<Phrase>,
    /// The average field lengths, [`coarse`], for choosing main postings.
    split_avg: [f64; NUM_FIELDS],
    /// Whether shard inputs are hashed (see [`StaticIndex::recording`]).
    recording: bool,
    /// Per postings shard, the hash of its input last time (see [`StaticIndex::reusing`]).
    reuse: Vec<u64>,
    /// Per postings shard, the hash of its input, filled in by [`StaticIndex::write`].
    shard_hashes: Vec<AtomicU64>,
}

impl<'a> StaticIndex<'a> {
    /// Plan the index of `site`.
    pub fn new(
        site: &'a Site,
        vocabulary: &'a SearchVocabulary,
        configured_synonyms: &[Vec<String>],
    ) -> StaticIndex<'a> {
        let n = site.incidents.len() as u32;
        let mut totals = [0u64; NUM_FIELDS];
        let mut surface_df = vec![0u32; vocabulary.surfaces.len()];
        let mut entries = 0usize;
        let mut term_docs = vec![0u32; vocabulary.terms.len()];
        for incident in &site.incidents {
            let mut previous = None;
            for e in incident.search.entries() {
                if previous != Some(e.term) {
                    term_docs[e.term as usize] += 1;
                    previous = Some(e.term);
                }
            }
            for (total, &length) in totals.iter_mut().zip(&incident.search.lengths) {
                *total += u64::from(length);
            }
            for s in incident.search.surfaces() {
                surface_df[s as usize] += 1;
            }
            entries += incident.search.entry_count();
        }
        let avg = totals.map(|t| t as f64 / f64::from(n.max(1)));
        // Postings are sharded by a hash of the stem, so the manifest need not list where each
        // shard starts. Past one group's worth, a multiple of the groups: a shard's stems are
        // then all in one group (see `write_postings`).
        let post_shards = ((entries * 7) / SHARD_BYTES).max(1) as u32;
        let post_shards = if post_shards >= GROUPS as u32 {
            post_shards.next_multiple_of(GROUPS as u32)
        } else {
            post_shards
        };
        let shard_of: Vec<u32> =
            vocabulary.terms.par_iter().map(|t| fnv1a(t) % post_shards).collect();
        let mut surfaces: Vec<u32> =
            (0..surface_df.len() as u32).filter(|&s| surface_df[s as usize] > 0).collect();
        surfaces.par_sort_by(|a, b| {
            vocabulary.surfaces[*a as usize].cmp(&vocabulary.surfaces[*b as usize])
        });
        let mut dict_bounds = Vec::new();
        let mut bytes = CHUNK_BYTES;
        let mut typo_bytes = 0;
        for (i, &s) in surfaces.iter().enumerate() {
            let word = &*vocabulary.surfaces[s as usize];
            if bytes >= CHUNK_BYTES {
                dict_bounds.push(i);
                bytes = 0;
            }
            bytes += word.len() * 2 + 10;
            if word.chars().count() >= super::engine::MIN_TYPO_CHARS - 1 {
                typo_bytes += 2 * (word.len() + 8);
            }
        }
        if dict_bounds.is_empty() {
            dict_bounds.push(0);
        }
        let dict = dict_bounds
            .iter()
            .map(|&i| {
                surfaces
                    .get(i)
                    .map_or_else(String::new, |&s| vocabulary.surfaces[s as usize].to_string())
            })
            .collect();
        let mut years: Vec<(i32, u32)> = Vec::new();
        for (doc, incident) in site.incidents.iter().enumerate() {
            if years.last().map(|(y, _)| *y) != Some(incident.year()) {
                years.push((incident.year(), doc as u32));
            }
        }
        let mut facets: BTreeMap<&'static str, Vec<(String, String)>> = BTreeMap::new();
        for key in ["tag", "service"] {
            facets.insert(
                key,
                facet_values(site, key)
                    .into_iter()
                    .map(|(slug, (title, _))| (slug, title))
                    .collect(),
            );
        }
        facets.insert(
            "severity",
            site.config.severities.iter().map(|s| (slugify(s), s.clone())).collect(),
        );
        let manifest = Manifest {
            v: 1,
            n,
            avg,
            boosts: BOOSTS,
            norms: (0..=255u8).map(fieldnorm_of).collect(),
            dict,
            post: post_shards,
            typo: (typo_bytes / (CHUNK_BYTES / 2)).max(1) as u32,
            cards: CARDS_PER_FILE,
            years,
            syn: synonym_table(configured_synonyms),
            facets,
            tails: {
                let tailed: Vec<&str> = (0..term_docs.len())
                    .filter(|&t| term_docs[t] as usize > MAIN_POSTINGS)
                    .map(|t| &*vocabulary.terms[t])
                    .collect();
                tails_filter(tailed.iter().copied(), tailed.len())
            },
        };
        let phrases = synonym_phrases(&manifest.syn);
        StaticIndex {
            site,
            vocabulary,
            split_avg: manifest.avg.map(coarse),
            shard_hashes: (0..manifest.post).map(|_| AtomicU64::new(0)).collect(),
            manifest,
            surface_df,
            surfaces,
            dict_bounds,
            shard_of,
            phrases,
            recording: false,
            reuse: Vec::new(),
        }
    }

    /// Hash what each postings shard is made from while writing (see
    /// [`StaticIndex::shard_hashes`]), for a later build to reuse; `serve`, which never does,
    /// skips that work.
    pub fn recording(mut self) -> StaticIndex<'a> {
        self.recording = true;
        self
    }

    /// Keep the postings shards whose input hashes as in `hashes` (what
    /// [`StaticIndex::shard_hashes`] gave for the published index) as published, when the
    /// `keep` given to [`StaticIndex::write`] can. Implies [`StaticIndex::recording`].
    pub fn reusing(mut self, hashes: &[u64]) -> StaticIndex<'a> {
        if hashes.len() == self.shard_hashes.len() {
            self.reuse = hashes.to_vec();
        }
        self.recording()
    }

    /// Per postings shard, the hash of what it was made from (after [`StaticIndex::write`] of
    /// a recording index; 0 otherwise).
    pub fn shard_hashes(&self) -> Vec<u64> {
        self.shard_hashes.iter().map(|h| h.load(Ordering::Relaxed)).collect()
    }

    /// Produce every file of the index, in parallel, into `sink`; postings shards unchanged
    /// since the hashes given to [`StaticIndex::reusing`] go to `keep` instead.
    pub fn write(&self, sink: Sink<'_>, keep: Keep<'_>) -> Result<(), String> {
        // One group per shard group when the shards are a multiple of the groups, else (a small
        // site) one pass for everything.
        let groups =
            if self.manifest.post.is_multiple_of(GROUPS as u32) { GROUPS as u32 } else { 1 };
        let jobs: Vec<Job> = (0..groups)
            .map(Job::Postings)
            .chain([Job::Dictionary, Job::Typos, Job::Facets, Job::Manifest, Job::Phrases])
            .chain(
                (0..self.site.incidents.len().div_ceil(CARDS_PER_FILE)).step_by(64).map(Job::Cards),
            )
            .collect();
        jobs.into_par_iter().try_for_each(|job| {
            let _time = activity::enter(Activity::SearchIndex);
            self.run(job, groups, sink, keep)
        })
    }

    /// One job of [`StaticIndex::write`].
    fn run(&self, job: Job, groups: u32, sink: Sink<'_>, keep: Keep<'_>) -> Result<(), String> {
        match job {
            Job::Postings(group) => self.write_postings(group, groups, sink, keep),
            Job::Dictionary => self.write_dictionary(sink),
            Job::Typos => self.write_typos(sink),
            Job::Facets => self.write_facets(sink),
            Job::Phrases => self.write_phrases(sink),
            Job::Manifest => sink(
                "search/manifest.js".into(),
                script("manifest", &serde_json::to_value(&self.manifest).unwrap_or_default()),
            ),
            Job::Cards(first) => self.write_cards(
                first,
                (first + 64).min(self.site.incidents.len().div_ceil(CARDS_PER_FILE)),
                sink,
            ),
        }
    }

    /// The postings shards of one group (shard id modulo `groups`): only that part of the
    /// inverted index is in memory at once. With [`GROUPS`] groups, a shard's stems are those
    /// of one stem group (shard = hash % shards, a multiple of the groups), so each document's
    /// entries of that group are all that is read.
    fn write_postings(
        &self,
        group: u32,
        groups: u32,
        sink: Sink<'_>,
        keep: Keep<'_>,
    ) -> Result<(), String> {
        let (n, avg) = (self.manifest.n, self.split_avg);
        let mut terms: rustc_hash::FxHashMap<u32, TermData<'_>> = rustc_hash::FxHashMap::default();
        // The stem groups holding this group's shards: its own, or all of them in one pass.
        let read = if groups == 1 { 0..GROUPS } else { group as usize..group as usize + 1 };
        for (doc, incident) in self.site.incidents.iter().enumerate() {
            let lengths = &incident.search.lengths;
            for g in read.clone() {
                for (e, positions) in incident.search.group_position_bytes(g) {
                    debug_assert_eq!(self.shard_of[e.term as usize] % groups, group);
                    let data = terms.entry(e.term).or_default();
                    let norm = fieldnorm_id(lengths[usize::from(e.field)]);
                    data.postings.push((doc as u32, e.field, e.tf, norm));
                    data.positions.push(positions);
                }
            }
        }
        // Stems by shard; each shard is encoded and handed over before the next, so only one
        // shard's encoding is in memory besides the group's postings.
        let mut shards: BTreeMap<u32, Vec<(u32, TermData<'_>)>> = BTreeMap::new();
        for (t, data) in terms {
            shards.entry(self.shard_of[t as usize]).or_default().push((t, data));
        }
        // Every shard exists, even one no stem hashed to, so a lookup always finds a file.
        for k in (group..self.manifest.post).step_by(groups as usize) {
            let mut terms = shards.remove(&k).unwrap_or_default();
            let term = |t: u32| &*self.vocabulary.terms[t as usize];
            terms.sort_by(|a, b| term(a.0).cmp(term(b.0)));
            if self.recording {
                let (hash, tailed) = self.shard_input(k, &terms);
                self.shard_hashes[k as usize].store(hash, Ordering::Relaxed);
                if self.reuse.get(k as usize) == Some(&hash)
                    && keep_all(&shard_paths(k, &tailed), keep)?
                {
                    continue;
                }
            }
            let bucket: Vec<EncodedTerm> =
                terms.into_iter().map(|(t, data)| encode_term(term(t), data, n, &avg)).collect();
            for (path, bytes) in shard_files(k, bucket) {
                sink(path, bytes)?;
            }
        }
        Ok(())
    }

    /// A hash of everything postings shard `k` is made from (its stems, sorted, with their
    /// postings and positions; the main postings' averages when a stem has a tail), and its
    /// stems that have a tail.
    fn shard_input<'t>(&'t self, k: u32, terms: &[(u32, TermData<'_>)]) -> (u64, Vec<&'t str>) {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut bytes = Vec::new();
        bytes.extend_from_slice(
            &[k, self.manifest.post, self.manifest.n].map(u32::to_le_bytes).concat(),
        );
        let mut tailed = Vec::new();
        for (t, data) in terms {
            let term = &*self.vocabulary.terms[*t as usize];
            bytes.extend_from_slice(term.as_bytes());
            bytes.push(0xff);
            let mut docs = 0;
            let mut previous = None;
            for (&(doc, field, tf, norm), positions) in data.postings.iter().zip(&data.positions) {
                if previous != Some(doc) {
                    docs += 1;
                    previous = Some(doc);
                }
                bytes.extend_from_slice(&doc.to_le_bytes());
                bytes.push(field);
                bytes.extend_from_slice(&tf.to_le_bytes());
                bytes.push(norm);
                bytes.extend_from_slice(&(positions.len() as u32).to_le_bytes());
                bytes.extend_from_slice(positions);
            }
            if docs > MAIN_POSTINGS {
                tailed.push(term);
            }
            h.update(&bytes);
            bytes.clear();
        }
        if !tailed.is_empty() {
            for a in self.split_avg {
                h.update(&a.to_bits().to_le_bytes());
            }
        }
        (h.digest(), tailed)
    }

    /// `s/H.js`: for each multi-word synonym, the postings of its terms in the postmortems
    /// where it occurs (same encoding as `p/`), so the browser scores it exactly.
    fn write_phrases(&self, sink: Sink<'_>) -> Result<(), String> {
        let wanted: std::collections::HashSet<&str> =
            self.phrases.iter().flat_map(|p| p.terms.iter().map(String::as_str)).collect();
        let ids: rustc_hash::FxHashMap<&str, u32> = (0..self.vocabulary.terms.len() as u32)
            .map(|t| (&*self.vocabulary.terms[t as usize], t))
            .filter(|(term, _)| wanted.contains(term))
            .collect();
        // Phrases whose every term occurs somewhere, as term ids.
        let known: Vec<(usize, PhraseIds)> = self
            .phrases
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let terms: Option<Vec<u32>> =
                    p.terms.iter().map(|t| ids.get(t.as_str()).copied()).collect();
                terms.map(|terms| (i, (terms, p.gaps.clone())))
            })
            .collect();
        let mut needed: rustc_hash::FxHashMap<u32, usize> = rustc_hash::FxHashMap::default();
        for (_, (terms, _)) in &known {
            for &t in terms {
                let next = needed.len();
                needed.entry(t).or_insert(next);
            }
        }
        let as_ids: Vec<PhraseIds> = known.iter().map(|(_, p)| p.clone()).collect();
        let hits: Vec<Vec<Option<PhraseHit>>> = self
            .site
            .incidents
            .par_iter()
            .map(|i| phrase_hits(&i.search, &as_ids, &needed))
            .collect();
        let mut encoded: Vec<Vec<Vec<u8>>> =
            self.phrases.iter().map(|p| vec![Vec::new(); p.terms.len()]).collect();
        for (k, (i, _)) in known.iter().enumerate() {
            let mut previous = 0u32;
            for (doc, per_doc) in hits.iter().enumerate() {
                let Some(terms) = &per_doc[k] else { continue };
                let lengths = self.site.incidents[doc].search.lengths;
                for (bytes, fields) in encoded[*i].iter_mut().zip(terms) {
                    push_varint(bytes, doc as u32 - previous);
                    push_varint(bytes, fields.iter().fold(0u32, |m, (f, _)| m | (1 << f)));
                    for &(f, tf) in fields {
                        push_varint(bytes, u32::from(tf));
                        bytes.push(fieldnorm_id(lengths[usize::from(f)]));
                    }
                }
                previous = doc as u32;
            }
        }
        let mut files: BTreeMap<String, JsonMap> = BTreeMap::new();
        for (phrase, lists) in self.phrases.iter().zip(encoded) {
            let key = phrase_key(phrase);
            let lists: Vec<String> = lists.iter().map(|b| b64(b)).collect();
            files.entry(base36(fnv1a(&key))).or_default().insert(key, json!(lists));
        }
        for (h, map) in files {
            sink(format!("search/s/{h}.js"), script(&format!("s{h}"), &Value::Object(map)))?;
        }
        Ok(())
    }

    fn write_dictionary(&self, sink: Sink<'_>) -> Result<(), String> {
        for (k, &start) in self.dict_bounds.iter().enumerate() {
            let end = self.dict_bounds.get(k + 1).copied().unwrap_or(self.surfaces.len());
            let chunk: Vec<Value> = self.surfaces[start..end]
                .iter()
                .map(|&s| {
                    let word = &*self.vocabulary.surfaces[s as usize];
                    let stem = term_of_folded(word).unwrap_or_default();
                    let stem =
                        if word.starts_with(&stem) { json!(stem.len()) } else { json!(stem) };
                    json!([word, stem, self.surface_df[s as usize]])
                })
                .collect();
            sink(format!("search/d/{k}.js"), script(&format!("d{k}"), &Value::Array(chunk)))?;
        }
        Ok(())
    }

    fn write_typos(&self, sink: Sink<'_>) -> Result<(), String> {
        let shards = self.manifest.typo;
        let mut buckets: Vec<BTreeMap<String, Vec<(&str, u32)>>> =
            (0..shards).map(|_| BTreeMap::new()).collect();
        for &s in &self.surfaces {
            let word = &*self.vocabulary.surfaces[s as usize];
            if word.chars().count() >= super::engine::MIN_TYPO_CHARS - 1 {
                for key in typo_keys(word) {
                    let k = (fnv1a(&key) % shards) as usize;
                    buckets[k].entry(key).or_default().push((word, self.surface_df[s as usize]));
                }
            }
        }
        for (k, bucket) in buckets.into_iter().enumerate() {
            sink(format!("search/y/{k}.js"), script(&format!("y{k}"), &json!(bucket)))?;
        }
        Ok(())
    }

    fn write_cards(&self, first: usize, end: usize, sink: Sink<'_>) -> Result<(), String> {
        for k in first..end {
            let group = &self.site.incidents
                [k * CARDS_PER_FILE..((k + 1) * CARDS_PER_FILE).min(self.site.incidents.len())];
            let cards: Vec<Value> = group
                .iter()
                .map(|i| {
                    let excerpt: String =
                        body_after_summary(i)?.chars().take(EXCERPT_CHARS).collect();
                    Ok(json!([
                        i.title,
                        i.url_path(),
                        crate::model::dates::format_date(i.date().date()),
                        i.severity.as_ref().map_or(String::new(), |s| s.name.clone()),
                        i.severity.as_ref().map_or(-1, |s| s.rank as i64),
                        i.summary.chars().take(SUMMARY_CHARS).collect::<String>(),
                        excerpt.split_whitespace().collect::<Vec<_>>().join(" "),
                    ]))
                })
                .collect::<Result<_, String>>()?;
            sink(format!("search/c/{k}.js"), script(&format!("c{k}"), &Value::Array(cards)))?;
        }
        Ok(())
    }

    fn write_facets(&self, sink: Sink<'_>) -> Result<(), String> {
        for key in ["tag", "service"] {
            let docs: Vec<String> = facet_values(self.site, key)
                .values()
                .map(|(_, list)| {
                    let mut bytes = Vec::new();
                    let mut previous = 0;
                    for &d in list {
                        push_varint(&mut bytes, d - previous);
                        previous = d;
                    }
                    b64(&bytes)
                })
                .collect();
            sink(format!("search/f/{key}.js"), script(&format!("f{key}"), &json!(docs)))?;
        }
        let mut numbers = Vec::new();
        for incident in &self.site.incidents {
            let days = (incident.date().date().to_julian_day() - 2_440_588).max(0) as u32;
            push_varint(&mut numbers, days);
            let minutes = incident
                .timeline
                .time_to_resolve()
                .map_or(0, |d| d.whole_minutes().max(0) as u32 + 1);
            push_varint(&mut numbers, minutes);
            numbers.push(incident.severity.as_ref().map_or(255, |s| s.rank.min(254) as u8));
        }
        sink("search/f/num.js".into(), script("fnum", &json!(b64(&numbers))))
    }
}

/// The work of writing the index, in parallel pieces.
enum Job {
    Postings(u32),
    Phrases,
    Dictionary,
    Typos,
    Facets,
    Manifest,
    Cards(usize),
}

/// Tag or service slugs → (display title, postmortems having it, in order).
fn facet_values(site: &Site, key: &str) -> BTreeMap<String, (String, Vec<u32>)> {
    let mut by_slug: BTreeMap<String, (String, Vec<u32>)> = BTreeMap::new();
    for (doc, incident) in site.incidents.iter().enumerate() {
        let values = if key == "tag" { &incident.tags } else { &incident.services };
        for v in values {
            let entry = by_slug.entry(slugify(v)).or_insert_with(|| {
                let title = if key == "tag" { site.config.tag_title(v) } else { v.clone() };
                (title, Vec::new())
            });
            if entry.1.last() != Some(&(doc as u32)) {
                entry.1.push(doc as u32);
            }
        }
    }
    by_slug
}

/// The body text after the summary, when the summary is the body's first paragraph (so a
/// snippet does not repeat it).
pub fn body_after_summary(incident: &crate::model::Incident) -> Result<String, String> {
    let text = incident.body_text()?;
    let body = text.trim_start();
    Ok(body.strip_prefix(incident.summary.as_str()).unwrap_or(body).to_string())
}

/// The manifest as JSON data for a `<script type="application/json">` element: every `<` is
/// escaped, so neither `</script>` nor `<!--` in a title can end the element.
pub fn manifest_json(manifest: &Manifest) -> String {
    serde_json::to_string(manifest).unwrap_or_default().replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// The example site's postmortems and the strings of their analyses.
    fn example() -> (Site, SearchVocabulary) {
        use crate::diagnostics::Mode;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site");
        let (config, _) = crate::config::SiteConfig::load(&root, Mode::Build, None).unwrap();
        let layout = crate::load::walk_kb(&root, Mode::Build);
        let date = time::macros::date!(2026 - 11 - 26);
        let parsed = crate::parse::parse_postmortems(
            &layout.postmortems,
            &config,
            date,
            Mode::Build,
            None,
            None,
        );
        let site = Site::new(config, date, parsed.incidents, Default::default());
        (site, parsed.vocabulary)
    }

    /// Write `index`: the files written, and the paths kept (`keep` always can).
    fn files_of(index: &StaticIndex<'_>) -> (HashMap<String, Vec<u8>>, Vec<String>) {
        let (written, kept) = (Mutex::new(HashMap::new()), Mutex::new(Vec::new()));
        let sink = |path: String, bytes: Vec<u8>| {
            written.lock().unwrap().insert(path, bytes);
            Ok(())
        };
        let keep = |path: &str| {
            kept.lock().unwrap().push(path.to_string());
            Ok(true)
        };
        index.write(&sink, &keep).unwrap();
        (written.into_inner().unwrap(), kept.into_inner().unwrap())
    }

    #[test]
    fn postings_shards_with_unchanged_input_are_kept_and_the_others_written_as_fresh() {
        let (before, words) = example();
        let (published, kept) = files_of(&StaticIndex::new(&before, &words, &[]));
        assert!(kept.is_empty(), "nothing to reuse: {kept:?}");
        let hashes = StaticIndex::new(&before, &words, &[]).recording().shard_hashes();
        assert!(hashes.iter().all(|&h| h == 0), "hashes are known only once written");
        let unrecorded = StaticIndex::new(&before, &words, &[]);
        files_of(&unrecorded);
        assert!(unrecorded.shard_hashes().iter().all(|&h| h == 0), "only a recording index hashes");
        let index = StaticIndex::new(&before, &words, &[]).recording();
        files_of(&index);
        let hashes = index.shard_hashes();
        assert!(hashes.len() > 3, "{}", hashes.len());
        // The same site again: every postings file is kept.
        let (written, kept) = files_of(&StaticIndex::new(&before, &words, &[]).reusing(&hashes));
        let postings = |path: &str| path.starts_with("search/p/") || path.starts_with("search/x/");
        assert!(written.keys().all(|p| !postings(p)), "{:?}", written.keys());
        assert_eq!(kept.len(), published.keys().filter(|p| postings(p)).count());
        // One postmortem's title longer: the shards of its title's stems change, no other.
        let (mut after, words) = example();
        after.incidents[0].search.lengths[0] += 7;
        let (fresh, _) = files_of(&StaticIndex::new(&after, &words, &[]));
        let (written, kept) = files_of(&StaticIndex::new(&after, &words, &[]).reusing(&hashes));
        let changed: Vec<&String> = written.keys().filter(|p| postings(p)).collect();
        assert!(!changed.is_empty() && !kept.is_empty(), "{changed:?} {kept:?}");
        for path in &kept {
            assert!(published[path] == fresh[path], "{path} was kept but changed");
        }
        for (path, bytes) in &written {
            assert!(*bytes == fresh[path], "{path} differs from a fresh index's");
        }
        let mut all: Vec<&String> = written.keys().chain(&kept).collect();
        all.sort();
        let mut expected: Vec<&String> = fresh.keys().collect();
        expected.sort();
        assert_eq!(all, expected);
    }

    #[test]
    fn typo_keys_cover_one_edit_neighbours() {
        let edits = |w: &str| -> Vec<String> {
            let c: Vec<char> = w.chars().collect();
            let mut out = Vec::new();
            for i in 0..=c.len() {
                let mut ins = c.clone();
                ins.insert(i, 'x');
                out.push(ins.iter().collect());
                if i < c.len() {
                    let mut del = c.clone();
                    del.remove(i);
                    out.push(del.iter().collect());
                    let mut sub = c.clone();
                    sub[i] = 'x';
                    out.push(sub.iter().collect());
                }
                if i + 1 < c.len() {
                    let mut swapped = c.clone();
                    swapped.swap(i, i + 1);
                    out.push(swapped.iter().collect());
                }
            }
            out
        };
        for word in ["certificate", "outage", "kafka", "deploy"] {
            let target = typo_keys(word);
            for typo in edits(word) {
                let c: Vec<char> = typo.chars().collect();
                let n = c.len();
                let (first, last): (String, String) =
                    (c[..2].iter().collect(), c[n - 2..].iter().collect());
                let lookups: Vec<String> = (n - 1..=n + 1)
                    .flat_map(|len| [format!("p{first}{len}"), format!("s{last}{len}")])
                    .collect();
                assert!(
                    lookups.contains(&target[0]) || lookups.contains(&target[1]),
                    "{typo} cannot find {word}"
                );
            }
        }
    }

    #[test]
    fn a_common_stems_main_postings_are_its_best_scoring_documents() {
        // 500 documents hold the stem in one field each: the first 250 with varied fields,
        // frequencies and lengths, the others in six groups of equal scores, so the cut falls
        // inside a group (ties go to the lower document).
        let postings: Vec<(u32, u8, u16, u8)> = (0..500u32)
            .map(|d| match d {
                0..250 => (d, (d % 5) as u8, (d * 7 % 11 + 1) as u16, (d * 13 % 40) as u8),
                _ => (d, 0, (d % 3 + 1) as u16, (d % 2 * 5) as u8),
            })
            .collect();
        let avg = [3.0, 4.0, 5.0, 20.0, 300.0];
        let (n, mut df) = (1000, [0u32; NUM_FIELDS]);
        for p in &postings {
            df[usize::from(p.1)] += 1;
        }
        let impact = |&(_, f, tf, norm): &(u32, u8, u16, u8)| {
            let f = usize::from(f);
            BOOSTS[f] * bm25(u32::from(tf), norm, df[f], n, avg[f])
        };
        // Expected: the MAIN_POSTINGS highest (ties: the lower document), in document order.
        let mut best = postings.clone();
        best.sort_by(|a, b| impact(b).total_cmp(&impact(a)).then(a.0.cmp(&b.0)));
        assert_eq!(
            impact(&best[MAIN_POSTINGS - 1]),
            impact(&best[MAIN_POSTINGS]),
            "a tie at the cut"
        );
        let mut main: Vec<u32> = best[..MAIN_POSTINGS].iter().map(|p| p.0).collect();
        main.sort_unstable();
        let mut tail: Vec<u32> = best[MAIN_POSTINGS..].iter().map(|p| p.0).collect();
        tail.sort_unstable();
        use super::super::document::read_varint;
        let docs_of = |encoded: &str| {
            let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(encoded).unwrap();
            let (mut at, mut doc, mut docs) = (0, 0, Vec::new());
            while at < bytes.len() {
                doc += read_varint(&bytes, &mut at);
                docs.push(doc);
                let mask = read_varint(&bytes, &mut at);
                for _ in 0..mask.count_ones() {
                    read_varint(&bytes, &mut at); // tf
                    at += 1; // norm
                }
            }
            docs
        };
        let positions = vec![&[0u8][..]; postings.len()];
        let encoded = encode_term("deploy", TermData { postings, positions }, n, &avg);
        assert_eq!(docs_of(&encoded.main), main);
        assert_eq!(docs_of(&encoded.tail.expect("a tail").0), tail);
    }

    #[test]
    fn averages_for_main_postings_keep_three_significant_digits() {
        assert_eq!(coarse(512.34), 512.0);
        assert_eq!(coarse(512.6), 513.0);
        assert_eq!(coarse(5.3712), 5.37);
        assert_eq!(coarse(0.012345), 0.0123);
        assert_eq!(coarse(0.0), 0.0);
        // A small edit to one of 10,000 postmortems does not move the value.
        assert_eq!(coarse(812.4), coarse(812.4 + 6.0 / 10_000.0));
    }

    #[test]
    fn scripts_cannot_close_their_element() {
        let out = String::from_utf8(script("c0", &json!(["</script><!--"]))).unwrap();
        assert!(!out.contains("</script") && !out.contains("<!--"), "{out}");
    }
}
