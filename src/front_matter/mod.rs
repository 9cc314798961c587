//! Stage 2: split a postmortem into front matter and body, parse the front matter (TOML or
//! YAML) and type-check it into a [`RawFrontMatter`].

pub mod node;
pub mod raw;
pub mod split;
mod toml_syntax;
pub mod unknown_keys;
mod yaml_syntax;

use std::ops::Range;

pub use raw::{RawAction, RawFrontMatter, RawLesson, RawTimes, Spanned};
pub use split::Format;

use crate::diagnostics::{Code, FileDiagnostics};

/// A syntax error inside the front matter, with its span in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What the parser said.
    pub message: String,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// A postmortem file whose front matter parsed.
#[derive(Clone, Debug)]
pub struct ParsedFile<'a> {
    /// The front matter, as written.
    pub raw: RawFrontMatter,
    /// The markdown body.
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

/// Split and parse `text`. Problems go to `diags`; `None` when there is no usable front matter.
pub fn parse_front_matter<'a>(
    text: &'a str,
    diags: &mut FileDiagnostics<'_>,
) -> Option<ParsedFile<'a>> {
    let split = match split::split(text) {
        Ok(split) => split,
        Err(split::SplitError::Empty) => {
            diags.push(
                Code::EmptyFile,
                0..0,
                "the file is empty",
                Some("an empty postmortem is usually a failed save: restore its content, or delete it".into()),
            );
            return None;
        }
        Err(split::SplitError::NoFrontMatter(span)) => {
            diags.push(
                Code::InvalidFrontMatter,
                span,
                "the file does not start with front matter",
                Some("start the file with a `+++` line, then `title = \"...\"` and `date = ...`, then a closing `+++` line (or `---` fences for YAML)".into()),
            );
            return None;
        }
        Err(split::SplitError::Unclosed(format, span)) => {
            let fence = if format == Format::Toml { "+++" } else { "---" };
            diags.push(
                Code::InvalidFrontMatter,
                span,
                format!("the front matter opened with `{fence}` on line 1 is never closed"),
                Some(format!("add a line holding only `{fence}` after the last front-matter key")),
            );
            return None;
        }
    };
    let parsed = match split.format {
        Format::Toml => toml_syntax::parse_toml(split.front_matter, split.front_matter_offset),
        Format::Yaml => yaml_syntax::parse_yaml(split.front_matter, split.front_matter_offset),
    };
    let root = match parsed {
        Ok(root) => root,
        Err(errors) => {
            let (syntax, help) = match split.format {
                Format::Toml => (
                    "TOML",
                    "fix the TOML syntax; strings need double quotes, lists brackets: tags = [\"a\", \"b\"]",
                ),
                Format::Yaml => ("YAML", "fix the YAML syntax; check indentation and quoting"),
            };
            // The parser recovers and may report one mistake twice on its line (`date = =
            // 2024` is an extra `=` and then an unexpected value): keep the first per line.
            let mut lines_seen = Vec::new();
            for error in errors {
                let line = diags.lines.line_col(error.span.start).0;
                if lines_seen.contains(&line) {
                    continue;
                }
                lines_seen.push(line);
                diags.push(
                    Code::InvalidFrontMatter,
                    error.span,
                    format!("invalid {syntax} front matter: {}", error.message),
                    Some(help.into()),
                );
            }
            return None;
        }
    };
    let raw = raw::read_front_matter(&root, diags);
    Some(ParsedFile { raw, body: split.body, body_offset: split.body_offset })
}
