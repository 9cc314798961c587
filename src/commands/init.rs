//! `hindsight init`: a working knowledge base to start from.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::{toml_basic_string_content, write_new};
use crate::cli::InitArgs;

const CONFIG: &str = include_str!("../../themes/default/init/hindsight.toml");
const EXAMPLE: &str = include_str!("../../themes/default/init/example.md");
const EXAMPLE_PATH: &str = "postmortems/2024/2024-03-14-payments-500s-after-config-rollout.md";
const GITIGNORE: &str = "# hindsight's output, staging folder and cache\n/public/\n/.public.hindsight-stage/\n/.hindsight/\n";
const STATIC_README: &str = "Files here are copied as-is to the root of the built site\n(a logo, a favicon, a runbook PDF). A file with the same path as one of the\ntheme's (e.g. assets/style.css) replaces it.\n";

/// Create the knowledge base.
pub(super) fn run(args: &InitArgs) -> Result<ExitCode> {
    let dir = &args.dir;
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!("{} already exists and is not empty; choose a new folder", dir.display());
    }
    let title = toml_basic_string_content(&args.title);
    let files = [
        ("hindsight.toml", CONFIG.replace("{{title}}", &title)),
        (EXAMPLE_PATH, EXAMPLE.to_string()),
        ("static/README.txt", STATIC_README.to_string()),
        (".gitignore", GITIGNORE.to_string()),
    ];
    for (rel, text) in &files {
        write_new(&dir.join(rel), text)?;
    }
    eprintln!("Created a knowledge base in {} with an example postmortem.", dir.display());
    eprintln!(
        "Next: hindsight build {}   (then open {}/public/index.html)",
        dir.display(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
