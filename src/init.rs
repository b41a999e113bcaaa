//! `policylayer init`: a starting policy derived from a catalogue, in the recommended
//! posture: deny by default, destructive tools hidden, critical tools behind a person,
//! every other write-like tool rate-limited, URL arguments restricted to a host list the
//! user edits, and an `all_tools` quota. Generated from the catalogue alone, so it serves
//! any server, and it lints without errors by construction (a test holds it to that).

use serde_json::{json, Map, Value};

use crate::catalog::{Catalog, Category, Risk, Signal, Tool};

/// Placeholder hosts: the user replaces them with the sites the agent may visit.
const HOSTS: [&str; 2] = ["example.com", "*.example.com"];

/// The starting policy as text, in `fmt`'s canonical layout.
pub fn starting_policy_text(catalog: &Catalog) -> String {
    let raw = serde_json::to_string(&starting_policy(catalog)).unwrap_or_default();
    // Our own output always parses; if it ever did not, the raw text is still valid JSON.
    match crate::policy::Policy::parse(crate::source::SourceFile::new("policy.json", raw.clone())) {
        Ok(policy) => crate::fmt::format(&policy),
        Err(_) => raw,
    }
}

/// The starting policy as a JSON value.
pub fn starting_policy(catalog: &Catalog) -> Value {
    let mut hide = Vec::new();
    let mut tools = Map::new();
    let mut sorted: Vec<&Tool> = catalog.tools().iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for tool in sorted {
        if tool.category == Category::Destructive {
            hide.push(Value::String(tool.name.clone()));
            continue;
        }
        tools.insert(tool.name.clone(), rule_for(tool));
    }
    json!({
        "version": "1",
        "default": "deny",
        "hide": hide,
        "all_tools": { "limits": [ { "counter": "all_calls", "window": "minute", "max": 300, "scope": "grant" } ] },
        "tools": tools,
    })
}

fn rule_for(tool: &Tool) -> Value {
    let mut rule = Map::new();
    if tool.category == Category::Read {
        return Value::Object(rule);
    }
    if tool.risk == Risk::Critical {
        rule.insert("action".into(), "approve".into());
    }
    let require: Vec<Value> = tool
        .signals
        .iter()
        .filter_map(|s| match s {
            Signal::UrlInput(path) => {
                Some(json!({ "path": args_path(path), "op": "host_in", "value": HOSTS }))
            }
            _ => None,
        })
        .collect();
    if !require.is_empty() {
        rule.insert("require".into(), require.into());
    }
    let batch = tool.signals.iter().find_map(|s| match s {
        Signal::Batch(path) => Some(path.clone()),
        _ => None,
    });
    let mut limit = json!({ "counter": format!("{}_rate", tool.name), "window": "minute", "max": 30, "scope": "grant" });
    if let Some(path) = batch {
        limit["counter"] = format!("{}_items", tool.name).into();
        limit["max"] = 100.into();
        limit["increment_from"] = args_path(&path).into();
    }
    rule.insert("limits".into(), json!([limit]));
    Value::Object(rule)
}

/// Signal paths are relative to `args`.
fn args_path(path: &str) -> String {
    if path.starts_with('[') {
        format!("args{path}")
    } else {
        format!("args.{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::source::SourceFile;

    #[test]
    fn starting_policy_is_valid_and_lints_without_errors() {
        let catalog = Catalog::leapfrog();
        let text = starting_policy_text(catalog);
        let policy = match Policy::parse(SourceFile::new("policy.json", text)) {
            Ok(p) => p,
            Err(e) => panic!("{e:?}"),
        };
        assert!(policy.hidden_by("profile_delete").is_some());
        assert_eq!(
            policy.tool("execute").map(|t| t.effective_action()),
            Some(crate::policy::Action::Approve)
        );
        let errors: Vec<_> = crate::lint::check(&policy, catalog)
            .into_iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
