//! Slugs: the URL segments of postmortems, tags, services and themes, and the checks that keep
//! every written path inside the output folder.

use unicode_normalization::UnicodeNormalization;

/// Turn any text into a stable, non-empty URL segment.
///
/// Compatibility-normalized (NFKC) and lowercased, so `Stuff I Broke`, `stuff-i-broke` and
/// `ＳＴＵＦＦ i broke` are one slug; letters and digits of every script are kept (a CJK tag keeps
/// its characters); anything else separates words. Text with no letters or digits at all (an
/// emoji tag, a service named `-`) gets its code points in hex instead, so the slug of any
/// non-empty text is never empty.
pub fn slugify(text: &str) -> String {
    if text.is_ascii() {
        // NFKC leaves ASCII as it is: the common case, without the normalizer's cost.
        let mut slug = String::with_capacity(text.len());
        let mut pending_dash = false;
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(char::from(b.to_ascii_lowercase()));
            } else {
                pending_dash = true;
            }
        }
        if !slug.is_empty() {
            return slug;
        }
    }
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c);
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        let mut symbols: Vec<char> =
            text.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '_').collect();
        // Separators only (a file `_.md`, a service `-`): those, or the slug would be empty
        // and the page would land on the list's own `index.html`.
        if symbols.is_empty() {
            symbols = text.chars().collect();
        }
        let hex: Vec<String> = symbols.iter().map(|&c| format!("u{:x}", c as u32)).collect();
        return hex.join("-");
    }
    slug
}

/// The key under which two output paths collide on case-insensitive or normalizing file
/// systems (macOS, Windows): NFC, lowercased.
pub fn collision_key(path: &str) -> String {
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    path.nfc().flat_map(char::to_lowercase).collect()
}

/// Check a slug written by an author (`slug = "..."`, a reading path's slug). Returns why it
/// is refused. A slug is one URL segment: it can never name a parent folder or another root.
pub fn check_slug(slug: &str) -> Result<(), String> {
    if slug.trim().is_empty() {
        return Err("is empty".into());
    }
    if slug.contains('\0') {
        return Err("contains a NUL character".into());
    }
    if slug.contains("..") {
        return Err("contains `..`".into());
    }
    if slug.contains('\\') {
        return Err("contains a backslash".into());
    }
    if slug.starts_with('/') {
        return Err("is absolute (starts with `/`)".into());
    }
    if slug.contains('/') {
        return Err("contains `/`: a slug is one URL segment".into());
    }
    if slug.len() >= 2 && slug.as_bytes()[1] == b':' && slug.as_bytes()[0].is_ascii_alphabetic() {
        return Err("looks like a Windows drive path".into());
    }
    if slug.starts_with('.') {
        return Err("starts with `.` (hidden files are not published by every host)".into());
    }
    if let Some(c) =
        slug.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')))
    {
        return Err(format!("contains {c:?}; use letters, digits, `-`, `_` and `.`"));
    }
    Ok(())
}

/// Check an alias (an old URL that should redirect to a postmortem) and return the output
/// path, relative to the output folder, of the redirect page it becomes.
pub fn alias_output_path(alias: &str) -> Result<String, String> {
    if alias.trim().is_empty() {
        return Err("is empty".into());
    }
    if alias.contains('\0') {
        return Err("contains a NUL character".into());
    }
    if alias.contains('\\') {
        return Err("contains a backslash".into());
    }
    if alias.starts_with("//") || alias.contains("://") || has_scheme(alias) {
        return Err("is a URL with a host or scheme; an alias is a path on this site such as \
                    `/incidents/42/`"
            .into());
    }
    let trimmed = alias.trim_start_matches('/');
    let mut segments = Vec::new();
    for segment in trimmed.split('/') {
        match segment {
            "" => continue,
            "." | ".." => return Err("contains `.` or `..` segments".into()),
            s if s.chars().any(|c| c.is_control() || matches!(c, '?' | '#' | '%')) => {
                return Err(format!("segment `{s}` has a control character, `?`, `#` or `%`"));
            }
            s => segments.push(s),
        }
    }
    if segments.is_empty() {
        return Err("points at the site root".into());
    }
    // `C:` and also `C:x`: on Windows a drive-relative path replaces the folder it is joined to.
    if let Some(first) = segments.first()
        && first.len() >= 2
        && first.as_bytes()[1] == b':'
        && first.as_bytes()[0].is_ascii_alphabetic()
    {
        return Err("looks like a Windows drive path".into());
    }
    let last = segments.last().copied().unwrap_or_default();
    let path = segments.join("/");
    if last.ends_with(".html") || last.ends_with(".htm") {
        Ok(path)
    } else {
        Ok(format!("{path}/index.html"))
    }
}

fn has_scheme(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && !scheme.contains('/')
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_case_spaces_and_width() {
        for (input, expected) in [
            ("Stuff I Broke", "stuff-i-broke"),
            ("stuff-i-broke", "stuff-i-broke"),
            ("  Stuff   I_Broke!! ", "stuff-i-broke"),
            ("ＳＴＵＦＦ i broke", "stuff-i-broke"),
            ("Café Crème", "café-crème"),
            ("数据库 故障", "数据库-故障"),
            ("SEV1", "sev1"),
        ] {
            assert_eq!(slugify(input), expected, "{input}");
        }
    }

    #[test]
    fn symbol_only_text_gets_a_stable_non_empty_slug() {
        assert_eq!(slugify("🔥"), "u1f525");
        assert_eq!(slugify("🔥 🧯"), "u1f525-u1f9ef");
        assert!(!slugify("!!!").is_empty());
    }

    #[test]
    fn bad_slugs_are_refused() {
        for bad in ["", " ", "../x", "a/b", "/abs", "a\\b", "C:x", ".hidden", "a b", "a\0b", "x?y"]
        {
            assert!(check_slug(bad).is_err(), "{bad:?} should be refused");
        }
        for good in ["payments-500s", "2024-03-14-db", "数据库", "v1.2_x"] {
            assert!(check_slug(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn aliases_become_paths_inside_the_output() {
        assert_eq!(alias_output_path("/old/url/").unwrap(), "old/url/index.html");
        assert_eq!(alias_output_path("old/page.html").unwrap(), "old/page.html");
        for bad in [
            "",
            "/",
            "/../etc",
            "//evil.example/x",
            "https://x/y",
            "javascript:alert(1)",
            "/a\\b",
            "C:/x",
            "/C:x/",
            "/a/./b",
            "/a?b",
        ] {
            assert!(alias_output_path(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn collision_keys_ignore_case_and_normalization() {
        assert_eq!(collision_key("Café"), collision_key("cafe\u{301}"));
    }

    #[test]
    fn separator_only_text_still_gets_a_slug() {
        assert_eq!(slugify("_"), "u5f");
        assert_eq!(slugify("- _"), "u2d-u20-u5f");
        assert_eq!(slugify("-🔥-"), "u1f525");
        assert_eq!(slugify(""), "");
    }

    mod properties {
        //! Random slugs and aliases, built from the pieces path attacks are made of, through
        //! the real checks: whatever they accept must stay inside the output folder.

        use proptest::prelude::*;
        use unicode_normalization::UnicodeNormalization;

        use super::super::{alias_output_path, check_slug, slugify};

        /// Why `path` (relative to the output folder) could land outside it, judged lexically
        /// and as every platform's file system would read it; `None` when it stays inside.
        fn escapes(path: &str) -> Option<&'static str> {
            if path.is_empty() {
                return Some("is empty");
            }
            if path.contains('\\') || path.contains('\0') {
                return Some("has a backslash or NUL");
            }
            if path.starts_with('/') {
                return Some("is absolute");
            }
            // Unicode forms a file system may store the name in (macOS decomposes).
            for form in [path.nfc().collect::<String>(), path.nfd().collect::<String>()] {
                let mut components = form.split('/');
                let first = components.next().unwrap_or_default();
                let b = first.as_bytes();
                if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
                    return Some("starts with a Windows drive (`C:`)");
                }
                if form.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
                    return Some("has an empty, `.` or `..` component");
                }
            }
            let normal = std::path::Path::new(path)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !normal {
                return Some("is not a plain relative path");
            }
            None
        }

        /// Pieces of hostile paths: traversal, separators, drives, hosts, schemes, percent
        /// and Unicode look-alikes, control characters.
        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                3 => prop::sample::select(vec![
                    "..", ".", "/", "//", "\\", "\0", "C:", "c:", "Z:", ":", "//host", "\\\\host",
                    "http:", "https://", "javascript:", "file:", "data:", "%2e%2e", "%2f", "%5c", "%00",
                    "~", "-", "_", " ", "\t", "\n", "\r", "?", "#", "é", "e\u{301}", "Ａ", "．．",
                    "／", "＼", "\u{2215}", "\u{2024}\u{2024}", "\u{2025}", "\u{202e}", "\u{feff}",
                    "🔥", "数据", "עברית", "index.html", ".html", "a", "1", "incidents", "CON", "nul",
                ])
                .prop_map(str::to_string),
                1 => "[a-z0-9]{1,6}",
                1 => any::<String>(),
            ]
        }

        /// Segments of a few pieces each, joined by `/`, with a leading `/` or not.
        fn hostile() -> impl Strategy<Value = String> {
            let segment = prop::collection::vec(piece(), 1..4).prop_map(|p| p.concat());
            (prop::collection::vec(segment, 1..5), any::<bool>()).prop_map(|(segments, rooted)| {
                let path = segments.join("/");
                if rooted { format!("/{path}") } else { path }
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4096))]

            #[test]
            fn accepted_slugs_stay_inside_the_output(slug in hostile()) {
                if check_slug(&slug).is_ok() {
                    let path = format!("postmortems/{slug}/index.html");
                    prop_assert_eq!(escapes(&path), None, "slug {:?} → {:?}", slug, path);
                    prop_assert_eq!(escapes(&slug), None, "slug {:?}", slug);
                }
            }

            #[test]
            fn accepted_aliases_stay_inside_the_output(alias in hostile()) {
                if let Ok(path) = alias_output_path(&alias) {
                    prop_assert_eq!(escapes(&path), None, "alias {:?} → {:?}", alias, path);
                }
            }

            #[test]
            fn slugs_made_from_any_text_are_accepted_and_never_empty(text in hostile()) {
                // Empty values never reach slugify: front matter is trimmed and blanks dropped.
                prop_assume!(!text.is_empty());
                let slug = slugify(&text);
                prop_assert!(!slug.is_empty(), "{:?} has an empty slug", text);
                prop_assert_eq!(check_slug(&slug), Ok(()), "slugify({:?}) = {:?}", text, slug);
                prop_assert_eq!(escapes(&slug), None, "slugify({:?}) = {:?}", text, slug);
            }
        }
    }
}
