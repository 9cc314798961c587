//! Any text as a search query: the query parser, the analyzer (folding, stemming, CJK
//! n-grams), synonym expansion and the typo distance. It must never panic, every term it
//! produces is non-empty, and phrases keep one gap per term.
#![no_main]

use hindsight::search::engine::within_one_edit;
use hindsight::search::query::{parse_query, synonym_table, synonyms_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let table = synonym_table(&[vec!["pager".into(), "on-call".into()]]);
    let query = parse_query(text);
    for word in &query.words {
        assert!(!word.term.is_empty(), "{query:?}");
        for phrase in synonyms_of(word, &table) {
            assert_eq!(phrase.terms.len(), phrase.gaps.len());
        }
        let _ = within_one_edit(&word.surface, text);
    }
    for phrase in query.phrases.iter().chain(&query.excluded) {
        assert_eq!(phrase.terms.len(), phrase.gaps.len(), "{query:?}");
        assert!(phrase.terms.iter().all(|t| !t.is_empty()), "{query:?}");
    }
});
