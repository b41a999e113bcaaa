//! Condition evaluation (SPEC §1 "Conditions"): path resolution, `[*]` quantifiers and
//! type mismatches, in the spec's order of precedence.

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
pub fn evaluate(
    cond: &Condition,
    list: ConditionList,
    tool: &str,
    grant: &str,
    args: &Value,
) -> Verdict {
    let path = &cond.path.value;
    match path.root {
        Root::Grant => apply(&cond.test, Some(&Value::String(grant.to_string()))),
        Root::Tool => apply(&cond.test, Some(&Value::String(tool.to_string()))),
        Root::Args => {
            let segments = &path.segments;
            let Some(each) = segments.iter().position(|s| *s == Segment::Each) else {
                return apply(&cond.test, walk(args, segments));
            };
            // `[*]` over a missing or non-array value does not resolve at all (rule 1).
            let Some(Value::Array(items)) = walk(args, &segments[..each]) else {
                return apply(&cond.test, None);
            };
            let mut leaves = Vec::new();
            for item in items {
                expand(&item.value, &segments[each + 1..], &mut leaves);
            }
            quantify(&cond.test, list, &leaves)
        }
    }
}

/// Follows plain segments; `None` when a key is missing, an index is out of range or a
/// step lands in a value that is not an object or array.
pub(crate) fn walk<'a>(mut value: &'a Value, segments: &[Segment]) -> Option<&'a Value> {
    for seg in segments {
        value = match (seg, value) {
            (Segment::Key(k), Value::Object(_)) => &value.get(k)?.value,
            (Segment::Index(i), Value::Array(items)) => &items.get(*i)?.value,
            _ => return None,
        };
    }
    Some(value)
}

/// Collects the leaves under one `[*]` element; a leaf that does not resolve is `None`.
fn expand<'a>(value: &'a Value, segments: &[Segment], out: &mut Vec<Option<&'a Value>>) {
    match segments.iter().position(|s| *s == Segment::Each) {
        None => out.push(walk(value, segments)),
        Some(each) => match walk(value, &segments[..each]) {
            Some(Value::Array(items)) => {
                for item in items {
                    expand(&item.value, &segments[each + 1..], out);
                }
            }
            _ => out.push(None),
        },
    }
}

/// `require` needs every element, `deny_if` any; a mismatch anywhere wins (rule 2 first).
fn quantify(test: &Test, list: ConditionList, leaves: &[Option<&Value>]) -> Verdict {
    let verdicts: Vec<Verdict> = leaves.iter().map(|l| apply(test, *l)).collect();
    if verdicts.contains(&Verdict::Mismatch) {
        return Verdict::Mismatch;
    }
    Verdict::from_bool(match list {
        ConditionList::Require => verdicts.iter().all(|v| *v == Verdict::Holds),
        ConditionList::DenyIf => verdicts.contains(&Verdict::Holds),
    })
}

/// Applies a test to a resolved value (`Some`) or an unresolved path (`None`).
pub fn apply(test: &Test, value: Option<&Value>) -> Verdict {
    let Some(v) = value else {
        return Verdict::from_bool(matches!(test, Test::Exists(false)));
    };
    let holds = match test {
        Test::Eq(x) => v.deep_eq(x),
        Test::Neq(x) => !v.deep_eq(x),
        Test::In(items) => items.iter().any(|x| v.deep_eq(x)),
        Test::NotIn(items) => !items.iter().any(|x| v.deep_eq(x)),
        Test::Exists(expected) => *expected,
        Test::Compare(cmp, bound) => match v {
            Value::Number(n) => cmp.holds(n.as_f64(), *bound),
            _ => return Verdict::Mismatch,
        },
        Test::Regex(re) => match v {
            Value::String(s) => re.is_match(s),
            _ => return Verdict::Mismatch,
        },
        Test::StartsWith(prefix) => match v {
            Value::String(s) => s.starts_with(prefix.as_str()),
            _ => return Verdict::Mismatch,
        },
        Test::Contains(needle) => match (v, needle) {
            (Value::String(s), Value::String(n)) => s.contains(n.as_str()),
            (Value::Array(items), _) => items.iter().any(|i| i.value.deep_eq(needle)),
            _ => return Verdict::Mismatch,
        },
        Test::HostIn(patterns) => match v {
            Value::String(s) => url_host(s).is_some_and(|h| patterns.iter().any(|p| p.matches(&h))),
            _ => return Verdict::Mismatch,
        },
        Test::Len(cmp, n) => match length(v) {
            Some(len) => cmp.holds(len, *n),
            None => return Verdict::Mismatch,
        },
    };
    Verdict::from_bool(holds)
}

/// The host of an absolute URL; `None` for anything unparsable or host-less.
fn url_host(s: &str) -> Option<String> {
    let url = url::Url::parse(s).ok()?;
    url.host_str().map(str::to_string)
}

/// Length as `len_*` and `increment_from` count it: items, characters or members.
pub fn length(v: &Value) -> Option<u64> {
    match v {
        Value::Array(a) => Some(a.len() as u64),
        Value::String(s) => Some(s.chars().count() as u64),
        Value::Object(m) => Some(m.len() as u64),
        _ => None,
    }
}
