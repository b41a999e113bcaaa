//! Command-line arguments and dispatch: the only place that knows about clap, exit codes
//! and stdout/stderr. Every command's work is in a library module.

use std::io::{self, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::catalog::{self, Catalog};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{Call, Decision, Engine};
use crate::json::{self, Value};
use crate::policy::Policy;
use crate::report::{self, ColorChoice};
use crate::sim::report::{ArgsValidator, Format as SimFormat, Reporter};
use crate::sim::{self, Simulator};

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
    Lint {
        /// Policy files (default: ./policy.json).
        #[arg(value_name = "POLICY")]
        policies: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = LintFormat::Human)]
        format: LintFormat,
    },
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
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
        Command::Lint { policies, format } => lint(policies, format, catalog, color),
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

fn lint(
    mut paths: Vec<PathBuf>,
    format: LintFormat,
    catalog: &Catalog,
    color: bool,
) -> miette::Result<u8> {
    if paths.is_empty() {
        paths.push(PathBuf::from("policy.json"));
    }
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut unusable = false;
    for path in &paths {
        match Policy::load(path) {
            Ok(policy) => all.extend(crate::lint::check(&policy, catalog)),
            Err(diags) => {
                unusable = true;
                all.extend(diags);
            }
        }
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match format {
        LintFormat::Human => {
            report::write_human(&mut out, &all, color).map_err(io_error)?;
            let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
            let warnings = all.len() - errors;
            if all.is_empty() {
                writeln!(out, "All checks passed ({} file(s)).", paths.len()).map_err(io_error)?;
            } else {
                writeln!(out, "Found {errors} error(s), {warnings} warning(s).")
                    .map_err(io_error)?;
            }
        }
        LintFormat::Json => {
            let items: Vec<_> = all.iter().map(report::diagnostic_json).collect();
            writeln!(out, "{}", serde_json::Value::Array(items)).map_err(io_error)?;
        }
    }
    Ok(if unusable {
        EXIT_ERROR
    } else if all.iter().any(|d| d.severity == Severity::Error) {
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
            match sim::trace::parse_line(&line) {
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
    let mut text = serde_json::to_string_pretty(&crate::init::starting_policy(catalog))
        .map_err(|e| miette::miette!("cannot render the policy: {e}"))?;
    text.push('\n');
    if output.as_os_str() == "-" {
        print!("{text}");
        return Ok(EXIT_OK);
    }
    if output.exists() && !force {
        eprintln!("error: {} already exists; pass --force to replace it", output.display());
        return Ok(EXIT_ERROR);
    }
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let written = tempfile::NamedTempFile::new_in(dir)
        .and_then(|mut f| f.write_all(text.as_bytes()).map(|()| f))
        .and_then(|f| f.persist(output).map_err(|e| e.error));
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
