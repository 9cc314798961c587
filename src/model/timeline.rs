//! The incident timeline: start, detected, mitigated, resolved, and the durations between.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// When an incident started and reached each later milestone (all UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// `date`: when customer impact started.
    pub start: OffsetDateTime,
    /// When it was noticed.
    pub detected: Option<OffsetDateTime>,
    /// When impact stopped.
    pub mitigated: Option<OffsetDateTime>,
    /// When it was resolved.
    pub resolved: Option<OffsetDateTime>,
}

impl Timeline {
    /// Time to detect: `detected - date`.
    pub fn time_to_detect(&self) -> Option<Duration> {
        self.detected.map(|t| t - self.start)
    }

    /// Time to mitigate: `mitigated - date`.
    pub fn time_to_mitigate(&self) -> Option<Duration> {
        self.mitigated.map(|t| t - self.start)
    }

    /// Time to resolve: `resolved - date`.
    pub fn time_to_resolve(&self) -> Option<Duration> {
        self.resolved.map(|t| t - self.start)
    }

    /// The milestones that are set, in order, as (name, instant).
    pub fn milestones(&self) -> Vec<(&'static str, OffsetDateTime)> {
        let mut out = vec![("started", self.start)];
        out.extend(self.detected.map(|t| ("detected", t)));
        out.extend(self.mitigated.map(|t| ("mitigated", t)));
        out.extend(self.resolved.map(|t| ("resolved", t)));
        out
    }
}
