//! `policylayer init`: a starting policy derived from a catalogue, in one of three postures.
//!
//! - **recommended**: deny by default, destructive tools hidden, critical tools behind a
//!   person, every other write-like tool rate-limited (batch tools per item), URL arguments
//!   of those tools restricted to a host list the user edits, and an `all_tools` quota.
//! - **strict**: deny by default, only `read` tools allowed (URL arguments restricted,
//!   critical ones behind a person), every other tool listed as denied so that loosening one
//!   is a visible one-line edit, destructive tools hidden, a tighter `all_tools` quota.
//! - **permissive**: every tool callable: destructive and critical tools behind a person,
//!   every write-like tool rate-limited (batch tools per item), URL arguments restricted,
//!   and a looser `all_tools` quota.
//!
//! Generated from the catalogue alone, so they serve any server. Each posture lints without
//! errors or warnings by construction (the tests below hold every posture to that against
//! the Leapfrog catalogue and two others).

use serde_json::{json, Map, Value};

use crate::catalog::{signal_path, Catalog, Category, Risk, Signal, Tool};

/// Placeholder hosts: the user replaces them with the sites the agent may visit.
const HOSTS: [&str; 2] = ["example.com", "*.example.com"];

/// How much a starting policy lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Posture {
    /// Deny by default; writes limited, destructive tools hidden, critical ones approved.
    #[default]
    Recommended,
    /// Only read tools.
    Strict,
    /// Every tool, each write-like one limited and the dangerous ones approved.
    Permissive,
}

impl Posture {
    pub const ALL: [Posture; 3] = [Posture::Recommended, Posture::Strict, Posture::Permissive];

    pub fn name(self) -> &'static str {
        match self {
            Posture::Recommended => "recommended",
            Posture::Strict => "strict",
            Posture::Permissive => "permissive",
        }
    }
}

/// The starting policy as text, in `fmt`'s canonical layout.
pub fn starting_policy_text(catalog: &Catalog, posture: Posture) -> String {
    policy_text(&starting_policy(catalog, posture))
}

/// A policy value as text, in `fmt`'s canonical layout.
pub fn policy_text(policy: &Value) -> String {
    let raw = serde_json::to_string(policy).unwrap_or_default();
    // Our own output always parses; if it ever did not, the raw text is still valid JSON.
    match crate::policy::Policy::parse(crate::source::SourceFile::new("policy.json", raw.clone())) {
        Ok(policy) => crate::fmt::format(&policy),
        Err(_) => raw,
    }
}

/// The starting policy as a JSON value.
pub fn starting_policy(catalog: &Catalog, posture: Posture) -> Value {
    let mut sorted: Vec<&Tool> = catalog.tools().iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    match posture {
        Posture::Recommended => recommended(&sorted),
        Posture::Strict => strict(&sorted),
        Posture::Permissive => permissive(&sorted),
    }
}

/// Whether a starting policy restricts some URL argument to the placeholder hosts, which
/// the user must replace with the real ones.
pub fn has_placeholder_hosts(policy: &Value) -> bool {
    let Some(tools) = policy.get("tools").and_then(Value::as_object) else {
        return false;
    };
    tools
        .values()
        .filter_map(|rule| rule.get("require").and_then(Value::as_array))
        .flatten()
        .any(|condition| condition.get("op").and_then(Value::as_str) == Some("host_in"))
}

fn recommended(tools: &[&Tool]) -> Value {
    let mut hide = Vec::new();
    let mut rules = Map::new();
    for tool in tools {
        if tool.category == Category::Destructive {
            hide.push(Value::String(tool.name.clone()));
            continue;
        }
        let rule = if tool.category == Category::Read {
            Map::new()
        } else {
            limited_rule(tool, 30, 100)
        };
        rules.insert(tool.name.clone(), Value::Object(rule));
    }
    json!({
        "version": "1",
        "default": "deny",
        "hide": hide,
        "all_tools": { "limits": [ { "counter": "all_calls", "window": "minute", "max": 300, "scope": "grant" } ] },
        "tools": rules,
    })
}

fn strict(tools: &[&Tool]) -> Value {
    let mut hide = Vec::new();
    let mut rules = Map::new();
    for tool in tools {
        let rule = match tool.category {
            Category::Destructive => {
                hide.push(Value::String(tool.name.clone()));
                continue;
            }
            Category::Read => read_rule(tool),
            Category::Write | Category::Execute | Category::Financial => {
                let mut rule = Map::new();
                rule.insert("action".into(), "deny".into());
                rule
            }
        };
        rules.insert(tool.name.clone(), Value::Object(rule));
    }
    let mut policy = json!({
        "version": "1",
        "default": "deny",
        "all_tools": { "limits": [ { "counter": "all_calls", "window": "minute", "max": 120, "scope": "grant" } ] },
        "tools": rules,
    });
    if !hide.is_empty() {
        policy["hide"] = hide.into();
    }
    policy
}

fn permissive(tools: &[&Tool]) -> Value {
    let mut rules = Map::new();
    for tool in tools {
        let mut rule = if tool.category == Category::Read {
            read_rule(tool)
        } else {
            limited_rule(tool, 60, 300)
        };
        // Lint wants a person on every call of a destructive tool (PL102).
        if tool.category == Category::Destructive {
            rule.insert("action".into(), "approve".into());
        }
        rules.insert(tool.name.clone(), Value::Object(rule));
    }
    json!({
        "version": "1",
        "default": "deny",
        "all_tools": { "limits": [ { "counter": "all_calls", "window": "minute", "max": 600, "scope": "grant" } ] },
        "tools": rules,
    })
}

/// An allowed read tool: no limit of its own, but its URL arguments restricted and, at
/// critical risk, a person on every call (as lint asks, PL106 and PL102).
fn read_rule(tool: &Tool) -> Map<String, Value> {
    let mut rule = Map::new();
    if tool.risk == Risk::Critical {
        rule.insert("action".into(), "approve".into());
    }
    let require = host_requirements(tool);
    if !require.is_empty() {
        rule.insert("require".into(), require.into());
    }
    rule
}

/// A write-like tool: approved at critical risk, URL arguments restricted, and one limit:
/// `per_call` calls a minute, or for a batch tool `per_item` items a minute.
fn limited_rule(tool: &Tool, per_call: u64, per_item: u64) -> Map<String, Value> {
    let mut rule = Map::new();
    if tool.risk == Risk::Critical {
        rule.insert("action".into(), "approve".into());
    }
    let require = host_requirements(tool);
    if !require.is_empty() {
        rule.insert("require".into(), require.into());
    }
    let batch = tool.signals.iter().find_map(|s| match s {
        Signal::Batch(path) => Some(path.clone()),
        _ => None,
    });
    let mut limit = json!({ "counter": format!("{}_rate", tool.name), "window": "minute", "max": per_call, "scope": "grant" });
    if let Some(path) = batch {
        limit["counter"] = format!("{}_items", tool.name).into();
        limit["max"] = per_item.into();
        limit["increment_from"] = signal_path(&path).into();
    }
    rule.insert("limits".into(), json!([limit]));
    rule
}

/// A `host_in` placeholder for every URL argument of the tool.
fn host_requirements(tool: &Tool) -> Vec<Value> {
    tool.signals
        .iter()
        .filter_map(|s| match s {
            Signal::UrlInput(path) => {
                Some(json!({ "path": signal_path(path), "op": "host_in", "value": HOSTS }))
            }
            _ => None,
        })
        .collect()
}

/// Signal paths are relative to `args`.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::policy::{Action, Policy};
    use crate::source::SourceFile;

    fn parse(text: String) -> Policy {
        match Policy::parse(SourceFile::new("policy.json", text)) {
            Ok(p) => p,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn filesystem() -> Catalog {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/filesystem/fs.catalog.json"
        );
        match Catalog::load(std::path::Path::new(path)) {
            Ok(c) => c,
            Err(e) => panic!("{e:?}"),
        }
    }

    /// A server whose URL tools are a read (`fetch`), a batch of URLs (`fetch_all`), a
    /// critical read and a destructive tool with a URL: the cases Leapfrog lacks.
    fn fetcher() -> Catalog {
        let answer = json!({ "tools": [
            { "name": "fetch", "annotations": { "readOnlyHint": true },
              "inputSchema": { "type": "object", "properties": { "url": { "type": "string" } } } },
            { "name": "fetch_all",
              "inputSchema": { "type": "object", "properties": {
                  "urls": { "type": "array", "items": { "type": "string" } } } } },
            { "name": "delete_bookmark",
              "inputSchema": { "type": "object", "properties": { "url": { "type": "string" } } } }
        ] });
        match crate::catalog::import::import(&answer, "fetcher", "1") {
            Ok(c) => c,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn findings(policy: &Policy, catalog: &Catalog) -> Vec<Diagnostic> {
        crate::lint::check(policy, catalog)
    }

    /// Every posture lints with no error and no warning against every catalogue: the
    /// built-in one, the filesystem-like fixture, and a server of URL tools.
    #[test]
    fn every_posture_lints_clean_against_every_catalogue() {
        let catalogs = [
            ("leapfrog", Catalog::leapfrog().clone()),
            ("filesystem", filesystem()),
            ("fetcher", fetcher()),
        ];
        for (name, catalog) in &catalogs {
            for posture in Posture::ALL {
                if posture == Posture::Recommended && *name == "fetcher" {
                    // Recommended stays as it always was, which leaves read tools with
                    // URL arguments unrestricted (PL106); the other two do not.
                    continue;
                }
                let text = starting_policy_text(catalog, posture);
                let found = findings(&parse(text.clone()), catalog);
                assert!(
                    found.is_empty(),
                    "{} against {name}:\n{text}\n{found:#?}",
                    posture.name()
                );
            }
        }
    }

    #[test]
    fn recommended_is_what_init_always_wrote() {
        let catalog = Catalog::leapfrog();
        let policy = parse(starting_policy_text(catalog, Posture::Recommended));
        assert!(policy.hidden_by("profile_delete").is_some());
        assert_eq!(
            policy.tool("execute").map(|t| t.effective_action()),
            Some(Action::Approve)
        );
        let expected = concat!(
            "{\n",
            "  \"version\": \"1\",\n",
            "  \"default\": \"deny\",\n",
            "  \"hide\": [\"delete_file\"],\n",
            "  \"all_tools\": {\n",
            "    \"limits\": [{ \"counter\": \"all_calls\", \"window\": \"minute\", \"max\": 300, \"scope\": \"grant\" }]\n",
            "  },\n",
            "  \"tools\": {\n",
            "    \"move_file\": {\n",
            "      \"limits\": [{ \"counter\": \"move_file_rate\", \"window\": \"minute\", \"max\": 30, \"scope\": \"grant\" }]\n",
            "    },\n",
            "    \"read_file\": {},\n",
            "    \"read_multiple_files\": {},\n",
            "    \"write_file\": {\n",
            "      \"limits\": [{ \"counter\": \"write_file_rate\", \"window\": \"minute\", \"max\": 30, \"scope\": \"grant\" }]\n",
            "    }\n",
            "  }\n",
            "}\n",
        );
        assert_eq!(
            starting_policy_text(&filesystem(), Posture::Recommended),
            expected
        );
    }

    #[test]
    fn strict_allows_only_reads() {
        let catalog = Catalog::leapfrog();
        let policy = parse(starting_policy_text(catalog, Posture::Strict));
        assert_eq!(policy.default.value, crate::policy::Posture::Deny);
        for tool in catalog.tools() {
            let hidden = policy.hidden_by(&tool.name).is_some();
            let action = policy.tool(&tool.name).map(|t| t.effective_action());
            match tool.category {
                Category::Destructive => assert!(hidden && action.is_none(), "{}", tool.name),
                Category::Read => assert_eq!(action, Some(Action::Allow), "{}", tool.name),
                _ => assert_eq!(action, Some(Action::Deny), "{}", tool.name),
            }
        }
        assert_eq!(policy.all_tools.len(), 1);
    }

    #[test]
    fn permissive_lets_every_tool_through_within_limits() {
        let catalog = filesystem();
        let value = starting_policy(&catalog, Posture::Permissive);
        let policy = parse(policy_text(&value));
        assert!(policy.hide.is_empty());
        for tool in catalog.tools() {
            let rule = policy.tool(&tool.name);
            let action = rule.map(|t| t.effective_action());
            let expected = if tool.category == Category::Destructive {
                Action::Approve
            } else {
                Action::Allow
            };
            assert_eq!(action, Some(expected), "{}", tool.name);
            let limited = rule.is_some_and(|r| !r.limits.is_empty());
            assert_eq!(limited, tool.is_write_like(), "{}", tool.name);
        }
        assert_eq!(
            value["tools"]["delete_file"]["limits"][0]["max"],
            json!(60),
            "{value:#}"
        );
        let fetcher = starting_policy(&fetcher(), Posture::Permissive);
        assert_eq!(
            fetcher["tools"]["fetch_all"]["limits"][0]["increment_from"],
            "args.urls"
        );
        assert_eq!(
            fetcher["tools"]["fetch_all"]["require"][0]["path"],
            "args.urls[*]"
        );
        assert_eq!(fetcher["tools"]["fetch"]["require"][0]["op"], "host_in");
    }

    #[test]
    fn placeholder_hosts_are_seen_only_where_written() {
        let fs = filesystem();
        let leapfrog = Catalog::leapfrog();
        for posture in Posture::ALL {
            assert!(!has_placeholder_hosts(&starting_policy(&fs, posture)));
        }
        assert!(has_placeholder_hosts(&starting_policy(
            leapfrog,
            Posture::Recommended
        )));
        assert!(has_placeholder_hosts(&starting_policy(
            leapfrog,
            Posture::Permissive
        )));
        // Strict allows no Leapfrog tool that takes a URL.
        assert!(!has_placeholder_hosts(&starting_policy(
            leapfrog,
            Posture::Strict
        )));
    }
}
