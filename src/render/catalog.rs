//! Catalogue tables: `catalog list` (aligned rows, or JSON without the schemas) and
//! `catalog show TOOL` (classification, the arguments as a tree, signals).

use miette::{miette, Report};
use serde_json::{json, Value};

use crate::catalog::{Catalog, Category, Signal};

/// `catalog list`: one aligned row per tool in catalogue order, under a
/// header, then the totals per category.
pub fn render_list(catalog: &Catalog) -> String {
    let mut rows = vec![[
        "TOOL".to_owned(),
        "CATEGORY".to_owned(),
        "RISK".to_owned(),
        "SIGNALS".to_owned(),
        "SUMMARY".to_owned(),
    ]];
    rows.extend(catalog.tools().iter().map(|tool| {
        [
            tool.name.clone(),
            tool.category.to_string(),
            tool.risk.to_string(),
            short_signals(&tool.signals),
            tool.summary.clone(),
        ]
    }));
    let mut widths = [0; 4];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            line.push_str(&format!("{cell:<width$}  "));
        }
        // The summary takes what is left of 80 columns, if enough is (`catalog show` and
        // `--format json` have it whole).
        let room = 80usize.saturating_sub(line.chars().count());
        let summary = &row[4];
        if room >= 16 && summary.chars().count() > room {
            line.extend(summary.chars().take(room - 1));
            line.push('…');
        } else if room >= 16 {
            line.push_str(summary);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let counts: Vec<String> = [
        Category::Read,
        Category::Write,
        Category::Execute,
        Category::Destructive,
        Category::Financial,
    ]
    .into_iter()
    .filter_map(|category| {
        let n = catalog
            .tools()
            .iter()
            .filter(|t| t.category == category)
            .count();
        (n > 0).then(|| format!("{n} {category}"))
    })
    .collect();
    out.push_str(&format!(
        "\n{} {}: {} tools ({})\n",
        catalog.server().name,
        catalog.server().version,
        catalog.tools().len(),
        counts.join(", ")
    ));
    out
}

/// Signal kinds for a table cell: `url, batch`, `17 params`, or `-`.
fn short_signals(signals: &[Signal]) -> String {
    let mut kinds: Vec<String> = Vec::new();
    for signal in signals {
        let kind = match signal {
            Signal::UrlInput(_) => "url".to_owned(),
            Signal::SecretInput(_) => "secret".to_owned(),
            Signal::CodeInput(_) => "code".to_owned(),
            Signal::FilePathInput(_) => "file".to_owned(),
            Signal::ManyParams(n) => format!("{n} params"),
            Signal::Batch(_) => "batch".to_owned(),
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        "-".to_owned()
    } else {
        kinds.join(", ")
    }
}

/// `catalog list --format json`: the catalogue without input schemas.
pub fn render_list_json(catalog: &Catalog) -> Value {
    let tools: Vec<Value> = catalog
        .tools()
        .iter()
        .map(|tool| {
            let mut entry = json!({
                "name": tool.name,
                "category": tool.category,
                "risk": tool.risk,
                "summary": tool.summary,
                "signals": tool.signals,
            });
            if let (Some(note), Some(object)) = (&tool.note, entry.as_object_mut()) {
                object.insert("note".to_owned(), Value::from(note.as_str()));
            }
            entry
        })
        .collect();
    json!({ "server": catalog.server(), "tools": tools })
}

/// `catalog show TOOL`: the tool's classification, its arguments as a tree
/// (types, `required`, allowed values, nested objects and array items under
/// `[*]`), and its signals.
pub fn render_show(catalog: &Catalog, name: &str) -> Result<String, Report> {
    let Some(tool) = catalog.tool(name) else {
        let help = match catalog.suggest(name) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "`policylayer catalog list` shows the {} tools",
                catalog.tools().len()
            ),
        };
        return Err(miette!(
            code = "catalog::unknown_tool",
            help = help,
            "no tool `{name}` in the {} {} catalogue",
            catalog.server().name,
            catalog.server().version
        ));
    };
    let mut out = format!(
        "tool:      {}\nserver:    {} {}\ncategory:  {}\nrisk:      {}\nsummary:   {}\n",
        tool.name,
        catalog.server().name,
        catalog.server().version,
        tool.category,
        tool.risk,
        tool.summary
    );
    if let Some(note) = &tool.note {
        out.push_str(&format!("note:      {note}\n"));
    }
    let mut rows = Vec::new();
    argument_rows(&tool.input_schema, 1, &mut rows);
    if rows.is_empty() {
        out.push_str("\narguments: none\n");
    } else {
        out.push_str("\narguments:\n");
        let width = rows
            .iter()
            .map(|(label, _)| label.chars().count())
            .max()
            .unwrap_or(0);
        for (label, description) in rows {
            out.push_str(format!("{label:<width$}  {description}").trim_end());
            out.push('\n');
        }
    }
    if tool.signals.is_empty() {
        out.push_str("\nsignals: none\n");
    } else {
        out.push_str("\nsignals:\n");
        for signal in &tool.signals {
            out.push_str(&format!("  {signal}\n"));
        }
    }
    Ok(out)
}

/// The properties of `schema` and what nests under them, indented by depth.
fn argument_rows(schema: &Value, depth: usize, rows: &mut Vec<(String, String)>) {
    let indent = "  ".repeat(depth);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, property) in properties {
            rows.push((
                format!("{indent}{name}"),
                describe(property, required.contains(&name.as_str())),
            ));
            argument_rows(property, depth + 1, rows);
        }
    }
    if let Some(items) = schema.get("items").filter(|items| has_children(items)) {
        rows.push((format!("{indent}[*]"), describe(items, false)));
        argument_rows(items, depth + 1, rows);
    }
}

fn has_children(schema: &Value) -> bool {
    schema.get("properties").is_some_and(Value::is_object)
        || schema.get("items").is_some_and(has_children)
}

/// One argument's type and constraints: `integer, 0 to 5, default: 3`.
fn describe(schema: &Value, required: bool) -> String {
    let mut parts = vec![type_name(schema)];
    if required {
        parts.push("required".to_owned());
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(plain).collect();
        parts.push(format!("one of: {}", values.join(", ")));
    }
    if let Some(value) = schema.get("const") {
        parts.push(format!("always {}", plain(value)));
    }
    let bound = |key: &str| schema.get(key).map(Value::to_string);
    parts.extend(range(bound("minimum"), bound("maximum"), ""));
    parts.extend(range(bound("minLength"), bound("maxLength"), " characters"));
    parts.extend(range(bound("minItems"), bound("maxItems"), " items"));
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        parts.push(format!("format: {format}"));
    }
    if let Some(default) = schema.get("default") {
        parts.push(format!("default: {default}"));
    }
    parts.join(", ")
}

fn range(min: Option<String>, max: Option<String>, unit: &str) -> Option<String> {
    match (min, max) {
        (Some(min), Some(max)) => Some(format!("{min} to {max}{unit}")),
        (Some(min), None) => Some(format!("at least {min}{unit}")),
        (None, Some(max)) => Some(format!("at most {max}{unit}")),
        (None, None) => None,
    }
}

/// `string`, `integer or null`, `array of string`, `map of string`,
/// `string or array of string`; `any` when the schema does not say.
fn type_name(schema: &Value) -> String {
    let alternatives: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => ["anyOf", "oneOf"]
            .iter()
            .filter_map(|key| schema.get(*key).and_then(Value::as_array))
            .flatten()
            .map(type_name)
            .collect(),
    };
    let alternatives: Vec<String> = alternatives
        .into_iter()
        .map(|t| match t.as_str() {
            "array" => match schema.get("items") {
                Some(items) if items.is_object() => format!("array of {}", type_name(items)),
                _ => t,
            },
            "object" => match schema.get("additionalProperties") {
                Some(values @ Value::Object(_)) if schema.get("properties").is_none() => {
                    format!("map of {}", type_name(values))
                }
                _ => t,
            },
            _ => t,
        })
        .collect();
    if !alternatives.is_empty() {
        alternatives.join(" or ")
    } else if schema.get("properties").is_some() {
        "object".to_owned()
    } else if schema.get("enum").is_some() {
        "enum".to_owned()
    } else {
        "any".to_owned()
    }
}

/// A JSON value for reading: strings bare, everything else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_an_aligned_table() {
        let text = render_list(Catalog::leapfrog());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("TOOL "), "{}", lines[0]);
        assert_eq!(lines.len(), 1 + 37 + 2);
        let column = lines[0].find("CATEGORY").unwrap_or(0);
        assert!(lines[1].starts_with("session_create "));
        assert_eq!(lines[1].find("write"), Some(column));
        let batch = lines
            .iter()
            .find(|l| l.starts_with("session_create_batch"))
            .copied()
            .unwrap_or("");
        assert!(batch.contains("batch, url"), "{batch}");
        let create = lines[1];
        assert!(create.contains("file, secret, 17 params"), "{create}");
        assert!(lines.iter().all(|l| l == &l.trim_end()));
        assert!(
            text.ends_with(
                "leapfrog 0.7.4: 37 tools (13 read, 15 write, 7 execute, 2 destructive)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn list_json_has_every_tool_without_schemas() {
        let value = render_list_json(Catalog::leapfrog());
        assert_eq!(value["server"]["name"], "leapfrog");
        let tools = value["tools"].as_array().cloned().unwrap_or_default();
        assert_eq!(tools.len(), 37);
        assert_eq!(
            tools[1]["signals"],
            json!(["batch:sessions", "url_input:sessions[*].url"])
        );
        assert!(tools.iter().all(|t| t.get("input_schema").is_none()));
        assert!(tools.iter().any(|t| t.get("note").is_some()));
        assert!(tools.iter().any(|t| t.get("note").is_none()));
    }

    #[test]
    fn show_renders_the_argument_tree() {
        let text = render_show(Catalog::leapfrog(), "session_create_batch")
            .unwrap_or_else(|e| panic!("{e:?}"));
        let expected = "\
arguments:
  sessions       array of object, required, 1 to 15 items
    [*]          object
      url        string
      headed     boolean
      viewport   object
        width    number, required
        height   number, required
      profile    string
      pinned     boolean
      waitUntil  string, one of: load, domcontentloaded, networkidle

signals:
  batch:sessions
  url_input:sessions[*].url
";
        assert!(text.starts_with("tool:      session_create_batch\nserver:    leapfrog 0.7.4\ncategory:  write\nrisk:      high\n"), "{text}");
        assert!(
            text.contains("\nnote:      Risk raised from medium"),
            "{text}"
        );
        assert!(text.ends_with(expected), "{text}");
    }

    #[test]
    fn show_describes_defaults_ranges_and_alternatives() {
        let catalog = Catalog::leapfrog();
        let navigate = render_show(catalog, "navigate").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            navigate.contains("maxRetryLevel  integer, 0 to 5, default: 3\n"),
            "{navigate}"
        );
        assert!(navigate.contains("waitUntil      string, one of: load, domcontentloaded, networkidle, default: \"domcontentloaded\"\n"), "{navigate}");
        let act = render_show(catalog, "act").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            act.contains("filePaths        string or array of string\n"),
            "{act}"
        );
        let replay = render_show(catalog, "session_replay").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(replay.contains("params     map of string\n"), "{replay}");
        let list = render_show(catalog, "session_list").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            list.contains("\narguments: none\n\nsignals: none\n"),
            "{list}"
        );
    }

    #[test]
    fn show_unknown_tool_suggests() {
        let Err(report) = render_show(Catalog::leapfrog(), "screnshot") else {
            panic!("shown")
        };
        assert_eq!(
            report.help().map(|h| h.to_string()),
            Some("did you mean `screenshot`?".to_owned())
        );
        assert_eq!(
            report.code().map(|c| c.to_string()),
            Some("catalog::unknown_tool".to_owned())
        );
        let Err(report) = render_show(Catalog::leapfrog(), "zzz") else {
            panic!("shown")
        };
        assert!(report
            .help()
            .is_some_and(|h| h.to_string().contains("catalog list")));
    }
}
