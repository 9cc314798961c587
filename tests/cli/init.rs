//! `hindsight init` creates a knowledge base that builds.

use crate::support::{KbTest, hindsight};

#[test]
fn init_creates_a_knowledge_base_that_builds_and_checks_clean() {
    let dir = KbTest::empty();
    let run = hindsight()
        .args(["init", "my-kb", "--title", "Acme \"KB\""])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let kb = dir.path().join("my-kb");
    for f in ["hindsight.toml", "static/README.txt", ".gitignore"] {
        assert!(kb.join(f).is_file(), "{f}");
    }
    let check = hindsight().args(["check", "my-kb"]).current_dir(dir.path()).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(String::from_utf8_lossy(&check.stderr).contains("No problems found"));
    let build = hindsight().args(["build", "my-kb"]).current_dir(dir.path()).output().unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let html = std::fs::read_to_string(kb.join("public/index.html")).unwrap();
    assert!(html.contains("Acme &quot;KB&quot;") || html.contains("Acme \"KB\""), "title is used");
    assert!(
        kb.join("public/postmortems/2024-03-14-payments-500s-after-config-rollout/index.html")
            .is_file()
    );
}

#[test]
fn init_refuses_a_non_empty_folder() {
    let dir = KbTest::empty().file("my-kb/notes.txt", "mine");
    let run = hindsight().args(["init", "my-kb"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.path().join("my-kb/notes.txt")).unwrap(), "mine");
}
