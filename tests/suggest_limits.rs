//! `suggest-limits` through the CLI: exact peaks on hand-made traces (fixed against
//! sliding windows at the boundary instant, per grant against global, `increment_from`
//! units, calls the policy denies for another reason left out, JSON-RPC rollback), the
//! existing limit's columns, and the `--write` round trip judged by `lint` and `simulate`.

use std::path::Path;

use serde_json::Value;

mod common;

use common::{policylayer, write};

const POLICY: &str = r#"{
  "version": "1",
  "default": "deny",
  "tools": {
    "navigate": {
      "deny_if": [{ "path": "args.url", "op": "contains", "value": "evil" }]
    },
    "session_create_batch": {
      "limits": [{ "counter": "batch_items", "window": "minute", "max": 3, "increment_from": "args.sessions" }]
    }
  }
}
"#;

fn call(ts: &str, grant: &str, tool: &str, args: &str) -> String {
    format!(r#"{{"ts":"2026-11-24T10:{ts}Z","grant":"{grant}","tool":"{tool}","args":{args}}}"#)
}

/// A JSON-RPC `tools/call` of `navigate` under `id`.
fn rpc(id: u32) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"navigate","arguments":{{"url":"https://a.example"}}}}}}"#
    )
}

/// An error response under `id`: the call pending there failed.
fn failed(id: u32) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":-32603,"message":"failed"}}}}"#)
}

/// A success response under `id`: the call pending there is settled.
fn settled(id: u32) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#)
}

fn suggest(dir: &Path, trace: &[String], extra: &[&str]) -> Vec<Value> {
    write(dir, "trace.jsonl", &(trace.join("\n") + "\n"));
    let out = policylayer(dir)
        .args(["suggest-limits", "trace.jsonl", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["suggestions"].as_array().cloned().unwrap_or_default()
}

/// The row of a tool's measured (proposed) limit.
fn row<'a>(rows: &'a [Value], tool: &str, window: u64, algorithm: &str, scope: &str) -> &'a Value {
    rows.iter()
        .find(|r| {
            r["tool"] == tool
                && r["counter"].is_null()
                && r["window_s"] == window
                && r["algorithm"] == algorithm
                && r["scope"] == scope
        })
        .unwrap_or_else(|| panic!("no {tool} {window} {algorithm} {scope} row in {rows:?}"))
}

#[test]
fn peaks_are_exact_per_window_shape_and_scope() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", POLICY);
    let nav = |ts: &str, grant: &str, url: &str| {
        call(ts, grant, "navigate", &format!(r#"{{"url":"{url}"}}"#))
    };
    let trace = [
        nav("00:10", "alice", "https://a.example"),
        nav("00:50", "alice", "https://a.example"),
        // Denied by deny_if: not traffic a limit sees.
        nav("00:55", "alice", "https://evil.example"),
        nav("01:05", "alice", "https://a.example"),
        // 10:00:10 is exactly a minute ago: it has left the sliding window.
        nav("01:10", "alice", "https://a.example"),
        nav("01:20", "bob", "https://a.example"),
    ];
    let rows = suggest(dir.path(), &trace, &["--window", "minute"]);
    let peak = |alg: &str, scope: &str| row(&rows, "navigate", 60, alg, scope)["peak"].clone();
    assert_eq!(peak("fixed", "grant"), 2.0);
    assert_eq!(peak("fixed", "global"), 3.0);
    assert_eq!(peak("sliding", "grant"), 3.0);
    assert_eq!(peak("sliding", "global"), 4.0);
    let fixed = row(&rows, "navigate", 60, "fixed", "grant");
    assert_eq!(fixed["windows"], 3, "alice 10:00 and 10:01, bob 10:01");
    assert_eq!(fixed["grants"], 2);
    assert_eq!(fixed["suggested_max"], 3, "ceil(2 × 1.5)");
    assert_eq!(fixed["p50"], 2.0);
    assert_eq!(fixed["current_max"], Value::Null);
    // Headroom 1 suggests the peak itself.
    let rows = suggest(dir.path(), &trace, &["--window", "60", "--headroom", "1"]);
    assert_eq!(
        row(&rows, "navigate", 60, "sliding", "global")["suggested_max"],
        4
    );
}

#[test]
fn existing_limits_count_their_own_units_and_denials() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", POLICY);
    let batch = |ts: &str, n: usize| {
        let sessions = vec![r#"{"url":"https://a.example"}"#; n].join(",");
        call(
            ts,
            "alice",
            "session_create_batch",
            &format!(r#"{{"sessions":[{sessions}]}}"#),
        )
    };
    let rows = suggest(dir.path(), &[batch("00:00", 2), batch("00:30", 2)], &[]);
    let existing = rows
        .iter()
        .find(|r| r["counter"] == "batch_items")
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(
        existing["peak"], 4.0,
        "two calls of two items: demand, not what was allowed"
    );
    assert_eq!(existing["current_max"], 3);
    assert_eq!(existing["denied_in_trace"], 1);
    assert_eq!(existing["suggested_max"], 6);
    assert_eq!(existing["pointer"], "/tools/session_create_batch/limits/0");
    assert!(
        existing["note"]
            .as_str()
            .unwrap()
            .starts_with("below the peak"),
        "{existing}"
    );
    // The windows default to the policy's: only minute rows.
    assert!(rows.iter().all(|r| r["window_s"] == 60), "{rows:?}");
    // The proposed limit counts the same units (items, not calls).
    assert_eq!(
        row(&rows, "session_create_batch", 60, "fixed", "grant")["peak"],
        4.0
    );
}

#[test]
fn json_rpc_failures_are_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", POLICY);
    let rows = suggest(
        dir.path(),
        &[rpc(1), failed(1), rpc(2), rpc(3)],
        &["--window", "minute"],
    );
    // Three calls, the first failed and gave its unit back.
    assert_eq!(row(&rows, "navigate", 60, "fixed", "global")["peak"], 2.0);
}

/// Calls pending longer than the shortest window, in a log with thousands of calls
/// pending (where the simulator forgets the calls no count holds any more), are still
/// rolled back while a measured window holds them: on one thread and on two.
#[test]
fn long_pending_calls_are_rolled_back_past_the_pending_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", POLICY);
    let args = r#"{"url":"https://a.example"}"#;
    let mut trace = vec![call("00:00", "g", "navigate", args)];
    // 3,000 calls at 10:00, then 1,200 two minutes later: past 4,096 pending calls the
    // simulator forgets those no count can give back any more.
    trace.extend((1..=3000).map(rpc));
    trace.push(call("02:00", "g", "navigate", args));
    trace.extend((3001..=4200).map(rpc));
    // The first 3,000 fail (their units leave the hour), the next 1,200 succeed.
    trace.extend((1..=3000).map(failed));
    trace.extend((3001..=4200).map(settled));
    trace.push(call("03:00", "g", "navigate", args));
    trace.extend((5001..=8000).map(rpc));
    for threads in ["1", "2"] {
        let rows = suggest(
            dir.path(),
            &trace,
            &["--window", "minute,hour", "--threads", threads],
        );
        // The hour holds the three timed calls, the 1,200 that succeeded and the last
        // 3,000: 4,203. Had the failed 3,000 been forgotten, it would hold 7,203.
        let hour = row(&rows, "navigate", 3600, "sliding", "global");
        assert_eq!(hour["peak"], 4203.0, "{threads} thread(s)");
        assert_eq!(
            row(&rows, "navigate", 3600, "fixed", "global")["peak"],
            4203.0
        );
    }
}

#[test]
fn bad_input_is_exit_2_with_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", POLICY);
    write(
        dir.path(),
        "trace.jsonl",
        "{\"tool\":\"navigate\"}\n{not json\n",
    );
    let out = policylayer(dir.path())
        .args(["suggest-limits", "trace.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("trace.jsonl:2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for bad in [
        &["--window", "fortnight"][..],
        &["--headroom", "0.5"],
        &["--update-existing"],
    ] {
        let out = policylayer(dir.path())
            .args(["suggest-limits", "trace.jsonl"])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let out = policylayer(dir.path())
        .args(["suggest-limits", "missing.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `--write` adds a sized limit to each write-like tool without one; the policy then lints
/// without PL101 for them and replaying the trace denies nothing for a rate limit.
#[test]
fn write_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let policy = r#"{
  "version": "1",
  "default": "allow",
  "hide": ["session_destroy", "profile_delete", "network_intercept", "execute", "add_init_script", "profile_import_from_chrome", "paginate", "session_replay", "api_export", "session_export", "session_export_trace", "session_save_profile", "profile_warm", "wait_for_human", "screenshot", "extract", "fill_form", "session_create"],
  "tools": {
    "act": { "limits": [{ "counter": "acts", "window": "minute", "max": 1 }] },
    "navigate": { "require": [{ "path": "args.url", "op": "host_in", "value": ["example.com"] }] }
  }
}
"#;
    write(dir.path(), "policy.json", policy);
    let mut trace = Vec::new();
    for s in 0..40 {
        let ts = format!("{:02}:{:02}", s / 6, (s * 10) % 60);
        trace.push(call(
            &ts,
            "alice",
            "navigate",
            r#"{"url":"https://example.com/x"}"#,
        ));
        trace.push(call(&ts, "alice", "act", r#"{"action":"click"}"#));
        trace.push(call(
            &ts,
            "bob",
            "session_create_batch",
            r#"{"sessions":[{},{},{}]}"#,
        ));
    }
    write(dir.path(), "trace.jsonl", &(trace.join("\n") + "\n"));
    let before = policylayer(dir.path())
        .args(["lint", "--format", "json", "policy.json"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&before.stdout).contains("PL101"));
    let out = policylayer(dir.path())
        .args([
            "suggest-limits",
            "trace.jsonl",
            "--write",
            "--update-existing",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("policy.json: added limits to"), "{stderr}");
    let written = std::fs::read_to_string(dir.path().join("policy.json")).unwrap();
    assert!(
        written.contains(r#""counter": "navigate_per_minute""#),
        "{written}"
    );
    assert!(
        written.contains(r#""increment_from""#)
            || written.contains("session_create_batch_per_minute"),
        "{written}"
    );
    let lint = policylayer(dir.path())
        .args(["lint", "--format", "json", "policy.json"])
        .output()
        .unwrap();
    let findings: Value = serde_json::from_slice(&lint.stdout).unwrap();
    let pl101: Vec<&Value> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "PL101")
        .collect();
    for tool in ["navigate", "act", "session_create_batch"] {
        assert!(
            !pl101.iter().any(|f| f["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{tool}`"))),
            "{pl101:?}"
        );
    }
    let sim = policylayer(dir.path())
        .args(["simulate", "trace.jsonl", "--format", "jsonl"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&sim.stdout);
    assert!(!text.contains("rate_limited"), "{text}");
    assert!(text.contains("\"allow\":120"), "{text}");
}

/// `lint --fix --trace` sizes PL101's limit from the trace as `suggest-limits` does.
#[test]
fn lint_fix_sizes_pl101_from_a_trace() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policy.json",
        r#"{"version": "1", "default": "deny", "tools": {"navigate": {"require": [{"path": "args.url", "op": "host_in", "value": ["example.com"]}]}}}"#,
    );
    // Six calls in one minute: the peak is 6, the suggestion ceil(6 × 1.5) = 9.
    let trace: Vec<String> = (0..6)
        .map(|s| {
            call(
                &format!("00:{:02}", s * 5),
                "alice",
                "navigate",
                r#"{"url":"https://example.com/"}"#,
            )
        })
        .collect();
    write(dir.path(), "trace.jsonl", &(trace.join("\n") + "\n"));
    let out = policylayer(dir.path())
        .args(["lint", "--fix", "--trace", "trace.jsonl"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let fixed = std::fs::read_to_string(dir.path().join("policy.json")).unwrap();
    assert!(
        fixed.contains(r#""counter": "navigate_rate", "window": "minute", "max": 9"#),
        "{fixed}"
    );
    let out = policylayer(dir.path())
        .args(["lint", "--trace", "trace.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
