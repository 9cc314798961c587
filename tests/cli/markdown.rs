//! Markdown rendering as readers see it.

use crate::support::KbTest;

fn page() -> (KbTest, crate::support::Page) {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    let page = kb.html("public/postmortems/2023-11-02-config-push/index.html");
    (kb, page)
}

#[test]
fn tables_footnotes_strikethrough_and_task_lists() {
    let (_kb, page) = page();
    assert_eq!(page.texts(".prose table th"), ["Time (UTC)", "Event"]);
    assert_eq!(page.texts(".prose del"), ["wrong"]);
    assert_eq!(page.all(".prose sup.footnote-reference a").len(), 1);
    assert!(page.text(".prose .footnote-definition").contains("The footnote text."));
    let boxes = page.all(".prose li input[type=checkbox]");
    assert_eq!(boxes.len(), 2);
    assert!(boxes[0].value().attr("checked").is_some());
    assert!(boxes[1].value().attr("checked").is_none());
    let names: Vec<_> = boxes.iter().map(|b| b.value().attr("aria-label")).collect();
    assert_eq!(names, [Some("Done"), Some("Not done")], "screen readers hear the state");
}

#[test]
fn headings_get_stable_unique_anchors() {
    let (_kb, page) = page();
    let ids: Vec<_> =
        page.all(".prose h2").iter().map(|h| h.value().id().unwrap().to_string()).collect();
    assert_eq!(ids, ["summary", "timeline", "details", "details-1"]);
    assert_eq!(page.attr(".prose h2#summary a.anchor", "href"), "#summary");
}

#[test]
fn code_is_highlighted_with_classes_and_unknown_languages_are_plain() {
    let (_kb, page) = page();
    let blocks = page.all(".prose pre");
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].value().attr("data-lang"), Some("toml"));
    assert!(blocks[0].inner_html().contains("class=\"hl-"), "{}", blocks[0].inner_html());
    assert!(blocks[1].value().attr("data-lang").is_none());
    assert!(!blocks[1].inner_html().contains("<span"));
    // Code that shows a script tag is content: escaped, never executed.
    assert_eq!(crate::support::text_of(blocks[1]), "<script>alert(\"not run\")</script>");
    assert!(page.all(".prose script").is_empty());
}

#[test]
fn links_to_other_postmortems_become_their_urls() {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    let page = kb.html("public/postmortems/2024-05-02-db-failover/index.html");
    let link = page
        .all(".prose a")
        .into_iter()
        .find(|a| crate::support::text_of(*a) == "the config push")
        .unwrap();
    assert_eq!(
        link.value().attr("href"),
        Some("../../postmortems/2023-11-02-config-push/#timeline")
    );
    assert!(page.all(".prose pre[data-lang=sql]").len() == 1);
}

#[test]
fn smart_punctuation_is_off_by_default() {
    let kb = KbTest::minimal().file(
        "postmortems/a.md",
        "+++\ntitle = \"A\"\ndate = 2024-01-01\n+++\nRun \"make\" -- then 'go'...\n",
    );
    kb.build(&[]).success();
    assert_eq!(
        kb.html("public/postmortems/a/index.html").text(".prose p"),
        "Run \"make\" -- then 'go'..."
    );
}
