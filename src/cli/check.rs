//! `policylayer check`: decides one call and shows the rule that made the decision. Exit 0
//! for allow or approve, 1 for deny, 2 for bad input, so scripts can branch on it.

use std::path::PathBuf;

use crate::engine::{Call, Decision, Engine};
use crate::json::{self, Value};
use crate::render::check as render;
use crate::timestamp::parse_ts;

use super::{fail, write_out, CatalogArg, ColorArg, Globals, EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[arg(long, value_name = "TOOL")]
    pub tool: String,
    /// The call's arguments as a JSON object.
    #[arg(long, value_name = "JSON", default_value = "{}")]
    pub args: String,
    #[arg(long, value_name = "GRANT", default_value = "default")]
    pub grant: String,
    /// Evaluation time (RFC 3339 or UNIX seconds).
    #[arg(long, value_name = "TS")]
    pub at: Option<String>,
    #[arg(long, value_name = "FILE", default_value = "policy.json")]
    pub policy: PathBuf,
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
}

/// A tool neither the policy nor the catalogue knows is probably misspelt: say so on
/// stderr, with the closest name, before deciding it as written.
fn suggest_tool(
    tool: &str,
    policy: &crate::policy::Policy,
    a: &CheckArgs,
    g: &Globals,
    color: bool,
) {
    let Some(catalog) = super::load_catalog(g, &a.catalog, Some(&a.policy), color) else {
        return;
    };
    if catalog.tool(tool).is_some() {
        return;
    }
    let names = policy
        .tools
        .iter()
        .map(|t| t.name.as_str())
        .chain(catalog.tools().iter().map(|t| t.name.as_str()));
    if let Some(close) = crate::diagnostic::did_you_mean(tool, names) {
        eprintln!(
            "note: `{}` is not a tool of the policy or the catalogue; did you mean `{close}`?",
            crate::diagnostic::clip(tool)
        );
    }
}

pub fn run(a: CheckArgs, g: &Globals) -> u8 {
    let color = g.color(&a.color);
    let Some(policy) = super::load_policy(&a.policy, color) else {
        return EXIT_ERROR;
    };
    let args = match json::parse_strict(&a.args) {
        Ok(n) if matches!(n.value, Value::Object(_)) => n.value,
        Ok(n) => {
            return fail(format!(
                "--args must be a JSON object, found {}",
                n.value.type_name()
            ))
        }
        Err(e) => {
            return fail(format!(
                "--args is not valid JSON at column {}: {}",
                e.span.start + 1,
                e.message
            ))
        }
    };
    let time = match a.at.as_deref().map(parse_ts) {
        None => 0.0,
        Some(Ok(t)) => t,
        Some(Err(m)) => return fail(format!("--at: {m}")),
    };
    if policy.tool(&a.tool).is_none() && policy.hidden_by(&a.tool).is_none() {
        suggest_tool(&a.tool, &policy, &a, g, color);
    }
    let mut engine = Engine::new(&policy);
    let outcome = engine.evaluate(&Call {
        tool: &a.tool,
        grant: &a.grant,
        args: &args,
        time,
    });
    let rule = engine.rule(outcome.rule);
    let written = match a.format {
        CheckFormat::Json => write_out(&format!(
            "{}\n",
            render::json(&policy, &a.tool, &a.grant, &outcome, rule)
        )),
        CheckFormat::Human => write_out(&render::human(&policy, &a.tool, &outcome, rule, color)),
    };
    if written != EXIT_OK {
        written
    } else if outcome.decision == Decision::Deny {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}
