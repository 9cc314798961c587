//! Printing diagnostics: like a compiler for people (source line, underlined span, help),
//! and as JSON lines or GitHub workflow commands for machines.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::WriteColor};

use super::{Diagnostic, Severity};
use crate::model::body::PackedText;

/// Output formats of `check` (and of the findings `build` prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Compiler-style, with the source line and the span underlined.
    Human,
    /// One JSON object per line: file, line, column, end, severity, code, message, help.
    Json,
    /// GitHub Actions workflow commands, shown inline on pull requests.
    Github,
    /// One SARIF 2.1.0 log, for code-scanning dashboards.
    Sarif,
}

/// The texts of the files findings point into, keyed by their root-relative path. Kept
/// compressed: a corpus where every file has a warning would otherwise hold all its text.
#[derive(Clone, Default)]
pub struct SourceTexts {
    texts: HashMap<String, PackedText>,
}

impl SourceTexts {
    /// Remember the text of `file`.
    pub fn insert(&mut self, file: &str, text: &str) {
        self.texts.insert(file.to_string(), PackedText::pack(text));
    }

    /// Remember the already compressed text of `file`.
    pub fn insert_packed(&mut self, file: &str, text: PackedText) {
        self.texts.insert(file.to_string(), text);
    }

    /// Whether the text of `file` is known.
    pub fn contains(&self, file: &str) -> bool {
        self.texts.contains_key(file)
    }

    /// Every file and its text, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, String)> + '_ {
        self.texts.iter().map(|(file, text)| (file.as_str(), text.unpack()))
    }

    /// The text of `file`, if known.
    pub fn get(&self, file: &str) -> Option<Arc<str>> {
        self.texts.get(file).map(|t| Arc::from(t.unpack()))
    }
}

/// Print `diagnostics` in `format` to `out`.
pub fn print_diagnostics(
    diagnostics: &[Diagnostic],
    format: Format,
    sources: &SourceTexts,
    out: &mut dyn WriteColor,
) -> io::Result<()> {
    match format {
        Format::Human => print_human(diagnostics, sources, out),
        Format::Json => {
            for diagnostic in diagnostics {
                serde_json::to_writer(&mut *out, &JsonFinding::from(diagnostic))?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Github => {
            for diagnostic in diagnostics {
                writeln!(out, "{}", github_command(diagnostic))?;
            }
            Ok(())
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &super::sarif::sarif_log(diagnostics))?;
            writeln!(out)
        }
    }
}

fn print_human(
    diagnostics: &[Diagnostic],
    sources: &SourceTexts,
    out: &mut dyn WriteColor,
) -> io::Result<()> {
    let config = term::Config::default();
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for diagnostic in diagnostics {
        let mut report = Report::new(match diagnostic.severity {
            Severity::Error => ReportSeverity::Error,
            Severity::Warning => ReportSeverity::Warning,
        })
        .with_code(diagnostic.code.id())
        .with_message(&diagnostic.message);
        let mut notes = Vec::new();
        if let Some(location) = &diagnostic.location {
            match sources.get(&location.file) {
                Some(text) if location.span.end <= text.len() => {
                    let id = *ids
                        .entry(location.file.as_str())
                        .or_insert_with(|| files.add(location.file.clone(), text));
                    report = report.with_label(Label::primary(id, location.span.clone()));
                }
                _ => notes
                    .push(format!("at {}:{}:{}", location.file, location.line, location.column)),
            }
        }
        if let Some(help) = &diagnostic.help {
            notes.push(format!("help: {help}"));
        }
        notes.push(format!("[{}]", diagnostic.code));
        report = report.with_notes(notes);
        term::emit_to_write_style(&mut *out, &config, &files, &report)
            .map_err(|e| io::Error::other(e.to_string()))?;
    }
    Ok(())
}

/// The JSON shape of one finding (`check --format json`).
#[derive(serde::Serialize)]
pub struct JsonFinding<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    severity: Severity,
    code: &'static str,
    name: &'static str,
    message: &'a str,
    help: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonFinding<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        let l = d.location.as_ref();
        JsonFinding {
            file: l.map(|l| l.file.as_str()),
            line: l.map(|l| l.line),
            column: l.map(|l| l.column),
            end_line: l.map(|l| l.end_line),
            end_column: l.map(|l| l.end_column),
            severity: d.severity,
            code: d.code.id(),
            name: d.code.name(),
            message: &d.message,
            help: d.help.as_deref(),
        }
    }
}

/// The JSON form of one finding, as `--format json` prints it.
pub fn json_finding(diagnostic: &Diagnostic) -> JsonFinding<'_> {
    JsonFinding::from(diagnostic)
}

/// A GitHub Actions workflow command for one finding.
fn github_command(d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(l) = &d.location {
        props.push(format!("file={}", escape_property(&l.file)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
        props.push(format!("endLine={}", l.end_line));
        props.push(format!("endColumn={}", l.end_column));
    }
    props.push(format!("title={}", escape_property(&d.code.to_string())));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{kind} {}::{}", props.join(","), escape_data(&message))
}

/// Escaping of workflow command data, as GitHub's toolkit does it.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping of workflow command properties, as GitHub's toolkit does it.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Code, Location, Mode};

    #[test]
    fn github_commands_escape_properties_and_data() {
        let d = Diagnostic::new(Code::UnknownKey, Mode::Check, "unknown key `severty`\n100%")
            .help("did you mean `severity`?")
            .at(Location {
                file: "postmortems/a,b.md".into(),
                line: 3,
                column: 1,
                end_line: 3,
                end_column: 8,
                span: 0..7,
            });
        assert_eq!(
            github_command(&d),
            "::error file=postmortems/a%2Cb.md,line=3,col=1,endLine=3,endColumn=8,\
             title=H001 unknown-key::unknown key `severty`%0A100%25%0Ahelp: did you mean `severity`?"
        );
    }
}
