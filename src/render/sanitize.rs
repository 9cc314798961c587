//! Sanitizing bodies that contain raw HTML (unless the site trusts its authors): harmless tags
//! such as `<details>`, `<kbd>` and `<img>` survive; scripts, event handlers, `javascript:`
//! URLs, frames and styles do not. Only bodies with raw HTML pay for it.

use std::sync::OnceLock;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags([
                "details",
                "summary",
                "kbd",
                "input",
                "section",
                "figure",
                "figcaption",
                "mark",
            ])
            // Markup hindsight itself generates around headings, code and footnotes.
            .add_generic_attributes(["id", "class", "aria-label"])
            .add_tag_attributes("pre", ["data-lang"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("img", ["width", "height", "loading"])
            .add_tag_attributes("details", ["open"])
            .link_rel(Some("noopener noreferrer"));
        builder
    })
}

/// Remove everything that could run script or restyle the page from `html`.
pub fn sanitize_html(html: &str) -> String {
    cleaner().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harmless_tags_survive() {
        let html = "<details open><summary>Logs</summary><kbd>Ctrl</kbd> <img src=\"a.png\" alt=\"chart\"></details>";
        let clean = sanitize_html(html);
        for kept in
            ["<details open=\"\">", "<summary>", "<kbd>", "<img src=\"a.png\" alt=\"chart\">"]
        {
            assert!(clean.contains(kept), "{kept} missing from {clean}");
        }
    }

    #[test]
    fn script_and_friends_are_removed() {
        let html = "<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a>\
                    <iframe src=\"https://evil\"></iframe><style>body{}</style><a href=\"data:text/html,x\">d</a>";
        let clean = sanitize_html(html);
        for gone in
            ["<script", "alert(1)</", "onerror", "javascript:", "<iframe", "<style", "data:"]
        {
            assert!(!clean.contains(gone), "{gone} left in {clean}");
        }
    }

    #[test]
    fn generated_markup_is_kept() {
        let html = "<h2 id=\"a\">A<a class=\"anchor\" href=\"#a\" aria-label=\"Link\">#</a></h2>\
                    <pre class=\"code\" data-lang=\"sql\"><code><span class=\"hl-source\">x</span></code></pre>\
                    <ul><li><input type=\"checkbox\" disabled checked aria-label=\"Done\"> done</li></ul>";
        let clean = sanitize_html(html);
        for kept in [
            "id=\"a\"",
            "class=\"anchor\"",
            "data-lang=\"sql\"",
            "class=\"hl-source\"",
            "type=\"checkbox\"",
            "aria-label=\"Done\"",
        ] {
            assert!(clean.contains(kept), "{kept} missing from {clean}");
        }
    }
}
