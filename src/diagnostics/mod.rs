//! Diagnostics: what is wrong (or could be better) in a knowledge base, where, and how to fix it.
//!
//! Every stage returns its findings as [`Diagnostic`]s instead of failing on the first one, so
//! `build` and `check` report all problems of a run together. Printing lives in [`report`].

pub mod codes;
pub mod lines;
pub mod report;
pub mod sarif;

use std::ops::Range;

use serde::Serialize;

pub use codes::Code;
pub use lines::LineIndex;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops a build; `check` exits 1.
    Error,
    /// Printed; `check --strict` exits 1.
    Warning,
}

/// Which command is validating: some findings are errors under `check` but warnings under
/// `build` (an unknown key must not silently drop data, but it must not block a publish either).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `hindsight build` and `serve`.
    Build,
    /// `hindsight check`.
    Check,
}

impl Mode {
    /// Whether the run renders a site. `check` only validates, so it skips highlighting,
    /// search analysis and similarity, which produce no findings.
    pub fn renders(self) -> bool {
        self == Mode::Build
    }
}

/// A position in a source file: 1-based line and column (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    /// Path relative to the knowledge-base root, with `/` separators.
    pub file: String,
    /// 1-based line of the start of the span.
    pub line: usize,
    /// 1-based column (in characters) of the start of the span.
    pub column: usize,
    /// 1-based line of the end of the span.
    pub end_line: usize,
    /// 1-based column just past the end of the span.
    pub end_column: usize,
    /// Byte range in the file, used to underline the source line.
    #[serde(skip)]
    pub span: Range<usize>,
}

/// A [`Location`] with its byte span, for the parse cache (the user-facing JSON leaves the
/// span out): `(file, [line, column, end line, end column, span start, span end])`.
pub mod location_with_span {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Location;

    /// The numbers of `l`: line, column, end line, end column, span start, span end.
    pub fn numbers(l: &Location) -> [usize; 6] {
        [l.line, l.column, l.end_line, l.end_column, l.span.start, l.span.end]
    }

    /// The location in `file` with the [`numbers`] `at`.
    pub fn from_numbers(file: String, at: [usize; 6]) -> Location {
        Location {
            file,
            line: at[0],
            column: at[1],
            end_line: at[2],
            end_column: at[3],
            span: at[4]..at[5],
        }
    }

    /// Write `l` with its span.
    pub fn serialize<S: Serializer>(l: &Location, s: S) -> Result<S::Ok, S::Error> {
        (&l.file, numbers(l)).serialize(s)
    }

    /// Read a location written by [`serialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Location, D::Error> {
        let (file, at) = <(String, [usize; 6])>::deserialize(d)?;
        Ok(from_numbers(file, at))
    }
}

impl Location {
    /// A location covering `span` (byte offsets) of the file whose text is indexed by `lines`.
    pub fn from_span(file: &str, lines: &LineIndex, span: Range<usize>) -> Self {
        let (line, column) = lines.line_col(span.start);
        let (end_line, end_column) = lines.line_col(span.end.max(span.start));
        Location { file: file.to_string(), line, column, end_line, end_column, span }
    }

    /// A location naming only a file (for problems of the whole file).
    pub fn whole_file(file: &str) -> Self {
        Location {
            file: file.to_string(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            span: 0..0,
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code, e.g. `H001 unknown-key`.
    pub code: Code,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Where; `None` for problems of the whole run (e.g. a missing folder).
    pub location: Option<Location>,
}

impl Diagnostic {
    /// A finding with the code's severity under `mode`.
    pub fn new(code: Code, mode: Mode, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.severity(mode),
            code,
            message: message.into(),
            help: None,
            location: None,
        }
    }

    /// Attach a fix hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach a location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Whether this finding stops a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The order in which findings are printed: by file, position, then code.
    fn sort_key(&self) -> (Option<(&str, usize, usize)>, Code, &str) {
        (
            self.location.as_ref().map(|l| (l.file.as_str(), l.line, l.column)),
            self.code,
            self.message.as_str(),
        )
    }
}

/// Collects diagnostics for one file, turning byte spans into locations.
pub struct FileDiagnostics<'a> {
    /// Path of the file relative to the root.
    pub file: &'a str,
    /// Line index of the file's text.
    pub lines: &'a LineIndex,
    /// The command being run.
    pub mode: Mode,
    /// What was found so far.
    pub found: Vec<Diagnostic>,
}

impl<'a> FileDiagnostics<'a> {
    /// An empty collector for `file`.
    pub fn new(file: &'a str, lines: &'a LineIndex, mode: Mode) -> Self {
        FileDiagnostics { file, lines, mode, found: Vec::new() }
    }

    /// Record a finding at `span` (byte offsets in the file).
    pub fn push(
        &mut self,
        code: Code,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut diagnostic = Diagnostic::new(code, self.mode, message)
            .at(Location::from_span(self.file, self.lines, span));
        diagnostic.help = help;
        self.found.push(diagnostic);
    }
}

/// Sort findings into their printing order and drop exact duplicates.
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

/// Findings of `code` with the same message (say, one undescribed tag used by 300 postmortems)
/// become one finding at the first occurrence, saying how many there are.
pub fn collapse_repeats(diagnostics: &mut Vec<Diagnostic>, code: Code) {
    sort_diagnostics(diagnostics);
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for d in diagnostics.iter().filter(|d| d.code == code) {
        *counts.entry(d.message.clone()).or_default() += 1;
    }
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain_mut(|d| {
        if d.code != code {
            return true;
        }
        if !seen.insert(d.message.clone()) {
            return false;
        }
        let n = counts[&d.message];
        if n > 1 {
            d.message = format!("{} (in {n} postmortems; the first is shown)", d.message);
        }
        true
    });
}

/// Counts of errors and warnings.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}
