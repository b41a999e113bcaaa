//! PL108 `batch-limited-per-call`: finds a batch tool (a `batch:<path>` signal: an array of
//! work items, such as the sessions `session_create_batch` opens) whose calls get through
//! and whose limits all count calls: none has an `increment_from`. Each such limit is
//! reported. Batches nested under `[*]` are not, since `increment_from` cannot name them;
//! neither are tools under `action: "approve"`, whose batches a person reads.
//! The documentation below is what `policylayer explain` prints.

use super::helpers::{append_member, quote, signal_path};
use super::input_schema::{resolve, Resolved};
use crate::catalog::Signal;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::lint::Context;
use crate::policy::{window_name, Access, Path};

declare_rule! {
    /// ## What it does
    /// Finds a batch tool (a `batch:<path>` signal: an array of work items, such as the
    /// sessions `session_create_batch` opens) whose calls get through and whose limits all
    /// count calls: none has an `increment_from`. Each such limit is reported. Batches
    /// nested under `[*]` are not, since `increment_from` cannot name them; neither are
    /// tools under `action: "approve"`, whose batches a person reads.
    ///
    /// ## Why is this bad?
    /// One call carries many items. A limit of 30 calls a minute on a tool that takes up to
    /// 15 sessions a call lets 450 sessions a minute through, while it reads as 30.
    ///
    /// ## Example
    /// ```json
    /// "session_create_batch": { "limits": [ { "counter": "sessions", "window": "minute", "max": 30 } ] }
    /// ```
    ///
    /// ## Fix
    /// Count the items: `"increment_from": "args.sessions"` charges one unit per element,
    /// and size `max` in items. Keep a per-call limit beside it if you want both. The fix
    /// adds `increment_from` to a limit without an explicit `increment`; it is unsafe
    /// (`--unsafe-fixes`) because the same `max` then counts items instead of calls.
    pub static RULE = {
        code: "PL108",
        name: "batch-limited-per-call",
        severity: Warning,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for entry in cx.tools() {
        let (Access::Allowed(rule), Some(tool)) = (entry.access, entry.tool) else {
            continue;
        };
        if rule.limits.is_empty() || rule.limits.iter().any(|l| l.increment_from.is_some()) {
            continue;
        }
        let batch = tool.signals.iter().find_map(|s| match s {
            Signal::Batch(arg) => Path::parse(&signal_path(arg))
                .ok()
                .filter(|p| !p.has_wildcard()),
            _ => None,
        });
        let Some(batch) = batch else {
            continue;
        };
        let max_items = match resolve(&tool.input_schema, &batch.segments) {
            Resolved::Schema(s) => s.get("maxItems").and_then(serde_json::Value::as_u64),
            _ => None,
        };
        let text = cx.policy.source.text();
        // A limit with `increment: 0` counts nothing at all (PL115 reports it).
        for (i, limit) in rule
            .limits
            .iter()
            .enumerate()
            .filter(|(_, l)| l.increment > 0)
        {
            let per_call = match max_items {
                Some(n) => format!(" (up to {n})"),
                None => String::new(),
            };
            let calls = limit.max.value / limit.increment;
            let label = match max_items.and_then(|n| n.checked_mul(calls)) {
                Some(items) => format!(
                    "{calls} calls per {} = up to {items} items",
                    window_name(limit.window.value)
                ),
                None => "counts calls, not items".into(),
            };
            let mut d = RULE
                .finding(
                    cx,
                    limit.max.span,
                    format!(
                        "limit `{}` counts calls of batch tool `{}`, but one call carries many items at `{batch}`{per_call}",
                        limit.counter.value, tool.name
                    ),
                )
                .with_label(label)
                .with_help(format!(
                    "count items with \"increment_from\": \"{batch}\" and size `max` in items"
                ));
            let increment = format!("{}/limits/{i}/increment", rule.pointer());
            if cx.policy.span_of(&increment).is_none() {
                let member = format!("\"increment_from\": {}", quote(&batch.to_string()));
                d = d.with_fix(Fix {
                    description: format!("count one unit per element of `{batch}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![append_member(text, limit.span, &member)],
                });
            }
            out.push(d);
        }
    }
}
