//! `suggest-limits --write`: puts the suggested limits into the policy with small text
//! edits, so its layout, comments-free JSON and key order stay as written (a file in
//! `fmt`'s layout is laid out again as `fmt` would, as `lint --fix` does).
//!
//! Each write, execute, destructive or financial tool that the policy lets through and
//! that has no limit of its own gets one limit per window measured: grant scope, fixed
//! window, a counter named after the tool, `max` the suggestion. With `update_existing`,
//! every existing limit's `max` becomes its suggestion.

use super::Suggestion;
use crate::catalog::Catalog;
use crate::diagnostic::Edit;
use crate::lint::rules::helpers::{append_member, quote};
use crate::policy::{Access, Policy};

/// What `--write` changes.
#[derive(Debug, Default)]
pub struct Plan {
    pub edits: Vec<Edit>,
    /// Tools that got a limit.
    pub limited: Vec<String>,
    /// Write-like tools without a limit that the traces never called: nothing to size
    /// them by, so they are left for a person (PL101 still reports them).
    pub never_called: Vec<String>,
    /// Existing limits whose `max` changes.
    pub updated: usize,
}

impl Plan {
    /// `text` (the policy's) with the plan's edits made.
    pub fn apply(&self, text: &str) -> String {
        let edits: Vec<&Edit> = self.edits.iter().collect();
        crate::lint::fix::splice(text, &edits)
    }
}

/// The edits that write `suggestions` into `policy`.
pub fn plan(
    policy: &Policy,
    catalog: &Catalog,
    suggestions: &[Suggestion],
    update_existing: bool,
) -> Plan {
    let text = policy.source.text();
    let mut out = Plan::default();
    let mut new_entries = Vec::new();
    for tool in catalog.tools().iter().filter(|t| t.is_write_like()) {
        let rule = match policy.access(&tool.name) {
            Access::Allowed(rule) if rule.limits.is_empty() => Some(rule),
            Access::DefaultAllowed => None,
            _ => continue,
        };
        let limits: Vec<String> = suggestions
            .iter()
            .filter(|s| {
                s.tool.as_deref() == Some(tool.name.as_str()) && s.is_proposed_fixed_per_grant()
            })
            .map(|s| limit_text(&tool.name, s, &super::units_of(None, Some(&tool.signals))))
            .collect();
        if limits.is_empty() {
            out.never_called.push(tool.name.clone());
            continue;
        }
        let member = format!("\"limits\": [{}]", limits.join(", "));
        match rule {
            Some(rule) => out.edits.push(append_member(text, rule.span, &member)),
            None => new_entries.push(format!("{}: {{ {member} }}", quote(&tool.name))),
        }
        out.limited.push(tool.name.clone());
    }
    if !new_entries.is_empty() {
        let members = new_entries.join(", ");
        match policy.span_of("/tools") {
            Some(tools) => out.edits.push(append_member(text, tools, &members)),
            None => out.edits.push(append_member(
                text,
                policy.doc.span,
                &format!("\"tools\": {{ {members} }}"),
            )),
        }
    }
    if update_existing {
        for s in suggestions {
            let (Some(pointer), Some(current)) = (&s.pointer, s.current_max) else {
                continue;
            };
            if current == s.suggested_max {
                continue;
            }
            if let Some(span) = policy.span_of(&format!("{pointer}/max")) {
                out.edits.push(Edit {
                    span,
                    replacement: s.suggested_max.to_string(),
                });
                out.updated += 1;
            }
        }
    }
    out
}

/// One limit as it is written: the same units as were measured (`increment_from` a batch).
fn limit_text(tool: &str, s: &Suggestion, units: &serde_json::Value) -> String {
    let window = match s.window_s {
        60 | 3600 | 86400 => format!("\"{}\"", s.window),
        n => n.to_string(),
    };
    let counter = format!("{tool}_per_{}", s.window);
    let from = units
        .get("increment_from")
        .map(|p| format!(", \"increment_from\": {p}"))
        .unwrap_or_default();
    format!(
        "{{ \"counter\": {}, \"window\": {window}, \"max\": {}, \"scope\": \"grant\"{from} }}",
        quote(&counter),
        s.suggested_max
    )
}
