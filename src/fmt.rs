//! `fmt`: the canonical layout of a policy, so that two people's edits of one policy diff
//! by meaning, not by style.
//!
//! Fields are written in the order of the format's documentation (`$schema`, `version`,
//! `default`, `hide`, `all_tools`, `tools`; in a rule `action`, `require`, `deny_if`,
//! `limits`, `message`, `lint`; …), tools sorted by name, with a 2-space indent. The
//! layout depends only on the document, never on how it was laid out before, which makes
//! formatting idempotent. Strings, numbers and keys are copied from the source text as
//! written (`1.50` stays `1.50`, `"\u00e9"` stays escaped), and JSON inside a condition's
//! `value` keeps its own key order: formatting never changes what a policy means.
//!
//! The policy's skeleton is a block, one item a line; a tool's rule is a block unless it
//! holds only scalars (`{ "action": "deny" }`); anything else (a list of conditions or
//! limits, a condition, a limit, `hide`) goes on one line when that line fits in [`WIDTH`]
//! characters.

use crate::json::{Member, Node, Value};
use crate::policy::Policy;

/// The longest line a container is joined onto, as rustfmt's default `max_width`.
pub const WIDTH: usize = 100;

const INDENT: usize = 2;

/// What an object or array is in the policy format: it decides key order and layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Root,
    AllTools,
    Tools,
    Rule,
    Conditions,
    Condition,
    Limits,
    Limit,
    Lint,
    /// Anything else (condition values, `hide`, …): written in its own order.
    Free,
}

impl Shape {
    /// The field order of an object of this shape; `None` keeps the source order.
    fn key_order(self) -> Option<&'static [&'static str]> {
        use crate::policy::fields::*;
        Some(match self {
            Shape::Root => TOP_FIELDS,
            Shape::AllTools => &["limits"],
            Shape::Rule => TOOL_FIELDS,
            Shape::Condition => CONDITION_FIELDS,
            Shape::Limit => LIMIT_FIELDS,
            Shape::Lint => LINT_FIELDS,
            Shape::Tools | Shape::Conditions | Shape::Limits | Shape::Free => return None,
        })
    }

    /// The shape of the value under `key` in an object of this shape.
    fn member(self, key: &str) -> Shape {
        match (self, key) {
            (Shape::Root, "all_tools") => Shape::AllTools,
            (Shape::Root, "tools") => Shape::Tools,
            (Shape::Tools, _) => Shape::Rule,
            (Shape::AllTools | Shape::Rule, "limits") => Shape::Limits,
            (Shape::Rule, "require" | "deny_if") => Shape::Conditions,
            (Shape::Rule, "lint") => Shape::Lint,
            _ => Shape::Free,
        }
    }

    /// The shape of the items of an array of this shape.
    fn item(self) -> Shape {
        match self {
            Shape::Conditions => Shape::Condition,
            Shape::Limits => Shape::Limit,
            _ => Shape::Free,
        }
    }

    /// The policy's skeleton is always laid out as blocks, however short; everything else
    /// (lists of conditions and limits too) goes on one line when it fits, as prettier and
    /// ruff-format keep short collections, so a formatted policy stays as compact as a
    /// hand-written one.
    fn always_block(self) -> bool {
        matches!(self, Shape::Root | Shape::AllTools | Shape::Tools)
    }
}

/// The canonical text of a validated policy, ending with a newline. Line endings follow
/// the file's first line (CRLF stays CRLF).
pub fn format(policy: &Policy) -> String {
    let src = policy.source.text();
    let mut p = Printer {
        src,
        out: String::with_capacity(src.len()),
    };
    p.value(&policy.doc, Shape::Root, 0, 0, 0);
    p.out.push('\n');
    if crate::rewrite::uses_crlf(src) {
        p.out.replace('\n', "\r\n")
    } else {
        p.out
    }
}

struct Printer<'s> {
    src: &'s str,
    out: String,
}

impl Printer<'_> {
    /// The literal text of a scalar or key, exactly as written.
    fn raw(&self, span: crate::source::Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or_default()
    }

    /// Writes `node`, which starts `column` characters into its line at nesting `indent`;
    /// `tail` characters (a comma) follow it on its last line.
    fn value(&mut self, node: &Node, shape: Shape, indent: usize, column: usize, tail: usize) {
        let line = self
            .one_line(node, shape)
            .filter(|l| is_scalar(node) || column + l.chars().count() + tail <= WIDTH);
        if let Some(line) = line {
            self.out.push_str(&line);
            return;
        }
        let inner = indent + INDENT;
        match &node.value {
            Value::Object(members) if !members.is_empty() => {
                self.out.push_str("{\n");
                let members = ordered(members, shape);
                for (i, m) in members.iter().enumerate() {
                    let prefix = format!("{:inner$}{}: ", "", self.raw(m.key_span));
                    self.out.push_str(&prefix);
                    let last = i + 1 == members.len();
                    let (column, tail) = (prefix.chars().count(), usize::from(!last));
                    self.value(&m.value, shape.member(&m.key), inner, column, tail);
                    self.out.push_str(if last { "\n" } else { ",\n" });
                }
                self.out.push_str(&format!("{:indent$}}}", ""));
            }
            Value::Array(items) if !items.is_empty() => {
                self.out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    self.out.push_str(&format!("{:inner$}", ""));
                    let last = i + 1 == items.len();
                    self.value(item, shape.item(), inner, inner, usize::from(!last));
                    self.out.push_str(if last { "\n" } else { ",\n" });
                }
                self.out.push_str(&format!("{:indent$}]", ""));
            }
            Value::Object(_) => self.out.push_str("{}"),
            Value::Array(_) => self.out.push_str("[]"),
            _ => {
                let raw = self.raw(node.span).to_string();
                self.out.push_str(&raw);
            }
        }
    }

    /// The one-line form of a value, when its shape allows one.
    fn one_line(&self, node: &Node, shape: Shape) -> Option<String> {
        match &node.value {
            _ if shape.always_block() => None,
            Value::Object(members) if members.is_empty() => Some("{}".into()),
            Value::Array(items) if items.is_empty() => Some("[]".into()),
            Value::Object(members) => {
                if shape == Shape::Rule && !members.iter().all(|m| is_scalar(&m.value)) {
                    return None;
                }
                let parts = ordered(members, shape)
                    .into_iter()
                    .map(|m| {
                        let value = self.one_line(&m.value, shape.member(&m.key))?;
                        Some(format!("{}: {value}", self.raw(m.key_span)))
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(format!("{{ {} }}", parts.join(", ")))
            }
            Value::Array(items) => {
                let parts = items
                    .iter()
                    .map(|i| self.one_line(i, shape.item()))
                    .collect::<Option<Vec<_>>>()?;
                Some(format!("[{}]", parts.join(", ")))
            }
            _ => Some(self.raw(node.span).to_string()),
        }
    }
}

fn is_scalar(node: &Node) -> bool {
    !matches!(node.value, Value::Object(_) | Value::Array(_))
}

/// Members in the canonical order of `shape`: its field order, tools by name, or as
/// written. Validation has rejected unknown fields, so every key has a rank.
fn ordered(members: &[Member], shape: Shape) -> Vec<&Member> {
    let mut out: Vec<&Member> = members.iter().collect();
    if shape == Shape::Tools {
        out.sort_by(|a, b| a.key.cmp(&b.key));
    } else if let Some(order) = shape.key_order() {
        out.sort_by_key(|m| {
            order
                .iter()
                .position(|k| *k == m.key)
                .unwrap_or(order.len())
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn fmt(text: &str) -> String {
        format(&Policy::parse(SourceFile::new("p.json", text)).unwrap())
    }

    #[test]
    fn orders_fields_sorts_tools_and_keeps_literals() {
        let text = r#"{"tools":{"b":{"limits":[{"max":3,"window":60,"counter":"c"}],"action":"allow"},
            "a":{"require":[{"value":{"z":1.50,"a":"\u00e9"},"op":"eq","path":"args.x"}]}},
            "default":"deny","version":"1"}"#;
        let expected = r#"{
  "version": "1",
  "default": "deny",
  "tools": {
    "a": {
      "require": [{ "path": "args.x", "op": "eq", "value": { "z": 1.50, "a": "\u00e9" } }]
    },
    "b": {
      "action": "allow",
      "limits": [{ "counter": "c", "window": 60, "max": 3 }]
    }
  }
}
"#;
        assert_eq!(fmt(text), expected);
        assert_eq!(fmt(expected), expected);
    }

    #[test]
    fn long_lines_become_blocks() {
        let long = "x".repeat(120);
        let text = format!(
            r#"{{"version":"1","default":"deny","tools":{{"a":{{"action":"deny","message":"{long}"}}}}}}"#
        );
        let out = fmt(&text);
        assert!(
            out.contains("    \"a\": {\n      \"action\": \"deny\",\n      \"message\""),
            "{out}"
        );
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let out = fmt("{\r\n\"version\":\"1\",\"default\":\"deny\"}");
        assert_eq!(
            out,
            "{\r\n  \"version\": \"1\",\r\n  \"default\": \"deny\"\r\n}\r\n"
        );
    }
}
