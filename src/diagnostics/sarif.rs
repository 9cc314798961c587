//! SARIF 2.1.0 output (`--format sarif`), for code-scanning dashboards such as GitHub's.
//! One run; every finding code is a rule, so a dashboard can show its description.

use serde_json::{Value, json};

use super::{Code, Diagnostic, Mode, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF log of `diagnostics`.
pub fn sarif_log(diagnostics: &[Diagnostic]) -> Value {
    let rules: Vec<Value> = Code::ALL.iter().map(|&code| rule(code)).collect();
    let results: Vec<Value> = diagnostics.iter().map(result).collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "hindsight",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.id(),
        "name": code.name(),
        "shortDescription": { "text": code.description() },
        "fullDescription": { "text": format!("{} {}: {}", code.id(), code.name(), code.description()) },
        "defaultConfiguration": { "level": level(code.severity(Mode::Check)) },
    })
}

fn result(d: &Diagnostic) -> Value {
    let index = Code::ALL.iter().position(|&c| c == d.code).expect("every code is in ALL");
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": d.code.id(),
        "ruleIndex": index,
        "level": level(d.severity),
        "message": { "text": text },
    });
    if let Some(l) = &d.location {
        result["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": { "uri": uri_reference(&l.file), "uriBaseId": "%SRCROOT%" },
                "region": {
                    "startLine": l.line.max(1),
                    "startColumn": l.column.max(1),
                    "endLine": l.end_line.max(l.line).max(1),
                    "endColumn": if l.end_line > l.line { l.end_column.max(1) }
                                 else { l.end_column.max(l.column).max(1) },
                }
            }
        }]);
        // Stable across edits that move the finding to another line, so dashboards keep
        // one alert per finding.
        let key = format!("{}\u{0}{}\u{0}{}", d.code.id(), l.file, d.message);
        result["partialFingerprints"] = json!({ "hindsight/v1": format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes())) });
    }
    result
}

/// A root-relative path as a URI reference: `/` separators, everything but unreserved
/// characters and `/` percent-encoded (spaces and non-ASCII names are valid in files, not in URIs).
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'\\' => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("postmortems/2024/a b/é.md"), "postmortems/2024/a%20b/%C3%A9.md");
    }
}
