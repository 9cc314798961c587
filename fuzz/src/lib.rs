//! What the fuzz targets share: a postmortem parser set up as `build` and `check` set it up.

use std::path::PathBuf;

use hindsight::config::SiteConfig;
use hindsight::diagnostics::Mode;
use hindsight::load::SourceEntry;
use hindsight::parse::FileParser;

/// A small site configuration with lessons themes, tags and a blameful phrase of its own, so
/// the checks that read the configuration run too.
const CONFIG: &str = r#"
title = "Fuzz"
base_url = "https://kb.example/"
severities = ["SEV1", "SEV2", "SEV3"]

[tags.dns]
title = "DNS"

[lesson_themes.rollbacks]
title = "Rollbacks"

[lint]
blameful_phrases = ["dropped the ball"]
"#;

/// The file every input is parsed as (it never exists: the bytes are passed in).
pub fn entry() -> SourceEntry {
    SourceEntry {
        rel: "postmortems/2024/fuzz.md".into(),
        abs: PathBuf::from("/nonexistent/postmortems/2024/fuzz.md"),
        bundle: None,
    }
}

/// A parser as `build` (`Mode::Build`: renders, highlights, sanitizes, analyzes) or `check`
/// (`Mode::Check`: validates only) prepares it.
pub fn parser(mode: Mode) -> FileParser {
    let config = SiteConfig::parse(CONFIG, mode, None).expect("the fuzz configuration is valid");
    let build_date = time::macros::date!(2026 - 11 - 26);
    FileParser::new(&[entry()], &config, build_date, mode)
}
