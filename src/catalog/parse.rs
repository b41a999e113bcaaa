//! From a spanned JSON tree to a validated [`Catalog`], through the same strict JSON stage
//! and checks as a policy: every error of the file at once, each located, with a code
//! (the PL0xx of the format errors) and a help line.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Catalog, Category, Risk, Server, Signal, Source, Tool, FORMAT_HELP};
use crate::diagnostic::Diagnostic;
use crate::json::{self, Node, Value};
use crate::policy::codes::INVALID_VALUE;
use crate::source::{SourceFile, Span};
use crate::validate::{get, Cx};

const TOP_FIELDS: &[&str] = &["server", "tools"];
const SERVER_FIELDS: &[&str] = &["name", "version"];
const TOOL_FIELDS: &[&str] = &[
    "name",
    "category",
    "risk",
    "source",
    "summary",
    "signals",
    "input_schema",
    "note",
];

pub(super) fn parse(source: Arc<SourceFile>) -> Result<Catalog, Vec<Diagnostic>> {
    let parsed = json::parse(source.text());
    let mut cx = Cx::new(&source, &parsed);
    let Some(doc) = parsed.root else {
        return Err(cx.errors);
    };
    match cx.catalog(&doc) {
        Some(catalog) if cx.errors.is_empty() => Ok(catalog),
        _ => Err(cx.errors),
    }
}

impl Cx<'_> {
    fn catalog(&mut self, doc: &Node) -> Option<Catalog> {
        let members = self.fields(doc, "the catalogue", TOP_FIELDS)?;
        let server = self
            .required(members, "server", doc.span, "the catalogue", FORMAT_HELP)
            .and_then(|n| self.catalog_server(n));
        let tools = self
            .required(members, "tools", doc.span, "the catalogue", FORMAT_HELP)
            .map(|n| self.catalog_tools(n));
        Some(Catalog::indexed(server?, tools?))
    }

    fn catalog_server(&mut self, node: &Node) -> Option<Server> {
        let members = self.fields(node, "`server`", SERVER_FIELDS)?;
        let mut field = |key: &str| {
            self.required(members, key, node.span, "`server`", FORMAT_HELP)
                .and_then(|n| self.string(n, &format!("`server.{key}`")))
        };
        let (name, version) = (field("name"), field("version"));
        Some(Server {
            name: name?.value,
            version: version?.value,
        })
    }

    /// The tools, each listed once: a second entry with a name is an error at it.
    fn catalog_tools(&mut self, node: &Node) -> Vec<Tool> {
        let Value::Array(items) = &node.value else {
            self.wrong_type(node, "`tools`", "an array");
            return Vec::new();
        };
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut tools = Vec::new();
        for item in items {
            let Some(tool) = self.catalog_tool(item) else {
                continue;
            };
            let name_span = item.value.get("name").map_or(item.span, |n| n.span);
            if let Some(first) = seen.get(&tool.name) {
                self.errors.push(
                    Diagnostic::error(
                        INVALID_VALUE,
                        self.source,
                        name_span,
                        format!("duplicate tool `{}`: each tool is listed once", tool.name),
                    )
                    .with_label("listed again")
                    .with_related(*first, "first listed here")
                    .with_help("keep one entry per tool"),
                );
                continue;
            }
            seen.insert(tool.name.clone(), name_span);
            tools.push(tool);
        }
        tools
    }

    fn catalog_tool(&mut self, node: &Node) -> Option<Tool> {
        let members = self.fields(node, "a tool", TOOL_FIELDS)?;
        let mut req = |key: &str| self.required(members, key, node.span, "a tool", FORMAT_HELP);
        let (name, category, risk, summary, signals, schema) = (
            req("name"),
            req("category"),
            req("risk"),
            req("summary"),
            req("signals"),
            req("input_schema"),
        );
        let name = name.and_then(|n| self.string(n, "a tool's `name`"));
        let category = category.and_then(|n| {
            let choices: Vec<(&str, Category)> =
                Category::ALL.iter().map(|c| (c.as_str(), *c)).collect();
            self.keyword(n, "category", &choices)
        });
        let risk = risk.and_then(|n| {
            let choices: Vec<(&str, Risk)> = Risk::ALL.iter().map(|r| (r.as_str(), *r)).collect();
            self.keyword(n, "risk", &choices)
        });
        let summary = summary.and_then(|n| self.string(n, "`summary`"));
        let signals = signals.and_then(|n| self.catalog_signals(n));
        let input_schema = schema.and_then(|n| match &n.value {
            Value::Object(_) => Some(n.value.to_serde()),
            _ => {
                self.wrong_type(n, "`input_schema`", "a JSON Schema object");
                None
            }
        });
        let note = match get(members, "note") {
            Some(n) => Some(self.string(n, "`note`")?.value),
            None => None,
        };
        let source = match get(members, "source") {
            Some(n) => {
                let choices: Vec<(&str, Source)> =
                    Source::ALL.iter().map(|s| (s.as_str(), *s)).collect();
                self.keyword(n, "source", &choices)?
            }
            None => Source::Curated,
        };
        Some(Tool {
            name: name?.value,
            category: category?,
            risk: risk?,
            source,
            summary: summary?.value,
            signals: signals?,
            input_schema: input_schema?,
            note,
        })
    }

    fn catalog_signals(&mut self, node: &Node) -> Option<Vec<Signal>> {
        let Value::Array(items) = &node.value else {
            self.wrong_type(node, "`signals`", "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let Some(text) = self.string(item, "a signal") else {
                ok = false;
                continue;
            };
            match text.value.parse::<Signal>() {
                Ok(s) => out.push(s),
                Err(message) => {
                    ok = false;
                    self.error(
                        INVALID_VALUE,
                        item.span,
                        message,
                        "not a signal",
                        "signals are `kind:<arg>`, e.g. url_input:url or many_params:12",
                    );
                }
            }
        }
        ok.then_some(out)
    }
}
