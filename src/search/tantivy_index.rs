//! The tantivy index behind `hindsight search` (and `serve`'s search API), kept in the
//! knowledge base's cache folder and updated incrementally: each build re-indexes only the
//! postmortems whose searchable content changed.
//!
//! The text fields are indexed from the analysis done while parsing (pre-tokenized), so the
//! terms are exactly those of the browser index. Queries are evaluated by [`super::engine`]
//! over tantivy's postings, positions and field norms ([`TantivySource`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{DocAddress, Index, IndexReader, Searcher, TantivyDocument, Term};
use xxhash_rust::xxh3::xxh3_128;

use super::document::{FIELDS, NUM_FIELDS, SearchVocabulary};
use super::engine::{Posting, Source, TermPostings, fieldnorm_id};
use super::query::Filters;
use crate::model::Site;
use crate::model::slug::slugify;

/// Bump when the schema or the analyzer changes: the index is then rebuilt from scratch.
const FORMAT: &str = "hindsight-search-4";
const TOKENIZER: &str = "hindsight-analyzed";

/// The tokenizer of the text fields. Documents arrive analyzed (the same analysis feeds the
/// browser index): a field's text is its terms in position order, separated by one space,
/// with one more space for each position a stop word kept. Plain text avoids tantivy's
/// pre-tokenized values, which travel to the indexing threads as JSON.
#[derive(Clone, Default)]
pub struct AnalyzedTokenizer {
    token: Token,
}

/// The token stream of [`AnalyzedTokenizer`].
pub struct AnalyzedTokenStream<'a> {
    pieces: std::str::Split<'a, char>,
    position: usize,
    token: &'a mut Token,
}

impl Tokenizer for AnalyzedTokenizer {
    type TokenStream<'a> = AnalyzedTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalyzedTokenStream<'a> {
        self.token.reset();
        AnalyzedTokenStream { pieces: text.split(' '), position: 0, token: &mut self.token }
    }
}

impl TokenStream for AnalyzedTokenStream<'_> {
    fn advance(&mut self) -> bool {
        for piece in self.pieces.by_ref() {
            let position = self.position;
            self.position += 1;
            if !piece.is_empty() {
                self.token.text.clear();
                self.token.text.push_str(piece);
                self.token.position = position;
                return true;
            }
        }
        false
    }
    fn token(&self) -> &Token {
        self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The text of `terms` (position, term), in increasing positions, for [`AnalyzedTokenizer`]:
/// piece `i` of the text split at spaces is the term at position `i`, or empty.
fn analyzed_text<'t>(terms: impl Iterator<Item = (u32, &'t str)>) -> String {
    let mut text = String::new();
    let mut next = 0;
    for (position, term) in terms {
        // Positions are unique in a field; a repeated one would take the next free slot.
        let position = position.max(next);
        for piece in next..=position {
            if piece > 0 {
                text.push(' ');
            }
        }
        text.push_str(term);
        next = position + 1;
    }
    text
}

/// The schema's fields.
#[derive(Clone, Copy)]
struct Fields {
    text: [Field; NUM_FIELDS],
    surface: Field,
    slug: Field,
    date: Field,
    lengths: [Field; NUM_FIELDS],
    tag: Field,
    service: Field,
    severity: Field,
    year: Field,
    title_stored: Field,
    summary_stored: Field,
    body_stored: Field,
    url: Field,
    source: Field,
    severity_name: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let surface_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let text = FIELDS.map(|name| b.add_text_field(name, text_options.clone()));
    let lengths = FIELDS.map(|name| b.add_u64_field(&format!("len_{name}"), FAST));
    let fields = Fields {
        text,
        surface: b.add_text_field("surface", surface_options),
        slug: b.add_text_field("slug", STRING | STORED | FAST),
        date: b.add_i64_field("date", FAST | STORED),
        lengths,
        tag: b.add_text_field("tag", STRING | FAST),
        service: b.add_text_field("service", STRING | FAST),
        severity: b.add_text_field("severity", STRING | FAST),
        year: b.add_i64_field("year", FAST),
        title_stored: b.add_text_field("title_text", STORED),
        summary_stored: b.add_text_field("summary_text", STORED),
        body_stored: b.add_text_field("body_text", STORED),
        url: b.add_text_field("url", STORED),
        source: b.add_text_field("source", STORED),
        severity_name: b.add_text_field("severity_name", STORED),
    };
    (b.build(), fields)
}

fn register(index: &Index) {
    index.tokenizers().register(TOKENIZER, AnalyzedTokenizer::default());
}

/// What an index update did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexUpdate {
    /// Postmortems (re-)indexed.
    pub indexed: usize,
    /// Postmortems removed.
    pub removed: usize,
    /// Postmortems unchanged.
    pub unchanged: usize,
}

fn state_path(dir: &Path) -> PathBuf {
    dir.join("hindsight-state.tsv")
}

/// The state of an index: the fingerprint of the sources it was built from, and each
/// postmortem's content hash.
struct State {
    fingerprint: u128,
    docs: HashMap<String, u128>,
}

/// Read the state file: a format line, a fingerprint line, then `slug \t hash` lines.
fn read_state(dir: &Path) -> Option<State> {
    let text = std::fs::read_to_string(state_path(dir)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != FORMAT {
        return None;
    }
    let fingerprint = u128::from_str_radix(lines.next()?, 16).ok()?;
    let docs = lines
        .map(|l| {
            let (slug, hash) = l.split_once('\t')?;
            Some((slug.to_string(), u128::from_str_radix(hash, 16).ok()?))
        })
        .collect::<Option<_>>()?;
    Some(State { fingerprint, docs })
}

/// Whether the index in `dir` was built from sources with `fingerprint`.
pub fn is_fresh(dir: &Path, fingerprint: u128) -> bool {
    read_state(dir).is_some_and(|s| s.fingerprint == fingerprint) && dir.join("meta.json").exists()
}

fn write_state(
    dir: &Path,
    fingerprint: u128,
    state: &HashMap<String, u128>,
) -> std::io::Result<()> {
    let mut rows: Vec<_> = state.iter().collect();
    rows.sort();
    let mut text = format!("{FORMAT}\n{fingerprint:032x}\n");
    for (slug, hash) in rows {
        text.push_str(&format!("{slug}\t{hash:032x}\n"));
    }
    let tmp = state_path(dir).with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, state_path(dir))
}

/// Bring the index in `dir` up to date with `site` (built from sources with `fingerprint`),
/// re-indexing only what changed.
pub fn update_index(
    dir: &Path,
    site: &Site,
    vocabulary: &SearchVocabulary,
    fingerprint: u128,
) -> tantivy::Result<IndexUpdate> {
    let (schema, fields) = schema();
    let previous =
        if dir.join("meta.json").exists() { read_state(dir).map(|s| s.docs) } else { None };
    let index = match previous {
        Some(_) => Index::open_in_dir(dir)?,
        None => {
            if dir.exists() {
                std::fs::remove_dir_all(dir)?;
            }
            std::fs::create_dir_all(dir)?;
            Index::create_in_dir(dir, schema)?
        }
    };
    register(&index);
    let previous = previous.unwrap_or_default();
    let hashes: Vec<u128> =
        site.incidents.iter().map(|i| content_hash(i, site)).collect::<std::io::Result<_>>()?;
    let mut update = IndexUpdate::default();
    let current: HashSet<&str> = site.incidents.iter().map(|i| i.slug.as_str()).collect();
    let changed: Vec<usize> = (0..site.incidents.len())
        .filter(|&i| previous.get(&site.incidents[i].slug) != Some(&hashes[i]))
        .collect();
    let removed: Vec<&String> = previous.keys().filter(|s| !current.contains::<str>(s)).collect();
    update.unchanged = site.incidents.len() - changed.len();
    let state: HashMap<String, u128> =
        site.incidents.iter().zip(&hashes).map(|(i, h)| (i.slug.clone(), *h)).collect();
    if changed.is_empty() && removed.is_empty() {
        write_state(dir, fingerprint, &state)?;
        return Ok(update);
    }
    // One indexing thread per core, fed from this thread (documents built in parallel would
    // only queue up in tantivy's channel: measured slower and 30 MB more at 10,000).
    let threads = rayon::current_num_threads().clamp(1, 4);
    // Each thread's arena: 48 MB, or about 3.4 KB per document the thread indexes when that is
    // more (up to 160 MB): a full arena becomes a segment, and at 100,000 postmortems 48 MB
    // arenas made so many segments that merging them took a third of the stage (10.5 s → 7.0 s
    // with 160 MB; the build's peak memory is set later, while pages are written).
    let arena = (changed.len().div_ceil(threads) * 3400).clamp(48 << 20, 160 << 20);
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(threads, threads * arena)?;
    for slug in &removed {
        writer.delete_term(Term::from_field_text(fields.slug, slug));
        update.removed += 1;
    }
    for &i in &changed {
        let incident = &site.incidents[i];
        if previous.contains_key(&incident.slug) {
            writer.delete_term(Term::from_field_text(fields.slug, &incident.slug));
        }
    }
    for &i in &changed {
        writer.add_document(document(&fields, site, i, vocabulary)?)?;
    }
    update.indexed += changed.len();
    writer.commit()?;
    writer.wait_merging_threads()?;
    write_state(dir, fingerprint, &state)?;
    Ok(update)
}

/// Everything indexed about an incident, hashed: a change re-indexes it.
fn content_hash(incident: &crate::model::Incident, site: &Site) -> std::io::Result<u128> {
    let body = incident.body_text().map_err(std::io::Error::other)?;
    let mut text = String::new();
    for part in [
        incident.slug.as_str(),
        incident.title.as_str(),
        incident.summary.as_str(),
        incident.source.as_str(),
        body.as_str(),
        incident.severity.as_ref().map_or("", |s| s.name.as_str()),
        &incident.tags.join("\u{1}"),
        &incident.services.join("\u{1}"),
        &incident.lessons.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\u{1}"),
        &crate::model::dates::format_rfc3339(incident.date(), false),
        &site.config.base_url,
    ] {
        text.push_str(part);
        text.push('\0');
    }
    Ok(xxh3_128(text.as_bytes()))
}

fn document(
    fields: &Fields,
    site: &Site,
    i: usize,
    vocabulary: &SearchVocabulary,
) -> std::io::Result<TantivyDocument> {
    let incident = &site.incidents[i];
    let mut doc = TantivyDocument::new();
    let mut tokens: [Vec<(u32, u32)>; NUM_FIELDS] = Default::default();
    for (entry, positions) in incident.search.with_positions() {
        tokens[usize::from(entry.field)].extend(positions.into_iter().map(|p| (p, entry.term)));
    }
    for (f, mut list) in tokens.into_iter().enumerate() {
        list.sort_unstable();
        let text = analyzed_text(list.iter().map(|&(p, t)| (p, &*vocabulary.terms[t as usize])));
        doc.add_text(fields.text[f], text);
        doc.add_u64(fields.lengths[f], u64::from(incident.search.lengths[f]));
    }
    let surfaces = incident.search.surfaces().enumerate();
    let surfaces =
        analyzed_text(surfaces.map(|(k, s)| (k as u32, &*vocabulary.surfaces[s as usize])));
    doc.add_text(fields.surface, surfaces);
    doc.add_text(fields.slug, &incident.slug);
    doc.add_i64(fields.date, incident.date().unix_timestamp());
    for tag in &incident.tags {
        doc.add_text(fields.tag, slugify(tag));
    }
    for service in &incident.services {
        doc.add_text(fields.service, slugify(service));
    }
    if let Some(s) = &incident.severity {
        doc.add_text(fields.severity, slugify(&s.name));
        doc.add_text(fields.severity_name, &s.name);
    }
    doc.add_i64(fields.year, i64::from(incident.year()));
    doc.add_text(fields.title_stored, &incident.title);
    doc.add_text(fields.summary_stored, &incident.summary);
    doc.add_text(fields.body_stored, incident.body_text().map_err(std::io::Error::other)?);
    doc.add_text(
        fields.url,
        format!(
            "{}{}",
            crate::model::base_url::with_trailing_slash(&site.config.base_url),
            incident.url_path()
        ),
    );
    doc.add_text(fields.source, &incident.source);
    Ok(doc)
}

/// An opened index, ready for queries.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
}

/// Open the index in `dir`.
pub fn open_index(dir: &Path) -> tantivy::Result<SearchIndex> {
    if read_state(dir).is_none() {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "no search index in {}",
            dir.display()
        )));
    }
    let index = Index::open_in_dir(dir)?;
    register(&index);
    let (_, fields) = schema();
    Ok(SearchIndex { reader: index.reader()?, fields })
}

/// A stored postmortem, for printing results.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredDoc {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Severity, when rated.
    pub severity: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Absolute URL of the page.
    pub url: String,
    /// Source file, relative to the root.
    pub source: String,
    /// Summary.
    pub summary: String,
    /// Body text.
    #[serde(skip)]
    pub body: String,
}

/// Presentation order, synonyms and facets of an open index, evaluated by the engine.
pub struct TantivySource {
    searcher: Searcher,
    fields: Fields,
    /// By rank (presentation order): (segment ordinal, doc id).
    docs: Vec<(u32, u32)>,
    /// (segment ordinal, doc id) → rank.
    ranks: HashMap<(u32, u32), u32>,
    avg: [f64; NUM_FIELDS],
    synonyms: Vec<Vec<String>>,
    facets: std::sync::OnceLock<Vec<DocFacets>>,
}

#[derive(Default)]
struct DocFacets {
    tags: Vec<String>,
    services: Vec<String>,
    severity: Option<String>,
    year: i64,
}

fn strings(column: &Option<tantivy::columnar::StrColumn>, doc: u32) -> Vec<String> {
    let Some(column) = column else { return Vec::new() };
    column
        .term_ords(doc)
        .filter_map(|ord| {
            let mut s = String::new();
            column.ord_to_str(ord, &mut s).ok().filter(|found| *found).map(|_| s)
        })
        .collect()
}

impl SearchIndex {
    /// A source for the engine over the current contents.
    pub fn source(&self, synonyms: Vec<Vec<String>>) -> tantivy::Result<TantivySource> {
        let searcher = self.reader.searcher();
        let mut rows: Vec<(i64, String, u32, u32)> = Vec::new();
        let mut totals = [0u64; NUM_FIELDS];
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let dates = seg.fast_fields().i64("date")?;
            let slugs = seg.fast_fields().str("slug")?;
            let lengths: Vec<_> = FIELDS
                .iter()
                .map(|f| seg.fast_fields().u64(&format!("len_{f}")))
                .collect::<Result<_, _>>()?;
            for doc in 0..seg.max_doc() {
                if seg.alive_bitset().is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                let slug = strings(&slugs, doc).into_iter().next().unwrap_or_default();
                rows.push((dates.first(doc).unwrap_or(0), slug, ord as u32, doc));
                for (f, col) in lengths.iter().enumerate() {
                    totals[f] += col.first(doc).unwrap_or(0);
                }
            }
        }
        // Newest first, then by slug: the same order as the site and the browser index.
        rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let n = rows.len().max(1) as f64;
        let docs: Vec<(u32, u32)> = rows.iter().map(|r| (r.2, r.3)).collect();
        let ranks = docs.iter().enumerate().map(|(rank, &key)| (key, rank as u32)).collect();
        Ok(TantivySource {
            searcher,
            fields: self.fields,
            docs,
            ranks,
            avg: totals.map(|t| t as f64 / n),
            synonyms,
            facets: std::sync::OnceLock::new(),
        })
    }
}

impl TantivySource {
    /// The stored fields of the postmortem at `rank`.
    pub fn stored(&self, rank: u32) -> tantivy::Result<StoredDoc> {
        let (seg, doc) = self.docs[rank as usize];
        let d: TantivyDocument = self.searcher.doc(DocAddress::new(seg, doc))?;
        let text =
            |f: Field| d.get_first(f).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let date = d.get_first(self.fields.date).and_then(|v| v.as_i64()).unwrap_or(0);
        let date = time::OffsetDateTime::from_unix_timestamp(date)
            .map(|d| crate::model::dates::format_date(d.date()))
            .unwrap_or_default();
        Ok(StoredDoc {
            slug: text(self.fields.slug),
            title: text(self.fields.title_stored),
            severity: Some(text(self.fields.severity_name)).filter(|s| !s.is_empty()),
            date,
            url: text(self.fields.url),
            source: text(self.fields.source),
            summary: text(self.fields.summary_stored),
            body: text(self.fields.body_stored),
        })
    }

    fn facets(&self) -> &[DocFacets] {
        self.facets.get_or_init(|| {
            let mut out: Vec<DocFacets> =
                (0..self.docs.len()).map(|_| DocFacets::default()).collect();
            for (ord, seg) in self.searcher.segment_readers().iter().enumerate() {
                let ff = seg.fast_fields();
                let (tags, services, severity) = (
                    ff.str("tag").ok().flatten(),
                    ff.str("service").ok().flatten(),
                    ff.str("severity").ok().flatten(),
                );
                let years = ff.i64("year").ok();
                for doc in 0..seg.max_doc() {
                    let Some(&rank) = self.ranks.get(&(ord as u32, doc)) else { continue };
                    out[rank as usize] = DocFacets {
                        tags: strings(&tags.clone(), doc),
                        services: strings(&services.clone(), doc),
                        severity: strings(&severity.clone(), doc).into_iter().next(),
                        year: years.as_ref().and_then(|y| y.first(doc)).unwrap_or(0),
                    };
                }
            }
            out
        })
    }

    fn read(
        &self,
        field: Field,
        term: &str,
        option: IndexRecordOption,
        mut each: impl FnMut(u32, &mut tantivy::postings::SegmentPostings),
    ) {
        use tantivy::DocSet;
        let t = Term::from_field_text(field, term);
        for (ord, seg) in self.searcher.segment_readers().iter().enumerate() {
            let Ok(inverted) = seg.inverted_index(field) else { continue };
            let Ok(Some(mut postings)) = inverted.read_postings(&t, option) else { continue };
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if let Some(&rank) = self.ranks.get(&(ord as u32, doc)) {
                    each(rank, &mut postings);
                }
                doc = postings.advance();
            }
        }
    }

    fn surfaces_in(
        &self,
        ge: &str,
        lt: Option<&str>,
        mut keep: impl FnMut(&str) -> bool,
    ) -> Vec<(String, u32)> {
        let mut found: Vec<String> = Vec::new();
        for seg in self.searcher.segment_readers() {
            let Ok(inverted) = seg.inverted_index(self.fields.surface) else { continue };
            let mut range = inverted.terms().range().ge(ge.as_bytes());
            if let Some(lt) = lt {
                range = range.lt(lt.as_bytes());
            }
            let Ok(mut stream) = range.into_stream() else { continue };
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key())
                    && keep(word)
                    && !found.iter().any(|f| f == word)
                {
                    found.push(word.to_string());
                }
            }
        }
        found
            .into_iter()
            .map(|word| {
                let mut df = 0;
                self.read(self.fields.surface, &word, IndexRecordOption::Basic, |_, _| df += 1);
                (word, df)
            })
            .filter(|(_, df)| *df > 0)
            .collect()
    }
}

/// The smallest string greater than every string starting with `prefix`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

impl Source for TantivySource {
    fn num_docs(&self) -> u32 {
        self.docs.len() as u32
    }

    fn avg_lengths(&self) -> [f64; NUM_FIELDS] {
        self.avg
    }

    fn postings(&self, term: &str) -> TermPostings {
        use tantivy::DocSet;
        use tantivy::postings::Postings;
        let mut out = TermPostings::default();
        for (f, &field) in self.fields.text.iter().enumerate() {
            let t = Term::from_field_text(field, term);
            for (ord, seg) in self.searcher.segment_readers().iter().enumerate() {
                let (Ok(inverted), Ok(norms)) =
                    (seg.inverted_index(field), seg.get_fieldnorms_reader(field))
                else {
                    continue;
                };
                let Ok(Some(mut postings)) =
                    inverted.read_postings(&t, IndexRecordOption::WithFreqs)
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != tantivy::TERMINATED {
                    if let Some(&rank) = self.ranks.get(&(ord as u32, doc)) {
                        out.df[f] += 1;
                        out.postings.push(Posting {
                            doc: rank,
                            field: f as u8,
                            tf: postings.term_freq(),
                            norm: norms.fieldnorm_id(doc),
                        });
                    }
                    doc = postings.advance();
                }
            }
        }
        out.postings.sort_by_key(|p| (p.doc, p.field));
        out
    }

    fn positions(&self, term: &str, doc: u32, field: u8) -> Vec<u32> {
        use tantivy::postings::Postings;
        let mut out = Vec::new();
        self.read(
            self.fields.text[usize::from(field)],
            term,
            IndexRecordOption::WithFreqsAndPositions,
            |rank, postings| {
                if rank == doc {
                    postings.positions(&mut out);
                }
            },
        );
        out
    }

    fn prefix_surfaces(&self, prefix: &str) -> Vec<(String, u32)> {
        self.surfaces_in(prefix, Some(&prefix_end(prefix)), |w| w.starts_with(prefix))
    }

    fn typo_candidates(&self, word: &str) -> Vec<(String, u32)> {
        let len = word.chars().count();
        self.surfaces_in("", None, |w| {
            w.chars().count().abs_diff(len) <= 1 && super::engine::within_one_edit(w, word)
        })
    }

    fn passes(&self, doc: u32, filters: &Filters) -> bool {
        if filters.is_empty() {
            return true;
        }
        let f = &self.facets()[doc as usize];
        let any = |wanted: &[String], have: &[String]| {
            wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
        };
        any(&filters.tags, &f.tags)
            && any(&filters.services, &f.services)
            && (filters.severities.is_empty()
                || f.severity.as_ref().is_some_and(|s| filters.severities.contains(s)))
            && (filters.years.is_empty() || filters.years.iter().any(|y| i64::from(*y) == f.year))
    }

    fn synonyms(&self) -> &[Vec<String>] {
        &self.synonyms
    }
}

/// tantivy's field norm id of a length (re-exported for the browser index).
pub fn norm_of(length: u32) -> u8 {
    fieldnorm_id(length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyzed_text_keeps_every_position() {
        let terms = [(1, "outag"), (2, "dns"), (5, "resolv"), (6, "时间")];
        let text = analyzed_text(terms.iter().copied());
        let mut tokenizer = AnalyzedTokenizer::default();
        let mut stream = tokenizer.token_stream(&text);
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push((stream.token().position as u32, stream.token().text.clone()));
        }
        let expected: Vec<(u32, String)> = terms.iter().map(|&(p, t)| (p, t.to_string())).collect();
        assert_eq!(seen, expected, "{text:?}");
        assert_eq!(analyzed_text(std::iter::empty()), "");
    }
}
