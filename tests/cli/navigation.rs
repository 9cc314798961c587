//! The pages around the postmortems: taxonomies, lessons, reading paths, related incidents,
//! actions, stats, "on this day", feeds and machine-readable output.

use crate::support::{KbTest, text_of};

fn built(extra: &[&str]) -> KbTest {
    let kb = KbTest::fixture("nav/basic");
    kb.build(extra).success();
    kb
}

#[test]
fn tags_merge_spellings_and_always_get_a_slug() {
    let kb = built(&[]);
    let tags = kb.html("public/tags/index.html");
    let terms = tags.texts(".term a");
    assert!(
        terms.contains(&"Stuff I broke in prod 2".to_string()),
        "two spellings are one tag: {terms:?}"
    );
    assert!(terms.contains(&"数据库 1".to_string()), "{terms:?}");
    let hrefs: Vec<String> =
        tags.all(".term a").iter().map(|a| a.value().attr("href").unwrap().to_string()).collect();
    assert!(hrefs.contains(&"../tags/数据库/".to_string()), "{hrefs:?}");
    assert!(
        hrefs.contains(&"../tags/u1f525/".to_string()),
        "an emoji tag gets a non-empty slug: {hrefs:?}"
    );
    let tag = kb.html("public/tags/stuff-i-broke-in-prod/index.html");
    assert_eq!(tag.text("h1"), "Stuff I broke in prod");
    assert_eq!(tag.text(".page-header .lead"), "Changes of ours that broke production.");
    assert_eq!(
        tag.texts(".row-title"),
        ["Ledger change credited spends", "Ledger replay double-counted refunds"]
    );
    assert!(
        tag.texts(".row-meta").iter().all(|m| m.starts_with("SEV")),
        "each row shows its severity"
    );
    assert_eq!(
        tag.attr("link[type='application/atom+xml'][title='Stuff I broke in prod']", "href"),
        "../../tags/stuff-i-broke-in-prod/atom.xml"
    );
}

#[test]
fn long_lists_paginate() {
    let kb = built(&[]);
    let first = kb.html("public/postmortems/index.html");
    assert_eq!(first.all(".row").len(), 2);
    assert_eq!(first.attr(".pagination a[rel=next]", "href"), "../postmortems/page/2/");
    let last = kb.html("public/postmortems/page/2/index.html");
    assert_eq!(
        last.texts(".row-title"),
        ["Internal DNS failed across the cluster", "Internal only incident SECRETMARKER"]
    );
    assert!(kb.path().join("public/postmortems/page/3/index.html").is_file());
    assert!(!kb.path().join("public/postmortems/page/4").exists());
}

#[test]
fn service_pages_show_counts_by_year_durations_and_co_failures() {
    let kb = built(&[]);
    let ledger = kb.html("public/services/ledger/index.html");
    let years: Vec<String> = ledger.texts(".service-facts table tbody tr");
    assert_eq!(years, ["2023 1", "2024 1"]);
    let facts = ledger.texts(".service-facts .fact-grid div");
    assert_eq!(facts, ["Median 4h", "90th percentile 22h"]);
    assert!(ledger.text(".service-facts").contains("Fewer than 5: too few to call a trend."));
    assert_eq!(ledger.texts(".service-facts .plain li"), ["payments-api 1"]);
    let severity = kb.html("public/severity/sev2/index.html");
    assert_eq!(severity.all(".row").len(), 2);
    let year = kb.html("public/years/2022/index.html");
    assert_eq!(year.texts(".row-title"), ["Internal DNS failed across the cluster"]);
}

#[test]
fn lesson_themes_gather_every_lesson() {
    let kb = built(&[]);
    let overview = kb.html("public/lessons/index.html");
    let cards = overview.texts(".theme-card");
    assert!(
        cards.contains(&"Repairing data What rollbacks do not undo. 2 lessons".to_string()),
        "{cards:?}"
    );
    assert!(cards.contains(&"A theme with no lessons yet 0 lessons".to_string()), "{cards:?}");
    let theme = kb.html("public/lessons/repair-data/index.html");
    assert_eq!(
        theme.texts(".quote blockquote"),
        [
            "A rollback does not undo rows already written.",
            "Replays must be idempotent; the recompute job saved us again."
        ]
    );
    let sources = theme.all(".quote-source a[href*=postmortems]");
    assert_eq!(
        sources[0].value().attr("href"),
        Some("../../postmortems/2024-02-01-ledger-sign-flip/")
    );
}

#[test]
fn reading_paths_order_postmortems_and_link_along_the_path() {
    let kb = built(&[]);
    let path = kb.html("public/paths/start-here/index.html");
    assert_eq!(
        path.texts(".path-step .card-title"),
        [
            "Ledger change credited spends",
            "Internal DNS failed across the cluster",
            "Internal only incident SECRETMARKER"
        ]
    );
    let page = kb.html("public/postmortems/2022-01-10-dns-outage/index.html");
    assert_eq!(page.text(".path-position"), "Start here : part 2 of 3");
    assert_eq!(
        page.attr(".path-nav .prev", "href"),
        "../../postmortems/2024-02-01-ledger-sign-flip/"
    );
    assert_eq!(page.attr(".path-nav .next", "href"), "../../postmortems/2021-05-05-internal-only/");
}

#[test]
fn related_incidents_put_explicit_links_first_and_say_why() {
    let kb = built(&[]);
    let page = kb.html("public/postmortems/2024-02-01-ledger-sign-flip/index.html");
    let related = page.all(".related-list li");
    assert!(related.len() >= 2, "explicit and similar: {}", related.len());
    assert!(text_of(related[0]).starts_with("SEV2 Internal DNS failed across the cluster"));
    assert!(text_of(related[0]).ends_with("listed as related"));
    let second = text_of(related[1]);
    assert!(second.contains("Ledger replay double-counted refunds"), "{second}");
    assert!(
        second.contains("same service: ledger")
            && second.contains("also taught: Repairing data")
            && second.contains("similar wording: ledger, balances"),
        "{second}"
    );
    // The other side of an explicit link shows it too.
    let dns = kb.html("public/postmortems/2022-01-10-dns-outage/index.html");
    assert!(
        dns.texts(".related-list li").iter().any(|r| r.contains("Ledger change credited spends")
            && r.ends_with("lists this one as related"))
    );
}

#[test]
fn the_action_tracker_lists_overdue_first_with_age() {
    let kb = built(&[]);
    let page = kb.html("public/actions/index.html");
    let rows = page.texts("#action-table tbody tr");
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0]
            .starts_with("Keep a recompute job ready ledger-team 2024-03-01 open overdue 1029 d"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with("Alert on SERVFAIL ratio traffic-team 2099-01-01 open"),
        "{rows:?}"
    );
    assert!(rows[2].contains("done"), "{rows:?}");
    assert_eq!(page.all("#action-filters select").len(), 2);
    assert_eq!(page.attr("script[src$='actions.js']", "src"), "../assets/actions.js");
    let statuses: Vec<&str> = page
        .all("#action-table tbody tr")
        .iter()
        .map(|r| r.value().attr("data-status").unwrap())
        .collect();
    assert_eq!(statuses, ["open overdue", "open", "done"]);
}

#[test]
fn a_long_action_tracker_gets_pages_and_pages_per_owner() {
    let kb = KbTest::fixture("nav/basic");
    let config = kb.read("hindsight.toml").replace("page_size = 2", "page_size = 1");
    kb.write("hindsight.toml", &config);
    kb.write(
        "postmortems/2024/2024-05-05-more-actions.md",
        "+++\ntitle = \"More actions\"\ndate = 2024-05-05T10:00:00Z\n\
         [[actions]]\ntitle = \"One\"\nowner = \"Ledger Team\"\nstatus = \"done\"\n\
         [[actions]]\ntitle = \"Two\"\nowner = \"sre\"\nstatus = \"wontfix\"\n\
         [[actions]]\ntitle = \"Three\"\nowner = \"sre\"\nstatus = \"open\"\n+++\n",
    );
    kb.build(&[]).success();
    // Six actions, four per page.
    let first = kb.html("public/actions/index.html");
    assert_eq!(first.all("#action-table tbody tr").len(), 4);
    assert_eq!(first.attr("#action-filters", "data-paged"), "true");
    assert_eq!(first.attr(".pagination a[rel=next]", "href"), "../actions/page/2/");
    assert_eq!(kb.html("public/actions/page/2/index.html").all("#action-table tbody tr").len(), 2);
    // Each status is a run of the list: its option opens the page where the run starts.
    let status = |s: &str| {
        first.attr(&format!("#action-filters select[name=status] option[value={s}]"), "data-href")
    };
    assert_eq!(status("overdue"), "../actions/");
    assert_eq!(status("wontfix"), "../actions/page/2/");
    assert!(!kb.path().join("public/actions/overdue").exists());
    // A page per owner; spellings of one owner are one owner.
    let ledger = kb.html("public/actions/owners/ledger-team/index.html");
    assert_eq!(ledger.text("h1"), "Action items owned by ledger-team");
    assert_eq!(ledger.all("#action-table tbody tr").len(), 3);
    assert_eq!(ledger.attr("#action-filters", "data-owner"), "ledger-team");
    let options = ledger.texts("#action-filters select[name=owner] option");
    assert_eq!(options, ["Everyone", "ledger-team (3)", "sre (2)", "traffic-team (1)"]);
    assert_eq!(
        ledger.attr("#action-filters select[name=owner] option[value=sre]", "data-href"),
        "../../../actions/owners/sre/"
    );
}

#[test]
fn a_long_learning_theme_is_split_into_pages() {
    let kb = KbTest::fixture("nav/basic");
    let config = kb.read("hindsight.toml").replace("page_size = 2", "page_size = 1");
    kb.write("hindsight.toml", &config);
    kb.write(
        "postmortems/2024/2024-05-05-three-lessons.md",
        "+++\ntitle = \"Three lessons\"\ndate = 2024-05-05T10:00:00Z\n\
         [[lessons]]\ntheme = \"detect-early\"\ntext = \"First.\"\n\
         [[lessons]]\ntheme = \"detect-early\"\ntext = \"Second.\"\n\
         [[lessons]]\ntheme = \"detect-early\"\ntext = \"Third.\"\n+++\n",
    );
    kb.build(&[]).success();
    let first = kb.html("public/lessons/detect-early/index.html");
    assert_eq!(first.all(".quote").len(), 2);
    assert_eq!(first.attr(".pagination a[rel=next]", "href"), "../../lessons/detect-early/page/2/");
    let rest: usize = (2..=3)
        .map(|n| kb.path().join(format!("public/lessons/detect-early/page/{n}/index.html")))
        .filter(|p| p.is_file())
        .map(|p| {
            let rel = p.strip_prefix(kb.path()).unwrap().to_str().unwrap().to_string();
            kb.html(&rel).all(".quote").len()
        })
        .sum();
    let total: usize =
        first.text(".page-header .muted").split(' ').next().unwrap().parse().unwrap();
    assert_eq!(2 + rest, total, "every lesson is on one of the pages");
}

#[test]
fn check_can_fail_on_overdue_actions() {
    let kb = KbTest::fixture("nav/basic");
    kb.run(&["check", ".", "--build-date", "2026-11-26"]).success();
    let run = kb.run(&["check", ".", "--build-date", "2026-11-26", "--fail-on-overdue"]).failure();
    assert!(run.stderr().contains("Keep a recompute job ready"), "{}", run.stderr());
    kb.run(&["check", ".", "--build-date", "2024-02-15", "--fail-on-overdue"]).success();
}

#[test]
fn stats_draw_accessible_charts_with_data_tables() {
    let kb = built(&[]);
    let page = kb.html("public/stats/index.html");
    let charts = page.all("svg.chart");
    assert!(charts.len() >= 6, "{}", charts.len());
    for chart in &charts {
        assert_eq!(chart.value().attr("role"), Some("img"));
        let labelled = chart.value().attr("aria-labelledby").unwrap();
        assert!(labelled.ends_with("-t ") || labelled.contains("-t "), "{labelled}");
    }
    assert_eq!(
        page.all(".chart-with-table table").len(),
        charts.len(),
        "a table beside each chart"
    );
    let durations = page.texts(".chart-section:first-of-type table tbody tr");
    assert!(durations[0].starts_with("All* 5 9m 20m"), "{durations:?}");
    assert!(page.text("main").contains("too few"), "small groups say so");
    assert!(!page.text("main").contains("MTTR:"), "no bare mean headline");
}

#[test]
fn on_this_day_resurfaces_past_years() {
    let kb = built(&[]);
    let page = kb.html("public/on-this-day/index.html");
    assert_eq!(page.texts(".row-title"), ["Gateway timeouts on a November evening"]);
    assert!(page.text(".years-ago").starts_with("6 years ago"));
}

#[test]
fn feeds_sitemap_robots_and_json_export() {
    let kb = built(&[]);
    let atom = kb.read("public/atom.xml");
    assert!(atom.starts_with("<?xml"));
    let feed = scraper::Html::parse_document(&atom);
    let entries: Vec<_> = feed.select(&scraper::Selector::parse("entry").unwrap()).collect();
    assert_eq!(entries.len(), 5);
    let first_id =
        text_of(entries[0].select(&scraper::Selector::parse("id").unwrap()).next().unwrap());
    assert_eq!(first_id, "https://kb.example.com/team/postmortems/2024-02-01-ledger-sign-flip/");
    let tag_feed = kb.read("public/tags/dns/atom.xml");
    assert_eq!(tag_feed.matches("<entry>").count(), 2);
    let sitemap = kb.read("public/sitemap.xml");
    assert!(sitemap.contains("<loc>https://kb.example.com/team/lessons/repair-data/</loc>"));
    assert!(!sitemap.contains("404.html") && !sitemap.contains("atom.xml"));
    assert!(kb.read("public/robots.txt").contains("User-agent: *"));
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    assert_eq!(json["format_version"], 1);
    let first = &json["postmortems"][0];
    assert_eq!(first["slug"], "2024-02-01-ledger-sign-flip");
    assert_eq!(first["durations_seconds"]["detect"], 1200);
    assert_eq!(first["overdue_actions"], 1);
    assert_eq!(first["related"][0], "2022-01-10-dns-outage");
    assert_eq!(json["postmortems"].as_array().unwrap().len(), 5);
}

#[test]
fn a_public_build_leaves_internal_postmortems_out_of_every_page() {
    let kb = built(&["--public"]);
    for file in crate::support::walkdir(&kb.path().join("public")) {
        if file.is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            assert!(
                !text.contains("SECRETMARKER") && !text.contains("secret-service-marker"),
                "{} leaks",
                file.display()
            );
        }
    }
    let run = kb.build(&["--public"]).success();
    assert!(
        run.stderr().contains("2021-05-05-internal-only"),
        "the skipped reading-path entry is reported: {}",
        run.stderr()
    );
    let path = kb.html("public/paths/start-here/index.html");
    assert_eq!(path.all(".path-step").len(), 2);
}
