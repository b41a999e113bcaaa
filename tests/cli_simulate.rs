//! `policylayer simulate` and `check` end to end (SPEC §3, §4): exact output, exit codes and
//! the worked examples of the format (tests/fixtures/spec-examples).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_policylayer"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A folder holding `policy.json` and `trace.jsonl`, where commands run, so that
/// locations read `policy.json:L:C` and `trace.jsonl:L:C`.
struct Case {
    dir: TempDir,
}

impl Case {
    fn new(policy: &str, trace: &str) -> Case {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("policy.json"), policy).expect("write policy");
        std::fs::write(dir.path().join("trace.jsonl"), trace).expect("write trace");
        Case { dir }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = bin();
        cmd.current_dir(self.dir.path()).args(args);
        cmd
    }

    /// `simulate trace.jsonl --format jsonl` plus `extra`.
    fn jsonl(&self, extra: &[&str]) -> Run {
        let mut args = vec!["simulate", "trace.jsonl", "--format", "jsonl"];
        args.extend_from_slice(extra);
        Run::of(self.cmd(&args))
    }
}

/// What one command run produced.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(mut cmd: Command) -> Run {
        let out = cmd.output().expect("run policylayer");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        }
    }

    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
            .collect()
    }

    /// Decision records as `LINE decision [reason] [retry N]`.
    fn decisions(&self) -> Vec<String> {
        self.lines()
            .iter()
            .filter(|v| v.get("summary").is_none())
            .map(|v| {
                let mut s = format!("{} {}", v["line"], v["decision"].as_str().unwrap_or("?"));
                if let Some(r) = v["reason"].as_str() {
                    s.push(' ');
                    s.push_str(r);
                }
                if let Some(r) = v.get("retry_after_s") {
                    s.push_str(&format!(" retry {r}"));
                }
                s
            })
            .collect()
    }

    fn summary(&self) -> Value {
        self.lines()
            .into_iter()
            .find_map(|v| v.get("summary").cloned())
            .unwrap_or_else(|| panic!("no summary in:\n{}", self.stdout))
    }
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec-examples")
}

/// Runs one shared example and compares every field its expected file holds.
fn shared_example(name: &str) -> i32 {
    let dir = examples();
    let expected = std::fs::read_to_string(dir.join(format!("{name}.expected.jsonl")))
        .expect("expected output");
    let mut cmd = bin();
    cmd.current_dir(&dir).args([
        "simulate",
        &format!("{name}.trace.jsonl"),
        "--policy",
        &format!("{name}.policy.json"),
        "--format",
        "jsonl",
    ]);
    let run = Run::of(cmd);
    let actual = run.lines();
    let expected: Vec<Value> = expected
        .lines()
        .map(|l| serde_json::from_str(l).expect("expected line is JSON"))
        .collect();
    assert_eq!(actual.len(), expected.len(), "{}", run.stdout);
    for (a, e) in actual.iter().zip(&expected) {
        let (Some(a), Some(e)) = (a.as_object(), e.as_object()) else {
            panic!("not objects: {a:?} {e:?}");
        };
        for (k, v) in e {
            assert_eq!(a.get(k), Some(v), "field {k} of {e:?}");
        }
        // The real output carries only `ts` and `at` beyond the compared fields.
        for k in a.keys() {
            assert!(
                e.contains_key(k) || k == "ts" || k == "at",
                "extra {k} in {a:?}"
            );
        }
    }
    run.code
}

#[test]
fn shared_basics_example() {
    // Line 7's expectation fails.
    assert_eq!(shared_example("basics"), 1);
}

#[test]
fn shared_jsonrpc_example() {
    assert_eq!(shared_example("jsonrpc"), 0);
}

const POLICY: &str = r#"{
  "version": "1",
  "default": "deny",
  "hide": ["session_destroy"],
  "tools": {
    "snapshot": {},
    "navigate": {
      "require": [ { "path": "args.url", "op": "host_in", "value": ["example.com"] } ],
      "limits": [ { "counter": "nav", "window": "minute", "max": 1 } ]
    },
    "execute": { "action": "approve" }
  }
}
"#;

#[test]
fn jsonl_output_is_exact() {
    let trace = concat!(
        r#"{"ts":"2026-11-24T10:00:00Z","grant":"ci","tool":"navigate","args":{"url":"https://example.com/a"},"expect":"allow"}"#,
        "\n",
        r#"{"ts":"2026-11-24T10:00:06Z","grant":"ci","tool":"navigate","args":{"url":"https://example.com/b"},"expect":"rate_limited"}"#,
        "\n",
        r#"{"ts":"2026-11-24T10:00:07Z","grant":"ci","tool":"execute","expect":"allow"}"#,
        "\n",
        r#"{"ts":"2026-11-24T10:00:08Z","tool":"session_destroy","note":"log metadata is ignored"}"#,
        "\n",
    );
    let run = Case::new(POLICY, trace).jsonl(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        concat!(
            r#"{"line":1,"ts":"2026-11-24T10:00:00Z","grant":"ci","tool":"navigate","decision":"allow","rule":"/tools/navigate","at":"policy.json:7:17","expect":"allow","expect_ok":true}"#,
            "\n",
            r#"{"line":2,"ts":"2026-11-24T10:00:06Z","grant":"ci","tool":"navigate","decision":"deny","reason":"rate_limited","rule":"/tools/navigate/limits/0","at":"policy.json:9:19","retry_after_s":54,"expect":"rate_limited","expect_ok":true}"#,
            "\n",
            r#"{"line":3,"ts":"2026-11-24T10:00:07Z","grant":"ci","tool":"execute","decision":"approve","rule":"/tools/execute/action","at":"policy.json:11:28","expect":"allow","expect_ok":false}"#,
            "\n",
            r#"{"line":4,"ts":"2026-11-24T10:00:08Z","grant":"default","tool":"session_destroy","decision":"deny","reason":"hidden","rule":"/hide/0","at":"policy.json:4:12"}"#,
            "\n",
            r#"{"summary":{"calls":4,"skipped":0,"allow":1,"deny":2,"approve":1,"by_reason":{"rate_limited":1,"hidden":1},"expect_failed":1}}"#,
            "\n",
        )
    );
}

#[test]
fn exit_codes_and_fail_on_deny() {
    let ok = r#"{"tool":"snapshot"}"#;
    let case = Case::new(POLICY, ok);
    assert_eq!(case.jsonl(&[]).code, 0);
    assert_eq!(case.jsonl(&["--fail-on-deny"]).code, 0);
    let denied = Case::new(POLICY, r#"{"tool":"nope"}"#);
    assert_eq!(denied.jsonl(&[]).code, 0);
    let run = denied.jsonl(&["--fail-on-deny"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.summary()["deny"], 1);
    // Unusable inputs: exit 2.
    assert_eq!(case.jsonl(&["--policy", "missing.json"]).code, 2);
    assert_eq!(Run::of(case.cmd(&["simulate", "missing.jsonl"])).code, 2);
    let bad_policy = Case::new(r#"{"version":"2","default":"deny"}"#, ok);
    assert_eq!(bad_policy.jsonl(&[]).code, 2);
}

#[test]
fn stdin_is_read_for_dash() {
    let case = Case::new(POLICY, "");
    let mut cmd = case.cmd(&["simulate", "-", "--format", "jsonl"]);
    cmd.write_stdin("{\"tool\":\"snapshot\"}\n{\"tool\":\"x\"}\n");
    let run = Run::of(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.decisions(), ["1 allow", "2 deny default_deny"]);
}

#[test]
fn outcome_error_gives_the_quota_back() {
    let trace = concat!(
        r#"{"ts":0,"tool":"navigate","args":{"url":"https://example.com"},"outcome":"error"}"#,
        "\n",
        r#"{"ts":1,"tool":"navigate","args":{"url":"https://example.com"},"outcome":"ok"}"#,
        "\n",
        r#"{"ts":2,"tool":"navigate","args":{"url":"https://example.com"}}"#,
        "\n",
        // A denied call that failed upstream has nothing to give back.
        r#"{"ts":3,"tool":"navigate","args":{"url":"https://example.com"},"outcome":"error"}"#,
        "\n",
        r#"{"ts":4,"tool":"navigate","args":{"url":"https://example.com"}}"#,
    );
    let run = Case::new(POLICY, trace).jsonl(&[]);
    assert_eq!(
        run.decisions(),
        [
            "1 allow",
            "2 allow",
            "3 deny rate_limited retry 58",
            "4 deny rate_limited retry 57",
            "5 deny rate_limited retry 56"
        ]
    );
}

// ---- timestamps ---------------------------------------------------------------------------

#[test]
fn timestamps_in_every_form() {
    let trace = [
        r#"{"tool":"snapshot"}"#,
        r#"{"tool":"snapshot","ts":"2026-11-24T11:00:00+01:00"}"#,
        r#"{"tool":"snapshot"}"#,
        r#"{"tool":"snapshot","ts":1795514400.25}"#,
        r#"{"tool":"snapshot","ts":"2026-11-24T10:00:00.3Z"}"#,
        r#"{"tool":"snapshot","ts":"2026-11-24T10:00:01.5-00:30"}"#,
        r#"{"tool":"snapshot","ts":"2026-11-24t10:31:00z"}"#,
        r#"{"tool":"snapshot","ts":1795514400}"#,
    ]
    .join("\n");
    let run = Case::new(POLICY, &trace).jsonl(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ts: Vec<String> = run
        .lines()
        .iter()
        .filter_map(|v| v["ts"].as_str().map(String::from))
        .collect();
    assert_eq!(
        ts,
        [
            // No ts on the first line: time 0.
            "1970-01-01T00:00:00Z",
            "2026-11-24T10:00:00Z",
            // No ts: the previous line's instant.
            "2026-11-24T10:00:00Z",
            "2026-11-24T10:00:00.25Z",
            "2026-11-24T10:00:00.3Z",
            "2026-11-24T10:30:01.5Z",
            "2026-11-24T10:31:00Z",
            // Earlier than already seen: evaluated at the latest time.
            "2026-11-24T10:31:00Z",
        ]
    );
    assert!(
        run.stderr.contains("warning")
            && run.stderr.contains("trace.jsonl:8")
            && run.stderr.contains("2026-11-24T10:00:00Z"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_clock_never_runs_backwards_for_limits() {
    let trace = concat!(
        r#"{"ts":"2026-11-24T10:00:59Z","tool":"navigate","args":{"url":"https://example.com"}}"#,
        "\n",
        r#"{"ts":"2026-11-24T10:01:00Z","tool":"navigate","args":{"url":"https://example.com"}}"#,
        "\n",
        // Stamped in the previous minute, but evaluated at 10:01:00, whose window is used.
        r#"{"ts":"2026-11-24T10:00:30Z","tool":"navigate","args":{"url":"https://example.com"}}"#,
    );
    let run = Case::new(POLICY, trace).jsonl(&[]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.decisions(),
        ["1 allow", "2 allow", "3 deny rate_limited retry 60"]
    );
}

#[test]
fn timestamps_out_of_range_are_malformed() {
    for (ts, column) in [
        ("-1", 25),
        ("253402300800", 25),
        (r#""1969-12-31T23:59:59Z""#, 25),
        (r#""9999-12-31T23:59:59.5Z""#, 25),
        (r#""2026-11-24 10:00:00""#, 25),
        ("true", 25),
    ] {
        let trace = format!("{{\"tool\":\"snapshot\"}}\n{{\"tool\":\"snapshot\",\"ts\":{ts}}}\n");
        let run = Case::new(POLICY, &trace).jsonl(&[]);
        assert_eq!(run.code, 2, "{ts}");
        assert!(
            run.stderr.contains(&format!("trace.jsonl:2:{column}")),
            "{ts}: {}",
            run.stderr
        );
    }
    let max = r#"{"tool":"snapshot","ts":"9999-12-31T23:59:59Z"}"#;
    assert_eq!(Case::new(POLICY, max).jsonl(&[]).code, 0);
}

// ---- malformed lines ----------------------------------------------------------------------

const WITH_BAD_LINE: &str = concat!(
    r#"{"tool":"snapshot"}"#,
    "\n",
    r#"{"tool":"snapshot","grant":5}"#,
    "\n",
    r#"{"tool":"x"}"#,
    "\n",
);

#[test]
fn a_malformed_line_stops_the_run_with_its_location() {
    let run = Case::new(POLICY, WITH_BAD_LINE).jsonl(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("trace.jsonl:2:28") && run.stderr.contains("`grant` must be a string"),
        "{}",
        run.stderr
    );
    // Calls before it were reported; nothing after it, and no summary.
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert_eq!(run.decisions(), ["1 allow"]);
}

#[test]
fn keep_going_reports_and_continues_then_exits_2() {
    let run = Case::new(POLICY, WITH_BAD_LINE).jsonl(&["--keep-going"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("trace.jsonl:2:28"), "{}", run.stderr);
    assert_eq!(run.decisions(), ["1 allow", "3 deny default_deny"]);
    // The summary holds the spec's fields and, as lines were skipped over, how many.
    let summary = run.summary();
    assert_eq!(summary["malformed"], 1);
    assert_eq!(summary["calls"], 2);
    let keys: Vec<&String> = summary
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "calls",
            "skipped",
            "allow",
            "deny",
            "approve",
            "by_reason",
            "expect_failed",
            "malformed"
        ]
    );
}

#[test]
fn malformed_lines_of_every_kind() {
    for (line, column) in [
        // Duplicate keys, at the second one.
        (r#"{"tool":"a","args":{"x":1,"x":2}}"#, 27),
        (r#"{"tool":"a","tool":"b"}"#, 13),
        (r#"{"tool":"a","#, 13),
        (r#"{"tool":"a",}"#, 12),
        (r#"["tool"]"#, 1),
        (r#"{"grant":"g"}"#, 1),
        (r#"{"tool":"a","args":[]}"#, 20),
        (r#"{"tool":"a","args":null}"#, 20),
        (r#"{"tool":"a","outcome":"failed"}"#, 23),
        (r#"{"tool":"a","expect":"maybe"}"#, 22),
        (r#"{"tool":"é","grant":1}"#, 21),
        (r#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#, 1),
        (
            r#"{"jsonrpc":"2.0","id":[1],"method":"tools/call","params":{"name":"a"}}"#,
            23,
        ),
    ] {
        let trace = format!("\n{line}\n");
        let run = Case::new(POLICY, &trace).jsonl(&[]);
        assert_eq!(run.code, 2, "{line}");
        assert!(
            run.stderr.contains(&format!("[trace.jsonl:2:{column}]")),
            "{line}: {}",
            run.stderr
        );
    }
}

#[test]
fn malformed_line_report_shows_the_line_and_a_caret() {
    let run = Case::new(POLICY, WITH_BAD_LINE).jsonl(&[]);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn blank_lines_crlf_and_a_byte_order_mark() {
    let trace = "\u{feff}{\"tool\":\"snapshot\"}\r\n\r\n   \r\n\t\n{\"tool\":\"x\"}\r\n\n";
    let run = Case::new(POLICY, trace).jsonl(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.decisions(), ["1 allow", "5 deny default_deny"]);
    assert_eq!(run.summary()["skipped"], 0);
}

// ---- JSON-RPC -----------------------------------------------------------------------------

const RPC_POLICY: &str = r#"{"version":"1","default":"allow",
  "all_tools":{"limits":[{"counter":"all","window":"day","max":2,"scope":"global"}]}}"#;

fn rpc_call(id: &str) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"t","arguments":{{}}}}}}"#
    )
}

fn rpc_error(id: &str) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":-32603,"message":"failed"}}}}"#)
}

fn rpc_result(id: &str, is_error: bool) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{"content":[],"isError":{is_error}}}}}"#)
}

fn rpc(lines: &[String]) -> Run {
    Case::new(RPC_POLICY, &lines.join("\n")).jsonl(&[])
}

#[test]
fn rpc_ids_match_by_json_value() {
    let run = rpc(&[
        rpc_call("1"),
        rpc_call("2"),
        // 1.0 is id 1: rolled back.
        rpc_error("1.0"),
        // "2" is not id 2: nothing happens.
        rpc_error(r#""2""#),
        rpc_call("3"),
        rpc_call("4"),
    ]);
    assert_eq!(
        run.decisions(),
        [
            "1 allow",
            "2 allow",
            "5 allow",
            "6 deny rate_limited retry 86400"
        ]
    );
    assert_eq!(run.summary()["skipped"], 2);
    // A policy with limits meets calls without times: said once.
    assert_eq!(
        run.stderr.matches("carry no time").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn rpc_is_error_results_roll_back_and_other_results_settle() {
    let run = rpc(&[
        rpc_call("1"),
        rpc_result("1", true),
        rpc_call("2"),
        // Settled by a non-error response: a later error for the same id does nothing.
        rpc_result("2", false),
        rpc_error("2"),
        rpc_result("2", true),
        rpc_call("3"),
        rpc_call("4"),
    ]);
    assert_eq!(
        run.decisions(),
        [
            "1 allow",
            "3 allow",
            "7 allow",
            "8 deny rate_limited retry 86400"
        ]
    );
    assert_eq!(run.summary()["skipped"], 4);
}

/// A session recorded against a server that asks too (sampling, elicitation, roots): both
/// sides number their requests from 0, so the server's requests carry ids of pending calls.
/// A response settles the most recent request pending under its id, so the client's
/// "User rejected sampling request" error does not roll back the call that asked, and the
/// client's answer to an elicitation does not settle the call whose error comes after it.
#[test]
fn rpc_server_requests_sharing_a_call_id_do_not_settle_the_call() {
    let trace = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/traces/server-requests.jsonl"),
    )
    .expect("fixture");
    let policy = r#"{"version":"1","default":"allow",
      "all_tools":{"limits":[{"counter":"all","window":"day","max":1,"scope":"global"}]}}"#;
    let run = Case::new(policy, &trace).jsonl(&[]);
    // Line 8's call is settled by line 12's result and keeps its unit; line 13's call is
    // then denied, so line 16's error has nothing to give back, and line 17 is denied too.
    assert_eq!(
        run.decisions(),
        [
            "8 allow",
            "13 deny rate_limited retry 86400",
            "17 deny rate_limited retry 86400"
        ]
    );
    let quota2 = r#"{"version":"1","default":"allow",
      "all_tools":{"limits":[{"counter":"all","window":"day","max":2,"scope":"global"}]}}"#;
    let run = Case::new(quota2, &trace).jsonl(&[]);
    // With room for two: line 13's call fails (line 16, after the elicitation's answer on
    // line 15) and gives its unit back, so line 17 is allowed.
    assert_eq!(run.decisions(), ["8 allow", "13 allow", "17 allow"]);
    assert_eq!(run.summary()["skipped"], 14);
}

#[test]
fn rpc_a_response_settles_the_most_recent_request_under_its_id() {
    let server_request = |id: &str| {
        format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"sampling/createMessage","params":{{}}}}"#)
    };
    let run = rpc(&[
        rpc_call("0"),
        server_request("0"),
        // The client rejects the server's request: that settles the request, not the call.
        rpc_error("0"),
        // The call's own error then rolls it back.
        rpc_error("0"),
        rpc_call("1"),
        rpc_call("2"),
        rpc_call("3"),
    ]);
    assert_eq!(
        run.decisions(),
        [
            "1 allow",
            "5 allow",
            "6 allow",
            "7 deny rate_limited retry 86400"
        ]
    );
}

#[test]
fn rpc_notifications_and_other_methods_are_skipped() {
    let run = rpc(&[
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#.into(),
        r#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"t"}}"#.into(),
        r#"{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"t"}}"#.into(),
        r#"{"jsonrpc":"2.0","id":null,"result":{}}"#.into(),
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.into(),
        rpc_call("9"),
    ]);
    assert_eq!(run.decisions(), ["6 allow"]);
    let s = run.summary();
    assert_eq!(
        (s["calls"].as_u64(), s["skipped"].as_u64()),
        (Some(1), Some(5))
    );
}

#[test]
fn rpc_a_reused_pending_id_replaces_the_earlier_call() {
    let run = rpc(&[
        rpc_call("7"),
        rpc_call("7"),
        // Rolls back the second call only: the first can no longer be rolled back.
        rpc_error("7"),
        rpc_error("7"),
        rpc_call("8"),
        rpc_call("9"),
    ]);
    assert_eq!(
        run.decisions(),
        [
            "1 allow",
            "2 allow",
            "5 allow",
            "6 deny rate_limited retry 86400"
        ]
    );
}

#[test]
fn rpc_another_request_under_a_pending_id_takes_the_next_response() {
    let run = rpc(&[
        rpc_call("5"),
        rpc_call("6"),
        r#"{"jsonrpc":"2.0","id":5,"method":"ping"}"#.into(),
        // Settles the ping, the most recent request under id 5: call 5 keeps its unit.
        rpc_error("5"),
        rpc_call("7"),
        // The next one settles call 5 and gives its unit back.
        rpc_error("5"),
        rpc_call("8"),
    ]);
    assert_eq!(
        run.decisions(),
        [
            "1 allow",
            "2 allow",
            "5 deny rate_limited retry 86400",
            "7 allow"
        ]
    );
}

#[test]
fn rpc_a_denied_call_with_a_pending_id_replaces_it() {
    let run = rpc(&[
        rpc_call("1"),
        rpc_call("2"),
        // Denied, and takes id 1 over: the error rolls back nothing.
        rpc_call("1"),
        rpc_error("1"),
        rpc_call("3"),
    ]);
    assert_eq!(
        run.decisions(),
        [
            "1 allow",
            "2 allow",
            "3 deny rate_limited retry 86400",
            "5 deny rate_limited retry 86400"
        ]
    );
}

#[test]
fn rpc_calls_happen_at_the_previous_lines_time() {
    let trace = [
        r#"{"ts":"2026-11-24T10:00:00Z","tool":"t"}"#.to_string(),
        rpc_call("1"),
    ]
    .join("\n");
    let run = Case::new(RPC_POLICY, &trace).jsonl(&[]);
    let lines = run.lines();
    assert_eq!(lines[1]["ts"], "2026-11-24T10:00:00Z");
    assert_eq!(lines[1]["grant"], "default");
}

// ---- formats ------------------------------------------------------------------------------

const FORMATS_TRACE: &str = concat!(
    r#"{"ts":"2026-11-24T10:00:00Z","grant":"ci","tool":"navigate","args":{"url":"https://example.com/a"}}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:06Z","grant":"ci","tool":"navigate","args":{"url":"https://example.com/b"},"expect":"allow"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:07Z","grant":"dev","tool":"navigate","args":{"url":"https://evil.test/"}}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:08Z","grant":"dev","tool":"execute"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:09Z","grant":"dev","tool":"session_destroy"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:10Z","grant":"dev","tool":"snapshot"}"#,
    "\n",
    r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    "\n",
);

#[test]
fn json_format() {
    let case = Case::new(POLICY, FORMATS_TRACE);
    let run = Run::of(case.cmd(&["simulate", "trace.jsonl", "--format", "json"]));
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    insta::assert_json_snapshot!(doc);
}

#[test]
fn human_format() {
    let case = Case::new(POLICY, FORMATS_TRACE);
    let run = Run::of(case.cmd(&["simulate", "trace.jsonl"]));
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn names_are_escaped_in_records() {
    let policy = r#"{"version":"1","default":"allow","tools":{"a\"b\\c":{}}}"#;
    let trace = concat!(
        r#"{"grant":"q\"u\\o\te\u0001 é😀","tool":"a\"b\\c"}"#,
        "\n",
        r#"{"grant":"plain","tool":"x\u001fy"}"#,
        "\n",
    );
    let run = Case::new(policy, trace).jsonl(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(lines[0]["grant"], "q\"u\\o\te\u{1} é😀");
    assert_eq!(lines[0]["tool"], "a\"b\\c");
    assert_eq!(lines[0]["rule"], "/tools/a\"b\\c");
    assert_eq!(lines[1]["tool"], "x\u{1f}y");
    assert!(
        run.stdout.contains(r#""grant":"q\"u\\o\te\u0001 é😀""#),
        "{}",
        run.stdout
    );
}

#[test]
fn lines_longer_than_the_read_buffer() {
    let long = "x".repeat(300_000);
    let trace = format!(
        "{{\"tool\":\"snapshot\"}}\n{{\"tool\":\"snapshot\",\"args\":{{\"selector\":\"{long}\"}}}}\n{{\"tool\":\"x\"}}"
    );
    let run = Case::new(POLICY, &trace).jsonl(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.decisions(),
        ["1 allow", "2 allow", "3 deny default_deny"]
    );
}

#[test]
fn validate_args_warns_about_arguments_outside_the_schema() {
    let trace = concat!(
        r#"{"tool":"navigate","args":{"sessionId":"s","url":"https://example.com","waitUntil":"soon"}}"#,
        "\n",
        r#"{"tool":"navigate","args":{"sessionId":"s","url":"https://example.com","waitUntil":"load"}}"#,
    );
    let run = Case::new(POLICY, trace).jsonl(&["--validate-args"]);
    assert!(
        run.stderr
            .contains("trace.jsonl:1: arguments of `navigate` do not match"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("trace.jsonl:2:"), "{}", run.stderr);
    // The machine output carries it too, and it can fail the run.
    assert!(run.lines()[0]["invalid_args"].is_string(), "{}", run.stdout);
    assert!(
        run.lines()[1].get("invalid_args").is_none(),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 0);
    let run = Case::new(POLICY, trace).jsonl(&["--validate-args", "--fail-on-invalid-args"]);
    assert_eq!(run.code, 1);
}

#[test]
fn json_lists_expectation_failures_and_malformed_lines() {
    let case = Case::new(POLICY, WITH_BAD_LINE);
    let run = Run::of(case.cmd(&[
        "simulate",
        "trace.jsonl",
        "--format",
        "json",
        "--keep-going",
    ]));
    assert_eq!(run.code, 2);
    let doc: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["malformed"], 1);
    let trace = concat!(
        r#"{"tool":"snapshot","expect":"deny"}"#,
        "\n",
        r#"{"tool":"nope","expect":"allow"}"#,
    );
    let case = Case::new(POLICY, trace);
    let run = Run::of(case.cmd(&["simulate", "trace.jsonl", "--format", "json"]));
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).expect("json");
    let failures = doc["expectation_failures"].as_array().expect("listed");
    assert_eq!(failures.len(), 2, "{doc}");
    assert_eq!(failures[0]["line"], 1);
    assert_eq!(failures[0]["expected"], "deny");
    assert_eq!(failures[0]["got"], "allow");
    assert_eq!(failures[1]["reason"], "default_deny");
    assert!(failures[1]["at"]
        .as_str()
        .is_some_and(|a| a.starts_with("policy.json:")));
}

#[test]
fn several_traces_name_their_file() {
    let case = Case::new(POLICY, r#"{"tool":"snapshot"}"#);
    std::fs::write(case.dir.path().join("b.jsonl"), r#"{"tool":"x"}"#).expect("write");
    let run = Run::of(case.cmd(&["simulate", "trace.jsonl", "b.jsonl", "--format", "jsonl"]));
    assert_eq!(run.code, 0);
    let lines = run.lines();
    assert_eq!(lines[0]["file"], "trace.jsonl");
    assert_eq!(lines[1]["file"], "b.jsonl");
    assert_eq!(lines[2]["summary"]["calls"], 2);
}

// ---- check --------------------------------------------------------------------------------

fn check(args: &[&str]) -> Run {
    let case = Case::new(POLICY, "");
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    Run::of(case.cmd(&all))
}

#[test]
fn check_decides_one_call() {
    let run = check(&["--tool", "snapshot"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["rule"], "/tools/snapshot");
    assert_eq!(v["at"], "policy.json:6:17");

    let run = check(&["--tool", "execute"]);
    assert_eq!(run.code, 0);
    let v: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        (v["decision"].as_str(), v["rule"].as_str()),
        (Some("approve"), Some("/tools/execute/action"))
    );

    let run = check(&[
        "--tool",
        "navigate",
        "--args",
        r#"{"url":"https://evil.test"}"#,
        "--grant",
        "ci",
    ]);
    assert_eq!(run.code, 1);
    let v: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["reason"], "require_failed");
    assert_eq!(v["rule"], "/tools/navigate/require/0");
    assert_eq!(v["grant"], "ci");

    let run = check(&["--tool", "session_destroy"]);
    assert_eq!(run.code, 1);
    let v: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        (v["reason"].as_str(), v["rule"].as_str()),
        (Some("hidden"), Some("/hide/0"))
    );
}

#[test]
fn check_human_output_names_the_rule() {
    let case = Case::new(POLICY, "");
    let run = Run::of(case.cmd(&["check", "--tool", "nope"]));
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("/default"), "{}", run.stdout);
    assert!(run.stdout.contains("policy.json:3:14"), "{}", run.stdout);
    // An allowed call is a plain line, not a warning.
    let run = Run::of(case.cmd(&["check", "--tool", "snapshot"]));
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("allow: snapshot\n  decided by /tools/snapshot"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("warning"), "{}", run.stdout);
    // A misspelt tool gets a did-you-mean.
    let run = Run::of(case.cmd(&["check", "--tool", "snapshto"]));
    assert!(
        run.stderr.contains("did you mean `snapshot`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_rejects_bad_args_with_exit_2() {
    for bad in ["{", "[1]", "5", r#"{"a":1,"a":2}"#, "{'a':1}", ""] {
        let run = check(&["--tool", "snapshot", "--args", bad]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stdout);
        assert!(run.stderr.contains("--args"), "{bad}: {}", run.stderr);
    }
    let run = check(&["--tool", "snapshot", "--at", "yesterday"]);
    assert_eq!(run.code, 2);
    let run = check(&["--policy", "missing.json", "--tool", "snapshot"]);
    assert_eq!(run.code, 2);
}

/// Documented limits: a trace line past --max-line-bytes is malformed (not held in memory),
/// and a policy past --max-file-bytes is refused, each with a message naming the flag.
#[test]
fn limits_are_errors_that_name_their_flag() {
    let long = format!(
        "{{\"tool\":\"{}\"}}\n{{\"tool\":\"snapshot\"}}\n",
        "a".repeat(500)
    );
    let run = Case::new(POLICY, &long).jsonl(&["--max-line-bytes", "100", "--keep-going"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("trace.jsonl:1 is longer than 100 bytes"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--max-line-bytes"), "{}", run.stderr);
    assert_eq!(run.decisions(), ["2 allow"]);
    let case = Case::new(POLICY, "{\"tool\":\"snapshot\"}\n");
    let run = Run::of(case.cmd(&["--max-file-bytes", "10", "simulate", "trace.jsonl"]));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--max-file-bytes"), "{}", run.stderr);
}

/// Nesting past 128 levels is an error naming `--max-depth`, which raises it (up to 1024,
/// deep enough to read, format, lint, diff and replay without exhausting the stack); a
/// long value is quoted up to `--max-quote-chars` characters.
#[test]
fn depth_and_quote_limits_have_flags() {
    let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let policy = format!(
        r#"{{"version":"1","default":"allow","tools":{{"navigate":{{"deny_if":[{{"path":"args.url","op":"eq","value":{}}}]}}}}}}"#,
        nested(1000)
    );
    let trace = format!(
        "{{\"tool\":\"navigate\",\"args\":{{\"url\":{}}},\"expect\":\"deny\"}}\n",
        nested(1000)
    );
    let case = Case::new(&policy, &trace);
    let run = Run::of(case.cmd(&["simulate", "trace.jsonl"]));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("nesting deeper than 128 levels") && run.stderr.contains("--max-depth"),
        "{}",
        run.stderr
    );
    for args in [
        &["simulate", "trace.jsonl", "--format", "jsonl"][..],
        &["lint", "--format", "json", "policy.json"],
        &["fmt", "--check", "policy.json"],
        &["diff", "policy.json", "policy.json"],
    ] {
        let mut cmd = case.cmd(&["--max-depth", "1024"]);
        cmd.args(args);
        let run = Run::of(cmd);
        assert!(run.code < 2, "{args:?}: {}", run.stderr);
    }
    let run = Run::of(case.cmd(&["--max-depth", "1025", "lint", "policy.json"]));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("1..=1024"), "{}", run.stderr);

    let name = "x".repeat(500);
    let case = Case::new(POLICY, &format!("{{\"tool\":\"{name}\"}}\n"));
    let run = Run::of(case.cmd(&["simulate", "trace.jsonl"]));
    assert!(run.stdout.contains("… (500 bytes)"), "{}", run.stdout);
    assert!(!run.stdout.contains(&name[..61]), "{}", run.stdout);
    assert!(run.stdout.contains("\n1 call: 0 allowed"), "{}", run.stdout);
    let run = Run::of(case.cmd(&["--max-quote-chars", "1000", "simulate", "trace.jsonl"]));
    assert!(run.stdout.contains(&name), "{}", run.stdout);
}

/// `--threads` changes nothing in the output, on a trace of many real-size chunks with a
/// line longer than a chunk (kept) and one past `--max-line-bytes` (dropped as it is read).
#[test]
fn threads_give_the_same_output_as_one() {
    let mut trace = String::new();
    for i in 0..20_000 {
        trace.push_str(&format!(
            "{{\"ts\":{},\"grant\":\"g{}\",\"tool\":\"snapshot\",\"args\":{{\"n\":{i}}}}}\n",
            1_795_478_400 + i / 7,
            i % 3
        ));
        if i == 5_000 {
            trace.push_str(&format!(
                "{{\"tool\":\"snapshot\",\"args\":{{\"pad\":\"{}\"}}}}\n",
                "p".repeat(600_000)
            ));
        }
        if i == 9_000 {
            trace.push_str(&format!("{{\"tool\":\"{}\"}}\n", "x".repeat(3_000_000)));
        }
    }
    let case = Case::new(POLICY, &trace);
    let run = |threads: &str| {
        let mut cmd = case.cmd(&[
            "simulate",
            "trace.jsonl",
            "--format",
            "jsonl",
            "--keep-going",
        ]);
        cmd.args(["--max-line-bytes", "1000000", "--threads", threads]);
        cmd.args(["--report", &format!("report{threads}.html")]);
        Run::of(cmd)
    };
    let one = run("1");
    assert!(
        one.stderr.contains("trace.jsonl:9003 is longer than"),
        "{}",
        one.stderr
    );
    for threads in ["2", "4"] {
        let many = run(threads);
        assert_eq!(many.code, one.code);
        assert!(
            many.stdout == one.stdout,
            "stdout differs with {threads} threads"
        );
        assert_eq!(many.stderr, one.stderr);
        let report =
            |t: &str| std::fs::read(case.dir.path().join(format!("report{t}.html"))).unwrap();
        assert!(
            report(threads) == report("1"),
            "the report differs with {threads} threads"
        );
    }
}

/// A reader that goes away (`simulate … | head -1`) is a write error named as one, exit 2,
/// whatever the number of threads.
#[test]
fn a_closed_output_is_a_write_error() {
    let trace: String = (0..30_000)
        .map(|i| format!("{{\"ts\":{},\"tool\":\"snapshot\"}}\n", 1_795_478_400 + i))
        .collect();
    let case = Case::new(POLICY, &trace);
    for threads in ["1", "2"] {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("policylayer"));
        cmd.current_dir(case.dir.path())
            .args([
                "simulate",
                "trace.jsonl",
                "--format",
                "jsonl",
                "--threads",
                threads,
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{threads}: {stderr}");
        assert!(
            stderr.contains("cannot write output"),
            "{threads}: {stderr}"
        );
    }
}
