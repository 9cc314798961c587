//! `hindsight check`: every finding on fixture files, with its code, file, line and column, in
//! all four output formats; the review checklist; and `hindsight new`.
//!
//! Fixture texts mark where each finding must point with `«CODE»` just before the spot; the
//! test removes the markers and computes the expected line and column.

use std::collections::BTreeSet;

use crate::support::{KbTest, node_with, run_node};

/// (code, file, line, column).
type Finding = (String, String, u64, u64);

const CONFIG: &str = r#"title = "T"
base_url = "https://kb.example.com/"

[tags.db]
title = "Databases"

[lesson_themes.detect-early]
title = "Detect early"
description = "Find out before customers do."

[lint]
blameful_phrases = ["cowboy deploy"]
"#;

/// A postmortem with nothing to report, published.
const COMPLETE: &str = r#"+++
title = "Complete"
date = 2024-01-01T10:00:00Z
summary = "Everything a reader needs."
# Configured as [tags.db] and [lesson_themes.detect-early]: found by slug, so described.
tags = ["DB"]

[times]
resolved = 2024-01-01T11:00:00Z

[[lessons]]
theme = "Detect Early"
text = "Alert on the ratio, not the count."
+++

## Impact

Some.
"#;

/// Every file of the fixture, with markers.
const FILES: &[(&str, &str)] = &[
    ("postmortems/complete.md", COMPLETE),
    (
        "postmortems/unknown-key.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n«H001»severty = \"SEV2\"\n+++\n",
    ),
    ("postmortems/malformed.md", "+++\ntitle = \"x\"\ndate = «H002»= 2024\n+++\n"),
    ("postmortems/wrong-type.md", "+++\ntitle = «H003»42\ndate = 2024-01-01\n+++\n"),
    ("postmortems/no-title.md", "«H004»+++\ndate = 2024-01-01\nstatus = \"draft\"\n+++\n"),
    (
        "postmortems/severity.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\nseverity = «H005»\"SEV9\"\n+++\n",
    ),
    (
        "postmortems/status.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = «H006»\"done\"\n+++\n",
    ),
    (
        "postmortems/order.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01T10:00:00Z\nstatus = \"draft\"\n[times]\ndetected = «H007»2024-01-01T09:00:00Z\n+++\n",
    ),
    (
        "postmortems/link.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n+++\n\nSee «H009»[this](nope.md).\n",
    ),
    (
        "postmortems/asset/index.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n+++\n\n«H010»![graph](missing.png)\n",
    ),
    (
        "postmortems/related.md",
        "+++\ntitle = \"Related\"\ndate = 2024-01-01T10:00:00Z\nsummary = \"s\"\nrelated = [«H011»\"nothing-here\"]\n[times]\nresolved = 2024-01-01T11:00:00Z\n[[lessons]]\ntheme = \"detect-early\"\ntext = \"t\"\n+++\n",
    ),
    (
        "postmortems/slug.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\nslug = «H014»\"../up\"\n+++\n",
    ),
    (
        "postmortems/url.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n[[actions]]\ntitle = \"a\"\nstatus = \"done\"\nurl = «H015»\"javascript:alert(1)\"\n+++\n",
    ),
    ("postmortems/empty.md", "«H016»\n\n"),
    (
        "postmortems/unsafe-link.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n+++\n\nClick «H018»[here](javascript:alert(1)).\n",
    ),
    (
        "postmortems/undescribed.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\ntags = [«H102»\"dbs\"]\n[[lessons]]\ntheme = «H101»\"detect-erly\"\ntext = \"t\"\n+++\n",
    ),
    (
        "postmortems/overdue.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n[[actions]]\ntitle = \"a\"\nowner = \"sre\"\nstatus = \"open\"\ndue = «H103»2024-02-01\n+++\n",
    ),
    (
        "postmortems/unfinished.md",
        "«H105»«H106»+++\ntitle = \"Unfinished\"\ndate = 2024-01-01T10:00:00Z\n+++\n\n## Impact\n\nSome.\n\n«H107»## Detection\n\n<!-- to do -->\n\n## Resolution\n\n### Notes\n\nWritten.\n",
    ),
    (
        "postmortems/empty-summary.md",
        "+++\ntitle = \"Empty summary\"\ndate = 2024-01-01T10:00:00Z\nstatus = \"published\"\n[times]\nresolved = 2024-01-01T11:00:00Z\n[[lessons]]\ntheme = \"detect-early\"\ntext = \"t\"\n+++\n\n«H104»## Summary\n\n## Lessons\n",
    ),
    (
        "postmortems/blame.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n[[lessons]]\ntheme = \"detect-early\"\ntext = \"No more «H108»careless deploys.\"\n+++\n\nIt was «H108»Sam's fault, a «H108»cowboy deploy.\n\n```\nhuman error in a log line is not prose\n```\n",
    ),
    (
        "postmortems/quoted.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n+++\n<!-- hindsight: allow blameful-language -->\n\n> \"Human error\", the vendor said.\n",
    ),
    (
        "postmortems/secrets.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\n+++\n\n```\naws_access_key_id=«H109»AKIAQWERTYUIOPASDFGH\nfrom «H110»81.2.69.160 user «H110»jane@corp.io\n«H109»-----BEGIN OPENSSH PRIVATE KEY-----\n```\n\nDB: «H109»postgres://app:hunter2@db:5432/x and «H109»ghp_0123456789abcdefghijklmnopqrstuvwxyz.\n",
    ),
    (
        "postmortems/bidi.md",
        "+++\ntitle = \"Admin «H111»\u{202E}gnp.exe\"\ndate = 2024-01-01\nstatus = \"draft\"\n+++\n",
    ),
    (
        "postmortems/dup-a.md",
        "«H008»+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\nslug = \"same\"\n+++\n",
    ),
    (
        "postmortems/dup-b.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"draft\"\nslug = \"same\"\n+++\n",
    ),
];

/// Remove the markers of `text`, returning the clean text and (code, line, column) of each.
fn strip_markers(text: &str) -> (String, Vec<(String, u64, u64)>) {
    let mut clean = String::new();
    let mut marks = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('«') {
        clean.push_str(&rest[..at]);
        let end = rest[at..].find('»').expect("closed marker") + at;
        let code = &rest[at + '«'.len_utf8()..end];
        let line = clean.matches('\n').count() as u64 + 1;
        let column = clean.rsplit('\n').next().unwrap().chars().count() as u64 + 1;
        marks.push((code.to_string(), line, column));
        rest = &rest[end + '»'.len_utf8()..];
    }
    clean.push_str(rest);
    (clean, marks)
}

/// The fixture knowledge base and the findings it must give.
fn fixture() -> (KbTest, BTreeSet<Finding>) {
    let mut kb = KbTest::empty().file("hindsight.toml", CONFIG);
    let mut expected = BTreeSet::new();
    for (file, text) in FILES {
        let (clean, marks) = strip_markers(text);
        kb = kb.file(file, &clean);
        for (code, line, column) in marks {
            expected.insert((code, file.to_string(), line, column));
        }
    }
    (kb, expected)
}

fn check(kb: &KbTest, format: &str) -> String {
    let run = kb.run(&["check", ".", "--build-date", "2026-11-26", "--format", format]).failure();
    if format == "human" { run.stderr() } else { run.stdout() }
}

fn from_json(out: &str) -> BTreeSet<Finding> {
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["code"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn from_github(out: &str) -> BTreeSet<Finding> {
    out.lines()
        .map(|l| {
            let (kind, rest) = l.strip_prefix("::").unwrap().split_once(' ').unwrap();
            assert!(kind == "error" || kind == "warning", "{l}");
            let props = rest.split("::").next().unwrap();
            let prop = |name: &str| {
                props
                    .split(',')
                    .find_map(|p| p.strip_prefix(&format!("{name}=")))
                    .unwrap_or_else(|| panic!("no {name} in {l}"))
                    .replace("%3A", ":")
                    .replace("%2C", ",")
                    .replace("%25", "%")
            };
            let title = prop("title");
            (
                title.split(' ').next().unwrap().to_string(),
                prop("file"),
                prop("line").parse().unwrap(),
                prop("col").parse().unwrap(),
            )
        })
        .collect()
}

fn from_sarif(out: &str) -> BTreeSet<Finding> {
    let log: serde_json::Value = serde_json::from_str(out).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], r["ruleId"]);
            let location = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                location["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                location["region"]["startLine"].as_u64().unwrap(),
                location["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// codespan-reporting's layout: `error[H001]: message`, then `┌─ file:line:column`.
fn from_human(out: &str) -> BTreeSet<Finding> {
    let mut found = BTreeSet::new();
    let mut code = None;
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("error[").or_else(|| line.strip_prefix("warning[")) {
            code = Some(rest.split(']').next().unwrap().to_string());
        } else if let Some(at) = line.trim_start().strip_prefix("┌─ ") {
            let mut parts = at.rsplitn(3, ':');
            let column = parts.next().unwrap().parse().unwrap();
            let line = parts.next().unwrap().parse().unwrap();
            let file = parts.next().unwrap().to_string();
            found.insert((code.take().expect("a header before the location"), file, line, column));
        }
    }
    found
}

#[test]
fn every_finding_names_code_file_line_and_column_in_all_four_formats() {
    let (kb, expected) = fixture();
    let codes: BTreeSet<&str> = expected.iter().map(|f| f.0.as_str()).collect();
    assert!(codes.len() >= 24, "the fixture covers {} codes", codes.len());
    assert_eq!(from_json(&check(&kb, "json")), expected, "json");
    assert_eq!(from_github(&check(&kb, "github")), expected, "github");
    assert_eq!(from_sarif(&check(&kb, "sarif")), expected, "sarif");
    assert_eq!(from_human(&check(&kb, "human")), expected, "human");
}

#[test]
fn sarif_output_is_valid_against_the_schema() {
    let Some(node) = node_with("ajv") else { return };
    let (kb, _) = fixture();
    let sarif = kb.path().join("out.sarif");
    std::fs::write(&sarif, check(&kb, "sarif")).unwrap();
    let out = run_node(&node, "validate_sarif.js", &[sarif.to_str().unwrap()], "");
    assert_eq!(out.trim(), "valid");
    // A clean run is a valid log with no results (so dashboards close their alerts).
    let clean = KbTest::empty().file("hindsight.toml", CONFIG).file("postmortems/c.md", COMPLETE);
    let run = clean.run(&["check", ".", "--format", "sarif"]).success();
    let log: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
    std::fs::write(&sarif, run.stdout()).unwrap();
    assert_eq!(
        run_node(&node, "validate_sarif.js", &[sarif.to_str().unwrap()], "").trim(),
        "valid"
    );
}

#[test]
fn findings_show_the_source_line_with_secrets_hidden() {
    let (kb, _) = fixture();
    let human = check(&kb, "human");
    assert!(human.contains("warning[H108]: blameful wording: \"Sam's fault\""), "{human}");
    assert!(human.contains("describe what in the system made the failure possible"));
    assert!(human.contains("error[H109]: this looks like an AWS access key id"));
    // The underlined source line is printed, but the credential itself is masked.
    assert!(human.contains("aws_access_key_id=********************"), "{human}");
    for secret in ["AKIAQWERTYUIOPASDFGH", "hunter2", "ghp_0123456789"] {
        assert!(!human.contains(secret), "{secret} printed");
        assert!(!check(&kb, "json").contains(secret), "{secret} in json");
    }
}

#[test]
fn strict_fails_on_warnings_and_clean_sites_pass() {
    let kb = KbTest::empty()
        .file("hindsight.toml", CONFIG)
        .file("postmortems/c.md", COMPLETE)
        .file("postmortems/w.md", &COMPLETE.replace("Some.", "Human error, again."));
    let run = kb.run(&["check", "."]).success();
    assert!(run.stderr().contains("0 errors, 1 warning"), "{}", run.stderr());
    kb.run(&["check", ".", "--strict"]).failure();
    kb.write("postmortems/w.md", COMPLETE);
    let run = kb.run(&["check", ".", "--strict"]).success();
    assert!(run.stderr().contains("No problems found."));
}

#[test]
fn a_secret_stops_the_build_and_keeps_the_previous_site() {
    let kb = KbTest::empty().file("hindsight.toml", CONFIG).file("postmortems/c.md", COMPLETE);
    kb.build(&[]).success();
    let before = kb.read("public/index.html");
    kb.write("postmortems/c.md", &COMPLETE.replace("Some.", "Token xoxb-1234567890-abcdefghij."));
    let run = kb.build(&[]).failure();
    assert!(run.stderr().contains("error[H109]"), "{}", run.stderr());
    assert_eq!(kb.read("public/index.html"), before);
}

#[test]
fn the_review_checklist_answers_each_question() {
    let (kb, _) = fixture();
    let run = kb
        .run(&["check", ".", "--review", "postmortems/unfinished.md", "--format", "json"])
        .success();
    let review: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(review["file"], "postmortems/unfinished.md");
    assert_eq!(review["status"], "published");
    let done: Vec<(&str, bool)> = review["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["key"].as_str().unwrap(), i["done"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        done,
        [
            ("summary", true),
            ("impact", true),
            ("timeline", false),
            ("detection", false),
            ("causes", false),
            ("resolved", false),
            ("lessons", false),
            ("actions", false),
            ("blameless", true),
            ("private", true),
            ("valid", false),
        ]
    );
    let codes: Vec<&str> = review["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // The first paragraph stands in for a summary, so H104 does not apply.
    assert_eq!(codes, ["H105", "H106", "H107"]);
    // The human form, from inside the knowledge base or from elsewhere.
    let run = kb.run(&["check", "--review", "postmortems/complete.md"]).success();
    assert!(run.stdout().contains("[x] Is the impact stated"), "{}", run.stdout());
    assert!(run.stdout().contains("[ ] Are there action items, each with an owner?"));
    let path = kb.path().join("postmortems/complete.md");
    let run = crate::support::hindsight()
        .args(["check", kb.path().to_str().unwrap(), "--review", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&run.stdout).contains("Review of postmortems/complete.md"));
    kb.run(&["check", "--review", "postmortems/nope.md"]).failure();
}

#[test]
fn new_creates_a_draft_from_the_template_and_never_overwrites() {
    let kb = KbTest::empty().file("hindsight.toml", CONFIG).file("postmortems/c.md", COMPLETE);
    let title = "Checkout \"503s\" after a DB failover";
    let run =
        kb.run(&["new", title, "--date", "2024-03-14T09:32:00Z", "--severity", "sev2"]).success();
    let rel = "postmortems/2024/2024-03-14-checkout-503s-after-a-db-failover.md";
    assert_eq!(run.stdout().trim(), format!("./{rel}"));
    let text = kb.read(rel);
    assert!(text.contains("title = \"Checkout \\\"503s\\\" after a DB failover\""), "{text}");
    assert!(text.contains("date = 2024-03-14T09:32:00Z\nseverity = \"SEV2\"\nstatus = \"draft\""));
    for section in [
        "Summary",
        "Impact",
        "Timeline",
        "Root causes and trigger",
        "Detection",
        "Resolution",
        "What went well",
        "What went wrong",
        "Where we got lucky",
        "Lessons",
        "Action items",
    ] {
        assert!(text.contains(&format!("\n## {section}\n")), "{section}");
    }
    assert!(text.contains("# [[lessons]]") && text.contains("# [[actions]]"));
    // The new file is a valid draft: check has nothing to say about it.
    let run = kb.run(&["check", ".", "--drafts", "--strict"]).success();
    assert!(run.stderr().contains("No problems found."), "{}", run.stderr());
    // Never overwritten, neither as a file nor as a bundle of the same name.
    std::fs::write(kb.path().join(rel), "mine").unwrap();
    let run = kb.run(&["new", title, "--date", "2024-03-14"]).failure();
    assert!(run.stderr().contains("already exists"), "{}", run.stderr());
    kb.run(&["new", title, "--date", "2024-03-14", "--bundle"]).failure();
    assert_eq!(kb.read(rel), "mine");
    // A bundle, and the site's own template.
    kb.run(&["new", "Disk full", "--date", "2025-01-02", "--bundle"]).success();
    assert!(
        kb.read("postmortems/2025/2025-01-02-disk-full/index.md").contains("title = \"Disk full\"")
    );
    kb.write(
        "templates/postmortem.md",
        "+++\ntitle = \"{{ title }}\"\ndate = {{ date }}\n+++\nOurs: {{ path }}\n",
    );
    kb.run(&["new", "Ours", "--date", "2025-01-03"]).success();
    assert_eq!(
        kb.read("postmortems/2025/2025-01-03-ours.md"),
        "+++\ntitle = \"Ours\"\ndate = 2025-01-03\n+++\nOurs: postmortems/2025/2025-01-03-ours.md\n"
    );
    let run = kb.run(&["new", "Bad severity", "--severity", "SEV9"]).failure();
    assert!(run.stderr().contains("use one of: SEV1, SEV2, SEV3, SEV4"), "{}", run.stderr());
}

#[test]
fn config_and_encoding_errors_in_all_four_formats() {
    let kb = KbTest::empty()
        .file(
            "hindsight.toml",
            "title = \"x\"\nbase_url = \"https://x.example\"\nseverity = [\"a\"]\n",
        )
        .file("postmortems/c.md", COMPLETE);
    let expected: BTreeSet<Finding> =
        [("H012".to_string(), "hindsight.toml".to_string(), 3, 1)].into();
    assert_eq!(from_json(&check(&kb, "json")), expected);
    assert_eq!(from_github(&check(&kb, "github")), expected);
    assert_eq!(from_sarif(&check(&kb, "sarif")), expected);
    assert_eq!(from_human(&check(&kb, "human")), expected);

    let kb = KbTest::empty().file("hindsight.toml", CONFIG).file("postmortems/c.md", COMPLETE);
    std::fs::write(
        kb.path().join("postmortems/latin1.md"),
        b"+++\ntitle = \"caf\xe9\"\ndate = 2024-01-01\n+++\n",
    )
    .unwrap();
    let expected: BTreeSet<Finding> =
        [("H013".to_string(), "postmortems/latin1.md".to_string(), 2, 13)].into();
    assert_eq!(from_json(&check(&kb, "json")), expected);
    assert_eq!(from_github(&check(&kb, "github")), expected);
    assert_eq!(from_sarif(&check(&kb, "sarif")), expected);
    assert_eq!(from_human(&check(&kb, "human")), expected);
}
