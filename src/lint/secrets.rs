//! Credentials and personal data pasted from logs and dashboards. Secrets are errors (a
//! published credential must be rotated, not merely deleted); personal data are warnings.

use std::net::Ipv4Addr;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

/// What was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A credential.
    Secret(&'static str),
    /// An email address.
    Email,
    /// A public IPv4 address.
    IpAddress,
}

/// One finding of this module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// What it looks like.
    pub kind: Kind,
    /// Byte span in the text.
    pub span: Range<usize>,
}

/// The credential patterns: what each looks like, and its regular expression.
const SECRET_PATTERNS: &[(&str, &str)] = &[
    ("an AWS access key id", r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?-u:\b)"),
    (
        "an AWS secret access key",
        r"(?i:aws_?secret_?access_?key|secret_?access_?key)\W{1,4}[A-Za-z0-9/+=]{40}(?-u:\b)",
    ),
    (
        "a GitHub token",
        r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})(?-u:\b)",
    ),
    ("a Slack token", r"(?-u:\b)xox[abposr]-[A-Za-z0-9-]{10,}"),
    (
        "a Slack webhook URL",
        r"https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]{8,}",
    ),
    ("a Google API key", r"(?-u:\b)AIza[0-9A-Za-z_-]{35}(?-u:\b)"),
    ("a Stripe live key", r"(?-u:\b)(?:sk|rk)_live_[0-9A-Za-z]{20,}(?-u:\b)"),
    ("a private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ("a JSON Web Token", r"(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    (
        "a password in a URL",
        r"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:(?P<password>[^\s/@]+)@[^\s/@]+",
    ),
];

/// Compiled patterns, built once per process.
struct Patterns {
    secrets: Vec<(&'static str, Regex)>,
    email: Regex,
    ipv4: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        secrets: SECRET_PATTERNS
            .iter()
            .map(|(kind, re)| (*kind, Regex::new(re).expect("secret patterns are valid")))
            .collect(),
        email: Regex::new(
            r"(?-u:\b)[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?-u:\b)",
        )
        .expect("the email pattern is valid"),
        ipv4: Regex::new(r"(?-u:\b)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?-u:\b)")
            .expect("the IP pattern is valid"),
    })
}

/// Every credential, email address and public IP address in `text`, in order.
pub fn find_leaks(text: &str) -> Vec<Leak> {
    let p = patterns();
    let mut leaks = Vec::new();
    for (kind, regex) in &p.secrets {
        for caps in regex.captures_iter(text) {
            let whole = caps.get(0).expect("group 0 always matches");
            if is_placeholder(whole.as_str(), caps.name("password").map(|m| m.as_str())) {
                continue;
            }
            leaks.push(Leak { kind: Kind::Secret(kind), span: whole.range() });
        }
    }
    let secret_spans: Vec<Range<usize>> = leaks.iter().map(|l| l.span.clone()).collect();
    let inside_secret = |span: &Range<usize>| {
        secret_spans.iter().any(|s| s.start <= span.start && span.end <= s.end)
    };
    for m in p.email.find_iter(text) {
        let span = m.range();
        if !inside_secret(&span) && !is_reserved_email(m.as_str()) {
            leaks.push(Leak { kind: Kind::Email, span });
        }
    }
    for m in p.ipv4.find_iter(text) {
        let span = m.range();
        // Part of a longer dotted number (a version such as 1.2.3.4.5) or of a versioned
        // name ("v1.2.3.4", "kernel-2.6.26.6-49").
        let before = text[..span.start].chars().next_back();
        let after = &text[span.end..];
        if matches!(before, Some('.' | 'v' | 'V' | '-' | '_'))
            || after.starts_with(['-', '_'])
            || after.starts_with('.') && after[1..].starts_with(|c: char| c.is_ascii_digit())
            || inside_secret(&span)
        {
            continue;
        }
        if let Ok(ip) = m.as_str().parse::<Ipv4Addr>()
            && is_public(ip)
        {
            leaks.push(Leak { kind: Kind::IpAddress, span });
        }
    }
    leaks.sort_by_key(|l| (l.span.start, l.span.end));
    leaks
}

/// Documentation values that are not real credentials: the AWS docs' `...EXAMPLE` keys and
/// passwords written as placeholders (`user:****@`, `user:${PASSWORD}@`, `user:<password>@`).
fn is_placeholder(whole: &str, password: Option<&str>) -> bool {
    if whole.ends_with("EXAMPLE") {
        return true;
    }
    let Some(password) = password else { return false };
    let lower = password.to_ascii_lowercase();
    password.chars().all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '-' | '_'))
        || password.starts_with(['$', '<', '{', '%', '['])
        || ["password", "passwd", "pass", "secret", "redacted", "token", "changeme"]
            .contains(&lower.as_str())
}

/// Addresses at the domains reserved for documentation and testing (RFC 2606), and git's
/// SSH user, which identify nobody.
fn is_reserved_email(address: &str) -> bool {
    let lower = address.to_ascii_lowercase();
    let Some((local, domain)) = lower.rsplit_once('@') else { return true };
    local == "git"
        || ["example.com", "example.org", "example.net"].contains(&domain)
        || [".example", ".test", ".invalid", ".localhost", ".example.com", ".example.org"]
            .iter()
            .any(|suffix| domain.ends_with(suffix))
}

/// Whether an address can point at a person: not private, loopback, link-local, shared
/// (CGNAT), documentation, multicast or reserved, and not a well-known public DNS resolver.
fn is_public(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let well_known_resolver = [
        [8, 8, 8, 8],
        [8, 8, 4, 4],
        [1, 1, 1, 1],
        [1, 0, 0, 1],
        [9, 9, 9, 9],
        [208, 67, 222, 222],
        [208, 67, 220, 220],
    ]
    .contains(&ip.octets());
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || well_known_resolver)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        find_leaks(text).into_iter().map(|l| (l.kind, &text[l.span])).collect()
    }

    #[test]
    fn finds_credentials() {
        let text = "key AKIAABCDEFGHIJKLMNOP and ghp_abcdefghijklmnopqrstuvwxyz0123456789 \
                    xoxb-1234567890-abcdefghij -----BEGIN RSA PRIVATE KEY----- \
                    eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N \
                    postgres://app:hunter2@db.internal:5432/main";
        let found = kinds(text);
        let names: Vec<&str> = found
            .iter()
            .map(|(k, _)| match k {
                Kind::Secret(name) => *name,
                _ => "other",
            })
            .collect();
        assert_eq!(
            names,
            [
                "an AWS access key id",
                "a GitHub token",
                "a Slack token",
                "a private key",
                "a JSON Web Token",
                "a password in a URL"
            ]
        );
        assert_eq!(found[5].1, "postgres://app:hunter2@db.internal:5432");
    }

    #[test]
    fn skips_documentation_values_and_placeholders() {
        assert!(
            kinds(
                "AKIAIOSFODNN7EXAMPLE https://user:****@host/ https://u:${PASS}@h/ \
                 oncall@example.com git@github.com:org/repo 192.0.2.10 10.0.0.1 8.8.8.8 \
                 version 1.2.3.4.5 v1.2.3.4 kernel-2.6.26.6-49"
            )
            .is_empty()
        );
    }

    #[test]
    fn finds_personal_data() {
        assert_eq!(
            kinds("mail jane.doe@corp.io from 81.2.69.160."),
            [(Kind::Email, "jane.doe@corp.io"), (Kind::IpAddress, "81.2.69.160")]
        );
    }
}
