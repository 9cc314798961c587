//! Rebuilds after a change: only the changed files are parsed again and only the pages the
//! change affects are rendered again, and the site is byte for byte what a fresh build makes.

use crate::support::{KbTest, assert_same_files, walkdir};

/// Build a copy of `kb`'s sources afresh (no cache, no earlier output) and check that the
/// site is byte for byte the one the last (incremental) build left in `public/`.
fn assert_same_as_a_fresh_build(kb: &KbTest) {
    let copy = crate::support::copy_of(kb.path());
    for dir in ["public", ".public.hindsight-stage", ".hindsight"] {
        let _ = std::fs::remove_dir_all(copy.path().join(dir));
    }
    let fresh = copy.build(&[]).success();
    assert!(!fresh.stderr().contains("not parsed again"), "{}", fresh.stderr());
    assert!(!fresh.stderr().contains("not rendered again"), "{}", fresh.stderr());
    let (built, fresh) = (kb.path().join("public"), copy.path().join("public"));
    assert_same_files(&built, &fresh, "the incremental and the fresh build");
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

/// (pages kept as published, pages) from a build's summary.
fn kept_pages(run: &crate::support::Run) -> Option<(usize, usize)> {
    let err = run.stderr();
    let at = err.find(" pages unaffected, not rendered again")?;
    let start = err[..at].rfind(['(', ';'])? + 1;
    let (a, b) = err[start..at].trim().split_once(" of ")?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Pages rendered by a build, from its summary ("Built N postmortems (P pages) ...").
fn rendered_pages(run: &crate::support::Run) -> usize {
    let err = run.stderr();
    let at = err.find(" pages) into ").unwrap_or_else(|| panic!("no summary: {err}"));
    let all: usize = err[err[..at].rfind('(').unwrap() + 1..at].parse().unwrap();
    all - kept_pages(run).map_or(0, |(kept, _)| kept)
}

/// Replace `from` with `to` in the file `rel` of `kb` (which must contain it).
fn edit(kb: &KbTest, rel: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(kb.path().join(rel)).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    kb.write(rel, &text.replacen(from, to, 1));
}

#[test]
fn a_rebuild_renders_only_the_pages_a_change_affects_and_builds_what_a_fresh_build_would() {
    let kb = crate::support::example_site();
    // Short lists, so that changes move postmortems from one page of a list to another.
    let config = std::fs::read_to_string(kb.path().join("hindsight.toml")).unwrap();
    kb.write("hindsight.toml", &format!("{config}\n[lists]\npage_size = 2\n"));
    let first = kb.build(&[]).success();
    assert_eq!(kept_pages(&first), None, "{}", first.stderr());
    let all = rendered_pages(&first);
    // Each step changes the sources, rebuilds, and compares the site with a fresh build's;
    // `most` is the most pages it may render again.
    let step = |what: &str, most: usize| {
        let run = kb.build(&[]).success();
        let rendered = rendered_pages(&run);
        assert!(rendered <= most, "{what}: {rendered} pages rendered again\n{}", run.stderr());
        assert_same_as_a_fresh_build(&kb);
        rendered
    };
    let backlog = "postmortems/2022/2022-05-17-notifications-kafka-consumer-backlog.md";
    let tls = "postmortems/2021/2021-06-22-expired-tls-certificate-partner-api.md";
    let leak = "postmortems/2023/2023-10-03-api-gateway-memory-leak.md";
    let cron = "postmortems/2024/2024-03-27-subscription-cron-double-run.md";
    // A sentence added to a body: its own page, the search pages, whatever the new words
    // change among related incidents.
    edit(&kb, backlog, "No messages were lost.\"", "No messages were lost.\"\n");
    let text = std::fs::read_to_string(kb.path().join(backlog)).unwrap();
    kb.write(backlog, &format!("{text}\nWe now alert on consumer rebalances per hour.\n"));
    let rendered = step("a body edit", 12);
    assert!(rendered >= 3, "its page, the search page and 404 at least: {rendered}");
    let page = "public/postmortems/2022-05-17-notifications-kafka-consumer-backlog/index.html";
    assert!(kb.read(page).contains("alert on consumer rebalances"));
    // The same again (the staging folder now holds the generation before).
    kb.write(backlog, &format!("{text}\nWe now alert on consumer rebalances per minute.\n"));
    step("a second body edit", 12);
    // A new slug for a postmortem another one links to: the linking page follows.
    edit(&kb, tls, "title = ", "slug = \"expired-cert\"\ntitle = ");
    step("a slug another page links to", usize::MAX);
    let jwt = kb.read("public/postmortems/2026-02-17-jwt-signing-key-rotation-logout/index.html");
    assert!(jwt.contains("postmortems/expired-cert/"));
    // A title: every list showing it, not the pages of postmortems that do not.
    edit(&kb, leak, "title = \"", "title = \"Retitled: ");
    let rendered = step("a title", usize::MAX);
    assert!(rendered < all / 2, "{rendered} of {all}");
    // A tag added: its pages and counts.
    edit(&kb, cron, "tags = [\"cron\",", "tags = [\"cron\", \"kafka\",");
    step("a tag", usize::MAX);
    // The date of an old postmortem moved: lists reorder, totals stay.
    edit(&kb, cron, "date = 2024-03-27T04:00:00Z", "date = 2021-01-05T04:00:00Z");
    step("a date", usize::MAX);
    // A postmortem added far back: the first pages of lists keep their members but not
    // their counts.
    kb.write(
        "postmortems/2020/2020-02-02-old-outage.md",
        "+++\ntitle = \"An old outage\"\ndate = 2020-02-02\nseverity = \"SEV4\"\n\
         summary = \"The first one.\"\ntags = [\"archive\"]\nservices = [\"mainframe\"]\n\n\
         [[lessons]]\ntheme = \"capacity\"\ntext = \"Old lessons count too.\"\n+++\n\n\
         Unlike [the batch](../2025/2025-03-30-dst-skipped-settlement-batch.md), nothing else.\n",
    );
    step("a postmortem added", usize::MAX);
    // The slug of a postmortem it links to (and that has nothing else to do with it).
    let dst = "postmortems/2025/2025-03-30-dst-skipped-settlement-batch.md";
    edit(&kb, dst, "title = ", "slug = \"dst-batch\"\ntitle = ");
    step("a slug only a link depends on", usize::MAX);
    assert!(kb.read("public/postmortems/2020-02-02-old-outage/index.html").contains("dst-batch/"));
    // A body edit that changes related incidents, which the export lists.
    let json = kb.read("public/postmortems.json");
    let old = "postmortems/2020/2020-02-02-old-outage.md";
    let now = std::fs::read_to_string(kb.path().join(old)).unwrap();
    let words = "Kafka consumer rebalance storms: the notifications consumer group rebalanced, \
                 max.poll.interval.ms expired, the notifications backlog grew.";
    kb.write(old, &format!("{now}\n{words}\n\n{words}\n"));
    step("related incidents changed", usize::MAX);
    assert_ne!(kb.read("public/postmortems.json"), json);
    // A build into another folder in between: this folder stays incremental.
    kb.build(&["--output", "elsewhere"]).success();
    let now = std::fs::read_to_string(kb.path().join(backlog)).unwrap();
    kb.write(backlog, &format!("{now}\nWritten after a build elsewhere.\n"));
    step("a body edit after a build into another folder", 12);
    std::fs::remove_dir_all(kb.path().join("elsewhere")).unwrap();
    // A lesson's theme changed.
    edit(&kb, backlog, "theme = \"capacity\"", "theme = \"runbooks\"");
    step("a lesson theme", usize::MAX);
    // Published pages changed or deleted by hand are rendered again, not kept: one the last
    // build wrote (the staging folder holds an older version) and ones it did not.
    let now = std::fs::read_to_string(kb.path().join(backlog)).unwrap();
    kb.write(backlog, &format!("{now}\nAnd a third edit.\n"));
    step("a third body edit", 12);
    for page in [page, "public/postmortems/2021-03-09-internal-dns-resolution-failures/index.html"]
    {
        // Same size: only the modification time tells.
        kb.write(page, &kb.read(page).replacen("<main", "<MAIN", 1));
    }
    std::fs::remove_file(kb.path().join("public/tags/index.html")).unwrap();
    // Nothing else changed: the search page and 404 are rendered, and the two pages changed by
    // hand (the staging folder shares the unchanged one with the published folder, as a hard
    // link, so it changed there too); the deleted one comes back from the staging folder.
    assert_eq!(step("pages changed by hand", 4), 4);
    // A template override: every page.
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let base = std::fs::read_to_string(base.join("base.html")).unwrap();
    kb.write("templates/base.html", &base.replace("</body>", "<!-- ours --></body>"));
    let run = kb.build(&[]).success();
    assert_eq!(kept_pages(&run), None, "a template: every page\n{}", run.stderr());
    assert!(kb.read("public/tags/index.html").contains("<!-- ours -->"));
    assert_same_as_a_fresh_build(&kb);
    kb.write("templates/base.html", &base.replace("</body>", "<!-- ours again --></body>"));
    let run = kb.build(&[]).success();
    assert_eq!(kept_pages(&run), None, "a template edited: every page\n{}", run.stderr());
    assert_same_as_a_fresh_build(&kb);
    assert_eq!(kept_pages(&kb.build(&["--drafts"]).success()), None, "other options: every page");
    // A postmortem removed.
    std::fs::remove_file(kb.path().join("postmortems/2020/2020-02-02-old-outage.md")).unwrap();
    step("a postmortem removed", usize::MAX);
    let run = kb.build(&[]).success();
    assert!(run.stderr().starts_with("Up to date") || run.stderr().contains("Up to date"));
}
