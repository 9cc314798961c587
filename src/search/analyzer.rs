//! The one text analyzer of hindsight: the browser's search script, `hindsight search` (through
//! tantivy) and related-incident scoring all turn text into the same terms.
//!
//! Words are maximal runs of letters and digits (Unicode-aware; an apostrophe inside a word is
//! kept). Each word is lowercased and folded to ASCII where it has an ASCII base ("café" is
//! "cafe"), a few English stop words are dropped (keeping their position, so phrases still
//! line up), and words made only of letters are stemmed with Snowball English ("expired" and
//! "expiring" are both "expir"). Chinese, Japanese and Korean text has no spaces between
//! words, so a run of CJK characters becomes overlapping character bigrams.

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longest term kept, in bytes: longer "words" are hashes and base64 noise.
pub const MAX_TERM_LEN: usize = 40;

/// Stop words: dropped from the index and from queries.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
    "to", "was", "will", "with",
];

/// A term and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The analyzed term.
    pub term: String,
    /// The folded word before stemming (what prefix and typo matching compare against).
    pub surface: String,
    /// Word position (stop words count, so phrases line up).
    pub position: u32,
    /// Byte range of the original word in the text.
    pub offsets: (usize, usize),
}

fn stemmer() -> &'static frostem::Stemmer {
    static STEMMER: OnceLock<frostem::Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| frostem::Stemmer::new(frostem::Algorithm::English))
}

/// Whether `c` is written without spaces between words (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FFFF) // CJK Extensions B+
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Lowercase and fold a word to its search form, without stemming: `Café` → `cafe`,
/// `Straße` → `strasse`, `don’t` → `don't`.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return out;
    }
    for c in word.chars().flat_map(char::to_lowercase) {
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ł' => out.push('l'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            '\u{2019}' | '\u{2018}' => out.push('\''),
            c if c.is_ascii() => out.push(c),
            c => out.extend(std::iter::once(c).nfkd().filter(|m| !is_combining_mark(*m))),
        }
    }
    out
}

/// The term of one folded word: `None` for stop words and over-long words; letters-only
/// words are stemmed.
pub fn term_of_folded(folded: &str) -> Option<String> {
    if folded.is_empty() || folded.len() > MAX_TERM_LEN || STOP_WORDS.contains(&folded) {
        return None;
    }
    let word = folded.trim_end_matches('\'');
    if word.chars().all(|c| c.is_alphabetic() || c == '\'') {
        Some(stemmer().stem(word).into_owned())
    } else {
        Some(word.to_string())
    }
}

/// A piece of text that becomes at most one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A word, as written: fold it and stem it.
    Word(&'a str),
    /// A CJK character bigram (or lone character): its own term.
    Cjk(&'a str),
}

impl Piece<'_> {
    /// The token of this piece, or `None` for a stop word or an over-long word.
    pub fn token(self, position: u32, offsets: (usize, usize)) -> Option<Token> {
        match self {
            Piece::Cjk(text) => {
                Some(Token { term: text.to_string(), surface: text.to_string(), position, offsets })
            }
            Piece::Word(word) => {
                let surface = fold(word);
                let term = term_of_folded(&surface)?;
                Some(Token {
                    term,
                    surface: surface.trim_end_matches('\'').to_string(),
                    position,
                    offsets,
                })
            }
        }
    }
}

/// Split `text` into pieces, in order, with their positions and byte offsets; the cheap first
/// half of [`analyze`], for callers that cache what each word becomes.
pub fn split(text: &str, mut emit: impl FnMut(Piece<'_>, u32, (usize, usize))) {
    let mut position: u32 = 0;
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if is_cjk(c) {
            // A run of CJK characters: overlapping bigrams (a lone character is a unigram).
            let mut previous: Option<usize> = None;
            let mut lone = true;
            while let Some(&(i, c)) = chars.peek() {
                if !is_cjk(c) {
                    break;
                }
                if let Some(p) = previous {
                    emit(Piece::Cjk(&text[p..i + c.len_utf8()]), position, (p, i + c.len_utf8()));
                    position += 1;
                    lone = false;
                }
                previous = Some(i);
                chars.next();
            }
            if lone {
                let end = chars.peek().map_or(text.len(), |&(i, _)| i);
                emit(Piece::Cjk(&text[start..end]), position, (start, end));
                position += 1;
            }
        } else if is_word_char(c) {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                let apostrophe = matches!(c, '\'' | '\u{2019}');
                if is_word_char(c) {
                    end = i + c.len_utf8();
                    chars.next();
                } else if apostrophe
                    && text[i + c.len_utf8()..].chars().next().is_some_and(is_word_char)
                {
                    chars.next();
                } else {
                    break;
                }
            }
            emit(Piece::Word(&text[start..end]), position, (start, end));
            position += 1;
        } else {
            chars.next();
        }
    }
}

/// Analyze `text`, calling `emit` for each token in order.
pub fn analyze(text: &str, mut emit: impl FnMut(Token)) {
    split(text, |piece, position, offsets| {
        if let Some(token) = piece.token(position, offsets) {
            emit(token);
        }
    });
}

/// The terms of `text`, in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    analyze(text, |t| out.push(t.term));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_folds_and_drops_stop_words() {
        assert_eq!(terms("The certificate EXPIRED"), ["certif", "expir"]);
        assert_eq!(terms("expiring certificates"), ["expir", "certif"]);
        assert_eq!(terms("Café crème, Straße"), ["cafe", "creme", "strass"]);
        assert_eq!(terms("rollbacks rolled back"), ["rollback", "roll", "back"]);
    }

    #[test]
    fn identifiers_and_numbers_are_kept_whole() {
        assert_eq!(
            terms("pg-main-1 returned HTTP 503, k8s OOMKilled"),
            ["pg", "main", "1", "return", "http", "503", "k8s", "oomkil"]
        );
        assert_eq!(terms("x".repeat(MAX_TERM_LEN + 1).as_str()), Vec::<String>::new());
    }

    #[test]
    fn apostrophes_inside_words() {
        assert_eq!(terms("the team’s runbook didn't help"), ["team", "runbook", "didn't", "help"]);
    }

    #[test]
    fn cjk_becomes_bigrams() {
        assert_eq!(terms("数据库故障"), ["数据", "据库", "库故", "故障"]);
        assert_eq!(terms("証明書 期限"), ["証明", "明書", "期限"]);
        assert_eq!(terms("DNS障害"), ["dns", "障害"]);
        assert_eq!(terms("字"), ["字"]);
    }

    #[test]
    fn positions_count_stop_words_and_offsets_point_at_words() {
        let mut tokens = Vec::new();
        analyze("out of memory", |t| tokens.push(t));
        assert_eq!(
            tokens.iter().map(|t| (t.term.as_str(), t.position)).collect::<Vec<_>>(),
            [("out", 0), ("memori", 2)]
        );
        assert_eq!(tokens[1].offsets, (7, 13));
    }
}
