//! The pages of a site and how each is rendered: one [`Page`] per output file, rendered
//! independently (so in parallel) from a shared, read-only [`RenderContext`].

use serde::Serialize;
use tera::{Context, Tera, Value};

use super::view::{
    CardGroup, IncidentCard, IncidentView, SeverityCount, SeverityView, SiteView, severity_url,
};
use crate::model::Site;
use crate::render::markdown::resolve_links;

/// One page of output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    /// `index.html`.
    Home,
    /// `postmortems/index.html`: every postmortem by year.
    PostmortemIndex,
    /// `postmortems/<slug>/index.html`, by index into `site.incidents`.
    Incident(usize),
    /// `404.html`.
    NotFound,
    /// A redirect page at an alias path, to an incident.
    Alias {
        /// Output path of the redirect page.
        path: String,
        /// Index of the incident it redirects to.
        incident: usize,
    },
}

impl Page {
    /// Output path relative to the output folder.
    pub fn output_path(&self, site: &Site) -> String {
        match self {
            Page::Home => "index.html".into(),
            Page::PostmortemIndex => "postmortems/index.html".into(),
            Page::Incident(i) => site.incidents[*i].output_path(),
            Page::NotFound => "404.html".into(),
            Page::Alias { path, .. } => path.clone(),
        }
    }

    /// What produced the page, for collision messages.
    pub fn origin(&self, site: &Site) -> String {
        match self {
            Page::Incident(i) => site.incidents[*i].source.clone(),
            Page::Alias { incident, .. } => {
                format!("an alias of {}", site.incidents[*incident].source)
            }
            _ => format!("the generated page {}", self.output_path(site)),
        }
    }
}

/// Every page of `site`, in a stable order.
pub fn plan_pages(site: &Site) -> Vec<Page> {
    let mut pages = vec![Page::Home, Page::PostmortemIndex, Page::NotFound];
    pages.extend((0..site.incidents.len()).map(Page::Incident));
    for (i, incident) in site.incidents.iter().enumerate() {
        pages.extend(
            incident.aliases.iter().map(|path| Page::Alias { path: path.clone(), incident: i }),
        );
    }
    pages
}

/// What every page render shares: compiled templates, the site, and each incident's card,
/// serialized once (tera values are reference-counted, so lists clone them cheaply).
pub struct RenderContext<'a> {
    /// Compiled templates.
    pub tera: Tera,
    /// The site.
    pub site: &'a Site,
    /// `site.incidents[i]`'s card as a template value.
    pub cards: Vec<Value>,
}

/// Metadata of the page being rendered, as `page` in templates.
#[derive(Serialize)]
struct PageMeta<'p> {
    /// `home`, `incident`, `list`, `404`, `redirect`.
    kind: &'p str,
    /// Title for `<title>` and the heading.
    title: &'p str,
    /// Description for `<meta name=description>`.
    description: &'p str,
    /// URL relative to the site root.
    url: &'p str,
    /// First segment of the URL (`postmortems`, `tags`...), for highlighting the navigation.
    section: &'p str,
}

/// Relative path from a page at `output_path` to the site root: `../../` for
/// `postmortems/x/index.html`.
pub fn root_of(output_path: &str) -> String {
    match output_path.matches('/').count() {
        0 => "./".to_string(),
        depth => "../".repeat(depth),
    }
}

impl<'a> RenderContext<'a> {
    /// Prepare the shared context.
    pub fn new(mut tera: Tera, site: &'a Site) -> Self {
        tera.global_context().insert("site", &SiteView::new(site));
        let cards = site
            .incidents
            .iter()
            .map(|i| Value::from_serializable(&IncidentCard::new(i, site)))
            .collect();
        RenderContext { tera, site, cards }
    }

    fn context(&self, page: &Page, kind: &str, title: &str, description: &str) -> Context {
        let path = page.output_path(self.site);
        let url = path.strip_suffix("index.html").unwrap_or(&path);
        let mut ctx = Context::new();
        let section = url.split('/').next().unwrap_or_default();
        ctx.insert("root", &root_of(&path));
        ctx.insert("page", &PageMeta { kind, title, description, url, section });
        ctx
    }

    /// Render `page` to bytes.
    pub fn render(&self, page: &Page) -> Result<Vec<u8>, String> {
        let site = self.site;
        let (template, ctx) = match page {
            Page::Home => {
                let mut ctx =
                    self.context(page, "home", &site.config.title, &site.config.description);
                ctx.insert("recent", &self.cards.iter().take(12).collect::<Vec<_>>());
                ctx.insert("severity_counts", &self.severity_counts());
                ctx.insert("total", &site.incidents.len());
                ctx.insert(
                    "open_actions",
                    &site.incidents.iter().map(|i| i.open_actions()).sum::<usize>(),
                );
                ctx.insert(
                    "overdue_actions",
                    &site.incidents.iter().map(|i| i.overdue_actions()).sum::<usize>(),
                );
                ("index.html", ctx)
            }
            Page::PostmortemIndex => {
                let mut ctx = self.context(
                    page,
                    "list",
                    "All postmortems",
                    "Every postmortem, newest first.",
                );
                ctx.insert("groups", &self.groups_by_year((0..site.incidents.len()).collect()));
                ctx.insert("count", &site.incidents.len());
                ("list.html", ctx)
            }
            Page::Incident(i) => {
                let incident = &site.incidents[*i];
                let body = resolve_links(&incident.body, |link| site.url_of_source(&link.target));
                let view = IncidentView::new(site, *i, body);
                let mut ctx = self.context(page, "incident", &incident.title, &incident.summary);
                ctx.insert("incident", &view);
                ("incident.html", ctx)
            }
            Page::NotFound => {
                let ctx = self.context(page, "404", "Page not found", "");
                ("404.html", ctx)
            }
            Page::Alias { incident, .. } => {
                let target = &site.incidents[*incident];
                let mut ctx = self.context(page, "redirect", &target.title, "");
                ctx.insert("target", &target.url_path());
                ("redirect.html", ctx)
            }
        };
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, &ctx, &mut out)
            .map_err(|e| format!("{template}: {}", super::templates::error_chain(&e)))?;
        Ok(out)
    }

    fn severity_counts(&self) -> Vec<SeverityCount> {
        let site = self.site;
        site.config
            .severities
            .iter()
            .enumerate()
            .map(|(rank, name)| SeverityCount {
                severity: SeverityView { name: name.clone(), rank, url: severity_url(name) },
                count: site
                    .incidents
                    .iter()
                    .filter(|i| i.severity.as_ref().is_some_and(|s| s.rank == rank))
                    .count(),
            })
            .collect()
    }

    /// Cards of `indices` (newest first) grouped by year.
    fn groups_by_year(&self, indices: Vec<usize>) -> Vec<CardGroup> {
        let mut groups: Vec<CardGroup> = Vec::new();
        for i in indices {
            let year = self.site.incidents[i].year().to_string();
            match groups.last_mut() {
                Some(g) if g.title == year => g.items.push(self.cards[i].clone()),
                _ => groups.push(CardGroup {
                    id: format!("y{year}"),
                    title: year,
                    items: vec![self.cards[i].clone()],
                }),
            }
        }
        groups
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
}
