//! Properties of the output as a whole: deterministic, incremental, atomic.

use crate::support::{KbTest, walkdir};

fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    walkdir(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| (p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let a = KbTest::fixture("core/basic");
    let b = KbTest::fixture("core/basic");
    a.build(&[]).success();
    b.build(&["--output", "elsewhere"]).success();
    let (ta, tb) = (tree(&a.path().join("public")), tree(&b.path().join("elsewhere")));
    assert!(ta.len() > 10);
    assert_eq!(
        ta.iter().map(|f| &f.0).collect::<Vec<_>>(),
        tb.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in ta.iter().zip(&tb) {
        assert!(x == y, "{name} differs between builds");
    }
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

/// Build `kb` afresh (without its parse cache) into another folder and check that the site is
/// byte for byte the one the last (cached) build left in `public/`.
fn assert_same_as_a_fresh_build(kb: &KbTest) {
    let parsed = kb.path().join(".hindsight/parsed");
    let aside = kb.path().join("parsed-aside");
    std::fs::rename(&parsed, &aside).unwrap();
    let fresh = kb.build(&["--output", "fresh"]).success();
    assert!(!fresh.stderr().contains("not parsed again"), "{}", fresh.stderr());
    let (cached, fresh) = (tree(&kb.path().join("public")), tree(&kb.path().join("fresh")));
    assert_eq!(
        cached.iter().map(|f| &f.0).collect::<Vec<_>>(),
        fresh.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in cached.iter().zip(&fresh) {
        assert!(x == y, "{name} differs between the cached and the fresh build");
    }
    std::fs::remove_dir_all(&parsed).unwrap();
    std::fs::rename(&aside, &parsed).unwrap();
    std::fs::remove_dir_all(kb.path().join("fresh")).unwrap();
}

#[test]
fn a_rebuild_parses_only_the_changed_files_and_builds_what_a_fresh_build_would() {
    let kb = crate::support::example_site();
    // (files not parsed again, postmortem files) from the build's summary.
    let reused = |run: &crate::support::Run| -> Option<(usize, usize)> {
        let err = run.stderr();
        let at = err.find(" postmortem files unchanged, not parsed again")?;
        let start = err[..at].rfind('(')? + 1;
        let (a, b) = err[start..at].split_once(" of ")?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let files = walkdir(&kb.path().join("postmortems"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .count();
    let first = kb.build(&[]).success();
    assert_eq!(reused(&first), None, "{}", first.stderr());
    // One file edited: a word no other postmortem uses comes in, then goes again (the
    // cache's vocabulary keeps it; the site must not).
    let file = "postmortems/2021/2021-03-09-internal-dns-resolution-failures.md";
    let text = std::fs::read_to_string(kb.path().join(file)).unwrap();
    kb.write(file, &format!("{text}\nThe zanzibarquux resolver taught us to pin TTLs.\n"));
    let run = kb.build(&[]).success();
    assert_eq!(reused(&run), Some((files - 1, files)), "{}", run.stderr());
    let page = "public/postmortems/2021-03-09-internal-dns-resolution-failures/index.html";
    assert!(kb.read(page).contains("zanzibarquux"));
    assert_same_as_a_fresh_build(&kb);
    kb.write(file, &text);
    let run = kb.build(&[]).success();
    assert_eq!(reused(&run), Some((files - 1, files)), "{}", run.stderr());
    assert!(!kb.read(page).contains("zanzibarquux"));
    assert_same_as_a_fresh_build(&kb);
    // A postmortem added.
    let added = "postmortems/2025/2025-12-01-queue-replay.md";
    kb.write(
        added,
        "+++\ntitle = \"Queue replay duplicated refunds\"\ndate = 2025-12-01\nseverity = \"SEV2\"\n\
         tags = [\"queue\"]\nservices = [\"payments\"]\n+++\n\nA replayed queue sent refunds twice.\n",
    );
    let run = kb.build(&[]).success();
    assert_eq!(reused(&run), Some((files, files + 1)), "{}", run.stderr());
    assert_same_as_a_fresh_build(&kb);
    // A postmortem another one links to deleted: the unchanged file that links to it is
    // parsed again and its broken link reported.
    let target = "postmortems/2024/2024-03-27-subscription-cron-double-run.md";
    let target_text = std::fs::read_to_string(kb.path().join(target)).unwrap();
    std::fs::remove_file(kb.path().join(target)).unwrap();
    let broken = kb.build(&[]).failure();
    assert!(
        broken.stderr().contains("2023-07-19-ledger-wallet-spend-sign-flip.md"),
        "{}",
        broken.stderr()
    );
    assert!(broken.stderr().contains("does not exist"), "{}", broken.stderr());
    kb.write(target, &target_text);
    kb.build(&[]).success();
    assert_same_as_a_fresh_build(&kb);
    // The configuration changed: everything is parsed again.
    let config = std::fs::read_to_string(kb.path().join("hindsight.toml")).unwrap();
    kb.write("hindsight.toml", &format!("{config}\n# edited\n"));
    let run = kb.build(&[]).success();
    assert_eq!(reused(&run), None, "{}", run.stderr());
    let run = kb.run(&["build", ".", "--build-date", "2026-12-01"]).success();
    assert_eq!(reused(&run), None, "another build date: {}", run.stderr());
}
