//! `hindsight build`.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use hindsight::diagnostics::Mode;
use hindsight::{BuildOptions, build};

use super::{load_options, report, summary};
use crate::cli::BuildArgs;

/// Build the site; exit 1 (with every finding printed) when the knowledge base has errors.
pub(super) fn run(args: &BuildArgs) -> Result<ExitCode> {
    let started = Instant::now();
    if args.timings {
        hindsight::activity::enable();
    }
    let options = BuildOptions {
        load: load_options(&args.site, Mode::Build, args.base_url.clone())?,
        output: args.output.clone(),
    };
    match build(&args.site.dir, &options) {
        Ok(done) => {
            report(&done.diagnostics, args.site.format, &done.sources)?;
            if args.timings {
                eprintln!("{:<14} {:>9} {:>10}", "stage", "time", "memory");
                for (stage, took, rss) in &done.timings.stages {
                    let rss =
                        rss.map_or_else(|| "-".to_string(), |b| format!("{} MB", b / 1_000_000));
                    eprintln!("{stage:<14} {:>7.1}ms {rss:>10}", took.as_secs_f64() * 1000.0);
                }
                // An up-to-date build ran none of them.
                if !done.up_to_date {
                    print_activities();
                }
            }
            let s = done.stats;
            let findings = if done.diagnostics.is_empty() {
                String::new()
            } else {
                format!("; {}", summary(&done.diagnostics))
            };
            let what = format!(
                "{} postmortems ({} pages) into {}",
                done.published,
                done.pages,
                done.output.display()
            );
            let took = started.elapsed().as_secs_f64();
            if done.up_to_date {
                eprintln!(
                    "Up to date: nothing changed since the last build of {what}; checked in {took:.2}s{findings}"
                );
            } else {
                let (files, reused) = done.parsed_files;
                let mut skipped = Vec::new();
                if reused > 0 {
                    skipped.push(format!(
                        "{reused} of {files} postmortem files unchanged, not parsed again"
                    ));
                }
                if done.kept_pages > 0 {
                    skipped.push(format!(
                        "{} of {} pages unaffected, not rendered again",
                        done.kept_pages, done.pages
                    ));
                }
                let cached = if skipped.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", skipped.join("; "))
                };
                eprintln!(
                    "Built {what} in {took:.2}s{cached}: {} files written, {} unchanged, {} removed{findings}",
                    s.written, s.unchanged, s.deleted
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            report(&failure.diagnostics, args.site.format, &failure.sources)?;
            eprintln!(
                "Build failed: {}. The previous site was left untouched.",
                summary(&failure.diagnostics)
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// The second `--timings` table: time per activity inside the stages, summed over threads.
fn print_activities() {
    let totals = hindsight::activity::totals();
    let sum: f64 = totals.iter().map(|(_, d)| d.as_secs_f64()).sum();
    eprintln!();
    eprintln!("{:<20} {:>9} {:>6}", "activity (threads)", "time", "share");
    for (activity, took) in totals {
        let secs = took.as_secs_f64();
        let share = if sum > 0.0 { 100.0 * secs / sum } else { 0.0 };
        eprintln!("{:<20} {:>7.1}ms {share:>5.1}%", activity.name(), secs * 1000.0);
    }
}
