//! The structural half of `diff`: compares the two models rule by rule and says, for each
//! change, whether it loosens or tightens access for certain, may do so, or does not.
//!
//! Conditions are compared as sets (order and repetition do not change a decision), paired
//! by path and op; a pair is compared by what each test admits ("gain": values the new test
//! holds for and the old does not; "loss": the reverse). Limits are paired by their place
//! in the list and their counter name. The rules are documented in `docs/diff.md`.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::json::Value;
use crate::policy::{
    window_name, Access, Algorithm, Cmp, Condition, ConditionList, HostPattern, Limit, Policy,
    Scope, Test, ToolRule,
};

use super::witness::Subject;
use super::{level, Certainty, Level};

/// One change found structurally, before witnesses are searched for.
#[derive(Debug, Clone)]
pub(super) struct Found<'p> {
    pub what: String,
    pub loosens: Certainty,
    pub tightens: Certainty,
    /// What a witness is built from.
    pub subject: Subject<'p>,
}

impl<'p> Found<'p> {
    pub fn new(what: String, loosens: bool, tightens: bool, subject: Subject<'p>) -> Found<'p> {
        Found {
            what,
            loosens: yes_if(loosens),
            tightens: yes_if(tightens),
            subject,
        }
    }
}

fn yes_if(b: bool) -> Certainty {
    if b {
        Certainty::Yes
    } else {
        Certainty::No
    }
}

/// The changes to one tool: visibility and access level, then, where both policies let its
/// calls through, its conditions, limits and message.
pub(super) fn tool<'p>(
    name: &str,
    old: &'p Policy,
    new: &'p Policy,
    shared: &SharedCounters,
) -> Vec<Found<'p>> {
    let (a, b) = (old.access(name), new.access(name));
    let mut out = Vec::new();
    let (hidden_a, hidden_b) = (
        matches!(a, Access::Hidden(_)),
        matches!(b, Access::Hidden(_)),
    );
    let (la, lb) = (level(&a), level(&b));
    if hidden_a != hidden_b || la != lb {
        let what = format!("{} → {}", describe(&a), describe(&b));
        out.push(Found::new(
            what,
            (hidden_a && !hidden_b) || lb > la,
            (!hidden_a && hidden_b) || lb < la,
            Subject::Access,
        ));
    }
    // A tool that gains or loses access altogether brings or takes its whole rule.
    if la == Level::Deny || lb == Level::Deny {
        return out;
    }
    let (ra, rb) = (rule_of(&a), rule_of(&b));
    let (req_a, deny_a, lim_a) = parts(ra);
    let (req_b, deny_b, lim_b) = parts(rb);
    out.extend(conditions(ConditionList::Require, req_a, req_b));
    out.extend(conditions(ConditionList::DenyIf, deny_a, deny_b));
    out.extend(limits(lim_a, lim_b, "limits", shared));
    out.extend(shared_counters(name, old, new, shared));
    let msg = |r: Option<&ToolRule>| r.and_then(|r| r.message.as_ref().map(|m| m.value.clone()));
    if msg(ra) != msg(rb) {
        out.push(Found::new(
            "message changed (the text the agent gets on deny)".into(),
            false,
            false,
            Subject::Nothing,
        ));
    }
    out
}

fn describe(access: &Access) -> &'static str {
    match access {
        Access::Hidden(_) => "hidden",
        Access::DefaultDenied => "denied by default",
        Access::DefaultAllowed => "allowed by default",
        Access::Denied(_) => "denied (action deny)",
        Access::Approve(_) => "allowed after approval",
        Access::Allowed(_) => "allowed",
    }
}

/// The tool's own rule, when it has one (an unlisted tool under `default: "allow"` has none).
pub(super) fn rule_of<'p>(access: &Access<'p>) -> Option<&'p ToolRule> {
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

pub(super) fn render_condition(c: &Condition) -> String {
    format!("{} {} {}", c.path.value, c.op.value, c.value.value)
}

fn same_condition(a: &Condition, b: &Condition) -> bool {
    a.path.value == b.path.value
        && a.op.value == b.op.value
        && a.value.value.deep_eq(&b.value.value)
}

/// The conditions of a list with repeats dropped: `require: [c, c]` means `[c]`.
fn distinct(list: &[Condition]) -> Vec<&Condition> {
    let mut out: Vec<&Condition> = Vec::new();
    for c in list {
        if !out.iter().any(|o| same_condition(o, c)) {
            out.push(c);
        }
    }
    out
}

/// Conditions added, removed, or changed on the same path and kind of test.
fn conditions<'p>(
    list: ConditionList,
    old: &'p [Condition],
    new: &'p [Condition],
) -> Vec<Found<'p>> {
    let key = list.as_str();
    let old = distinct(old);
    let new = distinct(new);
    let mut out = Vec::new();
    let mut used = vec![false; new.len()];
    let mut unmatched_old = Vec::new();
    for o in &old {
        match new.iter().position(|n| same_condition(o, n)) {
            Some(i) => used[i] = true,
            None => unmatched_old.push(*o),
        }
    }
    for o in unmatched_old {
        let partner = new.iter().enumerate().position(|(i, n)| {
            !used[i] && n.path.value == o.path.value && family(&n.test) == family(&o.test)
        });
        let Some(i) = partner else {
            // Fewer `require` or fewer `deny_if` conditions: fewer reasons to deny.
            out.push(Found::new(
                format!("{key} `{}` removed", render_condition(o)),
                true,
                false,
                Subject::Condition {
                    path: &o.path.value,
                    old: Some(&o.test),
                    new: None,
                },
            ));
            continue;
        };
        used[i] = true;
        let n = new[i];
        let (gain, loss) = admits(&o.test, &n.test);
        if gain == Certainty::No && loss == Certainty::No {
            continue; // the same test written another way (`in` reordered)
        }
        // A wider `require` lets more through; a wider `deny_if` stops more.
        let (loosens, tightens) = match list {
            ConditionList::Require => (gain, loss),
            ConditionList::DenyIf => (loss, gain),
        };
        out.push(Found {
            what: format!(
                "{key} `{}` → `{}`",
                render_condition(o),
                render_condition(n)
            ),
            loosens,
            tightens,
            subject: Subject::Condition {
                path: &n.path.value,
                old: Some(&o.test),
                new: Some(&n.test),
            },
        });
    }
    for (n, _) in new.iter().zip(&used).filter(|(_, u)| !**u) {
        out.push(Found::new(
            format!("{key} `{}` added", render_condition(n)),
            false,
            true,
            Subject::Condition {
                path: &n.path.value,
                old: None,
                new: Some(&n.test),
            },
        ));
    }
    out
}

/// Tests that can be compared value by value; others are paired only with their own kind.
#[derive(Debug, PartialEq, Eq)]
enum Family {
    Upper,
    Lower,
    LenUpper,
    LenLower,
    Other(std::mem::Discriminant<Test>),
}

fn family(t: &Test) -> Family {
    match t {
        Test::Compare(Cmp::Lt | Cmp::Lte, _) => Family::Upper,
        Test::Compare(Cmp::Gt | Cmp::Gte, _) => Family::Lower,
        Test::Len(Cmp::Lt | Cmp::Lte, _) => Family::LenUpper,
        Test::Len(Cmp::Gt | Cmp::Gte, _) => Family::LenLower,
        other => Family::Other(std::mem::discriminant(other)),
    }
}

/// (gain, loss): whether `new` holds for some value `old` does not, and the reverse.
/// Tests of one family fail closed on the same value types, so only what they hold for
/// differs.
pub(super) fn admits(old: &Test, new: &Test) -> (Certainty, Certainty) {
    fn minus(a: &[Value], b: &[Value]) -> bool {
        a.iter().any(|x| !b.iter().any(|y| x.deep_eq(y)))
    }
    match (old, new) {
        (Test::In(a), Test::In(b)) => (yes_if(minus(b, a)), yes_if(minus(a, b))),
        (Test::NotIn(a), Test::NotIn(b)) => (yes_if(minus(a, b)), yes_if(minus(b, a))),
        (Test::HostIn(a), Test::HostIn(b)) => (
            yes_if(b.iter().any(|p| !covered(p, a))),
            yes_if(a.iter().any(|p| !covered(p, b))),
        ),
        (Test::Compare(c1, x), Test::Compare(c2, y)) => {
            let (a, b) = (Bound::real(*c1, *x), Bound::real(*c2, *y));
            (yes_if(b.exceeds(&a)), yes_if(a.exceeds(&b)))
        }
        (Test::Len(c1, x), Test::Len(c2, y)) => {
            let (a, b) = (Bound::len(*c1, *x), Bound::len(*c2, *y));
            (yes_if(b.exceeds(&a)), yes_if(a.exceeds(&b)))
        }
        (Test::StartsWith(p), Test::StartsWith(q)) => {
            // Every string that starts with "abc" starts with "ab".
            (
                yes_if(!q.starts_with(p.as_str())),
                yes_if(!p.starts_with(q.as_str())),
            )
        }
        (Test::Eq(a), Test::Eq(b)) | (Test::Neq(a), Test::Neq(b)) if a.deep_eq(b) => {
            (Certainty::No, Certainty::No)
        }
        (Test::Regex(a), Test::Regex(b)) if a.as_str() == b.as_str() => {
            (Certainty::No, Certainty::No)
        }
        // A regex, a `contains` value, an `eq` moved: a witness may prove it either way.
        _ => (Certainty::Maybe, Certainty::Maybe),
    }
}

/// Whether every host `p` matches is matched by some pattern of `set`.
fn covered(p: &HostPattern, set: &[HostPattern]) -> bool {
    set.iter().any(|q| match (p, q) {
        (HostPattern::Exact(h), q) => q.matches(h),
        (HostPattern::Subdomain(s), HostPattern::Subdomain(t)) => {
            s.len() >= t.len()
                && s.get(s.len() - t.len()..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(t))
        }
        (HostPattern::Subdomain(_), HostPattern::Exact(_)) => false,
    })
}

/// One side of a one-sided numeric test: `v < x`, `v ≤ x`, `v > x` or `v ≥ x`.
#[derive(Debug, Clone, Copy)]
struct Bound {
    upper: bool,
    limit: f64,
    inclusive: bool,
}

impl Bound {
    fn real(cmp: Cmp, x: f64) -> Bound {
        Bound {
            upper: matches!(cmp, Cmp::Lt | Cmp::Lte),
            limit: x,
            inclusive: matches!(cmp, Cmp::Lte | Cmp::Gte),
        }
    }

    /// Lengths are whole numbers: `len < 5` is `len ≤ 4`, `len > 5` is `len ≥ 6`.
    fn len(cmp: Cmp, x: u64) -> Bound {
        let x = x as f64;
        match cmp {
            Cmp::Lt => Bound {
                upper: true,
                limit: x - 1.0,
                inclusive: true,
            },
            Cmp::Lte => Bound {
                upper: true,
                limit: x,
                inclusive: true,
            },
            Cmp::Gt => Bound {
                upper: false,
                limit: x + 1.0,
                inclusive: true,
            },
            Cmp::Gte => Bound {
                upper: false,
                limit: x,
                inclusive: true,
            },
        }
    }

    /// Whether this bound holds for some value `other` does not hold for.
    fn exceeds(&self, other: &Bound) -> bool {
        if self.upper != other.upper {
            return true; // one-sided tests facing opposite ways always differ somewhere
        }
        let beyond = if self.upper {
            self.limit > other.limit
        } else {
            self.limit < other.limit
        };
        beyond || (self.limit == other.limit && self.inclusive && !other.inclusive)
    }
}

/// Limits paired by their place in the list and their counter name; unpaired ones are
/// added or removed.
pub(super) fn limits<'p>(
    old: &'p [Limit],
    new: &'p [Limit],
    key: &str,
    shared: &SharedCounters,
) -> Vec<Found<'p>> {
    limit_changes(old, new, key, shared)
        .into_iter()
        .map(|(found, _)| found)
        .collect()
}

/// What happened to one limit, for the tools that share its counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LimitChange {
    Removed,
    Added,
    /// Only `max` and the window moved.
    Resized,
    Recounted,
}

fn limit_changes<'p>(
    old: &'p [Limit],
    new: &'p [Limit],
    key: &str,
    shared: &SharedCounters,
) -> Vec<(Found<'p>, LimitChange)> {
    let mut out = Vec::new();
    let mut used = vec![false; new.len()];
    let mut pairs = Vec::new();
    let mut unpaired = Vec::new();
    for (i, o) in old.iter().enumerate() {
        if new
            .get(i)
            .is_some_and(|n| n.counter.value == o.counter.value)
        {
            used[i] = true;
            pairs.push((o, &new[i]));
        } else {
            unpaired.push(o);
        }
    }
    for o in unpaired {
        match (0..new.len()).find(|&i| !used[i] && new[i].counter.value == o.counter.value) {
            Some(i) => {
                used[i] = true;
                pairs.push((o, &new[i]));
            }
            None => out.push((
                Found::new(
                    format!("{key} `{}` removed", render_limit(o)),
                    true,
                    false,
                    Subject::Limit {
                        old: Some(o),
                        new: None,
                    },
                ),
                LimitChange::Removed,
            )),
        }
    }
    for (o, n) in pairs {
        if let Some(mut found) = limit_pair(o, n, key) {
            // A limit that joins or leaves a count other limits share changes what they
            // see too: either way, unless proven.
            if o.counter_identity() != n.counter_identity()
                && shared.many.contains(o.counter.value.as_str())
            {
                found.loosens = found.loosens.max(Certainty::Maybe);
                found.tightens = found.tightens.max(Certainty::Maybe);
            }
            let resized = o.scope == n.scope
                && o.algorithm == n.algorithm
                && o.increment == n.increment
                && o.increment_from.as_ref().map(|p| &p.value)
                    == n.increment_from.as_ref().map(|p| &p.value);
            let kind = if resized {
                LimitChange::Resized
            } else {
                LimitChange::Recounted
            };
            out.push((found, kind));
        }
    }
    for (n, _) in new.iter().zip(&used).filter(|(_, u)| !**u) {
        out.push((
            Found::new(
                format!("{key} `{}` added", render_limit(n)),
                false,
                true,
                Subject::Limit {
                    old: None,
                    new: Some(n),
                },
            ),
            LimitChange::Added,
        ));
    }
    out
}

pub(super) fn render_limit(l: &Limit) -> String {
    let mut s = format!(
        "{}: {} per {}",
        l.counter.value,
        l.max.value,
        window_name(l.window.value)
    );
    if l.scope == Scope::Global {
        s.push_str(", global");
    }
    if l.algorithm == Algorithm::Sliding {
        s.push_str(", sliding");
    }
    if l.increment != 1 {
        s.push_str(&format!(", increment {}", l.increment));
    }
    if let Some(from) = &l.increment_from {
        s.push_str(&format!(", increment_from {}", from.value));
    }
    s
}

/// How one limit changed: a bigger burst (max) or a higher rate (max per second) loosens,
/// as do a per-grant scope, a fixed window (a burst of up to 2×max across a boundary) and a
/// smaller increment; counting from another argument moves both ways.
fn limit_pair<'p>(o: &'p Limit, n: &'p Limit, key: &str) -> Option<Found<'p>> {
    let (m1, w1, m2, w2) = (
        u128::from(o.max.value),
        u128::from(o.window.value),
        u128::from(n.max.value),
        u128::from(n.window.value),
    );
    let (rate_up, rate_down) = (m2 * w1 > m1 * w2, m2 * w1 < m1 * w2);
    let mut loosens = m2 > m1 || rate_up;
    let mut tightens = m2 < m1 || rate_down;
    match (o.scope, n.scope) {
        (Scope::Global, Scope::Grant) => loosens = true,
        (Scope::Grant, Scope::Global) => tightens = true,
        _ => {}
    }
    match (o.algorithm, n.algorithm) {
        (Algorithm::Sliding, Algorithm::Fixed) => loosens = true,
        (Algorithm::Fixed, Algorithm::Sliding) => tightens = true,
        _ => {}
    }
    if n.increment < o.increment {
        loosens = true;
    } else if n.increment > o.increment {
        tightens = true;
    }
    let mut found = Found::new(
        String::new(),
        loosens,
        tightens,
        Subject::Limit {
            old: Some(o),
            new: Some(n),
        },
    );
    let paths = (
        o.increment_from.as_ref().map(|p| &p.value),
        n.increment_from.as_ref().map(|p| &p.value),
    );
    match paths {
        // A batch of 15 then costs one unit instead of 15 (and an empty one 1 instead of 0).
        (Some(_), None) => {
            found.loosens = Certainty::Yes;
            found.tightens = found.tightens.max(Certainty::Maybe);
        }
        (None, Some(_)) => {
            found.tightens = Certainty::Yes;
            found.loosens = found.loosens.max(Certainty::Maybe);
        }
        (Some(a), Some(b)) if a != b => {
            found.loosens = found.loosens.max(Certainty::Maybe);
            found.tightens = found.tightens.max(Certainty::Maybe);
        }
        _ => {}
    }
    if render_limit(o) == render_limit(n) {
        return None;
    }
    found.what = format!("{key} `{}` → `{}`", render_limit(o), render_limit(n));
    Some(found)
}

/// A counter as the engine identifies it: name, window, algorithm and scope.
type CounterId<'p> = (&'p str, u64, Algorithm, Scope);

/// Which tools charge each counter, in either policy.
pub(super) struct SharedCounters<'p> {
    by_counter: HashMap<CounterId<'p>, BTreeSet<&'p str>>,
    /// Counter names more than one limit of either policy uses.
    many: HashSet<&'p str>,
}

impl<'p> SharedCounters<'p> {
    pub fn new(old: &'p Policy, new: &'p Policy) -> Self {
        let mut by_counter: HashMap<CounterId<'p>, BTreeSet<&'p str>> = HashMap::new();
        for t in old.tools.iter().chain(&new.tools) {
            for l in &t.limits {
                by_counter
                    .entry(l.counter_identity())
                    .or_default()
                    .insert(t.name.as_str());
            }
        }
        let mut many = HashSet::new();
        for p in [old, new] {
            let mut seen = HashSet::new();
            let all = p
                .all_tools
                .iter()
                .chain(p.tools.iter().flat_map(|t| &t.limits));
            for l in all {
                if !seen.insert(l.counter.value.as_str()) {
                    many.insert(l.counter.value.as_str());
                }
            }
        }
        SharedCounters { by_counter, many }
    }
}

/// A limit another tool changed on a counter this tool charges too: the other tool's calls
/// use the count this tool's calls are checked against.
fn shared_counters<'p>(
    name: &str,
    old: &Policy,
    new: &Policy,
    shared: &SharedCounters,
) -> Vec<Found<'p>> {
    let charged = |p: &Policy| -> HashSet<(String, u64, Algorithm, Scope)> {
        p.tool(name)
            .map(|t| {
                t.limits
                    .iter()
                    .map(|l| {
                        (
                            l.counter.value.clone(),
                            l.window.value,
                            l.algorithm,
                            l.scope,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mine: HashSet<_> = charged(old).intersection(&charged(new)).cloned().collect();
    let mut out = Vec::new();
    let others: BTreeSet<&str> = mine
        .iter()
        .filter_map(|(c, w, a, s)| shared.by_counter.get(&(c.as_str(), *w, *a, *s)))
        .flatten()
        .copied()
        .filter(|t| *t != name)
        .collect();
    for other in others {
        let on = |p: &Policy| -> Vec<Limit> {
            match p.access(other) {
                Access::Allowed(r) | Access::Approve(r) => r
                    .limits
                    .iter()
                    .filter(|l| {
                        let (c, w, a, s) = l.counter_identity();
                        mine.contains(&(c.to_string(), w, a, s))
                    })
                    .cloned()
                    .collect(),
                _ => Vec::new(),
            }
        };
        for (f, kind) in limit_changes(&on(old), &on(new), "limits", shared) {
            // Their limit removed stops their charges (more room here), one added starts
            // them; more room for their calls leaves less for this tool's, and the reverse.
            let (loosens, tightens) = match kind {
                LimitChange::Removed | LimitChange::Added => (f.loosens, f.tightens),
                LimitChange::Resized => (f.tightens, f.loosens),
                LimitChange::Recounted => (Certainty::Maybe, Certainty::Maybe),
            };
            out.push(Found {
                what: format!("{} (a counter shared with `{other}`)", f.what),
                loosens,
                tightens,
                subject: Subject::Nothing,
            });
        }
    }
    out
}
