//! The query language, shared by `hindsight search` and the browser (`search.js` implements
//! the same rules; golden tests compare the two):
//!
//! - words are required (AND) and ranked; when fewer than [`FALLBACK_BELOW`] postmortems match
//!   every word, those matching most of the words follow, ranked lower;
//! - `"quoted phrases"` must appear as written;
//! - `-word` (or `-"a phrase"`) excludes;
//! - `tag:dns`, `service:payments`, `severity:SEV1`, `year:2024` filter (several values of one
//!   filter are alternatives; different filters all apply);
//! - the last word is a prefix while typing (unless the query ends with a space);
//! - a word of 5+ letters with no exact match tolerates one typo;
//! - operations abbreviations and synonyms expand (`k8s` finds Kubernetes).

use super::analyzer::{analyze, fold};
use crate::model::slug::slugify;

/// Below this many postmortems matching every word, partial matches are added.
pub const FALLBACK_BELOW: usize = 10;

/// A query word after analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The stemmed term.
    pub term: String,
    /// The folded word before stemming.
    pub surface: String,
    /// Whether the word is being typed (prefix matching).
    pub prefix: bool,
}

/// A phrase: terms at consecutive positions (stop words keep their slot: `gaps[i]` is the
/// position of term `i` relative to the first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrase {
    /// Stemmed terms.
    pub terms: Vec<String>,
    /// Position offsets from the first term.
    pub gaps: Vec<u32>,
}

/// The filters of a query.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Filters {
    /// Tag slugs (any).
    pub tags: Vec<String>,
    /// Service slugs (any).
    pub services: Vec<String>,
    /// Severity slugs (any).
    pub severities: Vec<String>,
    /// Years (any).
    pub years: Vec<i32>,
}

impl Filters {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
            && self.services.is_empty()
            && self.severities.is_empty()
            && self.years.is_empty()
    }
}

/// A parsed query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Ranked, required words.
    pub words: Vec<Word>,
    /// Required phrases.
    pub phrases: Vec<Phrase>,
    /// Excluded words and phrases.
    pub excluded: Vec<Phrase>,
    /// Filters.
    pub filters: Filters,
}

/// The phrase `text` analyzes to, if any word remains.
pub fn phrase_of(text: &str) -> Option<Phrase> {
    let mut terms = Vec::new();
    let mut gaps = Vec::new();
    let mut first = None;
    analyze(text, |t| {
        let base = *first.get_or_insert(t.position);
        gaps.push(t.position - base);
        terms.push(t.term);
    });
    (!terms.is_empty()).then_some(Phrase { terms, gaps })
}

/// Split a query into raw tokens: `"quoted text"` (with an optional leading `-`) stays one.
fn tokens(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in query.chars() {
        match c {
            '"' => {
                current.push(c);
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Parse `query`.
pub fn parse_query(query: &str) -> Query {
    let mut q = Query::default();
    let typing = !query.ends_with(char::is_whitespace);
    let raw = tokens(query);
    let last_plain = raw
        .iter()
        .rposition(|t| !t.starts_with('-') && !t.starts_with('"') && filter_of(t).is_none());
    for (i, token) in raw.iter().enumerate() {
        if let Some(rest) = token.strip_prefix('-').filter(|r| !r.is_empty()) {
            q.excluded.extend(phrase_of(rest.trim_matches('"')));
        } else if token.starts_with('"') {
            let inner = token.trim_matches('"');
            match phrase_of(inner) {
                Some(p) if p.terms.len() == 1 => q.words.push(Word {
                    term: p.terms[0].clone(),
                    surface: fold(inner.trim()),
                    prefix: false,
                }),
                Some(p) => q.phrases.push(p),
                None => {}
            }
        } else if let Some((key, value)) = filter_of(token) {
            match key {
                "tag" => q.filters.tags.push(slugify(value)),
                "service" => q.filters.services.push(slugify(value)),
                "severity" => q.filters.severities.push(slugify(value)),
                _ => q.filters.years.extend(value.parse::<i32>().ok()),
            }
        } else {
            let mut words = Vec::new();
            analyze(token, |t| {
                words.push(Word { term: t.term, surface: t.surface, prefix: false })
            });
            if typing
                && Some(i) == last_plain
                && let Some(last) = words.last_mut()
            {
                last.prefix = true;
            }
            q.words.extend(words);
        }
    }
    q
}

fn filter_of(token: &str) -> Option<(&'static str, &str)> {
    let (key, value) = token.split_once(':')?;
    if value.is_empty() {
        return None;
    }
    let key = match key.to_lowercase().as_str() {
        "tag" | "tags" => "tag",
        "service" | "services" => "service",
        "severity" | "sev" => "severity",
        "year" => "year",
        _ => return None,
    };
    Some((key, value))
}

/// Built-in groups of operations abbreviations and synonyms: any member finds the others.
pub const SYNONYMS: &[&[&str]] = &[
    &["k8s", "kubernetes"],
    &["cert", "certs", "certificate"],
    &["oom", "out of memory", "oomkilled", "memory exhaustion"],
    &["db", "database"],
    &["pg", "postgres", "postgresql"],
    &["lb", "load balancer"],
    &["tls", "ssl"],
    &["ttl", "time to live"],
    &["mem", "memory"],
    &["auth", "authentication"],
    &["authz", "authorization"],
    &["config", "configuration"],
    &["infra", "infrastructure"],
    &["prod", "production"],
    &["env", "environment"],
    &["az", "availability zone"],
    &["ddos", "denial of service"],
    &["cdn", "content delivery network"],
    &["mq", "message queue"],
    &["rollback", "revert", "roll back"],
    &["outage", "downtime", "disruption", "service interruption"],
    &["latency", "slowness"],
    &["deploy", "deployment", "rollout"],
    &["ci", "continuous integration"],
    &["vpn", "virtual private network"],
    // Spellings of one thing that the English stemmer keeps apart (`autoscaling` stems to
    // `autosc`, `autoscaler` to `autoscal`) or that are written as one word or two.
    &["autoscaling", "autoscaler", "autoscale", "auto scaling"],
    &["healthcheck", "health check"],
    &["failover", "fail over"],
    &["hotfix", "hot fix"],
    // Multi-word members also stand for consecutive query words: `fat finger` finds `typo`.
    &["typo", "mistyped", "fat finger", "wrong button", "keystroke", "key stroke"],
    &["rate limit", "throttling", "too many requests"],
    &["supply chain attack", "malicious package", "compromised package", "compromised dependency"],
];

/// The alternatives a synonym table gives `word`: phrases (a one-term phrase is a term), in
/// table order, without the word itself.
pub fn synonyms_of(word: &Word, table: &[Vec<String>]) -> Vec<Phrase> {
    let mut out: Vec<Phrase> = Vec::new();
    for group in table {
        let members: Vec<Phrase> = group.iter().filter_map(|m| phrase_of(m)).collect();
        let hit = group.iter().zip(&members).any(|(m, p)| {
            fold(m) == word.surface || (p.terms.len() == 1 && p.terms[0] == word.term)
        });
        if !hit {
            continue;
        }
        for p in members {
            let is_self = p.terms.len() == 1 && p.terms[0] == word.term;
            if !is_self && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Consecutive query words that spell a multi-word member of a synonym group (`fat finger`,
/// `supply chain attack`): the group's other members are alternatives for the words together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynonymSpan {
    /// Index of the first word in [`Query::words`].
    pub start: usize,
    /// Number of words.
    pub len: usize,
    /// The other members of the matching groups, in table order.
    pub alternatives: Vec<Phrase>,
}

/// The multi-word synonym spans of `words`, left to right, longest first, never overlapping.
/// Stop words are not query words, so `out of memory` spells the member `out of memory`.
pub fn synonym_spans(words: &[Word], table: &[Vec<String>]) -> Vec<SynonymSpan> {
    let groups: Vec<Vec<Phrase>> =
        table.iter().map(|g| g.iter().filter_map(|m| phrase_of(m)).collect()).collect();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let spells = |p: &Phrase| {
            p.terms.len() >= 2
                && p.terms.len() <= words.len() - i
                && p.terms.iter().zip(&words[i..]).all(|(t, w)| *t == w.term)
        };
        let len = groups.iter().flatten().filter(|p| spells(p)).map(|p| p.terms.len()).max();
        let Some(len) = len else {
            i += 1;
            continue;
        };
        let own = |p: &Phrase| p.terms.len() == len && spells(p);
        let mut alternatives: Vec<Phrase> = Vec::new();
        for group in &groups {
            if !group.iter().any(own) {
                continue;
            }
            for p in group {
                if !own(p) && !alternatives.contains(p) {
                    alternatives.push(p.clone());
                }
            }
        }
        spans.push(SynonymSpan { start: i, len, alternatives });
        i += len;
    }
    spans
}

/// The synonym table of a site: the built-in groups, then the configured ones.
pub fn synonym_table(configured: &[Vec<String>]) -> Vec<Vec<String>> {
    SYNONYMS
        .iter()
        .map(|g| g.iter().map(|s| s.to_string()).collect())
        .chain(configured.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &Query) -> Vec<(&str, bool)> {
        q.words.iter().map(|w| (w.term.as_str(), w.prefix)).collect()
    }

    #[test]
    fn words_phrases_exclusions_and_filters() {
        let q = parse_query(
            "cert expired \"out of memory\" -staging tag:DNS service:Payments-API severity:sev1 year:2024 year:x",
        );
        assert_eq!(
            words(&q),
            [("cert", false), ("expir", true)],
            "the last plain word is being typed"
        );
        assert_eq!(
            q.phrases,
            [Phrase { terms: vec!["out".into(), "memori".into()], gaps: vec![0, 2] }]
        );
        assert_eq!(q.excluded, [Phrase { terms: vec!["stage".into()], gaps: vec![0] }]);
        assert_eq!(
            q.filters,
            Filters {
                tags: vec!["dns".into()],
                services: vec!["payments-api".into()],
                severities: vec!["sev1".into()],
                years: vec![2024]
            }
        );
    }

    #[test]
    fn the_last_word_is_a_prefix_while_typing() {
        assert_eq!(words(&parse_query("certificate exp")), [("certif", false), ("exp", true)]);
        assert_eq!(words(&parse_query("certificate exp ")), [("certif", false), ("exp", false)]);
        assert_eq!(words(&parse_query("exp tag:dns")), [("exp", true)]);
        assert_eq!(words(&parse_query("\"exp\"")), [("exp", false)]);
    }

    #[test]
    fn synonyms_expand_both_ways() {
        let table = synonym_table(&[vec!["pager".into(), "on-call".into()]]);
        let k8s = Word { term: "k8s".into(), surface: "k8s".into(), prefix: false };
        assert_eq!(
            synonyms_of(&k8s, &table),
            [Phrase { terms: vec!["kubernet".into()], gaps: vec![0] }]
        );
        let kube = Word { term: "kubernet".into(), surface: "kubernetes".into(), prefix: false };
        assert_eq!(synonyms_of(&kube, &table)[0].terms, ["k8s"]);
        let oom = Word { term: "oom".into(), surface: "oom".into(), prefix: false };
        assert_eq!(
            synonyms_of(&oom, &table)[0],
            Phrase { terms: vec!["out".into(), "memori".into()], gaps: vec![0, 2] }
        );
        let pager = Word { term: "pager".into(), surface: "pager".into(), prefix: false };
        assert_eq!(
            synonyms_of(&pager, &table)[0],
            Phrase { terms: vec!["call".into()], gaps: vec![0] },
            "`on` is a stop word"
        );
    }

    #[test]
    fn consecutive_words_spelling_a_multi_word_synonym_form_a_span() {
        let table = synonym_table(&[vec!["blue green".into(), "canary release".into()]]);
        let spans = |q: &str| synonym_spans(&parse_query(q).words, &table);
        let terms = |span: &SynonymSpan| -> Vec<String> {
            span.alternatives.iter().map(|p| p.terms.join(" ")).collect()
        };
        let fat = spans("the fat finger incident ");
        assert_eq!(fat.len(), 1, "{fat:?}");
        assert_eq!((fat[0].start, fat[0].len), (0, 2), "`the` is a stop word");
        assert!(terms(&fat[0]).contains(&"typo".to_string()), "{fat:?}");
        assert!(!terms(&fat[0]).contains(&"fat finger".to_string()), "not itself");
        let oom = spans("ran out of memory");
        assert_eq!((oom[0].start, oom[0].len), (1, 2));
        assert!(terms(&oom[0]).contains(&"oom".to_string()), "{oom:?}");
        let configured = spans("blue green deploy");
        assert_eq!(terms(&configured[0]), ["canari releas"], "configured groups too");
        assert!(spans("finger fat").is_empty(), "order matters");
        assert!(spans("fat").is_empty());
        let two = spans("fat finger rate limit");
        assert_eq!(two.iter().map(|s| (s.start, s.len)).collect::<Vec<_>>(), [(0, 2), (2, 2)]);
    }

    #[test]
    fn spellings_the_stemmer_keeps_apart_are_synonyms() {
        use crate::search::analyzer::terms;
        let table = synonym_table(&[]);
        let word = |w: &str| Word { term: terms(w)[0].clone(), surface: fold(w), prefix: false };
        assert_ne!(terms("autoscaling"), terms("autoscaler"), "Snowball stems them apart");
        let of = |w: &str| -> Vec<Vec<String>> {
            synonyms_of(&word(w), &table).into_iter().map(|p| p.terms).collect()
        };
        assert!(of("autoscaling").contains(&terms("autoscaler")), "{:?}", of("autoscaling"));
        assert!(of("autoscaler").contains(&terms("autoscaling")), "{:?}", of("autoscaler"));
        assert!(of("healthcheck").contains(&terms("health check")), "{:?}", of("healthcheck"));
    }
}
