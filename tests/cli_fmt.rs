//! `fmt` through the CLI: the canonical layout, idempotence, meaning kept, `--check`,
//! `--diff`, and files that are not valid policies left untouched.

use std::fs;
use std::path::Path;

mod common;

use common::{policylayer, write};
use policylayer::policy::Policy;
use policylayer::source::SourceFile;
use serde_json::Value;

/// Every part of the format, out of order and laid out carelessly, with literals whose
/// spelling must survive (`1.50`, `1e3`, escapes) and a condition value whose key order
/// is its own.
const MESSY: &str = r#"{"tools": {
  "session_create_batch": {"message": "batch sessions only on example.com",
      "limits": [{"increment_from": "args.sessions", "scope": "grant", "max": 30, "window": "minute", "counter": "batch_rate"}],
      "deny_if": [{"value": 5, "op": "len_gt", "path": "args.sessions"}],
      "require": [{"op": "host_in", "path": "args.sessions[*].url", "value": ["example.com", "*.example.org"]}]},
  "act": {"require": [{"path": "args", "op": "eq", "value": {"z": [1.50, 1e3, null], "a": {"\u00e9": true}}}],
          "limits": [{"counter": "act_rate", "window": 60, "max": 10, "algorithm": "sliding", "increment": 2}],
          "lint": {"reason": "acts are reviewed in the trace", "ignore": ["PL101"]}},
  "execute": {"action": "approve"},
  "add_init_script": { "action": "deny" }
},
"hide": ["session_destroy", "profile_delete"], "all_tools": {"limits": [{"counter": "all", "window": "hour", "max": 1000, "scope": "global"}]},
"default": "deny", "version": "1", "$schema": "./policy.schema.json"}"#;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = policylayer(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn stamp(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        fs::read(path).unwrap(),
        fs::metadata(path).unwrap().modified().unwrap(),
    )
}

fn parse(text: &str) -> Policy {
    Policy::parse(SourceFile::new("p.json", text)).unwrap_or_else(|d| panic!("{d:?}"))
}

/// Lint findings without positions, which formatting moves.
fn findings(dir: &Path, file: &str) -> Vec<(String, String)> {
    let (_, out, _) = run(dir, &["lint", "--format", "json", file]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut all: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].to_string(), d["message"].to_string()))
        .collect();
    all.sort();
    all
}

#[test]
fn formats_canonically_idempotently_and_keeps_the_meaning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "policy.json", MESSY);
    write(dir.path(), "original.json", MESSY);
    let (code, _, err) = run(dir.path(), &["fmt"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "1 file reformatted, 0 files left unchanged\n");
    let formatted = fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!("formatted", formatted);

    // Idempotent: a second run changes nothing, not even the file's time.
    let before = stamp(&path);
    let (code, _, err) = run(dir.path(), &["fmt", "policy.json"]);
    assert_eq!(
        (code, err.as_str()),
        (0, "0 files reformatted, 1 file left unchanged\n")
    );
    assert_eq!(stamp(&path), before);

    // The same document: equal trees (objects compared by key), the same values as
    // serde_json reads them, literals spelled as before, the same findings.
    let (old, new) = (parse(MESSY), parse(&formatted));
    assert!(old.doc.value.deep_eq(&new.doc.value));
    let as_serde = |t: &str| serde_json::from_str::<Value>(t).unwrap();
    assert_eq!(as_serde(MESSY), as_serde(&formatted));
    for literal in [
        "1.50",
        "1e3",
        r#""\u00e9""#,
        r#"{ "z": [1.50, 1e3, null], "a": "#,
    ] {
        assert!(formatted.contains(literal), "{literal} in {formatted}");
    }
    assert_eq!(
        findings(dir.path(), "original.json"),
        findings(dir.path(), "policy.json")
    );
}

#[test]
fn check_lists_the_files_that_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let messy = write(dir.path(), "messy.json", MESSY);
    let tidy = write(dir.path(), "tidy.json", MESSY);
    assert_eq!(run(dir.path(), &["fmt", "tidy.json"]).0, 0);
    let before = stamp(&messy);
    let (code, out, err) = run(dir.path(), &["fmt", "--check", "messy.json", "tidy.json"]);
    assert_eq!(code, 1);
    assert_eq!(out, "Would reformat: messy.json\n");
    assert_eq!(
        err,
        "1 file would be reformatted, 1 file already formatted\n"
    );
    assert_eq!(stamp(&messy), before);
    let (code, out, _) = run(dir.path(), &["fmt", "--check", "tidy.json"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(fs::read_to_string(tidy).unwrap().ends_with("}\n"));
}

#[test]
fn diff_shows_the_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "policy.json",
        r#"{"default":"deny","version":"1","tools":{"snapshot":{}}}"#,
    );
    let before = stamp(&path);
    let (code, out, _) = run(dir.path(), &["fmt", "--check", "--diff"]);
    assert_eq!(code, 1);
    assert_eq!(stamp(&path), before);
    insta::assert_snapshot!("diff", out);
}

#[test]
fn invalid_policies_are_never_touched() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(dir.path(), "broken.json", "{\"version\": \"1\", // no\n}");
    let invalid = write(
        dir.path(),
        "invalid.json",
        r#"{"version":"1","default":"deny","tools":{"navigate":{"limits":[{"counter":"c","window":"minute","max":30.0}]}}}"#,
    );
    let good = write(
        dir.path(),
        "good.json",
        r#"{"version":"1","default":"deny"}"#,
    );
    let before = [stamp(&broken), stamp(&invalid)];
    let (code, _, err) = run(
        dir.path(),
        &["fmt", "broken.json", "invalid.json", "good.json"],
    );
    assert_eq!(code, 2);
    assert_eq!([stamp(&broken), stamp(&invalid)], before);
    assert!(
        err.contains("error[PL001]") && err.contains("error[PL004]"),
        "{err}"
    );
    assert!(
        err.contains("broken.json is not a valid policy; it was not formatted"),
        "{err}"
    );
    // The valid one was formatted all the same.
    assert_eq!(
        fs::read_to_string(good).unwrap(),
        "{\n  \"version\": \"1\",\n  \"default\": \"deny\"\n}\n"
    );
    // A missing file: exit 2, nothing created.
    let (code, _, err) = run(dir.path(), &["fmt", "--check", "missing.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read missing.json"), "{err}");
    assert!(!dir.path().join("missing.json").exists());
}

#[test]
fn bom_crlf_and_permissions_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "policy.json",
        "\u{feff}{\"default\":\"deny\",\r\n\"version\":\"1\"}",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    }
    assert_eq!(run(dir.path(), &["fmt"]).0, 0);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "\u{feff}{\r\n  \"version\": \"1\",\r\n  \"default\": \"deny\"\r\n}\r\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn shipped_policies_keep_their_meaning_and_format_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "policies/leapfrog.recommended.json",
        "policies/examples/session_create_batch.json",
    ] {
        let text = fs::read_to_string(root.join(file)).unwrap();
        write(dir.path(), "policy.json", &text);
        write(dir.path(), "original.json", &text);
        assert_eq!(run(dir.path(), &["fmt"]).0, 0, "{file}");
        let formatted = fs::read_to_string(dir.path().join("policy.json")).unwrap();
        assert!(
            parse(&text).doc.value.deep_eq(&parse(&formatted).doc.value),
            "{file}"
        );
        assert_eq!(run(dir.path(), &["fmt", "--check"]).0, 0, "{file}");
        assert_eq!(
            findings(dir.path(), "original.json"),
            findings(dir.path(), "policy.json"),
            "{file}"
        );
    }
}

/// The policies we ship are in `fmt`'s layout: what users copy is already formatted.
#[test]
fn shipped_policies_are_formatted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_cmd::Command::cargo_bin("policylayer")
        .unwrap()
        .current_dir(root)
        .args([
            "fmt",
            "--check",
            "policies/leapfrog.recommended.json",
            "policies/examples/session_create_batch.json",
        ])
        .assert()
        .code(0);
}

/// `lint --fix` on a formatted policy writes its edits in fmt's layout, so the file stays
/// formatted (no 179-column line appended).
#[test]
fn fixes_keep_a_formatted_file_formatted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.json");
    std::fs::write(
        &path,
        r#"{"version": "1", "default": "deny", "tools": {"navigate": {"require": [{"path": "args.url", "op": "host_in", "value": ["example.com"]}]}}}"#,
    )
    .unwrap();
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("policylayer")
            .unwrap()
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    };
    assert_eq!(run(&["fmt", "policy.json"]).status.code(), Some(0));
    run(&["lint", "--fix", "policy.json"]);
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(fixed.contains("navigate_rate"), "{fixed}");
    assert!(fixed.lines().all(|l| l.len() <= 100), "{fixed}");
    assert_eq!(
        run(&["fmt", "--check", "policy.json"]).status.code(),
        Some(0),
        "{fixed}"
    );
}

/// A write that fails part-way (here the file-size limit, which stops root as well as
/// anyone) leaves the policy byte for byte as it was and no temporary file, for `fmt` and
/// `lint --fix`, and says so with exit 2.
#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_original_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let tools: Vec<String> = (0..300).map(|i| format!("\"t{i}\":{{}}")).collect();
    // The `hide` entry written twice gives `lint --fix` a safe fix to write.
    let compact = format!(
        "{{\"version\":\"1\",\"default\":\"deny\",\"hide\":[\"t0\",\"t0\"],\"tools\":{{{}}}}}",
        tools.join(",")
    );
    write(dir.path(), "policy.json", &compact);
    let bin = assert_cmd::cargo::cargo_bin("policylayer");
    for command in ["fmt policy.json", "lint --fix policy.json"] {
        // SIGXFSZ ignored, so the write fails with EFBIG instead of killing the process;
        // 2 KiB is less than the formatted policy.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "trap '' XFSZ; ulimit -f 2; exec '{}' {command}",
                bin.display()
            ))
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("cannot write policy.json"),
            "{command}: {stderr}"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("policy.json")).unwrap(),
            compact
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["policy.json"], "{command}");
    }
}
