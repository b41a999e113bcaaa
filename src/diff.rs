//! `diff`: what a policy change does to access, tool by tool. Each change is classed as
//! loosening (more calls get through, or more often), tightening, or neutral, so that CI can
//! fail a pull request that loosens access without a second look (`--fail-on loosen`).

use std::collections::BTreeSet;
use std::fmt;

use crate::catalog::Catalog;
use crate::json::Value;
use crate::policy::{Access, Condition, ConditionList, Limit, Policy, Posture, Test, ToolRule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Loosened,
    Tightened,
    /// A change whose effect on access cannot be ordered (a message, a different regex).
    Changed,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Loosened => "loosened",
            Direction::Tightened => "tightened",
            Direction::Changed => "changed",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One semantic change. `tool` is `None` for policy-wide changes (`default`, `all_tools`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub tool: Option<String>,
    pub direction: Direction,
    pub what: String,
}

/// How much a policy lets calls to a tool through, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    None,
    Approve,
    Allowed,
}

fn level(access: &Access) -> Level {
    match access {
        Access::Hidden(_) | Access::DefaultDenied | Access::Denied(_) => Level::None,
        Access::Approve(_) => Level::Approve,
        Access::Allowed(_) | Access::DefaultAllowed => Level::Allowed,
    }
}

fn describe(access: &Access) -> String {
    match access {
        Access::Hidden(_) => "hidden".into(),
        Access::DefaultDenied => "denied by default".into(),
        Access::DefaultAllowed => "allowed by default".into(),
        Access::Denied(_) => "denied (action deny)".into(),
        Access::Approve(_) => "allowed after approval".into(),
        Access::Allowed(_) => "allowed".into(),
    }
}

/// Compares two policies over every tool either names or the catalogue lists.
pub fn semantic(old: &Policy, new: &Policy, catalog: &Catalog) -> Vec<Change> {
    let mut changes = Vec::new();
    if old.default.value != new.default.value {
        let direction = if new.default.value == Posture::Allow {
            Direction::Loosened
        } else {
            Direction::Tightened
        };
        changes.push(Change {
            tool: None,
            direction,
            what: format!(
                "default posture {} → {} (every tool the policy does not list)",
                posture(old.default.value),
                posture(new.default.value)
            ),
        });
    }
    for (direction, what) in compare_limits(&old.all_tools, &new.all_tools, "all_tools") {
        changes.push(Change {
            tool: None,
            direction,
            what,
        });
    }
    let names: BTreeSet<&str> = catalog
        .tools()
        .iter()
        .map(|t| t.name.as_str())
        .chain(old.tools.iter().map(|t| t.name.as_str()))
        .chain(new.tools.iter().map(|t| t.name.as_str()))
        .chain(
            old.hide
                .iter()
                .chain(&new.hide)
                .map(|h| h.value.as_str())
                .filter(|h| *h != "*"),
        )
        .collect();
    for name in names {
        compare_tool(name, old, new, &mut changes);
    }
    changes
}

fn posture(p: Posture) -> &'static str {
    match p {
        Posture::Allow => "allow",
        Posture::Deny => "deny",
    }
}

fn compare_tool(name: &str, old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    let (a, b) = (old.access(name), new.access(name));
    let mut local = Vec::new();
    let (la, lb) = (level(&a), level(&b));
    if la != lb {
        let direction = if lb > la {
            Direction::Loosened
        } else {
            Direction::Tightened
        };
        local.push((direction, format!("{} → {}", describe(&a), describe(&b))));
    }
    // Constraints are compared only when both sides let calls through: a tool that gains
    // or loses access altogether brings or takes its whole rule.
    if la != Level::None && lb != Level::None {
        compare_rules(&a, &b, &mut local);
    }
    out.extend(local.into_iter().map(|(direction, what)| Change {
        tool: Some(name.to_string()),
        direction,
        what,
    }));
}

fn compare_rules(a: &Access, b: &Access, local: &mut Vec<(Direction, String)>) {
    let (ra, rb) = (rule_of(a), rule_of(b));
    let (req_a, deny_a, lim_a) = parts(ra);
    let (req_b, deny_b, lim_b) = parts(rb);
    compare_conditions(ConditionList::Require, req_a, req_b, local);
    compare_conditions(ConditionList::DenyIf, deny_a, deny_b, local);
    local.extend(compare_limits(lim_a, lim_b, "limits"));
    let msg = |r: Option<&ToolRule>| r.and_then(|r| r.message.as_ref().map(|m| m.value.clone()));
    if msg(ra) != msg(rb) {
        local.push((Direction::Changed, "message changed".into()));
    }
}

/// The tool's own rule, when it has one (an unlisted tool under `default: "allow"` has none).
fn rule_of<'p>(access: &Access<'p>) -> Option<&'p ToolRule> {
    match access {
        Access::Approve(r) | Access::Allowed(r) | Access::Denied(r) => Some(r),
        _ => None,
    }
}

fn parts(rule: Option<&ToolRule>) -> (&[Condition], &[Condition], &[Limit]) {
    match rule {
        Some(r) => (&r.require, &r.deny_if, &r.limits),
        None => (&[], &[], &[]),
    }
}

fn render_condition(c: &Condition) -> String {
    format!("{} {} {}", c.path.value, c.op.value, c.value.value)
}

fn same_condition(a: &Condition, b: &Condition) -> bool {
    a.path.value == b.path.value
        && a.op.value == b.op.value
        && a.value.value.deep_eq(&b.value.value)
}

/// Conditions added, removed, or with a changed value on the same path and op.
fn compare_conditions(
    list: ConditionList,
    old: &[Condition],
    new: &[Condition],
    out: &mut Vec<(Direction, String)>,
) {
    // More `require` conditions, or fewer `deny_if`, let fewer calls through.
    let (added, removed) = match list {
        ConditionList::Require => (Direction::Tightened, Direction::Loosened),
        ConditionList::DenyIf => (Direction::Loosened, Direction::Tightened),
    };
    let key = list.key();
    let mut matched_new = vec![false; new.len()];
    for o in old {
        if let Some(i) = new.iter().position(|n| same_condition(o, n)) {
            matched_new[i] = true;
            continue;
        }
        let counterpart = new.iter().enumerate().find(|(i, n)| {
            !matched_new[*i] && n.path.value == o.path.value && n.op.value == o.op.value
        });
        match counterpart {
            Some((i, n)) => {
                matched_new[i] = true;
                let widened = widens(&o.test, &n.test);
                let direction =
                    match (widened, list) {
                        (Some(true), ConditionList::Require)
                        | (Some(false), ConditionList::DenyIf) => Direction::Loosened,
                        (Some(false), ConditionList::Require)
                        | (Some(true), ConditionList::DenyIf) => Direction::Tightened,
                        (None, _) => Direction::Changed,
                    };
                out.push((
                    direction,
                    format!(
                        "{key} `{}` → `{}`",
                        render_condition(o),
                        render_condition(n)
                    ),
                ));
            }
            None => out.push((removed, format!("{key} `{}` removed", render_condition(o)))),
        }
    }
    for (n, _) in new.iter().zip(&matched_new).filter(|(_, m)| !**m) {
        out.push((added, format!("{key} `{}` added", render_condition(n))));
    }
}

/// Whether `new` holds for every value `old` holds for (`Some(true)`), the reverse
/// (`Some(false)`), or neither/unknown (`None`). Only set-valued and bound ops are ordered.
fn widens(old: &Test, new: &Test) -> Option<bool> {
    fn subset(a: &[Value], b: &[Value]) -> bool {
        a.iter().all(|x| b.iter().any(|y| x.deep_eq(y)))
    }
    match (old, new) {
        (Test::In(a), Test::In(b)) | (Test::NotIn(b), Test::NotIn(a)) => {
            match (subset(a, b), subset(b, a)) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            }
        }
        (Test::HostIn(a), Test::HostIn(b)) => {
            let (sa, sb): (BTreeSet<_>, BTreeSet<_>) = (
                a.iter().map(|p| format!("{p:?}")).collect(),
                b.iter().map(|p| format!("{p:?}")).collect(),
            );
            match (sa.is_subset(&sb), sb.is_subset(&sa)) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            }
        }
        (Test::Compare(ca, x), Test::Compare(cb, y)) if ca == cb && x != y => Some(match ca {
            crate::policy::Cmp::Lt | crate::policy::Cmp::Lte => y > x,
            crate::policy::Cmp::Gt | crate::policy::Cmp::Gte => y < x,
        }),
        (Test::Len(ca, x), Test::Len(cb, y)) if ca == cb && x != y => Some(match ca {
            crate::policy::Cmp::Lt | crate::policy::Cmp::Lte => y > x,
            crate::policy::Cmp::Gt | crate::policy::Cmp::Gte => y < x,
        }),
        _ => None,
    }
}

fn render_limit(l: &Limit) -> String {
    format!(
        "{}: {} per {}{}",
        l.counter.value,
        l.max.value,
        crate::policy::window_name(l.window.value),
        if l.scope == crate::policy::Scope::Global {
            " (global)"
        } else {
            ""
        }
    )
}

/// Limits matched by counter name: removed ones loosen, added ones tighten, and a changed
/// rate (max per second of window) or scope moves the way it moves.
fn compare_limits(old: &[Limit], new: &[Limit], key: &str) -> Vec<(Direction, String)> {
    let mut out = Vec::new();
    let mut push = |direction, what: String| out.push((direction, what));
    let mut matched = vec![false; new.len()];
    for o in old {
        let same = new.iter().enumerate().find(|(i, n)| {
            !matched[*i] && n.counter.value == o.counter.value && n.window.value == o.window.value
        });
        let same = same.or_else(|| {
            new.iter()
                .enumerate()
                .find(|(i, n)| !matched[*i] && n.counter.value == o.counter.value)
        });
        let Some((i, n)) = same else {
            push(
                Direction::Loosened,
                format!("{key} `{}` removed", render_limit(o)),
            );
            continue;
        };
        matched[i] = true;
        let rate = |l: &Limit| l.max.value as f64 / l.window.value as f64;
        if rate(o) != rate(n) {
            let direction = if rate(n) > rate(o) {
                Direction::Loosened
            } else {
                Direction::Tightened
            };
            push(
                direction,
                format!("{key} `{}` → `{}`", render_limit(o), render_limit(n)),
            );
        } else if o.window.value != n.window.value {
            push(
                Direction::Changed,
                format!("{key} `{}` → `{}`", render_limit(o), render_limit(n)),
            );
        }
        if o.scope != n.scope {
            // A global counter is shared by every caller: less for each.
            let direction = if n.scope == crate::policy::Scope::Grant {
                Direction::Loosened
            } else {
                Direction::Tightened
            };
            push(
                direction,
                format!(
                    "{key} `{}` scope {} → {}",
                    o.counter.value,
                    o.scope.as_str(),
                    n.scope.as_str()
                ),
            );
        }
        let inc = |l: &Limit| {
            (
                l.increment,
                l.increment_from.as_ref().map(|p| p.value.to_string()),
            )
        };
        if inc(o) != inc(n) || o.algorithm != n.algorithm {
            push(
                Direction::Changed,
                format!("{key} `{}` counting changed", o.counter.value),
            );
        }
    }
    for (n, _) in new.iter().zip(&matched).filter(|(_, m)| !**m) {
        push(
            Direction::Tightened,
            format!("{key} `{}` added", render_limit(n)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn policy(text: &str) -> Policy {
        match Policy::parse(SourceFile::new("p.json", text)) {
            Ok(p) => p,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn directions(old: &str, new: &str) -> Vec<(Option<String>, Direction)> {
        semantic(&policy(old), &policy(new), Catalog::leapfrog())
            .into_iter()
            .map(|c| (c.tool, c.direction))
            .collect()
    }

    const BASE: &str = r#"{"version":"1","default":"deny","tools":{"navigate":{"require":[{"path":"args.url","op":"host_in","value":["example.com"]}],"limits":[{"counter":"nav","window":"minute","max":30}]}}}"#;

    #[test]
    fn identical_policies_have_no_changes() {
        assert!(directions(BASE, BASE).is_empty());
    }

    #[test]
    fn widening_hosts_raising_limits_and_dropping_conditions_loosen() {
        let more_hosts = BASE.replace(r#"["example.com"]"#, r#"["example.com","*.example.org"]"#);
        assert_eq!(
            directions(BASE, &more_hosts),
            vec![(Some("navigate".into()), Direction::Loosened)]
        );
        let higher = BASE.replace("\"max\":30", "\"max\":60");
        assert_eq!(
            directions(BASE, &higher),
            vec![(Some("navigate".into()), Direction::Loosened)]
        );
        let lower = BASE.replace("\"max\":30", "\"max\":10");
        assert_eq!(
            directions(BASE, &lower),
            vec![(Some("navigate".into()), Direction::Tightened)]
        );
        let no_require = r#"{"version":"1","default":"deny","tools":{"navigate":{"limits":[{"counter":"nav","window":"minute","max":30}]}}}"#;
        assert_eq!(
            directions(BASE, no_require),
            vec![(Some("navigate".into()), Direction::Loosened)]
        );
    }

    #[test]
    fn access_level_changes() {
        let hidden = r#"{"version":"1","default":"deny","hide":["navigate"]}"#;
        assert_eq!(
            directions(BASE, hidden),
            vec![(Some("navigate".into()), Direction::Tightened)]
        );
        let approve = BASE.replace("\"navigate\":{", "\"navigate\":{\"action\":\"approve\",");
        assert_eq!(
            directions(BASE, &approve),
            vec![(Some("navigate".into()), Direction::Tightened)]
        );
        let open = BASE.replace("\"default\":\"deny\"", "\"default\":\"allow\"");
        let changes = directions(BASE, &open);
        assert_eq!(changes[0], (None, Direction::Loosened));
        assert!(changes.iter().all(|(_, d)| *d == Direction::Loosened));
        assert!(
            changes.len() > 30,
            "every unlisted catalogue tool gains access"
        );
    }
}
