//! Condition evaluation (SPEC §1 "Conditions"): path resolution, `[*]` quantifiers and
//! type mismatches, in the spec's order of precedence.

use super::args::{ArgValue, Leaf};
use crate::json::Value;
use crate::policy::{Condition, ConditionList, Root, Segment, Test};

/// A condition's outcome. `Mismatch` fails closed whichever list the condition is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    Fails,
    Mismatch,
}

impl Verdict {
    fn from_bool(b: bool) -> Verdict {
        if b {
            Verdict::Holds
        } else {
            Verdict::Fails
        }
    }
}

/// Evaluates one condition against a call.
pub fn evaluate<'a, A: ArgValue<'a>>(
    cond: &Condition,
    list: ConditionList,
    tool: &'a str,
    grant: &'a str,
    args: A,
) -> Verdict {
    let path = &cond.path.value;
    match path.root {
        Root::Grant => apply_leaf(&cond.test, Some(Leaf::<A>::String(grant))),
        Root::Tool => apply_leaf(&cond.test, Some(Leaf::<A>::String(tool))),
        Root::Args => {
            let segments = &path.segments;
            let Some(each) = segments.iter().position(|s| *s == Segment::Each) else {
                return apply_to(&cond.test, walk(args, segments));
            };
            // `[*]` over a missing or non-array value does not resolve at all (rule 1).
            let Some(Leaf::Array(items)) = walk(args, &segments[..each]).map(ArgValue::leaf) else {
                return apply_to::<A>(&cond.test, None);
            };
            let mut q = Quantifier::default();
            for item in items.items() {
                if !expand(&cond.test, item, &segments[each + 1..], &mut q) {
                    return Verdict::Mismatch;
                }
            }
            q.verdict(list)
        }
    }
}

/// Follows plain segments; `None` when a key is missing, an index is out of range or a
/// step lands in a value that is not an object or array.
pub(crate) fn walk<'a, A: ArgValue<'a>>(mut value: A, segments: &[Segment]) -> Option<A> {
    for seg in segments {
        value = match seg {
            Segment::Key(k) => value.get(k)?,
            Segment::Index(i) => value.index(*i)?,
            Segment::Each => return None,
        };
    }
    Some(value)
}

/// What the leaves under `[*]` decided so far.
#[derive(Default)]
struct Quantifier {
    any_holds: bool,
    any_fails: bool,
}

impl Quantifier {
    /// `require` needs every element, `deny_if` any (an empty array: all hold, none does).
    fn verdict(&self, list: ConditionList) -> Verdict {
        Verdict::from_bool(match list {
            ConditionList::Require => !self.any_fails,
            ConditionList::DenyIf => self.any_holds,
        })
    }
}

/// Applies the test to every leaf under one `[*]` element (a leaf that does not resolve
/// counts as such); `false` on a type mismatch, which wins whatever the other leaves decide.
fn expand<'a, A: ArgValue<'a>>(
    test: &Test,
    value: A,
    segments: &[Segment],
    q: &mut Quantifier,
) -> bool {
    let verdict = match segments.iter().position(|s| *s == Segment::Each) {
        None => apply_to(test, walk(value, segments)),
        Some(each) => match walk(value, &segments[..each]).map(ArgValue::leaf) {
            Some(Leaf::Array(items)) => {
                return items
                    .items()
                    .all(|item| expand(test, item, &segments[each + 1..], q));
            }
            _ => apply_to::<A>(test, None),
        },
    };
    match verdict {
        Verdict::Holds => q.any_holds = true,
        Verdict::Fails => q.any_fails = true,
        Verdict::Mismatch => return false,
    }
    true
}

/// Applies a test to a resolved policy-side value (`Some`) or an unresolved path (`None`).
pub fn apply(test: &Test, value: Option<&Value>) -> Verdict {
    apply_to(test, value)
}

/// Applies a test to a resolved argument (`Some`) or an unresolved path (`None`).
fn apply_to<'a, A: ArgValue<'a>>(test: &Test, value: Option<A>) -> Verdict {
    apply_leaf(test, value.map(ArgValue::leaf))
}

fn apply_leaf<'a, A: ArgValue<'a>>(test: &Test, value: Option<Leaf<'a, A>>) -> Verdict {
    let Some(v) = value else {
        return Verdict::from_bool(matches!(test, Test::Exists(false)));
    };
    let holds = match test {
        Test::Eq(x) => leaf_eq(v, x),
        Test::Neq(x) => !leaf_eq(v, x),
        Test::In(items) => items.iter().any(|x| leaf_eq(v, x)),
        Test::NotIn(items) => !items.iter().any(|x| leaf_eq(v, x)),
        Test::Exists(expected) => *expected,
        Test::Compare(cmp, bound) => match v {
            Leaf::Number(n) => cmp.holds(n, *bound),
            _ => return Verdict::Mismatch,
        },
        Test::Regex(re) => match v {
            Leaf::String(s) => re.is_match(s),
            _ => return Verdict::Mismatch,
        },
        Test::StartsWith(prefix) => match v {
            Leaf::String(s) => s.starts_with(prefix.as_str()),
            _ => return Verdict::Mismatch,
        },
        Test::Contains(needle) => match (v, needle) {
            (Leaf::String(s), Value::String(n)) => s.contains(n.as_str()),
            (Leaf::Array(items), _) => items.items().any(|i| i.eq_value(needle)),
            _ => return Verdict::Mismatch,
        },
        Test::HostIn(patterns) => match v {
            Leaf::String(s) => match plain_http_host(s) {
                Some(host) => patterns.iter().any(|p| p.matches(host)),
                None => url::Url::parse(s)
                    .ok()
                    .and_then(|url| {
                        url.host_str()
                            .map(|h| patterns.iter().any(|p| p.matches(h)))
                    })
                    .unwrap_or(false),
            },
            _ => return Verdict::Mismatch,
        },
        Test::Len(cmp, n) => match leaf_length(v) {
            Some(len) => cmp.holds(len, *n),
            None => return Verdict::Mismatch,
        },
    };
    Verdict::from_bool(holds)
}

/// The host of the common URL shape `http(s)://host[/?#…]` whose host is lower-case
/// letters, digits, hyphens and dots, in labels that start with a letter: the URL Standard
/// parser passes such a host through unchanged (no IDNA mapping, not an IPv4 address, no
/// userinfo or port), so it is read here without the parser's cost. `None` for every other
/// text, which the parser decides.
fn plain_http_host(s: &str) -> Option<&str> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))?;
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let host = &rest[..end];
    let plain_label = |l: &[u8]| {
        l.first().is_some_and(u8::is_ascii_lowercase)
            && l.last() != Some(&b'-')
            && l.get(2..4) != Some(b"--")
            && l.iter()
                .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    host.as_bytes()
        .split(|&b| b == b'.')
        .all(plain_label)
        .then_some(host)
}

/// Deep equality of an argument with a policy value.
fn leaf_eq<'a, A: ArgValue<'a>>(v: Leaf<'a, A>, x: &Value) -> bool {
    match (v, x) {
        (Leaf::Null, Value::Null) => true,
        (Leaf::Bool(a), Value::Bool(b)) => a == *b,
        (Leaf::Number(a), Value::Number(b)) => a == b.as_f64(),
        (Leaf::String(a), Value::String(b)) => a == b,
        (Leaf::Array(a), Value::Array(_)) | (Leaf::Object(a), Value::Object(_)) => a.eq_value(x),
        _ => false,
    }
}

/// Length as `len_*` counts it: items, characters or members.
fn leaf_length<'a, A: ArgValue<'a>>(v: Leaf<'a, A>) -> Option<u64> {
    match v {
        Leaf::Array(a) | Leaf::Object(a) => Some(a.count() as u64),
        Leaf::String(s) => Some(s.chars().count() as u64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The URL Standard parser's host, the reference for `host_in`.
    fn parsed_host(s: &str) -> Option<String> {
        url::Url::parse(s).ok()?.host_str().map(str::to_string)
    }

    #[test]
    fn plain_hosts_are_read_as_the_url_parser_reads_them() {
        for url in [
            "https://example.com",
            "http://a.b-c.example.org/x?y#z",
            "https://docs.example.com?q",
            "https://x1.example.com#top",
        ] {
            assert_eq!(
                plain_http_host(url).map(str::to_string),
                parsed_host(url),
                "{url}"
            );
        }
        // Shapes the parser must decide.
        for url in [
            "https://example.com@evil.com/",
            "https://EXAMPLE.com/",
            "https://example.com:443/",
            "https://1.2.3.4/",
            "https://example.0x10/",
            "https://xn--bcher-kva.de/",
            "https://a..b/",
            "https://example.com./",
            "https://-a.com/",
            "https://a-.com/",
            "https:/example.com",
            "https://ex\tample.com",
            "https://example.com\\evil.com",
            "https://",
            "ftp://example.com",
        ] {
            assert_eq!(plain_http_host(url), None, "{url}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Wherever the shortcut answers, it answers as the parser does.
        #[test]
        fn the_shortcut_agrees_with_the_url_parser(
            scheme in prop::sample::select(vec!["http://", "https://", "HTTP://", "https:", "ws://"]),
            host in "[a-z0-9.\\-]{0,6}(x[n-]-)?[a-zA-Z0-9.@:%\\-]{0,12}",
            tail in "([/?#\\\\ \t][a-z/?#@:.]{0,6})?",
        ) {
            let url = format!("{scheme}{host}{tail}");
            if let Some(fast) = plain_http_host(&url) {
                prop_assert_eq!(Some(fast.to_string()), parsed_host(&url), "{}", url);
            }
        }
    }
}
