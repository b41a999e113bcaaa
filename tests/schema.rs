//! The policy JSON Schema: the committed copy is current, and the shipped policies and the
//! spec's own examples validate against it (with the `jsonschema` crate, as editors would).

use std::path::Path;

use policylayer::schema::{policy_schema, policy_schema_text};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn committed_schema_is_current() {
    let committed = std::fs::read_to_string(root().join("policies/policy.schema.json")).unwrap();
    assert_eq!(
        committed,
        policy_schema_text(),
        "policies/policy.schema.json is stale: run `cargo run -- schema > policies/policy.schema.json`"
    );
}

#[test]
fn schema_command_prints_the_schema() {
    let out = assert_cmd::Command::cargo_bin("policylayer")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), policy_schema_text());
}

#[test]
fn shipped_and_spec_policies_validate() {
    let schema = policy_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut files = vec![
        root().join("policies/leapfrog.recommended.json"),
        root().join("policies/examples/session_create_batch.json"),
        root().join("tests/fixtures/spec-examples/basics.policy.json"),
        root().join("tests/fixtures/spec-examples/jsonrpc.policy.json"),
    ];
    files.extend(
        std::fs::read_dir(root().join("policies/examples"))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json")),
    );
    for file in files {
        let policy = read_json(&file);
        let errors: Vec<String> = validator
            .iter_errors(&policy)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
}

#[test]
fn schema_rejects_what_the_validator_rejects() {
    let validator = jsonschema::validator_for(&policy_schema()).unwrap();
    for bad in [
        r#"{"version": "2", "default": "deny"}"#,
        r#"{"version": "1"}"#,
        r#"{"version": "1", "default": "deny", "tols": {}}"#,
        r#"{"version": "1", "default": "deny", "tools": {"x": {"action": "maybe"}}}"#,
        r#"{"version": "1", "default": "deny", "tools": {"x": {"require": [{"path": "args.a", "op": "lt", "value": "3"}]}}}"#,
        r#"{"version": "1", "default": "deny", "tools": {"x": {"require": [{"path": "argz", "op": "eq", "value": 1}]}}}"#,
        r#"{"version": "1", "default": "deny", "tools": {"x": {"limits": [{"counter": "c", "window": "week", "max": 1}]}}}"#,
        r#"{"version": "1", "default": "deny", "tools": {"x": {"limits": [{"counter": "c", "window": 60, "max": 1.5}]}}}"#,
        r#"{"version": "1", "default": "deny", "tools": {"x": {"lint": {"ignore": ["PL101"]}}}}"#,
    ] {
        let value: serde_json::Value = serde_json::from_str(bad).unwrap();
        assert!(!validator.is_valid(&value), "schema accepted {bad}");
    }
}
