//! The JSON Schema of the policy format (`policylayer schema`), built from the same lists
//! the validator uses so the two cannot drift apart. A copy is committed as
//! `policies/policy.schema.json` for editors; a test keeps it current.

use serde_json::{json, Value};

use crate::policy::Op;

/// The schema as a value.
pub fn policy_schema() -> Value {
    let ops: Vec<&str> = Op::ALL.iter().map(|o| o.as_str()).collect();
    let integer = json!({ "type": "integer", "minimum": 0, "maximum": 9_007_199_254_740_992_u64 });
    let path = json!({
        "type": "string",
        "pattern": r#"^(grant|tool|args((\.[^.\[\]]+)|(\[([0-9]+|\*|"([^"\\]|\\["\\])*")\]))*)$"#,
        "description": "args.<key>, [N], [*], [\"key\"]; or grant / tool"
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://policylayer.dev/schema/policy-v1.json",
        "title": "policylayer policy (format version 1)",
        "type": "object",
        "additionalProperties": false,
        "required": ["version", "default"],
        "properties": {
            "$schema": { "type": "string" },
            "version": { "const": "1" },
            "default": { "enum": ["allow", "deny"] },
            "hide": { "type": "array", "items": { "type": "string" } },
            "all_tools": {
                "type": "object",
                "additionalProperties": false,
                "properties": { "limits": { "type": "array", "items": { "$ref": "#/$defs/limit" } } }
            },
            "tools": { "type": "object", "additionalProperties": { "$ref": "#/$defs/tool" } }
        },
        "$defs": {
            "tool": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "action": { "enum": ["allow", "deny", "approve"] },
                    "require": { "type": "array", "items": { "$ref": "#/$defs/condition" } },
                    "deny_if": { "type": "array", "items": { "$ref": "#/$defs/condition" } },
                    "limits": { "type": "array", "items": { "$ref": "#/$defs/limit" } },
                    "message": { "type": "string" },
                    "lint": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["ignore", "reason"],
                        "properties": {
                            "ignore": { "type": "array", "items": { "type": "string" } },
                            "reason": { "type": "string", "minLength": 1 }
                        }
                    }
                }
            },
            "condition": {
                "type": "object",
                "additionalProperties": false,
                "required": ["path", "op", "value"],
                "properties": {
                    "path": path,
                    "op": { "enum": ops },
                    "value": true
                },
                "allOf": [
                    { "if": { "properties": { "op": { "enum": ["in", "not_in", "host_in"] } } },
                      "then": { "properties": { "value": { "type": "array" } } } },
                    { "if": { "properties": { "op": { "enum": ["lt", "lte", "gt", "gte"] } } },
                      "then": { "properties": { "value": { "type": "number" } } } },
                    { "if": { "properties": { "op": { "enum": ["regex", "starts_with"] } } },
                      "then": { "properties": { "value": { "type": "string" } } } },
                    { "if": { "properties": { "op": { "const": "exists" } } },
                      "then": { "properties": { "value": { "type": "boolean" } } } },
                    { "if": { "properties": { "op": { "enum": ["len_lt", "len_lte", "len_gt", "len_gte"] } } },
                      "then": { "properties": { "value": integer } } }
                ]
            },
            "limit": {
                "type": "object",
                "additionalProperties": false,
                "required": ["counter", "window", "max"],
                "properties": {
                    "counter": { "type": "string", "minLength": 1 },
                    "window": {
                        "oneOf": [
                            { "enum": ["minute", "hour", "day"] },
                            { "type": "integer", "minimum": 1, "maximum": 9_007_199_254_740_992_u64 }
                        ]
                    },
                    "max": integer,
                    "scope": { "enum": ["grant", "global"] },
                    "increment": integer,
                    "increment_from": { "type": "string", "pattern": "^args(\\.|\\[)" },
                    "algorithm": { "enum": ["fixed", "sliding"] }
                }
            }
        }
    })
}

/// The schema as committed: 2-space indented, trailing newline.
pub fn policy_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&policy_schema()).unwrap_or_default();
    s.push('\n');
    s
}
