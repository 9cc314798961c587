//! Properties of the output as a whole: deterministic, incremental, atomic.

use crate::support::{KbTest, assert_same_files, tree};

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let a = KbTest::fixture("core/basic");
    let b = KbTest::fixture("core/basic");
    a.build(&[]).success();
    b.build(&["--output", "elsewhere"]).success();
    let files = assert_same_files(&a.path().join("public"), &b.path().join("elsewhere"), "builds");
    assert!(files > 10);
}

#[test]
fn rebuilds_skip_unchanged_files_and_remove_stale_ones() {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    kb.run(&["build", ".", "--build-date", "2026-11-27"]).success();
    // Another build date makes it a real build (not "up to date"), over the same pages.
    let run = kb.build(&[]).success();
    assert!(
        run.stderr().contains(" 0 files written"),
        "a build over the same output writes nothing: {}",
        run.stderr()
    );
    std::fs::remove_dir_all(kb.path().join("postmortems/2024/2024-05-02-db-failover")).unwrap();
    kb.build(&[]).success();
    assert!(!kb.path().join("public/postmortems/2024-05-02-db-failover").exists());
    assert!(kb.path().join("public/postmortems/2023-11-02-config-push/index.html").exists());
}

#[test]
fn the_build_date_pins_overdue_actions() {
    let kb = KbTest::fixture("core/basic");
    kb.run(&["build", ".", "--build-date", "2023-11-15"]).success();
    assert_eq!(kb.html("public/index.html").texts(".stat-tiles .tile dd"), ["2", "2", "0"]);
    kb.run(&["build", ".", "--build-date", "2023-12-15"]).success();
    assert_eq!(kb.html("public/index.html").texts(".stat-tiles .tile dd"), ["2", "2", "1"]);
    kb.run(&["build", ".", "--build-date", "soon"]).failure();
}

const UNKNOWN_KEY: &str = "+++\ntitle = \"Cache stampede\"\ndate = 2024-02-03\nseverty = \"SEV2\"\n+++\n\nThe cache emptied at once.\n";

#[test]
fn a_rebuild_with_nothing_changed_is_up_to_date_and_reports_the_same_findings() {
    let kb = KbTest::fixture("core/basic");
    kb.write("postmortems/2024/2024-02-03-stampede.md", UNKNOWN_KEY);
    let first = kb.build(&[]).success();
    assert!(first.stderr().contains("Built "), "{}", first.stderr());
    let before = tree(&kb.path().join("public"));
    let again = kb.build(&[]).success();
    assert!(again.stderr().contains("Up to date: nothing changed"), "{}", again.stderr());
    // The same findings, with the same source line, in every format.
    let finding = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with("Built ") && !l.starts_with("Up to date"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(finding(&again.stderr()), finding(&first.stderr()));
    assert!(again.stderr().contains("severty"), "{}", again.stderr());
    let json = kb.build(&["--format", "json"]).success();
    assert!(json.stdout().contains("\"H001\""), "{}", json.stdout());
    assert_eq!(tree(&kb.path().join("public")), before, "nothing was written");
}

#[test]
fn any_change_to_sources_options_or_output_makes_a_real_build() {
    let kb = KbTest::fixture("core/basic");
    kb.build(&[]).success();
    let up_to_date = |kb: &KbTest, extra: &[&str]| {
        let date = if extra.contains(&"--build-date") {
            vec![]
        } else {
            vec!["--build-date", "2026-11-26"]
        };
        let args = [&["build", "."][..], &date, extra].concat();
        kb.run(&args).success().stderr().contains("Up to date")
    };
    assert!(up_to_date(&kb, &[]));
    // A source edited.
    let page = "public/postmortems/2023-11-02-config-push/index.html";
    let file = "postmortems/2023/2023-11-02-config-push.md";
    let text = std::fs::read_to_string(kb.path().join(file)).unwrap();
    kb.write(file, &format!("{text}\nA sentence added later.\n"));
    assert!(!up_to_date(&kb, &[]));
    assert!(kb.read(page).contains("A sentence added later."));
    assert!(up_to_date(&kb, &[]));
    // A file copied over with the same size and modification time still changes its ctime.
    let copy = kb.path().join("copy.md");
    std::fs::write(&copy, text.replace("Bad config", "Odd config")).unwrap();
    let mtime = std::fs::metadata(kb.path().join(file)).unwrap().modified().unwrap();
    kb.write(file, &text.replace("Bad config", "Odd config"));
    std::fs::File::options()
        .write(true)
        .open(kb.path().join(file))
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert!(!up_to_date(&kb, &[]));
    assert!(kb.read(page).contains("Odd config"));
    // Files added to static/ and templates/.
    kb.write("static/extra.txt", "extra");
    assert!(!up_to_date(&kb, &[]));
    assert_eq!(kb.read("public/extra.txt"), "extra");
    kb.write("templates/partials/.keep", "");
    assert!(!up_to_date(&kb, &[]));
    // Other options.
    assert!(!up_to_date(&kb, &["--build-date", "2026-12-01"]));
    assert!(!up_to_date(&kb, &["--drafts"]));
    assert!(kb.path().join("public/postmortems/2024-06-01-draft/index.html").exists());
    assert!(!up_to_date(&kb, &[]), "the drafts build replaced the output");
    assert!(!kb.path().join("public/postmortems/2024-06-01-draft/index.html").exists());
    assert!(!up_to_date(&kb, &["--base-url", "https://other.example/"]));
    assert!(!up_to_date(&kb, &[]));
    // The output folder touched: a file deleted, edited, or added.
    std::fs::remove_file(kb.path().join(page)).unwrap();
    assert!(!up_to_date(&kb, &[]));
    assert!(kb.read(page).contains("Odd config"));
    std::fs::write(kb.path().join(page), "broken").unwrap();
    assert!(!up_to_date(&kb, &[]));
    assert!(kb.read(page).contains("Odd config"));
    std::fs::write(kb.path().join("public/stray.html"), "stray").unwrap();
    assert!(!up_to_date(&kb, &[]));
    assert!(!kb.path().join("public/stray.html").exists());
    // The search index removed.
    std::fs::remove_dir_all(kb.path().join(".hindsight/search")).unwrap();
    assert!(!up_to_date(&kb, &[]));
    assert!(up_to_date(&kb, &[]));
}

/// The `--timings` tables of a build's stderr: (stage or activity, milliseconds).
fn timing_rows(stderr: &str, header: &str) -> Vec<(String, f64)> {
    stderr
        .lines()
        .skip_while(|l| !l.starts_with(header))
        .skip(1)
        .map_while(|l| {
            let at = l.find(|c: char| c.is_ascii_digit())?;
            let ms = l[at..].split("ms").next()?.trim().parse().ok()?;
            Some((l[..at].trim().to_string(), ms))
        })
        .collect()
}

#[test]
fn timings_say_where_the_time_went_by_stage_and_by_activity() {
    let kb = KbTest::fixture("core/basic");
    let plain = kb.build(&[]).success();
    assert!(!plain.stderr().contains("activity"), "{}", plain.stderr());
    // Another build date: a real build again, with the parse cache's entries not reusable.
    let run = kb.run(&["build", ".", "--build-date", "2026-11-27", "--timings"]).success();
    let stderr = run.stderr();
    let stages: Vec<String> = timing_rows(&stderr, "stage ").into_iter().map(|r| r.0).collect();
    assert_eq!(
        stages,
        [
            "load",
            "parse",
            "derive",
            "prepare",
            "search plan",
            "tantivy index",
            "select pages",
            "render, index, write",
            "swap"
        ],
        "{stderr}"
    );
    let activities = timing_rows(&stderr, "activity ");
    let names: Vec<&str> = activities.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        hindsight::activity::Activity::ALL.map(|a| a.name()),
        "every activity, in order: {stderr}"
    );
    // The fixture has highlighted code, pages and files to write: each was measured.
    let ms = |name: &str| activities.iter().find(|(n, _)| n == name).unwrap().1;
    for name in ["markdown", "highlight", "templates", "write files"] {
        assert!(ms(name) > 0.0, "{name} took no time: {stderr}");
    }
    // Activities are exclusive of each other and summed over threads: never more than the
    // threads' time (2 rayon threads at most here, plus the writer) in the whole build.
    let total: f64 = activities.iter().map(|(_, t)| t).sum();
    let wall: f64 = timing_rows(&stderr, "stage ").iter().map(|(_, t)| t).sum();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64 + 1.0;
    assert!(total <= wall * threads, "{total} ms of activities in {wall} ms: {stderr}");
    // Nothing changed since: no activity ran, so there is no table of zeros.
    let again = kb.run(&["build", ".", "--build-date", "2026-11-27", "--timings"]).success();
    assert!(again.stderr().contains("Up to date"), "{}", again.stderr());
    assert!(!again.stderr().contains("activity"), "{}", again.stderr());
}
