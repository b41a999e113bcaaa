//! `check`'s verdict: one call's decision with the rule that made it, as a snippet of the
//! policy (human) or one JSON object.

use serde_json::{json, Value};

use colored::Colorize;

use crate::diagnostic::{clip, Diagnostic, Severity};
use crate::engine::{Decision, Outcome, Rule};
use crate::policy::Policy;

use super::diagnostics::render_human;

/// The verdict as JSON: tool, grant, decision, reason, rule, `at`, and the agent's message
/// on a denial.
pub fn json(policy: &Policy, tool: &str, grant: &str, outcome: &Outcome, rule: &Rule) -> Value {
    let mut v = json!({
        "tool": tool,
        "grant": grant,
        "decision": outcome.decision.as_str(),
        "rule": rule.pointer,
        "at": rule.location.to_string(),
    });
    if let Some(r) = outcome.reason {
        v["reason"] = r.as_str().into();
    }
    if let Some(message) = policy.tool(tool).and_then(|t| t.message.as_ref()) {
        if outcome.decision == Decision::Deny {
            v["message"] = message.value.clone().into();
        }
    }
    v
}

/// The verdict for a person: a denial as an error at the deciding rule, with the text the
/// agent receives and when a rate-limited call would fit again; an allowed call as a plain
/// line naming the rule (it is not a problem, so not a warning).
pub fn human(policy: &Policy, tool: &str, outcome: &Outcome, rule: &Rule, color: bool) -> String {
    if outcome.decision != Decision::Deny {
        let verdict = outcome.decision.to_string();
        let verdict = if color {
            verdict.green().bold().to_string()
        } else {
            verdict
        };
        return format!(
            "{verdict}: {}\n  decided by {} at {}\n",
            clip(tool),
            rule.pointer,
            rule.location
        );
    }
    let reason = outcome.reason.map_or(String::new(), |r| format!(" ({r})"));
    let mut help = Vec::new();
    if let Some(message) = policy.tool(tool).and_then(|t| t.message.as_ref()) {
        help.push(format!("the agent receives: {}", message.value));
    }
    if let Some(r) = outcome.retry_after_s {
        help.push(format!("the call would fit again in {r}s"));
    }
    let mut d = Diagnostic::error(
        "decision",
        &policy.source,
        rule.span,
        format!("{}: deny{reason}", clip(tool)),
    )
    .with_severity(Severity::Error)
    .with_label(format!("{} — decided here", rule.pointer));
    if !help.is_empty() {
        d = d.with_help(help.join("\n"));
    }
    render_human(&d, color)
}
