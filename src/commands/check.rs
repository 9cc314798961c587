//! `hindsight check`: validate without writing.

use std::path::{Component, Path};
use std::process::ExitCode;

use anyhow::{Result, bail};
use hindsight::diagnostics::report::Format;
use hindsight::diagnostics::sort_diagnostics;
use hindsight::diagnostics::{Code, Mode, count};
use hindsight::lint::review::ReviewItem;
use hindsight::{Review, load_site, output_collisions, review_postmortem};

use super::{load_options, report, summary};
use crate::cli::CheckArgs;

/// Validate; exit 1 on errors (or on warnings with `--strict`).
pub(super) fn run(args: &CheckArgs) -> Result<ExitCode> {
    let options = load_options(&args.site, Mode::Check, None)?;
    if let Some(file) = &args.review {
        let rel = relative_to_root(&args.site.dir, file)?;
        let review = match review_postmortem(&args.site.dir, &options, &rel) {
            Ok(review) => review,
            Err(failure) => {
                report(&failure.diagnostics, args.site.format, &failure.sources)?;
                return Ok(ExitCode::from(1));
            }
        };
        return print_review(&review, args);
    }
    let (diagnostics, sources) = match load_site(&args.site.dir, &options) {
        Ok(loaded) => {
            let collisions = output_collisions(&args.site.dir, &loaded, Mode::Check);
            let mut diagnostics = loaded.diagnostics;
            diagnostics.extend(collisions);
            sort_diagnostics(&mut diagnostics);
            (diagnostics, loaded.sources)
        }
        Err(failure) => (failure.diagnostics, failure.sources),
    };
    report(&diagnostics, args.site.format, &sources)?;
    let (errors, warnings) = count(&diagnostics);
    if diagnostics.is_empty() {
        eprintln!("No problems found.");
    } else {
        eprintln!("{}.", summary(&diagnostics));
    }
    let overdue = diagnostics.iter().filter(|d| d.code == Code::OverdueAction).count();
    if args.fail_on_overdue && overdue > 0 {
        eprintln!(
            "{overdue} overdue action item{} (--fail-on-overdue).",
            if overdue == 1 { "" } else { "s" }
        );
    }
    let failed =
        errors > 0 || (args.strict && warnings > 0) || (args.fail_on_overdue && overdue > 0);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The findings, then the checklist: as text on a terminal, as one JSON object with
/// `--format json`.
fn print_review(review: &Review, args: &CheckArgs) -> Result<ExitCode> {
    let items: &[ReviewItem] = review.checklist.as_deref().unwrap_or_default();
    let done = items.iter().filter(|i| i.done).count();
    if args.site.format == Format::Json {
        let object = serde_json::json!({
            "file": review.file,
            "status": review.status.map(|s| s.as_str()),
            "findings": review.findings.iter().map(hindsight::diagnostics::report::json_finding).collect::<Vec<_>>(),
            "checklist": items,
        });
        println!("{}", serde_json::to_string_pretty(&object)?);
    } else {
        report(&review.findings, args.site.format, &review.sources)?;
        let mut text = format!("\nReview of {}", review.file);
        if let Some(status) = review.status {
            text.push_str(&format!(" ({})", status.as_str()));
        }
        text.push('\n');
        if items.is_empty() {
            text.push_str(
                "  The checklist needs the front matter to validate: fix the errors above first.\n",
            );
        }
        for item in items {
            let mark = if item.done { "[x]" } else { "[ ]" };
            text.push_str(&format!("  {mark} {}\n", item.question));
            if !item.done {
                text.push_str(&format!("      {}\n", item.help));
            }
        }
        if !items.is_empty() {
            text.push_str(&format!(
                "{done} of {} done; {}.\n",
                items.len(),
                summary(&review.findings)
            ));
        }
        // The checklist is for people: stdout on a terminal, stderr when stdout carries
        // machine output (GitHub commands or SARIF).
        if args.site.format == Format::Human {
            print!("{text}");
        } else {
            eprint!("{text}");
        }
    }
    let (errors, warnings) = count(&review.findings);
    let failed = errors > 0
        || review.checklist.is_none()
        || (args.strict && (warnings > 0 || done < items.len()));
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `file` (relative to the working folder, or to the knowledge base) as a root-relative,
/// `/`-separated path.
fn relative_to_root(root: &Path, file: &Path) -> Result<String> {
    let root_abs = std::fs::canonicalize(root)?;
    let candidates = [file.to_path_buf(), root.join(file)];
    for candidate in candidates {
        if let Ok(abs) = std::fs::canonicalize(&candidate)
            && let Ok(rel) = abs.strip_prefix(&root_abs)
        {
            let parts: Vec<String> = rel
                .components()
                .filter_map(|c| match c {
                    Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            return Ok(parts.join("/"));
        }
    }
    bail!("{} is not a file inside {}", file.display(), root.display())
}
