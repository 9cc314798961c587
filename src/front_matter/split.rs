//! Splitting a postmortem into front matter and body, remembering where each starts so that
//! spans inside the front matter become file positions.

use std::ops::Range;

/// The front matter's syntax, told by its fence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `+++` fences (the native form).
    Toml,
    /// `---` fences (accepted for teams migrating from Jekyll, Hugo or MkDocs).
    Yaml,
}

/// A postmortem file split at its front-matter fences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The syntax of the front matter.
    pub format: Format,
    /// The text between the fences.
    pub front_matter: &'a str,
    /// Byte offset of `front_matter` in the file.
    pub front_matter_offset: usize,
    /// The markdown after the closing fence.
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
}

/// Why a file could not be split, with the span to point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The file is empty or whitespace only.
    Empty,
    /// The first line is not a `+++` or `---` fence.
    NoFrontMatter(Range<usize>),
    /// The opening fence has no closing fence.
    Unclosed(Format, Range<usize>),
}

fn fence_of(line: &str) -> Option<Format> {
    match line.trim_end_matches(['\r', '\n']).trim_end() {
        "+++" => Some(Format::Toml),
        "---" => Some(Format::Yaml),
        _ => None,
    }
}

/// Split `text` at its front-matter fences. The opening fence must be the first line.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let first_len = text.find('\n').map_or(text.len(), |i| i + 1);
    let first_line = &text[..first_len];
    let Some(format) = fence_of(first_line) else {
        let end = first_line.trim_end().len();
        return Err(SplitError::NoFrontMatter(0..end));
    };
    let mut offset = first_len;
    for line in text[first_len..].split_inclusive('\n') {
        if fence_of(line) == Some(format) {
            let body_offset = offset + line.len();
            return Ok(Split {
                format,
                front_matter: &text[first_len..offset],
                front_matter_offset: first_len,
                body: &text[body_offset..],
                body_offset,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed(format, 0..3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml() {
        for (text, format, fm, body) in [
            ("+++\ntitle = \"x\"\n+++\nbody\n", Format::Toml, "title = \"x\"\n", "body\n"),
            ("---\ntitle: x\n---\n# Body", Format::Yaml, "title: x\n", "# Body"),
            ("+++\r\na = 1\r\n+++\r\nb\r\n", Format::Toml, "a = 1\r\n", "b\r\n"),
            ("+++\n+++\n", Format::Toml, "", ""),
            ("+++  \na = 1\n+++", Format::Toml, "a = 1\n", ""),
            ("---\na: 1\n+++\n---\nbody", Format::Yaml, "a: 1\n+++\n", "body"),
        ] {
            let split = split(text).unwrap();
            assert_eq!(
                (split.format, split.front_matter, split.body),
                (format, fm, body),
                "{text:?}"
            );
            assert_eq!(&text[split.front_matter_offset..][..fm.len()], fm);
            assert_eq!(&text[split.body_offset..], body);
        }
    }

    #[test]
    fn refuses_missing_unclosed_and_empty() {
        assert_eq!(split(" \n\n"), Err(SplitError::Empty));
        assert_eq!(split("# Title\n"), Err(SplitError::NoFrontMatter(0..7)));
        assert_eq!(split("+++\ntitle = 1\n"), Err(SplitError::Unclosed(Format::Toml, 0..3)));
        assert_eq!(split("+++\na=1\n---\n"), Err(SplitError::Unclosed(Format::Toml, 0..3)));
    }
}
