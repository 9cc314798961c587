//! Unknown keys and "did you mean": a typo in a key must never silently drop data.

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let distance = strsim::damerau_levenshtein(&word_lower, &c.to_lowercase());
            (distance, strsim::jaro_winkler(&word_lower, &c.to_lowercase()), c)
        })
        .filter(|(distance, similarity, c)| {
            let allowed = if c.chars().count() <= 4 { 1 } else { 2 };
            *distance <= allowed || *similarity >= 0.9
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, c)| c)
}

/// The help text of an unknown-key finding.
pub fn unknown_key_help<'c>(key: &str, known: impl IntoIterator<Item = &'c str> + Clone) -> String {
    match did_you_mean(key, known.clone()) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => {
            let list: Vec<&str> = known.into_iter().collect();
            format!(
                "known keys here: {}; put anything else under [extra]",
                list.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["title", "date", "severity", "status", "services", "tags", "summary"];
        assert_eq!(did_you_mean("severty", keys), Some("severity"));
        assert_eq!(did_you_mean("Titel", keys), Some("title"));
        assert_eq!(did_you_mean("tag", keys), Some("tags"));
        assert_eq!(did_you_mean("servcies", keys), Some("services"));
        assert_eq!(did_you_mean("customer", keys), None);
    }
}
