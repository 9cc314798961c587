//! One module per subcommand; this one dispatches and holds what they share.

mod build;
mod check;
mod init;
mod new;
mod search;
mod serve;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};
use std::io::Write as _;

use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};
use hindsight::diagnostics::report::{Format, SourceTexts, print_diagnostics};
use hindsight::diagnostics::{Diagnostic, Mode};
use hindsight::model::BuildFilter;
use hindsight::{LoadOptions, model::dates};
use time::Date;

use crate::cli::{Command, SiteArgs};

/// Run a subcommand.
pub(crate) fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Init(args) => init::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
        Command::New(args) => new::run(&args),
        Command::Search(args) => search::run(&args),
        Command::Serve(args) => serve::run(&args),
    }
}

/// The build date: `--build-date`, else SOURCE_DATE_EPOCH, else today (UTC).
fn build_date(arg: Option<&str>) -> Result<Date> {
    if let Some(text) = arg {
        return dates::parse_build_date(text)
            .map_err(anyhow::Error::msg)
            .context("invalid --build-date");
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 =
            epoch.trim().parse().context("SOURCE_DATE_EPOCH is not a number of seconds")?;
        let at = time::OffsetDateTime::from_unix_timestamp(secs)
            .context("SOURCE_DATE_EPOCH is out of range")?;
        return Ok(at.date());
    }
    Ok(time::OffsetDateTime::now_utc().date())
}

/// Load options from the shared site arguments.
fn load_options(args: &SiteArgs, mode: Mode, base_url: Option<String>) -> Result<LoadOptions> {
    Ok(LoadOptions {
        mode,
        filter: BuildFilter { include_drafts: args.drafts, public_only: args.public },
        base_url,
        build_date: build_date(args.build_date.as_deref())?,
    })
}

/// Print findings to stderr (JSON and GitHub formats to stdout, for piping).
fn report(diagnostics: &[Diagnostic], format: Format, sources: &SourceTexts) -> Result<()> {
    // A SARIF log is written even when empty: dashboards then close the alerts they had.
    if diagnostics.is_empty() && format != Format::Sarif {
        return Ok(());
    }
    match format {
        Format::Human => {
            let choice =
                if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
                    ColorChoice::Auto
                } else {
                    ColorChoice::Never
                };
            // Buffered: a report of thousands of findings is otherwise a write call per fragment.
            let mut err = BufferedStandardStream::stderr(choice);
            print_diagnostics(diagnostics, format, sources, &mut err)?;
            err.flush()?;
        }
        Format::Json | Format::Github | Format::Sarif => {
            let mut out = BufferedStandardStream::stdout(ColorChoice::Never);
            print_diagnostics(diagnostics, format, sources, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// `N errors, M warnings`.
fn summary(diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = hindsight::diagnostics::count(diagnostics);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

/// Create `path` (and its folders), failing if it exists, even if it appeared a moment ago.
pub(crate) fn write_new(path: &std::path::Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `text` escaped for the inside of a TOML basic string ("...").
pub(crate) fn toml_basic_string_content(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
