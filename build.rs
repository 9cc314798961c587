//! Build script: assembles the browser search script (`assets/search.js`) from its parts in
//! `themes/default/static/search/`, dropping comment lines and indentation to keep it small on
//! the wire. The parts stay readable; the shipped file is what the golden tests run.

use std::path::Path;

const PARTS: [&str; 4] = ["snowball.js", "stemmer.generated.js", "engine.js", "ui.js"];

fn main() {
    let dir = Path::new("themes/default/static/search");
    let mut out = String::from("(function (global) {\n\"use strict\";\n");
    for part in PARTS {
        let path = dir.join(part);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with("//") {
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("})(typeof window !== \"undefined\" ? window : globalThis);\n");
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("search.js");
    std::fs::write(&target, out)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}
