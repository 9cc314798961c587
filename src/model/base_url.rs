//! The site's base URL: where it is published, used for absolute links in feeds and sitemaps.

/// Check that `url` is an absolute http(s) URL with a host. Returns why it is refused.
pub fn check_base_url(url: &str) -> Result<(), String> {
    if url.trim().is_empty() {
        return Err("`base_url` is missing; feeds and the sitemap need absolute URLs".into());
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`base_url` is `{url}`, not an absolute http(s) URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('@') {
        return Err(format!("`base_url` `{url}` has no valid host"));
    }
    if url.contains(char::is_whitespace) {
        return Err(format!("`base_url` `{url}` contains spaces"));
    }
    Ok(())
}

/// The path of `url` (`https://kb.example/team/` → `/team/`), with a trailing slash.
pub fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    format!("/{}/", path.trim_matches('/')).replace("//", "/")
}

/// `url` with exactly one trailing slash, for joining paths onto it.
pub fn with_trailing_slash(url: &str) -> String {
    format!("{}/", url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert!(check_base_url("https://kb.example").is_ok());
        assert!(check_base_url("http://127.0.0.1:1111/kb/").is_ok());
        for bad in ["", "kb.example", "ftp://kb.example", "https://", "https:///x", "https://a b"] {
            assert!(check_base_url(bad).is_err(), "{bad:?}");
        }
        assert_eq!(with_trailing_slash("https://x/kb//"), "https://x/kb/");
        assert_eq!(path_of("https://kb.example"), "/");
        assert_eq!(path_of("https://kb.example/team"), "/team/");
        assert_eq!(path_of("http://127.0.0.1:1111/a/b/?x=1"), "/a/b/");
    }
}
