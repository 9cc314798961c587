//! `KbTest`: copy a fixture knowledge base to a temporary folder, run hindsight on it, and
//! look at what came out.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{ElementRef, Html, Selector};

/// A knowledge base in a temporary folder.
pub(crate) struct KbTest {
    dir: tempfile::TempDir,
}

/// The result of one run of the binary.
pub(crate) struct Run {
    pub(crate) output: Output,
}

impl Run {
    pub(crate) fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    /// Assert the run succeeded, showing its output if not.
    pub(crate) fn success(self) -> Self {
        assert_eq!(
            self.code(),
            0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
    /// Assert the run failed with exit code 1.
    pub(crate) fn failure(self) -> Self {
        assert_eq!(
            self.code(),
            1,
            "expected exit code 1\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &target).unwrap();
        }
    }
}

/// Every path under `dir`, sorted, folders included.
pub(crate) fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The fixture folder `tests/fixtures/<name>`.
/// Every file under `dir`, with its path relative to `dir` and its bytes, in path order.
pub(crate) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    walkdir(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| (p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

/// Check that the folders `a` and `b` hold the same files with the same bytes; `what` says
/// what they are, for the message. Returns how many files they hold.
pub(crate) fn assert_same_files(a: &Path, b: &Path, what: &str) -> usize {
    let (ta, tb) = (tree(a), tree(b));
    assert_eq!(
        ta.iter().map(|f| &f.0).collect::<Vec<_>>(),
        tb.iter().map(|f| &f.0).collect::<Vec<_>>(),
        "{what}: not the same files"
    );
    for ((name, x), (_, y)) in ta.iter().zip(&tb) {
        assert!(x == y, "{name} differs between {what}");
    }
    ta.len()
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The `hindsight` binary.
pub(crate) fn hindsight() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    cmd.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    cmd
}

impl KbTest {
    /// A copy of the fixture `tests/fixtures/<name>`.
    pub(crate) fn fixture(name: &str) -> KbTest {
        let kb = KbTest { dir: tempfile::tempdir().unwrap() };
        copy_tree(&fixture(name), kb.path());
        kb
    }

    /// An empty folder.
    pub(crate) fn empty() -> KbTest {
        KbTest { dir: tempfile::tempdir().unwrap() }
    }

    /// A knowledge base with only a minimal hindsight.toml.
    pub(crate) fn minimal() -> KbTest {
        KbTest::empty()
            .file("hindsight.toml", "title = \"T\"\nbase_url = \"https://kb.example.com/\"\n")
            .file("postmortems/.keep", "")
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write (or replace) a file.
    pub(crate) fn file(self, rel: &str, text: &str) -> Self {
        self.write(rel, text);
        self
    }

    pub(crate) fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Run `hindsight <args>` in the knowledge base's folder.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let output = hindsight().args(args).current_dir(self.path()).output().unwrap();
        Run { output }
    }

    /// `hindsight build . --build-date 2026-11-26 <extra>`.
    pub(crate) fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build", ".", "--build-date", "2026-11-26"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Read an output file.
    pub(crate) fn read(&self, rel: &str) -> String {
        let path = self.path().join(rel);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Parse an output file as HTML.
    pub(crate) fn html(&self, rel: &str) -> Page {
        Page(Html::parse_document(&self.read(rel)))
    }
}

/// A parsed HTML page.
pub(crate) struct Page(pub Html);

impl Page {
    /// All elements matching `css`.
    pub(crate) fn all(&self, css: &str) -> Vec<ElementRef<'_>> {
        let selector = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"));
        self.0.select(&selector).collect()
    }

    /// The one element matching `css`.
    pub(crate) fn one(&self, css: &str) -> ElementRef<'_> {
        let all = self.all(css);
        assert_eq!(all.len(), 1, "expected exactly one `{css}`, found {}", all.len());
        all[0]
    }

    /// Normalized text of the one element matching `css`.
    pub(crate) fn text(&self, css: &str) -> String {
        text_of(self.one(css))
    }

    /// Normalized texts of all elements matching `css`.
    pub(crate) fn texts(&self, css: &str) -> Vec<String> {
        self.all(css).into_iter().map(text_of).collect()
    }

    /// The attribute `name` of the one element matching `css`.
    pub(crate) fn attr(&self, css: &str, name: &str) -> String {
        self.one(css)
            .value()
            .attr(name)
            .unwrap_or_else(|| panic!("`{css}` has no {name}"))
            .to_string()
    }
}

/// Text content, text nodes separated by a space, whitespace collapsed.
pub(crate) fn text_of(e: ElementRef<'_>) -> String {
    e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Tell the person running the tests that this test is skipped, and why. Written to the
/// process's stderr directly, not through `eprintln!`, which the test harness captures and
/// hides for passing tests: a skip must be visible in `cargo test` output.
pub(crate) fn notice(why: &str) {
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    let _ = writeln!(std::io::stderr(), "NOTICE: skipping {test}: {why}");
}

/// The real corpus of public postmortems in `../shared/corpus/real`, if present. Tests that
/// need it call this: without it they print a notice and skip, unless
/// `HINDSIGHT_REQUIRE_SHARED` is set (as in CI), where a missing corpus fails the test.
pub(crate) fn shared_corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if path.join("hindsight.toml").is_file() {
        return Some(path);
    }
    if std::env::var_os("HINDSIGHT_REQUIRE_SHARED").is_some() {
        panic!("HINDSIGHT_REQUIRE_SHARED is set but {} is missing", path.display());
    }
    notice(&format!("{} not found (set HINDSIGHT_REQUIRE_SHARED=1 to require it)", path.display()));
    None
}

/// A copy of a knowledge base folder in a temporary folder (never write into shared data).
pub(crate) fn copy_of(path: &Path) -> KbTest {
    let kb = KbTest { dir: tempfile::tempdir().unwrap() };
    copy_tree(path, kb.path());
    kb
}

/// The repository's example site.
pub(crate) fn example_site_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site")
}

/// A copy of the example site.
pub(crate) fn example_site() -> KbTest {
    copy_of(&example_site_dir())
}

/// The `node` executable, for running the site's search script. Tests that need it print a
/// notice and skip without it, unless `HINDSIGHT_REQUIRE_BROWSER` is set (as in CI).
pub(crate) fn node() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|p| p.join("node")).find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("HINDSIGHT_REQUIRE_BROWSER").is_some() {
            panic!("HINDSIGHT_REQUIRE_BROWSER is set but `node` is not installed");
        }
        notice("node not found (set HINDSIGHT_REQUIRE_BROWSER=1 to require it)");
    }
    found
}

/// Run `node script args...` with `stdin`, returning stdout.
pub(crate) fn run_node(node: &Path, script: &str, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js").join(script);
    let mut child = Command::new(node)
        .arg(&script)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let text = stdin.to_string();
    let writer = std::thread::spawn(move || input.write_all(text.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "node {} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Node with the npm package `package` of tests/js installed (`npm ci --prefix tests/js`).
/// Without them the test prints a notice and skips, unless `HINDSIGHT_REQUIRE_BROWSER` is set.
pub(crate) fn node_with(package: &str) -> Option<PathBuf> {
    let node = node()?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/node_modules").join(package);
    if dir.is_dir() {
        return Some(node);
    }
    if std::env::var_os("HINDSIGHT_REQUIRE_BROWSER").is_some() {
        panic!(
            "HINDSIGHT_REQUIRE_BROWSER is set but {} is missing (npm ci --prefix tests/js)",
            dir.display()
        );
    }
    notice(&format!("{} missing (run `npm ci --prefix tests/js`)", dir.display()));
    None
}

/// Chromium, Node and playwright-core (in tests/js/node_modules), for the browser tests.
/// Without them the tests print a notice and skip, unless `HINDSIGHT_REQUIRE_BROWSER` is set.
pub(crate) fn browser() -> Option<PathBuf> {
    let chromium = Path::new("/usr/bin/chromium");
    let playwright =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/node_modules/playwright-core");
    let node = node()?;
    if chromium.is_file() && playwright.is_dir() {
        return Some(node);
    }
    if std::env::var_os("HINDSIGHT_REQUIRE_BROWSER").is_some() {
        panic!(
            "HINDSIGHT_REQUIRE_BROWSER is set but Chromium or tests/js/node_modules (npm ci --prefix tests/js) is missing"
        );
    }
    notice(
        "Chromium or playwright-core missing (install chromium, run `npm ci --prefix tests/js`)",
    );
    None
}
