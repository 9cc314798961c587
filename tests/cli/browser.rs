//! The built site in a real browser (Debian's Chromium): search as you type, keyboard
//! navigation, facets, the action filter, and search opened from `file://`.

use crate::support::{browser, example_site, run_node};

#[test]
fn the_example_site_works_in_chromium() {
    let Some(node) = browser() else { return };
    let kb = example_site();
    kb.build(&[]).success();
    let site = kb.path().join("public");
    let out = run_node(&node, "browser_e2e.js", &[site.to_str().unwrap(), "certificate"], "");
    let r: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(r["errors"].as_array().unwrap().len(), 0, "no script error or CSP violation: {r}");
    assert_eq!(r["focused"], "site-search-input", "`/` focuses the search box");
    assert_eq!(
        r["instant"]["first"],
        "Expired TLS certificate broke the partner API for seven hours"
    );
    assert_eq!(r["activeSelected"], "true", "arrow keys select results");
    assert_eq!(
        r["openedTitle"], "Expired TLS certificate broke the partner API for seven hours",
        "Enter opens the result"
    );
    let (before, after) =
        (r["facets"]["before"].as_u64().unwrap(), r["facets"]["after"].as_u64().unwrap());
    assert!(after < before && after > 0, "a facet narrows the results: {before} → {after}");
    assert!(r["facets"]["url"].as_str().unwrap().contains("&tag="), "the URL keeps the filter");
    assert!(r["actions"]["visibleDone"].as_u64().unwrap() < r["actions"]["rows"].as_u64().unwrap());
    assert_eq!(
        r["file"]["first"], "Expired TLS certificate broke the partner API for seven hours",
        "search works from file://"
    );
    assert_eq!(
        r["file"]["postmortemsLink"], "./postmortems/index.html",
        "folder links point at index.html under file://"
    );
    let bytes = r["instant"]["bytes"].as_u64().unwrap();
    eprintln!(
        "cold one-word query from the header: {bytes} bytes on the wire, {} requests",
        r["instant"]["requests"].as_array().unwrap().len()
    );
    assert!(bytes < 60_000, "{bytes} bytes");
}
