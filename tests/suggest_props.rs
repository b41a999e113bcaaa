//! `suggest-limits` judged by the engine: for random policies and traces (call records,
//! failed calls, JSON-RPC calls and error responses that roll them back), the policy with
//! the suggestions written in (`--write --update-existing`, headroom 1) denies no call of
//! the trace for a rate limit, and lowering any one written suggestion below its peak makes
//! the replay deny at least one.

mod rng;

use std::io::{self, Cursor};

use proptest::prelude::*;
use serde_json::{json, Value as Json};

use policylayer::catalog::Catalog;
use policylayer::engine::{Engine, Reason};
use policylayer::json::tape::Arg;
use policylayer::policy::Policy;
use policylayer::sim::trace::Malformed;
use policylayer::sim::{Decided, Options, Output, Simulator};
use policylayer::source::SourceFile;
use policylayer::suggest::{self, Plan, Replay, Suggestion};
use rng::Rng;

/// Write-like catalogue tools (one a batch) and a read tool.
const TOOLS: [&str; 4] = ["navigate", "act", "session_create_batch", "snapshot"];

fn limit(r: &mut Rng, counter: &str) -> Json {
    let mut l = json!({
        "counter": counter,
        "window": r.pick(&[10, 60]),
        "max": r.below(6),
        "algorithm": r.pick(&["fixed", "sliding"]),
        "scope": r.pick(&["grant", "global"]),
    });
    match r.below(10) {
        0..=2 => l["increment_from"] = json!("args.sessions"),
        // Fractional and large units.
        3 => l["increment_from"] = json!("args.w"),
        _ => {}
    }
    l
}

fn random_policy(r: &mut Rng) -> Json {
    let mut tools = serde_json::Map::new();
    for tool in TOOLS {
        if r.chance(25) {
            continue;
        }
        let mut rule = json!({});
        if r.chance(30) {
            rule["deny_if"] = json!([{ "path": "args.n", "op": "gt", "value": 2 }]);
        }
        if r.chance(40) {
            // A shared counter name now and then: one count checked by two limits.
            let name = if r.chance(30) {
                "shared".to_owned()
            } else {
                format!("{tool}_c")
            };
            let mut l = limit(r, &name);
            if name == "shared" {
                l["window"] = json!(60);
                l["algorithm"] = json!("fixed");
                l["scope"] = json!("grant");
                l.as_object_mut().map(|o| o.remove("increment_from"));
            }
            rule["limits"] = json!([l]);
        }
        tools.insert(tool.to_owned(), rule);
    }
    let mut policy = json!({
        "version": "1",
        "default": r.pick(&["allow", "deny"]),
        "tools": tools,
    });
    if r.chance(30) {
        policy["all_tools"] = json!({ "limits": [limit(r, "all")] });
    }
    policy
}

fn random_trace(r: &mut Rng) -> String {
    let mut t = 1_795_478_400.0;
    let mut lines = Vec::new();
    for _ in 0..10 + r.below(60) {
        t += [0.0, 0.5, 1.0, 5.0, 10.0, 30.0][r.below(6)];
        let w = [0.7, 1.5, 2.0, 70_000.0, 0.1][r.below(5)];
        let mut args = json!({ "n": r.below(4), "w": w });
        if r.chance(60) {
            args["sessions"] = json!(vec![json!({}); r.below(4)]);
        }
        match r.below(10) {
            // A JSON-RPC call (evaluated at the time of the line before it), and an error
            // response that gives a pending call's units back.
            0 | 1 => lines.push(
                json!({ "jsonrpc": "2.0", "id": r.below(3), "method": "tools/call",
                        "params": { "name": r.pick(&TOOLS), "arguments": args } })
                .to_string(),
            ),
            2 => lines.push(
                json!({ "jsonrpc": "2.0", "id": r.below(3), "error": { "code": -1, "message": "x" } })
                    .to_string(),
            ),
            // A success settles the call: a later error under its id gives nothing back.
            3 if r.chance(50) => lines.push(
                json!({ "jsonrpc": "2.0", "id": r.below(3), "result": {} }).to_string(),
            ),
            _ => lines.push(
                json!({ "ts": t, "grant": r.pick(&["g1", "g2"]), "tool": r.pick(&TOOLS),
                        "args": args, "outcome": if r.chance(10) { "error" } else { "ok" } })
                .to_string(),
            ),
        }
    }
    lines.join("\n") + "\n"
}

/// Counts the calls a replay denies for a rate limit.
#[derive(Default)]
struct RateLimited(usize);

impl Output for RateLimited {
    fn progress(&mut self, _: u64) {}
    fn decided(&mut self, _: &Engine, d: &Decided, _: Arg) -> io::Result<()> {
        if d.outcome.reason == Some(Reason::RateLimited) {
            self.0 += 1;
        }
        Ok(())
    }
    fn malformed(&mut self, _: &str, _: usize, m: &Malformed, _: &str) -> io::Result<()> {
        panic!("generated a malformed line: {}", m.message)
    }
    fn clock_went_back(&mut self, _: &str, _: usize, _: f64, _: f64) -> io::Result<()> {
        Ok(())
    }
}

fn rate_limited(policy: &Policy, trace: &str) -> usize {
    let mut out = RateLimited::default();
    Simulator::new(Engine::new(policy))
        .run("t.jsonl", Cursor::new(trace), &Options::default(), &mut out)
        .expect("replay");
    out.0
}

fn written(policy: &Policy, suggestions: &[Suggestion]) -> Policy {
    let plan = suggest::write::plan(policy, Catalog::leapfrog(), suggestions, true);
    let text = plan.apply(policy.source.text());
    Policy::parse(SourceFile::new("w.json", text.clone()))
        .unwrap_or_else(|e| panic!("written policy does not parse: {e:?}\n{text}"))
}

/// Whether `--write` puts this suggestion into the policy.
fn is_written(policy: &Policy, s: &Suggestion) -> bool {
    if s.pointer.is_some() {
        return true;
    }
    let Some(tool) = s.tool.as_deref() else {
        return false;
    };
    let write_like = Catalog::leapfrog()
        .tool(tool)
        .is_some_and(|t| t.is_write_like());
    let unlimited = policy.tool(tool).is_none_or(|r| r.limits.is_empty());
    s.counter.is_none()
        && s.algorithm.as_str() == "fixed"
        && s.scope.as_str() == "grant"
        && write_like
        && unlimited
}

/// The suggestions for `trace`, its calls decided on `threads` threads (above one, the
/// meters have a thread of their own).
fn measure(policy: &Policy, trace: &str, threads: usize) -> Vec<Suggestion> {
    let mut plan = Plan::new(policy, Catalog::leapfrog(), &[]).expect("plan");
    let mut replay = Replay::new(policy, &mut plan, 1 << 20);
    replay.threads = threads;
    replay.trace("t.jsonl", Cursor::new(trace)).expect("replay");
    replay.finish();
    suggest::suggestions(&plan.tracker, 1.0, &[])
}

fn check(seed: u64) -> Result<(), TestCaseError> {
    let mut r = Rng(seed);
    let text = random_policy(&mut r).to_string();
    let policy = Policy::parse(SourceFile::new("p.json", text.clone())).expect("valid policy");
    let trace = random_trace(&mut r);
    let suggestions = measure(&policy, &trace, 1);
    let threaded = suggestions_json(&measure(&policy, &trace, 2));
    prop_assert_eq!(
        suggestions_json(&suggestions),
        threaded,
        "two threads measure otherwise"
    );
    let sized = written(&policy, &suggestions);
    prop_assert_eq!(
        rate_limited(&sized, &trace),
        0,
        "the suggestions deny recorded traffic\npolicy {}\nwritten {}\ntrace\n{}",
        text,
        sized.source.text(),
        trace
    );
    let candidates: Vec<usize> = (0..suggestions.len())
        .filter(|&i| is_written(&policy, &suggestions[i]) && suggestions[i].peak >= 1.0)
        .collect();
    if !candidates.is_empty() {
        let i = r.pick(&candidates);
        let mut lowered = suggestions.clone();
        lowered[i].suggested_max = lowered[i].peak.ceil() as u64 - 1;
        let tight = written(&policy, &lowered);
        prop_assert!(
            rate_limited(&tight, &trace) > 0,
            "lowering {:?} below its peak denied nothing\nwritten {}\ntrace\n{}",
            lowered[i],
            tight.source.text(),
            trace
        );
    }
    Ok(())
}

fn suggestions_json(s: &[Suggestion]) -> String {
    serde_json::to_string(s).expect("suggestions serialize")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn suggestions_never_deny_the_recorded_traffic_and_are_tight(seed in any::<u64>()) {
        check(seed)?;
    }
}
