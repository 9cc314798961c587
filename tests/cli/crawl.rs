//! Crawl a built site like a reader would: every internal link resolves to a file in the
//! output (anchors included), and every page is reachable from the home page.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

use crate::support::{KbTest, copy_of, example_site, shared_corpus, walkdir};

/// Links of one page: (resolved output-relative path, fragment), and the page's ids.
struct PageLinks {
    links: Vec<(String, Option<String>, String)>,
    ids: HashSet<String>,
}

fn resolve(page: &str, href: &str) -> Option<(String, Option<String>)> {
    if href.is_empty()
        || href.starts_with("//")
        || href.contains(':') && href.split(':').next().is_some_and(|s| !s.contains('/'))
    {
        return None;
    }
    let (href, fragment) = match href.split_once('#') {
        Some((h, f)) => (h, Some(f.to_string())),
        None => (href, None),
    };
    let href = href.split('?').next().unwrap_or_default();
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<String> = if href.is_empty() {
        page.split('/').map(String::from).collect()
    } else {
        let mut parts: Vec<String> =
            dir.split('/').filter(|s| !s.is_empty()).map(String::from).collect();
        for seg in href.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(percent_decode(s)),
            }
        }
        if href.ends_with('/') || href == "." || href == ".." || href.ends_with("/.") {
            parts.push("index.html".into());
        }
        parts
    };
    if parts.is_empty() {
        parts.push("index.html".into());
    }
    Some((parts.join("/"), fragment))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn page_links(rel: &str, html: &str) -> PageLinks {
    let doc = Html::parse_document(html);
    let mut links = Vec::new();
    for (css, attr) in
        [("a[href]", "href"), ("link[href]", "href"), ("script[src]", "src"), ("img[src]", "src")]
    {
        for e in doc.select(&Selector::parse(css).unwrap()) {
            let href = e.value().attr(attr).unwrap();
            if e.value().name() == "link" && e.value().attr("rel") == Some("canonical") {
                continue;
            }
            if let Some((target, fragment)) = resolve(rel, href) {
                links.push((target, fragment, href.to_string()));
            }
        }
    }
    let ids = doc
        .select(&Selector::parse("[id]").unwrap())
        .map(|e| e.value().id().unwrap().to_string())
        .collect();
    PageLinks { links, ids }
}

/// Crawl `out`; return problems (broken links, missing anchors, orphans).
fn crawl(out: &Path) -> Vec<String> {
    let files: BTreeSet<String> = walkdir(out)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| p.strip_prefix(out).unwrap().display().to_string())
        .collect();
    let mut pages: HashMap<String, PageLinks> = HashMap::new();
    let mut redirects = HashSet::new();
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        let html = std::fs::read_to_string(out.join(f)).unwrap();
        if html.contains("http-equiv=\"refresh\"") {
            redirects.insert(f.clone());
        }
        pages.insert(f.clone(), page_links(f, &html));
    }
    let mut problems = Vec::new();
    for (page, links) in &pages {
        for (target, fragment, href) in &links.links {
            if !files.contains(target) {
                problems.push(format!("{page}: broken link {href} → {target}"));
            } else if let (Some(fragment), Some(target_page)) = (fragment, pages.get(target))
                && !fragment.is_empty()
                && !target_page.ids.contains(&percent_decode(fragment))
            {
                problems.push(format!("{page}: link {href} → missing anchor #{fragment}"));
            }
        }
    }
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from(["index.html".to_string()]);
    while let Some(page) = queue.pop_front() {
        if !seen.insert(page.clone()) {
            continue;
        }
        if let Some(links) = pages.get(&page) {
            for (target, _, _) in &links.links {
                if target.ends_with(".html") && !seen.contains(target) {
                    queue.push_back(target.clone());
                }
            }
        }
    }
    for page in pages.keys() {
        if !seen.contains(page) && !redirects.contains(page) && page != "404.html" {
            problems.push(format!("orphan page: {page}"));
        }
    }
    problems.sort();
    problems
}

fn assert_crawls(kb: &KbTest, out: PathBuf) {
    let problems = crawl(&out);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(kb.path().exists());
}

#[test]
fn example_site_has_no_broken_links_or_orphans() {
    let kb = example_site();
    kb.build(&[]).success();
    assert_crawls(&kb, kb.path().join("public"));
    kb.build(&["--public", "--output", "public-only"]).success();
    assert_crawls(&kb, kb.path().join("public-only"));
}

#[test]
fn the_real_corpus_has_no_broken_links_or_orphans() {
    let Some(corpus) = shared_corpus() else { return };
    let kb = copy_of(&corpus);
    kb.build(&[]).success();
    let out = kb.path().join("public");
    assert!(out.join("postmortems/index.html").is_file());
    assert_crawls(&kb, out);
}

#[test]
fn the_crawler_catches_broken_links_and_orphans() {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    let out = kb.path().join("public");
    std::fs::write(
        out.join("orphan.html"),
        "<a href=\"nowhere/\">x</a><a href=\"index.html#no-such-anchor\">y</a>",
    )
    .unwrap();
    let problems = crawl(&out);
    assert!(problems.contains(&"orphan page: orphan.html".to_string()), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("broken link nowhere/")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("missing anchor #no-such-anchor")), "{problems:?}");
}

#[test]
fn links_resolve_like_a_browser() {
    assert_eq!(
        resolve("a/b/index.html", "../../tags/x/"),
        Some(("tags/x/index.html".into(), None))
    );
    assert_eq!(resolve("index.html", "./"), Some(("index.html".into(), None)));
    assert_eq!(resolve("a/index.html", "#top"), Some(("a/index.html".into(), Some("top".into()))));
    assert_eq!(resolve("index.html", "https://x.example/"), None);
    assert_eq!(resolve("index.html", "tags/%E6%95%B0/"), Some(("tags/数/index.html".into(), None)));
}
