//! The command line: `hindsight init | build | check | new | search | serve`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use hindsight::diagnostics::report::Format;

/// Turn a folder of markdown postmortems into a browsable, searchable incident knowledge base.
#[derive(Debug, Parser)]
#[command(name = "hindsight", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a new knowledge base with an example postmortem.
    Init(InitArgs),
    /// Build the static site into DIR/public (or --output).
    Build(BuildArgs),
    /// Validate everything `build` would read, without writing a site.
    Check(CheckArgs),
    /// Start a postmortem from the template: postmortems/YYYY/YYYY-MM-DD-<slug>.md.
    New(NewArgs),
    /// Search the postmortems, like the site's search box.
    Search(SearchArgs),
    /// Preview the site: build it in memory, serve it, rebuild on every save.
    Serve(ServeArgs),
}

/// `hindsight init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Folder to create (must be empty or absent).
    pub dir: PathBuf,
    /// Site title.
    #[arg(long, default_value = "Incident knowledge base")]
    pub title: String,
}

/// `hindsight new`.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// What happened, as the postmortem's title.
    pub title: String,
    /// The knowledge base: a folder holding hindsight.toml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// When customer impact started: YYYY-MM-DD or 2024-03-14T09:32:00Z (default: now).
    #[arg(long)]
    pub date: Option<String>,
    /// Severity, from the site's scale (default: left for you to fill in).
    #[arg(long)]
    pub severity: Option<String>,
    /// Create a bundle folder (`.../<slug>/index.md`) to keep images next to the text.
    #[arg(long)]
    pub bundle: bool,
}

/// Options shared by the commands that load a knowledge base.
#[derive(Debug, Args)]
pub(crate) struct SiteArgs {
    /// The knowledge base: a folder holding hindsight.toml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Include drafts and postmortems in review.
    #[arg(long)]
    pub drafts: bool,
    /// Publish only postmortems with visibility = "public".
    #[arg(long)]
    pub public: bool,
    /// "Today" for overdue actions and "on this day" (YYYY-MM-DD); default: today, or
    /// SOURCE_DATE_EPOCH when set. Pin it for reproducible output.
    #[arg(long, value_name = "DATE")]
    pub build_date: Option<String>,
    /// How findings are printed.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// `hindsight build`.
#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// Which knowledge base and postmortems.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder (default: DIR/public).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The absolute URL the site is published at (overrides base_url).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print how long each stage took.
    #[arg(long)]
    pub timings: bool,
}

/// `hindsight check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Which knowledge base and postmortems.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Exit 1 while open action items are past their due date.
    #[arg(long)]
    pub(crate) fail_on_overdue: bool,
    /// Print the review checklist of one postmortem (impact stated? causes beyond the
    /// trigger? actions with owners? ...) with its findings.
    #[arg(long, value_name = "FILE")]
    pub(crate) review: Option<PathBuf>,
}

/// `hindsight serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The knowledge base: a folder holding hindsight.toml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address makes drafts and internal
    /// postmortems reachable from other machines.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Include drafts and postmortems in review.
    #[arg(long)]
    pub drafts: bool,
    /// Serve only postmortems with visibility = "public".
    #[arg(long)]
    pub public: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Print how long each step of a rebuild took.
    #[arg(long)]
    pub timings: bool,
    /// "Today" (YYYY-MM-DD) for overdue actions; default: today.
    #[arg(long, value_name = "DATE")]
    pub build_date: Option<String>,
}

/// `hindsight search`.
#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// `[DIR] QUERY`: the knowledge base (default: the current folder), then what to look
    /// for: words, "phrases", -exclusions, tag:/service:/severity:/year: filters.
    #[arg(required = true, num_args = 1..=2, value_names = ["DIR", "QUERY"])]
    pub(crate) args: Vec<String>,
    /// Include drafts and postmortems in review.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Search only postmortems with visibility = "public".
    #[arg(long)]
    pub(crate) public: bool,
    /// "Today" (YYYY-MM-DD) when the index must be rebuilt.
    #[arg(long, value_name = "DATE")]
    pub(crate) build_date: Option<String>,
    /// How many results to print.
    #[arg(long, default_value_t = 10)]
    pub(crate) limit: usize,
    /// Print JSON (the same as `serve`'s /api/search).
    #[arg(long)]
    pub(crate) json: bool,
    /// Newest first instead of best match first.
    #[arg(long = "by-date")]
    pub(crate) sort_by_date: bool,
}

impl SearchArgs {
    /// The knowledge base and the query.
    pub(crate) fn dir_and_query(&self) -> (PathBuf, &str) {
        match self.args.as_slice() {
            [dir, query] => (PathBuf::from(dir), query),
            [query] => (PathBuf::from("."), query),
            _ => (PathBuf::from("."), ""),
        }
    }

    /// The shared site options.
    pub(crate) fn site(&self) -> SiteArgs {
        SiteArgs {
            dir: self.dir_and_query().0,
            drafts: self.drafts,
            public: self.public,
            build_date: self.build_date.clone(),
            format: Format::Human,
        }
    }
}
