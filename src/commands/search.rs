//! `hindsight search`: the same search as the site's, from a terminal.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use hindsight::diagnostics::Mode;
use hindsight::search::engine::{SortOrder, search};
use hindsight::search::query::{Query, parse_query, synonym_table};
use hindsight::search::snippet::{Snippet, snippet};
use hindsight::search::tantivy_index::StoredDoc;
use serde::Serialize;

use super::{load_options, report};
use crate::cli::SearchArgs;

/// One result, as `--json` prints it.
#[derive(Serialize)]
struct JsonHit<'a> {
    rank: usize,
    score: f64,
    words_matched: usize,
    #[serde(flatten)]
    doc: &'a StoredDoc,
    snippet: &'a Snippet,
}

/// The whole answer, as `--json` prints it (and `serve`'s search API answers).
#[derive(Serialize)]
struct JsonAnswer<'a> {
    query: &'a str,
    parsed: JsonQuery<'a>,
    total: usize,
    terms: &'a [String],
    results: Vec<JsonHit<'a>>,
}

/// The analyzed query: what the words became, for checking both search front ends agree.
#[derive(Serialize)]
struct JsonQuery<'a> {
    words: Vec<(&'a str, &'a str, bool)>,
    phrases: Vec<&'a [String]>,
    excluded: Vec<&'a [String]>,
    filters: &'a hindsight::search::query::Filters,
}

fn json_query(q: &Query) -> JsonQuery<'_> {
    JsonQuery {
        words: q.words.iter().map(|w| (w.term.as_str(), w.surface.as_str(), w.prefix)).collect(),
        phrases: q.phrases.iter().map(|p| p.terms.as_slice()).collect(),
        excluded: q.excluded.iter().map(|p| p.terms.as_slice()).collect(),
        filters: &q.filters,
    }
}

/// Search; exit 1 when the knowledge base cannot be read.
pub(super) fn run(args: &SearchArgs) -> Result<ExitCode> {
    let site = args.site();
    let (_, query_text) = args.dir_and_query();
    let options = load_options(&site, Mode::Build, None)?;
    let (index, config) = match hindsight::open_search_index(&site.dir, &options) {
        Ok(pair) => pair,
        Err(failure) => {
            report(&failure.diagnostics, site.format, &failure.sources)?;
            return Ok(ExitCode::from(1));
        }
    };
    let source = index.source(synonym_table(&config.search.synonyms))?;
    let query = parse_query(query_text);
    let sort = if args.sort_by_date { SortOrder::Date } else { SortOrder::Relevance };
    let results = search(&query, &source, sort);
    let shown: Vec<_> = results.hits.iter().take(args.limit).collect();
    let docs: Vec<StoredDoc> =
        shown.iter().map(|h| source.stored(h.doc)).collect::<Result<_, _>>()?;
    let snippets: Vec<Snippet> = docs
        .iter()
        .map(|d| {
            let mut text = d.summary.clone();
            let body = d.body.trim_start();
            let body: String =
                body.strip_prefix(d.summary.as_str()).unwrap_or(body).chars().take(4000).collect();
            if !body.is_empty() {
                text.push_str(" … ");
                text.push_str(&body);
            }
            snippet(&text, &results.terms)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let answer = JsonAnswer {
            query: query_text,
            parsed: json_query(&query),
            total: results.hits.len(),
            terms: &results.terms,
            results: shown
                .iter()
                .zip(&docs)
                .zip(&snippets)
                .enumerate()
                .map(|(i, ((h, doc), snippet))| JsonHit {
                    rank: i + 1,
                    score: h.score,
                    words_matched: h.words_matched,
                    doc,
                    snippet,
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut out, &answer)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (bold, mark, dim, reset) =
        if color { ("\x1b[1m", "\x1b[1;33m", "\x1b[2m", "\x1b[0m") } else { ("", "", "", "") };
    if results.hits.is_empty() {
        writeln!(out, "No postmortem matches {:?}.", query_text)?;
        return Ok(ExitCode::SUCCESS);
    }
    for (i, (doc, snip)) in docs.iter().zip(&snippets).enumerate() {
        let severity = doc.severity.as_deref().map(|s| format!("[{s}] ")).unwrap_or_default();
        writeln!(
            out,
            "{}. {bold}{severity}{}{reset}  {dim}{}  {}{reset}",
            i + 1,
            doc.title,
            doc.date,
            doc.source
        )?;
        let mut text = String::new();
        let mut at = 0;
        for &(a, b) in &snip.highlights {
            text.push_str(&snip.text[at..a]);
            text.push_str(mark);
            text.push_str(&snip.text[a..b]);
            text.push_str(reset);
            at = b;
        }
        text.push_str(&snip.text[at..]);
        writeln!(out, "   {text}")?;
        writeln!(out, "   {dim}{}{reset}", doc.url)?;
    }
    writeln!(out, "{dim}{} of {} results{reset}", docs.len(), results.hits.len())?;
    Ok(ExitCode::SUCCESS)
}
