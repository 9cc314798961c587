//! `hindsight serve`: the live preview, printing what happens.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Result;
use hindsight::diagnostics::Mode;
use hindsight::diagnostics::report::Format;
use hindsight::serve::{ServeEvent, ServeOptions, serve};

use super::{load_options, report, summary};
use crate::cli::{ServeArgs, SiteArgs};

/// Serve until Ctrl-C; exit 1 when the site cannot be built or the port is taken.
pub(super) fn run(args: &ServeArgs) -> Result<ExitCode> {
    let site = SiteArgs {
        dir: args.dir.clone(),
        drafts: args.drafts,
        public: args.public,
        build_date: args.build_date.clone(),
        format: Format::Human,
    };
    let options = ServeOptions {
        root: args.dir.clone(),
        load: load_options(&site, Mode::Build, None)?,
        addr: SocketAddr::new(args.bind, args.port),
    };
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine can read every postmortem served, drafts and internal ones included{}",
            args.bind,
            if args.drafts { " (--drafts is on)" } else { "" }
        );
    }
    let open = args.open;
    let result = serve(&options, |event| match event {
        ServeEvent::Started { url, postmortems, files } => {
            println!("Serving {} at {url}", args.dir.display());
            eprintln!(
                "{postmortems} postmortems, {files} files in memory; watching for changes. Ctrl-C stops."
            );
            if open {
                open_browser(&url);
            }
        }
        ServeEvent::Rebuilt { rebuilt, .. } => {
            if rebuilt.sources.is_empty() {
                return;
            }
            let what = rebuilt.sources.join(", ");
            let what = if rebuilt.everything { format!("everything ({what})") } else { what };
            eprintln!(
                "Rebuilt {what} in {} ms: {} file{} changed.",
                rebuilt.millis,
                rebuilt.paths.len(),
                if rebuilt.paths.len() == 1 { "" } else { "s" }
            );
            print_stages(args.timings, &rebuilt.stages);
        }
        ServeEvent::Failed(failure) => {
            let _ = report(&failure.diagnostics, Format::Human, &failure.sources);
            eprintln!("{}; the last good version is still served.", summary(&failure.diagnostics));
        }
        ServeEvent::Settled(settled) => {
            let what = if settled.sources.is_empty() {
                "the search index"
            } else {
                "related incidents, stats and feeds"
            };
            eprintln!(
                "Brought {what} up to date in {} ms: {} file{} changed.",
                settled.millis,
                settled.paths.len(),
                if settled.paths.len() == 1 { "" } else { "s" }
            );
            print_stages(args.timings, &settled.stages);
        }
        ServeEvent::Warning(message) => eprintln!("warning: {message}"),
    });
    match result {
        Ok(()) => {
            eprintln!("Stopped.");
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            report(&failure.diagnostics, Format::Human, &failure.sources)?;
            Ok(ExitCode::from(1))
        }
    }
}

/// `  parse 1.0 ms, derive 20.3 ms, ...` when `--timings`.
fn print_stages(timings: bool, stages: &[(&str, u128)]) {
    if timings {
        let steps: Vec<String> = stages
            .iter()
            .map(|(stage, micros)| format!("{stage} {:.1} ms", *micros as f64 / 1000.0))
            .collect();
        eprintln!("  {}", steps.join(", "));
    }
}

/// Open `url` with the desktop's opener; a failure only prints a hint.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("Open {url} in a browser.");
    }
}
