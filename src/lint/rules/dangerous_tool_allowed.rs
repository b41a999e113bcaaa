//! PL102 `dangerous-tool-allowed`: finds a destructive tool, or a tool of critical risk,
//! whose calls get through without a person: listed with `action` allow (written or not),
//! or unlisted under `default: "allow"`. Hidden tools, denied tools and tools under
//! `action: "approve"` are not flagged. Limits do not matter here: one call is enough.
//! The documentation below is what `policylayer explain` prints.

use super::helpers::{append_member, classified_help};
use crate::catalog::{Category, Risk, Tool};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::lint::Context;
use crate::policy::{Access, ToolRule};

declare_rule! {
    /// ## What it does
    /// Finds a destructive tool, or a tool of critical risk, whose calls get through
    /// without a person: listed with `action` allow (written or not), or unlisted under
    /// `default: "allow"`. Hidden tools, denied tools and tools under `action: "approve"`
    /// are not flagged. Limits do not matter here: one call is enough.
    ///
    /// ## Why is this bad?
    /// These are the calls that cannot be taken back: ending sessions, deleting profiles,
    /// running agent-written code in the page, rewriting network traffic, importing a
    /// real browser's cookies. A rate limit still lets the first call through; an agent
    /// that was prompt-injected by a web page needs only that one.
    ///
    /// ## Example
    /// ```json
    /// "tools": { "session_destroy": {}, "execute": { "limits": [ { "counter": "x", "window": "minute", "max": 5 } ] } }
    /// ```
    ///
    /// ## Fix
    /// Hide the tool (`"hide": ["session_destroy"]`), deny it (`"action": "deny"`), or put
    /// a person in the loop with `"action": "approve"` (the unsafe fix writes that: every
    /// call then waits for a person).
    pub static RULE = {
        code: "PL102",
        name: "dangerous-tool-allowed",
        severity: Error,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for entry in cx.tools() {
        let Some(tool) = entry.tool.filter(|t| is_dangerous(t)) else {
            continue;
        };
        let (span, rule) = match entry.access {
            Access::Allowed(rule) => (rule.key_span, Some(rule)),
            Access::DefaultAllowed => (cx.policy.default.span, None),
            _ => continue,
        };
        let what = if tool.category == Category::Destructive {
            format!("destructive tool `{}` ({} risk)", tool.name, tool.risk)
        } else {
            format!("{}-risk {} tool `{}`", tool.risk, tool.category, tool.name)
        };
        let (message, label) = match rule {
            Some(_) => (
                format!("{what} is allowed"),
                "calls get through without a person",
            ),
            None => (
                format!("{what} is allowed by `default: \"allow\"`"),
                "lets unlisted tools through",
            ),
        };
        let mut d = RULE
            .finding(cx, span, message)
            .with_label(label)
            .with_help(classified_help(
                format!(
                    "hide it (\"hide\": [\"{}\"]), deny it (\"action\": \"deny\") or require a person (\"action\": \"approve\")",
                    tool.name
                ),
                tool,
            ));
        if let Some(rule) = rule {
            d = d.with_fix(approve(cx, rule));
        }
        out.push(d);
    }
}

fn is_dangerous(tool: &Tool) -> bool {
    tool.category == Category::Destructive || tool.risk == Risk::Critical
}

/// Sets `"action": "approve"`: unsafe, since every call then waits for a person.
fn approve(cx: &Context, rule: &ToolRule) -> Fix {
    let edit = match &rule.action {
        Some(action) => Edit {
            span: action.span,
            replacement: "\"approve\"".into(),
        },
        None => append_member(
            cx.policy.source.text(),
            rule.span,
            "\"action\": \"approve\"",
        ),
    };
    Fix {
        description: "require a person's approval for every call (\"action\": \"approve\")".into(),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    }
}
