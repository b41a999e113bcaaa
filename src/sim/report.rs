//! Simulation outputs: `jsonl` (one decision per call, then the summary, SPEC §4), `json`
//! (summary, breakdowns and the denials, streamed) and `human` (tables, first denials with
//! their policy snippet, expectation failures as diagnostics).

use std::io::{self, Write};

use colored::Colorize;
use indicatif::ProgressBar;

use super::trace::{format_ts, Malformed};
use super::{Counts, Decided, Tally};
use crate::catalog::Catalog;
use crate::engine::{Decision, Engine, Reason};
use crate::json::Value;

/// Receives the run's events in trace order.
pub trait Output {
    /// `bytes` more of the trace were read.
    fn progress(&mut self, bytes: u64);
    fn decided(&mut self, engine: &Engine, d: &Decided, args: &Value) -> io::Result<()>;
    fn malformed(&mut self, file: &str, line: usize, m: &Malformed, text: &str) -> io::Result<()>;
    fn clock_went_back(&mut self, file: &str, line: usize, ts: f64, clock: f64) -> io::Result<()>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Jsonl,
}

/// Checks call arguments against the catalogue's input schemas, compiled once per tool.
pub struct ArgsValidator<'c> {
    catalog: &'c Catalog,
    compiled: std::collections::HashMap<String, Option<jsonschema::Validator>>,
}

impl<'c> ArgsValidator<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        ArgsValidator {
            catalog,
            compiled: Default::default(),
        }
    }

    /// The first schema violation of a call's arguments, if any.
    fn check(&mut self, tool: &str, args: &Value) -> Option<String> {
        let catalog = self.catalog;
        let validator = self
            .compiled
            .entry(tool.to_string())
            .or_insert_with(|| {
                catalog
                    .tool(tool)
                    .and_then(|t| jsonschema::validator_for(&t.input_schema).ok())
            })
            .as_ref()?;
        let instance = args.to_serde();
        let first = validator.iter_errors(&instance).next().map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        });
        first
    }
}

/// Writes one format to stdout and warnings/errors to stderr.
pub struct Reporter<'c> {
    pub format: Format,
    out: Box<dyn Write + 'c>,
    err: Box<dyn Write + 'c>,
    /// Name each record's file: more than one trace was given.
    pub multi_file: bool,
    pub progress: Option<ProgressBar>,
    pub validator: Option<ArgsValidator<'c>>,
    /// JSON format: a denial has been written (comma needed before the next).
    json_started: bool,
}

impl<'c> Reporter<'c> {
    pub fn new(format: Format, out: Box<dyn Write + 'c>, err: Box<dyn Write + 'c>) -> Self {
        Reporter {
            format,
            out,
            err,
            multi_file: false,
            progress: None,
            validator: None,
            json_started: false,
        }
    }

    /// Writes what comes after the last call: the summary line, the JSON document's end,
    /// or the human tables.
    pub fn finish(&mut self, engine: &Engine, tally: &Tally) -> io::Result<()> {
        if let Some(p) = &self.progress {
            p.finish_and_clear();
        }
        match self.format {
            Format::Jsonl => {
                writeln!(
                    self.out,
                    "{}",
                    serde_json::json!({ "summary": summary_json(tally) })
                )?;
            }
            Format::Json => {
                if !self.json_started {
                    self.out.write_all(b"{\"denials\":[")?;
                }
                let doc = serde_json::json!({
                    "summary": summary_json(tally),
                    "by_tool": counts_json(&tally.by_tool),
                    "by_grant": counts_json(&tally.by_grant),
                });
                let body = doc.to_string();
                // Splice the remaining members after the streamed denials array.
                writeln!(self.out, "],{}", &body[1..])?;
            }
            Format::Human => human_tables(&mut self.out, engine, tally)?,
        }
        self.out.flush()?;
        self.err.flush()
    }

    fn record_json(&self, engine: &Engine, d: &Decided) -> String {
        let o = d.outcome;
        let rule = engine.rule(o.rule);
        let mut s = String::with_capacity(256);
        s.push('{');
        if self.multi_file {
            s.push_str("\"file\":");
            push_str(&mut s, d.file);
            s.push(',');
        }
        s.push_str("\"line\":");
        s.push_str(&d.line.to_string());
        s.push_str(",\"ts\":");
        push_str(&mut s, &format_ts(d.time));
        s.push_str(",\"grant\":");
        push_str(&mut s, d.grant);
        s.push_str(",\"tool\":");
        push_str(&mut s, d.tool);
        s.push_str(",\"decision\":\"");
        s.push_str(o.decision.as_str());
        s.push('"');
        if let Some(r) = o.reason {
            s.push_str(",\"reason\":\"");
            s.push_str(r.as_str());
            s.push('"');
        }
        s.push_str(",\"rule\":");
        push_str(&mut s, &rule.pointer);
        s.push_str(",\"at\":");
        push_str(&mut s, &rule.location.to_string());
        if let Some(r) = o.retry_after_s {
            s.push_str(",\"retry_after_s\":");
            s.push_str(&r.to_string());
        }
        if let (Some(e), Some(ok)) = (d.expect, d.expect_ok()) {
            s.push_str(",\"expect\":\"");
            s.push_str(&e.to_string());
            s.push_str("\",\"expect_ok\":");
            s.push_str(if ok { "true" } else { "false" });
        }
        s.push('}');
        s
    }

    fn expectation_failure(&mut self, engine: &Engine, d: &Decided) -> io::Result<()> {
        let o = d.outcome;
        let rule = engine.rule(o.rule);
        let got = match o.reason {
            Some(r) => format!("deny ({r})"),
            None => o.decision.to_string(),
        };
        let expected = d.expect.map(|e| e.to_string()).unwrap_or_default();
        let gutter = d.line.to_string().len();
        let pad = " ".repeat(gutter);
        writeln!(
            self.out,
            "{}: expected {expected}, got {got}",
            "error[expect]".red().bold()
        )?;
        writeln!(
            self.out,
            "{pad}{} {}:{}:1",
            "-->".blue().bold(),
            d.file,
            d.line
        )?;
        writeln!(self.out, "{pad} {}", "|".blue().bold())?;
        writeln!(
            self.out,
            "{} {} {}",
            d.line.to_string().blue().bold(),
            "|".blue().bold(),
            clip(d.text, 160)
        )?;
        writeln!(self.out, "{pad} {}", "|".blue().bold())?;
        writeln!(
            self.out,
            "{pad} {} decided by {} at {}",
            "=".blue().bold(),
            rule.pointer,
            rule.location
        )?;
        if let Some(r) = o.retry_after_s {
            writeln!(
                self.out,
                "{pad} {} the call would fit again in {r}s",
                "=".blue().bold()
            )?;
        }
        writeln!(self.out)
    }
}

impl Output for Reporter<'_> {
    fn progress(&mut self, bytes: u64) {
        if let Some(p) = &self.progress {
            p.inc(bytes);
        }
    }

    fn decided(&mut self, engine: &Engine, d: &Decided, args: &Value) -> io::Result<()> {
        if let Some(v) = &mut self.validator {
            if let Some(problem) = v.check(d.tool, args) {
                writeln!(
                    self.err,
                    "{}: {}:{}: arguments of `{}` do not match its input schema: {problem}",
                    "warning".yellow().bold(),
                    d.file,
                    d.line,
                    d.tool
                )?;
            }
        }
        match self.format {
            Format::Jsonl => {
                let line = self.record_json(engine, d);
                writeln!(self.out, "{line}")
            }
            Format::Json => {
                if d.outcome.decision != Decision::Deny {
                    return Ok(());
                }
                let line = self.record_json(engine, d);
                let lead: &[u8] = if self.json_started {
                    b",\n"
                } else {
                    b"{\"denials\":[\n"
                };
                self.json_started = true;
                self.out.write_all(lead)?;
                self.out.write_all(line.as_bytes())
            }
            Format::Human => {
                if d.expect_ok() == Some(false) {
                    self.expectation_failure(engine, d)?;
                }
                Ok(())
            }
        }
    }

    fn malformed(&mut self, file: &str, line: usize, m: &Malformed, text: &str) -> io::Result<()> {
        if let Some(p) = &self.progress {
            p.suspend(|| ());
        }
        writeln!(
            self.err,
            "{}: {file}:{line}:{}: malformed trace line: {}",
            "error".red().bold(),
            m.column,
            m.message
        )?;
        let gutter = " ".repeat(line.to_string().len());
        writeln!(
            self.err,
            "{} {} {}",
            line.to_string().blue().bold(),
            "|".blue().bold(),
            clip(text, 160)
        )?;
        let caret_at = text
            .chars()
            .take(m.column.saturating_sub(1))
            .count()
            .min(160);
        writeln!(
            self.err,
            "{gutter} {} {}{}",
            "|".blue().bold(),
            " ".repeat(caret_at),
            "^".red().bold()
        )
    }

    fn clock_went_back(&mut self, file: &str, line: usize, ts: f64, clock: f64) -> io::Result<()> {
        writeln!(
            self.err,
            "{}: {file}:{line}: ts {} is earlier than {} already seen; evaluated at {}",
            "warning".yellow().bold(),
            format_ts(ts),
            format_ts(clock),
            format_ts(clock)
        )
    }
}

/// The spec's summary object.
pub fn summary_json(t: &Tally) -> serde_json::Value {
    let by_reason: serde_json::Map<String, serde_json::Value> = t
        .by_reason
        .iter()
        .map(|(r, n)| (r.as_str().to_string(), (*n).into()))
        .collect();
    let mut s = serde_json::json!({
        "calls": t.calls,
        "skipped": t.skipped,
        "allow": t.allow,
        "deny": t.deny,
        "approve": t.approve,
        "by_reason": by_reason,
        "expect_failed": t.expect_failed,
    });
    if t.malformed > 0 {
        s["malformed"] = t.malformed.into();
    }
    s
}

fn counts_json(map: &std::collections::HashMap<String, Counts>) -> serde_json::Value {
    let mut names: Vec<&String> = map.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let c = &map[n];
            let mut reasons: Vec<(&Reason, &u64)> = c.by_reason.iter().collect();
            reasons.sort();
            let by_reason: serde_json::Map<String, serde_json::Value> =
                reasons.into_iter().map(|(r, n)| (r.to_string(), (*n).into())).collect();
            (
                n.clone(),
                serde_json::json!({"calls": c.calls, "allow": c.allow, "approve": c.approve, "deny": c.deny, "by_reason": by_reason}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn human_tables(out: &mut dyn Write, engine: &Engine, t: &Tally) -> io::Result<()> {
    let mut tools: Vec<(&String, &Counts)> = t.by_tool.iter().collect();
    tools.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(b.0)));
    if !tools.is_empty() {
        let w = tools
            .iter()
            .map(|(n, _)| n.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        writeln!(
            out,
            "{}",
            format!(
                "{:<w$}  {:>7}  {:>7}  {:>7}  {:>7}  denied by",
                "tool", "calls", "allow", "approve", "deny"
            )
            .bold()
        )?;
        for (name, c) in &tools {
            let mut reasons: Vec<(&Reason, &u64)> = c.by_reason.iter().collect();
            reasons.sort();
            let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
            writeln!(
                out,
                "{name:<w$}  {:>7}  {:>7}  {:>7}  {:>7}  {}",
                c.calls,
                c.allow,
                c.approve,
                c.deny,
                reasons.join(", ")
            )?;
        }
        writeln!(out)?;
    }
    let mut rules: Vec<_> = t.by_rule.iter().collect();
    rules.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    let limited: Vec<_> = rules
        .iter()
        .filter(|((_, reason), _)| *reason == Reason::RateLimited)
        .collect();
    if !limited.is_empty() {
        writeln!(out, "{}", "Busiest counters (rate-limited calls):".bold())?;
        for ((id, _), r) in &limited {
            let rule = engine.rule(*id);
            writeln!(
                out,
                "  {:>7}  {}  ran out at {} (grant {}, {}:{})",
                r.count,
                rule.pointer,
                format_ts(r.first_time),
                r.first_grant,
                r.first_file,
                r.first_line
            )?;
        }
        writeln!(out)?;
    }
    if !rules.is_empty() {
        writeln!(out, "{}", "First denial per rule:".bold())?;
        let source = &engine.policy().source;
        for ((id, reason), r) in &rules {
            let rule = engine.rule(*id);
            writeln!(
                out,
                "  {} {}× {}  {}  first at {}:{} ({} by {})",
                "deny".red(),
                r.count,
                reason,
                rule.pointer.cyan(),
                r.first_file,
                r.first_line,
                r.first_tool,
                r.first_grant
            )?;
            let line_text = source
                .text()
                .lines()
                .nth(rule.location.line - 1)
                .unwrap_or("");
            writeln!(
                out,
                "      {} {} {}",
                rule.location.to_string().dimmed(),
                "|".blue(),
                clip(line_text.trim(), 120)
            )?;
        }
        writeln!(out)?;
    }
    let mut summary = format!(
        "{} calls: {} allowed, {} approve, {} denied",
        t.calls, t.allow, t.approve, t.deny
    );
    if t.skipped > 0 {
        summary.push_str(&format!("; {} lines skipped", t.skipped));
    }
    if t.expect_failed > 0 {
        summary.push_str(&format!(
            "; {}",
            format!("{} expectation(s) failed", t.expect_failed)
                .red()
                .bold()
        ));
    }
    if t.malformed > 0 {
        summary.push_str(&format!(
            "; {}",
            format!("{} malformed line(s)", t.malformed).red().bold()
        ));
    }
    writeln!(out, "{summary}")
}

/// Shortens a line for display, on a character boundary.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(max).collect();
        c.push('…');
        c
    }
}

/// Appends `s` as a JSON string literal.
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
