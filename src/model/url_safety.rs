//! URLs that must never reach a reader's browser as links.

/// Whether a URL uses a scheme that runs script or smuggles a document when clicked
/// (`javascript:`, `vbscript:`, `data:`), however it is cased or padded.
pub fn is_script_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_lowercase();
    ["javascript:", "vbscript:", "data:"].iter().any(|s| cleaned.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_schemes_in_any_disguise() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:x",
            "java\tscript:x",
            "vbscript:x",
            "DATA:text/html,x",
        ] {
            assert!(is_script_url(bad), "{bad:?}");
        }
        for good in ["https://x", "/javascript:", "mailto:a@b", "notes.md"] {
            assert!(!is_script_url(good), "{good:?}");
        }
    }
}
