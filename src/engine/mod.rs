//! The evaluation engine (SPEC §1 "Evaluation order"): one call in, one decision out, with
//! the rule that made it. `simulate`, `check` and every later consumer share it.

pub mod args;
mod compile;
pub mod condition;
pub mod counter;
pub mod hash;

use crate::json::Value;
use crate::policy::{Action, ConditionList, Policy, Posture, Scope};
use crate::source::{Location, Span};
pub use args::{ArgValue, Leaf};
use compile::{CompiledLimit, Named, Program};
use condition::Verdict;
pub use counter::{Charge, Charges};
use counter::{CounterKey, Counters};
use hash::FastMap;

crate::keywords! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Decision {
        Allow = "allow",
        Deny = "deny",
        Approve = "approve",
    }
}

crate::keywords! {
    /// Why a call was denied.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Reason {
        Hidden = "hidden",
        DefaultDeny = "default_deny",
        ToolDenied = "tool_denied",
        RequireFailed = "require_failed",
        DenyIfMatched = "deny_if_matched",
        TypeMismatch = "type_mismatch",
        RateLimited = "rate_limited",
    }
}

/// A rule a decision can name: its JSON pointer, span and `file:line:column`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub pointer: String,
    pub span: Span,
    pub location: Location,
}

/// Index into [`Engine::rules`].
pub type RuleId = usize;

/// One tool call to decide. `args` is any [`ArgValue`]: a parsed [`Value`] by default.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a, A = &'a Value> {
    pub tool: &'a str,
    pub grant: &'a str,
    pub args: A,
    /// Seconds since the UNIX epoch.
    pub time: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub decision: Decision,
    pub reason: Option<Reason>,
    pub rule: RuleId,
    pub retry_after_s: Option<u64>,
    /// What the call charged, for a later rollback.
    pub charges: Charges,
}

/// Counters are swept for expired windows this often (in evaluated calls).
const SWEEP_EVERY: u64 = 1 << 16;

/// Grant-scoped counters use the grant's interned id; global ones this.
const GLOBAL: u32 = u32::MAX;

pub struct Engine<'p> {
    program: Program<'p>,
    state: State,
}

/// What changes as calls are evaluated, apart from the compiled policy.
#[derive(Default)]
struct State {
    counters: Counters,
    grants: FastMap<Box<str>, u32>,
    evaluated: u64,
    /// Counter key and units of each limit of the call being decided, reused across calls.
    scratch: Vec<(CounterKey, f64)>,
}

impl<'p> Engine<'p> {
    pub fn new(policy: &'p Policy) -> Engine<'p> {
        Engine {
            program: Program::compile(policy),
            state: State::default(),
        }
    }

    pub fn policy(&self) -> &'p Policy {
        self.program.policy
    }

    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.program.rules[id]
    }

    /// Every rule a decision can name, indexed by [`RuleId`].
    pub fn rules(&self) -> &[Rule] {
        &self.program.rules
    }

    /// The count a charge went to, right after the call that made it: `suggest-limits`
    /// reads the level each allowed call took its counters to.
    pub fn level(&self, charge: &Charge) -> f64 {
        self.state.counters.level(charge.key)
    }

    /// Live counters, for memory accounting.
    pub fn live_counters(&self) -> usize {
        self.state.counters.len()
    }

    /// Every non-zero count at `time`, by counter key, read-only: lets tests check that
    /// denied and rolled-back calls leave the counters as they were.
    pub fn usage(&self, time: f64) -> Vec<(u64, f64)> {
        self.state.counters.snapshot(time)
    }

    /// Decides one call and, when it is allowed, charges its limits.
    pub fn evaluate<'a, A: ArgValue<'a>>(&mut self, call: &Call<'a, A>) -> Outcome {
        self.decide(call, true)
    }

    /// [`Engine::evaluate`] for a call whose conditions are known to hold: another engine
    /// over the same tool entries (differing only in limits) let it through. `require`
    /// and `deny_if` are not evaluated again.
    pub fn evaluate_past_conditions<'a, A: ArgValue<'a>>(&mut self, call: &Call<'a, A>) -> Outcome {
        self.decide(call, false)
    }

    fn decide<'a, A: ArgValue<'a>>(&mut self, call: &Call<'a, A>, conditions: bool) -> Outcome {
        self.state.evaluated += 1;
        if self.state.evaluated % SWEEP_EVERY == 0 {
            self.state.counters.sweep(call.time);
        }
        let deny = |reason, rule| Outcome {
            decision: Decision::Deny,
            reason: Some(reason),
            rule,
            retry_after_s: None,
            charges: Charges::new(),
        };
        let named = self.program.names.get(call.tool).copied().unwrap_or(Named {
            hidden: self.program.hide_all,
            tool: None,
        });
        // 1. hidden: the first matching entry, exact name or "*".
        if let Some(rule) = named.hidden {
            return deny(Reason::Hidden, rule);
        }
        // 2. unlisted tools follow the default posture.
        let Some(tool) = named.tool.map(|i| &self.program.tools[i]) else {
            return match self.program.policy.default.value {
                Posture::Deny => deny(Reason::DefaultDeny, self.program.default_rule),
                Posture::Allow => self.state.limits(
                    call,
                    (&[], &self.program.all_tools),
                    self.program.all_tools_shared,
                    Decision::Allow,
                    self.program.default_rule,
                ),
            };
        };
        // 3. action deny.
        let action = tool.rule.effective_action();
        if action == Action::Deny {
            return deny(Reason::ToolDenied, tool.action.unwrap_or(tool.plain));
        }
        // 4-5. require, then deny_if.
        let checked = if conditions { tool.require.len() } else { 0 };
        for (cond, &rule) in tool.rule.require.iter().zip(&tool.require[..checked]) {
            match condition::evaluate(
                cond,
                ConditionList::Require,
                call.tool,
                call.grant,
                call.args,
            ) {
                Verdict::Holds => {}
                Verdict::Fails => return deny(Reason::RequireFailed, rule),
                Verdict::Mismatch => return deny(Reason::TypeMismatch, rule),
            }
        }
        let checked = if conditions { tool.deny_if.len() } else { 0 };
        for (cond, &rule) in tool.rule.deny_if.iter().zip(&tool.deny_if[..checked]) {
            match condition::evaluate(
                cond,
                ConditionList::DenyIf,
                call.tool,
                call.grant,
                call.args,
            ) {
                Verdict::Fails => {}
                Verdict::Holds => return deny(Reason::DenyIfMatched, rule),
                Verdict::Mismatch => return deny(Reason::TypeMismatch, rule),
            }
        }
        let (decision, rule) = match (action, tool.action) {
            (Action::Approve, Some(r)) => (Decision::Approve, r),
            (_, Some(r)) => (Decision::Allow, r),
            (_, None) => (Decision::Allow, tool.plain),
        };
        self.state.limits(
            call,
            (&tool.limits, &self.program.all_tools),
            tool.shared,
            decision,
            rule,
        )
    }

    /// Whether rolling back these charges would still give anything back (pending JSON-RPC
    /// calls whose windows have all passed are forgotten).
    pub fn can_roll_back(&self, charges: &[Charge]) -> bool {
        charges.iter().any(|c| self.state.counters.can_roll_back(c))
    }

    /// Gives back what a call charged (a failed call does not consume quota).
    pub fn rollback(&mut self, charges: &[Charge]) {
        for c in charges {
            self.state.counters.rollback(c);
        }
    }
}

impl State {
    /// Steps 6-7: the tool's limits then `all_tools`, checked together and charged together.
    /// `shared`: whether two of them count one counter.
    fn limits<'a, A: ArgValue<'a>>(
        &mut self,
        call: &Call<'a, A>,
        (tool_limits, all_tools): (&[CompiledLimit], &[CompiledLimit]),
        shared: bool,
        decision: Decision,
        rule: RuleId,
    ) -> Outcome {
        let limits = || tool_limits.iter().chain(all_tools);
        // Every increment first: a type mismatch wins over any exceeded limit.
        self.scratch.clear();
        for l in limits() {
            match increment(l, call.args) {
                Some(units) => self.scratch.push((0, units)),
                None => {
                    return Outcome {
                        decision: Decision::Deny,
                        reason: Some(Reason::TypeMismatch),
                        rule: l.rule,
                        retry_after_s: None,
                        charges: Charges::new(),
                    }
                }
            }
        }
        let mut grant = None;
        for (l, slot) in limits().zip(&mut self.scratch) {
            let g = match l.scope {
                Scope::Grant => *grant.get_or_insert_with(|| intern(&mut self.grants, call.grant)),
                Scope::Global => GLOBAL,
            };
            slot.0 = (u64::from(l.class) << 32) | u64::from(g);
        }
        let mut first_exceeded = None;
        let mut wait: Option<f64> = Some(0.0);
        for (i, l) in limits().enumerate() {
            let (key, units) = self.scratch[i];
            // What earlier limits of this same call charge to the same counter.
            let earlier: f64 = if shared {
                self.scratch[..i]
                    .iter()
                    .filter(|(k, _)| *k == key)
                    .map(|(_, u)| u)
                    .sum()
            } else {
                0.0
            };
            let used = self.counters.used(key, l.shape, call.time);
            if used + earlier + units > l.max {
                first_exceeded.get_or_insert(l.rule);
                let w = self
                    .counters
                    .wait(key, l.shape, call.time, earlier + units, l.max);
                wait = match (wait, w) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
        }
        if let Some(rule) = first_exceeded {
            return Outcome {
                decision: Decision::Deny,
                reason: Some(Reason::RateLimited),
                rule,
                retry_after_s: wait.map(round_up_seconds),
                charges: Charges::new(),
            };
        }
        let charges = limits()
            .zip(&self.scratch)
            .map(|(l, &(key, units))| self.counters.charge(key, l.shape, call.time, units))
            .collect();
        Outcome {
            decision,
            reason: None,
            rule,
            retry_after_s: None,
            charges,
        }
    }
}

/// The grant's number, given on first sight.
fn intern(grants: &mut FastMap<Box<str>, u32>, grant: &str) -> u32 {
    if let Some(&id) = grants.get(grant) {
        return id;
    }
    let id = grants.len() as u32;
    grants.insert(grant.into(), id);
    id
}

/// Units one call consumes for a limit; `None` is a type mismatch.
fn increment<'a, A: ArgValue<'a>>(limit: &CompiledLimit, args: A) -> Option<f64> {
    let Some(path) = &limit.increment_from else {
        return Some(limit.increment);
    };
    let Some(value) = condition::walk(args, &path.segments) else {
        return Some(limit.increment);
    };
    match value.leaf() {
        Leaf::Number(n) if n >= 0.0 => Some(n),
        Leaf::Array(a) => Some(a.count() as f64),
        Leaf::String(s) => Some(s.chars().count() as f64),
        _ => None,
    }
}

/// Seconds rounded up, computed at microsecond precision so float noise in a whole-second
/// wait does not add a second.
fn round_up_seconds(wait: f64) -> u64 {
    let micros = (wait * 1e6).round();
    (micros / 1e6).ceil().max(0.0) as u64
}
