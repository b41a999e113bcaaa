//! `catalog list|show|import|scan`, `init` and `--catalog FILE` through the CLI.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn policylayer() -> Command {
    let mut cmd = Command::cargo_bin("policylayer").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.env("NO_COLOR", "1");
    cmd
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn list_shows_every_tool_with_its_classification() {
    let out = policylayer().args(["catalog", "list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("37 tools"), "{text}");
    let execute = text
        .lines()
        .find(|l| l.starts_with("execute "))
        .unwrap_or("");
    assert!(
        execute.contains("execute") && execute.contains("critical"),
        "{execute}"
    );

    let out = policylayer()
        .args(["catalog", "list", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["server"]["name"], "leapfrog");
    assert_eq!(v["tools"].as_array().map(Vec::len), Some(37));
}

#[test]
fn show_prints_the_argument_tree_and_signals() {
    policylayer()
        .args(["catalog", "show", "session_create_batch"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("sessions")
                .and(predicate::str::contains("url_input:sessions[*].url")),
        );
    policylayer()
        .args(["catalog", "show", "navigat"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `navigate`?"));
}

#[test]
fn import_builds_the_leapfrog_signals_from_tools_list() {
    let src = root().join("tests/fixtures/leapfrog/tools-list.json");
    let out = policylayer()
        .args([
            "catalog",
            "import",
            "--name",
            "leapfrog",
            "--server-version",
            "0.7.4",
        ])
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported: Value = serde_json::from_slice(&out.stdout).unwrap();
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("policies/leapfrog.catalog.json")).unwrap(),
    )
    .unwrap();
    let tools = |v: &Value| v["tools"].as_array().cloned().unwrap_or_default();
    for (a, b) in tools(&imported).iter().zip(tools(&shipped)) {
        assert_eq!(a["name"], b["name"]);
        assert_eq!(a["signals"], b["signals"], "{}", a["name"]);
        assert_eq!(a["input_schema"], b["input_schema"]);
    }
    policylayer()
        .args(["catalog", "import", "/nonexistent.json"])
        .assert()
        .code(2);
}

#[test]
fn scan_asks_a_stdio_server_for_its_tools() {
    let server = root().join("tests/data/fake_mcp_server.sh");
    let out = policylayer()
        .args(["catalog", "scan", "--"])
        .arg("sh")
        .arg(&server)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let catalog: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        catalog["server"],
        serde_json::json!({"name": "fake-shop", "version": "1.2.3"})
    );
    let names: Vec<&str> = catalog["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["get_order", "refund_payment", "delete_customer"]);
    let by_name = |n: &str| {
        catalog["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("get_order")["category"], "read");
    assert_eq!(by_name("refund_payment")["category"], "financial");
    assert_eq!(by_name("delete_customer")["category"], "destructive");
    assert_eq!(by_name("get_order")["summary"], "Read one order");
}

#[test]
fn scan_reports_a_server_that_cannot_start_or_exits() {
    policylayer()
        .args(["catalog", "scan", "--", "/nonexistent/server"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot start"));
    policylayer()
        .args(["catalog", "scan", "--", "sh", "-c", "read x; exit 0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exited before answering"));
    policylayer()
        .args([
            "catalog",
            "scan",
            "--timeout",
            "1",
            "--",
            "sh",
            "-c",
            "read x; exec sleep 5",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did not answer"));
}

#[test]
fn a_scanned_catalogue_drives_lint_with_catalog_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = root().join("tests/data/fake_mcp_server.sh");
    let out = policylayer()
        .args(["catalog", "scan", "--"])
        .arg("sh")
        .arg(&server)
        .output()
        .unwrap();
    std::fs::write(dir.path().join("shop.catalog.json"), &out.stdout).unwrap();
    std::fs::write(
        dir.path().join("policy.json"),
        r#"{"version": "1", "default": "deny", "tools": {"get_order": {}, "refund_payment": {}}}"#,
    )
    .unwrap();
    // refund_payment is financial and unlimited: the headline rule fires against this catalogue.
    policylayer()
        .current_dir(dir.path())
        .args(["lint", "--catalog", "shop.catalog.json", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("PL101").and(predicate::str::contains("refund_payment")));
    // The finding rests on a guessed risk, and says so.
    policylayer()
        .current_dir(dir.path())
        .args(["lint", "--catalog", "shop.catalog.json", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "`refund_payment` is financial / high risk as guessed from the tool's name and schema (inferred: the name word `refund`)",
        ));
    policylayer()
        .current_dir(dir.path())
        .args(["lint", "--catalog", "missing.catalog.json"])
        .assert()
        .code(2);
}

#[test]
fn init_writes_a_policy_that_lints_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    policylayer()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("policy.json")).unwrap();
    assert!(text.contains("\"default\": \"deny\""));
    policylayer()
        .current_dir(dir.path())
        .arg("lint")
        .assert()
        .code(0);
    policylayer()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policy.json")).unwrap(),
        text
    );
    policylayer()
        .current_dir(dir.path())
        .args(["init", "--force"])
        .assert()
        .success();
    policylayer()
        .args(["init", "--output", "-"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"hide\""));
}

#[test]
fn explain_prints_rule_docs() {
    policylayer()
        .args(["explain", "PL101"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("## What it does").and(predicate::str::contains("## Fix")),
        );
    policylayer()
        .args(["explain", "pl001"])
        .assert()
        .success()
        .stdout(predicate::str::contains("invalid-json"));
    policylayer().args(["explain", "PL9999"]).assert().code(2);
    policylayer()
        .args(["explain", "--all"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PL101"));
}

#[test]
fn a_bad_catalogue_is_every_error_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.catalog.json");
    std::fs::write(
        &path,
        "{\"server\":{\"name\":\"s\",\"version\":\"1\"},\n\"tools\":[{\"name\":\"a\",\"category\":\"raed\",\"risk\":\"low\",\"summary\":\"\",\"signals\":[],\"input_schema\":{},\"nte\":\"x\"}]}",
    )
    .unwrap();
    let out = policylayer()
        .arg("lint")
        .arg("--catalog")
        .arg(&path)
        .arg(root().join("policies/leapfrog.recommended.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[PL005]: invalid category \"raed\""),
        "{err}"
    );
    assert!(err.contains("bad.catalog.json:2:33]"), "{err}");
    assert!(
        err.contains("error[PL003]: unknown field `nte` in a tool"),
        "{err}"
    );
    assert!(err.contains("did you mean `note`?"), "{err}");
    assert!(!err.contains("catalog::parse"), "{err}");
}

#[test]
fn import_reads_its_answer_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tools.json");
    std::fs::write(
        &path,
        "{\"tools\":[{\"name\":\"a\",\"name\":\"b\",\"inputSchema\":{}}]}",
    )
    .unwrap();
    policylayer()
        .args(["catalog", "import"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PL002").and(predicate::str::contains("tools.json:1:23")));
}

#[test]
fn linting_a_catalogue_by_mistake_stays_short() {
    let out = policylayer()
        .arg("lint")
        .arg(root().join("policies/leapfrog.catalog.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    // One label covers the whole `tools` array: only its first and last lines are shown.
    assert!(
        text.lines().count() < 80,
        "{} lines:\n{text}",
        text.lines().count()
    );
    assert!(
        text.contains("(from here…") && text.contains("…to here"),
        "{text}"
    );
}

/// Terminal manners: the tables fit 80 columns.
#[test]
fn catalog_list_and_a_replay_fit_80_columns() {
    let widest = |args: &[&str]| {
        let out = policylayer()
            .current_dir(root())
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    };
    assert!(widest(&["catalog", "list"]) <= 80);
    // From the policies' folder, as a user in their own repository would run it.
    let out = policylayer()
        .current_dir(root().join("policies"))
        .args([
            "simulate",
            "examples/leapfrog.trace.jsonl",
            "--policy",
            "leapfrog.recommended.json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let long: Vec<&str> = text.lines().filter(|l| l.chars().count() > 80).collect();
    assert!(long.is_empty(), "{long:#?}");
}
