//! Keeping a catalogue in step with its server, through the CLI, against scripted MCP
//! servers (`tests/fixtures/mcp/`): a scan written with `--output`, paginated and noisy
//! servers, slow, crashing and failing ones, `--merge` keeping what a person set, `catalog
//! check` failing on drift, the policy impact, and the curated start for Leapfrog.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/mcp").join(name)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `policylayer ARGS… -- sh scripted_server.sh SCRIPT` in `dir`.
fn with_server(dir: &Path, args: &[&str], script: &str) -> Run {
    let out = Command::cargo_bin("policylayer")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .arg("--")
        .arg("sh")
        .arg(fixture("scripted_server.sh"))
        .arg(fixture(script))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn tool<'a>(catalog: &'a Value, name: &str) -> &'a Value {
    catalog["tools"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == name))
        .unwrap_or_else(|| panic!("no tool {name} in {catalog}"))
}

/// A v1 catalogue on disk, with one tool reviewed by a person.
fn reviewed_v1(dir: &Path) {
    let run = with_server(
        dir,
        &["catalog", "scan", "--output", "files.catalog.json"],
        "files-v1.script",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut catalog = read_json(&dir.join("files.catalog.json"));
    for t in catalog["tools"].as_array_mut().unwrap() {
        if t["name"] == "move_file" {
            t["category"] = json!("destructive");
            t["risk"] = json!("high");
            t["source"] = json!("curated");
            t["summary"] = json!("Move a file, replacing the destination");
            t["note"] = json!("a move overwrites whatever is at the destination");
        }
    }
    fs::write(
        dir.join("files.catalog.json"),
        serde_json::to_string_pretty(&catalog).unwrap(),
    )
    .unwrap();
}

const POLICY: &str = r#"{
  "version": "1",
  "default": "deny",
  "hide": ["list_directory"],
  "tools": {
    "read_file": {},
    "write_file": {
      "deny_if": [{ "path": "args.content", "op": "contains", "value": "password" }],
      "limits": [{ "counter": "writes", "window": "minute", "max": 10 }]
    },
    "move_file": { "action": "approve" },
    "edit_file": {},
    "list_directory": {}
  }
}
"#;

#[test]
fn scan_pages_through_noise_and_writes_its_output_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let run = with_server(
        dir.path(),
        &["catalog", "scan", "--output", "files.catalog.json"],
        "files-v1.script",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A healthy server's stderr is not shown; with --output nothing goes to stdout.
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, "");
    let catalog = read_json(&dir.path().join("files.catalog.json"));
    assert_eq!(
        catalog["server"],
        json!({ "name": "files", "version": "1.0.0" })
    );
    let names: Vec<&str> = catalog["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "read_file",
            "write_file",
            "move_file",
            "list_directory",
            "search_files"
        ]
    );
    // Every entry says where its classification comes from, and why.
    assert_eq!(tool(&catalog, "read_file")["source"], "annotation");
    assert_eq!(
        tool(&catalog, "read_file")["note"],
        "annotation: readOnlyHint is true"
    );
    assert_eq!(tool(&catalog, "move_file")["source"], "inferred");
    assert!(tool(&catalog, "move_file")["note"]
        .as_str()
        .unwrap()
        .starts_with("inferred: "));
    // The catalogue it wrote is one `--catalog` reads.
    let out = Command::cargo_bin("policylayer")
        .unwrap()
        .current_dir(dir.path())
        .args(["catalog", "list", "--catalog", "files.catalog.json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    // Garbage before, between and after answers is skipped.
    let run = with_server(dir.path(), &["catalog", "scan"], "garbage.script");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read_json_str(&run.stdout)["tools"][0]["name"], "read_file");
}

fn read_json_str(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_failing_server_is_exit_2_with_its_stderr() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("keep.json"), "original").unwrap();
    let run = with_server(
        dir.path(),
        &["catalog", "scan", "--output", "keep.json"],
        "crash.script",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("EADDRINUSE: cannot open the database"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("at open (db.js:12)"), "{}", run.stderr);
    // Nothing was written over the output.
    assert_eq!(
        fs::read_to_string(dir.path().join("keep.json")).unwrap(),
        "original"
    );
    let run = with_server(
        dir.path(),
        &["catalog", "scan", "--timeout", "1"],
        "slow.script",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did not answer `initialize` in time"),
        "{}",
        run.stderr
    );
    let run = with_server(dir.path(), &["catalog", "scan"], "error.script");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("Method not found"), "{}", run.stderr);
    // check cannot ask the server either: 2, not 1.
    reviewed_v1(dir.path());
    let run = with_server(
        dir.path(),
        &["catalog", "check", "--catalog", "files.catalog.json"],
        "crash.script",
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
}

#[test]
fn merge_keeps_hand_set_fields_and_reports_the_drift() {
    let dir = tempfile::tempdir().unwrap();
    reviewed_v1(dir.path());
    fs::write(dir.path().join("policy.json"), POLICY).unwrap();
    let run = with_server(
        dir.path(),
        &[
            "catalog",
            "scan",
            "--merge",
            "files.catalog.json",
            "--policy",
            "policy.json",
            "--output",
            "files.catalog.json",
        ],
        "files-v2.script",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let catalog = read_json(&dir.path().join("files.catalog.json"));
    assert_eq!(catalog["server"]["version"], "2.0.0");
    let moved = tool(&catalog, "move_file");
    assert_eq!(
        (&moved["category"], &moved["risk"], &moved["source"]),
        (&json!("destructive"), &json!("high"), &json!("curated"))
    );
    assert_eq!(
        moved["note"],
        "a move overwrites whatever is at the destination"
    );
    assert_eq!(moved["summary"], "Move a file, replacing the destination");
    // The schema is the server's new one.
    assert!(tool(&catalog, "write_file")["input_schema"]["properties"]["text"].is_object());
    let report = run.stdout;
    for expected in [
        "files 2.0.0 differs from the catalogue (files 1.0.0): 2 tools added, 1 removed, 2 changed",
        "  + delete_file (destructive, high risk; inferred: the name word `delete`)",
        "  - list_directory",
        "  ~ write_file\n      + argument `text` (required)\n      - argument `content`",
        "! `maxResults` type \"integer\" → \"string\"",
        "+ argument `mode` (required)",
    ] {
        assert!(report.contains(expected), "{expected}\n---\n{report}");
    }
    // The policy impact names each touched rule at its place.
    for expected in [
        "policy.json:4:12  /hide/0",
        "policy.json:8:29  /tools/write_file/deny_if/0\n      `args.content` is no longer an argument of `write_file`",
        "policy.json:12:5  /tools/edit_file\n      new write tool `edit_file` (medium risk) is let through with no limit",
        "policy.json:13:5  /tools/list_directory\n      rule for `list_directory`, a tool the server no longer has",
    ] {
        assert!(report.contains(expected), "{expected}\n---\n{report}");
    }
    assert!(
        report.contains("4 rules of policy.json touched"),
        "{report}"
    );
}

#[test]
fn check_exits_1_on_drift_and_0_in_step() {
    let dir = tempfile::tempdir().unwrap();
    reviewed_v1(dir.path());
    fs::write(dir.path().join("policy.json"), POLICY).unwrap();
    let run = with_server(
        dir.path(),
        &["catalog", "check", "--catalog", "files.catalog.json"],
        "files-v1.script",
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("matches the catalogue"),
        "{}",
        run.stdout
    );
    let before = fs::read(dir.path().join("files.catalog.json")).unwrap();
    let run = with_server(
        dir.path(),
        &[
            "catalog",
            "check",
            "--catalog",
            "files.catalog.json",
            "--policy",
            "policy.json",
            "--format",
            "json",
        ],
        "files-v2.script",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    // check only reads: the catalogue on disk is as it was.
    assert_eq!(
        fs::read(dir.path().join("files.catalog.json")).unwrap(),
        before
    );
    let report = read_json_str(&run.stdout);
    assert_eq!(report["in_sync"], false);
    assert_eq!(report["added"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["removed"], json!(["list_directory"]));
    assert_eq!(
        report["changed"][0],
        json!({ "tool": "write_file", "changes": [
            { "kind": "property_added", "path": "text", "required": true },
            { "kind": "property_removed", "path": "content" }
        ] })
    );
    let touched: Vec<&str> = report["impact"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["pointer"].as_str())
        .collect();
    assert_eq!(
        touched,
        [
            "/hide/0",
            "/tools/write_file/deny_if/0",
            "/tools/edit_file",
            "/tools/list_directory"
        ]
    );
    // A bad catalogue or policy is exit 2 before the server is started.
    let run = with_server(
        dir.path(),
        &["catalog", "check", "--catalog", "missing.json"],
        "files-v1.script",
    );
    assert_eq!(run.code, 2);
    let run = with_server(
        dir.path(),
        &[
            "catalog",
            "check",
            "--catalog",
            "files.catalog.json",
            "--policy",
            "missing.json",
        ],
        "files-v1.script",
    );
    assert_eq!(run.code, 2);
}

/// Leapfrog's own answer starts from the curated classification: the import is the
/// shipped catalogue byte for byte. `--no-curated` shows the inference alone, and the
/// agreement the docs report is what it gives.
#[test]
fn leapfrog_starts_from_the_curated_catalogue() {
    let import = |extra: &[&str]| {
        let out = Command::cargo_bin("policylayer")
            .unwrap()
            .args([
                "catalog",
                "import",
                "--name",
                "leapfrog",
                "--server-version",
                "0.7.4",
            ])
            .args(extra)
            .arg(root().join("tests/fixtures/leapfrog/tools-list.json"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (curated, report) = import(&[]);
    assert_eq!(
        curated,
        fs::read_to_string(root().join("policies/leapfrog.catalog.json")).unwrap()
    );
    assert!(
        report.contains("leapfrog 0.7.4 matches the catalogue"),
        "{report}"
    );
    let (inferred, _) = import(&["--no-curated"]);
    let inferred = read_json_str(&inferred);
    let curated = read_json_str(&curated);
    let reference =
        read_json(&root().join("tests/fixtures/leapfrog/reference-classification.json"));
    let agree = |field: &str, against: &dyn Fn(&str) -> Value| {
        inferred["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t[field] == against(t["name"].as_str().unwrap()))
            .count()
    };
    let ours = |name: &str, field: &str| tool(&curated, name)[field].clone();
    let theirs = |name: &str, field: &str| reference["tools"][name][field].clone();
    let figures = format!(
        "category {}/37 and risk {}/37 with the shipped catalogue, category {}/37 and risk {}/37 with PolicyLayer's pages",
        agree("category", &|n| ours(n, "category")),
        agree("risk", &|n| ours(n, "risk")),
        agree("category", &|n| theirs(n, "category")),
        agree("risk", &|n| theirs(n, "risk")),
    );
    let docs = fs::read_to_string(root().join("docs/catalog.md")).unwrap();
    assert!(
        docs.contains(&figures),
        "docs/catalog.md should say: {figures}"
    );
}
