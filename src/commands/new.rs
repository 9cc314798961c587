//! `hindsight new`: start a postmortem from the theme's template (or the site's
//! `templates/postmortem.md`), at `postmortems/YYYY/YYYY-MM-DD-<slug>.md`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use hindsight::config::SiteConfig;
use hindsight::diagnostics::Mode;
use hindsight::diagnostics::report::{Format, SourceTexts};
use hindsight::model::dates::{format_date, format_rfc3339, parse_datetime};
use hindsight::model::slug::slugify;
use hindsight::render::templates::{builtin_template, error_chain};
use time::{Duration, OffsetDateTime};

use super::{report, toml_basic_string_content, write_new};
use crate::cli::NewArgs;

const TEMPLATE: &str = "postmortem.md";

/// Create the file; refuse to overwrite anything.
pub(super) fn run(args: &NewArgs) -> Result<ExitCode> {
    let root = &args.dir;
    let config = match SiteConfig::load(root, Mode::Check, None) {
        Ok((config, _)) => config,
        Err(diagnostics) => {
            report(&diagnostics, Format::Human, &SourceTexts::default())?;
            return Ok(ExitCode::from(1));
        }
    };
    let title = args.title.trim();
    if title.is_empty() {
        bail!(
            "the title is empty; say what happened, e.g. hindsight new \"Payments API returned 500s\""
        );
    }
    let (start, date_only) = match &args.date {
        Some(text) => parse_datetime(text).ok_or_else(|| {
            anyhow!("--date `{text}` is not a date; use YYYY-MM-DD or 2024-03-14T09:32:00Z")
        })?,
        None => {
            let now = OffsetDateTime::now_utc();
            (now.replace_second(0)?.replace_nanosecond(0)?, false)
        }
    };
    let severity = match &args.severity {
        Some(s) => Some(
            config
                .severities
                .iter()
                .find(|known| known.eq_ignore_ascii_case(s))
                .cloned()
                .ok_or_else(|| {
                    anyhow!(
                        "--severity `{s}` is not in this site's scale; use one of: {}",
                        config.severities.join(", ")
                    )
                })?,
        ),
        None => None,
    };
    let slug = slugify(title);
    if slug.is_empty() {
        bail!("the title `{title}` has no letters or digits to name the file after");
    }
    let day = format_date(start.date());
    let folder = format!("postmortems/{}", start.year());
    let rel = if args.bundle {
        format!("{folder}/{day}-{slug}/index.md")
    } else {
        format!("{folder}/{day}-{slug}.md")
    };
    // A bundle and a file with the same name would be the same postmortem twice.
    let twin = if args.bundle {
        format!("{folder}/{day}-{slug}.md")
    } else {
        format!("{folder}/{day}-{slug}/index.md")
    };
    for existing in [&rel, &twin] {
        if root.join(existing).exists() {
            bail!(
                "{} already exists; open it, or choose another title or --date",
                root.join(existing).display()
            );
        }
    }
    let template = read_template(root)?;
    let mut context = tera::Context::new();
    context.insert("title", &toml_basic_string_content(title));
    context.insert("date", &format_rfc3339(start, date_only));
    context.insert("severity", &severity);
    context.insert("severities", &config.severities);
    context.insert("slug", &slug);
    context.insert("path", &rel);
    context.insert("due", &format_date(start.date() + Duration::days(30)));
    let text = tera::Tera::one_off(&template, &context, false).map_err(|e| {
        let which = if root.join("templates").join(TEMPLATE).is_file() {
            format!("templates/{TEMPLATE}")
        } else {
            format!("the theme's {TEMPLATE}")
        };
        anyhow!("{which} does not render: {}", error_chain(&e))
    })?;
    let path = root.join(&rel);
    write_new(&path, &text)?;
    println!("{}", path.display());
    eprintln!("Created {rel}. Fill it in, then run `hindsight check --review {rel}`.");
    Ok(ExitCode::SUCCESS)
}

/// The site's `templates/postmortem.md`, or the theme's.
fn read_template(root: &Path) -> Result<String> {
    let own = root.join("templates").join(TEMPLATE);
    if own.is_file() {
        return std::fs::read_to_string(&own)
            .with_context(|| format!("cannot read {}", own.display()));
    }
    Ok(builtin_template(TEMPLATE).expect("the theme has postmortem.md").to_string())
}
