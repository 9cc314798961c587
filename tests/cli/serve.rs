//! `hindsight serve`: a real server on a free loopback port, driven over raw HTTP: live
//! reload after an edit, the error overlay while the last good version stays online, the
//! search API, caching headers, compression, traversal attempts, and Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::{KbTest, hindsight};

/// A running `hindsight serve`, stopped (SIGINT) when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(kb: &KbTest) -> Server {
        let mut child = hindsight()
            .args(["serve", ".", "--port", "0", "--build-date", "2026-11-26"])
            .current_dir(kb.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        // "Serving . at http://127.0.0.1:PORT/"
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        assert!(line.contains("http://127.0.0.1:"), "{line}");
        Server { child, port }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        stream
    }

    /// `GET path` with extra header lines; returns (status, headers lowercased, body).
    fn get(&self, path: &str, headers: &[&str]) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut stream = self.connect();
        let mut request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for h in headers {
            request.push_str(h);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        parse_response(&raw)
    }

    fn text(&self, path: &str) -> String {
        let (status, _, body) = self.get(path, &[]);
        assert_eq!(status, 200, "{path}");
        String::from_utf8(body).unwrap()
    }

    /// Open the live-reload event stream.
    fn events(&self) -> Events {
        let mut stream = self.connect();
        stream.write_all(b"GET /__hindsight/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        Events { reader: BufReader::new(stream) }
    }

    fn stop(mut self) -> String {
        unsafe { libc_kill(self.child.id() as i32, 2) };
        let output = std::mem::replace(&mut self.child, dummy()).wait_with_output().unwrap();
        assert!(output.status.success(), "serve exited with {:?}", output.status);
        String::from_utf8(output.stderr).unwrap()
    }
}

fn dummy() -> Child {
    std::process::Command::new("true").spawn().unwrap()
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, signal: i32) -> i32;
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse_response(raw: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v == "chunked") {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The data of the next event named `name` whose data satisfies `accept`.
    fn wait(&mut self, name: &str, accept: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut event = String::new();
        while Instant::now() < deadline {
            let mut line = String::new();
            if self.reader.read_line(&mut line).unwrap() == 0 {
                panic!("the event stream closed");
            }
            let line = line.trim_end();
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(data) = line.strip_prefix("data: ")
                && event == name
                && accept(data)
            {
                return data.to_string();
            }
        }
        panic!("no {name} event in time");
    }
}

fn edit(kb: &KbTest, rel: &str, from: &str, to: &str) {
    let text = kb.read(rel);
    assert!(text.contains(from), "{rel} has no {from:?}");
    kb.write(rel, &text.replacen(from, to, 1));
}

const PAGE: &str = "/postmortems/2024-02-01-ledger-sign-flip/";
const SOURCE: &str = "postmortems/2024/2024-02-01-ledger-sign-flip.md";

#[test]
fn an_edit_reloads_the_page_and_errors_show_while_the_last_good_version_is_served() {
    let kb = KbTest::fixture("nav/basic");
    let server = Server::start(&kb);
    let page = server.text(PAGE);
    assert!(page.contains("<script src=\"/__hindsight/live.js\" defer></script></body>"));
    let mut events = server.events();
    events.wait("status", |d| d.contains("\"errors\":[]"));

    edit(&kb, SOURCE, "title = \"", "title = \"Edited: ");
    events.wait("reload", |d| d.contains("postmortems/2024-02-01-ledger-sign-flip/index.html"));
    assert!(server.text(PAGE).contains("Edited: "));
    assert!(server.text("/").contains("Edited: "), "lists show the new title");

    // A broken front matter line: the overlay's status names file, line and column, and
    // the last good page stays online.
    edit(&kb, SOURCE, "date = ", "date = = ");
    let status = events.wait("status", |d| d.contains("H002"));
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let error = &status["errors"][0];
    assert_eq!(error["file"], SOURCE);
    assert_eq!(error["line"], 3);
    assert!(error["source_line"].as_str().unwrap().starts_with("date = = "));
    assert!(server.text(PAGE).contains("Edited: "), "the last good version is served");
    let status: serde_json::Value =
        serde_json::from_str(&server.text("/__hindsight/status")).unwrap();
    assert_eq!(status["errors"].as_array().unwrap().len(), 1);

    edit(&kb, SOURCE, "date = = ", "date = ");
    events.wait("status", |d| d.contains("\"errors\":[]"));

    // serve never writes the site to disk.
    assert!(!kb.path().join("public").exists());
    let stderr = server.stop();
    assert!(stderr.contains("Stopped."), "{stderr}");
}

#[test]
fn files_are_served_with_types_etags_and_gzip_and_nothing_outside_the_site() {
    let kb = KbTest::fixture("nav/basic");
    std::fs::create_dir_all(kb.path().join("static")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", kb.path().join("static/passwd")).unwrap();
    let server = Server::start(&kb);
    let (status, headers, body) = server.get("/assets/style.css", &["Accept-Encoding: gzip, br"]);
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    let mut css = String::new();
    flate2::read::GzDecoder::new(&body[..]).read_to_string(&mut css).unwrap();
    assert!(css.contains("prefers-color-scheme"));
    let etag = header(&headers, "etag").unwrap().to_string();
    let (status, _, body) = server.get("/assets/style.css", &[&format!("If-None-Match: {etag}")]);
    assert_eq!((status, body.len()), (304, 0));

    // Folders redirect to their slash form; unknown paths get the 404 page.
    let (status, headers, _) = server.get("/postmortems/2024-02-01-ledger-sign-flip", &[]);
    assert_eq!(status, 301);
    assert_eq!(header(&headers, "location"), Some("/postmortems/2024-02-01-ledger-sign-flip/"));
    assert_eq!(server.get("/nope/", &[]).0, 404);

    for path in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/..%2f..%2f..%2fetc/passwd",
        "/assets%5c..%5c..%5cetc%5cpasswd",
        "/%00",
    ] {
        let (status, _, body) = server.get(path, &[]);
        assert_eq!(status, 400, "{path}: {}", String::from_utf8_lossy(&body));
    }
    // A symlink out of the knowledge base is not followed.
    assert_eq!(server.get("/passwd", &[]).0, 404);
}

#[test]
fn the_search_api_answers_like_hindsight_search_json() {
    let kb = KbTest::fixture("nav/basic");
    let server = Server::start(&kb);
    let deadline = Instant::now() + Duration::from_secs(20);
    let api = loop {
        let (status, _, body) = server.get("/api/search?q=ledger&limit=5", &[]);
        if status == 200 {
            break String::from_utf8(body).unwrap();
        }
        assert_eq!(status, 503, "not ready yet, or an answer");
        assert!(Instant::now() < deadline, "the search API never became ready");
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(server);
    let cli = kb
        .run(&["search", ".", "ledger", "--limit", "5", "--json", "--build-date", "2026-11-26"])
        .success();
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    let cli: serde_json::Value = serde_json::from_str(&cli.stdout()).unwrap();
    assert!(api["total"].as_u64().unwrap() > 0);
    assert_eq!(api, cli);
}

#[test]
fn the_search_api_filters_by_tag() {
    let kb = KbTest::fixture("nav/basic");
    let server = Server::start(&kb);
    let get = |query: &str| -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, _, body) = server.get(&format!("/api/search?{query}"), &[]);
            if status == 200 {
                return serde_json::from_slice(&body).unwrap();
            }
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let all = get("q=ledger");
    let tagged = get("q=ledger&tag=Data+Repair");
    let (all, tagged_total) = (all["total"].as_u64().unwrap(), tagged["total"].as_u64().unwrap());
    assert!(0 < tagged_total && tagged_total < all, "{tagged_total} of {all}");
    assert_eq!(tagged["parsed"]["filters"]["tags"][0], "data-repair");
}

#[test]
fn build_output_never_has_the_live_reload_script() {
    let kb = KbTest::fixture("nav/basic");
    kb.build(&[]).success();
    for file in crate::support::walkdir(&kb.path().join("public")) {
        if !file.is_file() {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("__hindsight"), "{}", file.display());
    }
}

#[test]
fn new_and_deleted_postmortems_appear_and_disappear() {
    let kb = KbTest::fixture("nav/basic");
    let server = Server::start(&kb);
    let mut events = server.events();
    events.wait("status", |_| true);
    kb.write(
        "postmortems/2025/2025-01-02-new-one.md",
        "+++\ntitle = \"A brand new one\"\ndate = 2025-01-02T10:00:00Z\n+++\n\nWritten live.\n",
    );
    events.wait("reload", |d| d.contains("postmortems/2025-01-02-new-one/index.html"));
    assert!(server.text("/postmortems/2025-01-02-new-one/").contains("Written live."));
    assert!(server.text("/").contains("A brand new one"));
    std::fs::remove_file(kb.path().join("postmortems/2025/2025-01-02-new-one.md")).unwrap();
    events.wait("reload", |d| d.contains("postmortems/2025-01-02-new-one/index.html"));
    assert_eq!(server.get("/postmortems/2025-01-02-new-one/", &[]).0, 404);
    assert!(!server.text("/").contains("A brand new one"));
}
