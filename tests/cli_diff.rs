//! `diff OLD NEW`: semantic changes per tool, the textual diff, and `--fail-on`.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn policylayer() -> Command {
    let mut cmd = Command::cargo_bin("policylayer").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.env("NO_COLOR", "1");
    cmd
}

const OLD: &str = r#"{
  "version": "1",
  "default": "deny",
  "hide": ["session_destroy"],
  "tools": {
    "navigate": {
      "require": [ { "path": "args.url", "op": "host_in", "value": ["example.com"] } ],
      "limits": [ { "counter": "nav", "window": "minute", "max": 30 } ]
    },
    "snapshot": {}
  }
}
"#;

/// Writes OLD and `new` to a temp dir and runs `diff` there with extra args.
fn diff(new: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.json"), OLD).unwrap();
    std::fs::write(dir.path().join("new.json"), new).unwrap();
    policylayer()
        .current_dir(dir.path())
        .args(["diff", "old.json", "new.json"])
        .args(extra)
        .assert()
}

#[test]
fn identical_policies_report_no_change() {
    diff(OLD, &["--fail-on", "any"])
        .code(0)
        .stdout(predicate::str::contains("No change in access."));
}

#[test]
fn loosening_is_named_per_tool_and_fails_the_check() {
    let new = OLD
        .replace("\"max\": 30", "\"max\": 300")
        .replace("[\"session_destroy\"]", "[]");
    diff(&new, &[])
        .code(0)
        .stdout(
            predicate::str::contains("loosened   navigate")
                .and(predicate::str::contains("session_destroy"))
                .and(predicate::str::contains("hidden → denied by default").not())
                .and(predicate::str::contains("-      \"limits\": [ { \"counter\": \"nav\", \"window\": \"minute\", \"max\": 30 } ]")),
        );
    diff(&new, &["--fail-on", "loosen"]).code(1);
    diff(&new, &["--fail-on", "tighten"]).code(0);
}

#[test]
fn tightening_passes_a_loosen_gate() {
    let new = OLD.replace(
        "\"snapshot\": {}",
        "\"snapshot\": { \"action\": \"approve\" }",
    );
    diff(&new, &["--fail-on", "loosen"])
        .code(0)
        .stdout(predicate::str::contains("tightened  snapshot"));
    diff(&new, &["--fail-on", "tighten"]).code(1);
}

#[test]
fn json_output_lists_changes() {
    let new = OLD.replace("\"default\": \"deny\"", "\"default\": \"allow\"");
    let out = diff(&new, &["--format", "json"])
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["loosened"], true);
    assert_eq!(v["changes"][0]["tool"], Value::Null);
    assert!(v["changes"][0]["change"]
        .as_str()
        .unwrap_or("")
        .contains("default posture deny → allow"));
    assert!(v["text_diff"]
        .as_str()
        .unwrap_or("")
        .contains("+  \"default\": \"allow\","));
}

#[test]
fn invalid_policies_exit_2() {
    diff("{\"version\": \"1\"}", &[])
        .code(2)
        .stderr(predicate::str::contains("missing required field `default`"));
}
