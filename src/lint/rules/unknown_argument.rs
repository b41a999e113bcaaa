//! PL104 `unknown-argument`: finds a condition `path` or an `increment_from` that the
//! tool's input schema does not have: a key a closed object (`"additionalProperties":
//! false`) does not list, or a step into a value the schema types as something else
//! (`args.url.host` on a string `url`, `args.sessions.url` on an array). It suggests the
//! closest argument name, and when exactly one is close, the safe fix renames it in the
//! path.
//! The documentation below is what `policylayer explain` prints.

use super::helpers::{quote, sole_suggestion};
use super::input_schema::{a_type, resolve, Resolved};
use crate::declare_rule;
use crate::diagnostic::{did_you_mean, Applicability, Diagnostic, Edit, Fix};
use crate::lint::{Context, ToolEntry};
use crate::policy::{Path, Root, Segment, Spanned};

declare_rule! {
    /// ## What it does
    /// Finds a condition `path` or an `increment_from` that the tool's input schema does
    /// not have: a key a closed object (`"additionalProperties": false`) does not list, or
    /// a step into a value the schema types as something else (`args.url.host` on a string
    /// `url`, `args.sessions.url` on an array). It suggests the closest argument name, and
    /// when exactly one is close, the safe fix renames it in the path.
    ///
    /// Where the schema leaves room (no `properties`, `additionalProperties` not `false`,
    /// `patternProperties`, `anyOf`/`oneOf`/`allOf`, `$ref`, tuple `items`) nothing is
    /// reported: the argument may exist.
    ///
    /// ## Why is this bad?
    /// A path that never resolves makes every op false except `exists: false`. A `deny_if`
    /// on it never denies anything, so `{"path": "args.uri", "op": "contains", "value":
    /// "/admin"}` quietly lets `/admin` through; a `require` on it denies every call; an
    /// `increment_from` on it falls back to `increment`, so a batch is counted as one.
    ///
    /// ## Example
    /// ```json
    /// "navigate": { "deny_if": [ { "path": "args.uri", "op": "contains", "value": "/admin" } ] }
    /// ```
    ///
    /// ## Fix
    /// Use the argument the tool takes (`policylayer catalog show navigate` lists them):
    /// `args.url`. To test every element of an array, use `[*]`: `args.sessions[*].url`.
    pub static RULE = {
        code: "PL104",
        name: "unknown-argument",
        severity: Error,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for ToolEntry { rule, tool, .. } in cx.tools() {
        let Some(rule) = rule else { continue };
        let Some(tool) = tool else {
            continue;
        };
        let paths = rule
            .require
            .iter()
            .chain(&rule.deny_if)
            .map(|c| &c.path)
            .chain(rule.limits.iter().filter_map(|l| l.increment_from.as_ref()));
        for path in paths {
            if let Some(d) = unknown(cx, &tool.name, &tool.input_schema, path) {
                out.push(d);
            }
        }
    }
}

fn unknown(
    cx: &Context,
    tool: &str,
    schema: &serde_json::Value,
    path: &Spanned<Path>,
) -> Option<Diagnostic> {
    if path.value.root != Root::Args {
        return None;
    }
    let segments = &path.value.segments;
    let prefix = |at: usize| Path {
        root: Root::Args,
        segments: segments[..at].to_vec(),
    };
    match resolve(schema, segments) {
        Resolved::Schema(_) | Resolved::Unknown => None,
        Resolved::NoSuchKey { at, known } => {
            let Some(Segment::Key(key)) = segments.get(at) else {
                return None;
            };
            let message = if at == 0 {
                format!(
                    "`{tool}` has no argument `{key}`: `{}` never resolves",
                    path.value
                )
            } else {
                format!(
                    "`{}` has no field `{key}`: `{}` never resolves",
                    prefix(at),
                    path.value
                )
            };
            let help = match did_you_mean(key, known.iter().copied()) {
                Some(meant) => format!("did you mean `{meant}`?"),
                None if known.is_empty() && at == 0 => format!("`{tool}` takes no arguments"),
                None if known.is_empty() => format!("`{}` takes no fields", prefix(at)),
                None => format!("known: {}", list(&known)),
            };
            let mut d = RULE
                .finding(cx, path.span, message)
                .with_label("not in the tool's input schema")
                .with_help(help);
            if let Some(meant) = sole_suggestion(key, &known) {
                let mut fixed = path.value.clone();
                fixed.segments[at] = Segment::Key(meant.to_owned());
                d = d.with_fix(Fix {
                    description: format!("rename `{key}` to `{meant}`"),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: path.span,
                        replacement: quote(&fixed.to_string()),
                    }],
                });
            }
            Some(d)
        }
        Resolved::NotContainer { at, types } => {
            let kind = a_type(&types);
            let help = match segments.get(at) {
                Some(Segment::Key(_)) if types.contains(&"array") => {
                    let mut each = path.value.clone();
                    each.segments.insert(at, Segment::Each);
                    format!("to test every element, write `{each}`")
                }
                Some(Segment::Key(_)) => format!("`{}` has no fields", prefix(at)),
                _ => format!("`{}` has no elements", prefix(at)),
            };
            let message = format!(
                "`{}` is {kind} in the input schema of `{tool}`: `{}` never resolves",
                prefix(at),
                path.value
            );
            Some(
                RULE.finding(cx, path.span, message)
                    .with_label(format!("steps into {kind}"))
                    .with_help(help),
            )
        }
    }
}

/// Up to eight names, then a count of the rest.
fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
    match names.len().saturating_sub(8) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
