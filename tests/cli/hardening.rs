//! The guarantees of "Security and reliability" in the README: hostile input is shown as text
//! and runs no script (checked in the output and in Chromium), a killed build leaves the
//! previous site whole and never touches the sources, a public build carries nothing of
//! internal postmortems, and odd input builds or fails precisely. The path checks are
//! property-tested next to the functions that do them (src/model/slug.rs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

use crate::support::{KbTest, browser, copy_of, hindsight, run_node, text_of, tree, walkdir};

/// Every file under `dir` (relative path, bytes), sorted; `skip` leaves out top-level entries.
fn files_under(dir: &Path, skip: &[&str]) -> BTreeMap<String, Vec<u8>> {
    walkdir(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .filter(|rel| !skip.iter().any(|s| rel == s || rel.starts_with(&format!("{s}/"))))
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// The output of a build, file by file (none when there is no output folder).
fn site(kb: &KbTest) -> BTreeMap<String, Vec<u8>> {
    let public = kb.path().join("public");
    if !public.is_dir() {
        return BTreeMap::new();
    }
    files_under(&public, &[])
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------------------------------
// 1. Safe HTML: sanitized bodies, escaped front matter, a CSP on every page, no script runs.

/// The hostile fixture's titles, exactly as written in front matter.
const SCRIPT_TITLE: &str = "</script><script>alert(1)</script><!--";
const TEMPLATE_TITLE: &str =
    "\"><img src=x onerror=\"window.pwned='yaml-title'\"> {{ 7*7 }} {% raw %}";

fn hostile_site() -> KbTest {
    let kb = KbTest::fixture("hostile");
    kb.build(&[]).success();
    kb
}

/// Whether `url` runs script or smuggles in a document, read as a browser reads it (ASCII
/// whitespace and control characters anywhere are ignored, case does not matter).
fn is_script_url(url: &str) -> bool {
    let cleaned: String =
        url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>();
    let cleaned = cleaned.to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"].iter().any(|s| cleaned.starts_with(s))
}

const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
    "cite",
    "longdesc",
    "ping",
];

/// Elements that never belong in a page of the default theme, whoever wrote the markup.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "style",
    "base",
    "template",
    "math",
    "foreignobject",
    "video",
    "audio",
    "source",
    "marquee",
    "xmp",
    "textarea",
    "noscript",
];

/// Everything on an HTML page that could run script or restyle the page: `<script>` other
/// than the theme's own files and its JSON data, event-handler attributes, script URLs,
/// frames, objects, styles, `<base>`, refreshes to other places.
fn active_content(rel: &str, html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let all = Selector::parse("*").unwrap();
    let mut problems = Vec::new();
    for el in doc.select(&all) {
        let e = el.value();
        let name = e.name().to_ascii_lowercase();
        let mut problem = |what: String| problems.push(format!("{rel}: {what}"));
        if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
            problem(format!("<{name}> element"));
        }
        match name.as_str() {
            "script" => match (e.attr("src"), e.attr("type")) {
                (Some(src), _) if src.ends_with(".js") && !src.contains(':') => {}
                (None, Some("application/json")) => {
                    let text: String = el.text().collect();
                    if let Err(err) = serde_json::from_str::<serde_json::Value>(&text) {
                        problem(format!("inline JSON does not parse: {err}"));
                    }
                }
                _ => problem(format!("script element: {}", el.html())),
            },
            "link" => {
                let rel_attr = e.attr("rel").unwrap_or_default();
                if !["stylesheet", "icon", "alternate", "canonical"].contains(&rel_attr) {
                    problem(format!("link rel={rel_attr:?}"));
                }
            }
            "meta" => {
                if let Some(equiv) = e.attr("http-equiv") {
                    let content = e.attr("content").unwrap_or_default();
                    let ok = match equiv.to_ascii_lowercase().as_str() {
                        "content-security-policy" => true,
                        // Only the theme's own redirect (an alias), to a page of the site.
                        "refresh" => content
                            .split_once("url=")
                            .is_some_and(|(_, url)| !url.contains(':') && !url.starts_with("//")),
                        _ => false,
                    };
                    if !ok {
                        problem(format!("meta http-equiv={equiv:?} content={content:?}"));
                    }
                }
            }
            _ => {}
        }
        for (attr, value) in e.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") || attr == "srcdoc" || attr == "style" {
                problem(format!("<{name} {attr}={value:?}>"));
            }
            if URL_ATTRIBUTES.contains(&attr.as_str()) && is_script_url(value) {
                problem(format!("<{name} {attr}={value:?}>"));
            }
        }
    }
    problems
}

#[test]
fn raw_html_is_sanitized_and_harmless_tags_survive() {
    let kb = hostile_site();
    let page = kb.html("public/postmortems/2024-02-11-raw-html/index.html");
    assert_eq!(page.texts(".prose details > summary"), ["Logs", "toggle"]);
    assert_eq!(page.texts(".prose kbd"), ["Ctrl", "C", "ok"]);
    assert_eq!(page.attr(".prose img[alt='a chart']", "src"), "../../favicon.svg");
    // Dropped links keep their text, without a destination.
    let plain = page.all(".prose a").into_iter().find(|a| text_of(*a) == "plain").unwrap();
    assert_eq!(plain.value().attr("href"), None);
    let body = text_of(page.one(".prose"));
    for gone in ["window.pwned='script'", "window.pwned='style'", "window.pwned='template'"] {
        assert!(!body.contains(gone), "the content of a removed element is shown: {gone}");
    }
    // The markdown-only body is not sanitized: the link checks alone stop script URLs.
    let md = kb.html("public/postmortems/2024-03-12-markdown-urls/index.html");
    let hrefs: Vec<_> = md.all(".prose a[href]").iter().map(|a| a.attr("href").unwrap()).collect();
    assert!(
        hrefs.iter().all(|h| h.starts_with("https://") || h.starts_with('#')),
        "only http(s) and fragment links are left: {hrefs:?}"
    );
    assert_eq!(md.all(".prose img").len(), 3);
    let mut problems = Vec::new();
    for (rel, bytes) in site(&kb) {
        if rel.ends_with(".html") {
            problems.extend(active_content(&rel, &lossy(&bytes)));
        }
    }
    assert!(problems.is_empty(), "active content in the output:\n{}", problems.join("\n"));
}

#[test]
fn trusted_html_lets_raw_html_through() {
    let body = "+++\ntitle = \"T\"\ndate = 2024-01-01\n+++\n\n<iframe src=\"https://example.com/\"></iframe>\n\n<b onclick=\"go()\">bold</b>\n\n<script src=\"x.js\"></script>\n";
    for trusted in [false, true] {
        let kb = KbTest::minimal().file("postmortems/a.md", body);
        if trusted {
            kb.write(
                "hindsight.toml",
                "title = \"T\"\nbase_url = \"https://kb.example.com/\"\n[markdown]\ntrusted_html = true\n",
            );
        }
        kb.build(&[]).success();
        let page = kb.html("public/postmortems/a/index.html");
        let n = usize::from(trusted);
        assert_eq!(page.all(".prose iframe").len(), n, "trusted_html = {trusted}");
        assert_eq!(page.all(".prose b[onclick]").len(), n, "trusted_html = {trusted}");
        assert_eq!(page.all(".prose script").len(), n, "trusted_html = {trusted}");
        assert_eq!(page.text(".prose b"), "bold");
    }
}

/// Raw markup the hostile fixture's strings would produce if they were not escaped.
const UNESCAPED: &[&str] = &[
    "<script>alert",
    "<script>window.pwned",
    "<img src=x onerror",
    "<svg onload",
    "<svg/onload",
    "<iframe src=\"javascript",
    "<b onmouseover",
    "<style>*",
    "\" onmouseover=\"",
    "' onmouseover='",
];

/// Every string value inside `value`, recursively.
fn json_strings(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(s) => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| json_strings(v, out)),
        _ => {}
    }
}

/// The data of a search index file: `(globalThis.hsq=globalThis.hsq||[]).push([key,data]);`.
fn index_file_data(rel: &str, text: &str) -> serde_json::Value {
    let json = text
        .trim_end()
        .strip_prefix("(globalThis.hsq=globalThis.hsq||[]).push(")
        .and_then(|t| t.strip_suffix(");"))
        .unwrap_or_else(|| panic!("{rel} is not a search index file: {text:.200}"));
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Decode the entities Tera writes (`&lt;`, `&#x27;`...) in an XML text.
fn xml_unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map(|e| i + e).unwrap();
        let entity = &rest[i + 1..end];
        let code = match entity {
            "lt" => u32::from('<'),
            "gt" => u32::from('>'),
            "amp" => u32::from('&'),
            "quot" => u32::from('"'),
            "apos" => u32::from('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).unwrap(),
            e if e.starts_with('#') => e[1..].parse().unwrap(),
            e => panic!("unknown entity &{e};"),
        };
        let c = char::from_u32(code).unwrap();
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Elements of Atom feeds and sitemaps: anything else in one was injected.
const XML_ELEMENTS: &[&str] = &[
    "?xml",
    "feed",
    "title",
    "subtitle",
    "link",
    "id",
    "updated",
    "generator",
    "entry",
    "published",
    "author",
    "name",
    "category",
    "summary",
    "urlset",
    "url",
    "loc",
    "lastmod",
];

#[test]
fn front_matter_strings_are_text_everywhere() {
    let kb = hostile_site();
    let out = site(&kb);
    let page = kb.html("public/postmortems/2024-01-10-script-title/index.html");
    assert_eq!(page.text("h1"), SCRIPT_TITLE);
    assert!(page.text("title").starts_with(SCRIPT_TITLE), "{}", page.text("title"));
    // Every hostile string of the postmortem is on its page, as text.
    let text = text_of(page.one("body"));
    for s in [
        "<img src=x onerror=alert('summary')> </script><script>window.pwned='summary'</script>",
        "\"><svg onload=window.pwned='impact'> ' onfocus='window.pwned=1' autofocus '",
        "\"><img src=x onerror=window.pwned='service'>",
        "javascript:window.pwned='service-url'",
        "<svg onload=window.pwned='tag-title'>",
        "javascript:alert('tag')",
        "{{ 7*7 }}",
        "XSS \"quoted\" 'single' & <b>bold</b>",
        "</textarea><script>window.pwned='lesson'</script><style>*{background:url(javascript:alert(1))}</style>",
        "<iframe src=\"javascript:window.pwned='action-title'\"></iframe>",
        "\"></option></select><script>window.pwned='owner'</script>",
        "<b onmouseover=alert('owner2')>team</b>",
        "SEV<2>\"'&",
    ] {
        assert!(text.contains(s), "{s:?} is not shown as text on the postmortem page:\n{text}");
    }
    let yaml = kb.html("public/postmortems/2024-04-13-yaml-hostile/index.html");
    assert_eq!(yaml.text("h1"), TEMPLATE_TITLE, "template syntax in a title stays literal");
    assert!(text_of(yaml.one("footer")).contains("{{ 7*7 }}"), "and in the site description");
    // Owners are options of the action filter: text, not markup.
    let actions = kb.html("public/actions/index.html");
    let owners = actions.texts("#action-filters select[name=owner] option");
    assert!(owners.iter().any(|o| o.starts_with("\"></option></select><script>")), "{owners:?}");
    // No file carries the strings unescaped; JSON data and the search index contain no `<`.
    let mut index_strings = BTreeSet::new();
    for (rel, bytes) in &out {
        let text = lossy(bytes);
        if rel.ends_with(".html") || rel.ends_with(".xml") {
            for raw in UNESCAPED {
                assert!(!text.contains(raw), "{rel} contains unescaped {raw:?}");
            }
        }
        if rel.starts_with("search/") && rel.ends_with(".js") {
            assert!(!text.contains('<'), "{rel} contains `<`");
            json_strings(&index_file_data(rel, &text), &mut index_strings);
        }
        if rel.ends_with(".xml") {
            for tag in text.split('<').skip(1) {
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '?' || *c == ':')
                    .collect();
                assert!(XML_ELEMENTS.contains(&name.as_str()), "{rel}: element <{name}>");
            }
        }
    }
    for title in [SCRIPT_TITLE, TEMPLATE_TITLE] {
        assert!(index_strings.contains(title), "the search index holds {title:?} intact");
    }
    // The search page's inline manifest: `<` escaped as \u003c, and the labels intact.
    let search = kb.read("public/search/index.html");
    let manifest = Html::parse_document(&search);
    let data: String = manifest
        .select(&Selector::parse("script#search-manifest").unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(!data.contains('<') && data.contains("\\u003c"), "{data:.300}");
    let mut labels = BTreeSet::new();
    json_strings(&serde_json::from_str(&data).unwrap(), &mut labels);
    for label in [
        "<svg onload=window.pwned='tag-title'>",
        "\"><img src=x onerror=window.pwned='service'>",
        "</script><script>window.pwned='facet'</script><!--",
    ] {
        assert!(labels.contains(label), "{label:?} not in the manifest's facets: {labels:?}");
    }
    // Feeds: the title, decoded, is the title.
    let atom = kb.read("public/atom.xml");
    let titles: Vec<String> = atom
        .split("<title>")
        .skip(1)
        .map(|t| xml_unescape(&t[..t.find("</title>").unwrap()]))
        .collect();
    let expected = format!("[SEV<2>\"'&] {SCRIPT_TITLE}");
    assert!(titles.contains(&expected), "{expected:?} not in {titles:?}");
    // The JSON export round-trips every string.
    let export: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    let entry = export["postmortems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["slug"] == "2024-01-10-script-title")
        .unwrap();
    assert_eq!(entry["title"], SCRIPT_TITLE);
    assert_eq!(
        entry["actions"][0]["owner"],
        "\"></option></select><script>window.pwned='owner'</script>"
    );
}

/// The theme's policy: scripts and styles only from the site's own files.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

#[test]
fn every_page_carries_the_content_security_policy_first() {
    let kb = hostile_site();
    let mut pages = 0;
    for (rel, bytes) in site(&kb) {
        if !rel.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = lossy(&bytes);
        let doc = Html::parse_document(&html);
        let csp: Vec<_> = doc
            .select(&Selector::parse("head > meta[http-equiv]").unwrap())
            .filter(|m| {
                m.value()
                    .attr("http-equiv")
                    .unwrap()
                    .eq_ignore_ascii_case("content-security-policy")
            })
            .map(|m| m.value().attr("content").unwrap().to_string())
            .collect();
        assert_eq!(csp, [CSP], "{rel}: the theme's CSP meta tag");
        // A policy only governs what comes after it.
        let at = html.find("Content-Security-Policy").unwrap();
        for later in ["<title", "<link", "<script", "<body"] {
            assert!(html.find(later).is_none_or(|i| i > at), "{rel}: {later} before the CSP");
        }
    }
    assert!(pages > 40, "{pages} pages");
}

#[test]
fn no_script_runs_on_any_page_of_the_hostile_site_in_chromium() {
    let Some(node) = browser() else { return };
    let kb = hostile_site();
    let out = kb.path().join("public");
    let pages: BTreeSet<String> = site(&kb).into_keys().filter(|r| r.ends_with(".html")).collect();
    let started = Instant::now();
    let report = run_node(&node, "hostile_pages.js", &[out.to_str().unwrap(), "script"], "");
    let r: serde_json::Value = serde_json::from_str(report.trim()).unwrap();
    let visited: BTreeSet<String> =
        r["pages"].as_array().unwrap().iter().map(|p| p["page"].as_str().unwrap().into()).collect();
    assert_eq!(visited, pages, "every HTML page of the output is opened");
    let mut problems = Vec::new();
    let mut blocked = Vec::new();
    for p in r["pages"].as_array().unwrap().iter().chain(r["interactions"].as_array().unwrap()) {
        let label = p["page"].as_str().unwrap();
        for key in ["dialogs", "writes", "errors"] {
            for item in p[key].as_array().unwrap() {
                problems.push(format!("{label}: {key}: {item}"));
            }
        }
        if !p["pwned"].is_null() {
            problems.push(format!("{label}: window.pwned = {}", p["pwned"]));
        }
        let documents = p["documents"].as_array().unwrap();
        if documents.is_empty() {
            problems.push(format!("{label}: no document loaded"));
        }
        for d in documents {
            if d["csp"] != serde_json::json!([CSP]) {
                problems.push(format!("{label}: {} has CSP {}", d["url"], d["csp"]));
            }
            if d["inlineScripts"] != 0 {
                problems.push(format!("{label}: {} has inline scripts", d["url"]));
            }
        }
        // The policy blocking an image from another host is expected (authors link to
        // screenshots); any other violation means hostile markup reached the page.
        for v in p["violations"].as_array().unwrap() {
            let external = v["blocked"].as_str().is_some_and(|b| !b.contains("127.0.0.1"));
            if v["directive"] == "img-src" && external {
                blocked.push(format!("{label}: {} {}", v["directive"], v["blocked"]));
            } else {
                problems.push(format!("{label}: CSP violation {v}"));
            }
        }
    }
    for i in r["interactions"].as_array().unwrap() {
        eprintln!("{}: {} results", i["page"], i["results"]);
    }
    eprintln!(
        "{} pages in Chromium in {:.1}s; violations the CSP blocked (expected): {blocked:?}",
        visited.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(problems.is_empty(), "script ran or was attempted:\n{}", problems.join("\n"));
    // The script-built parts worked (a failed step is also in `errors` above).
    let interactions = r["interactions"].as_array().unwrap();
    let count = |label: &str, key: &str| {
        let step = interactions.iter().find(|i| i["page"] == label).unwrap();
        step[key].as_u64().unwrap_or(0)
    };
    assert!(count("header search: script", "results") >= 3, "the header search shows results");
    assert!(count("search page: script", "results") >= 3, "the search page shows results");
    assert!(count("file:// search page", "results") >= 3, "search works from file://");
    assert!(count("action filter", "owners") >= 4, "every owner is an option");
}

// ---------------------------------------------------------------------------------------
// 3. Atomic output: a build killed at any moment leaves the previous site, whole.

/// Write generation `generation` of a knowledge base of a few hundred postmortems: each
/// generation renames, rewrites and replaces some of them, so every stage has work to do.
fn write_generation(kb: &KbTest, generation: usize) {
    let _ = std::fs::remove_dir_all(kb.path().join("postmortems"));
    kb.write(
        "hindsight.toml",
        &format!(
            "title = \"Generation {generation}\"\nbase_url = \"https://kb.example.com/\"\n\
             [lesson_themes.detect-early]\ntitle = \"Detect early\"\n"
        ),
    );
    let words = [
        "database",
        "failover",
        "replica",
        "certificate",
        "rollback",
        "resolver",
        "timeout",
        "backlog",
        "consumer",
        "memory",
        "canary",
        "throttle",
        "partition",
        "quorum",
    ];
    let offset = generation * 25;
    for i in offset..offset + 300 {
        let w = |k: usize| words[(i * 7 + k * 3 + generation) % words.len()];
        let paragraphs: Vec<String> =
            (0..10).map(|p| (0..30).map(|k| w(p + k)).collect::<Vec<_>>().join(" ")).collect();
        let (year, month, day) = (2015 + i % 10, 1 + i % 12, 1 + i % 28);
        kb.write(
            &format!("postmortems/{year}/{year}-{month:02}-{day:02}-incident-{i}.md"),
            &format!(
                "+++\ntitle = \"Incident {i}: {} {} (generation {generation})\"\n\
                 date = {year}-{month:02}-{day:02}T10:00:00Z\nseverity = \"SEV{}\"\n\
                 services = [\"svc-{}\", \"svc-{}\"]\ntags = [\"tag-{}\"]\nsummary = \"Summary {i}.\"\n\
                 [times]\nresolved = {year}-{month:02}-{day:02}T12:00:00Z\n\
                 [[lessons]]\ntheme = \"detect-early\"\ntext = \"Lesson {i} of generation {generation}.\"\n\
                 [[actions]]\ntitle = \"Action {i}\"\nowner = \"team-{}\"\nstatus = \"open\"\n+++\n\
                 ## Summary\n\n{}\n",
                w(1),
                w(2),
                1 + i % 4,
                i % 9,
                (i + generation) % 5,
                i % 11,
                i % 6,
                paragraphs.join("\n\n")
            ),
        );
    }
}

/// The sources of a knowledge base: everything but the output, its staging folder and the
/// cache.
fn sources(kb: &KbTest) -> BTreeMap<String, Vec<u8>> {
    files_under(kb.path(), &["public", ".public.hindsight-stage", ".hindsight"])
}

/// Paths whose bytes differ between two snapshots (added, removed or changed), first ten.
fn changed(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).take(10).cloned().collect()
}

/// Pseudo-random numbers in 0..1 (xorshift), from a seed printed on failure.
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn a_killed_build_leaves_the_previous_site_whole_and_sources_untouched() {
    let kb = KbTest::empty();
    // Reference sites of two generations, each built to completion.
    let mut reference = Vec::new();
    let mut full_build = Duration::ZERO;
    for generation in 0..2 {
        write_generation(&kb, generation);
        let before = sources(&kb);
        let started = Instant::now();
        kb.build(&[]).success();
        full_build = full_build.max(started.elapsed());
        let touched = changed(&sources(&kb), &before);
        assert!(touched.is_empty(), "a build changed the sources: {touched:?}");
        reference.push(site(&kb));
    }
    assert!(reference[0].len() > 300 && reference[0] != reference[1]);
    // `check` and `search` read the same sources and must not change them either.
    let before = sources(&kb);
    kb.run(&["check", "."]).success();
    kb.run(&["search", ".", "database failover"]).success();
    kb.run(&["search", ".", "replica", "--json", "--public"]).success();
    let touched = changed(&sources(&kb), &before);
    assert!(touched.is_empty(), "check or search changed the sources: {touched:?}");

    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
            as u64
            | 1;
    let mut jitter = Jitter(seed);
    // Kill moments spread over the whole build (loading, rendering, writing, swapping) and
    // a little past it, at most 5 s each, so the test stays bounded on a slow machine.
    let span = full_build.min(Duration::from_secs(5)).as_secs_f64();
    let mut current = 1; // the generation now in public/
    let mut outcomes = Vec::new();
    for (round, fraction) in [0.05, 0.9, 0.3, 0.6, 0.15, 1.05, 0.45, 0.75].into_iter().enumerate() {
        let target = 1 - current;
        write_generation(&kb, target);
        let before = sources(&kb);
        let delay = Duration::from_secs_f64(span * (fraction + 0.1 * jitter.next()));
        let mut child = hindsight()
            .args(["build", ".", "--build-date", "2026-11-26"])
            .current_dir(kb.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        let now = site(&kb);
        let outcome = if now == reference[current] {
            "previous site"
        } else if now == reference[target] {
            current = target;
            "new site (finished before the kill)"
        } else {
            let differing = changed(&now, &reference[current]);
            panic!(
                "round {round} (seed {seed}, killed after {delay:?}, {status}): public/ is \
                 neither the previous nor the new site; differing files: {differing:?}"
            );
        };
        outcomes.push(format!("{:.0} ms: {outcome}", delay.as_secs_f64() * 1000.0));
        let touched = changed(&sources(&kb), &before);
        assert!(touched.is_empty(), "round {round} (seed {seed}): sources changed: {touched:?}");
    }
    // The next build after the killed ones produces exactly the site a clean build does.
    let target = 1 - current;
    write_generation(&kb, target);
    kb.build(&[]).success();
    assert!(site(&kb) == reference[target], "a build after killed builds differs from a clean one");
    eprintln!("full build {full_build:?}; kills (seed {seed}): {outcomes:?}");
}

// ---------------------------------------------------------------------------------------
// 4. Private stays private: a public build carries nothing of internal postmortems.

/// Words only the internal postmortems of tests/fixtures/private contain, one per field:
/// title, summary, impact, body, heading, code, link, tags, services, lesson theme and
/// texts, action title, owner, authors, slug, alias, extra, bundle asset, bundle folder.
const MARKERS: &[&str] = &[
    "Zorblaxquuxing",
    "Quiffleborned",
    "Klaxomerries",
    "Vrannixtophing",
    "Sprocketzines",
    "blorptasticly",
    "quorvexian",
    "flurbagnixes",
    "glimmerwhonking",
    "brazzlefent",
    "Plonkavirting",
    "Snozzberrials",
    "Drubbleskanked",
    "yorpwhistlers",
    "Throngwaddling",
    "mxyzptlk",
    "wibblequorn",
    "Fenwickstrudels",
    "snarfblatt",
    "Gribblewocking",
    "gribblewock",
    "Jandlefrumping",
];

/// Each marker lowercased and as the search index stores it (a stem: `zorblaxquux`).
fn marker_forms() -> BTreeSet<String> {
    let mut forms = BTreeSet::new();
    for m in MARKERS {
        forms.insert(m.to_lowercase());
        forms.extend(hindsight::search::analyzer::terms(m));
    }
    forms
}

/// Markers found in the output (file names and contents, case-insensitively).
fn leaks(out: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let forms = marker_forms();
    let mut found = Vec::new();
    for (rel, bytes) in out {
        let name = rel.to_lowercase();
        let text = lossy(bytes).to_lowercase();
        for form in &forms {
            if name.contains(form.as_str()) {
                found.push(format!("{rel}: its name contains {form}"));
            }
            if text.contains(form.as_str()) {
                found.push(format!("{rel} contains {form}"));
            }
        }
    }
    found
}

#[test]
fn a_public_build_carries_nothing_of_internal_postmortems() {
    let kb = KbTest::fixture("private");
    // Every marker is published by a normal build: finding none later means something.
    kb.build(&["--output", "all"]).success();
    let everything = files_under(&kb.path().join("all"), &[]);
    let text: String = everything
        .iter()
        .map(|(rel, bytes)| format!("{rel}\n{}", lossy(bytes)))
        .collect::<String>()
        .to_lowercase();
    for m in MARKERS {
        assert!(text.contains(&m.to_lowercase()), "a normal build publishes {m}");
    }

    let run = kb.build(&["--public"]).success();
    let out = site(&kb);
    let found = leaks(&out);
    assert!(found.is_empty(), "a public build leaks:\n{}", found.join("\n"));
    let err = run.stderr();
    assert!(
        err.contains("warning[H011]: reading path `start-here` lists `mxyzptlk-incident`, which this build does not publish; it is skipped"),
        "{err}"
    );
    let path = kb.html("public/paths/start-here/index.html");
    assert_eq!(path.all(".path-step").len(), 2);
    let manifest: serde_json::Value = serde_json::from_str(
        &Html::parse_document(&kb.read("public/search/index.html"))
            .select(&Selector::parse("script#search-manifest").unwrap())
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
    )
    .unwrap();
    assert_eq!(manifest["n"], 2, "the search index holds the two public postmortems");

    // Nothing at all: the output is byte for byte that of the knowledge base without them
    // (the public postmortem's link to an internal one points at the list, as it does here).
    let without = copy_of(kb.path());
    std::fs::remove_dir_all(without.path().join("public")).unwrap();
    std::fs::remove_dir_all(without.path().join("all")).unwrap();
    std::fs::remove_file(without.path().join("postmortems/2024/2024-01-01-internal-a.md")).unwrap();
    std::fs::remove_dir_all(without.path().join("postmortems/2024/2024-01-05-gribblewock-outage"))
        .unwrap();
    let public_db = without.read("postmortems/2024/2024-02-02-public-db.md");
    without.write(
        "postmortems/2024/2024-02-02-public-db.md",
        &public_db.replace("(2024-01-01-internal-a.md)", "(/postmortems/)"),
    );
    without.build(&["--public"]).success();
    let alone = site(&without);
    assert_eq!(alone.keys().collect::<Vec<_>>(), out.keys().collect::<Vec<_>>());
    for (rel, bytes) in &out {
        assert!(alone[rel] == *bytes, "{rel} differs from the site without internal postmortems");
    }

    // The terminal search of the public selection finds nothing either.
    for m in ["Zorblaxquuxing", "zorblaxquux", "Jandlefrumping", "mxyzptlk"] {
        let run = kb.run(&["search", ".", m, "--public", "--json"]).success();
        let hits: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
        assert_eq!((&hits["total"], &hits["results"]), (&0.into(), &serde_json::json!([])), "{m}");
    }
}

// ---------------------------------------------------------------------------------------
// 5. Odd input.

const HEAD: &str = "+++\ntitle = \"T\"\ndate = 2024-01-01T00:00:00Z\n+++\n";

#[test]
fn bom_and_crlf_files_read_like_plain_ones() {
    let kb = KbTest::minimal()
        .file(
            "postmortems/bom-crlf.md",
            "\u{feff}+++\r\ntitle = \"BOM and CRLF\"\r\ndate = 2024-05-06T07:08:09Z\r\n+++\r\n## Summary\r\n\r\nFirst line\r\nsecond line.\r\n\r\n- item one\r\n- item two\r\n",
        )
        .file(
            "postmortems/bom-yaml.md",
            "\u{feff}---\r\ntitle: YAML with a BOM\r\ndate: 2024-05-07T00:00:00Z\r\n---\r\nBody.\r\n",
        )
        .file("postmortems/crlf.md", "+++\r\ntitle = \"CRLF only\"\r\ndate = 2024-05-08\r\n+++\r\nBody.\r\n")
        .file("postmortems/bom.md", "\u{feff}+++\ntitle = \"BOM only\"\ndate = 2024-05-09\n+++\nBody.\n");
    kb.build(&[]).success();
    let page = kb.html("public/postmortems/bom-crlf/index.html");
    assert_eq!(page.text("h1"), "BOM and CRLF");
    let times: Vec<_> =
        page.all("time[datetime]").iter().map(|t| t.value().attr("datetime").unwrap()).collect();
    assert!(times.contains(&"2024-05-06") && times.contains(&"2024-05-06T07:08:09Z"), "{times:?}");
    assert_eq!(page.attr(".prose h2", "id"), "summary");
    assert_eq!(page.text(".prose p"), "First line second line.");
    assert_eq!(page.texts(".prose li"), ["item one", "item two"]);
    for (slug, title) in
        [("bom-yaml", "YAML with a BOM"), ("crlf", "CRLF only"), ("bom", "BOM only")]
    {
        assert_eq!(kb.html(&format!("public/postmortems/{slug}/index.html")).text("h1"), title);
    }
    for (rel, bytes) in site(&kb) {
        let text = lossy(&bytes);
        assert!(!text.contains('\u{feff}') && !text.contains('\r'), "{rel} keeps a BOM or CR");
    }
    // Findings in such files point at the right line and column.
    let kb = KbTest::minimal()
        .file("postmortems/bad.md", "\u{feff}+++\r\ntitle = 42\r\ndate = 2024-01-01\r\n+++\r\n");
    let run = kb.build(&["--format", "json"]).failure();
    let finding: serde_json::Value =
        serde_json::from_str(run.stdout().lines().next().unwrap()).unwrap();
    assert_eq!(
        (&finding["code"], &finding["line"], &finding["column"]),
        (&"H003".into(), &2.into(), &9.into()),
        "{finding}"
    );
}

/// Peak resident memory of a run, in bytes: from `/usr/bin/time -v`, else by polling
/// `/proc/<pid>/status` while it runs (a lower bound).
fn run_measured(kb: &KbTest, args: &[&str]) -> (std::process::Output, Option<u64>, Duration) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_hindsight"));
    let started = Instant::now();
    if Path::new("/usr/bin/time").is_file() {
        let output = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&bin)
            .args(args)
            .current_dir(kb.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let peak = lossy(&output.stderr).lines().find_map(|l| {
            l.trim().strip_prefix("Maximum resident set size (kbytes): ")?.parse::<u64>().ok()
        });
        return (output, peak.map(|kb| kb * 1024), started.elapsed());
    }
    let mut child = hindsight()
        .args(args)
        .current_dir(kb.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = None;
    while child.try_wait().unwrap().is_none() {
        if let Ok(text) = std::fs::read_to_string(&status) {
            let hwm = text.lines().find_map(|l| {
                l.strip_prefix("VmHWM:")?.trim().strip_suffix(" kB")?.trim().parse::<u64>().ok()
            });
            peak = hwm.map(|k| k * 1024).max(peak);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (child.wait_with_output().unwrap(), peak, started.elapsed())
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("unknown".into(), |b| format!("{} MB", b / (1024 * 1024)))
}

#[test]
fn a_twenty_megabyte_postmortem_builds() {
    // Mostly prose and pasted logs, as a huge postmortem is, with lists, tables and code.
    let mut body = String::from(HEAD);
    let mut i = 0;
    while body.len() < 20 * 1024 * 1024 {
        match i % 10 {
            0 => body.push_str(&format!("## Section {i}\n\n")),
            1 => {
                body.push_str("```text\n");
                for j in 0..40 {
                    body.push_str(&format!(
                        "2024-01-01T00:{:02}:00Z ERROR pool exhausted conn={} latency_ms={}\n",
                        j % 60,
                        i * 40 + j,
                        j * 7
                    ));
                }
                body.push_str("```\n\n");
            }
            2 => body.push_str(&format!(
                "- step {i} one\n- step {i} two\n  - nested {i}\n\n| t | event |\n|---|---|\n| {i} | failover |\n\n"
            )),
            3 if i % 100 == 3 => {
                body.push_str(&format!("```sql\nSELECT * FROM ledger WHERE id = {i};\n```\n\n"));
            }
            _ => body.push_str(&format!(
                "The replica lag grew to {i} seconds while the queue backed up; operators paged \
                 the database team and drained traffic from zone {}.\n\n",
                i % 3
            )),
        }
        i += 1;
    }
    body.push_str("## The end\n\nLast paragraph of the big file.\n");
    let kb = KbTest::minimal().file("postmortems/big.md", &body);
    let (output, peak, took) = run_measured(&kb, &["build", ".", "--build-date", "2026-11-26"]);
    assert!(output.status.success(), "{}", lossy(&output.stderr));
    let page = kb.read("public/postmortems/big/index.html");
    assert!(page.contains("Last paragraph of the big file."), "the whole body is rendered");
    assert!(page.contains("id=\"section-0\"") && page.contains("id=\"the-end\""));
    eprintln!(
        "20 MB postmortem: built in {:.1}s, peak RSS {} (debug build of hindsight)",
        took.as_secs_f64(),
        mb(peak)
    );
    if let Some(peak) = peak {
        assert!(peak < 2 * 1024 * 1024 * 1024, "peak RSS {}", mb(Some(peak)));
    }
}

#[test]
fn ten_thousand_deep_lists_and_quotes_build() {
    let depth = 10_000;
    let kb = KbTest::minimal()
        .file("postmortems/lists.md", &format!("{HEAD}{}deepest list item\n", "- ".repeat(depth)))
        .file("postmortems/quotes.md", &format!("{HEAD}{}deepest quote\n", "> ".repeat(depth)))
        // With raw HTML in the body the sanitizer parses the whole nested tree too.
        .file(
            "postmortems/lists-html.md",
            &format!("{HEAD}<kbd>k</kbd>\n\n{}deepest list item\n", "- ".repeat(depth)),
        )
        .file(
            "postmortems/quotes-html.md",
            &format!("{HEAD}<kbd>k</kbd>\n\n{}deepest quote\n", "> ".repeat(depth)),
        )
        .file(
            "postmortems/divs-html.md",
            &format!("{HEAD}{}deepest div{}\n", "<div>".repeat(depth), "</div>".repeat(depth)),
        );
    let (output, peak, took) = run_measured(&kb, &["build", ".", "--build-date", "2026-11-26"]);
    assert!(output.status.success(), "{}", lossy(&output.stderr));
    for (slug, text) in [
        ("lists", "deepest list item"),
        ("quotes", "deepest quote"),
        ("lists-html", "deepest list item"),
        ("quotes-html", "deepest quote"),
        ("divs-html", "deepest div"),
    ] {
        let page = kb.read(&format!("public/postmortems/{slug}/index.html"));
        assert!(page.contains(text), "{slug}: the innermost text is rendered");
    }
    let lists = kb.read("public/postmortems/lists/index.html");
    assert!(lists.matches("<ul>").count() >= depth, "the nesting is kept");
    eprintln!(
        "10,000-deep lists and quotes: built in {:.1}s, peak RSS {}",
        took.as_secs_f64(),
        mb(peak)
    );
}

#[test]
fn thousands_of_files_in_one_folder_build() {
    // 5,000 by default; HINDSIGHT_HEAVY_TESTS=1 makes it 100,000 (a few minutes, ~1 GB).
    let n = if std::env::var_os("HINDSIGHT_HEAVY_TESTS").is_some() { 100_000 } else { 5_000 };
    let kb = KbTest::minimal();
    for i in 0..n {
        kb.write(
            &format!("postmortems/all/p{i:06}.md"),
            &format!(
                "+++\ntitle = \"Postmortem {i}\"\ndate = 2024-01-01T00:00:00Z\nsummary = \"S.\"\n+++\nBody {i}.\n"
            ),
        );
    }
    let (output, peak, took) = run_measured(&kb, &["build", ".", "--build-date", "2026-11-26"]);
    let err = lossy(&output.stderr);
    assert!(output.status.success(), "{err}");
    assert!(err.contains(&format!("Built {n} postmortems")), "{err}");
    let pages = std::fs::read_dir(kb.path().join("public/postmortems"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("index.html").is_file())
        .count();
    assert_eq!(pages, n, "a page per postmortem (and none for the list itself)");
    eprintln!(
        "{n} files in one folder: built in {:.1}s, peak RSS {}",
        took.as_secs_f64(),
        mb(peak)
    );
}

/// H008 findings of `build --format json`, as their messages.
fn duplicate_findings(kb: &KbTest) -> Vec<String> {
    let run = kb.build(&["--format", "json"]).failure();
    run.stdout()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|f| f["code"] == "H008")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn colliding_slugs_are_one_error_naming_both_files() {
    // (The case-only collision is in errors.rs.) An explicit slug against a file name, and
    // one name in two Unicode normalizations (one folder on macOS).
    let kb = KbTest::minimal().file("postmortems/shared.md", HEAD).file(
        "postmortems/other.md",
        "+++\nslug = \"shared\"\ntitle = \"T\"\ndate = 2024-01-01T00:00:00Z\n+++\n",
    );
    let found = duplicate_findings(&kb);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("postmortems/shared.md") && found[0].contains("postmortems/other.md")
    );

    let kb = KbTest::minimal()
        .file("postmortems/café.md", HEAD)
        .file("postmortems/cafe\u{301}.md", HEAD);
    let found = duplicate_findings(&kb);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("café.md") && found[0].contains("cafe\u{301}.md"), "{found:?}");

    // Explicit slugs are kept as written: these differ only in case, or in normalization
    // (Hangul 가 and its two jamo ᄀ + ᅡ are canonically equal): one folder on macOS.
    let slug = |s: &str| format!("+++\nslug = \"{s}\"\ntitle = \"T\"\ndate = 2024-01-01\n+++\n");
    for (a, b) in [("Payments-Outage", "payments-outage"), ("db-\u{ac00}", "db-\u{1100}\u{1161}")] {
        let kb =
            KbTest::minimal().file("postmortems/a.md", &slug(a)).file("postmortems/b.md", &slug(b));
        let found = duplicate_findings(&kb);
        assert_eq!(found.len(), 1, "{a} and {b}: {found:?}");
        assert!(found[0].contains("postmortems/a.md") && found[0].contains("postmortems/b.md"));
    }
}

#[test]
fn a_static_file_named_like_a_folder_of_the_site_is_an_error_and_nothing_is_lost() {
    // `static/services` (a file) where the service pages need `services/`: the folder's pages
    // were silently deleted or the build failed on "Not a directory", depending on the order.
    let kb = KbTest::minimal().file("postmortems/a.md", HEAD);
    kb.build(&[]).success();
    let before = tree(&kb.path().join("public"));
    kb.write("static/postmortems", "a file where the postmortem pages go");
    let found = duplicate_findings(&kb);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("static/postmortems would be written to the file postmortems")
            && found[0].contains("postmortems/"),
        "{found:?}"
    );
    assert_eq!(tree(&kb.path().join("public")), before, "the published site is untouched");
    let check = kb.run(&["check", "."]).failure();
    assert!(check.stderr().contains("static/postmortems would be written"), "{}", check.stderr());
    // The same name one level down, in a folder of its own, is fine.
    std::fs::remove_file(kb.path().join("static/postmortems")).unwrap();
    kb.write("static/files/postmortems", "fine");
    kb.build(&[]).success();
    assert_eq!(kb.read("public/files/postmortems"), "fine");
}

#[test]
fn separator_only_names_get_pages_of_their_own() {
    // `slugify("_")` was empty: the page landed on the list's own index.html.
    let kb = KbTest::minimal().file("postmortems/_.md", HEAD).file(
        "postmortems/b.md",
        "+++\ntitle = \"B\"\ndate = 2024-01-02\nservices = [\"-\"]\n[[lessons]]\ntheme = \"__\"\ntext = \"L\"\n+++\n",
    );
    kb.build(&[]).success();
    assert_eq!(kb.html("public/postmortems/u5f/index.html").text("h1"), "T");
    assert_eq!(kb.html("public/postmortems/index.html").text("h1"), "All postmortems");
    assert_eq!(kb.html("public/services/u2d/index.html").text("h1"), "-");
    assert_eq!(kb.html("public/services/index.html").text("h1"), "Services");
    assert_eq!(kb.html("public/lessons/u5f-u5f/index.html").text("h1"), "__");
}

#[test]
fn unicode_titles_and_names_get_stable_non_empty_slugs() {
    let pm = |title: &str| {
        format!("+++\ntitle = \"{title}\"\ndate = 2024-01-01T00:00:00Z\n+++\nBody.\n")
    };
    let cases = [
        (
            "postmortems/2024-01-01-数据库故障.md",
            "数据库故障 🔥 database outage",
            "2024-01-01-数据库故障",
        ),
        (
            "postmortems/2024-01-02-انقطاع-الشبكة.md",
            "انقطاع الشبكة: network outage",
            "2024-01-02-انقطاع-الشبكة",
        ),
        ("postmortems/🔥🔥.md", "🔥🔥", "u1f525-u1f525"),
        ("postmortems/Cafe\u{301} Outage.md", "Café outage", "café-outage"),
        ("postmortems/Ｆｕｌｌ　Ｗｉｄｔｈ.md", "Ｆｕｌｌ　Ｗｉｄｔｈ", "full-width"),
    ];
    let mut kb = KbTest::minimal();
    for (file, title, _) in cases {
        kb = kb.file(file, &pm(title));
    }
    let slugs = |kb: &KbTest| -> Vec<String> {
        let export: serde_json::Value =
            serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
        let mut slugs: Vec<String> = export["postmortems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slug"].as_str().unwrap().to_string())
            .collect();
        slugs.sort();
        slugs
    };
    kb.build(&[]).success();
    let first = slugs(&kb);
    kb.build(&[]).success();
    assert_eq!(slugs(&kb), first, "slugs are stable across builds");
    for (_, title, slug) in cases {
        assert!(first.contains(&slug.to_string()), "{slug} not in {first:?}");
        let page = kb.html(&format!("public/postmortems/{slug}/index.html"));
        assert_eq!(page.one("h1").text().collect::<String>(), title);
    }
    // `new` makes the same kind of slug from a title.
    for (title, file) in
        [("🔥 Pager storm 数据库", "pager-storm-数据库.md"), ("🔥🔥", "u1f525-u1f525.md")]
    {
        let run = kb.run(&["new", title, ".", "--date", "2024-06-01"]).success();
        assert!(run.stdout().trim().ends_with(&format!("2024-06-01-{file}")), "{}", run.stdout());
    }
}

#[test]
fn an_invalid_base_url_is_h012_and_base_url_fixes_it() {
    for bad in [
        "kb.example.com",
        "ftp://kb.example.com/",
        "https://",
        "https://kb example.com/",
        "javascript:alert(1)",
    ] {
        let kb = KbTest::minimal()
            .file("hindsight.toml", &format!("title = \"T\"\nbase_url = \"{bad}\"\n"))
            .file("postmortems/a.md", HEAD);
        let run = kb.build(&["--format", "json"]).failure();
        let findings: Vec<serde_json::Value> =
            run.stdout().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(findings.len(), 1, "{bad}: {findings:?}");
        assert_eq!(
            (&findings[0]["code"], &findings[0]["file"], &findings[0]["line"]),
            (&"H012".into(), &"hindsight.toml".into(), &2.into()),
            "{bad}"
        );
        assert!(!kb.path().join("public").exists());
        kb.build(&["--base-url", "https://kb.example.com/"]).success();
    }
    // Missing altogether, and a bad `--base-url` over a good one.
    let kb =
        KbTest::minimal().file("hindsight.toml", "title = \"T\"\n").file("postmortems/a.md", HEAD);
    assert!(kb.build(&[]).failure().stderr().contains("error[H012]"));
    kb.build(&["--base-url", "https://kb.example.com/"]).success();
    let kb = KbTest::minimal().file("postmortems/a.md", HEAD);
    assert!(kb.build(&["--base-url", "kb.example.com"]).failure().stderr().contains("error[H012]"));
}
