//! `diff [OLD] NEW` end to end: a fixture pair for every kind of change, checked in both
//! directions; each format, `--fail-on`, git sides, `--text` and `--trace`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use common::write;

fn policylayer(dir: &Path) -> Command {
    common::policylayer(dir)
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

/// The strongest claim over all changes in one direction: "yes", "maybe" or "no".
fn strongest(v: &Value, key: &str) -> String {
    let rank = |s: &str| match s {
        "yes" => 2,
        "maybe" => 1,
        _ => 0,
    };
    v["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c[key].as_str())
        .max_by_key(|s| rank(s))
        .unwrap_or("no")
        .to_string()
}

fn diff_json(dir: &Path, old: &str, new: &str) -> Value {
    let out = policylayer(dir)
        .args(["diff", old, new, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn matches(expected: &str, got: &str) -> bool {
    expected == got || (expected == "maybe-or-yes" && (got == "maybe" || got == "yes"))
}

#[test]
fn every_kind_of_change_in_both_directions() {
    let mut kinds = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let dir = entry.unwrap().path();
        let expect: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expect.json")).unwrap())
                .unwrap();
        let (l, t) = (
            expect["loosens"].as_str().unwrap(),
            expect["tightens"].as_str().unwrap(),
        );
        let forward = diff_json(&dir, "old.json", "new.json");
        let name = dir.display();
        assert!(
            matches(l, &strongest(&forward, "loosens")),
            "{name}: {forward:#}"
        );
        assert!(
            matches(t, &strongest(&forward, "tightens")),
            "{name}: {forward:#}"
        );
        // The reverse change moves the other way.
        let back = diff_json(&dir, "new.json", "old.json");
        assert!(
            matches(t, &strongest(&back, "loosens")),
            "{name} reversed: {back:#}"
        );
        assert!(
            matches(l, &strongest(&back, "tightens")),
            "{name} reversed: {back:#}"
        );
        kinds += 1;
    }
    assert!(kinds >= 17, "{kinds} fixture pairs");
}

#[test]
fn fail_on_gates_each_direction_and_may_loosen_counts_for_both() {
    let dir = fixtures().join("host-added");
    let run = |d: &Path, extra: &[&str]| {
        policylayer(d)
            .args(["diff", "old.json", "new.json"])
            .args(extra)
            .assert()
    };
    run(&dir, &[]).code(0);
    run(&dir, &["--fail-on", "loosen"]).code(1);
    run(&dir, &["--fail-on", "tighten"]).code(0);
    run(&dir, &["--fail-on", "any"]).code(1);
    let same = fixtures().join("reformatted");
    run(&same, &["--fail-on", "any"])
        .code(0)
        .stdout(predicate::str::contains("No change in access."));
    let regex = fixtures().join("regex-edited");
    run(&regex, &["--fail-on", "loosen"]).code(1);
    run(&regex, &["--fail-on", "tighten"]).code(1);
}

#[test]
fn human_report_is_grouped_with_witnesses() {
    let dir = fixtures().join("host-added");
    let out = policylayer(&dir)
        .args(["diff", "old.json", "new.json"])
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn markdown_is_a_verdict_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let base = fixtures().join("burst-up-rate-down");
    for f in ["old.json", "new.json"] {
        std::fs::copy(base.join(f), dir.path().join(f)).unwrap();
    }
    let out = policylayer(dir.path())
        .args(["diff", "old.json", "new.json", "--format", "markdown"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("**This change loosens access**"), "{text}");
    assert!(
        text.contains("| loosened | `navigate` | write / high |"),
        "{text}"
    );
    assert!(text.contains("| tightened | `navigate` |"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn riskiest_tools_come_first() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "old.json",
        r#"{"version":"1","default":"deny","hide":["session_destroy"]}"#,
    );
    write(
        dir.path(),
        "new.json",
        r#"{"version":"1","default":"deny","tools":{"snapshot":{},"session_destroy":{}}}"#,
    );
    let v = diff_json(dir.path(), "old.json", "new.json");
    let tools: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["tool"].as_str())
        .collect();
    assert_eq!(tools, ["session_destroy", "snapshot"]);
    assert_eq!(v["changes"][0]["category"], "destructive");
    assert_eq!(
        v["changes"][0]["loosening_witness"]["new"]["decision"],
        "allow"
    );
}

#[test]
fn text_is_the_diff_of_the_canonical_forms() {
    let dir = fixtures().join("reformatted");
    policylayer(&dir)
        .args(["diff", "old.json", "new.json", "--text"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("@@").not());
    let dir = fixtures().join("max-raised");
    policylayer(&dir)
        .args(["diff", "old.json", "new.json", "--text"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("+").and(predicate::str::contains("\"max\": 60")));
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Process::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn sides_can_be_git_revisions_and_one_side_means_head() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::copy(
        fixtures().join("host-added/old.json"),
        d.join("policy.json"),
    )
    .unwrap();
    git(d, &["add", "policy.json"]);
    git(d, &["commit", "-q", "-m", "policy"]);
    std::fs::copy(
        fixtures().join("host-added/new.json"),
        d.join("policy.json"),
    )
    .unwrap();
    policylayer(d)
        .args(["diff", "policy.json", "--fail-on", "loosen"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Loosened"));
    policylayer(d)
        .args([
            "diff",
            "HEAD:policy.json",
            "policy.json",
            "--format",
            "json",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"old\": \"HEAD:policy.json\""));
    // As the pre-commit hook calls it: every staged file against HEAD.
    std::fs::copy(
        fixtures().join("host-added/old.json"),
        d.join("second.json"),
    )
    .unwrap();
    git(d, &["add", "second.json"]);
    git(d, &["commit", "-q", "-m", "second"]);
    policylayer(d)
        .args([
            "diff",
            "--against",
            "HEAD",
            "second.json",
            "--fail-on",
            "loosen",
        ])
        .assert()
        .code(0);
    policylayer(d)
        .args([
            "diff",
            "--against",
            "HEAD",
            "second.json",
            "policy.json",
            "--fail-on",
            "loosen",
        ])
        .assert()
        .code(1);
    policylayer(d)
        .args(["diff", "a.json", "b.json", "c.json"])
        .assert()
        .code(2);
    policylayer(d)
        .args(["diff", "nope:policy.json", "policy.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read nope:policy.json"));
    policylayer(d)
        .args(["diff", "HEAD:missing.json", "policy.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("HEAD:missing.json"));
}

#[test]
fn trace_reports_the_calls_whose_decision_changed() {
    let dir = tempfile::tempdir().unwrap();
    let base = fixtures().join("host-added");
    for f in ["old.json", "new.json"] {
        std::fs::copy(base.join(f), dir.path().join(f)).unwrap();
    }
    write(
        dir.path(),
        "t.jsonl",
        concat!(
            "{\"tool\":\"navigate\",\"args\":{\"url\":\"https://example.com/\"}}\n",
            "{\"tool\":\"navigate\",\"args\":{\"url\":\"https://docs.example.org/\"}}\n",
            "{\"tool\":\"navigate\",\"args\":{\"url\":\"https://evil.com/\"}}\n",
            "{\"tool\":\"navigate\",\"args\":{\"url\":\"https://a.example.org/\"}}\n",
        ),
    );
    let v = {
        let out = policylayer(dir.path())
            .args([
                "diff", "old.json", "new.json", "--trace", "t.jsonl", "--format", "json",
            ])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(v["trace"]["calls"], 4);
    assert_eq!(v["trace"]["changed"], 2);
    assert_eq!(
        v["trace"]["by_tool"][0]["now_allowed"]["first_lines"],
        serde_json::json!(["t.jsonl:2", "t.jsonl:4"])
    );
    policylayer(dir.path())
        .args(["diff", "old.json", "new.json", "--trace", "t.jsonl"])
        .assert()
        .stdout(predicate::str::contains(
            "Replayed 4 calls: 2 decided differently.",
        ));
    write(dir.path(), "bad.jsonl", "{\"tool\":\n");
    policylayer(dir.path())
        .args(["diff", "old.json", "new.json", "--trace", "bad.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.jsonl:1:"));
}

#[test]
fn invalid_policies_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "old.json",
        r#"{"version":"1","default":"deny"}"#,
    );
    write(dir.path(), "new.json", r#"{"version": "1"}"#);
    policylayer(dir.path())
        .args(["diff", "old.json", "new.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing required field `default`"));
    policylayer(dir.path())
        .args(["diff", "old.json", "absent.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read absent.json"));
}
