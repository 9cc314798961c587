//! `hindsight check`: validate without writing.

use std::process::ExitCode;

use anyhow::Result;
use hindsight::diagnostics::{Code, Mode};
use hindsight::load_site;

use super::{load_options, report, summary};
use crate::cli::CheckArgs;

/// Validate; exit 1 on errors (or on warnings with `--strict`).
pub(super) fn run(args: &CheckArgs) -> Result<ExitCode> {
    let options = load_options(&args.site, Mode::Check, None)?;
    let (diagnostics, sources) = match load_site(&args.site.dir, &options) {
        Ok(loaded) => (loaded.diagnostics, loaded.sources),
        Err(failure) => (failure.diagnostics, failure.sources),
    };
    report(&diagnostics, args.site.format, &sources)?;
    let (errors, warnings) = hindsight::diagnostics::count(&diagnostics);
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
