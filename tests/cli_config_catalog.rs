//! A policy remembers its catalogue: `init --catalog FILE -o DIR/policy.json` writes
//! `catalog = "…"` into DIR's `policylayer.toml`, and `lint`, `simulate`, `check` and `diff`
//! of that policy then use that catalogue without `--catalog` (the flag still wins). Run
//! through the CLI with a filesystem-like server's catalogue, whose tools the built-in
//! Leapfrog catalogue does not know.

use std::fs;
use std::path::Path;

mod common;

use common::{policylayer, write};
use serde_json::Value;

const FS_CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/filesystem/fs.catalog.json"
);

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

/// The codes and messages of `lint --format json`.
fn findings(r: &Run) -> Vec<(String, String)> {
    let v: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A project with the filesystem catalogue at its top and an empty `policies/`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(FS_CATALOG, dir.path().join("fs.catalog.json")).unwrap();
    fs::create_dir(dir.path().join("policies")).unwrap();
    dir
}

#[test]
fn init_remembers_the_catalogue_for_every_command() {
    let dir = project();
    let root = dir.path();

    // Without the configuration, the policy is checked against Leapfrog: every tool of it
    // (four rules and the hidden delete_file) is unknown.
    let r = run(root, &["init", "--catalog", "fs.catalog.json", "-o", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    write(root, "policies/policy.json", &r.stdout);
    let r = run(root, &["lint", "--format", "json", "policies/policy.json"]);
    assert_eq!(r.code, 1);
    let found = findings(&r);
    assert_eq!(found.len(), 5, "{found:?}");
    for name in [
        "delete_file",
        "move_file",
        "read_file",
        "read_multiple_files",
        "write_file",
    ] {
        assert!(
            found
                .iter()
                .any(|(code, m)| code == "PL103" && m.contains(&format!("`{name}`"))),
            "{name}: {found:?}"
        );
    }

    // init writes the policy and the configuration next to it; no URL tool, so no word
    // about host lists.
    let r = run(
        root,
        &[
            "init",
            "--catalog",
            "fs.catalog.json",
            "-o",
            "policies/policy.json",
            "--force",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("host"), "{}", r.stderr);
    assert!(
        r.stderr.contains("catalog = \"../fs.catalog.json\""),
        "{}",
        r.stderr
    );
    let config = fs::read_to_string(root.join("policies/policylayer.toml")).unwrap();
    assert!(
        config.contains("\ncatalog = \"../fs.catalog.json\"\n"),
        "{config}"
    );

    // lint needs no --catalog, from the top, from the policy's folder and from elsewhere.
    let r = run(root, &["lint", "policies/policy.json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(run(&root.join("policies"), &["lint"]).code, 0);
    let elsewhere = tempfile::tempdir().unwrap();
    let absolute = root.join("policies/policy.json");
    assert_eq!(
        run(elsewhere.path(), &["lint", absolute.to_str().unwrap()]).code,
        0
    );

    // catalog show, in the policy's folder, shows the filesystem tool.
    let r = run(
        &root.join("policies"),
        &["catalog", "show", "read_multiple_files"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("batch:paths"), "{}", r.stdout);

    // The flag still wins: against Leapfrog the tools are unknown again.
    let leapfrog = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/leapfrog.catalog.json"
    );
    let r = run(
        root,
        &["lint", "--catalog", leapfrog, "policies/policy.json"],
    );
    assert_eq!(r.code, 1);
    let r = run(
        root,
        &["--catalog", leapfrog, "lint", "policies/policy.json"],
    );
    assert_eq!(r.code, 1);

    // check suggests the catalogue's tool (delete_file is only in the catalogue: the
    // policy hides it).
    let r = run(
        root,
        &[
            "check",
            "--policy",
            "policies/policy.json",
            "--tool",
            "delete_fil",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("did you mean `delete_file`?"),
        "{}",
        r.stderr
    );

    // simulate --validate-args checks arguments against the filesystem schemas.
    write(
        root,
        "trace.jsonl",
        "{\"ts\": 1, \"grant\": \"a\", \"tool\": \"read_file\", \"args\": {\"paht\": \"/etc/passwd\"}}\n",
    );
    let simulate = [
        "simulate",
        "trace.jsonl",
        "--policy",
        "policies/policy.json",
        "--validate-args",
        "--fail-on-invalid-args",
        "--format",
        "jsonl",
    ];
    let r = run(root, &simulate);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("invalid_args"), "{}", r.stdout);
    let mut with_flag = simulate.to_vec();
    with_flag.extend(["--catalog", leapfrog]);
    assert_eq!(run(root, &with_flag).code, 0);

    // diff classifies the changed tool with the filesystem catalogue.
    let old = fs::read_to_string(root.join("policies/policy.json")).unwrap();
    let new = old.replace("\"max\": 30,", "\"max\": 90,");
    assert_ne!(old, new);
    write(root, "policies/v2.json", &new);
    let r = run(
        root,
        &[
            "diff",
            "policies/policy.json",
            "policies/v2.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let changes = v["changes"].as_array().cloned().unwrap_or_default();
    assert_eq!(changes.len(), 2, "{v:#}");
    assert!(
        changes
            .iter()
            .all(|c| c["category"] == "write" && c["risk"] == "medium"),
        "{v:#}"
    );

    // Running init again with the same catalogue leaves the configuration alone.
    let r = run(
        root,
        &[
            "init",
            "--catalog",
            "fs.catalog.json",
            "-o",
            "policies/policy.json",
            "--force",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("already has"), "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(root.join("policies/policylayer.toml")).unwrap(),
        config
    );
}

#[test]
fn init_keeps_what_the_configuration_says() {
    let dir = project();
    let root = dir.path();
    let lint_settings = "# the team's settings\n[lint]\nignore = [\"PL114\"]\n";
    write(root, "policies/policylayer.toml", lint_settings);
    let r = run(
        root,
        &[
            "init",
            "--catalog",
            "fs.catalog.json",
            "-o",
            "policies/policy.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(root.join("policies/policylayer.toml")).unwrap(),
        "# the team's settings\ncatalog = \"../fs.catalog.json\"\n\n[lint]\nignore = [\"PL114\"]\n"
    );
    assert_eq!(run(root, &["lint", "policies/policy.json"]).code, 0);

    // A configuration naming another catalogue is not repointed without --force, and
    // nothing is written.
    fs::copy(FS_CATALOG, root.join("other.catalog.json")).unwrap();
    let before = fs::read_to_string(root.join("policies/policylayer.toml")).unwrap();
    let r = run(
        root,
        &[
            "init",
            "--catalog",
            "other.catalog.json",
            "-o",
            "policies/second.json",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("already names the catalogue"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("policylayer.toml:2:11"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert!(!root.join("policies/second.json").exists());
    assert_eq!(
        fs::read_to_string(root.join("policies/policylayer.toml")).unwrap(),
        before
    );

    // A configuration that is not TOML is refused, located, and nothing is written.
    write(root, "policies/policylayer.toml", "[lint\n");
    let r = run(
        root,
        &[
            "init",
            "--catalog",
            "fs.catalog.json",
            "-o",
            "policies/third.json",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not valid TOML"), "{}", r.stderr);
    assert!(r.stderr.contains("policylayer.toml:1:"), "{}", r.stderr);
    assert!(!root.join("policies/third.json").exists());
    assert_eq!(
        fs::read_to_string(root.join("policies/policylayer.toml")).unwrap(),
        "[lint\n"
    );
}

#[test]
fn init_without_a_flag_uses_the_folders_catalogue() {
    let dir = project();
    let root = dir.path();
    write(
        root,
        "policies/policylayer.toml",
        "catalog = \"../fs.catalog.json\"\n",
    );
    let r = run(
        root,
        &["init", "-o", "policies/policy.json", "--posture", "strict"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = fs::read_to_string(root.join("policies/policy.json")).unwrap();
    assert!(text.contains("\"read_multiple_files\": {}"), "{text}");
    assert!(
        text.contains("\"move_file\": { \"action\": \"deny\" }"),
        "{text}"
    );
    assert_eq!(run(root, &["lint", "policies/policy.json"]).code, 0);
}

#[test]
fn the_key_in_a_pyproject_and_its_errors() {
    let dir = project();
    let root = dir.path();
    // Written next to a policy in the current folder, the file is `policylayer.toml`.
    let r = run(root, &["init", "--catalog", "fs.catalog.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("wrote policylayer.toml with catalog = \"fs.catalog.json\""),
        "{}",
        r.stderr
    );
    assert_eq!(run(root, &["lint"]).code, 0);
    fs::remove_file(root.join("policylayer.toml")).unwrap();

    let r = run(root, &["init", "--catalog", "fs.catalog.json", "-o", "-"]);
    write(root, "policies/policy.json", &r.stdout);
    write(
        root,
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.policylayer]\ncatalog = \"fs.catalog.json\"\n",
    );
    assert_eq!(run(root, &["lint", "policies/policy.json"]).code, 0);

    // A misspelt key is a located error, not a silent fall-back to Leapfrog.
    write(
        root,
        "policies/policylayer.toml",
        "catalogue = \"../fs.catalog.json\"\n",
    );
    let r = run(root, &["lint", "policies/policy.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown field `catalogue`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("policylayer.toml:1:1"), "{}", r.stderr);
    // diff and check read the configuration too.
    let r = run(
        root,
        &["diff", "policies/policy.json", "policies/policy.json"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown field `catalogue`"),
        "{}",
        r.stderr
    );

    // A catalogue that is not there is an error at the key, relative to the file's folder.
    write(
        root,
        "policies/policylayer.toml",
        "\ncatalog = \"fs.catalog.json\"\n",
    );
    let r = run(root, &["lint", "--format", "json", "policies/policy.json"]);
    assert_eq!(r.code, 2);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v:#}");
    let message = v[0]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with(
            "the catalogue `fs.catalog.json` named by policies/policylayer.toml is not a file"
        ),
        "{message}"
    );
    assert_eq!(v[0]["location"]["line"], 2);
    assert_eq!(v[0]["location"]["column"], 11);
    assert!(
        v[0]["help"]
            .as_str()
            .is_some_and(|h| h.contains("relative to the folder of")),
        "{v:#}"
    );
    // The flag still works, since it wins.
    let r = run(
        root,
        &[
            "lint",
            "--catalog",
            "fs.catalog.json",
            "policies/policy.json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // `lint --config FILE` serves every policy, its catalogue included (here a folder with
    // no configuration above it).
    let loose = tempfile::tempdir().unwrap();
    let policy = fs::read_to_string(root.join("policies/policy.json")).unwrap();
    write(loose.path(), "policy.json", &policy);
    assert_eq!(run(loose.path(), &["lint"]).code, 1);
    let team = write(root, "team.toml", "catalog = \"fs.catalog.json\"\n");
    let r = run(loose.path(), &["lint", "--config", team.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // Two policies of two folders, each linted against its own catalogue, and a broken
    // catalogue reported once for the policies it serves.
    write(
        root,
        "policies/policylayer.toml",
        "catalog = \"../fs.catalog.json\"\n",
    );
    write(
        root,
        "leapfrog/policy.json",
        r#"{"version":"1","default":"deny","tools":{"snapshot":{}}}"#,
    );
    write(root, "leapfrog/policylayer.toml", "[lint]\n");
    let r = run(
        root,
        &["lint", "policies/policy.json", "leapfrog/policy.json"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    write(root, "broken.catalog.json", "{");
    write(root, "b/one.json", r#"{"version":"1","default":"deny"}"#);
    write(root, "b/two.json", r#"{"version":"1","default":"deny"}"#);
    write(
        root,
        "b/policylayer.toml",
        "catalog = \"../broken.catalog.json\"\n",
    );
    let r = run(
        root,
        &[
            "lint",
            "--format",
            "json",
            "b/one.json",
            "policies/policy.json",
            "b/two.json",
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let files: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["filename"].as_str())
        .collect();
    assert_eq!(files, ["broken.catalog.json"], "{v:#}");
}
