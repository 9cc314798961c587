//! `hindsight search`: the same search as the site's, from a terminal.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use hindsight::diagnostics::Mode;
use hindsight::search::answer::answer;
use hindsight::search::engine::SortOrder;
use hindsight::search::query::synonym_table;

use super::{load_options, report};
use crate::cli::SearchArgs;

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
    let sort = if args.sort_by_date { SortOrder::Date } else { SortOrder::Relevance };
    let found = answer(&source, query_text, args.limit, sort)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &found)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (bold, mark, dim, reset) =
        if color { ("\x1b[1m", "\x1b[1;33m", "\x1b[2m", "\x1b[0m") } else { ("", "", "", "") };
    if found.results.is_empty() {
        writeln!(out, "No postmortem matches {:?}.", query_text)?;
        return Ok(ExitCode::SUCCESS);
    }
    for hit in &found.results {
        let doc = &hit.doc;
        let severity = doc.severity.as_deref().map(|s| format!("[{s}] ")).unwrap_or_default();
        writeln!(
            out,
            "{}. {bold}{severity}{}{reset}  {dim}{}  {}{reset}",
            hit.rank, doc.title, doc.date, doc.source
        )?;
        let snip = &hit.snippet;
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
    writeln!(out, "{dim}{} of {} results{reset}", found.results.len(), found.total)?;
    Ok(ExitCode::SUCCESS)
}
