//! The answer to a query from the tantivy index, as `hindsight search --json` prints it and
//! `serve`'s `/api/search` returns it: one shape for scripts, whichever front end they use.

use serde::Serialize;

use super::engine::{SortOrder, search};
use super::query::{Filters, Query, parse_query};
use super::snippet::{Snippet, snippet};
use super::tantivy_index::{StoredDoc, TantivySource};

/// Characters of the body considered for a result's snippet.
const SNIPPET_SOURCE_CHARS: usize = 4000;

/// One result.
#[derive(Debug, Serialize)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// BM25 score with the field boosts.
    pub score: f64,
    /// How many of the query's words it matches.
    pub words_matched: usize,
    /// The postmortem.
    #[serde(flatten)]
    pub doc: StoredDoc,
    /// The best passage, with the matched words' byte ranges.
    pub snippet: Snippet,
}

/// The analyzed query: what the words became, so both search front ends can be compared.
#[derive(Debug, Serialize)]
pub struct ParsedQuery {
    /// (term, word as typed, is a prefix) of each word.
    pub words: Vec<(String, String, bool)>,
    /// Quoted phrases, as terms.
    pub phrases: Vec<Vec<String>>,
    /// Excluded words and phrases, as terms.
    pub excluded: Vec<Vec<String>>,
    /// `tag:`, `service:`, `severity:` and `year:` filters.
    pub filters: Filters,
}

/// The whole answer.
#[derive(Debug, Serialize)]
pub struct Answer {
    /// The query as given.
    pub query: String,
    /// What it was analyzed into.
    pub parsed: ParsedQuery,
    /// Matching postmortems in all.
    pub total: usize,
    /// Index terms that matched (after synonyms, prefixes and typo tolerance).
    pub terms: Vec<String>,
    /// The first `limit` results.
    pub results: Vec<Hit>,
}

fn parsed(q: &Query) -> ParsedQuery {
    ParsedQuery {
        words: q.words.iter().map(|w| (w.term.clone(), w.surface.clone(), w.prefix)).collect(),
        phrases: q.phrases.iter().map(|p| p.terms.clone()).collect(),
        excluded: q.excluded.iter().map(|p| p.terms.clone()).collect(),
        filters: q.filters.clone(),
    }
}

/// Run `query_text` against `source`, keeping the first `limit` results with their snippets.
pub fn answer(
    source: &TantivySource,
    query_text: &str,
    limit: usize,
    sort: SortOrder,
) -> tantivy::Result<Answer> {
    let query = parse_query(query_text);
    let results = search(&query, source, sort);
    let mut hits = Vec::new();
    for (i, h) in results.hits.iter().take(limit).enumerate() {
        let doc = source.stored(h.doc)?;
        let mut text = doc.summary.clone();
        let body = doc.body.trim_start();
        let body: String = body
            .strip_prefix(doc.summary.as_str())
            .unwrap_or(body)
            .chars()
            .take(SNIPPET_SOURCE_CHARS)
            .collect();
        if !body.is_empty() {
            text.push_str(" … ");
            text.push_str(&body);
        }
        let snippet = snippet(&text, &results.terms);
        hits.push(Hit {
            rank: i + 1,
            score: h.score,
            words_matched: h.words_matched,
            doc,
            snippet,
        });
    }
    Ok(Answer {
        query: query_text.to_string(),
        parsed: parsed(&query),
        total: results.hits.len(),
        terms: results.terms,
        results: hits,
    })
}
