//! `policylayer catalog list|show|import|scan|check`: read a catalogue (the current
//! folder's, as for a policy there), build one from a server's `tools/list` answer (a file, or a server started over stdio), keep one in step
//! with its server (`--merge`), or fail a build when the server moved (`check`).

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::catalog::{self, drift, Catalog};
use crate::policy::Policy;
use crate::render::catalog as render;
use crate::render::drift as render_drift;

use super::{fail, report, write_out, CatalogArg, Globals, EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};
use crate::source::SourceFile;

/// `list`, `show` and `check` read the catalogue a policy in the current folder is checked
/// against: `--catalog`, else the one its configuration names, else the built-in one.
const HERE: &str = "policy.json";

#[derive(clap::Args, Debug)]
pub struct CatalogArgs {
    #[command(subcommand)]
    pub command: CatalogCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum CatalogCommand {
    /// List the catalogue's tools with category, risk and signals.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        #[command(flatten)]
        catalog: CatalogArg,
    },
    /// Show one tool: classification, arguments as a tree, signals.
    Show {
        #[arg(value_name = "TOOL")]
        tool: String,
        #[command(flatten)]
        catalog: CatalogArg,
    },
    /// Build a catalogue from a server's `tools/list` answer (JSON file, `-` for stdin).
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, default_value = "server")]
        name: String,
        #[arg(long, default_value = "0.0.0")]
        server_version: String,
        #[command(flatten)]
        out: BuildArgs,
    },
    /// Start an MCP server over stdio, ask it for its tools, print its catalogue.
    Scan {
        /// Seconds to wait for the server's answers.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        #[command(flatten)]
        out: BuildArgs,
        /// The server command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
    /// Ask a live server for its tools: exit 1 when they differ from the catalogue.
    Check {
        #[command(flatten)]
        catalog: CatalogArg,
        /// Seconds to wait for the server's answers.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Also say which rules of this policy the differences touch.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// The server command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
}

/// Where a built catalogue goes, and what it is compared with.
#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// Write the catalogue to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Keep the category, risk, summary and note of each tool from this catalogue, and
    /// report tools added, removed and changed since it.
    #[arg(long, value_name = "EXISTING")]
    merge: Option<PathBuf>,
    /// Do not start from the curated catalogue shipped for this server (Leapfrog): show
    /// the classification inferred from the server's answer alone.
    #[arg(long, conflicts_with = "merge")]
    no_curated: bool,
    /// With a report: also say which rules of this policy the differences touch.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Format of the report (on standard output with --output, else on standard error).
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

pub fn run(args: CatalogArgs, g: &Globals) -> u8 {
    let result = match args.command {
        CatalogCommand::List { format, catalog } => {
            let Some(c) = super::load_catalog(g, &catalog, Some(Path::new(HERE)), false) else {
                return EXIT_ERROR;
            };
            return match format {
                ListFormat::Human => write_out(&render::render_list(&c)),
                ListFormat::Json => write_out(&format!("{}\n", render::render_list_json(&c))),
            };
        }
        CatalogCommand::Show { tool, catalog } => {
            let Some(c) = super::load_catalog(g, &catalog, Some(Path::new(HERE)), false) else {
                return EXIT_ERROR;
            };
            render::render_show(&c, &tool)
        }
        CatalogCommand::Import {
            file,
            name,
            server_version,
            out,
        } => match import(&file, &name, &server_version, false) {
            Some(Ok(fresh)) => return build(fresh, &out),
            Some(Err(report)) => Err(report),
            None => return EXIT_ERROR,
        },
        CatalogCommand::Scan {
            timeout,
            out,
            command,
        } => match catalog::scan::scan(&command, Duration::from_secs(timeout)) {
            Ok(fresh) => return build(fresh, &out),
            Err(report) => Err(report),
        },
        CatalogCommand::Check {
            catalog,
            timeout,
            policy,
            format,
            command,
        } => {
            let near = policy.as_deref().unwrap_or(Path::new(HERE));
            let Some(on_file) = super::load_catalog(g, &catalog, Some(near), false) else {
                return EXIT_ERROR;
            };
            let policy = match policy.map(|p| super::load_policy(&p, false)) {
                Some(None) => return EXIT_ERROR,
                Some(Some(p)) => Some(p),
                None => None,
            };
            return match catalog::scan::scan(&command, Duration::from_secs(timeout)) {
                Ok(fresh) => {
                    let live = drift::merge(fresh, &on_file);
                    let (text, drift) = report_drift(&on_file, &live, policy.as_ref(), format);
                    match write_out(&text) {
                        EXIT_OK if !drift.is_empty() => EXIT_PROBLEMS,
                        code => code,
                    }
                }
                Err(report) => {
                    eprintln!("{report:?}");
                    EXIT_ERROR
                }
            };
        }
    };
    match result {
        Ok(text) => write_out(&text),
        Err(report) => {
            eprintln!("{report:?}");
            EXIT_ERROR
        }
    }
}

/// Merges a fresh catalogue with its base (`--merge`, else the curated catalogue of a
/// server we ship one for), writes it, and reports the drift when there is a base.
fn build(fresh: Catalog, args: &BuildArgs) -> u8 {
    let base = match &args.merge {
        Some(path) => match Catalog::load(path) {
            Ok(c) => Some(CatalogBase::Owned(c)),
            Err(diags) => {
                report(&diags, false);
                return EXIT_ERROR;
            }
        },
        None if args.no_curated => None,
        None => drift::curated_base(&fresh).map(CatalogBase::Curated),
    };
    let policy = match args.policy.as_ref().map(|p| super::load_policy(p, false)) {
        Some(None) => return EXIT_ERROR,
        Some(Some(p)) => Some(p),
        None => None,
    };
    let base = base.as_ref().map(CatalogBase::get);
    let built = match base {
        Some(base) => drift::merge(fresh, base),
        None => fresh,
    };
    let text = built.to_json();
    let written = match &args.output {
        Some(path) => match crate::rewrite::write_atomic(path, text.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(e) => return fail(format!("cannot write {}: {e}", path.display())),
        },
        None => write_out(&text),
    };
    if written != EXIT_OK {
        return written;
    }
    let Some(base) = base else {
        return EXIT_OK;
    };
    let (report, _) = report_drift(base, &built, policy.as_ref(), args.format);
    if args.output.is_some() {
        write_out(&report)
    } else {
        eprint!("{report}");
        EXIT_OK
    }
}

/// What a built catalogue is compared with.
enum CatalogBase {
    Owned(Catalog),
    Curated(&'static Catalog),
}

impl CatalogBase {
    fn get(&self) -> &Catalog {
        match self {
            CatalogBase::Owned(c) => c,
            CatalogBase::Curated(c) => c,
        }
    }
}

/// The drift report between a catalogue and what its server advertises, as text.
fn report_drift(
    old: &Catalog,
    new: &Catalog,
    policy: Option<&Policy>,
    format: ListFormat,
) -> (String, drift::Drift) {
    let found = drift::compare(old, new);
    let impact = policy.map(|p| drift::impact(p, old, new, &found));
    let view = render_drift::DriftView {
        old,
        new,
        drift: &found,
        impact: policy.zip(impact.as_deref()),
    };
    let text = match format {
        ListFormat::Human => render_drift::human(&view),
        ListFormat::Json => format!("{}\n", render_drift::json(&view)),
    };
    (text, found)
}

fn import(
    file: &std::path::Path,
    name: &str,
    version: &str,
    color: bool,
) -> Option<miette::Result<Catalog>> {
    let source = if file.as_os_str() == "-" {
        let mut text = String::new();
        if let Err(e) = io::stdin().read_to_string(&mut text) {
            return Some(Err(miette::miette!("cannot read standard input: {e}")));
        }
        SourceFile::new("-", text)
    } else {
        match SourceFile::read(file) {
            Ok(s) => s,
            Err(d) => {
                report(&[*d], color);
                return None;
            }
        }
    };
    match catalog::import::read_answer(&source) {
        Ok(value) => Some(catalog::import::import(&value, name, version)),
        Err(diags) => {
            report(&diags, color);
            None
        }
    }
}
