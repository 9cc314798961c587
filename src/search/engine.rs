//! Query evaluation: the reference implementation of hindsight's ranking. `search.js` in the
//! theme implements the same steps over the static index, and golden tests check that both
//! return the same top results for the same query.
//!
//! Scoring is BM25 exactly as tantivy computes it (k1 = 1.2, b = 0.75, one-byte field norms,
//! idf = ln(1 + (N − df + 0.5) / (df + 0.5))), per field, times the field's boost. A word's
//! score in a postmortem is the best of its alternatives (the word itself, synonyms, prefix
//! completions, typo corrections), each weighted; a postmortem's score is the sum over words
//! and phrases. Scores are compared rounded to 1e-6, so the last-bit differences between two
//! floating-point libraries never reorder results; ties go to the newer postmortem.

use std::collections::{HashMap, HashSet};

use super::analyzer::term_of_folded;
use super::document::{BOOSTS, NUM_FIELDS};
use super::query::{
    FALLBACK_BELOW, Filters, Phrase, Query, SynonymSpan, Word, synonym_spans, synonyms_of,
};

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weight of a synonym, a prefix completion and a typo correction against the word itself.
pub const SYNONYM_WEIGHT: f64 = 0.9;
/// See [`SYNONYM_WEIGHT`].
pub const PREFIX_WEIGHT: f64 = 0.9;
/// See [`SYNONYM_WEIGHT`].
pub const TYPO_WEIGHT: f64 = 0.7;
/// Most prefix completions of the word being typed.
pub const MAX_PREFIX_TERMS: usize = 10;
/// Most typo corrections of a word.
pub const MAX_TYPO_TERMS: usize = 5;
/// Shortest word (in characters) completed as a prefix.
pub const MIN_PREFIX_CHARS: usize = 3;
/// Shortest word (in characters) corrected for a typo.
pub const MIN_TYPO_CHARS: usize = 5;

/// One posting: a term in one field of one postmortem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Posting {
    /// Postmortem, in presentation order (newest first).
    pub doc: u32,
    /// Field index.
    pub field: u8,
    /// Occurrences.
    pub tf: u32,
    /// tantivy's one-byte field norm id of the field's length.
    pub norm: u8,
}

/// A term's postings, sorted by (doc, field), and its document frequency per field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TermPostings {
    /// Documents having the term, per field.
    pub df: [u32; NUM_FIELDS],
    /// The postings.
    pub postings: Vec<Posting>,
}

/// What the engine needs from an index.
pub trait Source {
    /// Number of postmortems.
    fn num_docs(&self) -> u32;
    /// Average field length (tokens) per field.
    fn avg_lengths(&self) -> [f64; NUM_FIELDS];
    /// A term's postings.
    fn postings(&self, term: &str) -> TermPostings;
    /// Positions of `term` in `field` of `doc`.
    fn positions(&self, term: &str, doc: u32, field: u8) -> Vec<u32>;
    /// Every surface word starting with `prefix`, with its document frequency.
    fn prefix_surfaces(&self, prefix: &str) -> Vec<(String, u32)>;
    /// Surface words that may be one edit away from `word` (a superset is fine: the engine
    /// checks the distance), with their document frequency.
    fn typo_candidates(&self, word: &str) -> Vec<(String, u32)>;
    /// Whether `doc` passes `filters`.
    fn passes(&self, doc: u32, filters: &Filters) -> bool;
    /// The synonym groups in use.
    fn synonyms(&self) -> &[Vec<String>];
}

/// `fieldnorm id → fieldnorm`, tantivy's (and Lucene's) table.
pub fn fieldnorm_of(id: u8) -> u32 {
    tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(id)
}

/// tantivy's one-byte id of a field length.
pub fn fieldnorm_id(length: u32) -> u8 {
    tantivy::fieldnorm::FieldNormReader::constant(1, length).fieldnorm_id(0)
}

/// BM25 of one term in one field of one document.
pub fn bm25(tf: u32, norm: u8, df: u32, n: u32, avg: f64) -> f64 {
    let idf = (1.0 + (f64::from(n) - f64::from(df) + 0.5) / (f64::from(df) + 0.5)).ln();
    let tf = f64::from(tf);
    let length = f64::from(fieldnorm_of(norm));
    idf * (tf * (K1 + 1.0)) / (tf + K1 * (1.0 - B + B * length / avg.max(1e-9)))
}

/// Damerau–Levenshtein distance of at most one (one insertion, deletion, substitution, or
/// transposition of neighbours).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a == b {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        let rest = prefix + 1;
        // substitution, or transposition of the differing pair
        short[rest..] == long[rest..]
            || (rest < short.len()
                && short[prefix] == long[prefix + 1]
                && short[prefix + 1] == long[prefix]
                && short[prefix + 2..] == long[prefix + 2..])
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// An alternative way to match a word.
#[derive(Clone, Debug, PartialEq)]
pub struct Alternative {
    /// The terms (one for a term, several for a phrase).
    pub phrase: Phrase,
    /// Weight against the word itself.
    pub weight: f64,
}

/// A result.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Postmortem, in presentation order.
    pub doc: u32,
    /// Score.
    pub score: f64,
    /// How many of the query's words it matches.
    pub words_matched: usize,
}

/// How to order results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Best first.
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// The results of a query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results {
    /// Hits in order.
    pub hits: Vec<Hit>,
    /// Every term that can match, for highlighting.
    pub terms: Vec<String>,
}

fn single(term: &str) -> Phrase {
    Phrase { terms: vec![term.to_string()], gaps: vec![0] }
}

/// The alternatives of `word`, in a fixed order: itself, synonyms, prefix completions, typo
/// corrections.
pub fn alternatives(
    word: &Word,
    source: &dyn Source,
    cache: &mut PostingCache,
) -> Vec<Alternative> {
    let mut out = vec![Alternative { phrase: single(&word.term), weight: 1.0 }];
    let push = |out: &mut Vec<Alternative>, phrase: Phrase, weight: f64| {
        if !out.iter().any(|a| a.phrase == phrase) {
            out.push(Alternative { phrase, weight });
        }
    };
    for phrase in synonyms_of(word, source.synonyms()) {
        push(&mut out, phrase, SYNONYM_WEIGHT);
    }
    if word.prefix && word.surface.chars().count() >= MIN_PREFIX_CHARS {
        for term in
            ranked_stems(source.prefix_surfaces(&word.surface), MAX_PREFIX_TERMS, &word.term)
        {
            push(&mut out, single(&term), PREFIX_WEIGHT);
        }
    }
    let matched = out
        .iter()
        .any(|a| a.phrase.terms.iter().all(|t| !cache.get(t, source).postings.is_empty()));
    if !matched && word.surface.chars().count() >= MIN_TYPO_CHARS {
        let candidates: Vec<(String, u32)> = source
            .typo_candidates(&word.surface)
            .into_iter()
            .filter(|(s, _)| {
                s.chars().count() >= MIN_TYPO_CHARS - 1 && within_one_edit(s, &word.surface)
            })
            .collect();
        for term in ranked_stems(candidates, MAX_TYPO_TERMS, &word.term) {
            push(&mut out, single(&term), TYPO_WEIGHT);
        }
    }
    out
}

/// Surface words ranked by (document frequency desc, word asc), as distinct stems other than
/// `except`, at most `limit`.
fn ranked_stems(mut surfaces: Vec<(String, u32)>, limit: usize, except: &str) -> Vec<String> {
    surfaces.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut stems: Vec<String> = Vec::new();
    for (surface, _) in surfaces {
        if let Some(stem) = term_of_folded(&surface)
            && stem != except
            && !stems.contains(&stem)
        {
            stems.push(stem);
            if stems.len() == limit {
                break;
            }
        }
    }
    stems
}

/// Postings read so far in one query.
#[derive(Default)]
pub struct PostingCache {
    terms: HashMap<String, TermPostings>,
}

impl PostingCache {
    /// The postings of `term`.
    pub fn get(&mut self, term: &str, source: &dyn Source) -> &TermPostings {
        self.terms.entry(term.to_string()).or_insert_with(|| source.postings(term))
    }
}

/// Per-document score of one term: Σ over fields (in order) of boost × BM25.
fn term_scores(
    term: &str,
    source: &dyn Source,
    cache: &mut PostingCache,
    n: u32,
    avg: &[f64; NUM_FIELDS],
) -> Vec<(u32, f64)> {
    let tp = cache.get(term, source);
    let mut out: Vec<(u32, f64)> = Vec::new();
    for p in &tp.postings {
        let f = usize::from(p.field);
        let s = BOOSTS[f] * bm25(p.tf, p.norm, tp.df[f], n, avg[f]);
        match out.last_mut() {
            Some((doc, total)) if *doc == p.doc => *total += s,
            _ => out.push((p.doc, s)),
        }
    }
    out
}

/// Documents where `phrase` occurs, with the summed scores of its terms.
fn phrase_scores(
    phrase: &Phrase,
    source: &dyn Source,
    cache: &mut PostingCache,
    n: u32,
    avg: &[f64; NUM_FIELDS],
) -> Vec<(u32, f64)> {
    let per_term: Vec<Vec<(u32, f64)>> =
        phrase.terms.iter().map(|t| term_scores(t, source, cache, n, avg)).collect();
    if phrase.terms.len() == 1 {
        return per_term.into_iter().next().unwrap_or_default();
    }
    let mut docs: Vec<u32> = per_term[0].iter().map(|(d, _)| *d).collect();
    for list in &per_term[1..] {
        let set: HashSet<u32> = list.iter().map(|(d, _)| *d).collect();
        docs.retain(|d| set.contains(d));
    }
    let mut out = Vec::new();
    for doc in docs {
        let occurs = (0..NUM_FIELDS as u8).any(|field| {
            let first = source.positions(&phrase.terms[0], doc, field);
            let rest: Vec<Vec<u32>> =
                phrase.terms[1..].iter().map(|t| source.positions(t, doc, field)).collect();
            first.iter().any(|&p| {
                rest.iter().zip(&phrase.gaps[1..]).all(|(list, gap)| list.contains(&(p + gap)))
            })
        });
        if occurs {
            let score: f64 = per_term
                .iter()
                .map(|list| list.iter().find(|(d, _)| *d == doc).map_or(0.0, |(_, s)| *s))
                .sum();
            out.push((doc, score));
        }
    }
    out
}

/// Round a score for comparison (see the module documentation).
pub fn score_key(score: f64) -> i64 {
    (score * 1e6).round() as i64
}

/// A postmortem's summed score over the query's words and how many words it matches. The
/// words of a synonym span count as matched together when the postmortem has one of the
/// span's alternatives and not more of the words themselves (or as many, scoring less).
fn word_scores(
    doc: u32,
    word_maps: &[HashMap<u32, f64>],
    spans: &[SynonymSpan],
    span_maps: &[HashMap<u32, f64>],
) -> (f64, usize) {
    let (mut score, mut matched) = (0.0, 0);
    let mut w = 0;
    let mut next_span = spans.iter().zip(span_maps).peekable();
    while w < word_maps.len() {
        let len = match next_span.peek() {
            Some((span, _)) if span.start == w => span.len,
            _ => 1,
        };
        let (mut s, mut k) = (0.0, 0);
        for m in &word_maps[w..w + len] {
            if let Some(x) = m.get(&doc) {
                s += x;
                k += 1;
            }
        }
        if len > 1
            && let Some((_, m)) = next_span.next()
            && let Some(&alt) = m.get(&doc)
            && (len > k || alt > s)
        {
            (s, k) = (alt, len);
        }
        score += s;
        matched += k;
        w += len;
    }
    (score, matched)
}

/// Evaluate `query`.
pub fn search(query: &Query, source: &dyn Source, sort: SortOrder) -> Results {
    let n = source.num_docs();
    let avg = source.avg_lengths();
    let mut cache = PostingCache::default();
    let mut terms: Vec<String> = Vec::new();
    let mut word_maps: Vec<HashMap<u32, f64>> = Vec::new();
    for word in &query.words {
        let mut best: HashMap<u32, f64> = HashMap::new();
        for alt in alternatives(word, source, &mut cache) {
            for t in &alt.phrase.terms {
                if !terms.contains(t) {
                    terms.push(t.clone());
                }
            }
            for (doc, s) in phrase_scores(&alt.phrase, source, &mut cache, n, &avg) {
                let s = s * alt.weight;
                let e = best.entry(doc).or_insert(s);
                if s > *e {
                    *e = s;
                }
            }
        }
        word_maps.push(best);
    }
    // Words spelling a multi-word synonym (`fat finger`) also match, together, as one of
    // the group's other members (`typo`).
    let spans = synonym_spans(&query.words, source.synonyms());
    let span_maps: Vec<HashMap<u32, f64>> = spans
        .iter()
        .map(|span| {
            let mut best: HashMap<u32, f64> = HashMap::new();
            for phrase in &span.alternatives {
                for t in &phrase.terms {
                    if !terms.contains(t) {
                        terms.push(t.clone());
                    }
                }
                for (doc, s) in phrase_scores(phrase, source, &mut cache, n, &avg) {
                    let s = s * SYNONYM_WEIGHT;
                    let e = best.entry(doc).or_insert(s);
                    if s > *e {
                        *e = s;
                    }
                }
            }
            best
        })
        .collect();
    let phrase_maps: Vec<HashMap<u32, f64>> = query
        .phrases
        .iter()
        .map(|p| {
            for t in &p.terms {
                if !terms.contains(t) {
                    terms.push(t.clone());
                }
            }
            phrase_scores(p, source, &mut cache, n, &avg).into_iter().collect()
        })
        .collect();
    let excluded: HashSet<u32> = query
        .excluded
        .iter()
        .flat_map(|p| phrase_scores(p, source, &mut cache, n, &avg))
        .map(|(d, _)| d)
        .collect();
    let mut candidates: Vec<u32> = if !word_maps.is_empty() {
        word_maps
            .iter()
            .chain(&span_maps)
            .flat_map(|m| m.keys().copied())
            .collect::<HashSet<u32>>()
            .into_iter()
            .collect()
    } else if !phrase_maps.is_empty() {
        phrase_maps[0].keys().copied().collect()
    } else if !query.filters.is_empty() {
        (0..n).collect()
    } else {
        Vec::new()
    };
    candidates.sort_unstable();
    let words = word_maps.len();
    let mut full = Vec::new();
    let mut partial = Vec::new();
    for doc in candidates {
        if excluded.contains(&doc)
            || !phrase_maps.iter().all(|m| m.contains_key(&doc))
            || !source.passes(doc, &query.filters)
        {
            continue;
        }
        let (mut score, matched) = word_scores(doc, &word_maps, &spans, &span_maps);
        for m in &phrase_maps {
            score += m[&doc];
        }
        let hit = Hit { doc, score, words_matched: matched };
        if matched == words {
            full.push(hit);
        } else {
            partial.push(hit);
        }
    }
    let mut hits = full;
    if hits.len() < FALLBACK_BELOW && words >= 2 {
        let needed = words.div_ceil(2);
        hits.extend(partial.into_iter().filter(|h| h.words_matched >= needed));
    }
    match sort {
        SortOrder::Relevance => hits.sort_by(|a, b| {
            (b.words_matched == words)
                .cmp(&(a.words_matched == words))
                .then(b.words_matched.cmp(&a.words_matched))
                .then(score_key(b.score).cmp(&score_key(a.score)))
                .then(a.doc.cmp(&b.doc))
        }),
        SortOrder::Date => hits.sort_by_key(|h| h.doc),
    }
    Results { hits, terms }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit() {
        for (a, b) in [
            ("certificate", "certficate"),
            ("expired", "exipred"),
            ("kafka", "kafkas"),
            ("outage", "outsge"),
            ("dns", "dnss"),
        ] {
            assert!(within_one_edit(a, b), "{a} {b}");
            assert!(within_one_edit(b, a), "{b} {a}");
        }
        for (a, b) in
            [("same", "same"), ("certificate", "crtficate"), ("abc", "cab"), ("kafka", "kafkaaa")]
        {
            assert!(!within_one_edit(a, b), "{a} {b}");
        }
    }

    #[test]
    fn bm25_matches_tantivy() {
        // tantivy: idf(1 of 10) = ln(1 + 9.5/1.5); tf part with fieldnorm 10, average 10 = 2.2/2.2.
        let expected = (1.0f64 + 9.5 / 1.5).ln() * (1.0 * 2.2) / (1.0 + 1.2);
        assert!((bm25(1, fieldnorm_id(10), 1, 10, 10.0) - expected).abs() < 1e-12);
        assert_eq!(fieldnorm_of(fieldnorm_id(40)), 40);
        assert_eq!(fieldnorm_of(fieldnorm_id(41)), 40, "lengths are quantized like tantivy's");
    }
}
