//! Diagnostics for people and tools: rustc-like snippets for people (miette), and for tools JSON,
//! SARIF 2.1.0 and GitHub Actions annotations.

use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};

use super::plural;
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::source::Span;

/// A source line longer than this is shown as an excerpt around the error.
const LONG_LINE: usize = 400;

/// The diagnostic to draw: itself, or on a long line an excerpt of that line around the
/// primary span (other labels are left out), so a huge value is not printed whole.
fn drawable(d: &Diagnostic) -> std::borrow::Cow<'_, Diagnostic> {
    let src = &d.source;
    let line = src.line_span(src.line_index(d.span.start));
    if line.end - line.start <= LONG_LINE {
        return std::borrow::Cow::Borrowed(d);
    }
    let (row, _) = src.line_col(d.span.start);
    let text = &src.text()[line.start..line.end];
    let (excerpt, at) =
        crate::source::SourceFile::line_excerpt(src.name(), text, row, d.span.start - line.start);
    let len = d
        .span
        .end
        .saturating_sub(d.span.start)
        .min(excerpt.text().len() - at);
    let mut short = d.clone();
    short.source = excerpt;
    short.span = Span::new(at, at + len);
    short.related.clear();
    std::borrow::Cow::Owned(short)
}

/// Renders one diagnostic as a snippet with its labels and help.
pub fn render_human(d: &Diagnostic, color: bool) -> String {
    let d = &*drawable(d);
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(80)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &d.as_miette()).is_err() {
        out.push_str(&d.to_string());
    }
    out
}

/// One diagnostic as a JSON object (ruff's `--output-format json` shape, trimmed).
pub fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    let loc = d.location();
    let end = d.source.location(d.span.end);
    let fix = d.fix.as_ref().map(|f| {
        serde_json::json!({
            "message": f.description,
            "applicability": match f.applicability {
                crate::diagnostic::Applicability::Safe => "safe",
                crate::diagnostic::Applicability::Unsafe => "unsafe",
            },
            "edits": f.edits.iter().map(|e| {
                let s = d.source.location(e.span.start);
                let t = d.source.location(e.span.end);
                serde_json::json!({
                    "location": {"line": s.line, "column": s.column},
                    "end_location": {"line": t.line, "column": t.column},
                    "content": e.replacement,
                })
            }).collect::<Vec<_>>(),
        })
    });
    serde_json::json!({
        "code": d.code,
        "severity": d.severity.as_str(),
        "message": d.message,
        "filename": loc.file,
        "location": {"line": loc.line, "column": loc.column},
        "end_location": {"line": end.line, "column": end.column},
        "help": d.help,
        "fix": fix,
    })
}

/// Writes diagnostics in human form to `out`.
pub fn write_human(out: &mut dyn Write, diagnostics: &[Diagnostic], color: bool) -> io::Result<()> {
    for d in diagnostics {
        // A blank line after each snippet, as rustc and ruff separate them.
        writeln!(out, "{}", render_human(d, color))?;
    }
    Ok(())
}

/// The closing line of a human report: `Found 3 errors, 2 warnings (2 fixable with
/// --fix).` or `All checks passed.`. `unsafe_fixes` says whether unsafe fixes are on,
/// which makes them count as fixable.
pub fn summary_line(diagnostics: &[Diagnostic], unsafe_fixes: bool) -> String {
    if diagnostics.is_empty() {
        return "All checks passed.".into();
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let with = |a: Applicability| {
        diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == a))
            .count()
    };
    let (safe, unsafe_) = (with(Applicability::Safe), with(Applicability::Unsafe));
    let fixable = match (safe, unsafe_) {
        (0, 0) => String::new(),
        (s, u) if unsafe_fixes => format!(" ({} fixable with --fix)", s + u),
        (s, 0) => format!(" ({s} fixable with --fix)"),
        (0, u) => format!(" ({u} fixable with --fix --unsafe-fixes)"),
        (s, u) => format!(" ({s} fixable with --fix, {u} more with --unsafe-fixes)"),
    };
    format!(
        "Found {}, {}{fixable}.",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Diagnostics as a GitLab code-quality report: a JSON array a merge request shows inline.
pub fn gitlab(diagnostics: &[Diagnostic]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let loc = d.location();
            // Stable across runs for the same finding in the same place, as GitLab wants.
            let fingerprint = format!(
                "{:016x}",
                fnv1a(format!("{}|{}|{}|{}", d.code, loc.file, loc.line, d.message).as_bytes())
            );
            serde_json::json!({
                "description": format!("{} {}", d.code, d.message),
                "check_name": d.code,
                "fingerprint": fingerprint,
                "severity": match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                "location": { "path": loc.file, "lines": { "begin": loc.line } },
            })
        })
        .collect();
    serde_json::Value::Array(items)
}

/// FNV-1a, 64 bits: a small stable hash for fingerprints.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Diagnostics as GitHub Actions workflow commands, one a line: they show as
/// annotations on the pull request's diff.
pub fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let start = d.location();
        let end = d.source.location(d.span.end);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            github_property(&start.file),
            start.line,
            start.column,
            end.line,
            end.column,
            github_property(d.code),
            github_data(&message)
        ));
    }
    out
}

/// Escapes a workflow command's message (GitHub's `escapeData`).
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (GitHub's `escapeProperty`).
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Where the SARIF schema is published; editors and uploaders read `$schema`.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Diagnostics as a SARIF 2.1.0 log (what GitHub code scanning and IDE viewers read).
/// Columns count Unicode code points, as everywhere in policylayer, which the run states
/// (`columnKind`): SARIF's default would be UTF-16 code units.
pub fn sarif(diagnostics: &[Diagnostic], all_inputs_valid: bool) -> serde_json::Value {
    let rules = crate::lint::rules::ALL;
    let rule_json: Vec<_> = rules
        .iter()
        .map(|r| {
            let doc = r.documentation();
            serde_json::json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary() },
                "fullDescription": { "text": r.what_it_does() },
                "help": { "text": doc, "markdown": doc },
                "defaultConfiguration": { "level": sarif_level(r.severity) },
            })
        })
        .collect();
    let results: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let mut result = serde_json::json!({
                "ruleId": d.code,
                "level": sarif_level(d.severity),
                "message": { "text": match &d.help {
                    Some(help) => format!("{}\nhelp: {help}", d.message),
                    None => d.message.clone(),
                } },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": artifact_uri(d.source.name()) },
                    "region": sarif_region(d, d.span),
                } }],
            });
            if let Some(i) = rules.iter().position(|r| r.code == d.code) {
                result["ruleIndex"] = i.into();
            }
            if let Some(fix) = &d.fix {
                result["fixes"] = serde_json::json!([{
                    "description": { "text": fix.description },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": artifact_uri(d.source.name()) },
                        "replacements": fix.edits.iter().map(|e| serde_json::json!({
                            "deletedRegion": sarif_region(d, e.span),
                            "insertedContent": { "text": e.replacement },
                        })).collect::<Vec<_>>(),
                    }],
                }]);
            }
            result
        })
        .collect();
    let mut driver = serde_json::json!({
        "name": env!("CARGO_PKG_NAME"),
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rule_json,
    });
    let homepage = env!("CARGO_PKG_HOMEPAGE");
    let repository = env!("CARGO_PKG_REPOSITORY");
    let uri = if homepage.is_empty() {
        repository
    } else {
        homepage
    };
    if !uri.is_empty() {
        driver["informationUri"] = uri.into();
    }
    serde_json::json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{ "executionSuccessful": all_inputs_valid }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A span as a SARIF region; `endColumn` is the column after the last character.
fn sarif_region(d: &Diagnostic, span: Span) -> serde_json::Value {
    let (start_line, start_column) = d.source.line_col(span.start);
    let (end_line, end_column) = d.source.line_col(span.end);
    serde_json::json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

/// A file name as a URI reference: relative paths stay relative (code scanning resolves
/// them against the checkout), with `/` separators and percent-encoding; absolute
/// paths become `file://` URLs.
fn artifact_uri(name: &str) -> String {
    let path = std::path::Path::new(name);
    if path.is_absolute() {
        if let Ok(url) = url::Url::from_file_path(path) {
            return url.to_string();
        }
    }
    let mut out = String::with_capacity(name.len());
    for b in name.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Edit, Fix};
    use crate::source::SourceFile;

    fn finding(severity: Severity, fix: Option<Applicability>) -> Diagnostic {
        let src = SourceFile::new("p.json", "{}");
        let d = Diagnostic::error("PL101", &src, Span::new(0, 1), "m").with_severity(severity);
        match fix {
            None => d,
            Some(applicability) => d.with_fix(Fix {
                description: String::new(),
                applicability,
                edits: vec![Edit {
                    span: Span::new(0, 0),
                    replacement: String::new(),
                }],
            }),
        }
    }

    #[test]
    fn summary_counts_and_fixability() {
        assert_eq!(summary_line(&[], false), "All checks passed.");
        let all = [
            finding(Severity::Error, Some(Applicability::Safe)),
            finding(Severity::Error, Some(Applicability::Unsafe)),
            finding(Severity::Warning, None),
        ];
        assert_eq!(
            summary_line(&all, false),
            "Found 2 errors, 1 warning (1 fixable with --fix, 1 more with --unsafe-fixes)."
        );
        assert_eq!(
            summary_line(&all, true),
            "Found 2 errors, 1 warning (2 fixable with --fix)."
        );
        assert_eq!(summary_line(&all[2..], false), "Found 0 errors, 1 warning.");
    }

    #[test]
    fn github_escapes_like_the_toolkit() {
        assert_eq!(github_data("50%\r\nx: a, b"), "50%25%0D%0Ax: a, b");
        assert_eq!(github_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn artifact_uris_are_relative_references_or_file_urls() {
        assert_eq!(artifact_uri("dir/a b#.json"), "dir/a%20b%23.json");
        assert_eq!(artifact_uri("é.json"), "%C3%A9.json");
        #[cfg(unix)]
        assert_eq!(artifact_uri("/tmp/a b.json"), "file:///tmp/a%20b.json");
    }
}
