//! PL101 `unlimited-write-tool`: finds a write, execute, destructive or financial tool that
//! the policy lets through (listed with `action` allow, or unlisted under `default:
//! "allow"`) with no limit of its own and no `all_tools` limit. Tools under `action:
//! "approve"` are gated by a person and are not flagged; read tools are never flagged.
//! The documentation below is what `policylayer explain` prints.

use super::helpers::{append_member, classified_help};
use crate::catalog::Tool;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::lint::Context;
use crate::policy::Access;

declare_rule! {
    /// ## What it does
    /// Finds a write, execute, destructive or financial tool that the policy lets through
    /// (listed with `action` allow, or unlisted under `default: "allow"`) with no limit of
    /// its own and no `all_tools` limit. Tools under `action: "approve"` are gated by a
    /// person and are not flagged; read tools are never flagged.
    ///
    /// ## Why is this bad?
    /// An agent in a loop calls a tool thousands of times a minute. Without a limit, one
    /// bad plan can open thousands of browser sessions, submit a form a thousand times or
    /// run a script without end before anyone notices.
    ///
    /// ## Example
    /// ```json
    /// "tools": { "navigate": {} }
    /// ```
    ///
    /// ## Fix
    /// Add a per-grant rate limit sized to what a legitimate agent needs (the fix adds
    /// 30 calls a minute per grant; `lint --fix --trace TRACE` sizes it from recorded
    /// traffic instead, as `suggest-limits` does):
    /// ```json
    /// "navigate": { "limits": [ { "counter": "navigate_rate", "window": "minute", "max": 30, "scope": "grant" } ] }
    /// ```
    /// or an `all_tools` quota, or `"action": "approve"` to put a person in the loop.
    pub static RULE = {
        code: "PL101",
        name: "unlimited-write-tool",
        severity: Error,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if !cx.policy.all_tools.is_empty() {
        return;
    }
    for entry in cx.tools() {
        let Some(tool) = entry.tool.filter(|t| t.is_write_like()) else {
            continue;
        };
        let (span, rule) = match entry.access {
            Access::Allowed(rule) if rule.limits.is_empty() => (rule.key_span, Some(rule)),
            Access::DefaultAllowed => (cx.policy.default.span, None),
            _ => continue,
        };
        let sized = cx.sizes.get(&tool.name).copied();
        let limit = suggested_limit(tool, sized.unwrap_or(30));
        let mut d = RULE
            .finding(
                cx,
                span,
                format!(
                    "{} tool `{}` ({} risk) is allowed without any limit",
                    tool.category, tool.name, tool.risk
                ),
            )
            .with_label("allowed with no limit")
            .with_help(classified_help(
                format!("add a limit, e.g. \"limits\": [{limit}], or \"action\": \"approve\""),
                tool,
            ));
        if let Some(rule) = rule {
            d = d.with_fix(Fix {
                description: match sized {
                    Some(max) => format!(
                        "add a limit of {max} calls a minute per grant (the traces' peak with headroom)"
                    ),
                    None => "add a limit of 30 calls a minute per grant".into(),
                },
                applicability: Applicability::Safe,
                edits: vec![append_member(
                    cx.policy.source.text(),
                    rule.span,
                    &format!("\"limits\": [{limit}]"),
                )],
            });
        }
        out.push(d);
    }
}

/// `max` calls a minute per grant; without a trace 30, generous for an interactive agent and
/// a wall for a loop.
fn suggested_limit(tool: &Tool, max: u64) -> String {
    format!(
        "{{ \"counter\": \"{}_rate\", \"window\": \"minute\", \"max\": {max}, \"scope\": \"grant\" }}",
        tool.name
    )
}
