//! Properties of the engine over random call sequences (SPEC §1 "Limits" and evaluation
//! order): quota accounting against an independent model, rollback, denial, and robustness.

use std::collections::HashMap;

use proptest::prelude::*;

use policylayer::engine::{Call, Decision, Engine, Outcome};
use policylayer::json::tape::Tape;
use policylayer::json::{self, Value};
use policylayer::policy::Policy;
use policylayer::sim::trace::{parse_line, Event};
use policylayer::source::SourceFile;

fn policy(text: &str) -> Policy {
    match Policy::parse(SourceFile::new("policy.json", text)) {
        Ok(p) => p,
        Err(d) => panic!("invalid test policy: {d:?}\n{text}"),
    }
}

fn args(text: &str) -> Value {
    json::parse_strict(text)
        .unwrap_or_else(|e| panic!("bad args {text}: {e:?}"))
        .value
}

/// One random call: which tool, grant, `args.n`, seconds since the previous call, and
/// whether it fails upstream.
#[derive(Debug, Clone)]
struct Step {
    tool: usize,
    grant: usize,
    n: Option<u8>,
    gap: u32,
    failed: bool,
}

const TOOLS: [&str; 5] = ["a", "b", "c", "hidden", "unlisted"];
const GRANTS: [&str; 3] = ["g1", "g2", "g3"];

fn step(max_gap: u32) -> impl Strategy<Value = Step> {
    (
        0..TOOLS.len(),
        0..GRANTS.len(),
        prop::option::of(0u8..5),
        prop_oneof![3 => Just(0u32), 5 => 0..max_gap],
        prop::bool::weighted(0.2),
    )
        .prop_map(|(tool, grant, n, gap, failed)| Step {
            tool,
            grant,
            n,
            gap,
            failed,
        })
}

/// Windows and maxima of the test policy.
#[derive(Debug, Clone)]
struct Shape {
    wx: u32,
    mx: u32,
    wg: u32,
    mg: u32,
    wall: u32,
    mall: u32,
    sliding: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        1u32..120,
        0u32..8,
        1u32..120,
        0u32..10,
        1u32..120,
        0u32..12,
        any::<bool>(),
    )
        .prop_map(|(wx, mx, wg, mg, wall, mall, sliding)| Shape {
            wx,
            mx,
            wg,
            mg,
            wall,
            mall,
            sliding,
        })
}

/// `a` and `b` share counter `x` per grant; `b` also charges the global `g` twice per call;
/// every allowed call charges the per-grant `all`; `b` requires `args.n` to exist.
fn policy_text(s: &Shape) -> String {
    let algo = if s.sliding { "sliding" } else { "fixed" };
    format!(
        r#"{{"version":"1","default":"deny","hide":["hidden"],
  "all_tools":{{"limits":[{{"counter":"all","window":{wall},"max":{mall},"algorithm":"{algo}"}}]}},
  "tools":{{
    "a":{{"limits":[{{"counter":"x","window":{wx},"max":{mx},"increment_from":"args.n","algorithm":"{algo}"}}]}},
    "b":{{"require":[{{"path":"args.n","op":"exists","value":true}}],
         "limits":[{{"counter":"x","window":{wx},"max":{mx},"algorithm":"{algo}"}},
                   {{"counter":"g","window":{wg},"max":{mg},"scope":"global","increment":2,"algorithm":"{algo}"}}]}},
    "c":{{}}}}}}"#,
        wall = s.wall,
        mall = s.mall,
        wx = s.wx,
        mx = s.mx,
        wg = s.wg,
        mg = s.mg,
    )
}

fn call_args(st: &Step) -> Value {
    match st.n {
        Some(n) => args(&format!(r#"{{"n":{n}}}"#)),
        None => args("{}"),
    }
}

fn evaluate(engine: &mut Engine, st: &Step, a: &Value, time: f64) -> Outcome {
    engine.evaluate(&Call {
        tool: TOOLS[st.tool],
        grant: GRANTS[st.grant],
        args: a,
        time,
    })
}

/// An independent model of fixed windows: units per (counter, scope key, window index).
#[derive(Default)]
struct Model {
    used: HashMap<(&'static str, usize, i64), u32>,
}

impl Model {
    /// The charges a call to `st` makes if allowed: (counter, scope key, window, max, units).
    fn charges(s: &Shape, st: &Step, t: u64) -> Vec<(&'static str, usize, i64, u32, u32)> {
        let win = |w: u32| (t / u64::from(w)) as i64;
        let g = st.grant;
        let mut out = Vec::new();
        match TOOLS[st.tool] {
            "a" => out.push(("x", g, win(s.wx), s.mx, st.n.map_or(1, u32::from))),
            "b" => {
                out.push(("x", g, win(s.wx), s.mx, 1));
                out.push(("g", usize::MAX, win(s.wg), s.mg, 2));
            }
            "c" => {}
            _ => return out,
        }
        out.push(("all", g, win(s.wall), s.mall, 1));
        out
    }

    /// Whether the charges fit, counting earlier charges of the same call to one counter.
    fn fits(&self, charges: &[(&'static str, usize, i64, u32, u32)]) -> bool {
        let mut pending: HashMap<(&str, usize, i64), u32> = HashMap::new();
        charges.iter().all(|&(c, k, w, max, units)| {
            let earlier = pending.entry((c, k, w)).or_default();
            let used = self.used.get(&(c, k, w)).copied().unwrap_or(0);
            let ok = used + *earlier + units <= max;
            *earlier += units;
            ok
        })
    }

    fn apply(&mut self, charges: &[(&'static str, usize, i64, u32, u32)], sign: i64) {
        for &(c, k, w, _, units) in charges {
            let e = self.used.entry((c, k, w)).or_default();
            *e = (i64::from(*e) + sign * i64::from(units)) as u32;
        }
    }
}

/// The non-zero counts at `t`, sorted.
fn counts(engine: &Engine, t: f64) -> Vec<f64> {
    let mut v: Vec<f64> = engine.usage(t).into_iter().map(|(_, n)| n).collect();
    v.sort_by(f64::total_cmp);
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Fixed windows against the model: the engine allows exactly the calls that fit, and
    /// in every window the allowed (not rolled back) units of a counter never exceed max.
    #[test]
    fn fixed_windows_never_exceed_max(
        s in shape().prop_map(|s| Shape { sliding: false, ..s }),
        steps in prop::collection::vec(step(90), 1..80),
    ) {
        let p = policy(&policy_text(&s));
        let mut engine = Engine::new(&p);
        let mut model = Model::default();
        let mut t = 1_795_514_400u64;
        for st in &steps {
            t += u64::from(st.gap);
            let a = call_args(st);
            let o = evaluate(&mut engine, st, &a, t as f64);
            let expected = Model::charges(&s, st, t);
            let is_tool = matches!(TOOLS[st.tool], "a" | "b" | "c");
            let passes_conditions = TOOLS[st.tool] != "b" || st.n.is_some();
            let fits = model.fits(&expected);
            prop_assert_eq!(
                o.decision == Decision::Allow,
                is_tool && passes_conditions && fits,
                "{:?} -> {:?}", st, o
            );
            if o.decision == Decision::Allow {
                model.apply(&expected, 1);
                if st.failed {
                    engine.rollback(&o.charges);
                    model.apply(&expected, -1);
                }
            }
            for (&(c, _, _), &units) in &model.used {
                let max = match c { "x" => s.mx, "g" => s.mg, _ => s.mall };
                prop_assert!(units <= max, "{} used {} > {}", c, units, max);
            }
        }
    }

    /// Denied calls change no counter: an engine that only ever sees the allowed calls
    /// decides them the same way and ends with the same counts.
    #[test]
    fn denied_calls_never_change_counters(
        s in shape(),
        steps in prop::collection::vec(step(60), 1..80),
    ) {
        let p = policy(&policy_text(&s));
        let mut engine = Engine::new(&p);
        let mut twin = Engine::new(&p);
        let mut t = 1_000_000.0;
        for st in &steps {
            t += f64::from(st.gap);
            let a = call_args(st);
            let before = engine.usage(t);
            let o = evaluate(&mut engine, st, &a, t);
            if o.decision == Decision::Deny {
                prop_assert!(o.charges.is_empty());
                prop_assert_eq!(engine.usage(t), before);
                continue;
            }
            let o2 = evaluate(&mut twin, st, &a, t);
            prop_assert_eq!(
                (o2.decision, o2.reason, o2.rule, o2.charges.len()),
                (o.decision, o.reason, o.rule, o.charges.len())
            );
            // Grants are numbered in order of first sight, which the denied calls change:
            // compare the counts, not their keys.
            prop_assert_eq!(counts(&twin, t), counts(&engine, t));
        }
    }

    /// A rolled-back call leaves the counters as they were, and later decisions match an
    /// engine that never saw it.
    #[test]
    fn rollback_restores_the_counters(
        s in shape(),
        steps in prop::collection::vec(step(60), 1..80),
    ) {
        let p = policy(&policy_text(&s));
        let mut engine = Engine::new(&p);
        let mut twin = Engine::new(&p);
        let mut t = 0.0;
        for st in &steps {
            t += f64::from(st.gap);
            let a = call_args(st);
            if st.failed {
                let before = engine.usage(t);
                let o = evaluate(&mut engine, st, &a, t);
                engine.rollback(&o.charges);
                prop_assert_eq!(engine.usage(t), before);
            } else {
                let o = evaluate(&mut engine, st, &a, t);
                let o2 = evaluate(&mut twin, st, &a, t);
                prop_assert_eq!((o.decision, o.reason, o.rule, o.retry_after_s),
                                (o2.decision, o2.reason, o2.rule, o2.retry_after_s));
            }
        }
    }

    /// Calls grouped at instants at least one window apart see the same counts under both
    /// algorithms, so they get the same decisions (the waits differ by design).
    #[test]
    fn sliding_and_fixed_agree_a_window_apart(
        s in shape(),
        groups in prop::collection::vec(
            (0u32..500, prop::collection::vec(step(1), 1..6)), 1..20),
    ) {
        let window = s.wx.max(s.wg).max(s.wall);
        let fixed = policy(&policy_text(&Shape { sliding: false, ..s.clone() }));
        let sliding = policy(&policy_text(&Shape { sliding: true, ..s.clone() }));
        let mut f = Engine::new(&fixed);
        let mut sl = Engine::new(&sliding);
        let mut t = 0u64;
        for (extra, calls) in &groups {
            // Past every window of the previous group; a fixed window of length w starts at a
            // multiple of w, so the next group lands in a fresh window for every limit.
            t += u64::from(window) * 2 + u64::from(*extra);
            for st in calls {
                let a = call_args(st);
                let o1 = evaluate(&mut f, st, &a, t as f64);
                let o2 = evaluate(&mut sl, st, &a, t as f64);
                prop_assert_eq!((o1.decision, o1.reason, o1.rule), (o2.decision, o2.reason, o2.rule));
                prop_assert_eq!(o1.retry_after_s.is_some(), o2.retry_after_s.is_some());
                if st.failed {
                    f.rollback(&o1.charges);
                    sl.rollback(&o2.charges);
                }
                prop_assert_eq!(f.usage(t as f64), sl.usage(t as f64));
            }
        }
    }
}

// ---- robustness ---------------------------------------------------------------------------

/// Arbitrary JSON, biased towards the keys and shapes the robustness policy looks at.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value as J;
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(J::from),
        prop_oneof![
            Just("https://example.com/x".to_string()),
            Just("https://a.example.org".to_string()),
            Just("https://example.com@evil.com".to_string()),
            Just("http://[::1]:80/".to_string()),
            "\\PC{0,12}",
        ]
        .prop_map(J::String),
    ];
    let key = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("c".to_string()),
        "\\PC{0,4}",
    ];
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|members| {
                // Later duplicates are dropped, as the strict parser would reject them.
                let mut m = serde_json::Map::new();
                for (k, v) in members {
                    m.entry(k).or_insert(v);
                }
                J::Object(m)
            }),
        ]
    })
}

/// One tool per (list, path, op) and limits reading `increment_from` at several places.
fn robustness_policy() -> Policy {
    let ops = [
        ("eq", r#"{"b":[1,"x"]}"#),
        ("neq", "1"),
        ("in", r#"[1,"https://example.com/x",null,[]]"#),
        ("not_in", "[true]"),
        ("lt", "0"),
        ("gte", "1.5"),
        ("regex", r#""^h.*x$""#),
        ("contains", r#""x""#),
        ("contains", "1"),
        ("starts_with", r#""http""#),
        ("exists", "false"),
        ("host_in", r#"["example.com","*.example.org"]"#),
        ("len_gt", "2"),
    ];
    let paths = [
        "args",
        "args.a",
        "args.a[*]",
        "args.a[*].b",
        "args.a[0]",
        "args.a.b[*][*]",
        r#"args[\"\"].c"#,
        "grant",
        "tool",
    ];
    let mut tools = Vec::new();
    for list in ["require", "deny_if"] {
        for (pi, path) in paths.iter().enumerate() {
            for (oi, (op, value)) in ops.iter().enumerate() {
                tools.push(format!(
                    r#""{list}_{pi}_{oi}":{{"{list}":[{{"path":"{path}","op":"{op}","value":{value}}}],
                       "limits":[{{"counter":"c","window":1,"max":1000000000,"increment_from":"args.a"}},
                                 {{"counter":"d","window":7,"max":3,"algorithm":"sliding","increment_from":"args.a[0]"}},
                                 {{"counter":"e","window":60,"max":2,"increment_from":"args.b.c"}}]}}"#
                ));
            }
        }
    }
    policy(&format!(
        r#"{{"version":"1","default":"allow",
            "all_tools":{{"limits":[{{"counter":"all","window":"minute","max":50,"increment_from":"args.c"}}]}},
            "tools":{{{}}}}}"#,
        tools.join(",")
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any arguments, tool and grant: a decision, never a panic, and a consistent outcome.
    #[test]
    fn the_engine_never_panics_on_arbitrary_args(
        values in prop::collection::vec((json_value(), "\\PC{0,6}", 0u32..100), 1..8),
    ) {
        let p = robustness_policy();
        let mut engine = Engine::new(&p);
        let tools: Vec<&str> = p.tools.iter().map(|t| t.name.as_str()).collect();
        let mut t = 0.0;
        for (v, grant, gap) in &values {
            let text = serde_json::to_string(v).expect("serialise");
            let node = json::parse_strict(&text).expect("serde_json output parses");
            t += f64::from(*gap) / 10.0;
            for tool in tools.iter().copied().chain(["unlisted"]) {
                let o = engine.evaluate(&Call { tool, grant, args: &node.value, time: t });
                prop_assert_eq!(o.reason.is_some(), o.decision == Decision::Deny);
                // Every tool has limits, so an allowed call always charges something.
                prop_assert!(o.decision == Decision::Deny || !o.charges.is_empty());
                if o.retry_after_s.is_some() {
                    prop_assert_eq!(o.reason.map(|r| r.as_str()), Some("rate_limited"));
                }
            }
        }
    }

    /// Any line of text: a trace event or a located error, never a panic.
    #[test]
    fn trace_lines_never_panic(line in "\\PC{0,80}", v in json_value()) {
        let mut tape = Tape::default();
        let _ = parse_line(line.as_bytes(), &mut tape);
        let record = serde_json::json!({"tool": "t", "ts": 5, "args": v.clone()}).to_string();
        let is_call = matches!(parse_line(record.as_bytes(), &mut tape), Ok(Event::Call(_)));
        prop_assert_eq!(is_call, v.is_object());
        let rpc = serde_json::json!({"jsonrpc": "2.0", "id": v, "result": {"isError": true}}).to_string();
        let _ = parse_line(rpc.as_bytes(), &mut tape);
    }
}
