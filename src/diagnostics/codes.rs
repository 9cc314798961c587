//! The stable finding codes. Their ids and names are a product contract documented in the
//! README: CI configurations and editors match on them, so never renumber.

use std::fmt;

use serde::{Serialize, Serializer};

use super::{Mode, Severity};

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($id:literal, $name:literal, $build:ident, $check:ident), )*) => {
        /// A stable finding code such as `H001 unknown-key`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in numbering order (for documentation and tests).
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The short id, e.g. `H001`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// The kebab-case name, e.g. `unknown-key`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// What the code means, in one sentence (its documentation).
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_ascii(),)* }
            }

            /// How serious the finding is under `mode`.
            pub fn severity(self, mode: Mode) -> Severity {
                match (self, mode) {
                    $((Code::$variant, Mode::Build) => Severity::$build,
                      (Code::$variant, Mode::Check) => Severity::$check,)*
                }
            }
        }
    };
}

codes! {
    /// A front-matter key the schema does not know (a typo would silently drop data).
    UnknownKey = ("H001", "unknown-key", Warning, Error),
    /// Front matter that is not valid TOML or YAML, or is missing or never closed.
    InvalidFrontMatter = ("H002", "invalid-front-matter", Error, Error),
    /// A value of the wrong type, e.g. a number where a list of strings belongs.
    WrongType = ("H003", "wrong-type", Error, Error),
    /// A required key (`title`, `date`) is missing.
    MissingRequired = ("H004", "missing-required", Error, Error),
    /// A severity that is not in the site's configured scale.
    UnknownSeverity = ("H005", "unknown-severity", Error, Error),
    /// A status, visibility or action status outside the allowed values.
    InvalidValue = ("H006", "invalid-value", Error, Error),
    /// Timeline times out of order (detected before the start, resolved before mitigated...).
    TimesOutOfOrder = ("H007", "times-out-of-order", Error, Error),
    /// Two postmortems, aliases or files map to the same output path, or a file (e.g.
    /// `static/services`) takes the name of a folder the site needs.
    DuplicateOutput = ("H008", "duplicate-output", Error, Error),
    /// A link to a postmortem file that does not exist.
    BrokenLink = ("H009", "broken-link", Error, Error),
    /// A link or image to a bundle asset that does not exist.
    MissingAsset = ("H010", "missing-asset", Error, Error),
    /// A reading path or `related` entry naming no known postmortem.
    UnknownReference = ("H011", "unknown-reference", Warning, Error),
    /// `hindsight.toml` is missing, unreadable or invalid.
    InvalidConfig = ("H012", "invalid-config", Error, Error),
    /// A file that cannot be read or is not valid UTF-8.
    UnreadableFile = ("H013", "unreadable-file", Error, Error),
    /// A slug or alias that is empty, absolute, escapes the output folder or has odd characters.
    InvalidSlug = ("H014", "invalid-slug", Error, Error),
    /// A URL with a script scheme (`javascript:`, `vbscript:`, `data:`).
    UnsafeUrl = ("H015", "unsafe-url", Error, Error),
    /// An empty or whitespace-only postmortem file (usually a failed save).
    EmptyFile = ("H016", "empty-file", Error, Error),
    /// A symbolic link inside the knowledge base; it is not followed.
    SymlinkSkipped = ("H017", "symlink-skipped", Warning, Warning),
    /// A link in a body with a script scheme; it is removed from the page.
    UnsafeLink = ("H018", "unsafe-link", Warning, Error),
    /// A template of the site's `templates/` folder that does not compile or render.
    InvalidTemplate = ("H019", "invalid-template", Error, Error),
    /// The output folder is unsafe (it overlaps the sources) or cannot be written.
    InvalidOutput = ("H020", "invalid-output", Error, Error),
    /// The cache folder (`.hindsight/`) cannot be written; the site is built anyway.
    CacheUnavailable = ("H021", "cache-unavailable", Warning, Warning),
    /// A lesson theme used but not described in `hindsight.toml`.
    UndescribedTheme = ("H101", "undescribed-theme", Warning, Warning),
    /// A tag used but not described in `hindsight.toml`.
    UndescribedTag = ("H102", "undescribed-tag", Warning, Warning),
    /// An open action item past its due date (reported by `check` only).
    OverdueAction = ("H103", "overdue-action", Warning, Warning),
    /// A published postmortem with no summary: no `summary` key and no paragraph under
    /// its first heading.
    MissingSummary = ("H104", "missing-summary", Warning, Warning),
    /// A published postmortem with no `[[lessons]]`.
    MissingLessons = ("H105", "missing-lessons", Warning, Warning),
    /// A published postmortem with no `resolved` time.
    MissingResolved = ("H106", "missing-resolved", Warning, Warning),
    /// A section heading with nothing under it, usually left from the template.
    EmptySection = ("H107", "empty-section", Warning, Warning),
    /// Wording that assigns blame to a person instead of describing the system.
    BlamefulLanguage = ("H108", "blameful-language", Warning, Warning),
    /// What looks like a credential (API key, token, private key, password in a URL).
    LeakedSecret = ("H109", "leaked-secret", Error, Error),
    /// Personal data pasted from logs: an email address or a public IP address.
    PersonalData = ("H110", "personal-data", Warning, Warning),
    /// An invisible bidirectional control character (U+202E...), which can make text display
    /// differently from how it reads.
    BidiControl = ("H111", "bidi-control", Warning, Warning),
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id(), self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique() {
        let mut ids: Vec<_> = Code::ALL.iter().map(|c| c.id()).collect();
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.name()).collect();
        ids.sort();
        names.sort();
        let n = Code::ALL.len();
        ids.dedup();
        names.dedup();
        assert_eq!((ids.len(), names.len()), (n, n));
    }

    /// The README's table of finding codes, generated from the codes themselves.
    fn readme_table() -> String {
        let mut table = String::from(
            "| code | name | in `build` | in `check` | meaning |\n|---|---|---|---|---|\n",
        );
        let word = |s: Severity| match s {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        for code in Code::ALL {
            table.push_str(&format!(
                "| `{}` | `{}` | {} | {} | {} |\n",
                code.id(),
                code.name(),
                word(code.severity(Mode::Build)),
                word(code.severity(Mode::Check)),
                code.description()
            ));
        }
        table
    }

    #[test]
    fn the_readme_documents_every_code() {
        let readme = include_str!("../../README.md");
        let table = readme_table();
        assert!(readme.contains(&table), "update the README's finding codes to:\n{table}");
    }

    #[test]
    fn unknown_key_is_an_error_only_under_check() {
        assert_eq!(Code::UnknownKey.severity(Mode::Build), Severity::Warning);
        assert_eq!(Code::UnknownKey.severity(Mode::Check), Severity::Error);
    }
}
