//! `suggest-limits` output: an aligned table (the fixed-window rows, with the sliding
//! peak beside them) or the full JSON document, and the line `--write` ends with.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::diagnostic::clip;
use crate::policy::{Algorithm, Scope};
use crate::render::plural;
use crate::suggest::write::Plan;
use crate::suggest::Suggestion;

/// One row per tool (or counter), window and scope: the fixed window's peak and
/// suggestion, the sliding window's peak beside it; existing limits in their own shape.
pub fn human(suggestions: &[Suggestion]) -> String {
    if suggestions.is_empty() {
        return "No traffic passed the policy's access rules: nothing to size.\n".to_owned();
    }
    let mut rows = vec![[
        "TOOL",
        "COUNTER",
        "WINDOW",
        "SCOPE",
        "PEAK",
        "SLIDING",
        "P99",
        "CURRENT",
        "SUGGESTED",
    ]
    .map(String::from)
    .to_vec()];
    let mut notes = Vec::new();
    for s in suggestions {
        let measured = s.counter.is_none();
        if measured && s.algorithm == Algorithm::Sliding {
            continue;
        }
        let sliding = if measured {
            suggestions
                .iter()
                .find(|o| {
                    o.counter.is_none()
                        && o.algorithm == Algorithm::Sliding
                        && o.tool == s.tool
                        && o.window_s == s.window_s
                        && o.scope == s.scope
                })
                .map_or(String::new(), |o| number(o.peak))
        } else {
            String::new()
        };
        let tool = s
            .tool
            .as_deref()
            .map_or("(all tools)".into(), |t| clip(t).into_owned());
        let counter = match &s.counter {
            Some(c) if s.algorithm == Algorithm::Sliding => format!("{} (sliding)", clip(c)),
            Some(c) => clip(c).into_owned(),
            None => "-".into(),
        };
        rows.push(vec![
            tool.clone(),
            counter,
            s.window.clone(),
            scope(s.scope).into(),
            number(s.peak),
            sliding,
            number(s.p99),
            s.current_max.map_or("-".into(), |m| m.to_string()),
            s.suggested_max.to_string(),
        ]);
        if let Some(note) = &s.note {
            notes.push(format!(
                "{tool} {}: {note}",
                s.counter.as_deref().map(clip).unwrap_or_default()
            ));
        }
    }
    let mut widths = vec![0; rows[0].len()];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i < 4 {
                let _ = write!(line, "{cell:<w$}  ");
            } else {
                let _ = write!(line, "{cell:>w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for note in notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

fn scope(s: Scope) -> &'static str {
    s.as_str()
}

/// Whole numbers without a fraction, others with up to two decimals.
fn number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{}", (n * 100.0).round() / 100.0)
    }
}

/// `{"suggestions": [...]}`.
pub fn json(suggestions: &[Suggestion]) -> Value {
    json!({ "suggestions": suggestions })
}

/// What `--write` did, in one line.
pub fn written(file: &str, plan: &Plan) -> String {
    let mut out = format!(
        "{file}: added limits to {}",
        plural(plan.limited.len(), "tool")
    );
    if plan.updated > 0 {
        let _ = write!(
            out,
            ", set the max of {}",
            plural(plan.updated, "existing limit")
        );
    }
    if !plan.never_called.is_empty() {
        let mut names: Vec<String> = plan
            .never_called
            .iter()
            .take(5)
            .map(|t| clip(t).into_owned())
            .collect();
        if plan.never_called.len() > 5 {
            names.push(format!("and {} more", plan.never_called.len() - 5));
        }
        let _ = write!(
            out,
            "; {} never called in the traces, so not sized: {}",
            plural(plan.never_called.len(), "write-like tool"),
            names.join(", ")
        );
    }
    out
}
