//! Compiling a policy for evaluation: every rule numbered with its pointer and location,
//! tool names resolved once to their `hide` entry and rule, and limits grouped into the
//! counters they share. The result is immutable; the counters live in the engine's state.

use std::collections::HashMap;

use super::counter::Shape;
use super::hash::FastMap;
use super::{Rule, RuleId};
use crate::policy::{Limit, Path, Policy, Scope, ToolRule};
use crate::source::Span;

/// A policy ready for evaluation.
pub(super) struct Program<'p> {
    pub(super) policy: &'p Policy,
    pub(super) rules: Vec<Rule>,
    pub(super) tools: Vec<CompiledTool<'p>>,
    pub(super) names: FastMap<&'p str, Named>,
    /// The first `"*"` in `hide`: hides every name not in `names`.
    pub(super) hide_all: Option<RuleId>,
    pub(super) default_rule: RuleId,
    pub(super) all_tools: Vec<CompiledLimit>,
    /// Whether two `all_tools` limits count one counter (see [`CompiledTool::shared`]).
    pub(super) all_tools_shared: bool,
}

/// A limit compiled for evaluation.
#[derive(Debug)]
pub(super) struct CompiledLimit {
    pub(super) class: u32,
    pub(super) scope: Scope,
    pub(super) shape: Shape,
    pub(super) max: f64,
    pub(super) increment: f64,
    pub(super) increment_from: Option<Path>,
    pub(super) rule: RuleId,
}

#[derive(Debug)]
pub(super) struct CompiledTool<'p> {
    pub(super) rule: &'p ToolRule,
    /// `/tools/T` (plain allow) and `/tools/T/action`.
    pub(super) plain: RuleId,
    pub(super) action: Option<RuleId>,
    pub(super) require: Vec<RuleId>,
    pub(super) deny_if: Vec<RuleId>,
    pub(super) limits: Vec<CompiledLimit>,
    /// Whether two of its limits and `all_tools`' count one counter: only then must a call
    /// add what its earlier limits charge to that counter before checking a later one.
    pub(super) shared: bool,
}

/// Whether two limits of `limits` count the same counter class.
fn shares_a_class<'a>(limits: impl Iterator<Item = &'a CompiledLimit>) -> bool {
    let mut seen = std::collections::HashSet::new();
    limits.into_iter().any(|l| !seen.insert(l.class))
}

/// What a tool name leads to, found with one lookup per call.
#[derive(Debug, Clone, Copy)]
pub(super) struct Named {
    /// The first `hide` entry that hides the name (its own or `"*"`).
    pub(super) hidden: Option<RuleId>,
    /// Index into [`Engine::tools`].
    pub(super) tool: Option<usize>,
}

impl<'p> Program<'p> {
    pub(super) fn compile(policy: &'p Policy) -> Program<'p> {
        let mut rules = Vec::new();
        let mut add = |pointer: String, span: Span| -> RuleId {
            rules.push(Rule {
                location: policy.location(span),
                pointer,
                span,
            });
            rules.len() - 1
        };
        // The first entry that hides each name, exact or `"*"`.
        let mut names: FastMap<&'p str, Named> = FastMap::default();
        let mut hide_all = None;
        for (i, h) in policy.hide.iter().enumerate() {
            if h.value == "*" {
                if hide_all.is_none() {
                    hide_all = Some(add(format!("/hide/{i}"), h.span));
                }
            } else if !names.contains_key(h.value.as_str()) {
                // After a `"*"`, that entry is the first to hide the name.
                let rule = hide_all.unwrap_or_else(|| add(format!("/hide/{i}"), h.span));
                names.insert(
                    h.value.as_str(),
                    Named {
                        hidden: Some(rule),
                        tool: None,
                    },
                );
            }
        }
        let default_rule = add("/default".into(), policy.default.span);
        let mut classes: HashMap<(String, u64, &'static str, &'static str), u32> = HashMap::new();
        let mut compile_limits =
            |limits: &'p [Limit], base: &str, add: &mut dyn FnMut(String, Span) -> RuleId| {
                limits
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let next = classes.len() as u32;
                        let class = *classes
                            .entry((
                                l.counter.value.clone(),
                                l.window.value,
                                l.algorithm.as_str(),
                                l.scope.as_str(),
                            ))
                            .or_insert(next);
                        CompiledLimit {
                            class,
                            scope: l.scope,
                            shape: Shape {
                                window: l.window.value as f64,
                                algorithm: l.algorithm,
                            },
                            max: l.max.value as f64,
                            increment: l.increment as f64,
                            increment_from: l.increment_from.as_ref().map(|p| p.value.clone()),
                            rule: add(format!("{base}/limits/{i}"), l.span),
                        }
                    })
                    .collect::<Vec<_>>()
            };
        let all_tools = compile_limits(&policy.all_tools, "/all_tools", &mut add);
        let mut tools = Vec::with_capacity(policy.tools.len());
        for t in &policy.tools {
            let base = t.pointer();
            let plain = add(base.clone(), t.span);
            let action = t
                .action
                .as_ref()
                .map(|a| add(format!("{base}/action"), a.span));
            let require = (0..t.require.len())
                .map(|i| add(format!("{base}/require/{i}"), t.require[i].span))
                .collect();
            let deny_if = (0..t.deny_if.len())
                .map(|i| add(format!("{base}/deny_if/{i}"), t.deny_if[i].span))
                .collect();
            let limits = compile_limits(&t.limits, &base, &mut add);
            names
                .entry(t.name.as_str())
                .or_insert(Named {
                    hidden: hide_all,
                    tool: None,
                })
                .tool = Some(tools.len());
            let shared = shares_a_class(limits.iter().chain(&all_tools));
            tools.push(CompiledTool {
                rule: t,
                plain,
                action,
                require,
                deny_if,
                limits,
                shared,
            });
        }
        Program {
            policy,
            rules,
            tools,
            names,
            hide_all,
            default_rule,
            all_tools_shared: shares_a_class(all_tools.iter()),
            all_tools,
        }
    }
}
