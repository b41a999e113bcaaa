//! PL107 `weak-url-regex`: a `regex` or `starts_with` on a URL that lets an attacker's host
//! through, with a URL the pattern accepts as proof (sampled from the regex).
//! The documentation below is what `policylayer explain` prints.

use regex::Regex;

use super::helpers::{quote, signal_path};
use crate::catalog::{Signal, Tool};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::json::Value;
use crate::lint::{Context, ToolEntry};
use crate::policy::{Condition, Op, Path, Segment, Test, ToolRule};
use crate::regex_sample::{sample_matches, Sample};

declare_rule! {
    /// ## What it does
    /// Finds a `require` condition with a `regex` or `starts_with` on a URL or host
    /// argument (a `url_input` path of the tool, or a path whose last key contains `url`,
    /// `host`, `href` or `link`) that lets an attacker's host through. Each finding names
    /// a URL that the pattern accepts and whose host is not the one it was written for:
    /// - an unanchored regex: `example\.com` matches `https://attacker.invalid/?u=https://example.com`;
    /// - a host that does not end: `^https://example\.com` matches
    ///   `https://example.com.attacker.invalid`;
    /// - an unescaped `.` in the host: `^https://www.example\.com/` matches
    ///   `https://www-example.com/`;
    /// - a `starts_with` whose value ends with the host: `https://example.com` matches
    ///   `https://example.com.attacker.invalid/`.
    ///
    /// The regex is probed, not guessed at: the rule builds a URL the pattern accepts and
    /// tries these variants on the compiled pattern. Patterns it cannot build a URL for are
    /// not reported. A `require` that also has a `host_in` on the same path is not checked
    /// (the host is pinned there), nor is `deny_if` (a pattern that matches too much there
    /// denies too much, which fails safe).
    ///
    /// ## Why is this bad?
    /// The condition looks like a host allowlist and is not one: anyone who registers a
    /// look-alike domain, or puts the allowed URL in a query string, gets through.
    ///
    /// ## Example
    /// ```json
    /// "require": [ { "path": "args.url", "op": "regex", "value": "^https://example\\.com" } ]
    /// ```
    ///
    /// ## Fix
    /// Prefer `host_in`, which parses the URL: `{"path": "args.url", "op": "host_in",
    /// "value": ["example.com"]}`. A regex must start with `^`, escape every `.` and end the
    /// host: `"^https://example\\.com(:[0-9]+)?([/?#]|$)"`. A `starts_with` prefix must
    /// end with `/` after the host (the unsafe fix adds it; `https://example.com` with no
    /// path then no longer passes).
    pub static RULE = {
        code: "PL107",
        name: "weak-url-regex",
        severity: Warning,
        check: Some(check),
    };
}

/// Hosts no one can register (RFC 2606), used to show what gets through.
const ATTACKER: &str = "attacker.invalid";

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for ToolEntry { rule, tool, .. } in cx.tools() {
        let Some(rule) = rule else { continue };
        for cond in &rule.require {
            if !is_url_path(tool, &cond.path.value) || host_pinned(rule, &cond.path.value) {
                continue;
            }
            let found = match (&cond.test, &cond.value.value) {
                (Test::Regex(re), Value::String(pattern)) => weak_regex(cx, cond, re, pattern),
                (Test::StartsWith(prefix), _) => weak_prefix(cx, cond, prefix),
                _ => None,
            };
            out.extend(found);
        }
    }
}

/// A `url_input` path of the tool, or a last key that names a URL or host.
fn is_url_path(tool: Option<&Tool>, path: &Path) -> bool {
    let text = path.to_string();
    let signal = tool.is_some_and(|t| {
        t.signals
            .iter()
            .any(|s| matches!(s, Signal::UrlInput(arg) if signal_path(arg) == text))
    });
    let named = path.segments.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(k.to_ascii_lowercase()),
        _ => None,
    });
    signal
        || named.is_some_and(|k| {
            ["url", "host", "href", "link"]
                .iter()
                .any(|w| k.contains(w))
        })
}

fn host_pinned(rule: &ToolRule, path: &Path) -> bool {
    rule.require
        .iter()
        .any(|c| c.op.value == Op::HostIn && c.path.value == *path)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unanchored,
    OtherHost,
    HostNotEnded,
    UnescapedDot,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Unanchored => "not anchored",
            Kind::OtherHost => "matches other hosts",
            Kind::HostNotEnded => "host not ended",
            Kind::UnescapedDot => "unescaped `.` in the host",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Kind::Unanchored => "URL regex is not anchored with `^`",
            Kind::OtherHost => "URL regex lets other hosts through",
            Kind::HostNotEnded => "URL regex does not end the host",
            Kind::UnescapedDot => "URL regex leaves a `.` of the host unescaped",
        }
    }
}

/// A weakness with the value that shows it.
struct Weakness {
    kind: Kind,
    example: String,
}

fn weak_regex(cx: &Context, cond: &Condition, re: &Regex, pattern: &str) -> Option<Diagnostic> {
    let mut found: Vec<Weakness> = Vec::new();
    let mut suggestion = None;
    for sample in sample_matches(pattern)? {
        let Some((weaknesses, example)) = probe(re, &sample) else {
            continue;
        };
        suggestion.get_or_insert(example);
        for w in weaknesses {
            if !found.iter().any(|f| f.kind == w.kind) {
                found.push(w);
            }
        }
    }
    let first = found.first()?;
    let labels: Vec<&str> = found.iter().map(|w| w.kind.label()).collect();
    let example = suggestion.map_or_else(String::new, |s| format!(", e.g. {}", quote(&s)));
    Some(
        RULE.finding(
            cx,
            cond.value.span,
            format!(
                "{}: it also matches `{}`",
                first.kind.message(),
                printable(&first.example)
            ),
        )
        .with_label(labels.join(", "))
        .with_help(format!(
            "use `host_in` to allow hosts; a URL regex needs `^`, escaped dots and an end to the host{example}"
        )),
    )
}

/// Probes one alternative's sample; `None` when it is not a URL or host the pattern matches.
/// Returns what got through and a safe pattern for the same host.
fn probe(re: &Regex, candidate: &Sample) -> Option<(Vec<Weakness>, String)> {
    let sample = &candidate.text;
    let url = url_sample(sample)
        .filter(|_| re.is_match(sample))
        .or_else(|| {
            let with_scheme = format!("https://{sample}");
            (!sample.contains("://") && re.is_match(&with_scheme))
                .then(|| url_sample(&with_scheme))
                .flatten()
        });
    let mut found = Vec::new();
    let mut hit = |kind: Kind, example: String, host: Option<String>, expect: &str| {
        if re.is_match(&example) && host.is_some_and(|h| h == expect) {
            found.push(Weakness { kind, example });
        }
    };
    let other = if candidate.anchored {
        Kind::OtherHost
    } else {
        Kind::Unanchored
    };
    if let Some(u) = url {
        for prefix in [
            "https://attacker.invalid/?u=",
            "https://attacker.invalid/\n",
        ] {
            let example = format!("{prefix}{}", u.text);
            let host = host_of(&example);
            hit(other, example, host, ATTACKER);
        }
        let (head, tail) = u.text.split_at(u.host_end);
        let longer = format!("{}.{ATTACKER}", u.host);
        hit(
            Kind::HostNotEnded,
            format!("{head}.{ATTACKER}{tail}"),
            host_of(&format!("{head}.{ATTACKER}{tail}")),
            &longer,
        );
        let userinfo = format!("{head}@{ATTACKER}{tail}");
        hit(
            Kind::HostNotEnded,
            userinfo.clone(),
            host_of(&userinfo),
            ATTACKER,
        );
        for (i, _) in u.host.match_indices('.') {
            let at = u.host_start + i;
            let example = format!("{}-{}", &u.text[..at], &u.text[at + 1..]);
            let expect = format!("{}-{}", &u.host[..i], &u.host[i + 1..]);
            let host = host_of(&example);
            hit(Kind::UnescapedDot, example, host, &expect);
        }
        found.dedup_by_key(|w| w.kind);
        let safe = format!(
            "^{}(:[0-9]+)?([/?#]|$)",
            regex::escape(&format!("{}{}", &u.text[..u.host_start], u.host))
        );
        return Some((found, safe));
    }
    if !is_host(sample) || !re.is_match(sample) {
        return None;
    }
    let host = sample.to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if let [.., second, last] = labels.as_slice() {
        let lookalike = format!("attacker-{second}.{last}");
        hit(
            other,
            lookalike.clone(),
            Some(lookalike.clone()),
            &lookalike,
        );
    }
    let longer = format!("{host}.{ATTACKER}");
    hit(
        Kind::HostNotEnded,
        longer.clone(),
        Some(longer.clone()),
        &longer,
    );
    for (i, _) in host.match_indices('.') {
        let example = format!("{}-{}", &host[..i], &host[i + 1..]);
        hit(
            Kind::UnescapedDot,
            example.clone(),
            Some(example.clone()),
            &example,
        );
    }
    found.dedup_by_key(|w| w.kind);
    Some((found, format!("^{}$", regex::escape(&host))))
}

fn weak_prefix(cx: &Context, cond: &Condition, prefix: &str) -> Option<Diagnostic> {
    if let Some(u) = url_sample(prefix) {
        let rest = &prefix[u.host_end..];
        let port_only = rest
            .strip_prefix(':')
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !rest.is_empty() && !port_only {
            return None;
        }
        let example = if rest.is_empty() {
            format!("{prefix}.{ATTACKER}/")
        } else {
            format!("{prefix}@{ATTACKER}/")
        };
        if host_of(&example).is_none_or(|h| h == u.host) {
            return None;
        }
        return Some(
            RULE.finding(
                cx,
                cond.value.span,
                format!("`starts_with` does not end the host: it also matches `{example}`"),
            )
            .with_label("host not ended")
            .with_help(format!(
                "use `host_in` to allow hosts, or end the prefix with `/`: {}",
                quote(&format!("{prefix}/"))
            ))
            .with_fix(Fix {
                description: format!(
                    "end the prefix with `/` (`{prefix}` itself then no longer passes)"
                ),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: cond.value.span,
                    replacement: quote(&format!("{prefix}/")),
                }],
            }),
        );
    }
    if !is_host(prefix) {
        return None;
    }
    let example = format!("{prefix}.{ATTACKER}");
    Some(
        RULE.finding(
            cx,
            cond.value.span,
            format!("`starts_with` on a host does not end it: it also matches `{example}`"),
        )
        .with_label("host not ended")
        .with_help(format!(
            "use `eq`, `in` or a regex anchored at both ends: {}",
            quote(&format!("^{}$", regex::escape(prefix)))
        )),
    )
}

/// A URL and where its host stands in the text.
struct UrlSample {
    text: String,
    host_start: usize,
    host_end: usize,
    /// Lowercase, as the URL parser reports it.
    host: String,
}

/// The host of an absolute URL written plainly (no userinfo, no IP literal), located in
/// the text so that probes can rewrite it.
fn url_sample(text: &str) -> Option<UrlSample> {
    let host_start = text.find("://")? + 3;
    let rest = &text[host_start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains(['@', '[', '\\']) {
        return None;
    }
    let host = &authority[..authority.find(':').unwrap_or(authority.len())];
    let parsed = host_of(text)?;
    (!host.is_empty() && parsed.eq_ignore_ascii_case(host)).then(|| UrlSample {
        text: text.to_owned(),
        host_start,
        host_end: host_start + host.len(),
        host: parsed,
    })
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(str::to_ascii_lowercase)
}

/// A dotted DNS name.
fn is_host(text: &str) -> bool {
    text.contains('.')
        && !text.starts_with('.')
        && !text.ends_with('.')
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Control characters shown as escapes, for messages.
fn printable(text: &str) -> String {
    text.chars().flat_map(char::escape_debug).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weaknesses(pattern: &str) -> Vec<Kind> {
        let re = Regex::new(pattern).unwrap();
        let mut kinds = Vec::new();
        for s in sample_matches(pattern).unwrap_or_default() {
            if let Some((found, _)) = probe(&re, &s) {
                kinds.extend(found.into_iter().map(|w| w.kind));
            }
        }
        kinds.dedup();
        kinds
    }

    #[test]
    fn samples_take_each_construct_once() {
        let s = |p: &str| {
            sample_matches(p)
                .map(|s| s.into_iter().map(|s| s.text).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert_eq!(
            s(r"^https?://(www\.)?example\.com(/|$)"),
            ["https://www.example.com/"]
        );
        assert_eq!(
            s(r"^https://[a-z]+\.example\.com[/:?#]"),
            ["https://a.example.com/"]
        );
        assert_eq!(s(r"(?i)^a\.com$|^b\.org/.*"), ["a.com", "b.org/a"]);
        assert_eq!(s(r"[^/]{2,5}\d"), ["aa0"]);
    }

    #[test]
    fn flags_weak_url_patterns() {
        assert_eq!(
            weaknesses(r"example\.com"),
            [Kind::Unanchored, Kind::HostNotEnded]
        );
        assert_eq!(weaknesses(r"^https://example\.com"), [Kind::HostNotEnded]);
        assert_eq!(
            weaknesses(r"^https://www.example\.com/"),
            [Kind::UnescapedDot]
        );
        assert_eq!(weaknesses(r"^https://.*\.example\.com/"), [Kind::OtherHost]);
        assert_eq!(weaknesses(r"^example\.com"), [Kind::HostNotEnded]);
    }

    proptest::proptest! {
        /// Any pattern the policy parser accepts is sampled and probed without panicking,
        /// and every reported example is matched by the pattern.
        #[test]
        fn probing_never_panics(pattern in r"[\\^$.|?*+(){}\[\]a-z0-9:/@#-]{0,40}") {
            if let Ok(re) = Regex::new(&pattern) {
                for s in sample_matches(&pattern).unwrap_or_default() {
                    if let Some((found, _)) = probe(&re, &s) {
                        for w in found {
                            proptest::prop_assert!(re.is_match(&w.example));
                        }
                    }
                }
            }
        }

        #[test]
        fn url_samples_never_panic(text in r"[a-z:/.@\[\]?#0-9-]{0,40}") {
            if let Some(u) = url_sample(&text) {
                proptest::prop_assert!(u.host_start <= u.host_end && u.host_end <= text.len());
            }
        }
    }

    #[test]
    fn accepts_sound_url_patterns() {
        for p in [
            r"^https://example\.com(/|:|$)",
            r"^https://example\.com[/:?#]",
            r"^https?://([a-z0-9-]+\.)*example\.com(:[0-9]+)?([/?#]|$)",
            r"^https://(www\.)?example\.com/",
            r"^example\.com$",
            r"\Ahttps://docs\.example\.org/.*\z",
        ] {
            assert_eq!(weaknesses(p), [], "{p}");
        }
    }
}
