//! Command-line arguments and dispatch: the only place that knows about clap and exit
//! codes. Each command's handler is a file of its own; the work is in library modules and
//! the output in [`crate::render`].

mod catalog;
mod check;
mod diff;
mod explain;
mod fmt;
mod init;
mod lint;
mod simulate;
mod suggest;

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use clap::{CommandFactory, Parser, Subcommand};

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::lint::config::{ConfigCatalog, ConfigFile};
use crate::policy::Policy;
use crate::render::{self, diagnostics};

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
    /// Tool catalogue to check against (also accepted after the command).
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// When to colour output (also accepted after the command).
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorWhen>,

    /// The largest policy or catalogue file read (a larger one is an error).
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_bytes: u64,

    /// The deepest nesting of JSON values read (at most 1024).
    #[arg(long, value_name = "LEVELS", default_value_t = crate::json::DEFAULT_MAX_DEPTH as u16,
          value_parser = clap::value_parser!(u16).range(1..=crate::json::DEPTH_CEILING as i64))]
    pub max_depth: u16,

    /// Characters of an input value quoted in a message before it is cut.
    #[arg(long, value_name = "CHARS", default_value_t = crate::diagnostic::DEFAULT_QUOTE_CHARS as u32,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_quote_chars: u32,

    #[command(subcommand)]
    pub command: Command,
}

/// `--catalog`, for the commands that read the catalogue.
#[derive(clap::Args, Debug, Default)]
pub struct CatalogArg {
    /// Tool catalogue to check against (default: the `catalog` key of the nearest
    /// policylayer.toml, else the built-in Leapfrog catalogue).
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

/// `--color`, for the commands that colour their output.
#[derive(clap::Args, Debug, Default)]
pub struct ColorArg {
    /// When to colour output (NO_COLOR is respected under auto).
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorWhen>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl From<ColorWhen> for render::ColorChoice {
    fn from(c: ColorWhen) -> Self {
        match c {
            ColorWhen::Auto => render::ColorChoice::Auto,
            ColorWhen::Always => render::ColorChoice::Always,
            ColorWhen::Never => render::ColorChoice::Never,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check policies for errors and risky access.
    Lint(lint::LintArgs),
    /// Rewrite policies in the canonical layout (stable key order, 2-space indent).
    Fmt(fmt::FmtArgs),
    /// Replay recorded tool calls against a policy.
    Simulate(simulate::SimulateArgs),
    /// Decide one call and show the rule that made the decision.
    Check(check::CheckArgs),
    /// Read or import a tool catalogue.
    Catalog(catalog::CatalogArgs),
    /// Print the documentation of a rule (`explain PL101`), or list them all.
    Explain(explain::ExplainArgs),
    /// Write a starting policy for the catalogue's server (and, with --catalog, remember
    /// the catalogue in the policy folder's policylayer.toml).
    Init(init::InitArgs),
    /// Say, tool by tool, whether a policy change loosens or tightens access.
    Diff(diff::DiffArgs),
    /// Size limits from recorded traffic (peak units per window), optionally writing them.
    SuggestLimits(suggest::SuggestArgs),
    /// Print the JSON Schema of the policy format.
    Schema,
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// What every handler gets besides its own arguments.
pub struct Globals {
    catalog: Option<PathBuf>,
    color: Option<ColorWhen>,
}

impl Globals {
    /// `--catalog FILE`, after the command first, then before it.
    fn catalog_flag<'a>(&'a self, arg: &'a CatalogArg) -> Option<&'a Path> {
        arg.catalog.as_deref().or(self.catalog.as_deref())
    }

    /// The catalogue for a policy at `policy`: `--catalog` if given, else the `catalog` key
    /// of the configuration in force for it (found as lint finds it, walking up from its
    /// folder), else the built-in one. Without a policy, `--catalog` or the built-in one.
    fn catalog(
        &self,
        arg: &CatalogArg,
        policy: Option<&Path>,
    ) -> Result<CatalogRef, Vec<Diagnostic>> {
        let config = match (self.catalog_flag(arg), policy) {
            (None, Some(policy)) => ConfigFile::for_policy(policy)?,
            _ => None,
        };
        let named = config.as_ref().and_then(|c| c.catalog.as_ref());
        self.catalog_with(arg, named, &mut Catalogs::default())
    }

    /// `--catalog` if given, else the catalogue a configuration names, else the built-in
    /// one; each file is read once per `cache`.
    fn catalog_with(
        &self,
        arg: &CatalogArg,
        config: Option<&ConfigCatalog>,
        cache: &mut Catalogs,
    ) -> Result<CatalogRef, Vec<Diagnostic>> {
        match (self.catalog_flag(arg), config) {
            (Some(path), _) => cache.get(path, || Catalog::load(path)),
            (None, Some(named)) => cache.get(&named.path, || named.load()),
            (None, None) => Ok(CatalogRef::Builtin(Catalog::leapfrog())),
        }
    }

    /// Resolves `--color` (after the command first) and applies it to `colored`.
    fn color(&self, arg: &ColorArg) -> bool {
        let when = arg.color.or(self.color).unwrap_or(ColorWhen::Auto);
        render::ColorChoice::from(when).apply()
    }
}

/// A catalogue loaded from a file, or the built-in one.
#[derive(Clone)]
enum CatalogRef {
    Loaded(Rc<Catalog>),
    Builtin(&'static Catalog),
}

impl std::ops::Deref for CatalogRef {
    type Target = Catalog;
    fn deref(&self) -> &Catalog {
        match self {
            CatalogRef::Loaded(c) => c,
            CatalogRef::Builtin(c) => c,
        }
    }
}

/// Catalogue files by path, each read once, for commands over several policies whose
/// configurations may name different catalogues (or the same one).
#[derive(Default)]
struct Catalogs {
    /// `None`: the file was tried and had errors, which were handed out then.
    loaded: HashMap<PathBuf, Option<Rc<Catalog>>>,
}

impl Catalogs {
    /// The catalogue at `path`, read by `load` the first time it is asked for. A catalogue
    /// with errors gives them the first time and no diagnostics after (still an `Err`), so
    /// that they are reported once however many policies use it.
    fn get(
        &mut self,
        path: &Path,
        load: impl FnOnce() -> Result<Catalog, Vec<Diagnostic>>,
    ) -> Result<CatalogRef, Vec<Diagnostic>> {
        if let Some(done) = self.loaded.get(path) {
            return done.clone().map(CatalogRef::Loaded).ok_or_else(Vec::new);
        }
        let result = load().map(Rc::new);
        self.loaded
            .insert(path.to_path_buf(), result.as_ref().ok().map(Rc::clone));
        result.map(CatalogRef::Loaded)
    }
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
    crate::source::set_max_file_bytes(cli.max_file_bytes);
    crate::json::set_max_depth(usize::from(cli.max_depth));
    crate::diagnostic::set_quote_chars(cli.max_quote_chars as usize);
    let globals = Globals {
        catalog: cli.catalog,
        color: cli.color,
    };
    ExitCode::from(run(cli.command, &globals))
}

fn run(command: Command, g: &Globals) -> u8 {
    match command {
        Command::Lint(args) => lint::run(args, g),
        Command::Fmt(args) => fmt::run(args, g),
        Command::Simulate(args) => simulate::run(args, g),
        Command::Check(args) => check::run(args, g),
        Command::Catalog(args) => catalog::run(args, g),
        Command::Explain(args) => explain::run(args),
        Command::Init(args) => init::run(args, g),
        Command::Diff(args) => diff::run(args, g),
        Command::SuggestLimits(args) => suggest::run(args, g),
        Command::Schema => {
            print!("{}", crate::schema::policy_schema_text());
            EXIT_OK
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "policylayer", &mut io::stdout());
            EXIT_OK
        }
    }
}

/// Prints diagnostics to stderr in human form.
fn report(diagnostics: &[Diagnostic], color: bool) {
    let _ = diagnostics::write_human(&mut io::stderr(), diagnostics, color);
}

/// An error of the command line itself: `error: …` on stderr, exit 2.
fn fail(message: impl std::fmt::Display) -> u8 {
    let _ = writeln!(io::stderr(), "error: {message}");
    EXIT_ERROR
}

/// Loads a policy or prints why not; `None` means exit 2.
fn load_policy(path: &Path, color: bool) -> Option<Policy> {
    match Policy::load(path) {
        Ok(p) => Some(p),
        Err(diags) => {
            report(&diags, color);
            None
        }
    }
}

/// Loads the catalogue for a command (for the policy at `policy`, if it works on one), or
/// prints why not; `None` means exit 2.
fn load_catalog(
    g: &Globals,
    arg: &CatalogArg,
    policy: Option<&Path>,
    color: bool,
) -> Option<CatalogRef> {
    match g.catalog(arg, policy) {
        Ok(c) => Some(c),
        Err(diags) => {
            report(&diags, color);
            None
        }
    }
}

/// Opens a trace (`-` is standard input) with its length when it is a file.
pub fn open_trace(path: &Path) -> io::Result<(Box<dyn Read>, Option<u64>)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(io::stdin().lock()), None));
    }
    let f = std::fs::File::open(path)?;
    let len = f.metadata().map(|m| m.len()).ok();
    Ok((Box::new(f), len))
}

/// The most threads used when `--threads` is not given: one decides while the others
/// parse, and past three parsers the deciding thread is the bottleneck.
const DEFAULT_THREADS_CAP: usize = 4;

/// `--threads`, or the available cores (at most [`DEFAULT_THREADS_CAP`]).
pub fn threads(asked: Option<u16>) -> usize {
    asked.map_or_else(
        || {
            std::thread::available_parallelism()
                .map_or(1, usize::from)
                .min(DEFAULT_THREADS_CAP)
        },
        usize::from,
    )
}

/// Writes to stdout; a closed pipe or full disk is exit 2 with a message.
fn write_out(text: &str) -> u8 {
    match io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => EXIT_OK,
        Err(e) => fail(format!("cannot write output: {e}")),
    }
}
