//! Any text as the body of a valid postmortem, through `build`'s pipeline: markdown rendering,
//! heading anchors, link rewriting, syntax highlighting, sanitizing, search analysis and the
//! lints. It must never panic, and nothing in the body may leave a `<script` in the page.
#![no_main]

use std::sync::LazyLock;

use hindsight::diagnostics::Mode;
use hindsight::parse::FileParser;
use libfuzzer_sys::fuzz_target;

static PARSER: LazyLock<FileParser> = LazyLock::new(|| hindsight_fuzz::parser(Mode::Build));

const HEAD: &str = "+++\ntitle = \"Fuzzed body\"\ndate = 2024-03-14T09:00:00Z\nsummary = \"S.\"\n\
                    [[lessons]]\ntheme = \"rollbacks\"\ntext = \"L.\"\n+++\n";

fuzz_target!(|body: &str| {
    let mut file = String::with_capacity(HEAD.len() + body.len());
    file.push_str(HEAD);
    file.push_str(body);
    let outcome = PARSER.parse_bytes(&hindsight_fuzz::entry(), file.into_bytes());
    let incident = outcome.incident.expect("a valid head makes a postmortem, whatever the body");
    let html = incident.body.html().unwrap_or_default().to_ascii_lowercase();
    assert!(!html.contains("<script"), "a script element in the rendered body: {html}");
});
