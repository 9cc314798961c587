//! Blameless language: wording that assigns blame to a person instead of describing what in
//! the system made the failure possible. Postmortems written that way teach less, because
//! people stop telling the whole story.

use std::ops::Range;

use regex::{Regex, RegexBuilder};

/// The built-in phrases (as case-insensitive regular expressions, matched on word
/// boundaries) and the blameless wording suggested for each.
const BUILT_IN: &[(&str, &str)] = &[
    (
        r"[\w.-]+(?:'|’)s fault|fault of [\w.-]+",
        "describe what in the system made the failure possible, e.g. \"the deploy tool let an \
         untested change reach every region at once\"",
    ),
    (
        r"should(?:'ve| have) known(?: better)?",
        "describe what information was missing or hard to see at the time",
    ),
    (
        r"should(?:'ve| have) been more careful",
        "describe the safeguard that was missing, e.g. \"nothing asked for confirmation before \
         deleting the production database\"",
    ),
    (
        r"careless(?:ly|ness)?|sloppy|sloppiness",
        "describe the conditions that made the slip easy, and what would catch it next time",
    ),
    (
        r"human errors?|operator errors?|user errors? on our side",
        "name the gap in tooling or process that let a routine action cause harm",
    ),
    (
        r"(?:stupid|dumb|silly|rookie|careless) (?:mistake|error)s?",
        "describe the action and why it seemed reasonable at the time",
    ),
    (
        r"negligen(?:t|ce)|incompeten(?:t|ce)",
        "describe the decision and the context it was made in",
    ),
    (
        r"(?:was|were|is|are) to blame|blamed (?:on )?(?:him|her|them)",
        "describe the contributing causes instead of who is responsible",
    ),
    (r"dropped the ball", "describe which hand-off or signal was missing"),
    (
        r"(?:was|were)(?:n't| not) paying attention",
        "describe what competed for attention, and what alert or check could have helped",
    ),
];

/// The suggestion for phrases a site adds in `[lint] blameful_phrases`.
const CONFIGURED_HELP: &str =
    "describe what the system allowed or what was missing, rather than who erred";

/// The compiled phrases: built-in ones and the site's own.
pub struct BlamefulPhrases {
    regex: Regex,
    /// The suggestion for each capture group, in order.
    help: Vec<&'static str>,
}

/// One occurrence of a blameful phrase.
pub struct BlamefulMatch {
    /// Byte span of the phrase in the text.
    pub span: Range<usize>,
    /// Suggested blameless wording.
    pub help: &'static str,
}

impl BlamefulPhrases {
    /// The built-in phrases plus `configured` ones (literal text, case-insensitive).
    pub fn new(configured: &[String]) -> BlamefulPhrases {
        let mut alternatives = Vec::new();
        let mut help = Vec::new();
        for (pattern, suggestion) in BUILT_IN {
            // ASCII word boundaries: the built-in phrases are English, and Unicode
            // boundaries cost a fifth of `check`'s time on a large knowledge base.
            alternatives.push(format!(r"((?-u:\b)(?:{pattern})(?-u:\b))"));
            help.push(*suggestion);
        }
        for phrase in configured.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            // Word boundaries only where the phrase starts or ends with a word character, so
            // a phrase such as "!!" still matches.
            let starts = phrase.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_');
            let ends = phrase.chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_');
            alternatives.push(format!(
                "({}{}{})",
                if starts { r"\b" } else { "" },
                regex::escape(phrase).replace(' ', r"\s+"),
                if ends { r"\b" } else { "" }
            ));
            help.push(CONFIGURED_HELP);
        }
        let regex = RegexBuilder::new(&alternatives.join("|"))
            .case_insensitive(true)
            .build()
            .expect("the blameful phrases are valid patterns");
        BlamefulPhrases { regex, help }
    }

    /// Every phrase in `text`.
    pub fn find<'a>(&'a self, text: &'a str) -> impl Iterator<Item = BlamefulMatch> + 'a {
        self.regex.captures_iter(text).filter_map(|caps| {
            let group = (1..caps.len()).find(|&i| caps.get(i).is_some())?;
            let m = caps.get(group)?;
            Some(BlamefulMatch { span: m.range(), help: self.help[group - 1] })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let phrases = BlamefulPhrases::new(&["rogue deploy".to_string()]);
        phrases.find(text).map(|m| &text[m.span]).collect()
    }

    #[test]
    fn finds_built_in_and_configured_phrases_case_insensitively() {
        assert_eq!(
            found("It was Bob's fault. Human Error, they said. A Rogue  deploy."),
            ["Bob's fault", "Human Error", "Rogue  deploy"]
        );
        assert_eq!(
            found("We should have known; a stupid mistake"),
            ["should have known", "stupid mistake"]
        );
    }

    #[test]
    fn respects_word_boundaries() {
        assert!(found("a blameless review of uncareless code").is_empty());
        assert!(found("the default fault tolerance").is_empty());
        assert!(found("blameless postmortem").is_empty());
        assert_eq!(found("carelessly"), ["carelessly"]);
    }
}
