//! `check`'s verdict: one call's decision with the rule that made it, as a snippet of the
//! policy (human) or one JSON object.

use serde_json::{json, Value};

use crate::diagnostic::{Diagnostic, Severity};
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

/// The verdict as a snippet of the policy at the deciding rule.
pub fn human(policy: &Policy, tool: &str, outcome: &Outcome, rule: &Rule, color: bool) -> String {
    let verdict = match outcome.reason {
        Some(r) => format!("deny ({r})"),
        None => outcome.decision.to_string(),
    };
    let d = Diagnostic::error(
        "decision",
        &policy.source,
        rule.span,
        format!("{tool}: {verdict}"),
    )
    .with_severity(if outcome.decision == Decision::Deny {
        Severity::Error
    } else {
        Severity::Warning
    })
    .with_label(format!("{} — decided here", rule.pointer));
    render_human(&d, color)
}
