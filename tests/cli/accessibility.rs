//! Accessibility of the default theme on the built example site: every page has a language,
//! landmarks and a skip link, images have text alternatives, charts are labelled images, and
//! every visible piece of text has WCAG AA contrast in light and dark mode (in Chromium).

use scraper::{Html, Selector};

use crate::support::{browser, example_site, run_node, walkdir};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

#[test]
fn every_page_has_landmarks_a_skip_link_and_text_alternatives() {
    let kb = example_site();
    kb.build(&[]).success();
    let public = kb.path().join("public");
    let mut pages = 0;
    let mut problems = Vec::new();
    for path in walkdir(&public).into_iter().filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let rel = path.strip_prefix(&public).unwrap().to_string_lossy().to_string();
        let html = Html::parse_document(&std::fs::read_to_string(&path).unwrap());
        // Alias redirects are one meta refresh, not pages.
        if html.select(&sel("meta[http-equiv=refresh]")).next().is_some() {
            continue;
        }
        pages += 1;
        let mut check = |ok: bool, what: &str| {
            if !ok {
                problems.push(format!("{rel}: {what}"));
            }
        };
        let lang = html.select(&sel("html")).next().and_then(|h| h.value().attr("lang"));
        check(lang.is_some_and(|l| !l.is_empty()), "no lang on <html>");
        check(html.select(&sel("a.skip-link[href='#main']")).count() == 1, "no skip link");
        check(html.select(&sel("main#main")).count() == 1, "not exactly one <main id=main>");
        check(html.select(&sel("body > header")).count() == 1, "no banner <header>");
        check(html.select(&sel("body > footer")).count() == 1, "no <footer>");
        check(html.select(&sel("nav[aria-label]")).count() >= 1, "no labelled <nav>");
        check(html.select(&sel("h1")).count() == 1, "not exactly one <h1>");
        for img in html.select(&sel("img")) {
            check(
                img.value().attr("alt").is_some(),
                &format!("<img> without alt: {:?}", img.value().attr("src")),
            );
        }
        for svg in html.select(&sel("svg")) {
            let v = svg.value();
            let labelled = v.attr("aria-hidden") == Some("true")
                || (v.attr("role") == Some("img")
                    && (v.attr("aria-label").is_some() || v.attr("aria-labelledby").is_some()));
            check(labelled, "an <svg> that is neither hidden nor a labelled image");
        }
        for input in html.select(&sel("input:not([type=hidden]), select")) {
            let v = input.value();
            let named = v.attr("aria-label").is_some()
                || v.attr("id").is_some_and(|id| {
                    html.select(&sel(&format!("label[for='{id}']"))).next().is_some()
                })
                || v.attr("aria-labelledby").is_some();
            let wrapped = input
                .ancestors()
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "label"));
            check(
                named || wrapped,
                &format!("a form control without a label: {:?}", v.attr("name")),
            );
        }
    }
    assert!(pages > 100, "only {pages} pages checked");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn text_has_aa_contrast_in_light_and_dark_mode() {
    let Some(node) = browser() else { return };
    let kb = example_site();
    kb.build(&[]).success();
    let site = kb.path().join("public");
    let pages = [
        "/",
        "/postmortems/2024-05-02-postgres-failover-replication-lag/",
        "/postmortems/2021-06-22-expired-tls-certificate-partner-api/",
        "/stats/",
        "/actions/",
        "/lessons/",
        "/lessons/safe-deploys/",
        "/tags/",
        "/tags/stuff-i-broke-in-prod/",
        "/services/",
        "/paths/start-here/",
        "/on-this-day/",
        "/search/?q=dns",
        "/404.html",
    ];
    let mut args = vec![site.to_str().unwrap()];
    args.extend(pages);
    let out = run_node(&node, "contrast.js", &args, "");
    let r: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let checked = r["checked"].as_u64().unwrap();
    assert!(checked > 2000, "only {checked} text elements checked");
    let failures = r["failures"].as_array().unwrap();
    assert!(failures.is_empty(), "{} texts below WCAG AA contrast: {failures:#?}", failures.len());
}
