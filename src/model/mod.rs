//! Stage 3: the validated model. [`Incident`] holds checked, typed values (a severity of the
//! site's scale, UTC instants, a safe slug) and the derived values every later stage reads
//! (durations, year, open and overdue actions), computed once here.

pub mod base_url;
pub mod body;
pub mod dates;
mod incident;
pub mod site;
pub mod slug;
mod timeline;
pub mod url_safety;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

pub use incident::{IncidentContext, build_incident};
pub use site::{BuildFilter, Referent, Site};
pub use timeline::Timeline;

use crate::load::Bundle;

/// A severity of the site's scale.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Severity {
    /// Position in the scale: 0 is the most severe.
    pub rank: usize,
    /// The name as configured, e.g. `SEV1`.
    pub name: String,
}

/// Where a postmortem is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being written; left out unless `--drafts`.
    Draft,
    /// Being reviewed; left out unless `--drafts`.
    Review,
    /// Published.
    Published,
}

impl Status {
    /// Parse the front-matter value.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "draft" => Some(Status::Draft),
            "review" => Some(Status::Review),
            "published" => Some(Status::Published),
            _ => None,
        }
    }

    /// The front-matter spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Published => "published",
        }
    }
}

/// Who may read a postmortem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Only on the internal site.
    Internal,
    /// Also on a `--public` build.
    Public,
}

impl Visibility {
    /// Parse the front-matter value.
    pub fn parse(text: &str) -> Option<Visibility> {
        match text {
            "internal" => Some(Visibility::Internal),
            "public" => Some(Visibility::Public),
            _ => None,
        }
    }
}

/// The state of a follow-up action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    /// Still to do.
    Open,
    /// Done.
    Done,
    /// Decided against.
    Wontfix,
}

impl ActionStatus {
    /// Parse the front-matter value.
    pub fn parse(text: &str) -> Option<ActionStatus> {
        match text {
            "open" => Some(ActionStatus::Open),
            "done" => Some(ActionStatus::Done),
            "wontfix" => Some(ActionStatus::Wontfix),
            _ => None,
        }
    }

    /// The front-matter spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
            ActionStatus::Wontfix => "wontfix",
        }
    }
}

/// A lesson, filed under a learning theme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    /// Theme slug (a key of `[lesson_themes]`).
    pub theme: String,
    /// What we learned.
    pub text: String,
}

/// A follow-up action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// What is to be done.
    pub title: String,
    /// The owning team, if named.
    pub owner: Option<String>,
    /// Open, done or won't fix.
    pub status: ActionStatus,
    /// When it is due.
    pub due: Option<Date>,
    /// Tracker link (http, https or mailto only).
    pub url: Option<String>,
    /// Derived: open and due before the build date.
    pub overdue: bool,
}

/// A reference to another postmortem by slug, remembered with its location so that a
/// reference to nothing can be reported once every slug is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The slug (or file stem) as written.
    pub slug: String,
    /// Where it was written.
    #[serde(with = "crate::diagnostics::location_with_span")]
    pub location: crate::diagnostics::Location,
}

/// A validated postmortem. Its serde form is what the parse cache keeps (see
/// [`crate::parse_cache`]); pages and exports have their own views.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Incident {
    /// Path of the source file relative to the root.
    pub source: String,
    /// The bundle this postmortem is the `index.md` of.
    pub bundle: Option<Bundle>,
    /// URL segment: the page lives at `postmortems/<slug>/`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// When impact started, and the later milestones.
    pub timeline: Timeline,
    /// Severity, when rated.
    pub severity: Option<Severity>,
    /// Draft, review or published.
    pub status: Status,
    /// Internal or public.
    pub visibility: Visibility,
    /// The written summary, or the body's first paragraph.
    pub summary: String,
    /// Services involved.
    pub services: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Authoring teams.
    pub authors: Vec<String>,
    /// Old URLs, as output paths of redirect pages (`old/url/index.html`).
    pub aliases: Vec<String>,
    /// Explicitly related postmortems, as written (slugs), with where they were written.
    pub related: Vec<Reference>,
    /// Customer impact, in words.
    pub impact: Option<String>,
    /// Lessons learned.
    pub lessons: Vec<Lesson>,
    /// Follow-up actions.
    pub actions: Vec<Action>,
    /// `[extra]`, untouched.
    #[serde(with = "extra_as_json")]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The rendered body.
    pub body: body::Body,
    /// The analyzed text, for search and related incidents.
    pub search: crate::search::document::DocTerms,
}

impl Incident {
    /// The rendered body's HTML (link placeholders unresolved), or why it could not be read
    /// back from the build's scratch file (see [`body::BodyStore`]).
    pub fn body_html(&self) -> Result<String, String> {
        self.body.html().map_err(|e| self.unreadable_body(e))
    }

    /// The body's plain text, or why it could not be read back (see [`Incident::body_html`]).
    pub fn body_text(&self) -> Result<String, String> {
        self.body.text().map_err(|e| self.unreadable_body(e))
    }

    fn unreadable_body(&self, e: std::io::Error) -> String {
        format!("cannot read back the body of {} from the scratch file: {e}", self.source)
    }

    /// Year impact started.
    pub fn year(&self) -> i32 {
        self.timeline.start.year()
    }

    /// When impact started.
    pub fn date(&self) -> OffsetDateTime {
        self.timeline.start
    }

    /// Number of open actions.
    pub fn open_actions(&self) -> usize {
        self.actions.iter().filter(|a| a.status == ActionStatus::Open).count()
    }

    /// Number of overdue actions.
    pub fn overdue_actions(&self) -> usize {
        self.actions.iter().filter(|a| a.overdue).count()
    }

    /// Output path of the page, relative to the output folder.
    pub fn output_path(&self) -> String {
        format!("postmortems/{}/index.html", self.slug)
    }

    /// URL path of the page relative to the site root (`postmortems/<slug>/`).
    pub fn url_path(&self) -> String {
        format!("postmortems/{}/", self.slug)
    }
}

/// `[extra]` as one JSON string: compact binary formats cannot hold a self-describing
/// `serde_json::Value`.
mod extra_as_json {
    use serde::{Deserialize, Deserializer, Serializer};

    type Extra = serde_json::Map<String, serde_json::Value>;

    pub(super) fn serialize<S: Serializer>(extra: &Extra, s: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_string(extra).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&json)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Extra, D::Error> {
        let json = String::deserialize(d)?;
        serde_json::from_str(&json).map_err(serde::de::Error::custom)
    }
}
