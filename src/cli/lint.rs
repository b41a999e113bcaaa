//! `policylayer lint`: read, validate, fix if asked, lint and report each policy, each
//! against the catalogue of its configuration unless `--catalog` is given. A policy that
//! cannot be read or validated, or whose catalogue cannot, makes the exit code 2, but the
//! others are still reported.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::config::{Overrides, Resolver};
use crate::policy::Policy;
use crate::render::{diagnostics, plural};
use crate::rewrite;
use crate::source::SourceFile;

use super::{
    fail, report, CatalogArg, Catalogs, ColorArg, Globals, EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS,
};

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Policy files (default: ./policy.json).
    #[arg(value_name = "POLICY")]
    pub policies: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Configuration file (default: the nearest policylayer.toml, or pyproject.toml with a
    /// [tool.policylayer] section, from each policy's folder up).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only these rules: codes or code prefixes, comma-separated (replaces the config's).
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules: codes or code prefixes, comma-separated (added to the config's).
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Apply the safe fixes to the files.
    #[arg(long)]
    pub fix: bool,
    /// Count unsafe fixes as fixes too: applied with --fix, shown with --diff.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1 if there are any).
    #[arg(long)]
    pub diff: bool,
    /// With --fix or --diff: size PL101's limits from these recorded traces (the peak
    /// calls a minute per grant × 1.5, as `suggest-limits` does) instead of 30 a minute.
    #[arg(long, value_name = "TRACE")]
    pub trace: Vec<PathBuf>,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// Source snippets like rustc's, then a summary line.
    Human,
    /// One JSON array of diagnostics.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// A GitLab code-quality report.
    Gitlab,
}

/// What linting the files gathered.
#[derive(Default)]
struct Run {
    diagnostics: Vec<Diagnostic>,
    /// A file could not be read, validated or written.
    unusable: bool,
    fixed: usize,
    files_fixed: usize,
    /// With `--diff`: the fixes as unified diffs.
    diffs: String,
}

pub fn run(mut args: LintArgs, g: &Globals) -> u8 {
    let color = g.color(&args.color);
    let mut catalogs = Catalogs::default();
    // A bad --catalog stops everything before any policy is read, as a usage error does.
    if let Err(diags) = g.catalog_with(&args.catalog, None, &mut catalogs) {
        report(&diags, color);
        return EXIT_ERROR;
    }
    if !(args.trace.is_empty() || args.fix || args.diff) {
        return fail("--trace sizes the fixes of PL101: pass it with --fix or --diff");
    }
    if args.policies.is_empty() {
        args.policies.push(PathBuf::from("policy.json"));
    }
    let overrides = match Overrides::new(&args.select, &args.ignore) {
        Ok(o) => o,
        Err(message) => return fail(message),
    };
    let mut configs = match Resolver::new(args.config.as_deref(), overrides) {
        Ok(r) => r,
        Err(diags) => {
            report(&diags, color);
            return EXIT_ERROR;
        }
    };
    let mut run = Run::default();
    for path in &args.policies {
        let i = match configs.for_policy(path) {
            Ok(i) => i,
            Err(diags) => {
                report(&diags, color);
                return EXIT_ERROR;
            }
        };
        // Each configuration may name its own catalogue; one with errors makes the policies
        // it serves unusable, and its errors are reported once.
        let catalog = match g.catalog_with(&args.catalog, configs.catalog(i), &mut catalogs) {
            Ok(c) => c,
            Err(diags) => {
                run.unusable = true;
                run.diagnostics.extend(diags);
                continue;
            }
        };
        let Some(policy) = fixed_policy(path, &args, &catalog, &configs, i, &mut run, color) else {
            continue;
        };
        if !args.diff {
            let linted = crate::lint::run(&policy, &catalog, configs.settings(i));
            configs.record(i, &linted.used_config);
            run.diagnostics.extend(linted.diagnostics);
        }
    }
    if args.diff {
        return finish_diff(&run, color);
    }
    run.diagnostics.extend(configs.unused_suppressions());
    if let Err(e) = write_report(&args, &run, color) {
        return fail(format!("cannot write output: {e}"));
    }
    let fails = |d: &Diagnostic| d.severity == Severity::Error || args.deny_warnings;
    if run.unusable {
        EXIT_ERROR
    } else if run.diagnostics.iter().any(fails) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

/// Reads and validates one policy and, with `--fix` or `--diff`, applies its fixes (written
/// atomically, or kept as a diff). `None` when the file is unusable (recorded in `run`).
fn fixed_policy(
    path: &Path,
    args: &LintArgs,
    catalog: &Catalog,
    configs: &Resolver,
    i: usize,
    run: &mut Run,
    color: bool,
) -> Option<Policy> {
    let original = match rewrite::read(path) {
        Ok(o) => o,
        Err(d) => {
            run.unusable = true;
            run.diagnostics.push(*d);
            return None;
        }
    };
    let policy = match Policy::parse(Arc::clone(&original.source)) {
        Ok(p) => p,
        Err(diags) => {
            run.unusable = true;
            run.diagnostics.extend(diags);
            return None;
        }
    };
    if !(args.fix || args.diff) {
        return Some(policy);
    }
    let settings = configs.settings(i);
    let sizes = if args.trace.is_empty() {
        crate::lint::LimitSizes::new()
    } else {
        match super::suggest::minute_sizes(&args.trace, &policy, catalog) {
            Ok(sizes) => sizes,
            Err(_) => {
                run.unusable = true;
                return None;
            }
        }
    };
    let lint = |p: &Policy| crate::lint::run_sized(p, catalog, settings, &sizes).diagnostics;
    // A file in fmt's layout stays in it: the fixes' edits are laid out as fmt would.
    let was_formatted = crate::fmt::format(&policy) == original.source.text();
    let done = match crate::lint::fix::fix(policy, args.unsafe_fixes, lint) {
        Ok(mut done) => {
            if was_formatted {
                let text = crate::fmt::format(&done.policy);
                if let Ok(p) = Policy::parse(SourceFile::new(original.source.name(), text)) {
                    done.policy = p;
                }
            }
            done
        }
        Err(broken) => {
            eprintln!(
                "error: the fixes for {} made {} an invalid policy, so it was left unchanged (a bug in those fixes; please report it):",
                broken.codes.join(", "),
                path.display()
            );
            report(&broken.diagnostics, color);
            run.unusable = true;
            return None;
        }
    };
    if !done.converged {
        eprintln!(
            "warning: {}: fixes were still changing the file after {} rounds",
            path.display(),
            crate::lint::fix::MAX_ROUNDS
        );
    }
    let (old, new) = (original.source.text(), done.policy.source.text());
    if old != new {
        if args.diff {
            run.diffs
                .push_str(&rewrite::unified_diff(original.source.name(), old, new));
        } else if let Err(e) = rewrite::write_atomic(path, &original.bytes_for(new)) {
            eprintln!("error: cannot write {}: {e}", path.display());
            run.unusable = true;
            return None;
        }
        run.fixed += done.applied;
        run.files_fixed += 1;
    }
    Some(done.policy)
}

/// `--diff`: like `ruff --diff`, the diff is the output and a pending fix is the failure.
fn finish_diff(run: &Run, color: bool) -> u8 {
    if let Err(e) = io::stdout().lock().write_all(run.diffs.as_bytes()) {
        return fail(format!("cannot write output: {e}"));
    }
    report(&run.diagnostics, color);
    if run.fixed > 0 {
        eprintln!(
            "Would fix {} in {}.",
            plural(run.fixed, "problem"),
            plural(run.files_fixed, "file")
        );
    } else {
        eprintln!("No fixes available.");
    }
    if run.unusable {
        EXIT_ERROR
    } else if run.diffs.is_empty() {
        EXIT_OK
    } else {
        EXIT_PROBLEMS
    }
}

fn write_report(args: &LintArgs, run: &Run, color: bool) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let all = &run.diagnostics;
    match args.format {
        LintFormat::Human => {
            diagnostics::write_human(&mut out, all, color)?;
            if run.fixed > 0 {
                writeln!(
                    out,
                    "Fixed {} in {}.",
                    plural(run.fixed, "problem"),
                    plural(run.files_fixed, "file")
                )?;
            }
            writeln!(out, "{}", diagnostics::summary_line(all, args.unsafe_fixes))
        }
        LintFormat::Json => {
            let items: Vec<_> = all.iter().map(diagnostics::diagnostic_json).collect();
            writeln!(out, "{}", serde_json::Value::Array(items))
        }
        LintFormat::Sarif => {
            let log = diagnostics::sarif(all, !run.unusable);
            let text = serde_json::to_string_pretty(&log).map_err(io::Error::other)?;
            writeln!(out, "{text}")
        }
        LintFormat::Github => out.write_all(diagnostics::github(all).as_bytes()),
        LintFormat::Gitlab => writeln!(out, "{:#}", diagnostics::gitlab(all)),
    }
}
