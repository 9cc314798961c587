//! Search: the browser's script (run under Node on the built site's static index) and
//! `hindsight search` (tantivy) must analyze and rank alike.

use std::collections::BTreeSet;
use std::path::Path;

use hindsight::diagnostics::Mode;
use hindsight::model::BuildFilter;
use hindsight::search::engine::{SortOrder, search};
use hindsight::search::query::{parse_query, synonym_table};
use hindsight::{LoadOptions, load_site};

use crate::support::{
    KbTest, copy_of, example_site, example_site_dir, node, run_node, shared_corpus,
};

fn options(public: bool) -> LoadOptions {
    LoadOptions {
        mode: Mode::Build,
        filter: BuildFilter { include_drafts: false, public_only: public },
        base_url: None,
        build_date: time::macros::date!(2026 - 11 - 26),
    }
}

/// Several hundred queries of every kind, made from the site's own titles, tags and services.
fn queries(out: &Path) -> Vec<(String, &'static str)> {
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("postmortems.json")).unwrap())
            .unwrap();
    let mut words: BTreeSet<String> = BTreeSet::new();
    let mut titles = Vec::new();
    let mut tags = BTreeSet::new();
    for p in export["postmortems"].as_array().unwrap() {
        let title = p["title"].as_str().unwrap().to_string();
        for w in title.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 3) {
            words.insert(w.to_lowercase());
        }
        titles.push(title);
        for t in p["tags"].as_array().unwrap() {
            tags.insert(t.as_str().unwrap().to_string());
        }
    }
    let words: Vec<String> = words.into_iter().collect();
    let mut q: Vec<(String, &'static str)> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        q.push((w.clone(), "relevance"));
        if i % 3 == 0 {
            q.push((format!("{w} "), "relevance"));
        }
        let chars: Vec<char> = w.chars().collect();
        if chars.len() >= 5 {
            q.push((chars[..chars.len().min(4)].iter().collect(), "relevance"));
            if i % 2 == 0 {
                let mut swapped = chars.clone();
                swapped.swap(2, 3);
                q.push((swapped.iter().collect::<String>() + " ", "relevance"));
            } else {
                let mut dropped = chars.clone();
                dropped.remove(chars.len() / 2);
                q.push((dropped.iter().collect::<String>() + " ", "relevance"));
            }
        }
        if i + 1 < words.len() && i % 4 == 0 {
            q.push((format!("{w} {}", words[(i * 7 + 3) % words.len()]), "relevance"));
            q.push((format!("{w} -{}", words[(i * 5 + 1) % words.len()]), "relevance"));
        }
    }
    for (i, t) in titles.iter().enumerate() {
        let ws: Vec<&str> = t.split_whitespace().collect();
        if ws.len() >= 3 {
            q.push((format!("\"{} {}\"", ws[1], ws[2]), "relevance"));
            q.push((
                format!("{} {} {}", ws[0], ws[1], ws[ws.len() - 1]),
                if i % 2 == 0 { "relevance" } else { "date" },
            ));
        }
    }
    for (i, tag) in tags.iter().enumerate() {
        q.push((format!("tag:{tag} {}", words[(i * 11) % words.len()]), "relevance"));
        q.push((format!("tag:{tag}"), "date"));
    }
    for s in [
        "k8s",
        "db",
        "oom",
        "cert",
        "pg",
        "kubernetes",
        "database outage",
        "rollback",
        "dns year:2021",
        "severity:sev2 deploy",
        "fat finger",
        "fat finger outage",
        "ran out of memory ",
        "rate limit",
        "supply chain attack",
        "wrong button pressed",
        "database failover",
        // Stems in nearly every postmortem of the real corpus: their postings have tails
        // (static_index.rs MAIN_POSTINGS), fetched with the shard when the query needs them.
        "source",
        "data",
        "original source",
        "\"catalogue entry\"",
        "\"original write-up\" data",
        "catalogue -github",
        "source year:2017",
    ] {
        q.push((s.to_string(), "relevance"));
    }
    q.push(("origin".to_string(), "date"));
    q
}

fn slug_of(url: &str) -> String {
    url.trim_start_matches("postmortems/").trim_end_matches('/').to_string()
}

/// Build `kb`, then run every query through both front ends and compare.
fn assert_agreement(kb: &KbTest, public: bool) -> usize {
    let Some(node) = node() else { return 0 };
    let mut args = vec![];
    if public {
        args.push("--public");
    }
    kb.build(&args).success();
    let out = kb.path().join("public");
    let queries = queries(&out);
    let input: String = queries
        .iter()
        .map(|(q, sort)| serde_json::json!({"query": q, "sort": sort}).to_string() + "\n")
        .collect();
    let browser = run_node(&node, "run_queries.js", &[out.to_str().unwrap(), "10"], &input);
    let loaded =
        load_site(kb.path(), &options(public)).unwrap_or_else(|_| panic!("the site loads"));
    let (index, config) = hindsight::open_search_index(kb.path(), &options(public))
        .unwrap_or_else(|_| panic!("the index opens"));
    let source = index.source(synonym_table(&config.search.synonyms)).unwrap();
    let mut compared = 0;
    for ((query, sort), line) in queries.iter().zip(browser.lines()) {
        let b: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(b["query"].as_str().unwrap(), query);
        let parsed = parse_query(query);
        let words: Vec<serde_json::Value> =
            parsed.words.iter().map(|w| serde_json::json!([w.term, w.surface, w.prefix])).collect();
        assert_eq!(b["words"].as_array().unwrap(), &words, "query {query:?}: analysis differs");
        let order = if *sort == "date" { SortOrder::Date } else { SortOrder::Relevance };
        let results = search(&parsed, &source, order);
        let cli: Vec<String> =
            results.hits.iter().take(10).map(|h| source.stored(h.doc).unwrap().slug).collect();
        let web: Vec<String> =
            b["top"].as_array().unwrap().iter().map(|u| slug_of(u.as_str().unwrap())).collect();
        assert_eq!(web, cli, "query {query:?} ({sort}): the browser and the CLI rank differently");
        let terms: Vec<&str> =
            b["terms"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(terms, results.terms, "query {query:?}: expansions differ");
        compared += 1;
    }
    assert!(loaded.site.incidents.len() > 5);
    compared
}

#[test]
fn the_browser_and_the_cli_agree_on_example_site() {
    let kb = example_site();
    let compared = assert_agreement(&kb, false);
    assert!(compared == 0 || compared >= 300, "only {compared} queries");
}

#[test]
fn the_browser_and_the_cli_agree_on_the_real_corpus() {
    let Some(corpus) = shared_corpus() else { return };
    let kb = copy_of(&corpus);
    let compared = assert_agreement(&kb, false);
    assert!(compared == 0 || compared >= 500, "only {compared} queries");
    // Words of nearly every postmortem have tails; the manifest's filter of tailed stems lets
    // a query needing complete postings fetch shards and tails in one round, from a cold start.
    let Some(node) = node() else { return };
    let site = kb.path().join("public");
    for query in ["source origin ", "kinesis source ", "\"catalogue entry\""] {
        let line = serde_json::json!({"query": query, "sort": "relevance"}).to_string();
        let out = run_node(&node, "run_queries.js", &[site.to_str().unwrap(), "10"], &line);
        let result: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let rounds = if query.starts_with('"') { 2 } else { 1 };
        assert_eq!(result["rounds"], rounds, "{query:?} loaded in {} rounds", result["rounds"]);
        assert_eq!(result["top"].as_array().map(Vec::len), Some(10), "{query:?}: {result}");
    }
}

#[test]
fn the_browser_stems_every_word_as_the_index_does() {
    let Some(node) = node() else { return };
    let mut words: BTreeSet<String> = BTreeSet::new();
    let mut roots = vec![example_site_dir()];
    roots.extend(shared_corpus());
    for root in &roots {
        let kb = copy_of(root);
        let loaded = load_site(kb.path(), &options(false)).unwrap_or_else(|_| panic!("loads"));
        words.extend(loaded.vocabulary.surfaces.iter().map(|s| s.to_string()));
    }
    // Words that exercise the stemmer's special cases, and non-ASCII letters.
    for w in [
        "skies",
        "dying",
        "lying",
        "news",
        "proceed",
        "succeeded",
        "generously",
        "communism",
        "innings",
        "outing",
        "herring",
        "earring",
        "canning",
        "evening",
        "pasting",
        "ugliest",
        "sky's",
        "ωμέγα",
        "привет",
        "naïve",
    ] {
        words.insert(w.to_string());
    }
    let built = KbTest::fixture("core/basic");
    built.build(&[]).success();
    let input: String = words.iter().map(|w| format!("{w}\n")).collect();
    let output =
        run_node(&node, "stem_words.js", &[built.path().join("public").to_str().unwrap()], &input);
    let mut mismatches = Vec::new();
    for line in output.lines() {
        let (word, js) = line.split_once('\t').unwrap();
        let rust = hindsight::search::analyzer::terms(word).join(" ");
        if js != rust {
            mismatches.push(format!("{word}: browser {js:?}, index {rust:?}"));
        }
    }
    assert!(words.len() > 1000, "{} words", words.len());
    assert!(
        mismatches.is_empty(),
        "{} of {} words differ:\n{}",
        mismatches.len(),
        words.len(),
        mismatches.join("\n")
    );
}

#[test]
fn hindsight_search_prints_ranked_results_and_json() {
    let kb = KbTest::fixture("nav/basic");
    let run = kb.run(&["search", ".", "credited spends", "--build-date", "2026-11-26"]).success();
    let out = run.stdout();
    assert!(out.starts_with("1. [SEV1] Ledger change credited spends"), "{out}");
    assert!(out.contains("postmortems/2024/2024-02-01-ledger-sign-flip.md"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&kb.run(&["search", "credited ledger", "--json"]).success().stdout())
            .unwrap();
    assert_eq!(json["results"][0]["slug"], "2024-02-01-ledger-sign-flip");
    assert_eq!(json["parsed"]["words"][0][0], "credit");
    let snippet = &json["results"][0]["snippet"];
    let (a, b) = (
        snippet["highlights"][0][0].as_u64().unwrap() as usize,
        snippet["highlights"][0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(snippet["text"].as_str().unwrap()[a..b].to_lowercase(), "ledger");
    let none = kb.run(&["search", "zzzqqq"]).success();
    assert!(none.stdout().contains("No postmortem matches"));
}

#[test]
fn the_search_index_follows_edits_without_a_build() {
    let kb = KbTest::fixture("nav/basic");
    kb.run(&["search", ".", "ledger"]).success();
    kb.write(
        "postmortems/2025/2025-01-01-new.md",
        "+++\ntitle = \"Zeppelin telemetry outage\"\ndate = 2025-01-01\n+++\nThe zeppelin fleet lost telemetry.\n",
    );
    let out = kb.run(&["search", ".", "zeppelin"]).success().stdout();
    assert!(out.contains("Zeppelin telemetry outage"), "{out}");
    std::fs::remove_file(kb.path().join("postmortems/2025/2025-01-01-new.md")).unwrap();
    let out = kb.run(&["search", ".", "zeppelin"]).success().stdout();
    assert!(out.contains("No postmortem matches"), "{out}");
}

#[test]
fn a_read_only_knowledge_base_is_searched_and_built_without_writing_into_it() {
    use std::os::unix::fs::PermissionsExt;
    let kb = KbTest::fixture("nav/basic");
    let elsewhere = tempfile::tempdir().unwrap();
    let output = elsewhere.path().join("public");
    let before = crate::support::walkdir(kb.path());
    let set_mode = |mode| {
        std::fs::set_permissions(kb.path(), std::fs::Permissions::from_mode(mode)).unwrap();
    };
    // A read-only checkout: hindsight must not write into it, even running as root.
    set_mode(0o555);
    let search = kb.run(&["search", ".", "credited spends"]);
    let build = kb.run(&["build", ".", "--output", output.to_str().unwrap()]);
    let again = kb.run(&["search", ".", "credited ledger", "--json"]);
    set_mode(0o755);
    let out = search.success().stdout();
    assert!(out.starts_with("1. [SEV1] Ledger change credited spends"), "{out}");
    build.success();
    assert!(output.join("index.html").is_file());
    let json: serde_json::Value = serde_json::from_str(&again.success().stdout()).unwrap();
    assert_eq!(json["results"][0]["slug"], "2024-02-01-ledger-sign-flip");
    assert_eq!(crate::support::walkdir(kb.path()), before, "nothing was written into the folder");
}
