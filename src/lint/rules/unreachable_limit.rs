//! PL115 `unreachable-limit`: finds a limit that no agent can reach: one that allows more
//! than 100 calls a second on average over its window (`max / (increment × window
//! seconds)`), such as 1000000000 a minute or 10000000 a day, and a limit that counts
//! nothing (`"increment": 0` and no `increment_from`). Limits with an `increment_from`
//! count items or characters, not calls, and are not checked against the rate.
//! The documentation below is what `policylayer explain` prints.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::lint::Context;
use crate::policy::window_name;

declare_rule! {
    /// ## What it does
    /// Finds a limit that no agent can reach: one that allows more than 100 calls a second
    /// on average over its window (`max / (increment × window seconds)`), such as
    /// 1000000000 a minute or 10000000 a day, and a limit that counts nothing
    /// (`"increment": 0` and no `increment_from`). Limits with an `increment_from` count
    /// items or characters, not calls, and are not checked against the rate.
    ///
    /// 100 a second is far above what an agent does: each call is a round trip to a model
    /// and a browser, and interactive agents make a few a second at most. A limit above
    /// it is one that was never sized.
    ///
    /// ## Why is this bad?
    /// It looks like a limit in review and in `diff`, and it limits nothing: PL101 is
    /// satisfied, and a runaway loop runs at full speed.
    ///
    /// ## Example
    /// ```json
    /// "navigate": { "limits": [ { "counter": "nav", "window": "minute", "max": 1000000000 } ] }
    /// ```
    ///
    /// ## Fix
    /// Size `max` to what a legitimate agent needs in the window, e.g. 30 a minute or 2000
    /// a day; to count units, set `increment` above 0 or use `increment_from`.
    pub static RULE = {
        code: "PL115",
        name: "unreachable-limit",
        severity: Warning,
        check: Some(check),
    };
}

/// Average calls a second above which no agent reaches a limit.
const MAX_CALLS_PER_SECOND: u64 = 100;

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let limits = cx.limits().map(|(_, limit)| limit);
    for limit in limits.filter(|l| l.increment_from.is_none()) {
        let window = window_name(limit.window.value);
        if limit.increment == 0 {
            out.push(
                RULE.finding(
                    cx,
                    limit.counter.span,
                    format!(
                        "limit `{}` has `increment: 0` and no `increment_from`: it counts nothing and never denies",
                        limit.counter.value
                    ),
                )
                .with_label("counts nothing")
                .with_help("remove `increment` to count one unit a call, or count items with `increment_from`"),
            );
            continue;
        }
        let per_window = u128::from(limit.increment) * u128::from(limit.window.value);
        let ceiling = per_window * u128::from(MAX_CALLS_PER_SECOND);
        if u128::from(limit.max.value) <= ceiling {
            continue;
        }
        let calls = u128::from(limit.max.value) / u128::from(limit.increment);
        let per_second = calls / u128::from(limit.window.value);
        out.push(
            RULE.finding(
                cx,
                limit.max.span,
                format!(
                    "limit `{}` allows {calls} calls a {window}, about {per_second} a second: no agent gets near it",
                    limit.counter.value
                ),
            )
            .with_label(format!("over {MAX_CALLS_PER_SECOND} calls a second"))
            .with_help(format!(
                "size `max` to what a legitimate agent needs in a {window}; above {} calls a {window} a limit is out of any agent's reach",
                ceiling / u128::from(limit.increment)
            )),
        );
    }
}
