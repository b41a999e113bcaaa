//! `lint` through the CLI: output formats, exit codes, configuration, suppressions and
//! fixes. Tests that look at findings select the rules they are about (`--select`), so
//! that rules added later do not change what they check.

use std::fs;
use std::path::Path;

mod common;

use common::{policylayer, write};
use serde_json::Value;

/// A write tool allowed with no limit: PL101, with a safe fix.
const UNLIMITED: &str = r#"{"version":"1","default":"deny","tools":{"navigate":{}}}"#;

/// A read tool with a suppression that suppresses nothing: a PL190 warning.
const UNUSED: &str = r#"{"version":"1","default":"deny","tools":{"snapshot":{"lint":{"ignore":["PL101"],"reason":"read only"}}}}"#;

/// Both, laid out by hand: the findings of the format snapshots.
const MIXED: &str = r#"{
  "version": "1",
  "default": "deny",
  "tools": {
    "navigate": {},
    "snapshot": { "lint": { "ignore": ["PL101"], "reason": "read only" } }
  }
}
"#;

const CLEAN: &str = r#"{"version":"1","default":"deny","tools":{"snapshot":{}}}"#;

/// Not JSON: a trailing comma.
const BROKEN: &str = "{\"version\":\"1\",\"default\":\"deny\",}\n";

const SELECT: &str = "--select=PL101,PL190";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = policylayer(dir).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn codes(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn stamp(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        fs::read(path).unwrap(),
        fs::metadata(path).unwrap().modified().unwrap(),
    )
}

#[test]
fn human_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", MIXED);
    let r = run(dir.path(), &["lint", SELECT]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r
        .stdout
        .ends_with("Found 1 error, 1 warning (2 fixable with --fix).\n"));
    insta::assert_snapshot!("human", r.stdout);
}

#[test]
fn json_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", MIXED);
    let r = run(dir.path(), &["lint", SELECT, "--format", "json"]);
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    insta::assert_json_snapshot!("json", v);
}

#[test]
fn github_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", MIXED);
    let r = run(dir.path(), &["lint", SELECT, "--format", "github"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("github", r.stdout);
}

#[test]
fn github_format_escapes_properties_and_data() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a,b:c%.json", UNLIMITED);
    let r = run(
        dir.path(),
        &["lint", SELECT, "--format", "github", "a,b:c%.json"],
    );
    let line = r.stdout.lines().next().unwrap_or_default();
    assert!(
        line.starts_with(
            "::error file=a%2Cb%3Ac%25.json,line=1,col=42,endLine=1,endColumn=52,title=PL101::"
        ),
        "{line}"
    );
    // The help goes on a second line of the annotation, escaped.
    assert!(line.contains("without any limit%0Ahelp: "), "{line}");
    assert_eq!(r.stdout.lines().count(), 1);
}

/// The official SARIF 2.1.0 schema, from the SARIF SDK's multitool (npm package
/// `@microsoft/sarif-multitool-linux` 5.7.0, MIT), which ships it as `sarif-2.1.0.json`.
fn sarif_schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_valid_sarif(log: &Value) {
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_format_validates_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", MIXED);
    write(dir.path(), "dir with space/broken.json", BROKEN);
    let r = run(
        dir.path(),
        &[
            "lint",
            SELECT,
            "--format",
            "sarif",
            "policy.json",
            "dir with space/broken.json",
        ],
    );
    assert_eq!(r.code, 2);
    let mut log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_valid_sarif(&log);

    let run0 = &mut log["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap().clone();
    // Every rule is described, and each result points at its rule.
    let explained = run(dir.path(), &["explain", "--all"]).stdout;
    assert_eq!(rules.len(), explained.lines().count());
    for result in run0["results"].as_array_mut().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        result.as_object_mut().unwrap().remove("ruleIndex");
    }
    // Only the rules this test is about go in the snapshot; the list grows with rules.
    let kept: Vec<Value> = rules
        .into_iter()
        .filter(|r| ["PL001", "PL101", "PL190"].contains(&r["id"].as_str().unwrap_or_default()))
        .collect();
    run0["tool"]["driver"]["rules"] = Value::Array(kept);
    run0["tool"]["driver"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("sarif", log);
}

#[test]
fn sarif_with_no_findings_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", CLEAN);
    let r = run(dir.path(), &["lint", SELECT, "--format", "sarif"]);
    assert_eq!(r.code, 0);
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("clean.json", CLEAN),
        ("warn.json", UNUSED),
        ("error.json", UNLIMITED),
        ("broken.json", BROKEN),
    ] {
        write(dir.path(), name, text);
    }
    let clean = run(dir.path(), &["lint", SELECT, "clean.json"]);
    assert_eq!(
        (clean.code, clean.stdout.as_str()),
        (0, "All checks passed.\n")
    );
    assert_eq!(run(dir.path(), &["lint", SELECT, "warn.json"]).code, 0);
    assert_eq!(
        run(
            dir.path(),
            &["lint", SELECT, "--deny-warnings", "warn.json"]
        )
        .code,
        1
    );
    assert_eq!(
        run(
            dir.path(),
            &["lint", SELECT, "--deny-warnings", "clean.json"]
        )
        .code,
        0
    );
    assert_eq!(run(dir.path(), &["lint", SELECT, "error.json"]).code, 1);
    // An invalid or missing file is exit 2, and the other files are still reported.
    let r = run(
        dir.path(),
        &[
            "lint",
            SELECT,
            "--format",
            "json",
            "error.json",
            "broken.json",
            "missing.json",
        ],
    );
    assert_eq!(r.code, 2);
    assert_eq!(codes(&r.stdout), ["PL101", "PL001", "PL000"]);
    // The default file is ./policy.json.
    let r = run(dir.path(), &["lint"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("cannot read policy.json"), "{}", r.stdout);
}

#[test]
fn parse_errors_are_reported_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "broken.json", BROKEN);
    let human = run(dir.path(), &["lint", "broken.json"]);
    assert_eq!(human.code, 2);
    assert!(human.stdout.contains("error[PL001]"), "{}", human.stdout);
    assert!(
        human.stdout.contains("broken.json:1:32"),
        "{}",
        human.stdout
    );
    let github = run(dir.path(), &["lint", "--format", "github", "broken.json"]);
    assert_eq!(github.code, 2);
    assert!(
        github
            .stdout
            .starts_with("::error file=broken.json,line=1,col=32,"),
        "{}",
        github.stdout
    );
}

#[test]
fn select_and_ignore() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", MIXED);
    let json = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "json"];
        all.extend(args);
        codes(&run(dir.path(), &all).stdout)
    };
    assert_eq!(json(&[SELECT]), ["PL101", "PL190"]);
    assert_eq!(json(&["--select", "PL19"]), ["PL190"]);
    // Comma-separated and repeatable; `--ignore` adds to `--select`'s choice.
    assert_eq!(
        json(&["--select", "PL101", "--select", "PL190", "--ignore", "PL190"]),
        ["PL101"]
    );
    // PL101 is off, so the suppression of it in `snapshot` has nothing to suppress.
    assert_eq!(
        json(&["--select", "pl101,PL190", "--ignore", "PL101"]),
        ["PL190"]
    );
    let r = run(dir.path(), &["lint", "--select", "PL9"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--select PL9"), "{}", r.stderr);
}

#[test]
fn config_is_found_in_a_parent_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policylayer.toml",
        "[lint]\nselect = [\"PL101\", \"PL190\"]\nignore = [\"PL101\"]\n",
    );
    write(dir.path(), "team/policies/policy.json", UNLIMITED);
    // From the policy's folder, from the root, and from elsewhere: the policy's folder decides.
    assert_eq!(run(&dir.path().join("team/policies"), &["lint"]).code, 0);
    assert_eq!(
        run(dir.path(), &["lint", "team/policies/policy.json"]).code,
        0
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let abs = dir.path().join("team/policies/policy.json");
    assert_eq!(
        run(elsewhere.path(), &["lint", abs.to_str().unwrap()]).code,
        0
    );
    // A nearer file wins; severities are re-levelled.
    write(
        dir.path(),
        "team/policylayer.toml",
        "[lint]\nselect = [\"PL101\"]\n[lint.severity]\nPL101 = \"warning\"\n",
    );
    let r = run(
        dir.path(),
        &["lint", "--format", "json", "team/policies/policy.json"],
    );
    assert_eq!(r.code, 0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["code"], "PL101");
    assert_eq!(v[0]["severity"], "warning");
    // --config replaces discovery.
    write(
        elsewhere.path(),
        "strict.toml",
        "[lint]\nselect = [\"PL101\"]\n",
    );
    let strict = elsewhere.path().join("strict.toml");
    let r = run(
        dir.path(),
        &[
            "lint",
            "--config",
            strict.to_str().unwrap(),
            "team/policies/policy.json",
        ],
    );
    assert_eq!(r.code, 1);
}

#[test]
fn pyproject_section_is_a_config() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n[tool.policylayer.lint]\nselect = [\"PL101\"]\nignore = [\"PL101\"]\n",
    );
    // A pyproject without the section is passed over.
    write(
        dir.path(),
        "sub/pyproject.toml",
        "[tool.ruff]\nline-length = 100\n",
    );
    write(dir.path(), "sub/policy.json", UNLIMITED);
    assert_eq!(run(&dir.path().join("sub"), &["lint"]).code, 0);
    // policylayer.toml in the same folder comes first.
    write(
        dir.path(),
        "sub/policylayer.toml",
        "[lint]\nselect = [\"PL101\"]\n",
    );
    assert_eq!(run(&dir.path().join("sub"), &["lint"]).code, 1);
}

#[test]
fn config_errors_are_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.json", CLEAN);
    write(
        dir.path(),
        "policylayer.toml",
        "[lint]\nselect = [\"PL1\"]\nignroe = [\"PL101\"]\n",
    );
    let r = run(dir.path(), &["lint"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown field `ignroe`"), "{}", r.stderr);
    assert!(r.stderr.contains("policylayer.toml:3:1"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);

    write(
        dir.path(),
        "policylayer.toml",
        "[[lint.suppress]]\ntool = \"navigate\"\ncodes = [\"PL101\"]\nreason = \"\"\n",
    );
    let r = run(dir.path(), &["lint"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("empty suppression reason"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("policylayer.toml:4:10"), "{}", r.stderr);

    write(
        dir.path(),
        "policylayer.toml",
        "[lint]\nignore = [\"PL9\"]\n",
    );
    let r = run(dir.path(), &["lint"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no rule code starts with `PL9`"),
        "{}",
        r.stderr
    );
}

#[test]
fn inline_suppression_and_unused_suppression() {
    let dir = tempfile::tempdir().unwrap();
    let suppressed = r#"{"version":"1","default":"deny","tools":{
        "navigate":{"lint":{"ignore":["PL101","PL190"],"reason":"rate-limited by the proxy"}},
        "snapshot":{"lint":{"ignore":["PL101"],"reason":"read only"}}}}"#;
    write(dir.path(), "policy.json", suppressed);
    let r = run(dir.path(), &["lint", SELECT, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // navigate's PL101 is suppressed; snapshot's suppression is unused; listing PL190 in
    // a suppression is never reported unused.
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(codes(&r.stdout), ["PL190"]);
    assert_eq!(v[0]["location"]["line"], 3);
    assert_eq!(v[0]["severity"], "warning");
    assert_eq!(v[0]["fix"]["applicability"], "safe");
    assert_eq!(
        run(dir.path(), &["lint", SELECT, "--deny-warnings"]).code,
        1
    );
}

#[test]
fn config_suppression_and_unused_config_suppression() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policylayer.toml",
        "[lint]\nselect = [\"PL101\", \"PL190\"]\n\n[[lint.suppress]]\ntool = \"navigate\"\ncodes = [\"PL101\"]\nreason = \"rate-limited by the proxy\"\n\n[[lint.suppress]]\ntool = \"snapshot\"\ncodes = [\"PL101\"]\nreason = \"read only\"\n",
    );
    write(dir.path(), "a.json", UNLIMITED);
    write(dir.path(), "b.json", CLEAN);
    let r = run(
        dir.path(),
        &["lint", "--format", "json", "a.json", "b.json"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(codes(&r.stdout), ["PL190"]);
    assert_eq!(v[0]["filename"], "policylayer.toml");
    assert_eq!(v[0]["location"]["line"], 10);
    // Used by one policy is used: navigate's entry is not reported for b.json.
    let human = run(dir.path(), &["lint", "a.json", "b.json"]);
    assert!(
        human.stdout.contains("policylayer.toml:10:8"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("PL101 reported nothing in tool"),
        "{}",
        human.stdout
    );
}

#[test]
fn fix_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "policy.json", MIXED);
    let r = run(dir.path(), &["lint", SELECT, "--fix"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Fixed 2 problems in 1 file."),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("All checks passed.\n"), "{}", r.stdout);
    let fixed = fs::read_to_string(&path).unwrap();
    // Only the edits changed the file: the rest keeps the user's layout.
    insta::assert_snapshot!("fixed", fixed);
    assert_eq!(
        run(dir.path(), &["lint", SELECT, "--deny-warnings"]).code,
        0
    );
    // Nothing left to fix.
    let again = run(dir.path(), &["lint", SELECT, "--fix"]);
    assert!(!again.stdout.contains("Fixed"), "{}", again.stdout);
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed);
    // The fixed policy formats, and the formatted one passes `fmt --check` and lint.
    assert_eq!(run(dir.path(), &["fmt"]).code, 0);
    assert_eq!(run(dir.path(), &["fmt", "--check"]).code, 0);
    assert_eq!(
        run(dir.path(), &["lint", SELECT, "--deny-warnings"]).code,
        0
    );
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    // PL101 is ignored, so the suppression of it is unused but removing it is unsafe.
    let path = write(
        dir.path(),
        "policy.json",
        r#"{"version":"1","default":"deny","tools":{"navigate":{"action":"deny","lint":{"ignore":["PL101"],"reason":"r"}}}}"#,
    );
    let r = run(dir.path(), &["lint", SELECT]);
    assert!(r.stdout.contains("(1 fixable with --fix)"), "{}", r.stdout);
    let r = run(dir.path(), &["lint", SELECT, "--ignore", "PL101"]);
    assert!(
        r.stdout.contains("(1 fixable with --fix --unsafe-fixes)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("PL101 is not enabled"), "{}", r.stdout);
    let before = fs::read_to_string(&path).unwrap();
    run(dir.path(), &["lint", SELECT, "--ignore", "PL101", "--fix"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
    let r = run(
        dir.path(),
        &[
            "lint",
            SELECT,
            "--ignore",
            "PL101",
            "--fix",
            "--unsafe-fixes",
        ],
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        r#"{"version":"1","default":"deny","tools":{"navigate":{"action":"deny"}}}"#
    );
}

#[test]
fn removing_one_of_several_codes_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    // PL101 reports both write tools (and is suppressed); PL102 reports neither.
    let policy = |first: &str, last: &str| {
        format!(
            r#"{{"version":"1","default":"deny","tools":{{
  "navigate": {{"lint":{{"ignore":{first},"reason":"r"}}}},
  "tab_close": {{"lint":{{"ignore":{last},"reason":"r"}}}}}}}}"#
        )
    };
    let path = write(
        dir.path(),
        "policy.json",
        &policy(r#"["PL101", "PL102"]"#, r#"["PL102",  "PL101"]"#),
    );
    let r = run(
        dir.path(),
        &["lint", "--select", "PL101,PL102,PL190", "--fix"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        policy(r#"["PL101"]"#, r#"["PL101"]"#)
    );
}

#[test]
fn diff_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "policy.json", MIXED);
    let before = stamp(&path);
    let r = run(dir.path(), &["lint", SELECT, "--diff"]);
    assert_eq!(r.code, 1);
    assert_eq!(stamp(&path), before);
    insta::assert_snapshot!("diff", r.stdout);
    assert!(
        r.stderr.contains("Would fix 2 problems in 1 file."),
        "{}",
        r.stderr
    );
    // No fix, no diff: exit 0.
    write(dir.path(), "clean.json", CLEAN);
    let r = run(dir.path(), &["lint", SELECT, "--diff", "clean.json"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn files_that_do_not_parse_are_never_touched() {
    let dir = tempfile::tempdir().unwrap();
    // Broken JSON, and valid JSON that is not a valid policy (a fixable finding would be
    // there otherwise).
    let broken = write(dir.path(), "broken.json", BROKEN);
    let invalid = write(
        dir.path(),
        "invalid.json",
        r#"{"version":"1","default":"deny","tools":{"navigate":{"limit":[]}}}"#,
    );
    let good = write(dir.path(), "good.json", UNLIMITED);
    let before = [stamp(&broken), stamp(&invalid)];
    let r = run(
        dir.path(),
        &[
            "lint",
            SELECT,
            "--fix",
            "broken.json",
            "invalid.json",
            "good.json",
        ],
    );
    assert_eq!(r.code, 2);
    assert_eq!([stamp(&broken), stamp(&invalid)], before);
    // The valid file beside them was fixed.
    assert_ne!(fs::read_to_string(&good).unwrap(), UNLIMITED);
    let r = run(dir.path(), &["lint", "--diff", "broken.json"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.contains("PL001"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "policy.json", UNLIMITED);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(run(dir.path(), &["lint", SELECT, "--fix"]).code, 0);
    assert_ne!(fs::read_to_string(&path).unwrap(), UNLIMITED);
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn fix_keeps_bom_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}{\r\n  \"version\": \"1\",\r\n  \"default\": \"deny\",\r\n  \"tools\": { \"navigate\": {} }\r\n}\r\n";
    let path = write(dir.path(), "policy.json", text);
    assert_eq!(run(dir.path(), &["lint", SELECT, "--fix"]).code, 0);
    let fixed = fs::read_to_string(&path).unwrap();
    assert!(fixed.starts_with('\u{feff}'));
    assert!(fixed.contains("\"navigate\": { \"limits\": ["), "{fixed}");
    assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count());
}

/// Colour follows `--color`, then NO_COLOR, then CLICOLOR_FORCE, then the terminal.
#[test]
fn colour_follows_the_flag_and_the_environment() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |envs: &[(&str, &str)], args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("policylayer").unwrap();
        cmd.current_dir(root)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).contains('\x1b')
    };
    let lint = ["lint", "policies/examples/session_create_batch.json"];
    assert!(!run(&[], &lint), "a pipe is not a terminal");
    assert!(run(&[("CLICOLOR_FORCE", "1")], &lint));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &lint));
    let forced = [
        "lint",
        "--color",
        "always",
        "policies/examples/session_create_batch.json",
    ];
    assert!(run(&[("NO_COLOR", "1")], &forced));
}
