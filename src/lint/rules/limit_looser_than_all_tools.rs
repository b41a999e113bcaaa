//! PL110 `limit-looser-than-all-tools`: finds a tool limit that an `all_tools` limit always
//! reaches first: same window (in seconds), same scope, same algorithm, both counting calls
//! with the same `increment` (no `increment_from`), and a higher `max` on the tool. A tool
//! limit whose counter other limits also charge is not compared.
//! The documentation below is what `policylayer explain` prints.

use std::collections::HashMap;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::lint::Context;
use crate::policy::window_name;

declare_rule! {
    /// ## What it does
    /// Finds a tool limit that an `all_tools` limit always reaches first: same window
    /// (in seconds), same scope, same algorithm, both counting calls with the same
    /// `increment` (no `increment_from`), and a higher `max` on the tool. A tool limit
    /// whose counter other limits also charge is not compared.
    ///
    /// ## Why is this bad?
    /// Every call the tool limit counts is also counted by the `all_tools` limit, which
    /// also counts every other tool's calls; with the smaller `max`, it denies first.
    /// The tool limit never decides anything, and whoever reads `max: 500` believes the
    /// tool may be called 500 times, when it gets the `all_tools` figure at most.
    ///
    /// ## Example
    /// ```json
    /// "all_tools": { "limits": [ { "counter": "all", "window": "minute", "max": 60 } ] },
    /// "tools": { "navigate": { "limits": [ { "counter": "nav", "window": "minute", "max": 500 } ] } }
    /// ```
    ///
    /// ## Fix
    /// Lower the tool's `max` below the `all_tools` one to give the tool a smaller share,
    /// or remove the tool limit if the overall quota is what you meant.
    pub static RULE = {
        code: "PL110",
        name: "limit-looser-than-all-tools",
        severity: Warning,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // How many limits share each counter, counted once (not per limit: 20,000 tools).
    let mut sharing: HashMap<_, usize> = HashMap::new();
    for (_, l) in cx.limits() {
        *sharing.entry(l.counter_identity()).or_default() += 1;
    }
    for rule in &cx.policy.tools {
        for limit in &rule.limits {
            let shared = sharing.get(&limit.counter_identity()).copied().unwrap_or(0) > 1;
            if shared || limit.increment_from.is_some() || limit.increment == 0 {
                continue;
            }
            let binding = cx
                .policy
                .all_tools
                .iter()
                .filter(|a| {
                    a.window.value == limit.window.value
                        && a.scope == limit.scope
                        && a.algorithm == limit.algorithm
                        && a.increment_from.is_none()
                        && a.increment == limit.increment
                        && a.max.value < limit.max.value
                })
                .min_by_key(|a| a.max.value);
            let Some(all) = binding else {
                continue;
            };
            let window = window_name(limit.window.value);
            out.push(
                RULE.finding(
                    cx,
                    limit.max.span,
                    format!(
                        "limit `{}` allows {} a {window} but `all_tools` limit `{}` denies `{}` after {}: this limit never decides",
                        limit.counter.value, limit.max.value, all.counter.value, rule.name, all.max.value
                    ),
                )
                .with_label(format!("never reached: `all_tools` stops at {}", all.max.value))
                .with_related(all.max.span, "the limit that binds")
                .with_help(format!(
                    "lower `max` below {} to give `{}` a smaller share, or remove this limit",
                    all.max.value, rule.name
                )),
            );
        }
    }
}
