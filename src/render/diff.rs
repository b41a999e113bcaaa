//! `diff` output: the human report (grouped loosened / may loosen / tightened, riskiest
//! first, each with its witness), JSON for tools, and markdown to post on a pull request.

use std::fmt::Write as _;

use colored::Colorize;
use serde_json::{json, Value as Json};

use crate::diagnostic::{clip, clip_quoted_to, clip_to, quote_chars};

/// Characters of a rule or witness shown before it is cut, by default (policies hold long
/// values too); a larger `--max-quote-chars` raises it.
const SHOWN: usize = 200;

fn shown() -> usize {
    SHOWN.max(quote_chars())
}

fn clip_quoted(text: String) -> String {
    clip_quoted_to(text, shown())
}
use crate::diff::replay::{Moved, Moves, Replay};
use crate::diff::{Certainty, Change, Group, Report, Witness};

/// What one `diff` run has to show.
pub struct DiffView<'a> {
    pub old_name: &'a str,
    pub new_name: &'a str,
    pub report: &'a Report,
    /// The unified diff of both sides in canonical layout, with `--text`.
    pub text: Option<&'a str>,
    /// Calls of the traces whose decision changed, with `--trace`.
    pub replay: Option<&'a Replay>,
}

const GROUPS: [(Group, &str); 4] = [
    (Group::Loosened, "Loosened"),
    (Group::MayLoosen, "May loosen (not proven either way)"),
    (Group::Tightened, "Tightened"),
    (Group::Other, "Changed, no effect on decisions"),
];

fn tool_label(c: &Change) -> String {
    let name = clip(c.tool.as_deref().unwrap_or("(whole policy)"));
    match c.class {
        Some((category, risk)) => format!("{name} [{category}, {risk}]"),
        None => name.to_string(),
    }
}

/// The arguments of `policylayer check` that replay the deciding call.
pub fn witness_command(w: &Witness) -> String {
    let args = w.args.to_string().replace('\'', "'\\''");
    let mut s = format!(
        "--tool {} --args '{}'",
        clip(&w.tool),
        clip_to(&args, shown())
    );
    if w.grant != "default" {
        s.push_str(&format!(" --grant {}", w.grant));
    }
    s
}

fn verdict(v: &crate::diff::witness::Verdict) -> String {
    match v.reason {
        Some(r) => format!("{} ({r})", v.decision),
        None => v.decision.to_string(),
    }
}

/// `after 30 calls by witness at t=0s`, for witnesses that need calls before.
fn history(w: &Witness) -> Option<String> {
    if w.before.is_empty() {
        return None;
    }
    let parts: Vec<String> = if w.before.len() > 3 {
        let total: u64 = w.before.iter().map(|b| b.calls).sum();
        let last = w.before.last().map_or(0.0, |b| b.time);
        vec![format!(
            "{total} calls by {} in {} bursts from t=0s to t={last}s",
            w.before[0].grant,
            w.before.len()
        )]
    } else {
        w.before
            .iter()
            .map(|b| format!("{} calls by {} at t={}s", b.calls, b.grant, b.time))
            .collect()
    };
    Some(format!(
        "after {}; this call at t={}s",
        parts.join(", then "),
        w.time
    ))
}

pub fn human(view: &DiffView) -> String {
    let mut out = String::new();
    let r = view.report;
    if r.changes.is_empty() {
        out.push_str("No change in access.\n");
    }
    for (group, title) in GROUPS {
        let items: Vec<&Change> = r.in_group(group).collect();
        if items.is_empty() {
            continue;
        }
        let heading = format!("{title} ({})", items.len());
        let heading = match group {
            Group::Loosened => heading.red().bold(),
            Group::MayLoosen => heading.yellow().bold(),
            Group::Tightened => heading.green().bold(),
            Group::Other => heading.bold(),
        };
        let _ = writeln!(out, "{heading}");
        for c in items {
            let _ = writeln!(out, "  {}", tool_label(c).bold());
            let _ = writeln!(out, "    {}", clip_quoted(c.what.clone()));
            let w = match group {
                Group::Loosened | Group::MayLoosen => c.loosening_witness.as_ref(),
                Group::Tightened => c.tightening_witness.as_ref(),
                Group::Other => None,
            };
            if let Some(w) = w {
                let _ = writeln!(out, "    witness: {}", witness_command(w));
                if let Some(h) = history(w) {
                    let _ = writeln!(out, "             {h}");
                }
                let _ = writeln!(
                    out,
                    "             old: {}, new: {}",
                    verdict(&w.old),
                    verdict(&w.new)
                );
            }
        }
        out.push('\n');
    }
    if let Some(replay) = view.replay {
        out.push_str(&replay_human(replay));
    }
    if !r.changes.is_empty() {
        let verdict = if r.loosens() {
            "loosens access".red().bold()
        } else {
            "does not loosen access".green()
        };
        let _ = writeln!(out, "This change {verdict}: {}.", counts_sentence(r));
    }
    if let Some(text) = view.text.filter(|t| !t.is_empty()) {
        out.push('\n');
        for line in text.lines() {
            let line = if line.starts_with('+') && !line.starts_with("+++") {
                line.green().to_string()
            } else if line.starts_with('-') && !line.starts_with("---") {
                line.red().to_string()
            } else if line.starts_with("@@") {
                line.cyan().to_string()
            } else {
                line.to_string()
            };
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn counts_sentence(r: &Report) -> String {
    format!(
        "{} loosened, {} may loosen, {} tightened",
        r.count(Group::Loosened),
        r.count(Group::MayLoosen),
        r.count(Group::Tightened)
    )
}

const MOVES: [(Moved, &str); 3] = [
    (Moved::NowAllowed, "now allowed"),
    (Moved::NowNeedsApproval, "now needs approval"),
    (Moved::NowDenied, "now denied"),
];

/// Each tool and direction the replay saw calls move, with its label.
fn replay_rows(replay: &Replay) -> impl Iterator<Item = (&str, &'static str, &Moves)> {
    replay.by_tool.iter().flat_map(|t| {
        MOVES.iter().filter_map(move |(moved, label)| {
            t.moves.get(moved).map(|m| (t.tool.as_str(), *label, m))
        })
    })
}

fn replay_human(replay: &Replay) -> String {
    let mut out = format!(
        "Replayed {} calls: {} decided differently.\n",
        replay.calls, replay.changed
    );
    for (tool, label, m) in replay_rows(replay) {
        let more = if m.count as usize > m.first.len() {
            ", …"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<24} {:>6} {label:<19} (lines {}{more})",
            clip(tool),
            m.count,
            m.first.join(", ")
        );
    }
    out.push('\n');
    out
}

fn certainty(c: Certainty) -> &'static str {
    match c {
        Certainty::No => "no",
        Certainty::Maybe => "maybe",
        Certainty::Yes => "yes",
    }
}

pub fn witness_json(w: &Witness) -> Json {
    let v = |v: &crate::diff::witness::Verdict| json!({"decision": v.decision.as_str(), "reason": v.reason.map(|r| r.as_str())});
    json!({
        "tool": w.tool,
        "grant": w.grant,
        "args": w.args,
        "time": w.time,
        "before": w.before.iter().map(|b| json!({"grant": b.grant, "time": b.time, "calls": b.calls})).collect::<Vec<_>>(),
        "old": v(&w.old),
        "new": v(&w.new),
    })
}

pub fn json(view: &DiffView) -> Json {
    let r = view.report;
    let changes: Vec<Json> = r
        .changes
        .iter()
        .map(|c| {
            json!({
                "tool": c.tool,
                "category": c.class.map(|(cat, _)| cat.to_string()),
                "risk": c.class.map(|(_, risk)| risk.to_string()),
                "groups": c.groups().iter().map(|g| g.as_str()).collect::<Vec<_>>(),
                "loosens": certainty(c.loosens),
                "tightens": certainty(c.tightens),
                "change": clip_quoted(c.what.clone()),
                "loosening_witness": c.loosening_witness.as_ref().map(witness_json),
                "tightening_witness": c.tightening_witness.as_ref().map(witness_json),
            })
        })
        .collect();
    let mut out = json!({
        "old": view.old_name,
        "new": view.new_name,
        "loosens": r.loosens(),
        "tightens": r.tightens(),
        "counts": {
            "loosened": r.count(Group::Loosened),
            "may_loosen": r.count(Group::MayLoosen),
            "tightened": r.count(Group::Tightened),
            "other": r.count(Group::Other),
        },
        "changes": changes,
    });
    if let Some(text) = view.text {
        out["text_diff"] = json!(text);
    }
    if let Some(replay) = view.replay {
        out["trace"] = replay_json(replay);
    }
    out
}

fn replay_json(replay: &Replay) -> Json {
    let tools: Vec<Json> = replay
        .by_tool
        .iter()
        .map(|t| {
            let mut o = json!({"tool": t.tool});
            for (moved, _) in MOVES {
                if let Some(m) = t.moves.get(&moved) {
                    o[moved.as_str()] = json!({"count": m.count, "first_lines": m.first});
                }
            }
            o
        })
        .collect();
    json!({"calls": replay.calls, "changed": replay.changed, "by_tool": tools})
}

/// Text in a markdown table cell: pipes escaped, code spans kept on one line.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(view: &DiffView) -> String {
    let r = view.report;
    let mut out = String::new();
    let head = if r.changes.is_empty() {
        "**No change in access.**".to_string()
    } else if r.loosens() {
        format!("**This change loosens access**: {}.", counts_sentence(r))
    } else {
        format!(
            "**This change does not loosen access**: {}.",
            counts_sentence(r)
        )
    };
    let _ = writeln!(
        out,
        "### policylayer diff: `{}` → `{}`\n\n{head}\n",
        cell(view.old_name),
        cell(view.new_name)
    );
    if !r.changes.is_empty() {
        out.push_str("| | tool | category / risk | change | witness |\n|---|---|---|---|---|\n");
        for (group, _) in GROUPS {
            for c in r.in_group(group) {
                let w = match group {
                    Group::Loosened | Group::MayLoosen => c.loosening_witness.as_ref(),
                    Group::Tightened => c.tightening_witness.as_ref(),
                    Group::Other => None,
                };
                let witness = w.map_or(String::new(), |w| {
                    format!(
                        "`{}`{}: {} → {}",
                        witness_command(w),
                        history(w).map(|h| format!(" {h}")).unwrap_or_default(),
                        verdict(&w.old),
                        verdict(&w.new)
                    )
                });
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    group.as_str(),
                    c.tool
                        .as_deref()
                        .map_or("*(whole policy)*".to_string(), |t| format!("`{}`", clip(t))),
                    c.class
                        .map(|(cat, risk)| format!("{cat} / {risk}"))
                        .unwrap_or_default(),
                    cell(&clip_quoted(c.what.clone())),
                    cell(&witness)
                );
            }
        }
    }
    if let Some(replay) = view.replay {
        let _ = writeln!(
            out,
            "\nReplayed {} calls: {} decided differently.\n",
            replay.calls, replay.changed
        );
        if replay.changed > 0 {
            out.push_str("| tool | change | calls | first lines |\n|---|---|---|---|\n");
            for (tool, label, m) in replay_rows(replay) {
                let _ = writeln!(
                    out,
                    "| `{}` | {label} | {} | {} |",
                    clip(tool),
                    m.count,
                    m.first.join(", ")
                );
            }
        }
    }
    if let Some(text) = view.text.filter(|t| !t.is_empty()) {
        let _ = write!(
            out,
            "\n<details><summary>Text diff (canonical layout)</summary>\n\n```diff\n{text}```\n\n</details>\n"
        );
    }
    out
}
