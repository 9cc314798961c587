//! Snippets: the stretch of a postmortem's text with the most matching words, and where
//! those words are, for highlighting.

use super::analyzer::analyze;

/// Words in a snippet.
const SNIPPET_WORDS: usize = 28;

/// A snippet and the byte ranges of its matching words.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    /// The text, with `…` where it was cut.
    pub text: String,
    /// Byte ranges of matching words in `text`.
    pub highlights: Vec<(usize, usize)>,
}

/// The best snippet of `text` for `terms`.
pub fn snippet(text: &str, terms: &[String]) -> Snippet {
    let mut tokens: Vec<(usize, usize, bool)> = Vec::new();
    analyze(text, |t| tokens.push((t.offsets.0, t.offsets.1, terms.contains(&t.term))));
    if tokens.is_empty() {
        return Snippet { text: text.chars().take(200).collect(), highlights: Vec::new() };
    }
    let mut best = 0;
    let mut best_hits = None;
    for i in 0..tokens.len() {
        let hits = tokens[i..(i + SNIPPET_WORDS).min(tokens.len())].iter().filter(|t| t.2).count();
        if best_hits.is_none_or(|b| hits > b) {
            best_hits = Some(hits);
            best = i;
        }
    }
    // Start a few words before the first match of the best window.
    let from = match tokens[best..].iter().position(|t| t.2) {
        Some(first) if best_hits.unwrap_or(0) > 0 => (best + first).saturating_sub(3),
        _ => 0,
    };
    let to = (from + SNIPPET_WORDS).min(tokens.len());
    let start = if from == 0 { 0 } else { tokens[from].0 };
    let end = if to == tokens.len() { text.len() } else { tokens[to - 1].1 };
    let mut out = String::new();
    if start > 0 {
        out.push_str("… ");
    }
    let base = out.len();
    // Line breaks become spaces (one byte each, so the highlights keep their offsets).
    out.extend(
        text[start..end].chars().map(|c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c }),
    );
    let highlights = tokens[from..to]
        .iter()
        .filter(|t| t.2)
        .map(|t| (base + t.0 - start, base + t.1 - start))
        .collect();
    if end < text.len() {
        out.push_str(" …");
    }
    Snippet { text: out, highlights }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_window_with_matches_and_marks_them() {
        let filler = "word ".repeat(60);
        let text = format!("{filler}the certificate expired at midnight. {filler}");
        let s = snippet(&text, &["certif".into(), "expir".into()]);
        assert!(s.text.starts_with("… ") && s.text.ends_with(" …"), "{}", s.text);
        let marked: Vec<&str> = s.highlights.iter().map(|(a, b)| &s.text[*a..*b]).collect();
        assert_eq!(marked, ["certificate", "expired"]);
    }
}
