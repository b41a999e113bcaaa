//! `policylayer catalog list|show|import|scan`: read a catalogue (the current folder's, as
//! for a policy there), or build one from a server's `tools/list` answer (a file, or a
//! server started over stdio).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::catalog;
use crate::render::catalog as render;

use super::{report, write_out, CatalogArg, Globals, EXIT_ERROR};
use crate::source::SourceFile;

/// `list` and `show` read the catalogue a policy in the current folder is checked against:
/// `--catalog`, else the one its configuration names, else the built-in one.
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
        } => match import(&file, &name, &server_version, false) {
            Some(result) => result,
            None => return EXIT_ERROR,
        },
        CatalogCommand::Scan { timeout, command } => {
            catalog::scan::scan(&command, std::time::Duration::from_secs(timeout))
                .map(|c| c.to_json())
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

fn import(
    file: &std::path::Path,
    name: &str,
    version: &str,
    color: bool,
) -> Option<miette::Result<String>> {
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
        Ok(value) => Some(catalog::import::import(&value, name, version).map(|c| c.to_json())),
        Err(diags) => {
            report(&diags, color);
            None
        }
    }
}
