//! Command-line arguments and dispatch: the only place that knows about clap, exit codes
//! and stdout/stderr. Every command's work is in a library module.

use std::io::{self, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand};

use crate::catalog::{self, Catalog};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{Call, Decision, Engine};
use crate::json::{self, Value};
use crate::lint::config::{Overrides as LintOverrides, Resolver as LintConfigs};
use crate::policy::Policy;
use crate::report::{self, ColorChoice};
use crate::rewrite;
use crate::sim::report::{ArgsValidator, Format as SimFormat, Reporter};
use crate::sim::{self, Simulator};
use crate::source::SourceFile;

/// Exit codes (SPEC §4): 0 ok, 1 the check found problems, 2 the tool could not do its job.
pub const EXIT_OK: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "policylayer",
    version,
    about = "Lint, simulate and diff access policies for AI agents that call MCP tools",
    propagate_version = true
)]
pub struct Cli {
    /// Tool catalogue to check against (default: the built-in Leapfrog catalogue).
    #[arg(long, global = true, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// When to colour output (NO_COLOR is respected under auto).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check policies for errors and risky access.
    Lint(LintArgs),
    /// Rewrite policies in the canonical layout (stable key order, 2-space indent).
    Fmt(FmtArgs),
    /// Replay recorded tool calls against a policy.
    Simulate {
        /// JSONL traces (`-` reads standard input).
        #[arg(value_name = "TRACE", required = true)]
        traces: Vec<PathBuf>,
        /// Policy to evaluate against.
        #[arg(long, value_name = "FILE", default_value = "policy.json")]
        policy: PathBuf,
        #[arg(long, value_enum, default_value_t = SimFormat::Human)]
        format: SimFormat,
        /// Report malformed lines and go on (the exit code is still 2).
        #[arg(long)]
        keep_going: bool,
        /// Exit 1 when any call was denied.
        #[arg(long)]
        fail_on_deny: bool,
        /// Warn where a call's arguments do not match the tool's input schema.
        #[arg(long)]
        validate_args: bool,
    },
    /// Decide one call and show the rule that made the decision.
    Check {
        #[arg(long, value_name = "TOOL")]
        tool: String,
        /// The call's arguments as a JSON object.
        #[arg(long, value_name = "JSON", default_value = "{}")]
        args: String,
        #[arg(long, value_name = "GRANT", default_value = "default")]
        grant: String,
        /// Evaluation time (RFC 3339 or UNIX seconds).
        #[arg(long, value_name = "TS")]
        at: Option<String>,
        #[arg(long, value_name = "FILE", default_value = "policy.json")]
        policy: PathBuf,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
    },
    /// Read or import a tool catalogue.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Print the documentation of a rule (`explain PL101`), or list them all.
    Explain {
        #[arg(value_name = "CODE", required_unless_present = "all")]
        code: Option<String>,
        #[arg(long)]
        all: bool,
    },
    /// Write a starting policy for the catalogue's server (recommended posture).
    Init {
        /// Where to write it (`-` for standard output).
        #[arg(long, short, value_name = "FILE", default_value = "policy.json")]
        output: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Say, tool by tool, whether a policy change loosens or tightens access.
    Diff {
        #[arg(value_name = "OLD")]
        old: PathBuf,
        #[arg(value_name = "NEW")]
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// Exit 1 when the change moves access this way.
        #[arg(long, value_enum, value_name = "WHAT")]
        fail_on: Option<FailOn>,
    },
    /// Print the JSON Schema of the policy format.
    Schema,
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// List the catalogue's tools with category, risk and signals.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Show one tool: classification, arguments as a tree, signals.
    Show {
        #[arg(value_name = "TOOL")]
        tool: String,
    },
    /// Build a catalogue from a server's `tools/list` answer (JSON file, `-` for stdin).
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, default_value = "server")]
        name: String,
        #[arg(long, default_value = "0.0.0")]
        server_version: String,
    },
    /// Start an MCP server over stdio, ask it for its tools, print its catalogue.
    Scan {
        /// Seconds to wait for the server's answers.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// The server command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
}

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
}

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Policy files (default: ./policy.json).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// Write nothing; print the changes as a unified diff (exit 1 if there are any).
    #[arg(long)]
    pub diff: bool,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any loosening.
    Loosen,
    /// Any tightening.
    Tighten,
    /// Any semantic change.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
}

/// Runs the command line; the binary's `main` is this.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
        }
    };
    let color = cli.color.apply();
    let code = match run(cli, color) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            EXIT_ERROR
        }
    };
    ExitCode::from(code)
}

fn run(cli: Cli, color: bool) -> miette::Result<u8> {
    let catalog_owned;
    let catalog: &Catalog = match &cli.catalog {
        Some(path) => {
            catalog_owned = Catalog::load(path)?;
            &catalog_owned
        }
        None => Catalog::leapfrog(),
    };
    match cli.command {
        Command::Lint(args) => lint(args, catalog, color),
        Command::Fmt(args) => format_files(args, color),
        Command::Simulate {
            traces,
            policy,
            format,
            keep_going,
            fail_on_deny,
            validate_args,
        } => simulate(
            &traces,
            &policy,
            format,
            &sim::Options { keep_going },
            fail_on_deny,
            validate_args.then_some(catalog),
            color,
        ),
        Command::Check {
            tool,
            args,
            grant,
            at,
            policy,
            format,
        } => check(&tool, &args, &grant, at.as_deref(), &policy, format, color),
        Command::Catalog { command } => catalog_command(command, catalog),
        Command::Explain { code, all } => explain(code.as_deref(), all),
        Command::Init { output, force } => init(&output, force, catalog),
        Command::Diff {
            old,
            new,
            format,
            fail_on,
        } => diff(&old, &new, format, fail_on, catalog, color),
        Command::Schema => {
            print!("{}", crate::schema::policy_schema_text());
            Ok(EXIT_OK)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "policylayer", &mut io::stdout());
            Ok(EXIT_OK)
        }
    }
}

/// Loads a policy or prints why not; `None` means exit 2.
fn load_policy(path: &Path, color: bool) -> Option<Policy> {
    match Policy::load(path) {
        Ok(p) => Some(p),
        Err(diags) => {
            let _ = report::write_human(&mut io::stderr(), &diags, color);
            None
        }
    }
}

/// `lint`: every policy is read, validated, fixed if asked, linted and reported; one that
/// cannot be read or validated makes the exit code 2 but the others are still reported.
fn lint(args: LintArgs, catalog: &Catalog, color: bool) -> miette::Result<u8> {
    let mut policies = args.policies;
    if policies.is_empty() {
        policies.push(PathBuf::from("policy.json"));
    }
    let overrides = match LintOverrides::new(&args.select, &args.ignore) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(EXIT_ERROR);
        }
    };
    let mut configs = match LintConfigs::new(args.config.as_deref(), overrides) {
        Ok(r) => r,
        Err(diags) => {
            let _ = report::write_human(&mut io::stderr(), &diags, color);
            return Ok(EXIT_ERROR);
        }
    };
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut unusable = false;
    let (mut fixed, mut files_fixed) = (0, 0);
    let mut diffs = String::new();
    for path in &policies {
        let i = match configs.for_policy(path) {
            Ok(i) => i,
            Err(diags) => {
                let _ = report::write_human(&mut io::stderr(), &diags, color);
                return Ok(EXIT_ERROR);
            }
        };
        let original = match rewrite::read(path) {
            Ok(o) => o,
            Err(d) => {
                unusable = true;
                all.push(*d);
                continue;
            }
        };
        let mut policy = match Policy::parse(Arc::clone(&original.source)) {
            Ok(p) => p,
            Err(diags) => {
                unusable = true;
                all.extend(diags);
                continue;
            }
        };
        if args.fix || args.diff {
            let settings = configs.settings(i);
            let lint = |p: &Policy| crate::lint::run(p, catalog, settings).diagnostics;
            let done = match crate::lint::fix::fix(policy, args.unsafe_fixes, lint) {
                Ok(done) => done,
                Err(broken) => {
                    eprintln!(
                        "error: the fixes for {} made {} an invalid policy, so it was left unchanged (a bug in those fixes; please report it):",
                        broken.codes.join(", "),
                        path.display()
                    );
                    let _ = report::write_human(&mut io::stderr(), &broken.diagnostics, color);
                    unusable = true;
                    continue;
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
                    diffs.push_str(&rewrite::unified_diff(original.source.name(), old, new));
                } else if let Err(e) = rewrite::write_atomic(path, &original.bytes_for(new)) {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    unusable = true;
                    continue;
                }
                fixed += done.applied;
                files_fixed += 1;
            }
            policy = done.policy;
        }
        if !args.diff {
            let linted = crate::lint::run(&policy, catalog, configs.settings(i));
            configs.record(i, &linted.used_config);
            all.extend(linted.diagnostics);
        }
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if args.diff {
        // Like `ruff --diff`: the diff is the output; it is the change that fails.
        out.write_all(diffs.as_bytes()).map_err(io_error)?;
        let _ = report::write_human(&mut io::stderr(), &all, color);
        if fixed > 0 {
            eprintln!(
                "Would fix {} in {}.",
                report::plural(fixed, "problem"),
                report::plural(files_fixed, "file")
            );
        } else {
            eprintln!("No fixes available.");
        }
        return Ok(if unusable {
            EXIT_ERROR
        } else if diffs.is_empty() {
            EXIT_OK
        } else {
            EXIT_PROBLEMS
        });
    }
    all.extend(configs.unused_suppressions());
    match args.format {
        LintFormat::Human => {
            report::write_human(&mut out, &all, color).map_err(io_error)?;
            if fixed > 0 {
                writeln!(
                    out,
                    "Fixed {} in {}.",
                    report::plural(fixed, "problem"),
                    report::plural(files_fixed, "file")
                )
                .map_err(io_error)?;
            }
            writeln!(out, "{}", report::summary_line(&all, args.unsafe_fixes)).map_err(io_error)?;
        }
        LintFormat::Json => {
            let items: Vec<_> = all.iter().map(report::diagnostic_json).collect();
            writeln!(out, "{}", serde_json::Value::Array(items)).map_err(io_error)?;
        }
        LintFormat::Sarif => {
            let log = report::sarif(&all, !unusable);
            let text = serde_json::to_string_pretty(&log).map_err(|e| miette::miette!("{e}"))?;
            writeln!(out, "{text}").map_err(io_error)?;
        }
        LintFormat::Github => out
            .write_all(report::github(&all).as_bytes())
            .map_err(io_error)?,
    }
    let fails = |d: &Diagnostic| d.severity == Severity::Error || args.deny_warnings;
    Ok(if unusable {
        EXIT_ERROR
    } else if all.iter().any(fails) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    })
}

/// `fmt`: rewrites each valid policy in the canonical layout; one that is not a valid
/// policy is left untouched and makes the exit code 2.
fn format_files(args: FmtArgs, color: bool) -> miette::Result<u8> {
    let mut files = args.files;
    if files.is_empty() {
        files.push(PathBuf::from("policy.json"));
    }
    let preview = args.check || args.diff;
    let (mut invalid, mut changed, mut unchanged) = (false, 0, 0);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for path in &files {
        let original = match rewrite::read(path) {
            Ok(o) => o,
            Err(d) => {
                let _ = report::write_human(&mut io::stderr(), &[*d], color);
                invalid = true;
                continue;
            }
        };
        let policy = match Policy::parse(Arc::clone(&original.source)) {
            Ok(p) => p,
            Err(diags) => {
                let _ = report::write_human(&mut io::stderr(), &diags, color);
                eprintln!(
                    "error: {} is not a valid policy; it was not formatted",
                    path.display()
                );
                invalid = true;
                continue;
            }
        };
        let formatted = crate::fmt::format(&policy);
        let text = original.source.text();
        if formatted == text {
            unchanged += 1;
            continue;
        }
        // Formatting only moves and re-indents; a different document is a bug, caught
        // here before it reaches the file.
        let reparsed = Policy::parse(SourceFile::new(original.source.name(), formatted.clone()));
        if !reparsed.is_ok_and(|p| p.doc.value.deep_eq(&policy.doc.value)) {
            eprintln!(
                "error: formatting would change what {} means, so it was left unchanged (a bug; please report it)",
                path.display()
            );
            invalid = true;
            continue;
        }
        if args.diff {
            let diff = rewrite::unified_diff(original.source.name(), text, &formatted);
            out.write_all(diff.as_bytes()).map_err(io_error)?;
        } else if args.check {
            writeln!(out, "Would reformat: {}", path.display()).map_err(io_error)?;
        } else if let Err(e) = rewrite::write_atomic(path, &original.bytes_for(&formatted)) {
            eprintln!("error: cannot write {}: {e}", path.display());
            invalid = true;
            continue;
        }
        changed += 1;
    }
    let (changed_n, unchanged_n) = (
        report::plural(changed, "file"),
        report::plural(unchanged, "file"),
    );
    if preview {
        eprintln!("{changed_n} would be reformatted, {unchanged_n} already formatted");
    } else {
        eprintln!("{changed_n} reformatted, {unchanged_n} left unchanged");
    }
    Ok(if invalid {
        EXIT_ERROR
    } else if preview && changed > 0 {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    })
}

fn io_error(e: io::Error) -> miette::Report {
    miette::miette!("cannot write output: {e}")
}

fn simulate(
    traces: &[PathBuf],
    policy_path: &Path,
    format: SimFormat,
    options: &sim::Options,
    fail_on_deny: bool,
    validate: Option<&Catalog>,
    color: bool,
) -> miette::Result<u8> {
    let Some(policy) = load_policy(policy_path, color) else {
        return Ok(EXIT_ERROR);
    };
    let stdout = io::stdout();
    let mut reporter = Reporter::new(
        format,
        Box::new(io::BufWriter::with_capacity(1 << 16, stdout.lock())),
        Box::new(io::stderr()),
    );
    reporter.multi_file = traces.len() > 1;
    reporter.validator = validate.map(ArgsValidator::new);
    let mut simulator = Simulator::new(Engine::new(&policy));
    let mut stopped = false;
    for path in traces {
        let name = path.display().to_string();
        let reader: Box<dyn Read> = if name == "-" {
            Box::new(io::stdin().lock())
        } else {
            match std::fs::File::open(path) {
                Ok(f) => {
                    if io::stderr().is_terminal() {
                        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                        reporter.progress = Some(progress_bar(len));
                    }
                    Box::new(f)
                }
                Err(e) => {
                    eprintln!("error: cannot read trace {name}: {e}");
                    return Ok(EXIT_ERROR);
                }
            }
        };
        match simulator.run(
            &name,
            BufReader::with_capacity(1 << 16, reader),
            options,
            &mut reporter,
        ) {
            Ok(()) => {}
            Err(sim::Stop::Malformed) => {
                stopped = true;
                break;
            }
            Err(sim::Stop::Io(e)) => {
                eprintln!("error: reading {name}: {e}");
                return Ok(EXIT_ERROR);
            }
        }
        if let Some(p) = reporter.progress.take() {
            p.finish_and_clear();
        }
    }
    if stopped {
        return Ok(EXIT_ERROR);
    }
    let tally = &simulator.tally;
    reporter
        .finish(simulator.engine(), tally)
        .map_err(io_error)?;
    Ok(if tally.malformed > 0 {
        EXIT_ERROR
    } else if tally.expect_failed > 0 || (fail_on_deny && tally.deny > 0) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    })
}

fn progress_bar(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

fn check(
    tool: &str,
    args: &str,
    grant: &str,
    at: Option<&str>,
    policy_path: &Path,
    format: CheckFormat,
    color: bool,
) -> miette::Result<u8> {
    let Some(policy) = load_policy(policy_path, color) else {
        return Ok(EXIT_ERROR);
    };
    let args_value = match json::parse_strict(args) {
        Ok(n) if matches!(n.value, Value::Object(_)) => n.value,
        Ok(n) => {
            eprintln!(
                "error: --args must be a JSON object, found {}",
                n.value.type_name()
            );
            return Ok(EXIT_ERROR);
        }
        Err(e) => {
            eprintln!(
                "error: --args is not valid JSON at column {}: {}",
                e.span.start + 1,
                e.message
            );
            return Ok(EXIT_ERROR);
        }
    };
    let time = match at {
        None => 0.0,
        Some(ts) => {
            let line = match ts.parse::<f64>() {
                Ok(_) => format!("{{\"tool\":\"-\",\"ts\":{ts}}}"),
                Err(_) => format!(
                    "{{\"tool\":\"-\",\"ts\":{}}}",
                    serde_json::Value::String(ts.into())
                ),
            };
            match sim::trace::parse_line(line.as_bytes(), &mut sim::tape::Tape::default()) {
                Ok(sim::trace::Event::Call(c)) => c.ts.unwrap_or(0.0),
                Ok(_) => 0.0,
                Err(m) => {
                    eprintln!("error: --at: {}", m.message);
                    return Ok(EXIT_ERROR);
                }
            }
        }
    };
    let mut engine = Engine::new(&policy);
    let outcome = engine.evaluate(&Call {
        tool,
        grant,
        args: &args_value,
        time,
    });
    let rule = engine.rule(outcome.rule);
    match format {
        CheckFormat::Json => {
            let mut v = serde_json::json!({
                "tool": tool,
                "grant": grant,
                "decision": outcome.decision.as_str(),
                "rule": rule.pointer,
                "at": rule.location.to_string(),
            });
            if let Some(r) = outcome.reason {
                v["reason"] = r.as_str().into();
            }
            if let Some(message) = policy.tool(tool).and_then(|t| t.message.as_ref()) {
                if outcome.decision == Decision::Deny {
                    v["message"] = message.value.clone().into();
                }
            }
            println!("{v}");
        }
        CheckFormat::Human => {
            let verdict = match outcome.reason {
                Some(r) => format!("deny ({r})"),
                None => outcome.decision.to_string(),
            };
            let d = Diagnostic::error(
                "decision",
                &policy.source,
                rule.span,
                format!("{tool}: {verdict}"),
            )
            .with_severity(if outcome.decision == Decision::Deny {
                Severity::Error
            } else {
                Severity::Warning
            })
            .with_label(format!("{} — decided here", rule.pointer));
            print!("{}", report::render_human(&d, color));
        }
    }
    Ok(if outcome.decision == Decision::Deny {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    })
}

fn catalog_command(command: CatalogCommand, catalog: &Catalog) -> miette::Result<u8> {
    match command {
        CatalogCommand::List { format } => match format {
            ListFormat::Human => print!("{}", catalog::render_list(catalog)),
            ListFormat::Json => println!("{}", catalog::render_list_json(catalog)),
        },
        CatalogCommand::Show { tool } => print!("{}", catalog::render_show(catalog, &tool)?),
        CatalogCommand::Import {
            file,
            name,
            server_version,
        } => {
            let mut text = String::new();
            if file.as_os_str() == "-" {
                io::stdin().read_to_string(&mut text).map_err(io_error)?;
            } else {
                text = std::fs::read_to_string(&file)
                    .map_err(|e| miette::miette!("cannot read {}: {e}", file.display()))?;
            }
            let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                miette::miette!("{}:{}:{}: {e}", file.display(), e.line(), e.column())
            })?;
            let imported = catalog::import::import(&value, &name, &server_version)?;
            print!("{}", imported.to_json());
        }
        CatalogCommand::Scan { timeout, command } => {
            let scanned = catalog::scan::scan(&command, std::time::Duration::from_secs(timeout))?;
            print!("{}", scanned.to_json());
        }
    }
    Ok(EXIT_OK)
}

fn explain(code: Option<&str>, all: bool) -> miette::Result<u8> {
    if all {
        for rule in crate::lint::rules::ALL {
            println!("{}  {:<8} {}", rule.code, rule.severity, rule.name);
        }
        return Ok(EXIT_OK);
    }
    let code = code.unwrap_or_default();
    match crate::lint::rule(code) {
        Some(rule) => {
            print!("{}", crate::lint::explain(rule));
            Ok(EXIT_OK)
        }
        None => {
            let codes = crate::lint::rules::ALL.iter().map(|r| r.code);
            let hint = crate::diagnostic::did_you_mean(code, codes)
                .map(|c| format!(" (did you mean {c}?)"))
                .unwrap_or_default();
            eprintln!("error: no rule {code}{hint}; `policylayer explain --all` lists them");
            Ok(EXIT_ERROR)
        }
    }
}

fn init(output: &Path, force: bool, catalog: &Catalog) -> miette::Result<u8> {
    let text = crate::init::starting_policy_text(catalog);
    if output.as_os_str() == "-" {
        print!("{text}");
        return Ok(EXIT_OK);
    }
    if output.exists() && !force {
        eprintln!(
            "error: {} already exists; pass --force to replace it",
            output.display()
        );
        return Ok(EXIT_ERROR);
    }
    let written = crate::rewrite::write_atomic(output, text.as_bytes());
    match written {
        Ok(_) => {
            eprintln!(
                "wrote {}: edit the host lists, then run `policylayer lint {}`",
                output.display(),
                output.display()
            );
            Ok(EXIT_OK)
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", output.display());
            Ok(EXIT_ERROR)
        }
    }
}

fn diff(
    old: &Path,
    new: &Path,
    format: DiffFormat,
    fail_on: Option<FailOn>,
    catalog: &Catalog,
    color: bool,
) -> miette::Result<u8> {
    use crate::diff::Group;
    use colored::Colorize;
    let (Some(a), Some(b)) = (load_policy(old, color), load_policy(new, color)) else {
        return Ok(EXIT_ERROR);
    };
    let report = crate::diff::compare(&a, &b, catalog);
    let changes = &report.changes;
    let (loosened, tightened, changed) = (
        report.count(Group::Loosened) + report.count(Group::MayLoosen),
        report.count(Group::Tightened),
        report.count(Group::Other),
    );
    let text = similar::TextDiff::from_lines(a.source.text(), b.source.text())
        .unified_diff()
        .header(&old.display().to_string(), &new.display().to_string())
        .to_string();
    match format {
        DiffFormat::Json => {
            let items: Vec<_> = changes
                .iter()
                .map(|c| serde_json::json!({"tool": c.tool, "direction": c.groups()[0].as_str(), "change": c.what}))
                .collect();
            println!(
                "{}",
                serde_json::json!({
                    "loosened": loosened > 0,
                    "tightened": tightened > 0,
                    "counts": {"loosened": loosened, "tightened": tightened, "changed": changed},
                    "changes": items,
                    "text_diff": text,
                })
            );
        }
        DiffFormat::Human => {
            if changes.is_empty() {
                println!("No change in access.");
            }
            let width = changes
                .iter()
                .map(|c| c.tool.as_deref().unwrap_or("(policy)").len())
                .max()
                .unwrap_or(0);
            for c in changes {
                let g = c.groups()[0];
                let dir = match g {
                    Group::Loosened | Group::MayLoosen => g.as_str().red().bold(),
                    Group::Tightened => g.as_str().green(),
                    Group::Other => g.as_str().yellow(),
                };
                println!(
                    "{dir:<9}  {:<width$}  {}",
                    c.tool.as_deref().unwrap_or("(policy)"),
                    c.what
                );
            }
            if !changes.is_empty() {
                let verdict = if loosened > 0 {
                    "loosens access".red().bold()
                } else {
                    "does not loosen access".green()
                };
                println!("\nThis change {verdict}: {loosened} loosened, {tightened} tightened, {changed} other.");
            }
            if !text.is_empty() {
                println!();
                for line in text.lines() {
                    let line = if line.starts_with('+') && !line.starts_with("+++") {
                        line.green().to_string()
                    } else if line.starts_with('-') && !line.starts_with("---") {
                        line.red().to_string()
                    } else {
                        line.to_string()
                    };
                    println!("{line}");
                }
            }
        }
    }
    let fail = match fail_on {
        Some(FailOn::Loosen) => report.loosens(),
        Some(FailOn::Tighten) => report.tightens(),
        Some(FailOn::Any) => !changes.is_empty(),
        None => false,
    };
    Ok(if fail { EXIT_PROBLEMS } else { EXIT_OK })
}
