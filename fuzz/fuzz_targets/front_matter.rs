//! Any bytes as a postmortem file, through `check`'s pipeline: UTF-8 decoding, the front-matter
//! split, TOML and YAML parsing, typing into the model, and every lint. It must never panic,
//! and a file it rejects must say where.
#![no_main]

use std::sync::LazyLock;

use hindsight::diagnostics::Mode;
use hindsight::parse::FileParser;
use libfuzzer_sys::fuzz_target;

static PARSER: LazyLock<FileParser> = LazyLock::new(|| hindsight_fuzz::parser(Mode::Check));

fuzz_target!(|data: &[u8]| {
    let outcome = PARSER.parse_bytes(&hindsight_fuzz::entry(), data.to_vec());
    if outcome.incident.is_none() {
        assert!(!outcome.diagnostics.is_empty(), "a rejected file has a diagnostic");
    }
    for diagnostic in &outcome.diagnostics {
        if let Some(location) = &diagnostic.location {
            assert!(location.line >= 1 && location.column >= 1, "{diagnostic:?}");
        }
    }
});
