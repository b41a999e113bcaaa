//! The evaluation engine against SPEC §1, rule by rule, through the library API.

use policylayer::engine::{Call, Decision, Engine, Outcome};
use policylayer::json::{self, Value};
use policylayer::policy::Policy;
use policylayer::source::SourceFile;

/// Parses a test policy; leaked so an engine can borrow it for the whole test.
fn policy(text: &str) -> &'static Policy {
    match Policy::parse(SourceFile::new("policy.json", text)) {
        Ok(p) => Box::leak(Box::new(p)),
        Err(d) => panic!("invalid test policy: {d:?}\n{text}"),
    }
}

fn args(text: &str) -> Value {
    json::parse_strict(text)
        .unwrap_or_else(|e| panic!("bad test args {text}: {e:?}"))
        .value
}

/// An engine over a test policy, with calls written compactly.
struct Run {
    engine: Engine<'static>,
}

impl Run {
    fn new(text: &str) -> Run {
        Run {
            engine: Engine::new(policy(text)),
        }
    }

    fn outcome(&mut self, tool: &str, grant: &str, a: &str, time: f64) -> Outcome {
        let a = args(a);
        self.engine.evaluate(&Call {
            tool,
            grant,
            args: &a,
            time,
        })
    }

    /// `allow /tools/t`, `deny rate_limited /tools/t/limits/0 retry 54`, ...
    fn call(&mut self, tool: &str, grant: &str, a: &str, time: f64) -> String {
        let o = self.outcome(tool, grant, a, time);
        self.show(&o)
    }

    fn show(&self, o: &Outcome) -> String {
        let mut s = o.decision.to_string();
        if let Some(r) = o.reason {
            s.push(' ');
            s.push_str(r.as_str());
        }
        s.push(' ');
        s.push_str(&self.engine.rule(o.rule).pointer);
        if let Some(r) = o.retry_after_s {
            s.push_str(&format!(" retry {r}"));
        }
        s
    }
}

/// The decision (or deny reason) for one condition in `list` on tool `t`.
fn decide(list: &str, path: &str, op: &str, value: &str, call_args: &str) -> String {
    let p = format!(
        r#"{{"version":"1","default":"deny","tools":{{"t":{{"{list}":[{{"path":"{path}","op":"{op}","value":{value}}}]}}}}}}"#
    );
    let mut run = Run::new(&p);
    let o = run.outcome("t", "g", call_args, 0.0);
    match o.reason {
        Some(r) => r.as_str().to_string(),
        None => o.decision.to_string(),
    }
}

fn req(path: &str, op: &str, value: &str, call_args: &str) -> String {
    decide("require", path, op, value, call_args)
}

fn deny_if(path: &str, op: &str, value: &str, call_args: &str) -> String {
    decide("deny_if", path, op, value, call_args)
}

const ALLOW: &str = "allow";
const FAILED: &str = "require_failed";
const MATCHED: &str = "deny_if_matched";
const MISMATCH: &str = "type_mismatch";

// ---- ops ----------------------------------------------------------------------------------

#[test]
fn eq_compares_numbers_numerically() {
    assert_eq!(req("args.n", "eq", "1", r#"{"n":1.0}"#), ALLOW);
    assert_eq!(req("args.n", "eq", "1.0", r#"{"n":1}"#), ALLOW);
    assert_eq!(req("args.n", "eq", "1", r#"{"n":1e0}"#), ALLOW);
    assert_eq!(req("args.n", "eq", "100", r#"{"n":1e2}"#), ALLOW);
    assert_eq!(req("args.n", "eq", "1", r#"{"n":"1"}"#), FAILED);
    assert_eq!(req("args.n", "eq", "1", r#"{"n":2}"#), FAILED);
    assert_eq!(req("args.n", "eq", "0", r#"{"n":-0.0}"#), ALLOW);
    assert_eq!(req("args.n", "neq", "1", r#"{"n":1.0}"#), FAILED);
    assert_eq!(req("args.n", "neq", "1", r#"{"n":"1"}"#), ALLOW);
}

#[test]
fn eq_is_deep_and_ignores_object_key_order() {
    let v = r#"{"a":1,"b":[1,{"c":null,"d":"x"}]}"#;
    assert_eq!(
        req(
            "args.o",
            "eq",
            v,
            r#"{"o":{"b":[1.0,{"d":"x","c":null}],"a":1}}"#
        ),
        ALLOW
    );
    // Array order matters, extra or missing members differ.
    assert_eq!(
        req(
            "args.o",
            "eq",
            v,
            r#"{"o":{"b":[{"c":null,"d":"x"},1],"a":1}}"#
        ),
        FAILED
    );
    assert_eq!(
        req(
            "args.o",
            "eq",
            v,
            r#"{"o":{"a":1,"b":[1,{"c":null,"d":"x"}],"e":0}}"#
        ),
        FAILED
    );
    assert_eq!(req("args.o", "eq", v, r#"{"o":{"a":1}}"#), FAILED);
    assert_eq!(req("args.o", "eq", "[]", r#"{"o":{}}"#), FAILED);
    assert_eq!(req("args.o", "eq", "null", r#"{"o":null}"#), ALLOW);
    assert_eq!(req("args.o", "eq", "false", r#"{"o":0}"#), FAILED);
}

#[test]
fn in_and_not_in_use_deep_equality() {
    let items = r#"[1, "x", {"k": true}]"#;
    assert_eq!(req("args.n", "in", items, r#"{"n":1.0}"#), ALLOW);
    assert_eq!(req("args.n", "in", items, r#"{"n":{"k":true}}"#), ALLOW);
    assert_eq!(req("args.n", "in", items, r#"{"n":"1"}"#), FAILED);
    assert_eq!(req("args.n", "not_in", items, r#"{"n":3}"#), ALLOW);
    assert_eq!(req("args.n", "not_in", items, r#"{"n":"x"}"#), FAILED);
    assert_eq!(req("args.n", "in", "[]", r#"{"n":1}"#), FAILED);
    assert_eq!(req("args.n", "not_in", "[]", r#"{"n":1}"#), ALLOW);
}

#[test]
fn numeric_comparisons_and_their_type_mismatches() {
    let n = r#"{"n":5}"#;
    assert_eq!(req("args.n", "lt", "5", n), FAILED);
    assert_eq!(req("args.n", "lt", "5.5", n), ALLOW);
    assert_eq!(req("args.n", "lte", "5", n), ALLOW);
    assert_eq!(req("args.n", "gt", "4.5", n), ALLOW);
    assert_eq!(req("args.n", "gt", "5", n), FAILED);
    assert_eq!(req("args.n", "gte", "5.0", n), ALLOW);
    for wrong in [
        r#"{"n":"5"}"#,
        r#"{"n":null}"#,
        r#"{"n":true}"#,
        r#"{"n":[5]}"#,
        r#"{"n":{}}"#,
    ] {
        assert_eq!(req("args.n", "lt", "10", wrong), MISMATCH, "{wrong}");
        assert_eq!(deny_if("args.n", "gte", "0", wrong), MISMATCH, "{wrong}");
    }
}

#[test]
fn regex_is_unanchored_unless_the_pattern_anchors() {
    assert_eq!(
        req("args.s", "regex", r#""b.r""#, r#"{"s":"foobar"}"#),
        ALLOW
    );
    assert_eq!(
        req("args.s", "regex", r#""^bar""#, r#"{"s":"foobar"}"#),
        FAILED
    );
    assert_eq!(
        req("args.s", "regex", r#""bar$""#, r#"{"s":"foobar"}"#),
        ALLOW
    );
    assert_eq!(req("args.s", "regex", r#""x""#, r#"{"s":1}"#), MISMATCH);
}

#[test]
fn contains_on_strings_arrays_and_other_types() {
    let s = r#"{"s":"hello world"}"#;
    assert_eq!(req("args.s", "contains", r#""lo w""#, s), ALLOW);
    assert_eq!(req("args.s", "contains", r#""xyz""#, s), FAILED);
    // A string value needs a string needle.
    assert_eq!(req("args.s", "contains", "5", r#"{"s":"5"}"#), MISMATCH);
    assert_eq!(req("args.s", "contains", r#"["x"]"#, s), MISMATCH);
    // An array holds the element, by deep equality.
    let a = r#"{"s":[1,{"a":1,"b":2},"x"]}"#;
    assert_eq!(req("args.s", "contains", r#"{"b":2,"a":1.0}"#, a), ALLOW);
    assert_eq!(req("args.s", "contains", "1.0", a), ALLOW);
    assert_eq!(req("args.s", "contains", r#""x""#, a), ALLOW);
    assert_eq!(req("args.s", "contains", r#""y""#, a), FAILED);
    assert_eq!(req("args.s", "contains", "1", r#"{"s":[]}"#), FAILED);
    // A string inside an array is not searched for substrings.
    assert_eq!(
        req("args.s", "contains", r#""ell""#, r#"{"s":["hello"]}"#),
        FAILED
    );
    for wrong in [
        r#"{"s":1}"#,
        r#"{"s":{"a":1}}"#,
        r#"{"s":null}"#,
        r#"{"s":true}"#,
    ] {
        assert_eq!(
            req("args.s", "contains", r#""a""#, wrong),
            MISMATCH,
            "{wrong}"
        );
        assert_eq!(
            deny_if("args.s", "contains", r#""a""#, wrong),
            MISMATCH,
            "{wrong}"
        );
    }
}

#[test]
fn starts_with_needs_a_string() {
    let v = r#""https://""#;
    assert_eq!(
        req("args.u", "starts_with", v, r#"{"u":"https://x"}"#),
        ALLOW
    );
    assert_eq!(
        req("args.u", "starts_with", v, r#"{"u":"http://x"}"#),
        FAILED
    );
    assert_eq!(
        req("args.u", "starts_with", v, r#"{"u":["https://x"]}"#),
        MISMATCH
    );
}

#[test]
fn host_in_matches_exact_hosts_and_strict_subdomains() {
    let hosts = r#"["example.com", "*.example.org"]"#;
    let check = |url: &str| req("args.u", "host_in", hosts, &format!(r#"{{"u":{url:?}}}"#));
    for ok in [
        "https://example.com",
        "https://example.com/a/b?q=1#f",
        "https://EXAMPLE.com:8443/x",
        "http://docs.example.org/start",
        "wss://a.b.example.org/",
        // userinfo is not the host.
        "https://evil.com@example.com/",
    ] {
        assert_eq!(check(ok), ALLOW, "{ok}");
    }
    for no in [
        // `*.suffix` is for subdomains only, not the bare suffix.
        "https://example.org",
        "https://evilexample.org",
        "https://www.example.com",
        "https://example.com.evil.net/",
        // The userinfo trick: the host is evil.com.
        "https://example.com@evil.com/",
        "https://example.com:pw@evil.com/",
        // Unparsable or relative URLs and host-less ones do not match.
        "example.com",
        "//example.com/x",
        "not a url",
        "",
        "https://",
        "mailto:someone@example.com",
        "data:text/plain,example.com",
    ] {
        assert_eq!(check(no), FAILED, "{no}");
    }
    // An unparsable URL in deny_if does not match either: the call goes through.
    assert_eq!(
        deny_if("args.u", "host_in", hosts, r#"{"u":"::not a url::"}"#),
        ALLOW
    );
    assert_eq!(
        deny_if(
            "args.u",
            "host_in",
            hosts,
            r#"{"u":"https://x.example.org"}"#
        ),
        MATCHED
    );
    assert_eq!(req("args.u", "host_in", hosts, r#"{"u":42}"#), MISMATCH);
    assert_eq!(req("args.u", "host_in", hosts, r#"{"u":null}"#), MISMATCH);
    assert_eq!(
        deny_if(
            "args.u",
            "host_in",
            hosts,
            r#"{"u":["https://example.com"]}"#
        ),
        MISMATCH
    );
}

#[test]
fn lengths_count_items_characters_and_members() {
    assert_eq!(req("args.s", "len_lte", "5", r#"{"s":"héllo"}"#), ALLOW);
    assert_eq!(req("args.s", "len_lt", "5", r#"{"s":"héllo"}"#), FAILED);
    assert_eq!(req("args.s", "len_gte", "1", r#"{"s":"😀"}"#), ALLOW);
    assert_eq!(req("args.s", "len_gt", "1", r#"{"s":"😀"}"#), FAILED);
    assert_eq!(req("args.s", "len_gt", "2", r#"{"s":[1,2,3]}"#), ALLOW);
    assert_eq!(req("args.s", "len_lt", "1", r#"{"s":[]}"#), ALLOW);
    assert_eq!(
        req("args.s", "len_gte", "2", r#"{"s":{"a":1,"b":2}}"#),
        ALLOW
    );
    for wrong in [r#"{"s":5}"#, r#"{"s":null}"#, r#"{"s":false}"#] {
        assert_eq!(req("args.s", "len_lt", "10", wrong), MISMATCH, "{wrong}");
    }
}

// ---- paths --------------------------------------------------------------------------------

#[test]
fn an_unresolved_path_makes_every_op_false_except_exists_false() {
    let ops = [
        ("eq", "1"),
        ("neq", "1"),
        ("in", "[1]"),
        ("not_in", "[1]"),
        ("lt", "1"),
        ("gte", "1"),
        ("regex", r#""x""#),
        ("contains", r#""x""#),
        ("starts_with", r#""x""#),
        ("host_in", r#"["example.com"]"#),
        ("len_lt", "1"),
        ("exists", "true"),
    ];
    let unresolved = [
        ("args.missing", "{}"),
        ("args.a[5]", r#"{"a":[1]}"#),
        ("args.s.x", r#"{"s":"str"}"#),
        ("args.o[0]", r#"{"o":{"0":1}}"#),
        ("args.n.x.y", r#"{"n":null}"#),
        ("args.a[0].b", r#"{"a":[]}"#),
    ];
    for (path, a) in unresolved {
        for (op, v) in ops {
            // False in require fails the call; false in deny_if lets it through.
            assert_eq!(req(path, op, v, a), FAILED, "{path} {op} on {a}");
            assert_eq!(deny_if(path, op, v, a), ALLOW, "{path} {op} on {a}");
        }
        assert_eq!(req(path, "exists", "false", a), ALLOW, "{path} on {a}");
        assert_eq!(
            deny_if(path, "exists", "false", a),
            MATCHED,
            "{path} on {a}"
        );
    }
}

#[test]
fn exists_and_null() {
    assert_eq!(req("args.k", "exists", "true", r#"{"k":1}"#), ALLOW);
    assert_eq!(req("args.k", "exists", "false", r#"{"k":1}"#), FAILED);
    // A key present with value null resolves.
    assert_eq!(req("args.k", "exists", "true", r#"{"k":null}"#), ALLOW);
    assert_eq!(req("args.k", "exists", "false", r#"{"k":null}"#), FAILED);
    assert_eq!(req("args.k", "eq", "null", r#"{"k":null}"#), ALLOW);
    assert_eq!(req("args.k", "neq", "1", r#"{"k":null}"#), ALLOW);
    assert_eq!(req("args.k", "in", "[null]", r#"{"k":null}"#), ALLOW);
}

#[test]
fn paths_reach_nested_values_indexes_and_quoted_keys() {
    let a = r#"{"a":{"b.c":[{"d":1},{"d":2}]}}"#;
    assert_eq!(req(r#"args.a[\"b.c\"][1].d"#, "eq", "2", a), ALLOW);
    assert_eq!(req(r#"args.a[\"b.c\"][0].d"#, "eq", "2", a), FAILED);
}

#[test]
fn grant_and_tool_paths() {
    let p = r#"{"version":"1","default":"deny","tools":{
        "t":{"require":[{"path":"grant","op":"in","value":["ci","ops"]},
                        {"path":"tool","op":"eq","value":"t"}]}}}"#;
    let mut run = Run::new(p);
    assert_eq!(run.call("t", "ci", "{}", 0.0), "allow /tools/t");
    assert_eq!(
        run.call("t", "dev", "{}", 0.0),
        "deny require_failed /tools/t/require/0"
    );
}

// ---- [*] ----------------------------------------------------------------------------------

#[test]
fn each_in_require_needs_every_element_and_an_empty_array_holds() {
    let hosts = r#"["example.com"]"#;
    let p = "args.s[*].u";
    let r = |a: &str| req(p, "host_in", hosts, a);
    assert_eq!(
        r(r#"{"s":[{"u":"https://example.com"},{"u":"https://example.com/x"}]}"#),
        ALLOW
    );
    assert_eq!(
        r(r#"{"s":[{"u":"https://example.com"},{"u":"https://evil.test"}]}"#),
        FAILED
    );
    assert_eq!(r(r#"{"s":[]}"#), ALLOW);
    // An element without the key does not resolve: the condition fails for it.
    assert_eq!(r(r#"{"s":[{"u":"https://example.com"},{}]}"#), FAILED);
    // A mismatch on any element wins over a failure on another.
    assert_eq!(r(r#"{"s":[{"u":"https://evil.test"},{"u":7}]}"#), MISMATCH);
    assert_eq!(
        r(r#"{"s":[{"u":7},{"u":"https://example.com"}]}"#),
        MISMATCH
    );
}

#[test]
fn each_in_deny_if_needs_one_element() {
    let p = "args.s[*].u";
    let d = |a: &str| deny_if(p, "contains", r#""/admin""#, a);
    assert_eq!(d(r#"{"s":[{"u":"/a"},{"u":"/admin/x"}]}"#), MATCHED);
    assert_eq!(d(r#"{"s":[{"u":"/a"},{"u":"/b"}]}"#), ALLOW);
    assert_eq!(d(r#"{"s":[]}"#), ALLOW);
    assert_eq!(d(r#"{"s":[{"u":"/a"},{}]}"#), ALLOW);
    // A mismatch on any element wins over a match on another.
    assert_eq!(d(r#"{"s":[{"u":"/admin"},{"u":7}]}"#), MISMATCH);
}

#[test]
fn each_over_a_missing_or_non_array_value_does_not_resolve() {
    for a in [
        "{}",
        r#"{"s":{"u":"https://example.com"}}"#,
        r#"{"s":"https://example.com"}"#,
        r#"{"s":null}"#,
    ] {
        // Not a type mismatch: rule 1 comes before rule 2.
        assert_eq!(
            req("args.s[*].u", "host_in", r#"["example.com"]"#, a),
            FAILED,
            "{a}"
        );
        assert_eq!(deny_if("args.s[*].u", "eq", "1", a), ALLOW, "{a}");
        assert_eq!(req("args.s[*].u", "exists", "false", a), ALLOW, "{a}");
        assert_eq!(deny_if("args.s[*]", "exists", "false", a), MATCHED, "{a}");
    }
}

#[test]
fn each_at_the_leaf_and_nested() {
    assert_eq!(
        req("args.t[*]", "starts_with", r#""a""#, r#"{"t":["ab","ac"]}"#),
        ALLOW
    );
    assert_eq!(
        req("args.t[*]", "starts_with", r#""a""#, r#"{"t":["ab","b"]}"#),
        FAILED
    );
    let nested = "args.a[*].b[*]";
    assert_eq!(
        req(nested, "lt", "10", r#"{"a":[{"b":[1,2]},{"b":[3]}]}"#),
        ALLOW
    );
    assert_eq!(
        req(nested, "lt", "10", r#"{"a":[{"b":[1,2]},{"b":[30]}]}"#),
        FAILED
    );
    assert_eq!(
        req(nested, "lt", "10", r#"{"a":[{"b":[1,"x"]},{"b":[30]}]}"#),
        MISMATCH
    );
    assert_eq!(
        req(nested, "lt", "10", r#"{"a":[{"b":[]},{"b":[]}]}"#),
        ALLOW
    );
    assert_eq!(
        deny_if(nested, "gt", "10", r#"{"a":[{"b":[1]},{"b":[30]}]}"#),
        MATCHED
    );
    assert_eq!(
        deny_if(nested, "gt", "10", r#"{"a":[{"b":[1]},{"c":[30]}]}"#),
        ALLOW
    );
}

// ---- evaluation order ---------------------------------------------------------------------

#[test]
fn hide_comes_before_everything_and_names_the_first_matching_entry() {
    let p = r#"{"version":"1","default":"allow","hide":["a","*","b","a"],
        "tools":{"a":{},"b":{"action":"approve"},"c":{}}}"#;
    let mut run = Run::new(p);
    assert_eq!(run.call("a", "g", "{}", 0.0), "deny hidden /hide/0");
    assert_eq!(run.call("b", "g", "{}", 0.0), "deny hidden /hide/1");
    assert_eq!(run.call("c", "g", "{}", 0.0), "deny hidden /hide/1");
    assert_eq!(run.call("unlisted", "g", "{}", 0.0), "deny hidden /hide/1");
    let p = r#"{"version":"1","default":"allow","hide":["x","y"],"tools":{"y":{}}}"#;
    let mut run = Run::new(p);
    assert_eq!(run.call("y", "g", "{}", 0.0), "deny hidden /hide/1");
    assert_eq!(run.call("x", "g", "{}", 0.0), "deny hidden /hide/0");
    assert_eq!(run.call("z", "g", "{}", 0.0), "allow /default");
}

#[test]
fn unlisted_tools_follow_the_default() {
    let deny = r#"{"version":"1","default":"deny",
        "all_tools":{"limits":[{"counter":"all","window":"minute","max":1}]},"tools":{"t":{}}}"#;
    let mut run = Run::new(deny);
    assert_eq!(run.call("u", "g", "{}", 0.0), "deny default_deny /default");
    assert_eq!(run.call("t", "g", "{}", 0.0), "allow /tools/t");
    let allow = r#"{"version":"1","default":"allow",
        "all_tools":{"limits":[{"counter":"all","window":"minute","max":2}]},"tools":{"t":{}}}"#;
    let mut run = Run::new(allow);
    assert_eq!(run.call("u", "g", "{}", 0.0), "allow /default");
    assert_eq!(run.call("t", "g", "{}", 1.0), "allow /tools/t");
    // all_tools limits still apply to unlisted tools under default allow.
    assert_eq!(
        run.call("u", "g", "{}", 2.0),
        "deny rate_limited /all_tools/limits/0 retry 58"
    );
}

#[test]
fn action_deny_comes_before_conditions() {
    let p = r#"{"version":"1","default":"allow","tools":{"t":{"action":"deny",
        "require":[{"path":"args.x","op":"exists","value":true}]}}}"#;
    let mut run = Run::new(p);
    assert_eq!(
        run.call("t", "g", "{}", 0.0),
        "deny tool_denied /tools/t/action"
    );
}

#[test]
fn require_before_deny_if_before_limits() {
    let p = r#"{"version":"1","default":"deny","tools":{"t":{
        "require":[{"path":"args.a","op":"eq","value":1},{"path":"args.b","op":"eq","value":1}],
        "deny_if":[{"path":"args.c","op":"eq","value":1},{"path":"args.d","op":"eq","value":1}],
        "limits":[{"counter":"n","window":"minute","max":0}]}}}"#;
    let mut run = Run::new(p);
    assert_eq!(
        run.call("t", "g", r#"{"a":0,"b":0,"c":1}"#, 0.0),
        "deny require_failed /tools/t/require/0"
    );
    assert_eq!(
        run.call("t", "g", r#"{"a":1,"b":0,"c":1}"#, 0.0),
        "deny require_failed /tools/t/require/1"
    );
    assert_eq!(
        run.call("t", "g", r#"{"a":1,"b":1,"c":0,"d":1}"#, 0.0),
        "deny deny_if_matched /tools/t/deny_if/1"
    );
    assert_eq!(
        run.call("t", "g", r#"{"a":1,"b":1,"c":1,"d":1}"#, 0.0),
        "deny deny_if_matched /tools/t/deny_if/0"
    );
    assert_eq!(
        run.call("t", "g", r#"{"a":1,"b":1}"#, 0.0),
        "deny rate_limited /tools/t/limits/0"
    );
}

#[test]
fn type_mismatch_names_the_condition_in_either_list() {
    let p = r#"{"version":"1","default":"deny","tools":{"t":{
        "require":[{"path":"args.n","op":"lt","value":10}],
        "deny_if":[{"path":"args.s","op":"len_gt","value":3}]}}}"#;
    let mut run = Run::new(p);
    assert_eq!(
        run.call("t", "g", r#"{"n":"x"}"#, 0.0),
        "deny type_mismatch /tools/t/require/0"
    );
    assert_eq!(
        run.call("t", "g", r#"{"n":1,"s":5}"#, 0.0),
        "deny type_mismatch /tools/t/deny_if/0"
    );
    assert_eq!(
        run.call("t", "g", r#"{"n":1,"s":"abc"}"#, 0.0),
        "allow /tools/t"
    );
}

#[test]
fn rules_are_named_by_json_pointer_and_location() {
    let p = "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{\n  \"fs/read~1\": {},\n  \"a\": {\"action\": \"allow\"},\n  \"b\": {\"action\": \"approve\"}\n}}";
    let mut run = Run::new(p);
    let o = run.outcome("fs/read~1", "g", "{}", 0.0);
    let rule = run.engine.rule(o.rule);
    assert_eq!(rule.pointer, "/tools/fs~1read~01");
    assert_eq!(rule.location.to_string(), "policy.json:2:16");
    assert_eq!(run.call("a", "g", "{}", 0.0), "allow /tools/a/action");
    assert_eq!(run.call("b", "g", "{}", 0.0), "approve /tools/b/action");
    let o = run.outcome("b", "g", "{}", 0.0);
    assert_eq!(
        run.engine.rule(o.rule).location.to_string(),
        "policy.json:4:19"
    );
}

// ---- limits -------------------------------------------------------------------------------

fn one_limit(limit: &str) -> String {
    format!(r#"{{"version":"1","default":"deny","tools":{{"t":{{"limits":[{limit}]}}}}}}"#)
}

#[test]
fn fixed_windows_are_aligned_to_the_epoch() {
    let mut run = Run::new(&one_limit(r#"{"counter":"n","window":"minute","max":2}"#));
    assert_eq!(run.call("t", "g", "{}", 58.0), "allow /tools/t");
    assert_eq!(run.call("t", "g", "{}", 59.0), "allow /tools/t");
    assert_eq!(
        run.call("t", "g", "{}", 59.5),
        "deny rate_limited /tools/t/limits/0 retry 1"
    );
    // A minute window resets at every :00 second.
    assert_eq!(run.call("t", "g", "{}", 60.0), "allow /tools/t");
    assert_eq!(run.call("t", "g", "{}", 61.0), "allow /tools/t");
    // Seconds to the window's end, rounded up.
    assert_eq!(
        run.call("t", "g", "{}", 70.25),
        "deny rate_limited /tools/t/limits/0 retry 50"
    );
}

#[test]
fn sliding_windows_count_the_last_window_seconds() {
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":60,"max":2,"algorithm":"sliding"}"#,
    ));
    assert_eq!(run.call("t", "g", "{}", 10.0), "allow /tools/t");
    assert_eq!(run.call("t", "g", "{}", 20.0), "allow /tools/t");
    // The oldest unit leaves at 70: 40 s from 30.
    assert_eq!(
        run.call("t", "g", "{}", 30.0),
        "deny rate_limited /tools/t/limits/0 retry 40"
    );
    assert_eq!(
        run.call("t", "g", "{}", 69.5),
        "deny rate_limited /tools/t/limits/0 retry 1"
    );
    // A unit charged exactly `window` seconds ago has left.
    assert_eq!(run.call("t", "g", "{}", 70.0), "allow /tools/t");
    assert_eq!(
        run.call("t", "g", "{}", 70.0),
        "deny rate_limited /tools/t/limits/0 retry 10"
    );
}

#[test]
fn sliding_retry_waits_for_enough_units_to_leave() {
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":60,"max":3,"algorithm":"sliding","increment_from":"args.k"}"#,
    ));
    assert_eq!(run.call("t", "g", r#"{"k":1}"#, 0.0), "allow /tools/t");
    assert_eq!(run.call("t", "g", r#"{"k":1}"#, 10.0), "allow /tools/t");
    assert_eq!(run.call("t", "g", r#"{"k":1}"#, 20.0), "allow /tools/t");
    // Two units must leave: the second leaves at 70.
    assert_eq!(
        run.call("t", "g", r#"{"k":2}"#, 30.0),
        "deny rate_limited /tools/t/limits/0 retry 40"
    );
    assert_eq!(
        run.call("t", "g", r#"{"k":3}"#, 30.0),
        "deny rate_limited /tools/t/limits/0 retry 50"
    );
    // More than max can never fit: no retry_after_s.
    assert_eq!(
        run.call("t", "g", r#"{"k":4}"#, 30.0),
        "deny rate_limited /tools/t/limits/0"
    );
}

#[test]
fn max_zero_denies_every_call_that_consumes_a_unit() {
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":"hour","max":0,"increment_from":"args.k"}"#,
    ));
    assert_eq!(
        run.call("t", "g", "{}", 0.0),
        "deny rate_limited /tools/t/limits/0"
    );
    assert_eq!(run.call("t", "g", r#"{"k":[]}"#, 0.0), "allow /tools/t");
    assert_eq!(run.call("t", "g", r#"{"k":0}"#, 0.0), "allow /tools/t");
    assert_eq!(run.call("t", "g", r#"{"k":""}"#, 0.0), "allow /tools/t");
}

#[test]
fn increment_from_counts_numbers_arrays_and_characters() {
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":"day","max":10,"increment":3,"increment_from":"args.k"}"#,
    ));
    // An array counts its items: 4.
    assert_eq!(
        run.call("t", "g", r#"{"k":[1,2,{},[]]}"#, 0.0),
        "allow /tools/t"
    );
    // A string its characters (not bytes): 3, total 7.
    assert_eq!(run.call("t", "g", r#"{"k":"héé"}"#, 0.0), "allow /tools/t");
    // Missing: `increment` (3), total 10.
    assert_eq!(run.call("t", "g", "{}", 0.0), "allow /tools/t");
    assert_eq!(
        run.call("t", "g", r#"{"k":0.5}"#, 0.0),
        "deny rate_limited /tools/t/limits/0 retry 86400"
    );
    assert_eq!(run.call("t", "g", r#"{"k":0}"#, 0.0), "allow /tools/t");

    // Fractions are summed: 0.25 + 0.5 + 0.25 = 1.
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":"day","max":1,"increment_from":"args.amount"}"#,
    ));
    assert_eq!(
        run.call("t", "g", r#"{"amount":0.25}"#, 0.0),
        "allow /tools/t"
    );
    assert_eq!(
        run.call("t", "g", r#"{"amount":0.5}"#, 0.0),
        "allow /tools/t"
    );
    assert_eq!(
        run.call("t", "g", r#"{"amount":0.25}"#, 0.0),
        "allow /tools/t"
    );
    assert_eq!(
        run.call("t", "g", r#"{"amount":0.125}"#, 0.0),
        "deny rate_limited /tools/t/limits/0 retry 86400"
    );
}

#[test]
fn increment_from_type_mismatches() {
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":"day","max":10,"increment_from":"args.k"}"#,
    ));
    for wrong in [
        r#"{"k":-1}"#,
        r#"{"k":-0.5}"#,
        r#"{"k":{"a":1}}"#,
        r#"{"k":true}"#,
        r#"{"k":null}"#,
    ] {
        assert_eq!(
            run.call("t", "g", wrong, 0.0),
            "deny type_mismatch /tools/t/limits/0",
            "{wrong}"
        );
    }
    // Stepping into a non-object does not resolve: `increment` applies.
    assert_eq!(
        run.call("t", "g", r#"{"k":{}}"#, 0.0),
        "deny type_mismatch /tools/t/limits/0"
    );
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":"day","max":1,"increment_from":"args.k.x"}"#,
    ));
    assert_eq!(run.call("t", "g", r#"{"k":"str"}"#, 0.0), "allow /tools/t");
    assert_eq!(
        run.call("t", "g", r#"{"k":"str"}"#, 0.0),
        "deny rate_limited /tools/t/limits/0 retry 86400"
    );
}

#[test]
fn an_increment_from_mismatch_wins_over_exceeded_limits() {
    let p = r#"{"version":"1","default":"deny",
        "all_tools":{"limits":[{"counter":"all","window":"minute","max":10,"increment_from":"args.b"}]},
        "tools":{"t":{"limits":[
            {"counter":"zero","window":"minute","max":0},
            {"counter":"n","window":"minute","max":10,"increment_from":"args.a"}]}}}"#;
    let mut run = Run::new(p);
    assert_eq!(
        run.call("t", "g", r#"{"a":"x","b":1}"#, 0.0),
        "deny rate_limited /tools/t/limits/0"
    );
    assert_eq!(
        run.call("t", "g", r#"{"a":{},"b":1}"#, 0.0),
        "deny type_mismatch /tools/t/limits/1"
    );
    // The tool's limits come first, then all_tools.
    assert_eq!(
        run.call("t", "g", r#"{"a":null,"b":null}"#, 0.0),
        "deny type_mismatch /tools/t/limits/1"
    );
    assert_eq!(
        run.call("t", "g", r#"{"a":1,"b":false}"#, 0.0),
        "deny type_mismatch /all_tools/limits/0"
    );
}

#[test]
fn rate_limited_names_the_first_exceeded_limit_and_the_largest_wait() {
    let p = r#"{"version":"1","default":"deny",
        "all_tools":{"limits":[{"counter":"all","window":"hour","max":1}]},
        "tools":{"t":{"limits":[{"counter":"n","window":"minute","max":1}]}, "u":{}}}"#;
    let mut run = Run::new(p);
    assert_eq!(run.call("u", "g", "{}", 0.0), "allow /tools/u");
    // Only all_tools is exceeded.
    assert_eq!(
        run.call("t", "g", "{}", 10.0),
        "deny rate_limited /all_tools/limits/0 retry 3590"
    );
    let mut run = Run::new(p);
    assert_eq!(run.call("t", "g", "{}", 0.0), "allow /tools/t");
    // Both exceeded: the tool's limit is named, the wait is the longer one.
    assert_eq!(
        run.call("t", "g", "{}", 10.0),
        "deny rate_limited /tools/t/limits/0 retry 3590"
    );
}

#[test]
fn retry_after_is_absent_when_some_exceeded_limit_can_never_fit() {
    let p = r#"{"version":"1","default":"deny",
        "all_tools":{"limits":[{"counter":"all","window":"minute","max":2,"increment_from":"args.k"}]},
        "tools":{"t":{"limits":[{"counter":"n","window":"minute","max":1}]}}}"#;
    let mut run = Run::new(p);
    assert_eq!(run.call("t", "g", r#"{"k":1}"#, 0.0), "allow /tools/t");
    // limits/0 would fit in 50 s, all_tools never fits 3 units.
    assert_eq!(
        run.call("t", "g", r#"{"k":3}"#, 10.0),
        "deny rate_limited /tools/t/limits/0"
    );
    assert_eq!(
        run.call("t", "g", r#"{"k":2}"#, 10.0),
        "deny rate_limited /tools/t/limits/0 retry 50"
    );
}

#[test]
fn limits_with_the_same_counter_identity_share_one_count() {
    let p = r#"{"version":"1","default":"deny","tools":{
        "a":{"limits":[{"counter":"c","window":"minute","max":3}]},
        "b":{"limits":[{"counter":"c","window":60,"max":2,"scope":"grant","algorithm":"fixed"}]},
        "other_window":{"limits":[{"counter":"c","window":61,"max":1}]},
        "other_scope":{"limits":[{"counter":"c","window":60,"max":1,"scope":"global"}]},
        "other_algo":{"limits":[{"counter":"c","window":60,"max":1,"algorithm":"sliding"}]}}}"#;
    let mut run = Run::new(p);
    assert_eq!(run.call("a", "g", "{}", 0.0), "allow /tools/a");
    assert_eq!(run.call("b", "g", "{}", 1.0), "allow /tools/b");
    // Each limit checks its own max against the shared count (2).
    assert_eq!(
        run.call("b", "g", "{}", 2.0),
        "deny rate_limited /tools/b/limits/0 retry 58"
    );
    assert_eq!(run.call("a", "g", "{}", 3.0), "allow /tools/a");
    assert_eq!(
        run.call("a", "g", "{}", 4.0),
        "deny rate_limited /tools/a/limits/0 retry 56"
    );
    // Another grant has its own count.
    assert_eq!(run.call("b", "h", "{}", 5.0), "allow /tools/b");
    // Same name, different window, scope or algorithm: separate counts.
    for tool in ["other_window", "other_scope", "other_algo"] {
        assert_eq!(
            run.call(tool, "g", "{}", 6.0),
            format!("allow /tools/{tool}")
        );
    }
}

#[test]
fn global_scope_is_shared_by_every_grant() {
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":"minute","max":2,"scope":"global"}"#,
    ));
    assert_eq!(run.call("t", "a", "{}", 0.0), "allow /tools/t");
    assert_eq!(run.call("t", "b", "{}", 0.0), "allow /tools/t");
    assert_eq!(
        run.call("t", "c", "{}", 0.0),
        "deny rate_limited /tools/t/limits/0 retry 60"
    );
}

#[test]
fn two_limits_of_one_call_on_one_counter_charge_twice() {
    let p = r#"{"version":"1","default":"deny",
        "all_tools":{"limits":[{"counter":"c","window":"minute","max":3}]},
        "tools":{"t":{"limits":[{"counter":"c","window":"minute","max":3}]}, "u":{}}}"#;
    let mut run = Run::new(p);
    // Each call to t charges c twice; u once.
    assert_eq!(run.call("t", "g", "{}", 0.0), "allow /tools/t");
    assert_eq!(run.call("u", "g", "{}", 0.0), "allow /tools/u");
    // Count 3: limits/0 sees 3+1 > 3.
    assert_eq!(
        run.call("t", "g", "{}", 0.0),
        "deny rate_limited /tools/t/limits/0 retry 60"
    );
    let mut run = Run::new(p);
    assert_eq!(run.call("u", "g", "{}", 0.0), "allow /tools/u");
    assert_eq!(run.call("u", "g", "{}", 0.0), "allow /tools/u");
    // Count 2: limits/0 sees 2+1 ≤ 3, all_tools sees 2+1 (limits/0's charge)+1 > 3.
    assert_eq!(
        run.call("t", "g", "{}", 0.0),
        "deny rate_limited /all_tools/limits/0 retry 60"
    );
    assert_eq!(run.call("u", "g", "{}", 0.0), "allow /tools/u");

    // When the call's own charges exceed max, it can never fit.
    let p = r#"{"version":"1","default":"deny","tools":{"t":{"limits":[
        {"counter":"c","window":"minute","max":3,"increment":2},
        {"counter":"c","window":"minute","max":3,"increment":2}]}}}"#;
    let mut run = Run::new(p);
    assert_eq!(
        run.call("t", "g", "{}", 0.0),
        "deny rate_limited /tools/t/limits/1"
    );
}

#[test]
fn denied_calls_consume_nothing() {
    let p = r#"{"version":"1","default":"deny",
        "all_tools":{"limits":[{"counter":"all","window":"minute","max":2}]},
        "tools":{"t":{"require":[{"path":"args.ok","op":"eq","value":true}],
                      "limits":[{"counter":"n","window":"minute","max":1}]}}}"#;
    let mut run = Run::new(p);
    for _ in 0..5 {
        assert_eq!(
            run.call("t", "g", "{}", 0.0),
            "deny require_failed /tools/t/require/0"
        );
        assert_eq!(run.call("x", "g", "{}", 0.0), "deny default_deny /default");
    }
    assert_eq!(run.call("t", "g", r#"{"ok":true}"#, 0.0), "allow /tools/t");
    // Rate-limited by its own limit: all_tools is not charged either.
    for _ in 0..5 {
        assert_eq!(
            run.call("t", "g", r#"{"ok":true}"#, 0.0),
            "deny rate_limited /tools/t/limits/0 retry 60"
        );
    }
    assert_eq!(run.call("t", "h", r#"{"ok":true}"#, 0.0), "allow /tools/t");
}

#[test]
fn approve_consumes_quota() {
    let p = r#"{"version":"1","default":"deny","tools":{"t":{"action":"approve",
        "limits":[{"counter":"n","window":"minute","max":1}]}}}"#;
    let mut run = Run::new(p);
    let o = run.outcome("t", "g", "{}", 0.0);
    assert_eq!(o.decision, Decision::Approve);
    assert_eq!(o.charges.len(), 1);
    assert_eq!(
        run.call("t", "g", "{}", 1.0),
        "deny rate_limited /tools/t/limits/0 retry 59"
    );
}

// ---- rollback -----------------------------------------------------------------------------

#[test]
fn rollback_gives_the_quota_back() {
    let p = r#"{"version":"1","default":"deny",
        "all_tools":{"limits":[{"counter":"all","window":"minute","max":1}]},
        "tools":{"t":{"limits":[{"counter":"n","window":"minute","max":1,"increment":1}]}}}"#;
    let mut run = Run::new(p);
    let o = run.outcome("t", "g", "{}", 0.0);
    assert_eq!(o.charges.len(), 2);
    run.engine.rollback(&o.charges);
    assert_eq!(run.call("t", "g", "{}", 1.0), "allow /tools/t");
    assert_eq!(
        run.call("t", "g", "{}", 2.0),
        "deny rate_limited /tools/t/limits/0 retry 58"
    );
    // A denied outcome has nothing to roll back.
    let denied = run.outcome("t", "g", "{}", 3.0);
    assert!(denied.charges.is_empty());
    run.engine.rollback(&denied.charges);
    assert_eq!(
        run.call("t", "g", "{}", 4.0),
        "deny rate_limited /tools/t/limits/0 retry 56"
    );
}

#[test]
fn rollback_of_a_fixed_window_charge_only_touches_that_window() {
    let mut run = Run::new(&one_limit(r#"{"counter":"n","window":"minute","max":1}"#));
    let old = run.outcome("t", "g", "{}", 59.0);
    assert_eq!(run.call("t", "g", "{}", 60.0), "allow /tools/t");
    // The old window is gone: rolling back its charge must not free the new one.
    run.engine.rollback(&old.charges);
    assert_eq!(
        run.call("t", "g", "{}", 61.0),
        "deny rate_limited /tools/t/limits/0 retry 59"
    );
}

#[test]
fn rollback_of_a_sliding_charge_removes_that_charge_only() {
    let mut run = Run::new(&one_limit(
        r#"{"counter":"n","window":60,"max":2,"algorithm":"sliding"}"#,
    ));
    assert_eq!(run.call("t", "g", "{}", 0.0), "allow /tools/t");
    let second = run.outcome("t", "g", "{}", 30.0);
    run.engine.rollback(&second.charges);
    assert_eq!(run.call("t", "g", "{}", 40.0), "allow /tools/t");
    // Units from 0 and 40 remain: the one from 0 leaves at 60.
    assert_eq!(
        run.call("t", "g", "{}", 50.0),
        "deny rate_limited /tools/t/limits/0 retry 10"
    );
    // Rolling back twice changes nothing more.
    run.engine.rollback(&second.charges);
    assert_eq!(
        run.call("t", "g", "{}", 50.0),
        "deny rate_limited /tools/t/limits/0 retry 10"
    );
}

#[test]
fn rollback_of_two_charges_on_one_counter_removes_both() {
    let p = r#"{"version":"1","default":"deny","tools":{"t":{"limits":[
        {"counter":"c","window":"minute","max":2,"algorithm":"sliding"},
        {"counter":"c","window":"minute","max":2,"algorithm":"sliding"}]}}}"#;
    let mut run = Run::new(p);
    let o = run.outcome("t", "g", "{}", 0.0);
    assert_eq!(o.decision, Decision::Allow);
    assert_eq!(
        run.call("t", "g", "{}", 1.0),
        "deny rate_limited /tools/t/limits/0 retry 59"
    );
    run.engine.rollback(&o.charges);
    assert_eq!(run.call("t", "g", "{}", 2.0), "allow /tools/t");
}

#[test]
fn fractional_rollback_restores_an_exactly_empty_counter() {
    // 0.1 + 0.2 - 0.1 - 0.2 is not 0 in doubles; a fully rolled-back window must be empty,
    // or a `max: 0` limit sharing the counter would deny zero-unit calls.
    let p = r#"{"version":"1","default":"deny","tools":{
        "t":{"limits":[{"counter":"n","window":"minute","max":1,"increment_from":"args.k"}]},
        "z":{"limits":[{"counter":"n","window":"minute","max":0,"increment_from":"args.k"}]}}}"#;
    for algorithm in ["fixed", "sliding"] {
        let mut run = Run::new(&p.replace(
            r#""window""#,
            &format!(r#""algorithm":"{algorithm}","window""#),
        ));
        let a = run.outcome("t", "g", r#"{"k":0.1}"#, 0.0);
        let b = run.outcome("t", "g", r#"{"k":0.2}"#, 0.0);
        let c = run.outcome("t", "g", r#"{"k":0.3}"#, 0.0);
        assert_eq!(c.decision, Decision::Allow);
        run.engine.rollback(&a.charges);
        run.engine.rollback(&c.charges);
        run.engine.rollback(&b.charges);
        assert_eq!(
            run.call("z", "g", r#"{"k":0}"#, 0.0),
            "allow /tools/z",
            "{algorithm}"
        );
        assert_eq!(
            run.call("t", "g", r#"{"k":1}"#, 0.0),
            "allow /tools/t",
            "{algorithm}"
        );
    }
}

#[test]
fn many_limits_charge_and_roll_back_beyond_the_inline_few() {
    let limits: Vec<String> = (0..6)
        .map(|i| format!(r#"{{"counter":"c{i}","window":"minute","max":1}}"#))
        .collect();
    let p = format!(
        r#"{{"version":"1","default":"deny","all_tools":{{"limits":[{{"counter":"all","window":"minute","max":1}}]}},
            "tools":{{"t":{{"limits":[{}]}}}}}}"#,
        limits.join(",")
    );
    let mut run = Run::new(&p);
    let o = run.outcome("t", "g", "{}", 0.0);
    assert_eq!(o.charges.len(), 7);
    assert_eq!(
        run.call("t", "g", "{}", 1.0),
        "deny rate_limited /tools/t/limits/0 retry 59"
    );
    run.engine.rollback(&o.charges);
    assert!(run.engine.usage(1.0).is_empty());
    assert_eq!(run.call("t", "g", "{}", 1.0), "allow /tools/t");
}

#[test]
fn expired_counters_are_swept_so_memory_follows_live_windows() {
    let mut run = Run::new(&one_limit(r#"{"counter":"n","window":"minute","max":5}"#));
    let args = args("{}");
    let grants: Vec<String> = (0..70_000).map(|i| format!("g{i}")).collect();
    // A new grant every second: each count lives one minute. The engine sweeps every
    // 65,536 calls, so after 70,000 only the calls since the sweep are left.
    for (i, grant) in grants.iter().enumerate() {
        let o = run.engine.evaluate(&Call {
            tool: "t",
            grant,
            args: &args,
            time: i as f64,
        });
        assert_eq!(o.decision, Decision::Allow);
    }
    assert!(
        run.engine.live_counters() < 5_000,
        "{}",
        run.engine.live_counters()
    );
}
