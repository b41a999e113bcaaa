//! `lint`: rules over a validated [`Policy`] and the [`Catalog`] of its server.
//!
//! Each rule lives in its own file under [`rules`], declared with [`declare_rule!`] so that
//! its doc comment (What it does / Why is this bad? / Example / Fix) is both rustdoc and the
//! text `policylayer explain CODE` prints. [`rules::ALL`] is the one registry.

pub mod config;
pub mod fix;
pub mod rules;

use std::sync::Arc;

use crate::catalog::{self, Catalog};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::json::{Node, Value};
use crate::policy::{Access, Limit, Policy, ToolRule};
use crate::source::Span;
use config::Settings;

/// The code of `unused-suppression`, which [`run`] computes after the rules have run.
pub const UNUSED_SUPPRESSION: &str = "PL190";

/// A lint rule: stable code, kebab-case name, default severity, documentation and check.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`, `## Fix`.
    pub doc: &'static str,
    /// `None` for codes the parser reports (syntax, unknown fields, …): they are
    /// documented here but found before any rule runs.
    pub check: Option<fn(&Context, &mut Vec<Diagnostic>)>,
}

impl Rule {
    /// A finding of this rule at `span`, with its default severity.
    pub fn finding(
        &'static self,
        cx: &Context,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(self.code, &cx.policy.source, span, message).with_severity(self.severity)
    }

    /// The documentation as Markdown, without the doc comments' leading spaces.
    pub fn documentation(&self) -> String {
        let doc: String = self
            .doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        doc.trim().to_string()
    }

    /// The "What it does" section as one paragraph, for tools that show a description
    /// (SARIF's `fullDescription`).
    pub fn what_it_does(&self) -> String {
        let doc = self.documentation();
        let section = doc
            .split("## ")
            .find_map(|s| s.strip_prefix("What it does"))
            .unwrap_or(&doc);
        section.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The first sentence of "What it does" (SARIF's `shortDescription`).
    pub fn summary(&self) -> String {
        let what = self.what_it_does();
        match what.find(". ") {
            Some(i) => what[..=i].to_string(),
            None => what,
        }
    }
}

/// Declares a rule; the doc comment becomes the rule's `explain` text.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident = {
            code: $code:expr,
            name: $name:literal,
            severity: $sev:ident,
            check: $check:expr $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $id: $crate::lint::Rule = $crate::lint::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$sev,
            doc: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}

/// What every rule reads.
pub struct Context<'a> {
    pub policy: &'a Policy,
    pub catalog: &'a Catalog,
    /// Per-minute limits sized from recorded traffic (`lint --fix --trace`), by tool: PL101's
    /// fix writes these instead of its fixed guess.
    pub sizes: &'a LimitSizes,
}

/// A suggested per-minute, per-grant `max` for each tool (see `crate::suggest`).
pub type LimitSizes = std::collections::HashMap<String, u64>;

/// One tool as the policy and the catalogue see it (see [`Context::tools`]).
#[derive(Clone, Copy)]
pub struct ToolEntry<'a> {
    pub name: &'a str,
    /// The policy's rule for the tool, if it lists it under `tools`.
    pub rule: Option<&'a ToolRule>,
    /// How the policy treats calls to it (hidden, denied, allowed, …).
    pub access: Access<'a>,
    /// The catalogue's entry for the tool, if the catalogue has it.
    pub tool: Option<&'a catalog::Tool>,
}

impl<'a> Context<'a> {
    /// Every tool the policy lists or the catalogue has, once: the policy's tool rules in
    /// file order, then the catalogue's tools the policy does not list, in catalogue order.
    /// Rules look tools up here rather than each pairing policy and catalogue itself.
    pub fn tools(&self) -> impl Iterator<Item = ToolEntry<'a>> + '_ {
        let (policy, catalog) = (self.policy, self.catalog);
        let listed = policy.tools.iter().map(move |rule| ToolEntry {
            name: &rule.name,
            rule: Some(rule),
            access: policy.access(&rule.name),
            tool: catalog.tool(&rule.name),
        });
        let unlisted = catalog
            .tools()
            .iter()
            .filter(move |tool| policy.tool(&tool.name).is_none())
            .map(move |tool| ToolEntry {
                name: &tool.name,
                rule: None,
                access: policy.access(&tool.name),
                tool: Some(tool),
            });
        listed.chain(unlisted)
    }

    /// Every limit of the policy: the `all_tools` limits, then each tool rule's in file
    /// order, with the rule a tool limit belongs to.
    pub fn limits(&self) -> impl Iterator<Item = (Option<&'a ToolRule>, &'a Limit)> {
        let policy = self.policy;
        let all = policy.all_tools.iter().map(|limit| (None, limit));
        let tools = policy
            .tools
            .iter()
            .flat_map(|rule| rule.limits.iter().map(move |limit| (Some(rule), limit)));
        all.chain(tools)
    }
}

/// Runs every rule; findings come back in source order.
pub fn check(policy: &Policy, catalog: &Catalog) -> Vec<Diagnostic> {
    let sizes = LimitSizes::new();
    let cx = Context {
        policy,
        catalog,
        sizes: &sizes,
    };
    let mut out = Vec::new();
    for rule in rules::ALL {
        if let Some(check) = rule.check {
            check(&cx, &mut out);
        }
    }
    out.sort_by_key(|d| (d.span.start, d.code));
    out
}

/// The findings of one policy under a configuration.
pub struct Linted {
    pub diagnostics: Vec<Diagnostic>,
    /// Parallel to each `settings.suppress[i].codes`: whether that code suppressed
    /// something here. A configuration serves many policies, so whether one of its
    /// suppressions is unused is only known after all of them ([`unused_config_suppressions`]).
    pub used_config: Vec<Vec<bool>>,
}

/// Runs the enabled rules at their configured severities, drops the findings that inline
/// and configuration suppressions cover, and reports unused inline suppressions (PL190).
pub fn run(policy: &Policy, catalog: &Catalog, settings: &Settings) -> Linted {
    run_sized(policy, catalog, settings, &LimitSizes::new())
}

/// [`run`], with PL101's fix sized from recorded traffic.
pub fn run_sized(
    policy: &Policy,
    catalog: &Catalog,
    settings: &Settings,
    sizes: &LimitSizes,
) -> Linted {
    let cx = Context {
        policy,
        catalog,
        sizes,
    };
    let mut found = Vec::new();
    for rule in rules::ALL {
        if let (Some(check), true) = (rule.check, settings.enabled(rule.code)) {
            check(&cx, &mut found);
        }
    }
    found.retain(|d| settings.enabled(d.code));
    for d in &mut found {
        if let Some(severity) = settings.relevel(d.code) {
            d.severity = severity;
        }
    }
    let mut used = Used::new(policy, settings);
    found.retain(|d| !used.suppress(d));
    if settings.enabled(UNUSED_SUPPRESSION) {
        // Found after the suppressions above are settled; they can be suppressed in turn
        // by listing PL190 itself.
        for d in unused_inline(policy, settings, &used.inline) {
            if !used.suppress(&d) {
                found.push(d);
            }
        }
    }
    found.sort_by_key(|d| (d.span.start, d.code));
    Linted {
        diagnostics: found,
        used_config: used.config,
    }
}

/// PL190 for the codes of `[[lint.suppress]]` entries that suppressed nothing in any
/// policy; `used` is the union of [`Linted::used_config`] over those policies.
pub fn unused_config_suppressions(settings: &Settings, used: &[Vec<bool>]) -> Vec<Diagnostic> {
    if !settings.enabled(UNUSED_SUPPRESSION) {
        return Vec::new();
    }
    let severity = unused_severity(settings);
    let mut out = Vec::new();
    for (k, s) in settings.suppress.iter().enumerate() {
        for (c, code) in s.codes.iter().enumerate() {
            let was_used = used.get(k).and_then(|u| u.get(c)).copied().unwrap_or(false);
            if was_used || *code == UNUSED_SUPPRESSION {
                continue;
            }
            let message = if settings.enabled(code) {
                format!(
                    "unused suppression: {code} reported nothing in tool `{}`",
                    s.tool
                )
            } else {
                format!("unused suppression: {code} is not enabled, so it has nothing to suppress in tool `{}`", s.tool)
            };
            out.push(
                Diagnostic::error(UNUSED_SUPPRESSION, &s.source, s.span, message)
                    .with_severity(severity)
                    .with_label("unused")
                    .with_help(format!(
                        "remove {code} from this entry's `codes` (or the entry), reason was: {}",
                        s.reason
                    )),
            );
        }
    }
    out
}

fn unused_severity(settings: &Settings) -> Severity {
    settings
        .relevel(UNUSED_SUPPRESSION)
        .or_else(|| rule(UNUSED_SUPPRESSION).map(|r| r.severity))
        .unwrap_or(Severity::Warning)
}

/// Which suppressions have suppressed something so far.
struct Used<'a> {
    policy: &'a Policy,
    settings: &'a Settings,
    /// Per tool rule, per code of its inline `ignore`.
    inline: Vec<Vec<bool>>,
    /// Per configuration suppression, per code.
    config: Vec<Vec<bool>>,
}

impl<'a> Used<'a> {
    fn new(policy: &'a Policy, settings: &'a Settings) -> Self {
        Used {
            policy,
            settings,
            inline: policy
                .tools
                .iter()
                .map(|t| vec![false; t.lint.as_ref().map_or(0, |l| l.ignore.len())])
                .collect(),
            config: settings
                .suppress
                .iter()
                .map(|s| vec![false; s.codes.len()])
                .collect(),
        }
    }

    /// Whether a suppression covers `d`: its span lies in a tool's entry (key or value)
    /// and that tool's inline `ignore` or a configuration entry for it lists the code.
    /// Every suppression that covers it counts as used, so none is reported unused.
    fn suppress(&mut self, d: &Diagnostic) -> bool {
        if !Arc::ptr_eq(&d.source, &self.policy.source) {
            return false;
        }
        let mut hit = false;
        // Tool entries are in file order and do not overlap: at most one holds the span,
        // the last that starts before it (found by bisection, not by a scan per finding).
        let tools = &self.policy.tools;
        let after = tools.partition_point(|t| t.key_span.start <= d.span.start);
        let Some(i) = after.checked_sub(1) else {
            return false;
        };
        let tool = &tools[i];
        if d.span.end > tool.span.end {
            return false;
        }
        if let Some(lint) = &tool.lint {
            for (j, code) in lint.ignore.iter().enumerate() {
                if code.value.eq_ignore_ascii_case(d.code) {
                    self.inline[i][j] = true;
                    hit = true;
                }
            }
        }
        for (k, s) in self.settings.suppress.iter().enumerate() {
            if s.tool != tool.name {
                continue;
            }
            for (c, code) in s.codes.iter().enumerate() {
                if *code == d.code {
                    self.config[k][c] = true;
                    hit = true;
                }
            }
        }
        hit
    }
}

/// Why an inline code of `rule` suppressed nothing, and whether removing it is safe.
fn unused_reason(rule: &Rule, tool: &str, settings: &Settings) -> (String, Applicability) {
    if settings.enabled(rule.code) {
        (
            format!(
                "unused suppression: {} reported nothing in tool `{tool}`",
                rule.code
            ),
            Applicability::Safe,
        )
    } else {
        // The rule may be enabled again later, when the suppression matters again.
        (
            format!(
                "unused suppression: {} is not enabled, so it has nothing to suppress",
                rule.code
            ),
            Applicability::Unsafe,
        )
    }
}

/// PL190 for each inline code of a rule that suppressed nothing, with a fix that removes
/// it (or the whole `lint` field when none of its codes is used). Codes that are not
/// codes of a configurable rule are PL116's (unknown-suppression-code) to report.
fn unused_inline(policy: &Policy, settings: &Settings, used: &[Vec<bool>]) -> Vec<Diagnostic> {
    let severity = unused_severity(settings);
    let mut out = Vec::new();
    for (tool, used) in policy.tools.iter().zip(used) {
        let Some(lint) = &tool.lint else { continue };
        let unused: Vec<(usize, &Rule)> = lint
            .ignore
            .iter()
            .enumerate()
            .filter(|(j, _)| !used.get(*j).copied().unwrap_or(true))
            .filter_map(|(j, code)| {
                let rule = rules::ALL.iter().copied().find(|r| {
                    config::configurable(r) && r.code.eq_ignore_ascii_case(&code.value)
                })?;
                (rule.code != UNUSED_SUPPRESSION).then_some((j, rule))
            })
            .collect();
        let reasons: Vec<_> = unused
            .iter()
            .map(|(_, rule)| unused_reason(rule, &tool.name, settings))
            .collect();
        let remove_all = unused.len() == lint.ignore.len();
        let all_safe = reasons.iter().all(|(_, a)| *a == Applicability::Safe);
        for (&(j, _), (message, applicability)) in unused.iter().zip(reasons) {
            let code = &lint.ignore[j];
            let mut d = Diagnostic::error(UNUSED_SUPPRESSION, &policy.source, code.span, message)
                .with_severity(severity)
                .with_label("unused")
                .with_help(format!(
                    "remove it from `ignore`; the reason given was: {}",
                    lint.reason.value
                ));
            let fix = if remove_all {
                member_removal(policy, tool, "lint").map(|span| Fix {
                    description: "remove the unused `lint` suppression".into(),
                    applicability: if all_safe {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    },
                    edits: vec![Edit {
                        span,
                        replacement: String::new(),
                    }],
                })
            } else {
                let spans: Vec<Span> = lint.ignore.iter().map(|c| c.span).collect();
                Some(Fix {
                    description: format!("remove `{}` from `ignore`", code.value),
                    applicability,
                    edits: vec![Edit {
                        span: element_removal(&spans, j),
                        replacement: String::new(),
                    }],
                })
            };
            if let Some(fix) = fix {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
    }
    out
}

/// The text to delete to remove item `j` of an array with more than one item: the item
/// and the separator after it, or before it for the last item.
fn element_removal(items: &[Span], j: usize) -> Span {
    match (items.get(j), items.get(j + 1)) {
        (Some(item), Some(next)) => Span::new(item.start, next.start),
        (Some(item), None) if j > 0 => Span::new(items[j - 1].end, item.end),
        (Some(item), None) => *item,
        (None, _) => Span::default(),
    }
}

/// The text to delete to remove member `key` of a tool rule's object.
fn member_removal(policy: &Policy, tool: &ToolRule, key: &str) -> Option<Span> {
    let object: &Node = policy.doc.value.get("tools")?.value.get(&tool.name)?;
    let Value::Object(members) = &object.value else {
        return None;
    };
    let i = members.iter().position(|m| m.key == key)?;
    Some(match i {
        _ if members.len() == 1 => Span::new(object.span.start + 1, object.span.end - 1),
        0 => Span::new(members[0].key_span.start, members[1].key_span.start),
        _ => Span::new(members[i - 1].value.span.end, members[i].value.span.end),
    })
}

/// Looks a rule up by code (case-insensitive) or by name.
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    rules::ALL
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// The `explain` text of a rule: a title line, then its documentation.
pub fn explain(rule: &Rule) -> String {
    format!(
        "{} ({}) — default severity: {}\n\n{}\n",
        rule.code,
        rule.name,
        rule.severity,
        rule.documentation()
    )
}

/// `docs/rules.md`: every code with its documentation, generated from the registry so the
/// page cannot drift from `explain` (a test compares the committed file with this).
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Lint rules\n\nGenerated from the rule registry: `policylayer explain CODE` prints the same text,\n\
         and a test fails when this page is stale (`POLICYLAYER_BLESS=1 cargo test --test docs`\n\
         rewrites it). PL0xx are the errors of reading and validating a file: a policy with one is\n\
         not linted, and the command exits 2. PL1xx are the lint rules.\n\n\
         | code | name | default severity | finds |\n|---|---|---|---|\n",
    );
    for rule in rules::ALL {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            rule.code,
            rule.code.to_lowercase(),
            rule.name,
            rule.severity,
            rule.summary().replace('|', "\\|")
        ));
    }
    for rule in rules::ALL {
        let doc = rule.documentation().replace("\n## ", "\n### ");
        let doc = doc
            .strip_prefix("## ")
            .map_or(doc.clone(), |d| format!("### {d}"));
        out.push_str(&format!(
            "\n## {}\n\n`{}`, default severity: {}\n\n{}\n",
            rule.code, rule.name, rule.severity, doc
        ));
    }
    out
}
