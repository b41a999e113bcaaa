//! Simulation outputs: `jsonl` (one decision per call, then the summary, SPEC §4), `json`
//! (summary, breakdowns and the denials, streamed) and `human` (tables, first denials with
//! their policy snippet, expectation failures as diagnostics).

use std::io::{self, Write};

use colored::Colorize;
use indicatif::ProgressBar;

use crate::diagnostic::Diagnostic;
use crate::engine::{Decision, Engine, Reason, RuleId};
use crate::json::tape::{plain_prefix, Arg};
use crate::render::{diagnostics, plural};
use crate::sim::trace::Malformed;
use crate::sim::validate::ArgsValidator;
use crate::sim::{Breakdown, Counts, Decided, Output, Tally};
use crate::source::{SourceFile, Span};
use crate::timestamp::{format_ts, TsText};

/// The output format of `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Jsonl,
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
    /// Colour the diagnostics (expectation failures, malformed lines).
    pub color: bool,
    /// Calls whose arguments did not match the tool's schema (`--validate-args`).
    pub invalid_args: u64,
    /// JSON format: the expectation failures listed at the end.
    expect_failures: Vec<serde_json::Value>,
    /// JSON format: a denial has been written (comma needed before the next).
    json_started: bool,
    /// The record being written, reused from call to call.
    record: Vec<u8>,
    /// Per rule, `,"rule":…,"at":…` as written in every record it decides.
    rule_json: Vec<Option<Vec<u8>>>,
    ts: TsText,
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
            color: false,
            invalid_args: 0,
            expect_failures: Vec::new(),
            json_started: false,
            record: Vec::with_capacity(256),
            rule_json: Vec::new(),
            ts: TsText::default(),
        }
    }

    /// Writes what comes after the last call: the summary line, the JSON document's end,
    /// or the human tables.
    pub fn finish(&mut self, engine: &Engine, tally: &Tally) -> io::Result<()> {
        if let Some(p) = &self.progress {
            p.finish_and_clear();
        }
        let policy = engine.policy();
        let limited =
            !policy.all_tools.is_empty() || policy.tools.iter().any(|t| !t.limits.is_empty());
        if tally.untimed > 0 && limited {
            writeln!(
                self.err,
                "{}: {} carr{} no time: each was evaluated at the time of the line before it (often all at one instant), so read {} `rate_limited` results with care",
                "warning".yellow().bold(),
                plural(tally.untimed as usize, "JSON-RPC call"),
                if tally.untimed == 1 { "ies" } else { "y" },
                if tally.untimed == 1 { "its" } else { "their" },
            )?;
        }
        match self.format {
            Format::Jsonl => {
                writeln!(
                    self.out,
                    "{}",
                    serde_json::json!({ "summary": summary_with_malformed(tally) })
                )?;
            }
            Format::Json => {
                if !self.json_started {
                    self.out.write_all(b"{\"denials\":[")?;
                }
                let mut doc = serde_json::json!({
                    "summary": summary_json(tally),
                    "expectation_failures": std::mem::take(&mut self.expect_failures),
                    "by_tool": counts_json(&tally.by_tool),
                    "by_grant": counts_json(&tally.by_grant),
                });
                if self.validator.is_some() {
                    doc["invalid_args"] = self.invalid_args.into();
                }
                if tally.malformed > 0 {
                    doc["malformed"] = tally.malformed.into();
                }
                let body = doc.to_string();
                // Splice the remaining members after the streamed denials array.
                writeln!(self.out, "],{}", &body[1..])?;
            }
            Format::Human => human_tables(&mut self.out, engine, tally)?,
        }
        self.out.flush()?;
        self.err.flush()
    }

    /// Writes one decision record into `self.record`. The parts that repeat from call to
    /// call (the rule and its location, the date of `ts`) are formatted once.
    fn record_json(&mut self, engine: &Engine, d: &Decided) {
        let o = d.outcome;
        let s = &mut self.record;
        s.clear();
        s.push(b'{');
        if self.multi_file {
            s.extend_from_slice(b"\"file\":");
            push_json_str(s, d.file);
            s.push(b',');
        }
        s.extend_from_slice(b"\"line\":");
        push_uint(s, d.line as u64);
        // RFC 3339 text needs no escaping.
        s.extend_from_slice(b",\"ts\":\"");
        s.extend_from_slice(self.ts.format(d.time).as_bytes());
        s.extend_from_slice(b"\",\"grant\":");
        push_json_str(s, d.grant);
        s.extend_from_slice(b",\"tool\":");
        push_json_str(s, d.tool);
        s.extend_from_slice(b",\"decision\":\"");
        s.extend_from_slice(o.decision.as_str().as_bytes());
        s.push(b'"');
        if let Some(r) = o.reason {
            s.extend_from_slice(b",\"reason\":\"");
            s.extend_from_slice(r.as_str().as_bytes());
            s.push(b'"');
        }
        s.extend_from_slice(rule_json(&mut self.rule_json, engine, o.rule));
        if let Some(r) = o.retry_after_s {
            s.extend_from_slice(b",\"retry_after_s\":");
            push_uint(s, r);
        }
        if let (Some(e), Some(ok)) = (d.expect, d.expect_ok()) {
            s.extend_from_slice(b",\"expect\":\"");
            s.extend_from_slice(e.to_string().as_bytes());
            s.extend_from_slice(if ok {
                b"\",\"expect_ok\":true"
            } else {
                b"\",\"expect_ok\":false"
            });
        }
        s.push(b'}');
    }

    /// An expectation failure for the JSON document's `expectation_failures`: the first
    /// [`MAX_LISTED`] are listed (the summary counts them all).
    fn record_expectation_failure(&mut self, engine: &Engine, d: &Decided) {
        if self.expect_failures.len() >= MAX_LISTED {
            return;
        }
        let o = d.outcome;
        let rule = engine.rule(o.rule);
        let mut v = serde_json::json!({
            "line": d.line,
            "tool": d.tool,
            "grant": d.grant,
            "expected": d.expect.map(|e| e.to_string()),
            "got": o.decision.as_str(),
            "reason": o.reason.map(|r| r.as_str()),
            "rule": rule.pointer,
            "at": rule.location.to_string(),
        });
        if self.multi_file {
            v["file"] = d.file.into();
        }
        self.expect_failures.push(v);
    }

    fn expectation_failure(&mut self, engine: &Engine, d: &Decided) -> io::Result<()> {
        let o = d.outcome;
        let rule = engine.rule(o.rule);
        let got = match o.reason {
            Some(r) => format!("deny ({r})"),
            None => o.decision.to_string(),
        };
        let expected = d.expect.map(|e| e.to_string()).unwrap_or_default();
        let text = String::from_utf8_lossy(d.text);
        // Point at the record's `expect` (the start of the line if it has none).
        let at = text.find("\"expect\"").unwrap_or(0);
        let (src, offset) = SourceFile::line_excerpt(d.file, &text, d.line, at);
        let len = if text[at..].starts_with("\"expect\"") {
            8
        } else {
            1
        };
        let end = (offset + len).min(src.text().len());
        let mut help = format!("decided by {} at {}", rule.pointer, rule.location);
        if let Some(r) = o.retry_after_s {
            help.push_str(&format!("; the call would fit again in {r}s"));
        }
        let diag = Diagnostic::error(
            "expect",
            &src,
            Span::new(offset, end),
            format!("expected {expected}, got {got}"),
        )
        .with_label(format!("expected {expected}"))
        .with_help(help);
        diagnostics::write_human(&mut self.out, &[diag], self.color)
    }
}

impl Output for Reporter<'_> {
    fn progress(&mut self, bytes: u64) {
        if let Some(p) = &self.progress {
            p.inc(bytes);
        }
    }

    fn decided(&mut self, engine: &Engine, d: &Decided, args: Arg) -> io::Result<()> {
        let mut invalid = None;
        if let Some(v) = &mut self.validator {
            if let Some(problem) = v.check(d.tool, args) {
                writeln!(
                    self.err,
                    "{}: {}:{}: arguments of `{}` do not match its input schema: {}",
                    "warning".yellow().bold(),
                    d.file,
                    d.line,
                    crate::diagnostic::clip(d.tool),
                    crate::diagnostic::clip_quoted(problem.clone())
                )?;
                self.invalid_args += 1;
                invalid = Some(problem);
            }
        }
        if self.format == Format::Json && d.expect_ok() == Some(false) {
            self.record_expectation_failure(engine, d);
        }
        match self.format {
            Format::Jsonl => {
                self.record_json(engine, d);
                with_invalid_args(&mut self.record, invalid.as_deref());
                self.record.push(b'\n');
                self.out.write_all(&self.record)
            }
            Format::Json => {
                if d.outcome.decision != Decision::Deny {
                    return Ok(());
                }
                self.record_json(engine, d);
                with_invalid_args(&mut self.record, invalid.as_deref());
                let lead: &[u8] = if self.json_started {
                    b",\n"
                } else {
                    b"{\"denials\":[\n"
                };
                self.json_started = true;
                self.out.write_all(lead)?;
                self.out.write_all(&self.record)
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
        diagnostics::write_human(&mut self.err, &[m.diagnostic(file, line, text)], self.color)
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

/// Expectation failures listed in the JSON document at most; the summary counts them all.
const MAX_LISTED: usize = 10_000;

/// The summary line of `jsonl`: the spec's fields, and after `--keep-going` went past
/// malformed lines, how many (`malformed`), so a CI job sees them without reading stderr.
fn summary_with_malformed(t: &Tally) -> serde_json::Value {
    let mut v = summary_json(t);
    if t.malformed > 0 {
        v["malformed"] = t.malformed.into();
    }
    v
}

/// Adds `"invalid_args"` (why the arguments do not match the schema) to a record.
fn with_invalid_args(record: &mut Vec<u8>, problem: Option<&str>) {
    if let Some(p) = problem {
        record.pop();
        record.extend_from_slice(b",\"invalid_args\":");
        push_json_str(record, p);
        record.push(b'}');
    }
}

/// The spec's summary object, exactly its fields (malformed lines are reported on stderr).
pub fn summary_json(t: &Tally) -> serde_json::Value {
    let by_reason: serde_json::Map<String, serde_json::Value> = t
        .by_reason
        .iter()
        .map(|(r, n)| (r.as_str().to_string(), (*n).into()))
        .collect();
    serde_json::json!({
        "calls": t.calls,
        "skipped": t.skipped,
        "allow": t.allow,
        "deny": t.deny,
        "approve": t.approve,
        "by_reason": by_reason,
        "expect_failed": t.expect_failed,
    })
}

fn counts_json(breakdown: &Breakdown) -> serde_json::Value {
    let mut names: Vec<(&str, &Counts)> = breakdown.iter().collect();
    names.sort_by_key(|(n, _)| *n);
    names
        .into_iter()
        .map(|(n, c)| {
            let by_reason: serde_json::Map<String, serde_json::Value> = c
                .by_reason()
                .map(|(r, n)| (r.to_string(), n.into()))
                .collect();
            (
                n.to_string(),
                serde_json::json!({"calls": c.calls, "allow": c.allow, "approve": c.approve, "deny": c.deny, "by_reason": by_reason}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn human_tables(out: &mut dyn Write, engine: &Engine, t: &Tally) -> io::Result<()> {
    let mut tools: Vec<(std::borrow::Cow<str>, &Counts)> = t
        .by_tool
        .iter()
        .map(|(name, counts)| (crate::diagnostic::clip(name), counts))
        .collect();
    tools.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(&b.0)));
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
            let reasons: Vec<String> = c.by_reason().map(|(r, n)| format!("{r} {n}")).collect();
            let mut row = format!(
                "{name:<w$}  {:>7}  {:>7}  {:>7}  {:>7}",
                c.calls, c.allow, c.approve, c.deny
            );
            // Reasons follow on the row while it fits 80 columns, then on lines of their own
            // under the column.
            let column = row.chars().count() + 2;
            let mut width = column;
            for (i, r) in reasons.iter().enumerate() {
                let piece = if i + 1 < reasons.len() {
                    format!("{r},")
                } else {
                    r.clone()
                };
                if i > 0 && width + 1 + piece.chars().count() > 80 {
                    row.push('\n');
                    row.push_str(&" ".repeat(column));
                    width = column;
                } else {
                    row.push_str(if i == 0 { "  " } else { " " });
                    width += usize::from(i > 0);
                }
                width += piece.chars().count();
                row.push_str(&piece);
            }
            writeln!(out, "{}", row.trim_end())?;
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
            writeln!(out, "  {:>7}  {}", r.count, rule.pointer)?;
            writeln!(
                out,
                "           ran out at {} (grant {})",
                format_ts(r.first_time),
                crate::diagnostic::clip(&r.first_grant)
            )?;
            writeln!(out, "           first at {}:{}", r.first_file, r.first_line)?;
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
                "  {} {}× {}  {}",
                "deny".red(),
                r.count,
                reason,
                rule.pointer.cyan()
            )?;
            let first = format!("first at {}:{}", r.first_file, r.first_line);
            let who = format!(
                "({} by {})",
                crate::diagnostic::clip(&r.first_tool),
                crate::diagnostic::clip(&r.first_grant)
            );
            if 6 + first.chars().count() + 1 + who.chars().count() <= 80 {
                writeln!(out, "      {first} {who}")?;
            } else {
                writeln!(out, "      {first}\n        {who}")?;
            }
            let line_text = source
                .text()
                .lines()
                .nth(rule.location.line - 1)
                .unwrap_or("");
            let at = rule.location.to_string();
            // The policy line, cut so the whole line fits 80 columns.
            let room = 80usize.saturating_sub(6 + at.chars().count() + 4).max(10);
            writeln!(
                out,
                "      {} {} {}",
                at.dimmed(),
                "|".blue(),
                clip(line_text.trim(), room)
            )?;
        }
        writeln!(out)?;
    }
    let mut summary = format!(
        "{}: {} allowed, {} approve, {} denied",
        plural(t.calls as usize, "call"),
        t.allow,
        t.approve,
        t.deny
    );
    if t.skipped > 0 {
        let s = if t.skipped == 1 { "" } else { "s" };
        summary.push_str(&format!("; {} line{s} skipped", t.skipped));
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

/// `,"rule":…,"at":…` for a rule, formatted on first use.
fn rule_json<'r>(cache: &'r mut Vec<Option<Vec<u8>>>, engine: &Engine, id: RuleId) -> &'r [u8] {
    if cache.len() <= id {
        cache.resize(id + 1, None);
    }
    cache[id].get_or_insert_with(|| {
        let rule = engine.rule(id);
        let mut s = b",\"rule\":".to_vec();
        push_json_str(&mut s, &rule.pointer);
        s.extend_from_slice(b",\"at\":");
        push_json_str(&mut s, &rule.location.to_string());
        s
    })
}

/// Appends a number in decimal, without the formatting machinery.
fn push_uint(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends `s` as a JSON string literal: runs that need no escaping are copied whole.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut rest = s.as_bytes();
    loop {
        let n = plain_prefix(rest);
        out.extend_from_slice(&rest[..n]);
        let Some(&b) = rest.get(n) else {
            break;
        };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            c => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 15)]);
            }
        }
        rest = &rest[n + 1..];
    }
    out.push(b'"');
}
