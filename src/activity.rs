//! Where a build's time goes inside its stages, for `build --timings`: parsing, rendering and
//! writing run in parallel and overlap, so a stage's wall time does not say how much of it was
//! highlighting, templates or file writes. Code marks those activities with [`enter`]; each
//! thread's time in them is summed, exclusive of nested activities (time in highlighting is
//! not also counted as markdown), into process-wide totals read by [`totals`].
//!
//! The time is elapsed time on the thread, not CPU time: a thread that waits for a core (the
//! writer thread runs beside one rendering thread per core) or for the disk counts that wait
//! to the activity it is in. Reading each thread's CPU clock instead would cost a system call
//! per mark, which at 100,000 postmortems adds up to a noticeable share of what is measured.
//!
//! Off until [`enable`] is called (one `Instant::now` pair per marked region then, a few
//! hundred thousand in a build of 10,000 postmortems): the totals are for one build per
//! process, the CLI's.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A kind of work measured inside the build's stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// Reading postmortem files.
    ReadSources,
    /// Splitting and parsing front matter.
    FrontMatter,
    /// Rendering markdown bodies to HTML (besides highlighting).
    Markdown,
    /// Highlighting code blocks (syntect).
    Highlight,
    /// Validating front matter into incidents (dates, timelines, actions, lessons).
    Validate,
    /// Analyzing text for search (tokenizing, stemming).
    SearchAnalysis,
    /// The checks of `hindsight check` (blameless language, secrets, completeness).
    Checks,
    /// Reading and writing the parse cache.
    ParseCache,
    /// Related incidents.
    Related,
    /// Gathering what a page shows into a template context.
    PageData,
    /// Running templates (tera).
    Templates,
    /// Producing the browser search index's files.
    SearchIndex,
    /// Writing, linking or checking output files (the writer thread).
    WriteFiles,
    /// Rendering threads blocked while the writer catches up.
    WaitForWriter,
}

impl Activity {
    /// Every activity, in the order `--timings` prints them.
    pub const ALL: [Activity; 14] = [
        Activity::ReadSources,
        Activity::FrontMatter,
        Activity::Markdown,
        Activity::Highlight,
        Activity::Validate,
        Activity::SearchAnalysis,
        Activity::Checks,
        Activity::ParseCache,
        Activity::Related,
        Activity::PageData,
        Activity::Templates,
        Activity::SearchIndex,
        Activity::WriteFiles,
        Activity::WaitForWriter,
    ];

    /// How `--timings` names it.
    pub fn name(self) -> &'static str {
        match self {
            Activity::ReadSources => "read sources",
            Activity::FrontMatter => "front matter",
            Activity::Markdown => "markdown",
            Activity::Highlight => "highlight",
            Activity::Validate => "validate",
            Activity::SearchAnalysis => "search analysis",
            Activity::Checks => "checks",
            Activity::ParseCache => "parse cache",
            Activity::Related => "related incidents",
            Activity::PageData => "page data",
            Activity::Templates => "templates",
            Activity::SearchIndex => "search index files",
            Activity::WriteFiles => "write files",
            Activity::WaitForWriter => "wait for writer",
        }
    }
}

static ENABLED: AtomicBool = AtomicBool::new(false);
/// Nanoseconds per activity, in [`Activity::ALL`] order.
type Totals = [AtomicU64; Activity::ALL.len()];

static TOTALS: Totals = [const { AtomicU64::new(0) }; Activity::ALL.len()];

thread_local! {
    /// Nanoseconds spent in activities nested inside the current one on this thread.
    static NESTED: Cell<u64> = const { Cell::new(0) };
}

/// Start measuring (see the module documentation).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Time summed over threads per activity since [`enable`], in [`Activity::ALL`] order.
pub fn totals() -> Vec<(Activity, Duration)> {
    read(&TOTALS)
}

fn read(totals: &Totals) -> Vec<(Activity, Duration)> {
    Activity::ALL
        .iter()
        .zip(totals)
        .map(|(&a, t)| (a, Duration::from_nanos(t.load(Ordering::Relaxed))))
        .collect()
}

/// Count the time until the returned guard drops as `activity` (when measuring is enabled).
#[must_use = "the activity is measured until the guard drops"]
pub fn enter(activity: Activity) -> Guard {
    if !ENABLED.load(Ordering::Relaxed) {
        return Guard { totals: &TOTALS, activity, started: None, outer_nested: 0 };
    }
    enter_into(&TOTALS, activity)
}

fn enter_into(totals: &'static Totals, activity: Activity) -> Guard {
    let outer_nested = NESTED.with(|n| n.replace(0));
    Guard { totals, activity, started: Some(Instant::now()), outer_nested }
}

/// Measures an activity until dropped; see [`enter`].
pub struct Guard {
    totals: &'static Totals,
    activity: Activity,
    started: Option<Instant>,
    /// The enclosing activity's nested time so far, restored (plus this one's) on drop.
    outer_nested: u64,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let Some(started) = self.started else { return };
        let took = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let nested = NESTED.with(|n| n.replace(self.outer_nested.saturating_add(took)));
        let index = Activity::ALL.iter().position(|&a| a == self.activity).unwrap_or(0);
        self.totals[index].fetch_add(took.saturating_sub(nested), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(totals: &Totals, activity: Activity) -> Duration {
        read(totals).into_iter().find(|(a, _)| *a == activity).map(|(_, d)| d).unwrap_or_default()
    }

    #[test]
    fn nested_time_counts_only_for_the_inner_activity() {
        // Totals of its own: other tests mark activities in the process-wide ones.
        static OWN: Totals = [const { AtomicU64::new(0) }; Activity::ALL.len()];
        {
            let _outer = enter_into(&OWN, Activity::Markdown);
            let _inner = enter_into(&OWN, Activity::Highlight);
            std::thread::sleep(Duration::from_millis(50));
        }
        {
            let _alone = enter_into(&OWN, Activity::Templates);
            std::thread::sleep(Duration::from_millis(10));
        }
        let (outer, inner) = (total(&OWN, Activity::Markdown), total(&OWN, Activity::Highlight));
        assert!(inner >= Duration::from_millis(50), "{inner:?}");
        // Without nesting the outer one would hold the inner's 50 ms too.
        assert!(outer < inner / 2, "outer {outer:?}, inner {inner:?}");
        // A later activity on the thread starts from a clean slate.
        assert!(total(&OWN, Activity::Templates) >= Duration::from_millis(10));
        assert_eq!(total(&OWN, Activity::Checks), Duration::ZERO);
    }

    #[test]
    fn nothing_is_measured_until_enabled() {
        // `enable` is never called in unit tests, so the process-wide totals stay empty.
        {
            let _guard = enter(Activity::Related);
        }
        assert!(totals().iter().all(|(_, d)| d.is_zero()));
    }
}
