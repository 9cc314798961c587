//! The floor of `benches/compare.sh`: the minimum work of building a site from a folder of
//! postmortems, single-threaded, so hindsight's build can be compared with it.
//!
//!     floor DIR OUT
//!
//! For each `.md` under `DIR/postmortems` (sorted): read it, split the `+++` TOML front matter,
//! parse it with the `toml` crate (into a table; its `title` becomes the page's title), render
//! the body with pulldown-cmark (hindsight's extensions: tables, footnotes, strikethrough, task
//! lists, heading attributes) and write `OUT/<stem>/index.html`. Nothing else: no templates, no
//! lists, no taxonomies, no feeds, no search index, no checks. On stderr, the time spent in each
//! step (summed over files) and the counts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser, html};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// `(front matter, body)` of a file that starts with a `+++` line and has a closing `+++` line.
fn split(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("+++\n").or_else(|| text.strip_prefix("+++\r\n"))?;
    let mut at = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some((&rest[..at], &rest[at + line.len()..]));
        }
        at += line.len();
    }
    None
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, out] = args.as_slice() else {
        eprintln!("usage: floor DIR OUT");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    let mut files = Vec::new();
    if let Err(e) = collect(&Path::new(dir).join("postmortems"), &mut files) {
        eprintln!("floor: cannot read {dir}/postmortems: {e}");
        return ExitCode::FAILURE;
    }
    files.sort();
    let walked = started.elapsed();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let (mut read, mut front, mut render, mut write) = Default::default();
    let (mut pages, mut bytes_in, mut bytes_out, mut skipped) = (0usize, 0usize, 0usize, 0usize);
    let mut page = String::new();
    for path in &files {
        let t0 = Instant::now();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("floor: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        };
        let t1 = Instant::now();
        read += t1 - t0;
        bytes_in += text.len();
        let Some((fm, body)) = split(&text) else {
            skipped += 1;
            continue;
        };
        let table: toml::Table = match toml::from_str(fm) {
            Ok(table) => table,
            Err(e) => {
                eprintln!("floor: {}: {e}", path.display());
                skipped += 1;
                continue;
            }
        };
        let title = table.get("title").and_then(|t| t.as_str()).unwrap_or("Untitled");
        let t2 = Instant::now();
        front += t2 - t1;
        page.clear();
        page.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
        escape(title, &mut page);
        page.push_str("</title></head><body><main><h1>");
        escape(title, &mut page);
        page.push_str("</h1>\n");
        html::push_html(&mut page, Parser::new_ext(body, options));
        page.push_str("</main></body></html>\n");
        let t3 = Instant::now();
        render += t3 - t2;
        let stem = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
        let folder = Path::new(out).join(&*stem);
        if let Err(e) = std::fs::create_dir_all(&folder)
            .and_then(|()| std::fs::write(folder.join("index.html"), page.as_bytes()))
        {
            eprintln!("floor: cannot write {}: {e}", folder.display());
            return ExitCode::FAILURE;
        }
        write += t3.elapsed();
        pages += 1;
        bytes_out += page.len();
    }
    eprintln!(
        "floor: {pages} pages ({skipped} skipped), {:.1} MB read, {:.1} MB written in {:.0} ms: \
         walk {:.0} ms, read {:.0} ms, front matter (split + toml) {:.0} ms, markdown {:.0} ms, \
         write {:.0} ms",
        bytes_in as f64 / 1e6,
        bytes_out as f64 / 1e6,
        ms(started.elapsed()),
        ms(walked),
        ms(read),
        ms(front),
        ms(render),
        ms(write),
    );
    ExitCode::SUCCESS
}
