//! Answering requests: the site's files from memory (with ETag revalidation and gzip), the
//! search API, and the live-reload resources. Paths are looked up in memory, never on disk,
//! so nothing outside the built site can be reached; paths with `..`, backslashes or NUL are
//! refused outright.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use tiny_http::{Header, Method, Request, Response};

use super::Shared;
use super::live::{PREFIX, SCRIPT, STYLE, inject};
use crate::model::slug::slugify;
use crate::render::links::percent_decode;
use crate::search::answer::answer;
use crate::search::engine::SortOrder;

/// Smallest response worth compressing.
const GZIP_MIN_BYTES: usize = 1024;
/// Most results `/api/search` returns.
const MAX_LIMIT: usize = 100;
/// A comment sent on idle event streams so proxies and browsers keep them open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/xml")
        || content_type.starts_with("image/svg")
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum BadPath {
    /// Not valid percent-encoding or UTF-8.
    Encoding,
    /// `..`, `.`, a backslash, NUL or a drive letter: never part of a site's paths.
    Traversal,
}

/// The output-relative file path a request path names: percent-decoded, `/` → `index.html`,
/// `dir/` → `dir/index.html`. Traversal attempts are refused, whatever their encoding.
pub fn file_path(url_path: &str) -> Result<String, BadPath> {
    let bytes = url_path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(BadPath::Encoding)?;
            let hex = std::str::from_utf8(hex).map_err(|_| BadPath::Encoding)?;
            decoded.push(u8::from_str_radix(hex, 16).map_err(|_| BadPath::Encoding)?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let path = String::from_utf8(decoded).map_err(|_| BadPath::Encoding)?;
    if path.contains(['\\', '\0']) {
        return Err(BadPath::Traversal);
    }
    let rel = path.trim_start_matches('/');
    if rel.split('/').any(|segment| segment == ".." || segment == ".")
        || rel.as_bytes().get(1) == Some(&b':')
    {
        return Err(BadPath::Traversal);
    }
    Ok(if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    })
}

fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space).
fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

/// A response whose body is in memory: always sent with its Content-Length, never chunked,
/// so answers to HEAD and 304s (which tiny_http sends without the body) carry the length a
/// GET would get.
fn in_memory(body: Vec<u8>, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body).with_status_code(status).with_chunked_threshold(usize::MAX)
}

/// Answer one request.
pub fn handle(request: Request, shared: &Shared) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    // tiny_http leaves the body out of answers to HEAD (and of 304s) by itself (see
    // `in_memory`).
    match request.method() {
        Method::Get | Method::Head => {}
        _ => {
            let response = Response::from_string("Only GET and HEAD are supported.\n")
                .with_status_code(405)
                .with_header(header("Allow", "GET, HEAD"));
            let _ = request.respond(response);
            return;
        }
    }
    if let Some(own) = path.strip_prefix(PREFIX) {
        match own {
            "events" => return events(request, shared),
            "live.js" => return send(request, shared, "live.js", SCRIPT.as_bytes().into()),
            "live.css" => return send(request, shared, "live.css", STYLE.as_bytes().into()),
            "status" => {
                let status = shared.status();
                return send(request, shared, "status.json", status.into_bytes().into());
            }
            _ => {}
        }
    }
    if path == "/api/search" {
        return search(request, shared, query);
    }
    let rel = match file_path(path) {
        Ok(rel) => rel,
        Err(why) => {
            let text = match why {
                BadPath::Encoding => "Bad request: the path is not valid percent-encoded UTF-8.\n",
                BadPath::Traversal => "Bad request: the path leaves the site.\n",
            };
            let _ = request.respond(Response::from_string(text).with_status_code(400));
            return;
        }
    };
    let files = shared.files();
    if let Some(bytes) = files.get(&rel) {
        let bytes = bytes.clone();
        return send(request, shared, &rel, bytes);
    }
    // `postmortems/x` → `postmortems/x/`, as static hosts do.
    if files.contains_key(&format!("{rel}/index.html")) {
        let location = format!(
            "{path}/{}",
            if query.is_empty() { String::new() } else { format!("?{query}") }
        );
        let response = Response::empty(301).with_header(header("Location", &location));
        let _ = request.respond(response);
        return;
    }
    let body = files.get("404.html").cloned().unwrap_or_else(|| Arc::from(&b"Not found\n"[..]));
    let (bytes, headers) = prepare(shared, "404.html", body, &request);
    let mut response = in_memory(bytes, 404);
    for h in headers {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

/// The bytes and headers of a file: live reload injected into HTML, gzip when accepted.
fn prepare(
    shared: &Shared,
    rel: &str,
    bytes: Arc<[u8]>,
    request: &Request,
) -> (Vec<u8>, Vec<Header>) {
    let kind = content_type(rel);
    let body: Vec<u8> = if kind.starts_with("text/html") { inject(&bytes) } else { bytes.to_vec() };
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&body));
    let mut headers = vec![
        header("Content-Type", kind),
        header("ETag", &etag),
        header("Cache-Control", "no-cache"),
        header("X-Content-Type-Options", "nosniff"),
    ];
    let accepts_gzip = request.headers().iter().any(|h| {
        h.field.equiv("Accept-Encoding")
            && h.value.as_str().split(',').any(|e| e.trim().starts_with("gzip"))
    });
    if compressible(kind) && body.len() >= GZIP_MIN_BYTES {
        headers.push(header("Vary", "Accept-Encoding"));
        if accepts_gzip {
            headers.push(header("Content-Encoding", "gzip"));
            return (shared.gzip(&etag, &body), headers);
        }
    }
    (body, headers)
}

/// Send a file, or 304 when the client's copy is current.
fn send(request: Request, shared: &Shared, rel: &str, bytes: Arc<[u8]>) {
    let (body, headers) = prepare(shared, rel, bytes, &request);
    let etag = headers.iter().find(|h| h.field.equiv("ETag")).map(|h| h.value.to_string());
    let current = request.headers().iter().any(|h| {
        h.field.equiv("If-None-Match")
            && etag.as_deref().is_some_and(|e| h.value.as_str().split(',').any(|v| v.trim() == e))
    });
    let status = if current { 304 } else { 200 };
    let mut response = in_memory(body, status);
    for h in headers {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

/// `GET /api/search?q=...&tag=...&service=...&severity=...&year=...&limit=...&sort=date`: the
/// same JSON as `hindsight search --json`.
fn search(request: Request, shared: &Shared, query: &str) {
    let params = query_params(query);
    let mut text = String::new();
    let mut limit = 10;
    let mut sort = SortOrder::Relevance;
    for (key, value) in &params {
        match key.as_str() {
            "q" => text.push_str(value),
            "tag" | "service" | "severity" | "year" if !value.trim().is_empty() => {
                text.push_str(&format!(" {key}:{}", slugify(value)));
            }
            "limit" => limit = value.parse().unwrap_or(limit).clamp(1, MAX_LIMIT),
            "sort" if value == "date" => sort = SortOrder::Date,
            _ => {}
        }
    }
    let result = match shared.search_source() {
        None => Err("the search index is not ready yet; try again in a moment".to_string()),
        Some(source) => answer(&source, text.trim_start(), limit, sort).map_err(|e| e.to_string()),
    };
    let (status, body) = match result {
        Ok(found) => (200, serde_json::to_vec_pretty(&found).unwrap_or_default()),
        Err(e) => (503, serde_json::to_vec(&serde_json::json!({ "error": e })).unwrap_or_default()),
    };
    let response = in_memory(body, status)
        .with_header(header("Content-Type", "application/json"))
        .with_header(header("Cache-Control", "no-store"));
    let _ = request.respond(response);
}

/// A server-sent event stream, open until the page goes away.
fn events(request: Request, shared: &Shared) {
    let updates = shared.events.subscribe();
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n\n";
    let status = format!("event: status\ndata: {}\n\n", shared.status());
    if writer.write_all(head.as_bytes()).is_err()
        || writer.write_all(status.as_bytes()).is_err()
        || writer.flush().is_err()
    {
        return;
    }
    loop {
        let message = match updates.recv_timeout(KEEP_ALIVE) {
            Ok(message) => message,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if writer.write_all(message.as_bytes()).is_err() || writer.flush().is_err() {
            return;
        }
    }
}

/// gzip `body` at level 6.
pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 3), Compression::new(6));
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_files_and_traversal_is_refused() {
        assert_eq!(file_path("/").unwrap(), "index.html");
        assert_eq!(file_path("/postmortems/a%20b/").unwrap(), "postmortems/a b/index.html");
        assert_eq!(file_path("/assets/style.css").unwrap(), "assets/style.css");
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/x",
            "/a/%2E%2E/%2E%2E/x",
            "/a\\..\\b",
            "/a%5c..",
            "/x%00",
            "/./a",
            "/C:/x",
        ] {
            assert_eq!(file_path(bad), Err(BadPath::Traversal), "{bad}");
        }
        assert_eq!(file_path("/%zz"), Err(BadPath::Encoding));
        assert_eq!(file_path("/%ff"), Err(BadPath::Encoding));
    }

    #[test]
    fn form_values_decode() {
        assert_eq!(
            query_params("q=cert+expired&tag=a%2Fb&x"),
            [
                ("q".to_string(), "cert expired".to_string()),
                ("tag".to_string(), "a/b".to_string()),
                ("x".to_string(), String::new())
            ]
        );
    }
}
