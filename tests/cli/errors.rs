//! Bad input: every problem named with file, line and column, all of them at once, a non-zero
//! exit, and the previous site left untouched.

use crate::support::{KbTest, walkdir};

const GOOD: &str = "+++\ntitle = \"Good\"\ndate = 2024-01-01T10:00:00Z\n+++\nBody.\n";

/// Findings of `build --format json`, as (code, file, line, column).
fn findings(stdout: &str) -> Vec<(String, String, u64, u64)> {
    stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            (
                v["code"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap_or_default().to_string(),
                v["line"].as_u64().unwrap_or(0),
                v["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn kb_with(file: &str, text: &str) -> KbTest {
    KbTest::minimal().file("postmortems/good.md", GOOD).file(file, text)
}

#[test]
fn each_bad_input_names_file_line_and_column() {
    for (name, text, code, line, column) in [
        ("malformed toml", "+++\ntitle = \"x\"\ndate = = 2024\n+++\n", "H002", 3, 8),
        ("unclosed front matter", "+++\ntitle = \"x\"\n", "H002", 1, 1),
        ("no front matter", "# Just a heading\n", "H002", 1, 1),
        ("empty file", "  \n\n", "H016", 1, 1),
        ("zero-byte file", "", "H016", 1, 1),
        ("wrong type", "+++\ntitle = 42\ndate = 2024-01-01\n+++\n", "H003", 2, 9),
        (
            "wrong type in a list",
            "+++\ntitle = \"x\"\ndate = 2024-01-01\ntags = [\"a\", 3]\n+++\n",
            "H003",
            4,
            14,
        ),
        ("missing title", "+++\ndate = 2024-01-01\n+++\n", "H004", 1, 1),
        ("missing date", "+++\ntitle = \"x\"\n+++\n", "H004", 1, 1),
        ("bad date", "+++\ntitle = \"x\"\ndate = \"yesterday\"\n+++\n", "H003", 3, 8),
        (
            "unknown severity",
            "+++\ntitle = \"x\"\ndate = 2024-01-01\nseverity = \"SEV9\"\n+++\n",
            "H005",
            4,
            12,
        ),
        (
            "unknown status",
            "+++\ntitle = \"x\"\ndate = 2024-01-01\nstatus = \"done\"\n+++\n",
            "H006",
            4,
            10,
        ),
        (
            "times out of order",
            "+++\ntitle = \"x\"\ndate = 2024-01-01T10:00:00Z\n[times]\ndetected = 2024-01-01T09:00:00Z\n+++\n",
            "H007",
            5,
            12,
        ),
        (
            "broken link",
            "+++\ntitle = \"x\"\ndate = 2024-01-01\n+++\n\nSee [this](nope.md).\n",
            "H009",
            6,
            5,
        ),
        ("yaml syntax", "---\ntitle: [unclosed\ndate: 2024-01-01\n---\n", "H002", 3, 5),
        ("yaml duplicate key", "---\ntitle: a\ntitle: b\ndate: 2024-01-01\n---\n", "H002", 3, 1),
        (
            "toml duplicate key",
            "+++\ntitle = \"a\"\ntitle = \"b\"\ndate = 2024-01-01\n+++\n",
            "H002",
            3,
            1,
        ),
        (
            "invalid slug",
            "+++\ntitle = \"x\"\ndate = 2024-01-01\nslug = \"../../etc\"\n+++\n",
            "H014",
            4,
            8,
        ),
    ] {
        let kb = kb_with("postmortems/bad.md", text);
        let run = kb.build(&["--format", "json"]).failure();
        let found = findings(&run.stdout());
        assert!(
            found.contains(&(code.to_string(), "postmortems/bad.md".to_string(), line, column)),
            "{name}: expected {code} at {line}:{column}, found {found:?}"
        );
        assert!(!kb.path().join("public").exists(), "{name}: nothing may be written");
    }
}

#[test]
fn human_output_shows_the_source_line_and_a_fix() {
    let kb = kb_with(
        "postmortems/bad.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nseverty = \"SEV1\"\ntitel = 3\n+++\n",
    );
    let run = kb.run(&["check", "."]).failure();
    let err = run.stderr();
    assert!(err.contains("postmortems/bad.md:4:1"), "{err}");
    assert!(err.contains("severty = \"SEV1\""), "the source line is shown: {err}");
    assert!(err.contains("did you mean `severity`?"), "{err}");
    assert!(err.contains("did you mean `title`?"), "{err}");
    assert!(err.contains("H001"), "{err}");
}

#[test]
fn unknown_keys_warn_under_build_and_fail_under_check() {
    let kb = kb_with(
        "postmortems/typo.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\nseverty = \"SEV1\"\n+++\n",
    );
    let run = kb.build(&[]).success();
    assert!(run.stderr().contains("unknown key `severty`"), "{}", run.stderr());
    kb.run(&["check", "."]).failure();
}

#[test]
fn all_errors_of_a_build_are_reported_together() {
    let kb = KbTest::minimal()
        .file("postmortems/a.md", "+++\ntitle = 1\ndate = 2024-01-01\n+++\n")
        .file("postmortems/b.md", "+++\ntitle = \"b\"\n+++\n")
        .file(
            "postmortems/c.md",
            "+++\ntitle = \"c\"\ndate = 2024-01-01\n[[lessons]]\ntheme = 5\n+++\n",
        );
    let run = kb.build(&["--format", "json"]).failure();
    let files: Vec<String> = findings(&run.stdout()).into_iter().map(|f| f.1).collect();
    for f in ["postmortems/a.md", "postmortems/b.md", "postmortems/c.md"] {
        assert!(files.contains(&f.to_string()), "{f} not reported: {files:?}");
    }
}

fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    walkdir(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| (p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn a_failed_build_keeps_the_previous_site() {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    let before = snapshot(&kb.path().join("public"));
    assert!(before.len() > 10);
    kb.write(
        "postmortems/2023/2023-11-02-config-push.md",
        "+++\ntitle = \"broken\ndate = 2024-01-01\n+++\n",
    );
    let run = kb.build(&[]).failure();
    assert!(run.stderr().contains("previous site was left untouched"), "{}", run.stderr());
    assert_eq!(snapshot(&kb.path().join("public")), before);
}

#[test]
fn output_folders_that_overlap_the_sources_are_refused() {
    let kb = KbTest::fixture("core/basic");
    for output in [".", "postmortems", "postmortems/2024", "static", "..", "templates"] {
        let run = kb.build(&["--output", output]).failure();
        assert!(run.stderr().contains("H020"), "{output}: {}", run.stderr());
    }
    std::fs::create_dir_all(kb.path().join("docs")).unwrap();
    std::fs::write(kb.path().join("docs/mine.txt"), "keep me").unwrap();
    let run = kb.build(&["--output", "docs"]).failure();
    assert!(run.stderr().contains("not built by hindsight"), "{}", run.stderr());
    assert_eq!(kb.read("docs/mine.txt"), "keep me");
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let kb = KbTest::minimal();
    std::fs::write(
        kb.path().join("postmortems/latin1.md"),
        b"+++\ntitle = \"caf\xe9\"\ndate = 2024-01-01\n+++\n",
    )
    .unwrap();
    let run = kb.build(&["--format", "json"]).failure();
    assert!(
        findings(&run.stdout()).contains(&("H013".into(), "postmortems/latin1.md".into(), 2, 13)),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("offset 16"), "{}", run.stdout());
}

#[test]
fn a_missing_or_invalid_config_is_an_error() {
    let kb = KbTest::empty().file("postmortems/a.md", GOOD);
    let run = kb.build(&[]).failure();
    assert!(run.stderr().contains("hindsight init"), "{}", run.stderr());
    let kb = KbTest::minimal().file(
        "hindsight.toml",
        "title = \"x\"\nbase_url = \"https://x.example\"\nseverity = [\"a\"]\n",
    );
    let run = kb.build(&["--format", "json"]).failure();
    assert_eq!(findings(&run.stdout()), [("H012".to_string(), "hindsight.toml".to_string(), 3, 1)]);
    let kb = KbTest::minimal().file("hindsight.toml", "title = \"x\"\n");
    let run = kb.build(&[]).failure();
    assert!(run.stderr().contains("base_url"), "{}", run.stderr());
    kb.build(&["--base-url", "https://kb.example.com/"]).success();
}

#[test]
fn two_postmortems_with_one_slug_are_one_error_naming_both() {
    let kb =
        KbTest::minimal().file("postmortems/2023/x.md", GOOD).file("postmortems/2024/X.md", GOOD);
    let run = kb.build(&[]).failure();
    let err = run.stderr();
    assert!(
        err.contains("postmortems/2023/x.md") && err.contains("postmortems/2024/X.md"),
        "{err}"
    );
    assert!(err.contains("H008"), "{err}");
}

#[test]
fn a_broken_template_is_an_error_naming_it_and_the_site_is_kept() {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    let before = snapshot(&kb.path().join("public"));
    // Does not compile.
    kb.write(
        "templates/incident.html",
        "{% extends \"default/incident.html\" %}{% block main %}{{ oops",
    );
    let run = kb.build(&[]).failure();
    assert!(run.stderr().contains("error[H019]"), "{}", run.stderr());
    assert!(run.stderr().contains("incident.html"), "{}", run.stderr());
    // Compiles, but fails while rendering (an undefined variable).
    kb.write("templates/incident.html", "{% extends \"default/incident.html\" %}{% block main %}{{ no_such_thing.x }}{% endblock main %}");
    let run = kb.build(&[]).failure();
    assert!(run.stderr().contains("error[H019]"), "{}", run.stderr());
    assert!(run.stderr().contains("Variable `no_such_thing` is not defined"), "{}", run.stderr());
    assert_eq!(snapshot(&kb.path().join("public")), before, "the previous site is intact");
}
