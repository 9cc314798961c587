//! The pages a build writes and what they show.

use crate::support::KbTest;

fn built() -> KbTest {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    kb
}

#[test]
fn postmortem_page_shows_every_fact() {
    let kb = built();
    let page = kb.html("public/postmortems/2023-11-02-config-push/index.html");
    assert_eq!(page.text("h1"), "Bad config push took down the gateway");
    assert_eq!(page.text(".incident-header .sev"), "SEV2");
    assert!(page.all(".incident-header .sev.sev-1").len() == 1, "severity badge carries its rank");
    assert_eq!(
        page.text(".incident-header .lead"),
        "A config push with an invalid route table took the API gateway down for 12 minutes."
    );
    let facts = page.texts(".fact-grid > div");
    assert!(facts.contains(&"Started 2023-11-02 14:00 UTC".to_string()), "{facts:?}");
    assert!(facts.contains(&"Time to detect 3m".to_string()), "{facts:?}");
    assert!(facts.contains(&"Time to mitigate 12m".to_string()), "{facts:?}");
    assert!(facts.contains(&"Time to resolve 1h".to_string()), "{facts:?}");
    assert!(facts.contains(&"Services api-gateway config-service".to_string()), "{facts:?}");
    assert!(facts.contains(&"Tags Configuration Stuff I broke in prod".to_string()), "{facts:?}");
    assert!(facts.contains(&"Written by Platform team".to_string()), "{facts:?}");
    assert_eq!(page.text(".impact p"), "All API traffic failed for 12 minutes.");
    assert_eq!(page.texts(".milestone .m-offset"), ["T+0", "T+3m", "T+12m", "T+1h"]);
    assert_eq!(page.texts(".lesson p"), ["Validate route tables before they reach the gateway."]);
    assert_eq!(page.texts(".lesson-theme"), ["Detecting failure early"]);
    let rows = page.texts(".action-table tbody tr");
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].starts_with(
            "Add schema validation to config pushes platform-team 2023-12-01 open overdue"
        ),
        "{rows:?}"
    );
    assert!(rows[1].ends_with("done"), "{rows:?}");
    assert_eq!(page.attr(".action-table a", "href"), "https://tracker.example.com/PLAT-1");
    let toc = page.texts(".toc li");
    assert_eq!(toc, ["Summary", "Timeline", "Details", "Details", "Lessons", "Action items"]);
    // The newer postmortem links back; this one has no older one.
    assert_eq!(page.attr(".prev-next .next", "href"), "../../postmortems/2024-05-02-db-failover/");
    assert!(page.all(".prev-next .prev").is_empty());
}

#[test]
fn home_page_shows_recent_postmortems_and_severity_counts() {
    let kb = built();
    let home = kb.html("public/index.html");
    assert_eq!(
        home.texts(".home-recent .card-title"),
        ["Database failover left reads stale", "Bad config push took down the gateway"]
    );
    let counts = home.texts(".sev-counts li");
    assert_eq!(counts, ["SEV1 1", "SEV2 1", "SEV3 0"]);
    assert_eq!(home.texts(".stat-tiles .tile dd"), ["2", "2", "1"]);
    assert_eq!(
        home.attr("meta[name=generator]", "content"),
        format!("hindsight {}", env!("CARGO_PKG_VERSION"))
    );
    let list = kb.html("public/postmortems/index.html");
    assert_eq!(list.texts(".year-group h2"), ["2024", "2023"]);
}

#[test]
fn drafts_only_with_drafts_and_internal_only_without_public() {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    assert!(!kb.path().join("public/postmortems/2024-06-01-draft").exists());
    kb.build(&["--drafts"]).success();
    let draft = kb.html("public/postmortems/2024-06-01-draft/index.html");
    assert_eq!(draft.text(".incident-header .pill"), "draft");
    kb.write(
        "postmortems/2024/2024-06-01-draft.md",
        "+++\ntitle = \"Internal one\"\ndate = 2024-06-01\n+++\nx\n",
    );
    kb.build(&["--public"]).success();
    assert!(
        !kb.path().join("public/postmortems/2024-06-01-draft").exists(),
        "internal by default_visibility"
    );
    assert!(kb.path().join("public/postmortems/2023-11-02-config-push/index.html").exists());
}

#[test]
fn static_files_bundle_assets_and_aliases_are_written() {
    let kb = built();
    assert_eq!(kb.read("public/robots-extra.txt"), "User-agent: *\n");
    let png =
        std::fs::read(kb.path().join("public/postmortems/2024-05-02-db-failover/lag.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let page = kb.html("public/postmortems/2024-05-02-db-failover/index.html");
    assert_eq!(page.attr(".prose img", "src"), "lag.png");
    assert_eq!(page.attr(".prose img", "alt"), "Replication lag during the failover");
    let redirect = kb.html("public/incidents/42/index.html");
    assert_eq!(
        redirect.attr("meta[http-equiv=refresh]", "content"),
        "0; url=../../postmortems/2023-11-02-config-push/"
    );
    for asset in [
        "assets/style.css",
        "assets/hindsight.js",
        "assets/syntax-light.css",
        "assets/syntax-dark.css",
        "favicon.svg",
        "404.html",
    ] {
        assert!(kb.path().join("public").join(asset).is_file(), "{asset} missing");
    }
}

#[test]
fn a_site_template_overrides_one_block_of_the_default() {
    let kb = KbTest::fixture("core/basic").file(
        "templates/incident.html",
        "{% extends \"default/incident.html\" %}{% block main %}<p id=\"custom\">{{ incident.title }} by {{ incident.authors | join(sep=\", \") }}</p>{% endblock main %}",
    );
    kb.build(&[]).success();
    let page = kb.html("public/postmortems/2023-11-02-config-push/index.html");
    assert_eq!(page.text("#custom"), "Bad config push took down the gateway by Platform team");
    assert_eq!(page.all(".site-header").len(), 1, "the base layout is kept");
}

#[test]
fn a_static_file_replaces_the_theme_asset_of_the_same_path() {
    let kb = KbTest::fixture("core/basic").file("static/assets/style.css", "body { color: red }");
    kb.build(&[]).success();
    assert_eq!(kb.read("public/assets/style.css"), "body { color: red }");
}

#[test]
fn front_matter_is_data_not_template_source() {
    let kb = KbTest::minimal().file(
        "postmortems/a.md",
        "+++\ntitle = \"{{ 7*7 }} and <b>bold</b> {% raw %}\"\ndate = 2024-01-01\n+++\nbody\n",
    );
    kb.build(&[]).success();
    let page = kb.html("public/postmortems/a/index.html");
    assert_eq!(page.text("h1"), "{{ 7*7 }} and <b>bold</b> {% raw %}");
    assert!(page.all("h1 b").is_empty());
}
