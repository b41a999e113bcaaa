//! Rendering diagnostics: rustc-like snippets for people (miette), JSON for tools.

use std::io::{self, IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::diagnostic::Diagnostic;

/// Whether to colour output, decided once from `--color`, `NO_COLOR` and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Resolves the choice for stdout and applies it to `colored`.
    pub fn apply(self) -> bool {
        let on = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && io::stdout().is_terminal()
            }
        };
        colored::control::set_override(on);
        on
    }
}

/// Renders one diagnostic as a snippet with its labels and help.
pub fn render_human(d: &Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let report = d.to_report();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
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
        write!(out, "{}", render_human(d, color))?;
    }
    Ok(())
}
