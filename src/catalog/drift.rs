//! Catalogue drift: how a server's tools moved away from a catalogue (`catalog scan
//! --merge`, `catalog check`), and which rules of a policy that touches.
//!
//! Three steps, each a plain function over catalogues:
//! - [`merge`] keeps what a person decided in the old catalogue (category, risk, note,
//!   summary, and where they came from) for every tool the server still has, so a
//!   rescan never throws a review away;
//! - [`compare`] lists tools added, removed, and whose input schema changed, with a
//!   schema-level account of each change (a property added or removed, an argument
//!   newly required, a type or an enum changed);
//! - [`impact`] says which rules of a policy the drift touches: rules of tools that
//!   vanished, conditions and `increment_from` on arguments the new schema no longer
//!   has, and new write-like tools the policy lets through with no limit.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Catalog, Tool};
use crate::lint::rules::input_schema::{resolve, Resolved};
use crate::policy::{Access, Path, Policy, Root};
use crate::source::Span;

/// Tools of `fresh` keep the classification `base` gives them; tools `base` lacks keep
/// `fresh`'s (inferred) one. Names, schemas, signals and order are `fresh`'s: the server
/// is the authority on what it offers, a person on how dangerous it is.
pub fn merge(fresh: Catalog, base: &Catalog) -> Catalog {
    let server = fresh.server().clone();
    let tools = fresh
        .tools
        .into_iter()
        .map(|mut tool| {
            if let Some(kept) = base.tool(&tool.name) {
                tool.category = kept.category;
                tool.risk = kept.risk;
                tool.source = kept.source;
                tool.note.clone_from(&kept.note);
                if !kept.summary.is_empty() {
                    tool.summary.clone_from(&kept.summary);
                }
            }
            tool
        })
        .collect();
    Catalog::indexed(server, tools)
}

/// The curated catalogue to start a scan of this server from: the shipped one whose
/// tools the server mostly has (more than half of them by name), if any.
pub fn curated_base(fresh: &Catalog) -> Option<&'static Catalog> {
    let curated = Catalog::leapfrog();
    let known = curated
        .tools()
        .iter()
        .filter(|t| fresh.tool(&t.name).is_some())
        .count();
    (2 * known > curated.tools().len()).then_some(curated)
}

/// What changed between a catalogue and what the server now advertises.
#[derive(Debug, Default, Serialize)]
pub struct Drift {
    /// Tools the server has and the catalogue does not.
    pub added: Vec<String>,
    /// Tools the catalogue has and the server no longer does.
    pub removed: Vec<String>,
    /// Tools whose input schema differs, with what differs.
    pub changed: Vec<ToolChange>,
}

#[derive(Debug, Serialize)]
pub struct ToolChange {
    pub tool: String,
    pub changes: Vec<SchemaChange>,
}

/// One difference between two input schemas, at a policy path relative to `args`
/// (`sessions[*].url`; empty for the schema's root).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SchemaChange {
    PropertyAdded {
        path: String,
        required: bool,
    },
    PropertyRemoved {
        path: String,
    },
    NowRequired {
        path: String,
    },
    NoLongerRequired {
        path: String,
    },
    TypeChanged {
        path: String,
        old: Value,
        new: Value,
    },
    EnumChanged {
        path: String,
        old: Value,
        new: Value,
    },
    /// Another keyword (`description`, `minimum`, `additionalProperties`, …) differs.
    KeywordChanged {
        path: String,
        keyword: String,
    },
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// `old` is the catalogue on file, `new` what the server advertises.
pub fn compare(old: &Catalog, new: &Catalog) -> Drift {
    let mut drift = Drift::default();
    for tool in new.tools() {
        match old.tool(&tool.name) {
            None => drift.added.push(tool.name.clone()),
            Some(before) if before.input_schema != tool.input_schema => {
                let mut changes = Vec::new();
                schema_changes(&before.input_schema, &tool.input_schema, "", &mut changes);
                drift.changed.push(ToolChange {
                    tool: tool.name.clone(),
                    changes,
                });
            }
            Some(_) => {}
        }
    }
    drift.removed = old
        .tools()
        .iter()
        .filter(|t| new.tool(&t.name).is_none())
        .map(|t| t.name.clone())
        .collect();
    drift
}

/// The keywords [`schema_changes`] reads itself; any other one that differs is reported
/// as a [`SchemaChange::KeywordChanged`].
const STRUCTURE: [&str; 6] = ["type", "enum", "const", "properties", "required", "items"];

fn schema_changes(old: &Value, new: &Value, path: &str, out: &mut Vec<SchemaChange>) {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        if old != new {
            out.push(SchemaChange::KeywordChanged {
                path: path.to_owned(),
                keyword: "(schema)".into(),
            });
        }
        return;
    };
    let get = |o: &Map<String, Value>, k: &str| o.get(k).cloned().unwrap_or(Value::Null);
    if old.get("type") != new.get("type") {
        out.push(SchemaChange::TypeChanged {
            path: path.to_owned(),
            old: get(old, "type"),
            new: get(new, "type"),
        });
    }
    for keyword in ["enum", "const"] {
        if old.get(keyword) != new.get(keyword) {
            out.push(SchemaChange::EnumChanged {
                path: path.to_owned(),
                old: get(old, keyword),
                new: get(new, keyword),
            });
        }
    }
    let empty = Map::new();
    let properties = |o: &Map<String, Value>| {
        o.get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .clone()
    };
    let required = |o: &Map<String, Value>| -> Vec<String> {
        o.get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old_props, new_props) = (properties(old), properties(new));
    let (old_req, new_req) = (required(old), required(new));
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    for (key, schema) in &new_props {
        match old_props.get(key) {
            None => out.push(SchemaChange::PropertyAdded {
                path: child(key),
                required: new_req.contains(key),
            }),
            Some(before) => schema_changes(before, schema, &child(key), out),
        }
    }
    for key in old_props.keys().filter(|k| !new_props.contains_key(*k)) {
        out.push(SchemaChange::PropertyRemoved { path: child(key) });
    }
    for key in new_req.iter().filter(|k| !old_req.contains(k)) {
        if old_props.contains_key(key) || !new_props.contains_key(key) {
            out.push(SchemaChange::NowRequired { path: child(key) });
        }
    }
    for key in old_req.iter().filter(|k| !new_req.contains(k)) {
        if new_props.contains_key(key) {
            out.push(SchemaChange::NoLongerRequired { path: child(key) });
        }
    }
    if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
        schema_changes(a, b, &format!("{path}[*]"), out);
    } else if old.get("items") != new.get("items") {
        out.push(SchemaChange::KeywordChanged {
            path: path.to_owned(),
            keyword: "items".into(),
        });
    }
    let mut others: Vec<&String> = old
        .keys()
        .chain(new.keys().filter(|k| !old.contains_key(*k)))
        .filter(|k| !STRUCTURE.contains(&k.as_str()) && old.get(*k) != new.get(*k))
        .collect();
    others.sort();
    for keyword in others {
        out.push(SchemaChange::KeywordChanged {
            path: path.to_owned(),
            keyword: keyword.clone(),
        });
    }
}

/// A rule of the policy that the drift touches.
#[derive(Debug, Serialize)]
pub struct Impact {
    pub tool: String,
    /// A JSON pointer into the policy.
    pub pointer: String,
    #[serde(skip)]
    pub span: Span,
    pub message: String,
}

/// Which rules of `policy` the move from `old` to `new` touches.
pub fn impact(policy: &Policy, old: &Catalog, new: &Catalog, drift: &Drift) -> Vec<Impact> {
    let mut out = Vec::new();
    for name in &drift.removed {
        if let Some(rule) = policy.tool(name) {
            out.push(Impact {
                tool: name.clone(),
                pointer: rule.pointer(),
                span: rule.key_span,
                message: format!("rule for `{name}`, a tool the server no longer has"),
            });
        }
        if let Some(i) = policy.hidden_by(name) {
            out.push(Impact {
                tool: name.clone(),
                pointer: format!("/hide/{i}"),
                span: policy.hide[i].span,
                message: format!("`hide` names `{name}`, a tool the server no longer has"),
            });
        }
    }
    for change in &drift.changed {
        let (Some(rule), Some(before), Some(after)) = (
            policy.tool(&change.tool),
            old.tool(&change.tool),
            new.tool(&change.tool),
        ) else {
            continue;
        };
        let conditions = [("require", &rule.require), ("deny_if", &rule.deny_if)];
        let condition_paths = conditions.into_iter().flat_map(|(list, conditions)| {
            conditions.iter().enumerate().map(move |(i, c)| {
                (
                    format!("{}/{list}/{i}", rule.pointer()),
                    &c.path.value,
                    c.path.span,
                )
            })
        });
        let limit_paths = rule.limits.iter().enumerate().filter_map(|(i, l)| {
            let from = l.increment_from.as_ref()?;
            Some((
                format!("{}/limits/{i}/increment_from", rule.pointer()),
                &from.value,
                from.span,
            ))
        });
        for (pointer, path, span) in condition_paths.chain(limit_paths) {
            if let Some(message) = lost_argument(path, before, after) {
                out.push(Impact {
                    tool: change.tool.clone(),
                    pointer,
                    span,
                    message,
                });
            }
        }
    }
    if policy.all_tools.is_empty() {
        for name in &drift.added {
            let Some(tool) = new.tool(name).filter(|t| t.is_write_like()) else {
                continue;
            };
            let (pointer, span) = match policy.access(name) {
                Access::Allowed(rule) if rule.limits.is_empty() => (rule.pointer(), rule.key_span),
                Access::DefaultAllowed => ("/default".to_owned(), policy.default.span),
                _ => continue,
            };
            out.push(Impact {
                tool: name.clone(),
                pointer,
                span,
                message: format!(
                    "new {} tool `{name}` ({} risk) is let through with no limit",
                    tool.category, tool.risk
                ),
            });
        }
    }
    out.sort_by_key(|i| i.span.start);
    out
}

/// For a path the old schema resolves: why the new one no longer does, if it does not.
fn lost_argument(path: &Path, before: &Tool, after: &Tool) -> Option<String> {
    if path.root != Root::Args {
        return None;
    }
    let was = matches!(
        resolve(&before.input_schema, &path.segments),
        Resolved::Schema(_) | Resolved::Unknown
    );
    let gone = matches!(
        resolve(&after.input_schema, &path.segments),
        Resolved::NoSuchKey { .. } | Resolved::NotContainer { .. }
    );
    (was && gone).then(|| {
        format!(
            "`{path}` is no longer an argument of `{}`: the condition can no longer match as written",
            after.name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog(tools: Value) -> Catalog {
        super::super::import::import(&json!({ "tools": tools }), "s", "1")
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn schema(properties: Value, required: Value) -> Value {
        json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
    }

    #[test]
    fn schema_changes_are_named_by_path() {
        let old = schema(
            json!({ "path": { "type": "string" }, "mode": { "enum": ["a", "b"] },
                    "items": { "type": "array", "items": { "type": "object", "properties": { "url": { "type": "string" } } } } }),
            json!(["path"]),
        );
        let new = schema(
            json!({ "target": { "type": "string" }, "mode": { "enum": ["a", "b", "c"] },
                    "items": { "type": "array", "items": { "type": "object", "properties": { "url": { "type": "integer" }, "why": { "type": "string", "description": "x" } } } } }),
            json!(["target", "mode"]),
        );
        let mut changes = Vec::new();
        schema_changes(&old, &new, "", &mut changes);
        assert_eq!(
            changes,
            [
                SchemaChange::PropertyAdded {
                    path: "target".into(),
                    required: true
                },
                SchemaChange::EnumChanged {
                    path: "mode".into(),
                    old: json!(["a", "b"]),
                    new: json!(["a", "b", "c"])
                },
                SchemaChange::TypeChanged {
                    path: "items[*].url".into(),
                    old: json!("string"),
                    new: json!("integer")
                },
                SchemaChange::PropertyAdded {
                    path: "items[*].why".into(),
                    required: false
                },
                SchemaChange::PropertyRemoved {
                    path: "path".into()
                },
                SchemaChange::NowRequired {
                    path: "mode".into()
                },
            ]
        );
        let mut none = Vec::new();
        schema_changes(&old, &old, "", &mut none);
        assert!(none.is_empty());
        let mut described = Vec::new();
        schema_changes(&old, &json!({ "description": "d" }), "", &mut described);
        assert!(described.contains(&SchemaChange::KeywordChanged {
            path: String::new(),
            keyword: "description".into()
        }));
    }

    #[test]
    fn merge_keeps_what_a_person_decided() {
        let mut base =
            catalog(json!([{ "name": "fetch_page", "inputSchema": { "type": "object" } }]));
        base.tools[0].category = super::super::Category::Execute;
        base.tools[0].source = super::super::Source::Curated;
        base.tools[0].note = Some("runs scripts".into());
        let fresh = catalog(json!([
            { "name": "fetch_page", "inputSchema": { "type": "object", "properties": {} } },
            { "name": "list_pages", "inputSchema": { "type": "object" } }
        ]));
        let merged = merge(fresh, &base);
        let kept = merged.tool("fetch_page").expect("kept");
        assert_eq!(kept.category, super::super::Category::Execute);
        assert_eq!(kept.note.as_deref(), Some("runs scripts"));
        assert_eq!(
            kept.input_schema,
            json!({ "type": "object", "properties": {} })
        );
        let new = merged.tool("list_pages").expect("added");
        assert_eq!(new.source, super::super::Source::Inferred);
        let drift = compare(&base, &merged);
        assert_eq!(drift.added, ["list_pages"]);
        assert!(drift.removed.is_empty());
        assert_eq!(drift.changed.len(), 1);
    }
}
