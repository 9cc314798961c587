//! A postmortem as search sees it: five weighted fields of text, analyzed once (while the file
//! is parsed, in parallel) into compact per-document term statistics that the browser index,
//! the tantivy index and related-incident scoring all read.

use std::cell::RefCell;
use std::hash::BuildHasher;

use rustc_hash::FxHashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use super::analyzer::{Piece, split};

/// The searchable fields, in scoring order.
pub const FIELDS: [&str; 5] = ["title", "meta", "lessons", "summary", "body"];
/// Number of fields.
pub const NUM_FIELDS: usize = FIELDS.len();
/// BM25 boost of each field: title > tags and services, lesson text > summary > body.
pub const BOOSTS: [f64; NUM_FIELDS] = [5.0, 3.0, 3.0, 2.0, 1.0];

/// The text of each field of a postmortem, as both indexes see it.
pub fn field_texts(
    title: &str,
    tags: &[String],
    services: &[String],
    lessons: &[String],
    summary: &str,
    body: &str,
) -> [String; NUM_FIELDS] {
    let meta = tags.iter().chain(services).map(String::as_str).collect::<Vec<_>>().join(". ");
    [title.to_string(), meta, lessons.join("\n"), summary.to_string(), body.to_string()]
}

const SHARDS: usize = 16;

/// Term strings ↔ ids, shared by all parsing threads. Ids are assigned in whatever order
/// threads arrive, so nothing may depend on their order: outputs sort by the strings.
pub struct Interner {
    shards: Vec<Mutex<FxHashMap<Box<str>, u32>>>,
    next: AtomicU32,
    hasher: rustc_hash::FxBuildHasher,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            shards: (0..SHARDS).map(|_| Mutex::new(FxHashMap::default())).collect(),
            next: AtomicU32::new(0),
            hasher: rustc_hash::FxBuildHasher,
        }
    }
}

impl Interner {
    /// The id of `text`, assigning one if new.
    pub fn intern(&self, text: &str) -> u32 {
        let shard = &self.shards[(self.hasher.hash_one(text) as usize) % SHARDS];
        let mut map = shard.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = map.get(text) {
            return id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        map.insert(text.into(), id);
        id
    }

    /// An interner holding `strings`, each with its index as id (strings are unique).
    pub fn from_strings(strings: Vec<Box<str>>) -> Interner {
        let mut interner = Interner::default();
        interner.next.store(strings.len() as u32, Ordering::Relaxed);
        for (id, text) in strings.into_iter().enumerate() {
            let shard = (interner.hasher.hash_one(&*text) as usize) % SHARDS;
            interner.shards[shard]
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .insert(text, id as u32);
        }
        interner
    }

    /// How many strings have ids so far.
    pub fn len(&self) -> usize {
        self.next.load(Ordering::Relaxed) as usize
    }

    /// Whether no string has an id yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Append to `strings` (every string by id so far) the strings interned since.
    pub fn extend_strings(&self, strings: &mut Vec<Box<str>>) {
        let start = strings.len();
        let end = self.next.load(Ordering::Relaxed) as usize;
        if end <= start {
            return;
        }
        strings.resize(end, Box::from(""));
        for shard in &self.shards {
            let map = shard.lock().unwrap_or_else(|e| e.into_inner());
            for (text, &id) in map.iter() {
                if (id as usize) >= start && (id as usize) < end {
                    strings[id as usize] = text.clone();
                }
            }
        }
    }

    /// Every string by id.
    pub fn into_strings(self) -> Vec<Box<str>> {
        let mut strings: Vec<Box<str>> =
            vec![Box::from(""); self.next.load(Ordering::Relaxed) as usize];
        for shard in self.shards {
            for (text, id) in shard.into_inner().unwrap_or_else(|e| e.into_inner()) {
                strings[id as usize] = text;
            }
        }
        strings
    }
}

/// Terms and surface words of every postmortem, interned.
pub struct Vocabulary {
    /// Stemmed terms.
    pub terms: Interner,
    /// Folded words before stemming.
    pub surfaces: Interner,
    /// Distinguishes vocabularies, so per-thread caches of ids are never mixed up.
    id: u64,
}

impl Default for Vocabulary {
    fn default() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Vocabulary {
            terms: Interner::default(),
            surfaces: Interner::default(),
            id: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Vocabulary {
    /// A vocabulary that goes on from `strings` (ids kept: analyses made against it stay
    /// valid), as the parse cache restores it.
    pub fn continuing(strings: SearchVocabulary) -> Vocabulary {
        Vocabulary {
            terms: Interner::from_strings(strings.terms),
            surfaces: Interner::from_strings(strings.surfaces),
            ..Vocabulary::default()
        }
    }
}

/// The strings behind the ids of [`DocTerms`], once parsing is done.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SearchVocabulary {
    /// Term id → stemmed term.
    pub terms: Vec<Box<str>>,
    /// Surface id → folded word.
    pub surfaces: Vec<Box<str>>,
}

/// One term in one field of one postmortem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermEntry {
    /// Term id.
    pub term: u32,
    /// Field index.
    pub field: u8,
    /// Occurrences.
    pub tf: u16,
}

/// Stems fall into this many groups by the hash of their text ([`group_of`]): the browser
/// index is built one group at a time (so only that part of it is in memory), and each
/// document keeps its entries grouped, so a group's pass reads only its own entries.
pub const GROUPS: usize = 16;

/// The group of a stem (see [`GROUPS`]).
pub fn group_of(term: &str) -> u8 {
    (super::static_index::fnv1a(term) % GROUPS as u32) as u8
}

/// The analyzed text of one postmortem, in one exact-size allocation: a build keeps every
/// document's analysis until the site is written (about 2 KB each), so entries are
/// delta-encoded varints rather than 8-byte structs.
///
/// `data` holds, in order: each entry as `varint(term - previous term)` and
/// `varint(tf << 3 | field)`, sorted by ([`group_of`] the term, term, field), the delta starting
/// from 0 again at each group; each entry's positions as delta varints, in entry order; the
/// surface ids, sorted, as delta varints.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DocTerms {
    #[serde(serialize_with = "serialize_bytes")]
    #[serde(deserialize_with = "crate::model::body::deserialize_bytes")]
    data: Box<[u8]>,
    /// Where each group's entries start in `data`, then where each group's positions start.
    starts: [u32; 2 * GROUPS],
    /// Where the positions start in `data`.
    positions_at: u32,
    /// Where the surface ids start in `data`.
    surfaces_at: u32,
    /// Number of entries.
    entry_count: u32,
    /// Tokens per field (BM25's field length).
    pub lengths: [u32; NUM_FIELDS],
}

fn serialize_bytes<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(bytes)
}

/// Append `value` as a LEB128 varint.
pub fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Positions from their delta varints (as [`DocTerms::with_position_bytes`] gives them).
pub fn decode_positions(bytes: &[u8]) -> Vec<u32> {
    let (mut at, mut previous, mut out) = (0, 0, Vec::new());
    while at < bytes.len() {
        previous += read_varint(bytes, &mut at);
        out.push(previous);
    }
    out
}

/// Read a LEB128 varint at `*at`.
pub fn read_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut value = 0u32;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        // A varint longer than five bytes (only in damaged data) drops its excess bits.
        value |= u32::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b < 0x80 {
            break;
        }
        shift = shift.saturating_add(7);
    }
    value
}

/// A per-thread word cache: the id of the vocabulary it belongs to, and for each word as
/// written its (stem group, stem, surface) ids, or `None` when the word yields no term.
type WordCache = (u64, FxHashMap<Box<str>, Option<(u8, u32, u32)>>);

thread_local! {
    /// What each word (as written) becomes, per vocabulary: words repeat, so each is folded,
    /// stemmed and interned once per thread instead of at every occurrence.
    static WORDS: RefCell<WordCache> = RefCell::new((u64::MAX, FxHashMap::default()));
}

impl DocTerms {
    /// Analyze the fields of one postmortem.
    pub fn analyze(fields: &[String; NUM_FIELDS], vocabulary: &Vocabulary) -> DocTerms {
        let mut lengths = [0u32; NUM_FIELDS];
        let mut surfaces = Vec::new();
        // (group, term, field, position) of every token, packed into one integer so that
        // sorting compares integers (see `pack_token`).
        let mut tokens: Vec<u64> = Vec::new();
        WORDS.with(|cell| {
            let mut cache = cell.borrow_mut();
            if cache.0 != vocabulary.id {
                *cache = (vocabulary.id, FxHashMap::default());
            }
            for (f, text) in fields.iter().enumerate() {
                split(text, |piece, position, offsets| {
                    let key = match piece {
                        Piece::Word(w) | Piece::Cjk(w) => w,
                    };
                    let ids = match cache.1.get(key) {
                        Some(ids) => *ids,
                        None => {
                            let ids = piece.token(position, offsets).map(|t| {
                                (
                                    group_of(&t.term),
                                    vocabulary.terms.intern(&t.term),
                                    vocabulary.surfaces.intern(&t.surface),
                                )
                            });
                            cache.1.insert(key.into(), ids);
                            ids
                        }
                    };
                    if let Some((group, term, surface)) = ids {
                        lengths[f] += 1;
                        if position < 1 << POSITION_BITS {
                            tokens.push(pack_token(group, term, f as u8, position));
                        }
                        surfaces.push(surface);
                    }
                });
            }
        });
        tokens.sort_unstable();
        let mut entries: Vec<(u8, TermEntry)> = Vec::new();
        let mut positions = Vec::with_capacity(tokens.len() * 2);
        // Where each group's positions start; groups below `filled` are set.
        let (mut position_starts, mut filled) = ([0u32; GROUPS], 0);
        let mut previous = 0;
        for (group, term, field, position) in tokens.into_iter().map(unpack_token) {
            match entries.last_mut() {
                Some((_, e)) if e.term == term && e.field == field => {
                    // Very long documents: positions beyond what `tf` can count are dropped.
                    if e.tf == u16::MAX {
                        continue;
                    }
                    e.tf += 1;
                }
                last => {
                    // A group's first entry: it and the empty groups before it start here.
                    if last.is_none_or(|(g, _)| *g != group) {
                        position_starts[filled..=usize::from(group)].fill(positions.len() as u32);
                        filled = usize::from(group) + 1;
                    }
                    entries.push((group, TermEntry { term, field, tf: 1 }));
                    previous = 0;
                }
            }
            push_varint(&mut positions, position - previous);
            previous = position;
        }
        position_starts[filled..].fill(positions.len() as u32);
        surfaces.sort_unstable();
        surfaces.dedup();
        let mut data = Vec::with_capacity(entries.len() * 3 + positions.len() + surfaces.len() * 2);
        let mut starts = [0u32; 2 * GROUPS];
        let (mut previous, mut group, mut filled) = (0, None, 0);
        for (g, e) in &entries {
            if group != Some(*g) {
                starts[filled..=usize::from(*g)].fill(data.len() as u32);
                (previous, group, filled) = (0, Some(*g), usize::from(*g) + 1);
            }
            push_varint(&mut data, e.term - previous);
            push_varint(&mut data, (u32::from(e.tf) << 3) | u32::from(e.field));
            previous = e.term;
        }
        starts[filled..GROUPS].fill(data.len() as u32);
        let positions_at = data.len() as u32;
        for (start, p) in starts[GROUPS..].iter_mut().zip(position_starts) {
            *start = positions_at + p;
        }
        data.extend_from_slice(&positions);
        let surfaces_at = data.len() as u32;
        let mut previous = 0;
        for &s in &surfaces {
            push_varint(&mut data, s - previous);
            previous = s;
        }
        DocTerms {
            // An exact-size copy: shrinking in place can leave the allocation twice the size.
            data: Box::from(data.as_slice()),
            starts,
            positions_at,
            surfaces_at,
            entry_count: entries.len() as u32,
            lengths,
        }
    }

    /// Whether this analysis is whole and refers only to term ids below `terms` and surface
    /// ids below `surfaces`: what the parse cache checks of each analysis it reads back, so a
    /// damaged cache file cannot make a later stage index out of bounds.
    pub fn fits(&self, terms: usize, surfaces: usize) -> bool {
        let (starts, len) = (&self.starts, self.data.len() as u32);
        let ordered = |s: &[u32]| s.windows(2).all(|w| w[0] <= w[1]);
        if !(ordered(&starts[..GROUPS])
            && starts[GROUPS - 1] <= self.positions_at
            && self.positions_at <= starts[GROUPS]
            && ordered(&starts[GROUPS..])
            && starts[2 * GROUPS - 1] <= self.surfaces_at
            && self.surfaces_at <= len)
        {
            return false;
        }
        let mut count = 0;
        for group in 0..GROUPS {
            let end =
                if group + 1 < GROUPS { starts[GROUPS + group + 1] } else { self.surfaces_at };
            let positions = &self.data[starts[GROUPS + group] as usize..end as usize];
            let mut at = 0;
            let mut last = 0u64;
            for e in self.group_entries(group) {
                count += 1;
                // Term ids only grow within a group (a wrapped delta would not).
                if e.term as usize >= terms || u64::from(e.term) < last {
                    return false;
                }
                last = u64::from(e.term);
                for _ in 0..e.tf {
                    if at >= positions.len() {
                        return false;
                    }
                    skip_varint(positions, &mut at);
                }
            }
        }
        let mut previous = 0u64;
        count == self.entry_count as usize
            && self.surfaces().all(|s| {
                let fits = (s as usize) < surfaces && u64::from(s) >= previous;
                previous = u64::from(s);
                fits
            })
    }

    /// Number of (term, field) entries.
    pub fn entry_count(&self) -> usize {
        self.entry_count as usize
    }

    /// The entries of one group (see [`GROUPS`]), sorted by (term, field).
    pub fn group_entries(&self, group: usize) -> impl Iterator<Item = TermEntry> + '_ {
        let end = if group + 1 < GROUPS { self.starts[group + 1] } else { self.positions_at };
        let entries = &self.data[self.starts[group] as usize..end as usize];
        let (mut at, mut term) = (0, 0u32);
        std::iter::from_fn(move || {
            if at >= entries.len() {
                return None;
            }
            term = term.wrapping_add(read_varint(entries, &mut at));
            let packed = read_varint(entries, &mut at);
            Some(TermEntry { term, field: (packed & 7) as u8, tf: (packed >> 3) as u16 })
        })
    }

    /// The entries, by group, then sorted by (term, field): the entries of one term are
    /// adjacent.
    pub fn entries(&self) -> impl Iterator<Item = TermEntry> + '_ {
        (0..GROUPS).flat_map(|g| self.group_entries(g))
    }

    /// The surface word ids, sorted, unique.
    pub fn surfaces(&self) -> impl Iterator<Item = u32> + '_ {
        let bytes = &self.data[self.surfaces_at as usize..];
        let (mut at, mut id) = (0, 0u32);
        std::iter::from_fn(move || {
            if at >= bytes.len() {
                return None;
            }
            id = id.wrapping_add(read_varint(bytes, &mut at));
            Some(id)
        })
    }

    /// Each entry with its positions.
    pub fn with_positions(&self) -> impl Iterator<Item = (TermEntry, Vec<u32>)> + '_ {
        self.with_position_bytes().map(|(e, bytes)| (e, decode_positions(bytes)))
    }

    /// Each entry with the bytes of its delta-encoded positions.
    pub fn with_position_bytes(&self) -> impl Iterator<Item = (TermEntry, &[u8])> + '_ {
        (0..GROUPS).flat_map(|g| self.group_position_bytes(g))
    }

    /// Each entry of one group with the bytes of its delta-encoded positions.
    pub fn group_position_bytes(
        &self,
        group: usize,
    ) -> impl Iterator<Item = (TermEntry, &[u8])> + '_ {
        let end =
            if group + 1 < GROUPS { self.starts[GROUPS + group + 1] } else { self.surfaces_at };
        let positions = &self.data[self.starts[GROUPS + group] as usize..end as usize];
        let mut at = 0;
        self.group_entries(group).map(move |e| {
            let start = at;
            for _ in 0..e.tf {
                skip_varint(positions, &mut at);
            }
            (e, &positions[start..at])
        })
    }
}

/// Bits of a packed token's position: a field longer than 2^25 tokens (33 million, a file of
/// some 200 MB) keeps counting its length, but its tokens beyond are not indexed.
const POSITION_BITS: u32 = 25;

/// A token as one sortable integer: group (4 bits), term (32), field (3), position (25;
/// smaller than 2^25).
fn pack_token(group: u8, term: u32, field: u8, position: u32) -> u64 {
    const _: () = assert!(GROUPS <= 16 && NUM_FIELDS <= 8);
    (u64::from(group) << 60)
        | (u64::from(term) << 28)
        | (u64::from(field) << POSITION_BITS)
        | u64::from(position)
}

/// The parts of a [`pack_token`] value.
fn unpack_token(token: u64) -> (u8, u32, u8, u32) {
    (
        (token >> 60) as u8,
        (token >> 28) as u32,
        ((token >> POSITION_BITS) & 7) as u8,
        (token & ((1 << POSITION_BITS) - 1)) as u32,
    )
}

/// Move `*at` past the varint there.
fn skip_varint(bytes: &[u8], at: &mut usize) {
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        if b < 0x80 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_tokens_sort_like_tuples_and_unpack() {
        let tuples = [
            (15u8, u32::MAX, 7u8, (1 << POSITION_BITS) - 1),
            (0, 0, 0, 0),
            (3, 70_000, 4, 12),
            (3, 70_000, 2, 99),
            (3, 69_999, 4, 5),
            (1, 4_000_000_000, 0, 1),
        ];
        let mut packed: Vec<u64> =
            tuples.iter().map(|&(g, t, f, p)| pack_token(g, t, f, p)).collect();
        packed.sort_unstable();
        let mut sorted = tuples.to_vec();
        sorted.sort_unstable();
        assert_eq!(packed.into_iter().map(unpack_token).collect::<Vec<_>>(), sorted);
    }

    #[test]
    fn damaged_analyses_do_not_fit_and_never_panic() {
        let vocabulary = Vocabulary::default();
        let fields = field_texts(
            "Expired certificate broke the partner API",
            &["certificates".into()],
            &["api-gateway".into()],
            &["Rotate before expiry.".into()],
            "The certificate expired.",
            &"The partner API rejected every call once the certificate expired. ".repeat(20),
        );
        let doc = DocTerms::analyze(&fields, &vocabulary);
        let (terms, surfaces) = (vocabulary.terms.len(), vocabulary.surfaces.len());
        assert!(doc.fits(terms, surfaces));
        assert!(!doc.fits(terms - 1, surfaces), "the largest term id is out of range");
        assert!(!doc.fits(terms, surfaces - 1), "the largest surface id is out of range");
        let mut damaged = 0;
        for at in 0..doc.data.len() {
            for byte in [0x00, 0x7f, 0xff] {
                let mut copy = doc.clone();
                let mut data = copy.data.to_vec();
                data[at] = byte;
                copy.data = data.into_boxed_slice();
                if copy.fits(terms, surfaces) {
                    // Whatever fits reads back whole, without panicking.
                    assert!(copy.with_positions().all(|(e, p)| p.len() == usize::from(e.tf)));
                    assert!(copy.surfaces().count() > 0);
                } else {
                    damaged += 1;
                }
            }
        }
        assert!(damaged > 0);
        let mut cut = doc.clone();
        cut.data = doc.data[..doc.data.len() / 2].into();
        assert!(!cut.fits(terms, surfaces), "a truncated analysis");
    }

    #[test]
    fn varints_round_trip() {
        let mut out = Vec::new();
        for v in [0, 1, 127, 128, 300, u32::MAX] {
            push_varint(&mut out, v);
        }
        let mut at = 0;
        let back: Vec<u32> = (0..6).map(|_| read_varint(&out, &mut at)).collect();
        assert_eq!(back, [0, 1, 127, 128, 300, u32::MAX]);
    }

    #[test]
    fn compact_entries_keep_large_term_gaps_and_counts() {
        let vocabulary = Vocabulary::default();
        // Ids far apart, so the delta varints take several bytes.
        for k in 0..20_000 {
            vocabulary.terms.intern(&format!("filler{k}"));
        }
        let body = "zebra ".repeat(300) + "apple zebra";
        let fields = field_texts("Apple", &[], &[], &[], "", &body);
        let doc = DocTerms::analyze(&fields, &vocabulary);
        let strings = vocabulary.terms.into_strings();
        let entries: Vec<(String, u8, u16)> =
            doc.entries().map(|e| (strings[e.term as usize].to_string(), e.field, e.tf)).collect();
        let mut expected =
            vec![("appl".to_string(), 0, 1), ("appl".into(), 4, 1), ("zebra".into(), 4, 301)];
        expected.sort_by_key(|(t, f, _)| (strings.iter().position(|s| &**s == t), *f));
        assert_eq!(entries, expected);
        assert_eq!(doc.entry_count(), 3);
        let zebra = doc.with_positions().find(|(e, _)| e.tf == 301).unwrap().1;
        assert_eq!(zebra.len(), 301);
        assert_eq!(zebra[300], 301, "the last zebra follows the apple");
        assert_eq!(doc.surfaces().count(), 2);
    }

    #[test]
    fn each_group_reads_back_exactly_its_own_stems_and_positions() {
        // Few words leave groups empty between used ones; many use nearly every group.
        for count in [2, 3, 5, 60] {
            let vocabulary = Vocabulary::default();
            let words: Vec<String> = (0..count).map(|k| format!("word{k}x")).collect();
            // Each word k occurs k % 3 + 1 times, in order, so its positions are known.
            let mut body = Vec::new();
            for (k, w) in words.iter().enumerate() {
                body.extend(std::iter::repeat_n(w.as_str(), k % 3 + 1));
            }
            let fields = field_texts("", &[], &[], &[], "", &body.join(" "));
            let doc = DocTerms::analyze(&fields, &vocabulary);
            let strings = vocabulary.terms.into_strings();
            let mut seen = Vec::new();
            let mut groups_used = std::collections::BTreeSet::new();
            for g in 0..GROUPS {
                for (e, bytes) in doc.group_position_bytes(g) {
                    let term = strings[e.term as usize].to_string();
                    assert_eq!(usize::from(group_of(&term)), g, "{term} read in group {g}");
                    let k = words.iter().position(|w| *w == term).unwrap();
                    let first = body.iter().position(|w| *w == term).unwrap() as u32;
                    let expected: Vec<u32> = (first..first + (k % 3 + 1) as u32).collect();
                    assert_eq!(decode_positions(bytes), expected, "{term}");
                    groups_used.insert(g);
                    seen.push(term);
                }
            }
            if count == 60 {
                assert!(groups_used.len() > 8, "the words fall into many groups: {groups_used:?}");
            }
            seen.sort();
            let mut all: Vec<String> = words.clone();
            all.sort();
            assert_eq!(seen, all, "{count} words");
            assert_eq!(doc.entries().count(), count);
            assert_eq!(doc.with_position_bytes().count(), count);
        }
    }

    #[test]
    fn analyzes_fields_into_terms_positions_and_lengths() {
        let vocabulary = Vocabulary::default();
        let fields = field_texts(
            "Certificate expired",
            &["tls".into()],
            &["edge".into()],
            &[],
            "The certificate expired.",
            "certificates expire; the certificate expired again",
        );
        let doc = DocTerms::analyze(&fields, &vocabulary);
        assert_eq!(doc.lengths, [2, 2, 0, 2, 5], "stop words are not counted");
        let strings = vocabulary.terms.into_strings();
        let body: Vec<(String, Vec<u32>)> = doc
            .with_positions()
            .filter(|(e, _)| e.field == 4)
            .map(|(e, p)| (strings[e.term as usize].to_string(), p))
            .collect();
        let certif = body.iter().find(|(t, _)| t == "certif").unwrap();
        assert_eq!(certif.1, [0, 3]);
        let surfaces = vocabulary.surfaces.into_strings();
        let mut words: Vec<&str> = doc.surfaces().map(|s| &*surfaces[s as usize]).collect();
        words.sort();
        assert_eq!(
            words,
            ["again", "certificate", "certificates", "edge", "expire", "expired", "tls"]
        );
    }
}
