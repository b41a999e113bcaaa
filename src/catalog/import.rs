//! Building a catalogue from an MCP server's `tools/list` answer
//! (`catalog import`, `catalog scan`).
//!
//! Signals come from the schema exactly as for the shipped catalogue; category
//! and risk are a first guess from the tool's name, its signals and the MCP
//! annotations, for a person to review before the catalogue is trusted.

use miette::{miette, Report};
use serde_json::Value;

use super::signals::{self, words};
use super::{Catalog, Category, Risk, Server, Signal, Source, Tool};

/// Name words of tools that delete or end something.
const DESTRUCTIVE_WORDS: &[&str] = &[
    "delete", "destroy", "drop", "remove", "purge", "erase", "wipe",
];
/// Name words of tools that move money.
const FINANCIAL_WORDS: &[&str] = &[
    "pay", "payment", "charge", "purchase", "buy", "transfer", "invoice", "refund", "payout",
    "withdraw",
];
/// Name words of tools that run code.
const EXECUTE_WORDS: &[&str] = &[
    "execute", "exec", "eval", "evaluate", "run", "script", "shell",
];
/// Name words of tools that only look.
const READ_WORDS: &[&str] = &[
    "get",
    "list",
    "read",
    "snapshot",
    "screenshot",
    "query",
    "search",
    "find",
    "describe",
    "show",
    "view",
    "inspect",
    "status",
];

/// A `tools/list` answer read through the strict JSON stage: duplicate keys, comments and
/// the like are located errors, as in every other file this tool reads.
pub fn read_answer(
    source: &std::sync::Arc<crate::source::SourceFile>,
) -> Result<Value, Vec<crate::diagnostic::Diagnostic>> {
    let parsed = crate::json::parse(source.text());
    let cx = crate::validate::Cx::new(source, &parsed);
    match parsed.root {
        Some(root) if cx.errors.is_empty() => Ok(root.value.to_serde()),
        _ => Err(cx.errors),
    }
}

/// A catalogue from `{"tools": [...]}` or a JSON-RPC response
/// `{"result": {"tools": [...]}}`. Every tool needs a string `name` and an
/// object `inputSchema`; names must be unique.
pub fn import(
    tools_list: &Value,
    server_name: &str,
    server_version: &str,
) -> Result<Catalog, Report> {
    let tools = tools_array(tools_list)?;
    let tools = tools
        .iter()
        .enumerate()
        .map(|(i, tool)| import_tool(i, tool))
        .collect::<Result<Vec<Tool>, Report>>()?;
    let server = Server {
        name: server_name.to_owned(),
        version: server_version.to_owned(),
    };
    Catalog::new(server, tools)
}

fn tools_array(answer: &Value) -> Result<&Vec<Value>, Report> {
    if let Some(error) = answer.get("error") {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| error.to_string(), str::to_owned);
        return Err(miette!(
            code = "catalog::import",
            "the server answered tools/list with an error: {message}"
        ));
    }
    answer
        .get("tools")
        .or_else(|| answer.get("result").and_then(|r| r.get("tools")))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            miette!(
                code = "catalog::import",
                help = "pass the answer to an MCP tools/list request: {\"tools\": [...]} or {\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": {\"tools\": [...]}}",
                "no tools array in the tools/list answer"
            )
        })
}

fn import_tool(position: usize, tool: &Value) -> Result<Tool, Report> {
    let Some(name) = tool.get("name").and_then(Value::as_str) else {
        return Err(miette!(
            code = "catalog::import",
            "tool #{} of the tools/list answer has no `name` string",
            position + 1
        ));
    };
    let Some(input_schema) = tool.get("inputSchema").filter(|s| s.is_object()) else {
        return Err(miette!(
            code = "catalog::import",
            help = "MCP requires every tool to advertise an inputSchema object",
            "tool `{name}` has no `inputSchema` object"
        ));
    };
    let signals = signals::derive(input_schema);
    let class = classify(name, &signals, tool.get("annotations"));
    Ok(Tool {
        name: name.to_owned(),
        category: class.category,
        risk: class.risk,
        source: class.source,
        summary: tool
            .get("description")
            .and_then(Value::as_str)
            .map(first_sentence)
            .unwrap_or_default(),
        signals,
        input_schema: input_schema.clone(),
        note: Some(class.note),
    })
}

/// A first guess at a tool's category and risk, with where it comes from and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub category: Category,
    pub risk: Risk,
    pub source: Source,
    /// The reason, for the tool's `note`: which name word, signal or annotation decided.
    pub note: String,
}

/// The first guess, most dangerous reading first: a destructive, financial or
/// code-running name (or a `code_input`) wins over anything the server's
/// annotations claim, since those are unverified hints; then
/// `destructiveHint`, `readOnlyHint`, a read-only name, and `write` otherwise.
pub fn classify(name: &str, signals: &[Signal], annotations: Option<&Value>) -> Classification {
    let words = words(name);
    let word_in = |set: &[&str]| words.iter().find(|w| set.contains(&w.as_str())).cloned();
    let hint = |key: &str| {
        annotations
            .and_then(|a| a.get(key))
            .and_then(Value::as_bool)
    };
    let read_only = hint("readOnlyHint") == Some(true);
    let guess = |category, risk, note: String| Classification {
        category,
        risk,
        source: Source::Inferred,
        note: format!("inferred: {note}"),
    };
    let hinted = |category, risk, note: &str| Classification {
        category,
        risk,
        source: Source::Annotation,
        note: format!("annotation: {note}"),
    };
    if let Some(w) = word_in(DESTRUCTIVE_WORDS) {
        guess(
            Category::Destructive,
            Risk::High,
            format!("the name word `{w}`"),
        )
    } else if let Some(w) = word_in(FINANCIAL_WORDS) {
        guess(
            Category::Financial,
            Risk::High,
            format!("the name word `{w}`"),
        )
    } else if let Some(w) = word_in(EXECUTE_WORDS) {
        guess(
            Category::Execute,
            Risk::High,
            format!("the name word `{w}`"),
        )
    } else if let Some(path) = signals.iter().find_map(|s| match s {
        Signal::CodeInput(path) => Some(path),
        _ => None,
    }) {
        guess(
            Category::Execute,
            Risk::High,
            format!("the code argument `{path}`"),
        )
    } else if hint("destructiveHint") == Some(true) && !read_only {
        hinted(Category::Destructive, Risk::High, "destructiveHint is true")
    } else if read_only {
        hinted(Category::Read, Risk::Low, "readOnlyHint is true")
    } else if let Some(w) = word_in(READ_WORDS) {
        guess(Category::Read, Risk::Low, format!("the name word `{w}`"))
    } else {
        let why = match (hint("readOnlyHint"), hint("destructiveHint")) {
            (Some(false), Some(false)) => {
                "readOnlyHint and destructiveHint are false, and no name word says more"
            }
            (Some(false), _) => "readOnlyHint is false, and no name word says more",
            _ => "no name word or annotation says more, so a write",
        };
        if hint("readOnlyHint") == Some(false) {
            hinted(Category::Write, Risk::Medium, why)
        } else {
            guess(Category::Write, Risk::Medium, why.to_string())
        }
    }
}

/// The description's first sentence, on one line, without its full stop.
fn first_sentence(description: &str) -> String {
    let paragraph = description.trim().split("\n\n").next().unwrap_or_default();
    let line = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = match line.find(". ") {
        Some(end) => &line[..end],
        None => line.as_str(),
    };
    sentence.trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leapfrog_tools_list() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/leapfrog/tools-list.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn tool(name: &str, extra: Value) -> Value {
        let mut tool =
            json!({ "name": name, "inputSchema": { "type": "object", "properties": {} } });
        if let (Some(tool), Value::Object(extra)) = (tool.as_object_mut(), extra) {
            tool.extend(extra);
        }
        tool
    }

    fn imported(tool: Value) -> Tool {
        let catalog =
            import(&json!({ "tools": [tool] }), "s", "1").unwrap_or_else(|e| panic!("{e:?}"));
        catalog.tools()[0].clone()
    }

    #[test]
    fn leapfrog_import_matches_the_shipped_catalogue() {
        let source = leapfrog_tools_list();
        let catalog = import(&source, "leapfrog", "0.7.4").unwrap_or_else(|e| panic!("{e:?}"));
        let shipped = Catalog::leapfrog();
        assert_eq!(catalog.tools().len(), 37);
        assert_eq!(catalog.server(), shipped.server());
        let advertised = source["tools"].as_array().cloned().unwrap_or_default();
        for ((tool, server_tool), shipped_tool) in
            catalog.tools().iter().zip(&advertised).zip(shipped.tools())
        {
            assert_eq!(tool.name, shipped_tool.name);
            assert_eq!(
                tool.input_schema.to_string(),
                server_tool["inputSchema"].to_string()
            );
            assert_eq!(tool.signals, shipped_tool.signals, "{}", tool.name);
            assert_eq!(
                tool.summary, "",
                "Leapfrog's answer carries no descriptions"
            );
        }
        let category = |name: &str| catalog.tool(name).map(|t| t.category);
        assert_eq!(category("session_destroy"), Some(Category::Destructive));
        assert_eq!(category("execute"), Some(Category::Execute));
        assert_eq!(category("extract"), Some(Category::Execute), "code_input");
        assert_eq!(category("session_list"), Some(Category::Read));
        assert_eq!(category("pool_status"), Some(Category::Read));
        assert_eq!(category("navigate"), Some(Category::Write));
    }

    #[test]
    fn accepts_a_json_rpc_response() {
        let answer = json!({ "jsonrpc": "2.0", "id": 1, "result": { "tools": [tool("get_weather", json!({}))] } });
        let catalog = import(&answer, "weather", "2.0").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(catalog.server().name, "weather");
        assert_eq!(
            catalog.tool("get_weather").map(|t| (t.category, t.risk)),
            Some((Category::Read, Risk::Low))
        );
    }

    #[test]
    fn rejects_answers_without_tools() {
        for (answer, expected) in [
            (json!({}), "no tools array"),
            (json!([]), "no tools array"),
            (json!({ "tools": {} }), "no tools array"),
            (json!({ "result": { "tools": "x" } }), "no tools array"),
            (
                json!({ "jsonrpc": "2.0", "id": 1, "error": { "code": -32601, "message": "Method not found" } }),
                "Method not found",
            ),
            (json!({ "tools": [{ "inputSchema": {} }] }), "tool #1"),
            (
                json!({ "tools": [{ "name": 3, "inputSchema": {} }] }),
                "tool #1",
            ),
            (
                json!({ "tools": [{ "name": "a" }] }),
                "`a` has no `inputSchema`",
            ),
            (
                json!({ "tools": [{ "name": "a", "inputSchema": "object" }] }),
                "`a` has no `inputSchema`",
            ),
            (
                json!({ "tools": [tool("a", json!({})), tool("a", json!({}))] }),
                "duplicate tool `a`",
            ),
        ] {
            let Err(report) = import(&answer, "s", "1") else {
                panic!("imported {answer}")
            };
            assert!(report.to_string().contains(expected), "{answer}: {report}");
        }
    }

    #[test]
    fn classifies_by_name() {
        let class = |name: &str| {
            let t = imported(tool(name, json!({})));
            (t.category, t.risk)
        };
        assert_eq!(class("delete_file"), (Category::Destructive, Risk::High));
        assert_eq!(class("purgeCache"), (Category::Destructive, Risk::High));
        assert_eq!(class("create_invoice"), (Category::Financial, Risk::High));
        assert_eq!(class("transferFunds"), (Category::Financial, Risk::High));
        assert_eq!(class("run_query"), (Category::Execute, Risk::High));
        assert_eq!(class("exec"), (Category::Execute, Risk::High));
        assert_eq!(class("list_files"), (Category::Read, Risk::Low));
        assert_eq!(class("searchIssues"), (Category::Read, Risk::Low));
        assert_eq!(class("create_issue"), (Category::Write, Risk::Medium));
        // Words, not substrings: `display` is not `pay`, `getaway` not `get`.
        assert_eq!(class("display_banner"), (Category::Write, Risk::Medium));
        assert_eq!(class("getaway"), (Category::Write, Risk::Medium));
    }

    #[test]
    fn code_input_makes_a_tool_execute() {
        let t = imported(json!({ "name": "render", "inputSchema": {
            "type": "object", "properties": { "expression": { "type": "string" } } } }));
        assert_eq!((t.category, t.risk), (Category::Execute, Risk::High));
        assert_eq!(t.signals, [Signal::CodeInput("expression".into())]);
    }

    #[test]
    fn annotations_refine_but_never_downgrade_a_dangerous_name() {
        let class = |name: &str, annotations: Value| {
            let t = imported(tool(name, json!({ "annotations": annotations })));
            (t.category, t.risk)
        };
        assert_eq!(
            class("update_record", json!({ "readOnlyHint": true })),
            (Category::Read, Risk::Low)
        );
        assert_eq!(
            class("consume_message", json!({ "destructiveHint": true })),
            (Category::Destructive, Risk::High)
        );
        assert_eq!(
            class("get_and_ack", json!({ "destructiveHint": true })),
            (Category::Destructive, Risk::High)
        );
        assert_eq!(
            class("delete_row", json!({ "readOnlyHint": true })),
            (Category::Destructive, Risk::High)
        );
        assert_eq!(
            class(
                "update_record",
                json!({ "readOnlyHint": true, "destructiveHint": true })
            ),
            (Category::Read, Risk::Low),
            "destructiveHint only means something when readOnlyHint is false"
        );
        assert_eq!(
            class("update_record", json!({ "destructiveHint": false })),
            (Category::Write, Risk::Medium)
        );
        assert_eq!(
            class("update_record", json!("junk")),
            (Category::Write, Risk::Medium)
        );
    }

    #[test]
    fn summary_is_the_first_sentence() {
        let summary =
            |description: Value| imported(tool("t", json!({ "description": description }))).summary;
        assert_eq!(summary(json!("Open a page. Then wait.")), "Open a page");
        assert_eq!(
            summary(json!("  Open a\n  page in v1.2 now.\n\nDetails.")),
            "Open a page in v1.2 now"
        );
        assert_eq!(summary(json!("No stop")), "No stop");
        assert_eq!(summary(json!("")), "");
        assert_eq!(summary(json!(42)), "");
        assert_eq!(imported(tool("t", json!({}))).summary, "");
    }
}
