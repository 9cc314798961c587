//! What a link in a postmortem body points at, decided from its destination text alone.

use crate::load::Bundle;
use crate::model::url_safety::is_script_url;

/// The kind of a link destination, and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// An external URL, a fragment, `mailto:`: written unchanged.
    Keep,
    /// A site-root path (`/runbooks/dns.html`), made relative so the site works under any base
    /// path and from `file://`. Holds the path without its leading `/`.
    SiteRoot(String),
    /// A `javascript:`, `vbscript:` or `data:` URL: dropped.
    Unsafe,
    /// Another postmortem's source file, root-relative, and the `#fragment` (or empty).
    Postmortem {
        /// Root-relative path of the `.md` file.
        path: String,
        /// `#fragment`, or empty.
        fragment: String,
    },
    /// A file of this postmortem's bundle: written unchanged (assets sit beside the page).
    Asset(String),
    /// A relative link to a file that will not be published.
    MissingAsset {
        /// The path the link resolves to, root-relative.
        resolved: String,
        /// What to do.
        help: String,
    },
    /// A relative link that climbs out of the knowledge base.
    OutsideRoot,
}

fn has_scheme(dest: &str) -> bool {
    let Some((scheme, _)) = dest.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Decode `%XX` escapes (as authors write `my%20file.md`); invalid escapes stay as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Join a relative `path` onto the folder `base` (both `/`-separated, root-relative) and
/// normalize `.` and `..`. `None` when it climbs above the root.
pub fn join_relative(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Classify the link `dest` found in the body of `file` (root-relative), a bundle's `index.md`
/// when `bundle` is set.
pub fn classify_link(dest: &str, file: &str, bundle: Option<&Bundle>) -> LinkTarget {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with('#') {
        return LinkTarget::Keep;
    }
    if is_script_url(dest) {
        return LinkTarget::Unsafe;
    }
    if has_scheme(dest) || dest.starts_with("//") {
        return LinkTarget::Keep;
    }
    if let Some(path) = dest.strip_prefix('/') {
        return LinkTarget::SiteRoot(path.to_string());
    }
    let (path_part, fragment) = match dest.find(['#', '?']) {
        Some(i) => (&dest[..i], &dest[i..]),
        None => (dest, ""),
    };
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let Some(resolved) = join_relative(dir, &percent_decode(path_part)) else {
        return LinkTarget::OutsideRoot;
    };
    if resolved.ends_with(".md") || resolved.ends_with(".markdown") {
        let fragment = fragment.find('#').map_or("", |i| &fragment[i..]).to_string();
        return LinkTarget::Postmortem { path: resolved, fragment };
    }
    if let Some(bundle) = bundle
        && let Some(asset) = resolved.strip_prefix(&format!("{}/", bundle.dir_rel))
    {
        if bundle.assets.iter().any(|a| a == asset) {
            return LinkTarget::Asset(dest.to_string());
        }
        return LinkTarget::MissingAsset {
            resolved,
            help: format!(
                "put the file in the bundle folder `{}/`, or fix the file name",
                bundle.dir_rel
            ),
        };
    }
    LinkTarget::MissingAsset {
        resolved,
        help: "only files next to a bundle's index.md, or in static/ (linked as `/name`), are published; \
               make this postmortem a bundle (a folder with index.md) and move the file beside it"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Bundle {
        Bundle {
            dir_rel: "postmortems/2024/db".into(),
            assets: vec!["lag.png".into(), "img/a b.png".into()],
        }
    }

    #[test]
    fn classifies_destinations() {
        let file = "postmortems/2024/x.md";
        let b = bundle();
        let idx = "postmortems/2024/db/index.md";
        for (dest, file, bundle, expected) in [
            ("https://example.com/a", file, None, LinkTarget::Keep),
            ("mailto:sre@example.com", file, None, LinkTarget::Keep),
            ("#timeline", file, None, LinkTarget::Keep),
            (" javascript:alert(1)", file, None, LinkTarget::Unsafe),
            ("JaVaScRiPt:alert(1)", file, None, LinkTarget::Unsafe),
            ("data:text/html,x", file, None, LinkTarget::Unsafe),
            ("/runbooks/dns.html", file, None, LinkTarget::SiteRoot("runbooks/dns.html".into())),
            (
                "../2023/config-push.md#timeline",
                file,
                None,
                LinkTarget::Postmortem {
                    path: "postmortems/2023/config-push.md".into(),
                    fragment: "#timeline".into(),
                },
            ),
            (
                "y.md",
                file,
                None,
                LinkTarget::Postmortem {
                    path: "postmortems/2024/y.md".into(),
                    fragment: String::new(),
                },
            ),
            ("../../../../etc/passwd", file, None, LinkTarget::OutsideRoot),
            ("lag.png", idx, Some(&b), LinkTarget::Asset("lag.png".into())),
            ("./img/a%20b.png", idx, Some(&b), LinkTarget::Asset("./img/a%20b.png".into())),
            (
                "../x.md",
                idx,
                Some(&b),
                LinkTarget::Postmortem {
                    path: "postmortems/2024/x.md".into(),
                    fragment: String::new(),
                },
            ),
        ] {
            assert_eq!(classify_link(dest, file, bundle), expected, "{dest}");
        }
        assert!(matches!(
            classify_link("nope.png", idx, Some(&b)),
            LinkTarget::MissingAsset { .. }
        ));
        assert!(matches!(classify_link("chart.png", file, None), LinkTarget::MissingAsset { .. }));
    }
}
