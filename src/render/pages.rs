//! The pages of a site: one [`Page`] per output file, each rendered independently (so in
//! parallel) from a shared, read-only [`RenderContext`].

use serde::Serialize;
use tera::{Context, Tera, Value};

use super::view::{IncidentCard, SiteView};
use crate::activity::{self, Activity};
use crate::derive::Derived;
use crate::model::{Incident, Site};

/// A taxonomy: a way of grouping postmortems with a page per term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Taxonomy {
    /// `tags/<slug>/`.
    Tags,
    /// `services/<slug>/`.
    Services,
    /// `severity/<slug>/`.
    Severities,
    /// `years/<yyyy>/`.
    Years,
}

impl Taxonomy {
    /// Every taxonomy.
    pub const ALL: [Taxonomy; 4] =
        [Taxonomy::Tags, Taxonomy::Services, Taxonomy::Severities, Taxonomy::Years];

    /// URL segment of the taxonomy.
    pub fn segment(self) -> &'static str {
        match self {
            Taxonomy::Tags => "tags",
            Taxonomy::Services => "services",
            Taxonomy::Severities => "severity",
            Taxonomy::Years => "years",
        }
    }

    /// Plural display name.
    pub fn title(self) -> &'static str {
        match self {
            Taxonomy::Tags => "Tags",
            Taxonomy::Services => "Services",
            Taxonomy::Severities => "Severities",
            Taxonomy::Years => "Years",
        }
    }

    /// Template of a term's page, and of the index.
    pub fn templates(self) -> (&'static str, &'static str) {
        match self {
            Taxonomy::Tags => ("tag.html", "tags.html"),
            Taxonomy::Services => ("service.html", "services.html"),
            Taxonomy::Severities => ("severity.html", "severities.html"),
            Taxonomy::Years => ("year.html", "years.html"),
        }
    }

    /// The terms of this taxonomy.
    pub fn terms(self, derived: &Derived) -> &[crate::derive::Term] {
        match self {
            Taxonomy::Tags => &derived.tags,
            Taxonomy::Services => &derived.services,
            Taxonomy::Severities => &derived.severities,
            Taxonomy::Years => &derived.years,
        }
    }
}

/// One output file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    /// `index.html`.
    Home,
    /// `postmortems/index.html` and its further pages.
    PostmortemIndex {
        /// 1-based page number.
        page: usize,
    },
    /// `postmortems/<slug>/index.html`, by index into `site.incidents`.
    Incident(usize),
    /// `tags/index.html`, `services/index.html`...
    TaxonomyIndex(Taxonomy),
    /// `tags/<slug>/index.html` and its further pages.
    Term {
        /// Which taxonomy.
        taxonomy: Taxonomy,
        /// Index into the taxonomy's terms.
        term: usize,
        /// 1-based page number.
        page: usize,
    },
    /// `lessons/index.html`.
    LessonsIndex,
    /// `lessons/<theme>/index.html` and its further pages, by index into the themes.
    Theme {
        /// Index into the themes.
        theme: usize,
        /// 1-based page number.
        page: usize,
    },
    /// `paths/index.html`.
    PathsIndex,
    /// `paths/<slug>/index.html`, by index into the reading paths.
    Path(usize),
    /// `actions/index.html`, its further pages, and (on a knowledge base with more actions
    /// than fit one page) the pages of one status or one owner.
    Actions {
        /// Which actions.
        filter: ActionFilter,
        /// 1-based page number.
        page: usize,
    },
    /// `stats/index.html`.
    Stats,
    /// `on-this-day/index.html`.
    OnThisDay,
    /// `search/index.html`: the search page.
    Search,
    /// `404.html`.
    NotFound,
    /// A redirect page at an alias path, to an incident.
    Alias {
        /// Output path of the redirect page.
        path: String,
        /// Index of the incident it redirects to.
        incident: usize,
    },
    /// `atom.xml`, or `tags/<slug>/atom.xml` for a tag.
    Feed {
        /// The tag, by index into the tags; `None` for the whole site.
        tag: Option<usize>,
    },
    /// `sitemap.xml`.
    Sitemap,
    /// `postmortems.json`.
    Json,
}

/// Which actions a page of the tracker lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionFilter {
    /// Every action.
    All,
    /// One owner's, by index into the derived owners.
    Owner(usize),
}

impl ActionFilter {
    /// The URL of the filter's first page.
    pub fn base_url(self, derived: &Derived) -> String {
        match self {
            ActionFilter::All => "actions/".into(),
            ActionFilter::Owner(o) => format!("actions/owners/{}/", derived.action_owners[o].slug),
        }
    }

    /// Indices into the derived actions that the filter keeps, in tracker order.
    pub fn actions(self, derived: &Derived) -> Vec<usize> {
        match self {
            ActionFilter::All => (0..derived.actions.len()).collect(),
            ActionFilter::Owner(o) => derived.action_owners[o].actions.clone(),
        }
    }
}

/// Lessons per page of a learning theme: two list pages' worth.
pub fn lessons_page_size(site: &Site) -> usize {
    site.config.lists.page_size.max(1) * 2
}

/// Rows per page of the action tracker: four list pages' worth.
pub fn actions_page_size(site: &Site) -> usize {
    site.config.lists.page_size.max(1) * 4
}

/// `base/` for page 1, `base/page/N/` after.
pub fn paged_url(base: &str, page: usize) -> String {
    if page <= 1 { base.to_string() } else { format!("{base}page/{page}/") }
}

/// Number of pages for `items` items.
pub fn page_count(items: usize, page_size: usize) -> usize {
    items.div_ceil(page_size.max(1)).max(1)
}

impl Page {
    /// URL relative to the site root (`tags/dns/`, `atom.xml`).
    pub fn url(&self, site: &Site, derived: &Derived) -> String {
        match self {
            Page::Home => String::new(),
            Page::PostmortemIndex { page } => paged_url("postmortems/", *page),
            Page::Incident(i) => site.incidents[*i].url_path(),
            Page::TaxonomyIndex(t) => format!("{}/", t.segment()),
            Page::Term { taxonomy, term, page } => paged_url(
                &format!("{}/{}/", taxonomy.segment(), taxonomy.terms(derived)[*term].slug),
                *page,
            ),
            Page::LessonsIndex => "lessons/".into(),
            Page::Theme { theme, page } => {
                paged_url(&format!("lessons/{}/", derived.themes[*theme].slug), *page)
            }
            Page::PathsIndex => "paths/".into(),
            Page::Path(p) => format!("paths/{}/", derived.paths[*p].slug),
            Page::Actions { filter, page } => paged_url(&filter.base_url(derived), *page),
            Page::Stats => "stats/".into(),
            Page::OnThisDay => "on-this-day/".into(),
            Page::Search => "search/".into(),
            Page::NotFound => "404.html".into(),
            Page::Alias { path, .. } => path.strip_suffix("index.html").unwrap_or(path).to_string(),
            Page::Feed { tag: None } => "atom.xml".into(),
            Page::Feed { tag: Some(t) } => format!("tags/{}/atom.xml", derived.tags[*t].slug),
            Page::Sitemap => "sitemap.xml".into(),
            Page::Json => "postmortems.json".into(),
        }
    }

    /// Output path relative to the output folder.
    pub fn output_path(&self, site: &Site, derived: &Derived) -> String {
        if let Page::Alias { path, .. } = self {
            return path.clone();
        }
        let url = self.url(site, derived);
        if url.is_empty() || url.ends_with('/') { format!("{url}index.html") } else { url }
    }

    /// What produced the page, for collision messages.
    pub fn origin(&self, site: &Site, derived: &Derived) -> String {
        match self {
            Page::Incident(i) => site.incidents[*i].source.clone(),
            Page::Alias { incident, .. } => {
                format!("an alias of {}", site.incidents[*incident].source)
            }
            _ => format!("the generated page {}", self.output_path(site, derived)),
        }
    }

    /// Whether the page is an HTML page a reader browses to (not a redirect, feed or data).
    pub fn is_html_page(&self) -> bool {
        !matches!(
            self,
            Page::Alias { .. } | Page::Feed { .. } | Page::Sitemap | Page::Json | Page::NotFound
        )
    }
}

/// Every page of the site, in a stable order.
pub fn plan_pages(site: &Site, derived: &Derived) -> Vec<Page> {
    let size = site.config.lists.page_size;
    let mut pages =
        vec![Page::Home, Page::NotFound, Page::Sitemap, Page::Json, Page::Feed { tag: None }];
    pages.extend(
        (1..=page_count(site.incidents.len(), size)).map(|page| Page::PostmortemIndex { page }),
    );
    pages.extend((0..site.incidents.len()).map(Page::Incident));
    for taxonomy in Taxonomy::ALL {
        pages.push(Page::TaxonomyIndex(taxonomy));
        for (term, t) in taxonomy.terms(derived).iter().enumerate() {
            pages.extend((1..=page_count(t.incidents.len(), size)).map(|page| Page::Term {
                taxonomy,
                term,
                page,
            }));
        }
    }
    pages.extend((0..derived.tags.len()).map(|t| Page::Feed { tag: Some(t) }));
    pages.push(Page::LessonsIndex);
    let lesson_size = lessons_page_size(site);
    for (theme, t) in derived.themes.iter().enumerate() {
        pages.extend(
            (1..=page_count(t.lessons.len(), lesson_size)).map(|page| Page::Theme { theme, page }),
        );
    }
    if !derived.paths.is_empty() {
        pages.push(Page::PathsIndex);
        pages.extend((0..derived.paths.len()).map(Page::Path));
    }
    let action_size = actions_page_size(site);
    let all_actions = derived.actions.len();
    pages.extend(
        (1..=page_count(all_actions, action_size))
            .map(|page| Page::Actions { filter: ActionFilter::All, page }),
    );
    // Filtering in the browser covers a tracker that fits one page; a longer one gets pages
    // per owner (each status is a run of the full list, so it needs no pages of its own).
    if all_actions > action_size {
        for filter in (0..derived.action_owners.len()).map(ActionFilter::Owner) {
            let count = filter.actions(derived).len();
            pages.extend(
                (1..=page_count(count, action_size)).map(|page| Page::Actions { filter, page }),
            );
        }
    }
    pages.extend([Page::Stats, Page::OnThisDay, Page::Search]);
    for (i, incident) in site.incidents.iter().enumerate() {
        pages.extend(
            incident.aliases.iter().map(|path| Page::Alias { path: path.clone(), incident: i }),
        );
    }
    pages
}

/// Every incident's card, in order. Cards sharing a tag, service or severity share its value
/// (tera values are reference-counted): one map per tag instead of one per card that shows it,
/// which at 100,000 postmortems is a few hundred MB less.
pub fn card_values(site: &Site) -> Vec<Value> {
    let mut shared: rustc_hash::FxHashMap<(&'static str, String), Value> =
        rustc_hash::FxHashMap::default();
    let mut share = |key: &'static str, item: &Value| -> Value {
        let name = item
            .as_map()
            .and_then(|m| m.get(&tera::value::Key::from("name")))
            .and_then(Value::as_str)
            .unwrap_or_default();
        shared.entry((key, name.to_string())).or_insert_with(|| item.clone()).clone()
    };
    site.incidents
        .iter()
        .map(|incident| {
            let card = card_value(incident, site);
            let Some(mut map) = card.as_map().cloned() else { return card };
            for key in ["tags", "services"] {
                let k = tera::value::Key::from(key);
                if let Some(items) = map.get(&k).and_then(Value::as_array) {
                    let items: Vec<Value> = items.iter().map(|item| share(key, item)).collect();
                    map.insert(k, Value::from(items));
                }
            }
            let k = tera::value::Key::from("severity");
            if let Some(severity) = map.get(&k).filter(|v| v.is_map()) {
                let severity = share("severity", severity);
                map.insert(k, severity);
            }
            Value::from(map)
        })
        .collect()
}

/// What every page render shares: compiled templates, the site, what was derived from it, and
/// each incident's card serialized once (tera values are reference-counted, so lists of cards
/// clone them cheaply).
pub struct RenderContext<'a> {
    /// Compiled templates.
    pub tera: Tera,
    /// The site.
    pub site: &'a Site,
    /// Taxonomies, themes, paths, related, stats.
    pub derived: &'a Derived,
    /// `site.incidents[i]`'s card as a template value.
    pub cards: Vec<Value>,
    /// The search manifest as JSON, inlined in the search page.
    pub search_manifest: String,
    /// What every action-tracker page shows of all actions, once computed.
    pub(super) action_summary: std::sync::OnceLock<super::page_views::ActionSummary>,
}

/// An incident's card (what lists show of it) as a template value.
pub fn card_value(incident: &Incident, site: &Site) -> Value {
    Value::from_serializable(&IncidentCard::new(incident, site))
}

/// Metadata of the page being rendered, as `page` in templates.
#[derive(Serialize)]
struct PageMeta<'p> {
    kind: &'p str,
    title: &'p str,
    description: &'p str,
    url: &'p str,
    section: &'p str,
}

/// Relative path from a page at `output_path` to the site root: `./` for `index.html`,
/// `../../` for `postmortems/x/index.html`.
pub fn root_of(output_path: &str) -> String {
    match output_path.matches('/').count() {
        0 => "./".to_string(),
        depth => "../".repeat(depth),
    }
}

impl<'a> RenderContext<'a> {
    /// Prepare the shared context.
    pub fn new(tera: Tera, site: &'a Site, derived: &'a Derived, search_manifest: String) -> Self {
        RenderContext::with_cards(tera, site, derived, search_manifest, card_values(site))
    }

    /// Prepare the shared context with cards made earlier (`serve` keeps them between
    /// rebuilds): `cards[i]` must be [`card_value`] of `site.incidents[i]`.
    pub fn with_cards(
        mut tera: Tera,
        site: &'a Site,
        derived: &'a Derived,
        search_manifest: String,
        cards: Vec<Value>,
    ) -> Self {
        tera.global_context().insert("site", &SiteView::new(site, derived));
        RenderContext {
            tera,
            site,
            derived,
            cards,
            search_manifest,
            action_summary: std::sync::OnceLock::new(),
        }
    }

    /// A template context with `root` and `page` set.
    pub fn context(&self, page: &Page, kind: &str, title: &str, description: &str) -> Context {
        let path = page.output_path(self.site, self.derived);
        let url = page.url(self.site, self.derived);
        let section = url.split('/').next().unwrap_or_default();
        let mut ctx = Context::new();
        ctx.insert("root", &root_of(&path));
        ctx.insert("page", &PageMeta { kind, title, description, url: &url, section });
        ctx
    }

    /// Render `template` with `ctx` to bytes.
    pub fn render_template(&self, template: &str, ctx: &Context) -> Result<Vec<u8>, String> {
        let _time = activity::enter(Activity::Templates);
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, ctx, &mut out)
            .map_err(|e| format!("{template}: {}", super::templates::error_chain(&e)))?;
        Ok(out)
    }

    /// Render `page` to bytes.
    pub fn render(&self, page: &Page) -> Result<Vec<u8>, String> {
        let _time = activity::enter(Activity::PageData);
        super::page_views::render_page(self, page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_paths() {
        assert_eq!(root_of("index.html"), "./");
        assert_eq!(root_of("postmortems/x/index.html"), "../../");
        assert_eq!(root_of("old/page.html"), "../");
    }

    #[test]
    fn paging() {
        assert_eq!(paged_url("tags/dns/", 1), "tags/dns/");
        assert_eq!(paged_url("tags/dns/", 3), "tags/dns/page/3/");
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
    }
}
