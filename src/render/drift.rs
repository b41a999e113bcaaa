//! The catalogue drift report of `catalog scan|import --merge` and `catalog check`: tools
//! added, removed and changed (each schema change on its own line), then the rules of a
//! policy the drift touches, as text or as JSON for tools.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::catalog::drift::{Drift, Impact, SchemaChange};
use crate::catalog::{Catalog, Source};
use crate::diagnostic::clip;
use crate::policy::Policy;
use crate::render::plural;

/// Everything one drift report shows.
pub struct DriftView<'a> {
    /// The catalogue on file (or the curated one a scan started from).
    pub old: &'a Catalog,
    /// What the server advertises now, with the old classification kept.
    pub new: &'a Catalog,
    pub drift: &'a Drift,
    /// With `--policy`: the policy and the rules the drift touches.
    pub impact: Option<(&'a Policy, &'a [Impact])>,
}

fn server(c: &Catalog) -> String {
    format!("{} {}", clip(&c.server().name), clip(&c.server().version))
}

/// The report as text; ends with a newline.
pub fn human(view: &DriftView) -> String {
    let d = view.drift;
    let mut out = String::new();
    if d.is_empty() {
        let _ = writeln!(
            out,
            "{} matches the catalogue ({}): {}, same schemas",
            server(view.new),
            server(view.old),
            plural(view.new.tools().len(), "tool")
        );
    } else {
        let _ = writeln!(
            out,
            "{} differs from the catalogue ({}): {} added, {} removed, {} changed",
            server(view.new),
            server(view.old),
            plural(d.added.len(), "tool"),
            d.removed.len(),
            d.changed.len()
        );
    }
    for name in &d.added {
        let Some(tool) = view.new.tool(name) else {
            continue;
        };
        // An inferred tool's note starts with where its classification comes from.
        let why = match &tool.note {
            Some(note) if tool.source != Source::Curated => clip(note).into_owned(),
            _ => tool.source.to_string(),
        };
        let _ = writeln!(
            out,
            "  + {} ({}, {} risk; {why})",
            clip(name),
            tool.category,
            tool.risk,
        );
    }
    for name in &d.removed {
        let _ = writeln!(out, "  - {}", clip(name));
    }
    for change in &d.changed {
        let _ = writeln!(out, "  ~ {}", clip(&change.tool));
        for c in &change.changes {
            let _ = writeln!(out, "      {}", schema_change(c));
        }
    }
    if let Some((policy, impact)) = view.impact {
        let name = policy.source.name();
        if impact.is_empty() {
            let _ = writeln!(out, "\nNo rule of {name} is touched.");
        } else {
            let _ = writeln!(out, "\n{} of {name} touched:", plural(impact.len(), "rule"));
            for i in impact {
                let _ = writeln!(
                    out,
                    "  {}  {}\n      {}",
                    policy.location(i.span),
                    clip(&i.pointer),
                    i.message
                );
            }
        }
    }
    out
}

/// One schema change in words.
fn schema_change(c: &SchemaChange) -> String {
    let at = |path: &str| {
        if path.is_empty() {
            "the arguments".to_owned()
        } else {
            format!("`{}`", clip(path))
        }
    };
    let shown = |v: &Value| clip(&v.to_string()).into_owned();
    match c {
        SchemaChange::PropertyAdded { path, required } => format!(
            "+ argument {}{}",
            at(path),
            if *required { " (required)" } else { "" }
        ),
        SchemaChange::PropertyRemoved { path } => format!("- argument {}", at(path)),
        SchemaChange::NowRequired { path } => format!("! {} is now required", at(path)),
        SchemaChange::NoLongerRequired { path } => {
            format!("! {} is no longer required", at(path))
        }
        SchemaChange::TypeChanged { path, old, new } => {
            format!("! {} type {} → {}", at(path), shown(old), shown(new))
        }
        SchemaChange::EnumChanged { path, old, new } => {
            format!("! {} values {} → {}", at(path), shown(old), shown(new))
        }
        SchemaChange::KeywordChanged { path, keyword } => {
            format!("! {} `{}` changed", at(path), clip(keyword))
        }
    }
}

/// The report as one JSON document.
pub fn json(view: &DriftView) -> Value {
    let d = view.drift;
    let server = |c: &Catalog| json!({ "name": c.server().name, "version": c.server().version });
    let added: Vec<Value> = d
        .added
        .iter()
        .filter_map(|name| view.new.tool(name))
        .map(|t| {
            json!({ "name": t.name, "category": t.category, "risk": t.risk,
                    "source": t.source, "note": t.note })
        })
        .collect();
    let mut doc = json!({
        "in_sync": d.is_empty(),
        "catalog": server(view.old),
        "server": server(view.new),
        "added": added,
        "removed": d.removed,
        "changed": d.changed,
    });
    if let Some((policy, impact)) = view.impact {
        doc["impact"] = impact
            .iter()
            .map(|i| {
                json!({ "tool": i.tool, "pointer": i.pointer,
                        "at": policy.location(i.span).to_string(), "message": i.message })
            })
            .collect();
    }
    doc
}
