//! Witnesses: concrete calls that show a change moves access, checked with the engine.
//!
//! Like the counterexamples of Cedar's `analyze compare`, a witness is built from the change
//! itself (the host a `host_in` list gained, a value past a relaxed bound, a batch as long
//! as a removed `len_gt` refused, a burst one past the old `max`), with the tool's other
//! conditions satisfied, and is kept only when running the engine on both policies, each
//! from a fresh state, gives its last call a different decision. A witness that loosens
//! turns "may loosen" into "loosened", and likewise for tightening.

use serde_json::{json, Map, Value as Json};

use crate::catalog::Catalog;
use crate::engine::{Call, Decision, Engine, Reason};
use crate::json;
use crate::policy::{
    Access, Cmp, Condition, HostPattern, Limit, Path, Policy, Root, Segment, Test,
};

use super::{Certainty, Report};

/// A call whose decision differs between the two policies.
#[derive(Debug, Clone, PartialEq)]
pub struct Witness {
    pub tool: String,
    pub grant: String,
    pub args: Json,
    /// Seconds since the UNIX epoch at which the deciding call is made.
    pub time: f64,
    /// Identical calls made first (same tool and arguments), oldest first.
    pub before: Vec<Burst>,
    pub old: Verdict,
    pub new: Verdict,
}

/// `calls` identical calls by `grant` at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    pub grant: String,
    pub time: f64,
    pub calls: u64,
}

/// A decision and, for a denial, its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    pub reason: Option<Reason>,
}

/// What a change is about, so that its witness can be built from it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject<'p> {
    /// Nothing a call can show (visibility alone, a message, a counter shared with another tool).
    Nothing,
    /// The tool's access level: one call that passes the more open side's conditions.
    Access,
    /// `default` posture: a call to a tool neither policy lists.
    Default,
    /// A condition added, removed or changed on this path.
    Condition {
        path: &'p Path,
        old: Option<&'p Test>,
        new: Option<&'p Test>,
    },
    /// A limit added, removed or changed.
    Limit {
        old: Option<&'p Limit>,
        new: Option<&'p Limit>,
    },
}

/// Searches a witness for every change that may move access and upgrades "may" to "does"
/// where one is found.
pub(super) fn attach(
    report: &mut Report,
    subjects: &[Subject],
    old: &Policy,
    new: &Policy,
    catalog: &Catalog,
) {
    for (change, subject) in report.changes.iter_mut().zip(subjects) {
        let tool = match (&change.tool, subject) {
            (Some(t), _) => Some(t.clone()),
            (None, Subject::Default) => unlisted_tool(old, new, catalog),
            (None, _) => open_tool(old, new, catalog),
        };
        let Some(tool) = tool else { continue };
        let search = Search {
            old,
            new,
            tool: &tool,
        };
        if change.loosens != Certainty::No {
            change.loosening_witness = search.find(subject, true);
            if change.loosening_witness.is_some() {
                change.loosens = Certainty::Yes;
            }
        }
        if change.tightens != Certainty::No {
            change.tightening_witness = search.find(subject, false);
            if change.tightening_witness.is_some() {
                change.tightens = Certainty::Yes;
            }
        }
    }
}

/// A tool neither policy lists or hides, for a change of `default`.
fn unlisted_tool(old: &Policy, new: &Policy, catalog: &Catalog) -> Option<String> {
    let free = |name: &str| {
        [old, new]
            .iter()
            .all(|p| p.tool(name).is_none() && p.hidden_by(name).is_none())
    };
    catalog
        .tools()
        .iter()
        .map(|t| t.name.as_str())
        .find(|n| free(n))
        .or_else(|| free("unlisted_tool").then_some("unlisted_tool"))
        .map(str::to_string)
}

/// A tool both policies let through, for a change of `all_tools` limits.
fn open_tool(old: &Policy, new: &Policy, catalog: &Catalog) -> Option<String> {
    let open = |p: &Policy, name: &str| {
        matches!(
            p.access(name),
            Access::Allowed(_) | Access::DefaultAllowed | Access::Approve(_)
        )
    };
    catalog
        .tools()
        .iter()
        .map(|t| t.name.as_str())
        .chain(old.tools.iter().map(|t| t.name.as_str()))
        .find(|n| open(old, n) && open(new, n))
        .map(str::to_string)
}

/// Calls at most this long are tried (a limit of a million a minute has no burst witness).
const MAX_CALLS: u64 = 20_000;

struct Search<'a> {
    old: &'a Policy,
    new: &'a Policy,
    tool: &'a str,
}

/// A run to try: the bursts before, then the deciding call.
struct Plan {
    grant: &'static str,
    time: f64,
    before: Vec<Burst>,
}

impl<'a> Search<'a> {
    /// A witness that NEW decides higher than OLD (`loosening`), or lower.
    fn find(&self, subject: &Subject, loosening: bool) -> Option<Witness> {
        let bases = self.bases();
        let mut args_list: Vec<Json> = Vec::new();
        let mut plans = vec![Plan {
            grant: "agent-1",
            time: 0.0,
            before: Vec::new(),
        }];
        match subject {
            Subject::Nothing => return None,
            Subject::Access | Subject::Default => args_list = bases,
            Subject::Condition { path, old, new } => {
                let values: Vec<Option<Json>> = old
                    .iter()
                    .chain(new.iter())
                    .flat_map(|t| candidates(t))
                    .collect();
                for base in &bases {
                    for v in &values {
                        let mut args = base.clone();
                        if path.root == Root::Args {
                            set_path(&mut args, &path.segments, v.clone());
                            args_list.push(args);
                        }
                    }
                }
                if path.root == Root::Grant {
                    return self.grant_witness(&bases, &values, loosening);
                }
            }
            Subject::Limit { old, new } => {
                let limits: Vec<&Limit> = old.iter().chain(new.iter()).copied().collect();
                for base in &bases {
                    args_list.push(base.clone());
                    for l in &limits {
                        if let Some(p) = &l.increment_from {
                            for &len in &lengths(&limits) {
                                let mut args = base.clone();
                                // Resized from what the other conditions put there, so the
                                // items still pass them.
                                let value = match get_path(&args, &p.value.segments) {
                                    Some(current) => resized(current, len as usize),
                                    None => sized(len),
                                };
                                set_path(&mut args, &p.value.segments, Some(value));
                                args_list.push(args);
                            }
                        }
                    }
                }
                // A single call first: the shortest witness, when one call shows it.
                plans.extend(schedules(&limits));
            }
        }
        for args in &args_list {
            let Ok(parsed) = json::parse_strict(&args.to_string()) else {
                continue;
            };
            for plan in &plans {
                let (old, new) = (
                    run(self.old, self.tool, &parsed.value, plan),
                    run(self.new, self.tool, &parsed.value, plan),
                );
                let higher = rank(new.decision) > rank(old.decision);
                let lower = rank(new.decision) < rank(old.decision);
                let denied = if higher { old } else { new };
                if ((loosening && higher) || (!loosening && lower)) && explains(subject, denied) {
                    return Some(Witness {
                        tool: self.tool.to_string(),
                        grant: plan.grant.to_string(),
                        args: args.clone(),
                        time: plan.time,
                        before: plan.before.clone(),
                        old,
                        new,
                    });
                }
            }
        }
        None
    }

    /// A condition on `grant`: the grant is the value that moves.
    fn grant_witness(
        &self,
        bases: &[Json],
        values: &[Option<Json>],
        loosening: bool,
    ) -> Option<Witness> {
        for base in bases {
            let Ok(parsed) = json::parse_strict(&base.to_string()) else {
                continue;
            };
            for grant in values.iter().flatten().filter_map(Json::as_str) {
                let call = |p: &Policy| {
                    let mut engine = Engine::new(p);
                    verdict(&mut engine, self.tool, grant, &parsed.value, 0.0)
                };
                let (old, new) = (call(self.old), call(self.new));
                let higher = rank(new.decision) > rank(old.decision);
                let lower = rank(new.decision) < rank(old.decision);
                if (loosening && higher) || (!loosening && lower) {
                    return Some(Witness {
                        tool: self.tool.to_string(),
                        grant: grant.to_string(),
                        args: base.clone(),
                        time: 0.0,
                        before: Vec::new(),
                        old,
                        new,
                    });
                }
            }
        }
        None
    }

    /// Arguments that pass the tool's other conditions: those of both policies together,
    /// then each policy's alone.
    fn bases(&self) -> Vec<Json> {
        let rule = |p: &'a Policy| match p.access(self.tool) {
            Access::Allowed(r) | Access::Approve(r) | Access::Denied(r) => Some(r),
            _ => None,
        };
        let (a, b) = (rule(self.old), rule(self.new));
        let both: Vec<&crate::policy::ToolRule> = a.iter().chain(b.iter()).copied().collect();
        let mut out = vec![satisfying(&both)];
        for r in [a, b].into_iter().flatten() {
            let one = satisfying(&[r]);
            if !out.contains(&one) {
                out.push(one);
            }
        }
        out
    }
}

/// Whether the lower of the two verdicts is one the change itself can give: a limit's
/// witness is denied by a limit, a condition's by a condition. Another change to the same
/// tool (a `require` added beside a raised `max`) then cannot pass for this one's witness.
fn explains(subject: &Subject, lower: Verdict) -> bool {
    let limit = matches!(
        lower.reason,
        Some(Reason::RateLimited | Reason::TypeMismatch)
    );
    let condition = matches!(
        lower.reason,
        Some(Reason::RequireFailed | Reason::DenyIfMatched | Reason::TypeMismatch)
    );
    match subject {
        Subject::Limit { .. } => limit || lower.decision != Decision::Deny,
        Subject::Condition { .. } => condition || lower.decision != Decision::Deny,
        _ => true,
    }
}

/// Deny < approve < allow.
fn rank(d: Decision) -> u8 {
    match d {
        Decision::Deny => 0,
        Decision::Approve => 1,
        Decision::Allow => 2,
    }
}

/// Runs a plan on a fresh engine and returns the deciding call's verdict.
fn run(policy: &Policy, tool: &str, args: &json::Value, plan: &Plan) -> Verdict {
    let mut engine = Engine::new(policy);
    for burst in &plan.before {
        for _ in 0..burst.calls {
            verdict(&mut engine, tool, &burst.grant, args, burst.time);
        }
    }
    verdict(&mut engine, tool, plan.grant, args, plan.time)
}

fn verdict(engine: &mut Engine, tool: &str, grant: &str, args: &json::Value, time: f64) -> Verdict {
    let outcome = engine.evaluate(&Call {
        tool,
        grant,
        args,
        time,
    });
    Verdict {
        decision: outcome.decision,
        reason: outcome.reason,
    }
}

/// Runs that tell limits apart: a burst one past either max, a window's worth then one
/// call a window later, a window's worth just before a fixed boundary then one just after,
/// and one grant's worth then a call by another grant.
fn schedules(limits: &[&Limit]) -> Vec<Plan> {
    let mut plans = Vec::new();
    let maxes: Vec<u64> = limits.iter().map(|l| l.max.value).collect();
    let windows: Vec<u64> = limits.iter().map(|l| l.window.value).collect();
    let burst = |grant: &str, time: f64, calls: u64| Burst {
        grant: grant.to_string(),
        time,
        calls,
    };
    // A short window's worth, window after window, until a longer window's max is spent:
    // 30 a minute, every minute, passes 1000 a day in the 34th minute.
    for (a, b) in limits
        .iter()
        .flat_map(|a| limits.iter().map(move |b| (a, b)))
    {
        let (ma, wa, mb, wb) = (a.max.value, a.window.value, b.max.value, b.window.value);
        if ma == 0 || wa >= wb {
            continue;
        }
        let k = mb / ma + 1;
        if k.saturating_mul(ma) < MAX_CALLS {
            plans.push(Plan {
                grant: "agent-1",
                time: (k * wa) as f64,
                before: (0..k)
                    .map(|i| burst("agent-1", (i * wa) as f64, ma))
                    .collect(),
            });
        }
    }
    for &m in &maxes {
        if m >= MAX_CALLS {
            continue;
        }
        plans.push(Plan {
            grant: "agent-1",
            time: 0.0,
            before: vec![burst("agent-1", 0.0, m)],
        });
        plans.push(Plan {
            grant: "agent-2",
            time: 0.0,
            before: vec![burst("agent-1", 0.0, m)],
        });
        for &w in &windows {
            let w = w as f64;
            plans.push(Plan {
                grant: "agent-1",
                time: w,
                before: vec![burst("agent-1", 0.0, m)],
            });
            plans.push(Plan {
                grant: "agent-1",
                time: w,
                before: vec![burst("agent-1", w - 1.0, m)],
            });
        }
    }
    plans
}

/// Batch lengths worth trying for `increment_from`: empty, one, and one past each max.
fn lengths(limits: &[&Limit]) -> Vec<u64> {
    let mut out = vec![0, 1];
    for l in limits {
        let n = l.max.value.saturating_add(1);
        if n < MAX_CALLS && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

fn sized(len: u64) -> Json {
    Json::Array(vec![Json::Null; len as usize])
}

/// Arguments meeting every `require` and no `deny_if` of these rules, as far as simple
/// values can: length tests first, so that `[*]` paths then fill the items.
fn satisfying(rules: &[&crate::policy::ToolRule]) -> Json {
    let mut args = Json::Object(Map::new());
    let conditions = || {
        rules.iter().flat_map(|r| {
            r.require
                .iter()
                .map(|c| (c, true))
                .chain(r.deny_if.iter().map(|c| (c, false)))
        })
    };
    let is_len = |c: &Condition| matches!(c.test, Test::Len(..));
    for (c, holds) in conditions().filter(|(c, _)| is_len(c)) {
        apply(&mut args, c, holds);
    }
    for (c, holds) in conditions().filter(|(c, _)| !is_len(c)) {
        apply(&mut args, c, holds);
    }
    args
}

/// Sets the condition's path to a value for which the test holds (or not).
fn apply(args: &mut Json, c: &Condition, holds: bool) {
    if c.path.value.root != Root::Args {
        return;
    }
    let engine_says = |v: &Option<Json>| {
        let mut probe = Json::Object(Map::new());
        set_path(&mut probe, &c.path.value.segments, v.clone());
        let Ok(parsed) = json::parse_strict(&probe.to_string()) else {
            return false;
        };
        let list = if holds {
            crate::policy::ConditionList::Require
        } else {
            crate::policy::ConditionList::DenyIf
        };
        let verdict = crate::engine::condition::evaluate(c, list, "", "", &parsed.value);
        matches!(
            (verdict, holds),
            (crate::engine::condition::Verdict::Holds, true)
                | (crate::engine::condition::Verdict::Fails, false)
        )
    };
    let current = get_path(args, &c.path.value.segments).cloned();
    if current.is_some() && engine_says(&current) {
        return; // what another condition set already does
    }
    if let Some(v) = candidates(&c.test).into_iter().find(|v| engine_says(v)) {
        if let Test::Len(..) = c.test {
            let current = get_path(args, &c.path.value.segments);
            if let (Some(current), Some(Json::Array(items))) = (current, &v) {
                set_path(
                    args,
                    &c.path.value.segments,
                    Some(resized(current, items.len())),
                );
                return;
            }
        }
        set_path(args, &c.path.value.segments, v);
    }
}

/// Values worth trying for a test: some it holds for, some it does not; `None` is "absent".
fn candidates(test: &Test) -> Vec<Option<Json>> {
    let fresh = || Some(json!("policylayer-witness"));
    let mut out: Vec<Option<Json>> = match test {
        Test::Eq(v) | Test::Neq(v) => vec![Some(v.to_serde()), fresh()],
        Test::In(items) | Test::NotIn(items) => items
            .iter()
            .take(16)
            .map(|v| Some(v.to_serde()))
            .chain([fresh()])
            .collect(),
        Test::Compare(cmp, x) => {
            let x = *x;
            let mut v = vec![x - 1.0, x, x + 1.0, x - 0.5, x + 0.5];
            if matches!(cmp, Cmp::Gt | Cmp::Gte) {
                v.reverse();
            }
            v.into_iter()
                .filter(|n| n.is_finite())
                .map(|n| Some(number(n)))
                .collect()
        }
        Test::Regex(re) => regex_probes(re.as_str())
            .into_iter()
            .map(|s| Some(Json::String(s)))
            .collect(),
        Test::Contains(v) => match v {
            crate::json::Value::String(s) => vec![
                Some(json!(s)),
                Some(json!(format!("x{s}x"))),
                Some(json!("")),
                fresh(),
            ],
            other => vec![Some(json!([other.to_serde()])), Some(json!([]))],
        },
        Test::StartsWith(p) => {
            let mut shorter = p.clone();
            shorter.pop();
            vec![
                Some(json!(p)),
                Some(json!(format!("{p}x"))),
                Some(json!(shorter)),
                Some(json!("")),
                fresh(),
            ]
        }
        Test::Exists(_) => vec![fresh(), None],
        Test::HostIn(patterns) => patterns
            .iter()
            .take(16)
            .flat_map(|p| match p {
                HostPattern::Exact(h) => vec![format!("https://{h}/")],
                HostPattern::Subdomain(s) => vec![
                    format!("https://policylayer-witness{s}/"),
                    format!("https://{}/", s.trim_start_matches('.')),
                ],
            })
            .chain(["https://policylayer-witness.invalid/".to_string()])
            .map(|u| Some(Json::String(u)))
            .collect(),
        Test::Len(_, n) => [n.saturating_sub(1), *n, n.saturating_add(1)]
            .into_iter()
            .filter(|&l| l < MAX_CALLS)
            .map(|l| Some(sized(l)))
            .collect(),
    };
    out.dedup();
    out
}

fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

/// Strings to try against a regex: a sample of each of its alternatives (see
/// [`crate::regex_sample`]) and a few common probes, some of which it will not match.
fn regex_probes(pattern: &str) -> Vec<String> {
    let mut out: Vec<String> = crate::regex_sample::sample_matches(pattern)
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.text)
        .collect();
    for probe in ["", "policylayer-witness", "https://example.com/"] {
        if !out.iter().any(|o| o == probe) {
            out.push(probe.to_string());
        }
    }
    out
}

/// The value at a path without `[*]` (the first item for `[*]`), if it resolves.
fn get_path<'v>(args: &'v Json, segments: &[Segment]) -> Option<&'v Json> {
    let mut v = args;
    for s in segments {
        v = match s {
            Segment::Key(k) => v.get(k)?,
            Segment::Index(i) => v.get(*i)?,
            Segment::Each => v.get(0)?,
        };
    }
    Some(v)
}

/// `current` at another length: arrays keep their first item's shape, strings are filled.
fn resized(current: &Json, len: usize) -> Json {
    match current {
        Json::Array(items) => {
            let fill = items.first().cloned().unwrap_or(Json::Null);
            Json::Array(vec![fill; len])
        }
        Json::String(_) => Json::String("x".repeat(len)),
        _ => sized(len as u64),
    }
}

/// Sets (or with `None` removes) the value at a path, making the objects and arrays on the
/// way; `[*]` sets every item (one, if the array is empty).
fn set_path(target: &mut Json, segments: &[Segment], value: Option<Json>) {
    let Some((first, rest)) = segments.split_first() else {
        if let Some(v) = value {
            *target = v;
        }
        return;
    };
    match first {
        Segment::Key(k) => {
            if !target.is_object() {
                *target = Json::Object(Map::new());
            }
            let Some(map) = target.as_object_mut() else {
                return;
            };
            if rest.is_empty() && value.is_none() {
                map.remove(k);
                return;
            }
            set_path(map.entry(k.clone()).or_insert(Json::Null), rest, value);
        }
        Segment::Index(i) => {
            if !target.is_array() {
                *target = Json::Array(Vec::new());
            }
            let Some(items) = target.as_array_mut() else {
                return;
            };
            let Some(i) = (*i < MAX_CALLS as usize).then_some(*i) else {
                return;
            };
            while items.len() <= i {
                items.push(Json::Null);
            }
            set_path(&mut items[i], rest, value);
        }
        Segment::Each => {
            if !target.is_array() {
                *target = Json::Array(Vec::new());
            }
            let Some(items) = target.as_array_mut() else {
                return;
            };
            if items.is_empty() {
                items.push(Json::Null);
            }
            for item in items.iter_mut() {
                set_path(item, rest, value.clone());
            }
        }
    }
}
