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
    kb.build(&[]).success();
    let run = kb.build(&[]).success();
    assert!(
        run.stderr().contains(" 0 files written"),
        "third identical build writes nothing: {}",
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
