//! The one diagnostic type every stage produces: parse errors, validation errors and lint
//! findings alike carry a code, a severity, a span in their source, a help line and maybe a
//! fix, so that one renderer (human, JSON, SARIF, GitHub) serves them all.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use miette::{LabeledSpan, SourceCode};

use crate::source::{Location, SourceFile, Span};

crate::keywords! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Severity {
        Warning = "warning",
        Error = "error",
    }
}

/// Whether a fix can be applied without a person checking it (ruff's distinction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// A replacement of one byte range of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub description: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// A secondary label, e.g. where the first of two duplicate keys stands.
#[derive(Debug, Clone)]
pub struct Related {
    pub span: Span,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub source: Arc<SourceFile>,
    pub span: Span,
    /// Text under the primary caret.
    pub label: String,
    pub related: Vec<Related>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        source: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: clip_quoted(message.into()),
            source: Arc::clone(source),
            span,
            label: String::new(),
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = clip_quoted(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(clip_quoted(help.into()));
        self
    }

    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            label: label.into(),
        });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn location(&self) -> Location {
        self.source.location(self.span.start)
    }

    /// This diagnostic as miette draws it: the source is shared, not copied.
    pub fn as_miette(&self) -> impl miette::Diagnostic + '_ {
        Rendered { diag: self }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} [{}] {}",
            self.location(),
            self.severity,
            self.code,
            self.message
        )
    }
}

/// Adapter giving miette what it needs to draw a rustc-like snippet.
#[derive(Debug)]
struct Rendered<'d> {
    diag: &'d Diagnostic,
}

/// A label over more lines than this shows only its first and last line.
const LONG_LABEL_LINES: usize = 6;

impl fmt::Display for Rendered<'_> {
    /// rustc's headline, `error[PL005]: message`; the snippet header carries `file:line:col`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]: {}",
            self.diag.severity, self.diag.code, self.diag.message
        )
    }
}

impl std::error::Error for Rendered<'_> {}

impl Rendered<'_> {
    /// A file with no text (it could not be read) has nothing to show a snippet of.
    fn has_source(&self) -> bool {
        !self.diag.source.text().is_empty()
    }

    /// One label, or for a span over many lines two: its first line and its last.
    fn spans(&self, span: Span, label: Option<String>, primary: bool) -> Vec<LabeledSpan> {
        let src = &self.diag.source;
        let (first, last) = (src.line_index(span.start), src.line_index(span.end));
        let make = |s: Span, l: Option<String>| {
            if primary {
                LabeledSpan::new_primary_with_span(l, s)
            } else {
                LabeledSpan::new_with_span(l, s)
            }
        };
        if last - first < LONG_LABEL_LINES {
            return vec![make(span, label)];
        }
        let head = Span::new(span.start, src.line_span(first).end.max(span.start));
        let tail_line = src.line_span(last);
        let line_text = &src.text()[tail_line.start..tail_line.end];
        let indent = line_text.len() - line_text.trim_start().len();
        let tail_start = (tail_line.start + indent).min(span.end);
        let tail = Span::new(tail_start, span.end.max(tail_start));
        let lines = last - first + 1;
        vec![
            make(head, label.map(|l| format!("{l} (from here…"))),
            LabeledSpan::new_with_span(Some(format!("…to here, {lines} lines)")), tail),
        ]
    }
}

impl miette::Diagnostic for Rendered<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let fix = self.diag.fix.as_ref().map(|f| match f.applicability {
            Applicability::Safe => format!("fix available (--fix): {}", f.description),
            Applicability::Unsafe => format!("fix available (--unsafe-fixes): {}", f.description),
        });
        match (&self.diag.help, fix) {
            (Some(h), Some(f)) => Some(Box::new(format!("{h}\n{f}"))),
            (Some(h), None) => Some(Box::new(h.clone())),
            (None, Some(f)) => Some(Box::new(f)),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.has_source()
            .then_some(&*self.diag.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.has_source() {
            return None;
        }
        let label = (!self.diag.label.is_empty()).then(|| self.diag.label.clone());
        let mut all = self.spans(self.diag.span, label, true);
        for r in &self.diag.related {
            all.extend(self.spans(r.span, Some(r.label.clone()), false));
        }
        Some(Box::new(all.into_iter()))
    }
}

/// Characters of a quoted value shown in a message, by default; a longer one is cut, with
/// its size. `--max-quote-chars` changes it (see [`set_quote_chars`]).
pub const DEFAULT_QUOTE_CHARS: usize = 60;

static QUOTE_CHARS: AtomicUsize = AtomicUsize::new(DEFAULT_QUOTE_CHARS);

/// Characters of a quoted value shown in this run.
pub fn quote_chars() -> usize {
    QUOTE_CHARS.load(Ordering::Relaxed)
}

/// Sets how many characters of a quoted value are shown, for the whole run (at least one).
pub fn set_quote_chars(chars: usize) {
    QUOTE_CHARS.store(chars.max(1), Ordering::Relaxed);
}

/// A message with every quoted value (between backticks or double quotes) longer than
/// [`quote_chars`] cut to its start and its size: `` `aaaa… (52,428,800 bytes)` ``. A
/// 50 MB tool name is then one line of output, not 50 MB, in every format.
pub fn clip_quoted(message: String) -> String {
    clip_quoted_to(message, quote_chars())
}

/// [`clip_quoted`] with another length: a report that quotes rules (diff) allows more.
pub fn clip_quoted_to(message: String, max: usize) -> String {
    if message.len() <= 2 * max {
        return message;
    }
    let mut out = String::with_capacity(4 * max);
    let mut rest = message.as_str();
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..open + 1];
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find(quote) else {
            break;
        };
        let inner = &rest[..close];
        match inner.char_indices().nth(max) {
            Some((cut, _)) => out.push_str(&format!(
                "{}… ({} bytes)",
                &inner[..cut],
                thousands(inner.len())
            )),
            None => out.push_str(inner),
        }
        out.push_str(quote);
        rest = &rest[close + 1..];
    }
    match rest.char_indices().nth(4 * max) {
        Some((cut, _)) => out.push_str(&format!(
            "{}… ({} bytes)",
            &rest[..cut],
            thousands(rest.len())
        )),
        None => out.push_str(rest),
    }
    out
}

/// A value from the input as it may be shown: whole, or its first [`quote_chars`]
/// characters and its size.
pub fn clip(value: &str) -> std::borrow::Cow<'_, str> {
    clip_to(value, quote_chars())
}

/// [`clip`] with another length.
pub fn clip_to(value: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(max) {
        Some((cut, _)) => format!("{}… ({} bytes)", &value[..cut], thousands(value.len())).into(),
        None => value.into(),
    }
}

/// `52428800` → `52,428,800`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Names longer than this are nobody's typo: no suggestion is looked for (comparing a huge
/// string with every candidate would cost its length times theirs).
const MAX_SUGGEST_LEN: usize = 128;

/// The closest of `candidates` to a misspelt `word`, if one is close enough to suggest.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| c.len() <= MAX_SUGGEST_LEN)
        .map(|c| (strsim::jaro_winkler(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_quoted_values_are_cut_with_their_size() {
        let huge = "x".repeat(1_000_000);
        let m = clip_quoted(format!("unknown field `{huge}` in the policy"));
        assert!(m.len() < 200, "{m}");
        assert!(m.contains("… (1,000,000 bytes)`"), "{m}");
        assert!(m.ends_with("in the policy"));
        let short = "unknown field `requires` in tool `navigate`".to_string();
        assert_eq!(clip_quoted(short.clone()), short);
        assert_eq!(did_you_mean(&huge, ["x"]), None);
    }

    #[test]
    fn suggests_only_close_names() {
        let fields = ["require", "deny_if", "limits", "action", "message"];
        assert_eq!(did_you_mean("requires", fields), Some("require"));
        assert_eq!(did_you_mean("limit", fields), Some("limits"));
        assert_eq!(did_you_mean("zzz", fields), None);
    }
}
