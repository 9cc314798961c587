//! Related incidents: the explicit `related` list first, then the most similar others, each
//! with the reason ("same service: payments-api; also taught: repair-data").
//!
//! Why not tantivy's more-like-this: running it once per postmortem is a query per document
//! against the whole index (about 18 s at 10,000 postmortems, growing faster than linearly).
//! Instead each postmortem becomes a sparse vector of features (its services, tags, lesson
//! themes and its dozen most distinctive words by tf-idf), and candidates come from an
//! inverted index of those features. A feature shared by very many postmortems (a common tag)
//! contributes only its nearest-in-time postings, so the work per postmortem is bounded and
//! the whole computation is linear in the number of postmortems, in parallel.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::activity::{self, Activity};
use crate::config::SiteConfig;
use crate::diagnostics::{Code, Diagnostic, Mode};
use crate::model::slug::slugify;
use crate::model::{Incident, Referent, Site};
use crate::search::analyzer::term_of_folded;
use crate::search::document::SearchVocabulary;

/// Most related postmortems shown.
pub const MAX_RELATED: usize = 5;
/// Most postings of one feature scanned per postmortem.
const POSTING_WINDOW: usize = 256;
/// Distinctive words kept per postmortem.
const TEXT_FEATURES: usize = 12;

/// Why two postmortems are related.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    /// Index into `site.incidents`.
    pub incident: usize,
    /// Human-readable reason.
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Service,
    Theme,
    Tag,
    Word,
}

impl Kind {
    fn weight(self) -> f32 {
        match self {
            Kind::Service => 3.0,
            Kind::Theme => 2.0,
            Kind::Tag => 1.5,
            Kind::Word => 1.0,
        }
    }
}

/// A postmortem's features: (feature id, weight in this postmortem).
type Features = Vec<(u32, f32)>;

struct FeatureTable {
    /// Feature id → (kind, display name).
    names: Vec<(Kind, String)>,
    /// Feature id → (incident, weight) of the incidents having it, ascending (newest first).
    postings: Vec<Vec<(u32, f32)>>,
    /// Incident → features.
    features: Vec<Features>,
}

/// A postmortem's services, lesson themes and tags: (kind, slug, display name).
type Categorical = Vec<(Kind, String, String)>;

/// See [`Categorical`].
fn categorical(incident: &Incident, config: &SiteConfig) -> Categorical {
    let mut out = Vec::new();
    out.extend(incident.services.iter().map(|s| (Kind::Service, slugify(s), s.clone())));
    out.extend(
        incident
            .lessons
            .iter()
            .map(|l| (Kind::Theme, slugify(&l.theme), config.theme_title(&l.theme))),
    );
    out.extend(incident.tags.iter().map(|t| (Kind::Tag, slugify(t), config.tag_title(t))));
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    out
}

/// How much a word counts per field (title, meta, lessons, summary, body); tags and services
/// are features of their own, so the meta field adds nothing.
const FIELD_WEIGHTS: [u32; 5] = [3, 0, 2, 2, 1];

/// Word frequencies of an incident from its analyzed text: (term id, weighted count).
fn word_counts(incident: &Incident, vocabulary: &SearchVocabulary) -> Vec<(u32, u32)> {
    let mut counts: Vec<(u32, u32)> = Vec::new();
    for e in incident.search.entries() {
        let weight = FIELD_WEIGHTS[usize::from(e.field)];
        let term = &*vocabulary.terms[e.term as usize];
        if weight == 0 || term.len() <= 2 || !term.chars().any(char::is_alphabetic) {
            continue;
        }
        // Entries are sorted by term, so equal terms of several fields are adjacent.
        match counts.last_mut() {
            Some((t, c)) if *t == e.term => *c += weight * u32::from(e.tf),
            _ => counts.push((e.term, weight * u32::from(e.tf))),
        }
    }
    counts
}

/// Words as written, sorted, to show a stem ("balanc") as a word ("balance").
struct SurfaceIndex<'v> {
    sorted: Vec<&'v str>,
}

impl<'v> SurfaceIndex<'v> {
    fn new(vocabulary: &'v SearchVocabulary) -> SurfaceIndex<'v> {
        let mut sorted: Vec<&str> = vocabulary.surfaces.iter().map(|s| &**s).collect();
        sorted.par_sort_unstable();
        SurfaceIndex { sorted }
    }

    /// The shortest word starting with `term` that stems to it, else `term` itself.
    fn display(&self, term: &str) -> String {
        let start = self.sorted.partition_point(|w| *w < term);
        self.sorted[start..]
            .iter()
            .take_while(|w| w.starts_with(term))
            .take(32)
            .filter(|w| term_of_folded(w).as_deref() == Some(term))
            .min_by_key(|w| (w.len(), **w))
            .map_or_else(|| term.to_string(), |w| w.to_string())
    }
}

fn build_table(site: &Site, vocabulary: &SearchVocabulary) -> FeatureTable {
    let n = site.incidents.len();
    let words: Vec<Vec<(u32, u32)>> = site
        .incidents
        .par_iter()
        .map(|i| {
            let _time = activity::enter(Activity::Related);
            word_counts(i, vocabulary)
        })
        .collect();
    // Document frequency of words, to keep each postmortem's most distinctive ones.
    let mut df = vec![0u32; vocabulary.terms.len()];
    for w in &words {
        for &(term, _) in w {
            df[term as usize] += 1;
        }
    }
    // Per postmortem, in parallel: its categorical features, and its most distinctive words
    // (best first; ties by the word) with their tf-idf.
    let by_score = |a: &(u32, f32), b: &(u32, f32)| {
        b.1.total_cmp(&a.1)
            .then_with(|| vocabulary.terms[a.0 as usize].cmp(&vocabulary.terms[b.0 as usize]))
    };
    let picked: Vec<(Categorical, Vec<(u32, f32)>)> = site
        .incidents
        .par_iter()
        .zip(words)
        .map(|(incident, words)| {
            let _time = activity::enter(Activity::Related);
            let mut scored: Vec<(u32, f32)> = words
                .iter()
                .filter(|(term, _)| df[*term as usize] > 1)
                .map(|&(term, tf)| {
                    let idf = ((n as f32) / df[term as usize] as f32).ln();
                    (term, (1.0 + (tf as f32).ln()) * idf)
                })
                .collect();
            if scored.len() > TEXT_FEATURES {
                scored.select_nth_unstable_by(TEXT_FEATURES, by_score);
                scored.truncate(TEXT_FEATURES);
            }
            scored.sort_by(by_score);
            (categorical(incident, &site.config), scored)
        })
        .collect();
    // Feature ids in order of first use (postmortem by postmortem, categorical features
    // first); a word feature's display name is found afterwards, in parallel.
    let mut ids: HashMap<(Kind, String), u32> = HashMap::new();
    let mut word_ids = vec![u32::MAX; vocabulary.terms.len()];
    let mut names: Vec<(Kind, String)> = Vec::new();
    let mut features: Vec<Features> = Vec::with_capacity(n);
    for (categorical, scored) in picked {
        let mut f: Features = Vec::with_capacity(categorical.len() + scored.len());
        for (kind, key, name) in categorical {
            let id = *ids.entry((kind, key)).or_insert_with(|| {
                names.push((kind, name));
                (names.len() - 1) as u32
            });
            f.push((id, kind.weight()));
        }
        let norm = scored.iter().map(|(_, s)| s * s).sum::<f32>().sqrt().max(1e-6);
        for (term, s) in scored {
            let id = &mut word_ids[term as usize];
            if *id == u32::MAX {
                names.push((Kind::Word, vocabulary.terms[term as usize].to_string()));
                *id = (names.len() - 1) as u32;
            }
            f.push((*id, Kind::Word.weight() * s / norm));
        }
        features.push(f);
    }
    let surfaces = SurfaceIndex::new(vocabulary);
    names.par_iter_mut().filter(|(kind, _)| *kind == Kind::Word).for_each(|(_, name)| {
        let _time = activity::enter(Activity::Related);
        *name = surfaces.display(name);
    });
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); names.len()];
    for (i, f) in features.iter().enumerate() {
        for &(id, weight) in f {
            postings[id as usize].push((i as u32, weight));
        }
    }
    FeatureTable { names, postings, features }
}

impl FeatureTable {
    fn idf(&self, feature: u32, n: usize) -> f32 {
        let df = self.postings[feature as usize].len().max(1);
        (1.0 + n as f32 / df as f32).ln()
    }

    /// The best candidates for incident `i`, as (score, incident), best first.
    fn candidates(
        &self,
        i: usize,
        n: usize,
        scratch: &mut [f32],
        touched: &mut Vec<u32>,
    ) -> Vec<(f32, u32)> {
        for &(feature, weight) in &self.features[i] {
            let postings = &self.postings[feature as usize];
            let window = if postings.len() <= POSTING_WINDOW {
                postings.as_slice()
            } else {
                let at = postings.partition_point(|(other, _)| (*other as usize) < i);
                let start =
                    at.saturating_sub(POSTING_WINDOW / 2).min(postings.len() - POSTING_WINDOW);
                &postings[start..start + POSTING_WINDOW]
            };
            let idf = self.idf(feature, n);
            for &(other, other_weight) in window {
                if other as usize == i {
                    continue;
                }
                if scratch[other as usize] == 0.0 {
                    touched.push(other);
                }
                scratch[other as usize] += weight.min(other_weight) * idf;
            }
        }
        let mut scored: Vec<(f32, u32)> =
            touched.iter().map(|&o| (scratch[o as usize], o)).collect();
        for &o in touched.iter() {
            scratch[o as usize] = 0.0;
        }
        touched.clear();
        // The best few in order (a total order: score, then index), without sorting the rest.
        let best_first = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > MAX_RELATED * 2 {
            scored.select_nth_unstable_by(MAX_RELATED * 2, best_first);
            scored.truncate(MAX_RELATED * 2);
        }
        scored.sort_by(best_first);
        scored
    }

    /// "same service: payments-api; also taught: repair-data" for two incidents.
    fn reason(&self, a: usize, b: usize) -> String {
        let shared: Vec<u32> = self.features[a]
            .iter()
            .filter(|(f, _)| self.features[b].iter().any(|(g, _)| g == f))
            .map(|(f, _)| *f)
            .collect();
        let mut parts = Vec::new();
        for (kind, label) in [
            (Kind::Service, "same service"),
            (Kind::Theme, "also taught"),
            (Kind::Tag, "also tagged"),
            (Kind::Word, "similar wording"),
        ] {
            let names: Vec<&str> = shared
                .iter()
                .map(|&f| &self.names[f as usize])
                .filter(|(k, _)| *k == kind)
                .map(|(_, name)| name.as_str())
                .take(3)
                .collect();
            if !names.is_empty() {
                parts.push(format!("{label}: {}", names.join(", ")));
            }
        }
        parts.join("; ")
    }
}

/// Related postmortems of every incident (explicit first), and problems with `related` lists.
pub fn derive_related(
    site: &Site,
    vocabulary: &SearchVocabulary,
    mode: Mode,
) -> (Vec<Vec<Related>>, Vec<Diagnostic>) {
    let n = site.incidents.len();
    let mut diagnostics = Vec::new();
    let mut explicit: Vec<Vec<Related>> = vec![Vec::new(); n];
    for (i, incident) in site.incidents.iter().enumerate() {
        for reference in &incident.related {
            match site.resolve(&reference.slug) {
                Referent::Published(j) if j != i => {
                    if !explicit[i].iter().any(|r| r.incident == j) {
                        explicit[i].push(Related { incident: j, reason: "listed as related".into() });
                    }
                }
                Referent::Published(_) | Referent::Unpublished => {}
                Referent::Unknown => diagnostics.push(
                    Diagnostic::new(Code::UnknownReference, mode, format!("`related` names `{}`, which is not a postmortem", reference.slug))
                        .help("use the other postmortem's slug (its file name without .md, or its `slug`)")
                        .at(reference.location.clone()),
                ),
            }
        }
    }
    if !mode.renders() {
        return (explicit, diagnostics);
    }
    // Listing is one-way in the files, but a reader of either page wants the other.
    let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, list) in explicit.iter().enumerate() {
        for r in list {
            reverse[r.incident].push(i);
        }
    }
    // The parallel parts are measured item by item (on whichever thread runs them).
    let time = activity::enter(Activity::Related);
    let table = build_table(site, vocabulary);
    drop(time);
    let related = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0.0f32; n], Vec::new()),
            |(scratch, touched), i| {
                let _time = activity::enter(Activity::Related);
                let mut list = explicit[i].clone();
                for &j in &reverse[i] {
                    if list.len() < MAX_RELATED && !list.iter().any(|r| r.incident == j) {
                        list.push(Related {
                            incident: j,
                            reason: "lists this one as related".into(),
                        });
                    }
                }
                for (score, j) in table.candidates(i, n, scratch, touched) {
                    if list.len() >= MAX_RELATED {
                        break;
                    }
                    let j = j as usize;
                    if score < 1.0 || list.iter().any(|r| r.incident == j) {
                        continue;
                    }
                    list.push(Related { incident: j, reason: table.reason(i, j) });
                }
                list.truncate(MAX_RELATED.max(explicit[i].len()));
                list
            },
        )
        .collect();
    (related, diagnostics)
}
