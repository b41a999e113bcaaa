//! Policy parsing and validation through the CLI (issue 3): every bad input is a located
//! error with a help line and exit code 2, never a panic.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn policylayer() -> Command {
    let mut cmd = Command::cargo_bin("policylayer").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Lints `text` as `policy.json` in a temp dir with `--format json`; returns the exit code
/// and the diagnostics.
fn lint_json(text: &str) -> (i32, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.json"), text).unwrap();
    let out = policylayer()
        .current_dir(dir.path())
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let diags: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "json output ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        diags.as_array().cloned().unwrap_or_default(),
    )
}

/// 1-based line and character column of the first occurrence of `needle` in `text`.
fn position(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    (line, column)
}

/// Asserts an error with this code exactly at the first occurrence of `at`, whose message
/// and help contain the given text.
#[track_caller]
fn assert_error(text: &str, code: &str, at: &str, message: &str, help: &str) {
    let (line, column) = if at.is_empty() {
        (1, 1)
    } else {
        position(text, at)
    };
    let (status, diags) = lint_json(text);
    assert_eq!(status, 2, "{diags:#?}");
    let found = diags.iter().find(|d| {
        d["code"] == code && d["location"]["line"] == line && d["location"]["column"] == column
    });
    let Some(d) = found else {
        panic!("no {code} at {line}:{column} in {diags:#?}");
    };
    assert_eq!(d["filename"], "policy.json");
    assert!(
        d["message"].as_str().unwrap_or("").contains(message),
        "{d:#?}"
    );
    assert!(d["help"].as_str().unwrap_or("").contains(help), "{d:#?}");
}

const OK_HEAD: &str = "{\n  \"version\": \"1\",\n  \"default\": \"deny\",\n";

fn with_tools(tools: &str) -> String {
    format!("{OK_HEAD}  \"tools\": {tools}\n}}\n")
}

#[test]
fn malformed_json_is_located() {
    assert_error(
        "{\n  \"version\": \"1\"\n  \"default\": \"deny\"\n}",
        "PL001",
        "\"default\"",
        "expected `,` or `}`",
        "commas",
    );
    assert_error("", "PL001", "", "expected a JSON value", "empty");
    assert_error(
        "{\"version\": \"1\", \"default\": \"deny\"} x",
        "PL001",
        "x",
        "unexpected text",
        "exactly one",
    );
    assert_error("{\"version\": '1'}", "PL001", "'1'", "double quotes", "");
}

#[test]
fn comments_and_trailing_commas_are_named() {
    assert_error(
        &format!("{OK_HEAD}  // deny everything\n  \"tools\": {{}}\n}}"),
        "PL001",
        "// deny",
        "comments are not allowed",
        "message",
    );
    assert_error(
        &format!("{OK_HEAD}  /* x */ \"tools\": {{}}\n}}"),
        "PL001",
        "/* x */",
        "comments are not allowed",
        "",
    );
    assert_error(
        &format!("{OK_HEAD}  \"tools\": {{}},\n}}"),
        "PL001",
        ",\n}",
        "trailing comma",
        "remove it",
    );
    assert_error(
        &with_tools("{ \"snapshot\": {}, }"),
        "PL001",
        ", }",
        "trailing comma",
        "remove it",
    );
    assert_error(
        &format!("{OK_HEAD}  \"hide\": [\"a\", ]\n}}"),
        "PL001",
        ", ]",
        "trailing comma",
        "remove it",
    );
}

#[test]
fn duplicate_keys_at_any_depth() {
    assert_error(
        &with_tools("{ \"navigate\": { \"action\": \"deny\", \"action\": \"allow\" } }"),
        "PL002",
        "\"action\": \"allow\"",
        "duplicate key \"action\"",
        "exactly one",
    );
    assert_error(
        &format!("{OK_HEAD}  \"default\": \"allow\"\n}}"),
        "PL002",
        "\"default\": \"allow\"",
        "duplicate key \"default\"",
        "exactly one",
    );
    assert_error(
        &with_tools("{ \"x\": { \"require\": [ { \"path\": \"args.a\", \"op\": \"eq\", \"value\": { \"k\": 1, \"k\": 2 } } ] } }"),
        "PL002",
        "\"k\": 2",
        "duplicate key \"k\"",
        "",
    );
}

#[test]
fn unknown_fields_suggest_the_known_one() {
    assert_error(
        &with_tools("{ \"navigate\": { \"limit\": [] } }"),
        "PL003",
        "\"limit\"",
        "unknown field `limit`",
        "did you mean `limits`?",
    );
    assert_error(
        &format!("{OK_HEAD}  \"hidden\": []\n}}"),
        "PL003",
        "\"hidden\"",
        "unknown field `hidden`",
        "did you mean `hide`?",
    );
    assert_error(
        &with_tools("{ \"navigate\": { \"require\": [ { \"path\": \"args.url\", \"op\": \"eq\", \"value\": 1, \"vaule\": 2 } ] } }"),
        "PL003",
        "\"vaule\"",
        "unknown field `vaule`",
        "did you mean `value`?",
    );
}

#[test]
fn schema_key_is_allowed_only_at_the_top() {
    let (status, diags) = lint_json(
        "{\"$schema\": \"./policy.schema.json\", \"version\": \"1\", \"default\": \"deny\"}",
    );
    assert_eq!(status, 0, "{diags:#?}");
    assert_error(
        &with_tools("{ \"snapshot\": { \"$schema\": \"x\" } }"),
        "PL003",
        "\"$schema\"",
        "unknown field `$schema`",
        "allowed fields",
    );
    assert_error(
        "{\"$schema\": 1, \"version\": \"1\", \"default\": \"deny\"}",
        "PL004",
        "1,",
        "`$schema` must be a string",
        "",
    );
}

#[test]
fn wrong_types_and_nulls() {
    assert_error(
        &format!("{OK_HEAD}  \"hide\": \"navigate\"\n}}"),
        "PL004",
        "\"navigate\"",
        "`hide` must be an array",
        "",
    );
    assert_error(
        &format!("{OK_HEAD}  \"hide\": [1]\n}}"),
        "PL004",
        "1]",
        "a `hide` entry must be a string",
        "",
    );
    assert_error(
        &with_tools("{ \"navigate\": { \"message\": null } }"),
        "PL004",
        "null",
        "found null",
        "null is not accepted",
    );
    assert_error(
        &with_tools("{ \"navigate\": { \"require\": null } }"),
        "PL004",
        "null",
        "found null",
        "null is not accepted",
    );
    assert_error(
        &with_tools("[]"),
        "PL004",
        "[]",
        "`tools` must be an object",
        "",
    );
    assert_error(
        &with_tools("{ \"navigate\": true }"),
        "PL004",
        "true",
        "tool `navigate` must be an object",
        "",
    );
    assert_error("[]", "PL004", "", "the policy must be an object", "");
}

#[test]
fn version_and_default() {
    assert_error(
        "{\"version\": \"2\", \"default\": \"deny\"}",
        "PL005",
        "\"2\"",
        "unsupported policy version \"2\"",
        "\"version\": \"1\"",
    );
    assert_error(
        "{\"version\": 1, \"default\": \"deny\"}",
        "PL004",
        "1,",
        "`version` must be",
        "",
    );
    assert_error(
        "{\"version\": \"1\"}",
        "PL006",
        "",
        "missing required field `default`",
        "\"deny\"",
    );
    assert_error(
        "{\"default\": \"deny\"}",
        "PL006",
        "",
        "missing required field `version`",
        "",
    );
    assert_error(
        "{\"version\": \"1\", \"default\": \"dny\"}",
        "PL005",
        "\"dny\"",
        "invalid `default` \"dny\"",
        "did you mean \"deny\"?",
    );
    assert_error(
        "{\"version\": \"1\", \"default\": null}",
        "PL004",
        "null",
        "`default` must be a string",
        "",
    );
}

#[test]
fn invalid_conditions() {
    let cond = |c: &str| with_tools(&format!("{{ \"navigate\": {{ \"require\": [ {c} ] }} }}"));
    assert_error(
        &cond(r#"{ "path": "args.url", "op": "host_is", "value": [] }"#),
        "PL005",
        "\"host_is\"",
        "unknown op \"host_is\"",
        "did you mean \"host_in\"?",
    );
    assert_error(
        &cond(r#"{ "path": "args.url", "op": "in", "value": "x" }"#),
        "PL004",
        "\"x\"",
        "the value of `in` must be an array",
        "",
    );
    assert_error(
        &cond(r#"{ "path": "args.n", "op": "lt", "value": "3" }"#),
        "PL004",
        "\"3\"",
        "must be a number",
        "",
    );
    assert_error(
        &cond(r#"{ "path": "args.n", "op": "exists", "value": "yes" }"#),
        "PL004",
        "\"yes\"",
        "true or false",
        "",
    );
    assert_error(
        &cond(r#"{ "path": "args.n", "op": "len_gt", "value": 1.5 }"#),
        "PL004",
        "1.5",
        "not an integer literal",
        "",
    );
    assert_error(
        &cond(r#"{ "path": "args.n", "op": "len_gt", "value": -1 }"#),
        "PL005",
        "-1",
        "at least 0",
        "",
    );
    assert_error(
        &cond(r#"{ "path": "args.u", "op": "regex", "value": "(" }"#),
        "PL005",
        "\"(\"",
        "regex does not compile",
        "regex",
    );
    assert_error(
        &cond(r#"{ "path": "args.u", "op": "starts_with", "value": 1 }"#),
        "PL004",
        "1 }",
        "must be a string",
        "",
    );
    assert_error(
        &cond(r#"{ "path": "args.u", "op": "host_in", "value": ["https://example.com"] }"#),
        "PL005",
        "\"https://example.com\"",
        "invalid host pattern",
        "no scheme",
    );
    assert_error(
        &cond(r#"{ "path": "args..u", "op": "eq", "value": 1 }"#),
        "PL005",
        "..u",
        "expected a key name after `.`",
        "paths look like",
    );
    assert_error(
        &cond(r#"{ "path": "args[x]", "op": "eq", "value": 1 }"#),
        "PL005",
        "x]",
        "brackets hold",
        "",
    );
    assert_error(
        &cond(r#"{ "path": "argz.u", "op": "eq", "value": 1 }"#),
        "PL005",
        "argz",
        "a path starts with `args`",
        "",
    );
    assert_error(
        &cond(r#"{ "path": "args.u", "op": "eq" }"#),
        "PL006",
        "{ \"path\"",
        "missing required field `value`",
        "",
    );
    assert_error(
        &cond(r#"{ "path": 1, "op": "eq", "value": 1 }"#),
        "PL004",
        "1, \"op\"",
        "`path` must be a string",
        "",
    );
}

#[test]
fn invalid_limits() {
    let limit = |l: &str| with_tools(&format!("{{ \"navigate\": {{ \"limits\": [ {l} ] }} }}"));
    assert_error(
        &limit(r#"{ "counter": "n", "window": "minutes", "max": 1 }"#),
        "PL005",
        "\"minutes\"",
        "invalid `window` \"minutes\"",
        "did you mean \"minute\"?",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 0, "max": 1 }"#),
        "PL005",
        "0,",
        "at least 1",
        "",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60.0, "max": 1 }"#),
        "PL004",
        "60.0",
        "not an integer literal",
        "",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60, "max": 1e3 }"#),
        "PL004",
        "1e3",
        "not an integer literal",
        "",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60, "max": 9007199254740993 }"#),
        "PL004",
        "9007199254740993",
        "beyond 2^53",
        "",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60, "max": -1 }"#),
        "PL005",
        "-1",
        "at least 0",
        "",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60, "max": 1, "increment": 0.5 }"#),
        "PL004",
        "0.5",
        "`increment` must be an integer",
        "",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60, "max": 1, "scope": "user" }"#),
        "PL005",
        "\"user\"",
        "invalid `scope` \"user\"",
        "\"grant\", \"global\"",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60, "max": 1, "algorithm": "slide" }"#),
        "PL005",
        "\"slide\"",
        "invalid `algorithm`",
        "did you mean \"sliding\"?",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60, "max": 1, "increment_from": "grant" }"#),
        "PL005",
        "\"grant\"",
        "inside `args`",
        "",
    );
    assert_error(
        &limit(r#"{ "counter": "n", "window": 60, "max": 1, "increment_from": "args.s[*]" }"#),
        "PL005",
        "\"args.s[*]\"",
        "cannot use `[*]`",
        "",
    );
    assert_error(
        &limit(r#"{ "window": 60, "max": 1 }"#),
        "PL006",
        "{ \"window\"",
        "missing required field `counter`",
        "",
    );
    assert_error(
        &limit(r#"{ "counter": "", "window": 60, "max": 1 }"#),
        "PL005",
        "\"\"",
        "empty counter name",
        "",
    );
    assert_error(
        &format!("{OK_HEAD}  \"all_tools\": {{ \"limit\": [] }}\n}}"),
        "PL003",
        "\"limit\"",
        "unknown field `limit`",
        "did you mean `limits`?",
    );
}

#[test]
fn every_error_of_a_file_is_reported_in_one_run() {
    let text = with_tools(
        r#"{ "navigate": { "action": "alow", "limits": [ { "counter": "n", "window": "week", "max": 1.5 } ], "mesage": "x" } }"#,
    );
    let (status, diags) = lint_json(&text);
    assert_eq!(status, 2);
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes.len(), 4, "{diags:#?}");
    for code in ["PL003", "PL004", "PL005"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
}

#[test]
fn bom_and_crlf_are_accepted() {
    let text = "\u{feff}{\r\n  \"version\": \"1\",\r\n  \"default\": \"deny\",\r\n  \"tools\": { \"snapshot\": {} }\r\n}\r\n";
    let (status, diags) = lint_json(text);
    assert_eq!(status, 0, "{diags:#?}");
    let (_, diags) = lint_json(
        "\u{feff}{\r\n  \"version\": \"1\",\r\n  \"default\": \"deny\",\r\n  \"x\": 1\r\n}",
    );
    assert_eq!(
        (
            diags[0]["location"]["line"].as_u64(),
            diags[0]["location"]["column"].as_u64()
        ),
        (Some(4), Some(3))
    );
}

#[test]
fn unreadable_and_missing_files_exit_2() {
    policylayer()
        .args(["lint", "/nonexistent/policy.json"])
        .assert()
        .code(2)
        .stdout(predicates::str::contains(
            "cannot read /nonexistent/policy.json",
        ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.json"), [0xff, 0xfe, b'{']).unwrap();
    policylayer()
        .current_dir(dir.path())
        .arg("lint")
        .assert()
        .code(2)
        .stdout(predicates::str::contains("not valid UTF-8"));
}

#[test]
fn hostile_inputs_never_panic() {
    for text in [
        "[".repeat(200_000),
        "{\"a\":".repeat(50_000),
        "\"\\ud800\"".to_string(),
        "{\"version\": \"1\", \"default\": \"deny\", \"tools\": {\"x\": {\"require\": [{\"path\": \"args[99999999999999999999]\", \"op\": \"eq\", \"value\": 1}]}}}".into(),
        "{\"version\": \"1\", \"default\": \"deny\", \"tools\": {\"x\": {\"require\": [{\"path\": \"args.é[\", \"op\": \"eq\", \"value\": 1}]}}}".into(),
        "{\"version\": \"1\", \"default\": \"deny\", \"tools\": {\"x\": {\"require\": [{\"path\": \"args.x\", \"op\": \"regex\", \"value\": \"a{99999}{99999}\"}]}}}".into(),
    ] {
        let (status, _) = lint_json(&text);
        assert_eq!(status, 2);
    }
}

#[test]
fn simulate_and_check_refuse_an_invalid_policy_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.json"),
        "{\"version\": \"1\", \"default\": \"deny\", \"tols\": {}}",
    )
    .unwrap();
    std::fs::write(dir.path().join("t.jsonl"), "{\"tool\": \"snapshot\"}\n").unwrap();
    policylayer()
        .current_dir(dir.path())
        .args(["simulate", "t.jsonl"])
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("policy.json:1:37")
                .and(predicates::str::contains("did you mean `tools`?")),
        );
    policylayer()
        .current_dir(dir.path())
        .args(["check", "--tool", "snapshot"])
        .assert()
        .code(2);
}

#[test]
fn human_diagnostics_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let text = with_tools(
        r#"{ "navigate": { "require": [ { "path": "args.url", "op": "host_is", "value": ["example.com"] } ], "limits": [ { "counter": "n", "window": "minute", "max": 30.0 } ] } }"#,
    );
    std::fs::write(dir.path().join("policy.json"), text).unwrap();
    let out = policylayer()
        .current_dir(dir.path())
        .arg("lint")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn shipped_policies_lint_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for p in [
        "policies/leapfrog.recommended.json",
        "policies/examples/session_create_batch.json",
    ] {
        policylayer()
            .current_dir(root)
            .args(["lint", p])
            .assert()
            .code(0);
    }
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn shipped_trace_passes_against_the_recommended_policy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = policylayer()
        .current_dir(root)
        .args([
            "simulate",
            "policies/examples/leapfrog.trace.jsonl",
            "--policy",
            "policies/leapfrog.recommended.json",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: Value = serde_json::from_str(text.lines().last().unwrap_or("")).unwrap();
    assert_eq!(summary["summary"]["expect_failed"], 0);
    assert_eq!(summary["summary"]["calls"], 30);
    // Every record of the shipped trace carries an expectation, and each is met.
    let records: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(
        records.iter().filter(|r| r["expect_ok"] == true).count(),
        30
    );
}
