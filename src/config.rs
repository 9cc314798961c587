//! `hindsight.toml`: the site configuration, read once and shared by every stage.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Code, Diagnostic, LineIndex, Location, Mode};

/// The name of the configuration file; its presence marks a knowledge-base root.
pub const CONFIG_FILE: &str = "hindsight.toml";

/// The whole `hindsight.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Site title, shown in the header and feeds.
    pub title: String,
    /// Absolute URL the site is published at; feeds and sitemaps need it.
    #[serde(default)]
    pub base_url: String,
    /// One line about the knowledge base.
    #[serde(default)]
    pub description: String,
    /// The severity scale, most severe first.
    #[serde(default = "default_severities")]
    pub severities: Vec<String>,
    /// Theme name; only `default` ships with hindsight.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Visibility of postmortems that do not set one.
    #[serde(default = "default_visibility")]
    pub default_visibility: String,
    /// Output folder relative to the root (default `public`).
    #[serde(default = "default_output_dir")]
    pub output_dir: String,
    /// Display names and blurbs of tags, keyed by tag.
    #[serde(default)]
    pub tags: BTreeMap<String, DescribedTerm>,
    /// The learning themes lessons are filed under, keyed by theme slug.
    #[serde(default)]
    pub lesson_themes: BTreeMap<String, DescribedTerm>,
    /// Curated, ordered reading lists.
    #[serde(default)]
    pub reading_paths: Vec<ReadingPathConfig>,
    /// Markdown rendering options.
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// List page options.
    #[serde(default)]
    pub lists: ListsConfig,
    /// Search options.
    #[serde(default)]
    pub search: SearchConfig,
    /// Lint configuration for `check`.
    #[serde(default)]
    pub lint: LintConfig,
    /// Slug → key of `tags` and of `lesson_themes`, made on first use.
    #[serde(skip)]
    slugs: std::sync::OnceLock<(HashMap<String, String>, HashMap<String, String>)>,
}

/// A title and description for a tag or a lesson theme.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescribedTerm {
    /// Display name.
    #[serde(default)]
    pub title: Option<String>,
    /// One or two sentences shown on the term's page.
    #[serde(default)]
    pub description: Option<String>,
}

/// One `[[reading_paths]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingPathConfig {
    /// URL segment: `/paths/<slug>/`.
    pub slug: String,
    /// Display title.
    pub title: String,
    /// Why to read it, shown on the path page.
    #[serde(default)]
    pub description: Option<String>,
    /// Postmortem slugs, in reading order.
    #[serde(default)]
    pub postmortems: Vec<String>,
}

/// `[markdown]`: how bodies are rendered.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Turn straight quotes and `--` into typographic ones (off by default: postmortems quote
    /// commands and logs, where straight quotes matter).
    #[serde(default)]
    pub smart_punctuation: bool,
    /// Trust raw HTML in postmortems and pass it through unsanitized.
    #[serde(default)]
    pub trusted_html: bool,
}

/// `[lists]`: how long lists are split.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListsConfig {
    /// Postmortems per page on list pages (tags, services, years...); later ones go to
    /// `page/2/`, `page/3/`...
    #[serde(default = "default_page_size")]
    pub page_size: usize,
}

impl Default for ListsConfig {
    fn default() -> Self {
        ListsConfig { page_size: default_page_size() }
    }
}

fn default_page_size() -> usize {
    50
}

/// `[search]`: additions to the built-in search behaviour.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Groups of words that find each other, added to the built-in operations synonyms,
    /// e.g. `[["pager", "on-call"]]`.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
}

/// `[lint]`: additions to the built-in checks.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Phrases flagged as blameful, in addition to the built-in list.
    #[serde(default)]
    pub blameful_phrases: Vec<String>,
}

fn default_severities() -> Vec<String> {
    ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec()
}
fn default_theme() -> String {
    "default".into()
}
fn default_visibility() -> String {
    "internal".into()
}
fn default_output_dir() -> String {
    "public".into()
}

impl SiteConfig {
    /// Read and validate `root/hindsight.toml`. Every problem found is returned.
    /// `base_url_override` (from `--base-url`) replaces the configured base URL before it is
    /// checked.
    pub fn load(
        root: &Path,
        mode: Mode,
        base_url_override: Option<&str>,
    ) -> Result<(SiteConfig, String), Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                let help = if e.kind() == std::io::ErrorKind::NotFound {
                    format!(
                        "{} is not a knowledge base: run `hindsight init {}` to create one, or \
                         pass the folder that holds {CONFIG_FILE}",
                        root.display(),
                        root.display()
                    )
                } else {
                    "check the file's permissions and that it is UTF-8 text".to_string()
                };
                return Err(vec![
                    Diagnostic::new(
                        Code::InvalidConfig,
                        mode,
                        format!("cannot read {}: {e}", path.display()),
                    )
                    .help(help),
                ]);
            }
        };
        let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
        match Self::parse(&text, mode, base_url_override) {
            Ok(config) => Ok((config, text)),
            Err(diagnostics) => Err(diagnostics),
        }
    }

    /// Parse and validate the text of a `hindsight.toml`.
    pub fn parse(
        text: &str,
        mode: Mode,
        base_url_override: Option<&str>,
    ) -> Result<SiteConfig, Vec<Diagnostic>> {
        let lines = LineIndex::new(text);
        let mut config: SiteConfig = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            vec![
                Diagnostic::new(Code::InvalidConfig, mode, e.message().trim().to_string())
                    .help("see the configuration reference in the README")
                    .at(Location::from_span(CONFIG_FILE, &lines, span)),
            ]
        })?;
        if let Some(url) = base_url_override {
            config.base_url = url.to_string();
        }
        let problems = config.validate(mode, text, &lines);
        if problems.is_empty() { Ok(config) } else { Err(problems) }
    }

    fn validate(&self, mode: Mode, text: &str, lines: &LineIndex) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut problem = |key: &str, message: String, help: &str| {
            let span = find_key(text, key);
            problems.push(
                Diagnostic::new(Code::InvalidConfig, mode, message)
                    .help(help)
                    .at(Location::from_span(CONFIG_FILE, lines, span)),
            );
        };
        if self.severities.is_empty() {
            problem(
                "severities",
                "`severities` is empty".into(),
                "list the scale, most severe first, e.g. [\"SEV1\", \"SEV2\", \"SEV3\"]",
            );
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.severities {
            if !seen.insert(s.to_lowercase()) {
                problem(
                    "severities",
                    format!("severity `{s}` is listed twice"),
                    "list each severity once",
                );
            }
            if crate::model::slug::slugify(s).is_empty() {
                problem(
                    "severities",
                    format!("severity `{s}` has no letters or digits"),
                    "use names such as SEV1 or P2",
                );
            }
        }
        if !matches!(self.default_visibility.as_str(), "internal" | "public") {
            problem(
                "default_visibility",
                format!("`default_visibility` is `{}`", self.default_visibility),
                "use \"internal\" or \"public\"",
            );
        }
        if self.theme != "default" {
            problem(
                "theme",
                format!("unknown theme `{}`", self.theme),
                "only the built-in `default` theme exists; override its templates in templates/ instead",
            );
        }
        if let Err(why) = crate::model::base_url::check_base_url(&self.base_url) {
            problem(
                "base_url",
                why,
                "set base_url (or pass --base-url) to the absolute http(s) URL the site is published at, e.g. \"https://kb.example.com/\"",
            );
        }
        let mut paths = std::collections::HashSet::new();
        for path in &self.reading_paths {
            if let Err(why) = crate::model::slug::check_slug(&path.slug) {
                problem(
                    "slug",
                    format!("reading path slug `{}` {why}", path.slug),
                    "use lowercase words joined by dashes, e.g. \"start-here\"",
                );
            }
            if !paths.insert(path.slug.clone()) {
                problem(
                    "slug",
                    format!("two reading paths have the slug `{}`", path.slug),
                    "give each reading path its own slug",
                );
            }
        }
        if self.lists.page_size == 0 {
            problem(
                "page_size",
                "`page_size` is 0".into(),
                "use a positive number of postmortems per page, e.g. 50",
            );
        }
        if self.output_dir.trim().is_empty() {
            problem(
                "output_dir",
                "`output_dir` is empty".into(),
                "remove it to use `public`, or name a folder",
            );
        }
        problems
    }

    /// The configured description of a tag, found by key or by slug (`Stuff I Broke` finds
    /// `[tags.stuff-i-broke]`).
    pub fn described_tag(&self, tag: &str) -> Option<&DescribedTerm> {
        described(&self.tags, &self.slug_keys().0, tag)
    }

    /// The configured description of a lesson theme, found by key or by slug.
    pub fn described_theme(&self, theme: &str) -> Option<&DescribedTerm> {
        described(&self.lesson_themes, &self.slug_keys().1, theme)
    }

    /// Display title of a tag: the configured one, else the tag itself.
    /// (The configured tag is found by slug: `Stuff I Broke` finds `stuff-i-broke`.)
    pub fn tag_title(&self, tag: &str) -> String {
        self.described_tag(tag).and_then(|t| t.title.clone()).unwrap_or_else(|| tag.to_string())
    }

    /// Display title of a lesson theme: the configured one, else the theme slug.
    pub fn theme_title(&self, theme: &str) -> String {
        self.described_theme(theme)
            .and_then(|t| t.title.clone())
            .unwrap_or_else(|| theme.to_string())
    }

    fn slug_keys(&self) -> &(HashMap<String, String>, HashMap<String, String>) {
        self.slugs.get_or_init(|| {
            let index = |terms: &BTreeMap<String, DescribedTerm>| {
                terms.keys().map(|k| (crate::model::slug::slugify(k), k.clone())).collect()
            };
            (index(&self.tags), index(&self.lesson_themes))
        })
    }
}

/// The configured term `name` names: by key, else by slug (`by_slug`: slug → key).
fn described<'c>(
    terms: &'c BTreeMap<String, DescribedTerm>,
    by_slug: &HashMap<String, String>,
    name: &str,
) -> Option<&'c DescribedTerm> {
    terms
        .get(name)
        .or_else(|| by_slug.get(&crate::model::slug::slugify(name)).and_then(|k| terms.get(k)))
}

/// Best-effort span of `key = ` in a TOML text, for pointing at a validation problem.
fn find_key(text: &str, key: &str) -> std::ops::Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let start = offset + (line.len() - trimmed.len());
            return start..start + key.len();
        }
        offset += line.len();
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_config_gets_defaults() {
        let c = SiteConfig::parse(
            "title = \"KB\"\nbase_url = \"https://kb.example\"\n",
            Mode::Build,
            None,
        )
        .unwrap();
        assert_eq!(c.severities, ["SEV1", "SEV2", "SEV3", "SEV4"]);
        assert_eq!(c.default_visibility, "internal");
        assert_eq!(c.output_dir, "public");
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let e = SiteConfig::parse(
            "title = \"KB\"\nbase_url = \"https://kb.example\"\ntitel = 1\n",
            Mode::Build,
            None,
        )
        .unwrap_err();
        let loc = e[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.column), (3, 1));
        assert!(e[0].message.contains("titel"), "{}", e[0].message);
    }

    #[test]
    fn invalid_values_are_reported_together() {
        let e = SiteConfig::parse(
            "title = \"KB\"\nbase_url = \"ftp://x\"\ndefault_visibility = \"secret\"\n",
            Mode::Build,
            None,
        )
        .unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e.iter().map(|d| d.location.as_ref().unwrap().line).collect::<Vec<_>>(), [3, 2]);
    }
}
