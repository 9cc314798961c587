//! Code highlighting: the one seam to syntect. Emits CSS classes (`hl-*`) so the theme owns
//! the colours, with one light and one dark stylesheet generated at build time. The syntax set
//! (syntect's plus two-face's: TOML, TypeScript, Dockerfile, Terraform, nginx...) loads once.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::EmbeddedThemeName;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Languages written in fences under another name than syntect's, and log-like languages
/// shown plain.
fn canonical_language(lang: &str) -> Option<&str> {
    Some(match lang {
        "" | "text" | "txt" | "plain" | "plaintext" | "log" | "logs" | "output"
        | "console-output" => return None,
        "sh" | "shell" | "console" | "zsh" | "shell-session" => "bash",
        "golang" => "go",
        "py" | "python3" => "python",
        "rs" => "rust",
        "ts" => "typescript",
        "tsx" => "typescriptreact",
        "js" | "node" => "javascript",
        "yml" => "yaml",
        "tf" | "hcl" | "terraform" => "Terraform",
        "docker" | "containerfile" => "Dockerfile",
        "patch" => "diff",
        "psql" | "postgres" | "postgresql" | "mysql" => "sql",
        "conf" | "nginx.conf" => "nginx",
        "jsonc" | "json5" => "json",
        other => other,
    })
}

/// The syntax for a fence's language, if hindsight can highlight it.
pub fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_lowercase();
    let canonical = canonical_language(&lang)?;
    let set = syntax_set();
    set.find_syntax_by_token(canonical).or_else(|| set.find_syntax_by_name(canonical))
}

/// Highlight `code` as `lang`. `None` when the language is unknown (or plain text): the caller
/// renders the block escaped, unhighlighted.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let syntax = find_syntax(lang)?;
    let _time = crate::activity::enter(crate::activity::Activity::Highlight);
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, syntax_set(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

/// The light and dark highlighting stylesheets, in that order.
pub fn stylesheets() -> (String, String) {
    let themes = two_face::theme::extra();
    let css =
        |name| css_for_theme_with_class_style(themes.get(name), CLASS_STYLE).unwrap_or_default();
    (css(EmbeddedThemeName::ColdarkCold), css(EmbeddedThemeName::ColdarkDark))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_postmortems_quote_is_highlighted() {
        for lang in [
            "sql",
            "yaml",
            "toml",
            "json",
            "go",
            "python",
            "rust",
            "java",
            "typescript",
            "bash",
            "shell",
            "sh",
            "dockerfile",
            "terraform",
            "hcl",
            "diff",
            "nginx",
            "ts",
            "yml",
        ] {
            let html = highlight("x = 1\n", lang);
            assert!(html.is_some(), "{lang} has no syntax");
            assert!(html.unwrap().contains("hl-"), "{lang} produced no classes");
        }
    }

    #[test]
    fn logs_and_unknown_languages_are_plain() {
        for lang in ["", "text", "log", "no-such-language"] {
            assert!(highlight("ERROR x\n", lang).is_none(), "{lang}");
        }
    }

    #[test]
    fn highlighted_code_is_escaped() {
        let html = highlight("let s = \"</script><script>alert(1)\";\n", "rust").unwrap();
        assert!(!html.contains("<script>"), "{html}");
    }

    #[test]
    fn stylesheets_use_the_class_prefix() {
        let (light, dark) = stylesheets();
        assert!(light.contains(".hl-"), "{light}");
        assert!(dark.contains(".hl-") && dark != light);
    }
}
