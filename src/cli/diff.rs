//! `policylayer diff [OLD] NEW`: the semantic change between two policies, each a file or a
//! git `REV:path` (one side alone is compared with `HEAD`), with `--fail-on` for CI gates.
//! The catalogue (for risk order) is `--catalog`, or the one the new policy's configuration
//! names.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::diff::replay::{self, ReplayError};
use crate::diff::{self, Report};
use crate::git::{self, Side};
use crate::lint::config::ConfigFile;
use crate::policy::Policy;
use crate::render::diff::{self as render, DiffView};
use crate::rewrite;
use crate::source::SourceFile;

use super::open_trace;
use super::{
    fail, report, write_out, CatalogArg, CatalogRef, Catalogs, ColorArg, Globals, EXIT_ERROR,
    EXIT_OK, EXIT_PROBLEMS,
};

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The old policy: a file or `REV:path` (with NEW alone: `HEAD:./NEW`).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new policy: a file or `REV:path` (with `--against`: more files).
    #[arg(value_name = "NEW")]
    pub new: Vec<String>,
    /// Compare each file given with its version in this revision (`--against HEAD`, as the
    /// pre-commit hook does for every staged policy).
    #[arg(long, value_name = "REV")]
    pub against: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Exit 1 when the change moves access this way ("may loosen" counts both ways).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,
    /// Add the unified diff of both policies in the canonical layout.
    #[arg(long)]
    pub text: bool,
    /// Replay these traces under both policies and report the calls whose decision changed.
    #[arg(long, value_name = "TRACE", num_args = 1..)]
    pub trace: Vec<PathBuf>,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
    /// A verdict and a table, to post as a pull-request comment.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any loosening, proven or not.
    Loosen,
    /// Any tightening, proven or not.
    Tighten,
    /// Any semantic change.
    Any,
}

pub fn run(args: DiffArgs, g: &Globals) -> u8 {
    let color = g.color(&args.color);
    let mut catalogs = Catalogs::default();
    if let Err(diags) = g.catalog_with(&args.catalog, None, &mut catalogs) {
        report(&diags, color);
        return EXIT_ERROR;
    }
    let pairs: Vec<(Side, Side)> = match (&args.against, args.new.as_slice()) {
        (Some(rev), _) => std::iter::once(&args.old)
            .chain(&args.new)
            .map(|f| (Side::at(rev, f), Side::File(f.clone())))
            .collect(),
        (None, []) => vec![(Side::head_of(&args.old), Side::File(args.old.clone()))],
        (None, [new]) => vec![(Side::parse(&args.old), Side::parse(new))],
        (None, _) => return fail("diff takes OLD and NEW (or several files with --against REV)"),
    };
    pairs
        .iter()
        .map(|(old, new)| {
            let Some(catalog) = catalog_for(&args, g, old, new, &mut catalogs, color) else {
                return EXIT_ERROR;
            };
            one(&args, &catalog, old, new, color, args.against.is_some())
        })
        .max()
        .unwrap_or(EXIT_OK)
}

/// The catalogue of one comparison: `--catalog`, else the one the configuration of the new
/// policy's folder names (of the old one's when the new side is a revision; a `REV:path`
/// side alone is looked for at `path` from the current folder), else the built-in one.
fn catalog_for(
    args: &DiffArgs,
    g: &Globals,
    old: &Side,
    new: &Side,
    catalogs: &mut Catalogs,
    color: bool,
) -> Option<CatalogRef> {
    let config = if g.catalog_flag(&args.catalog).is_some() {
        None
    } else {
        let at = [new, old]
            .into_iter()
            .find_map(|side| match side {
                Side::File(f) => Some(f.as_str()),
                Side::Revision { .. } => None,
            })
            .or(match new {
                Side::Revision { path, .. } => Some(path.as_str()),
                Side::File(_) => None,
            })
            .unwrap_or_default();
        match ConfigFile::for_policy(Path::new(at)) {
            Ok(c) => c,
            Err(diags) => {
                report(&diags, color);
                return None;
            }
        }
    };
    let named = config.as_ref().and_then(|c| c.catalog.as_ref());
    match g.catalog_with(&args.catalog, named, catalogs) {
        Ok(c) => Some(c),
        Err(diags) => {
            report(&diags, color);
            None
        }
    }
}

/// One comparison, printed; its exit code.
fn one(
    args: &DiffArgs,
    catalog: &Catalog,
    old_side: &Side,
    new_side: &Side,
    color: bool,
    new_files_allowed: bool,
) -> u8 {
    let (Some(old), Some(new)) = (
        load(old_side, color, new_files_allowed),
        load(new_side, color, false),
    ) else {
        return EXIT_ERROR;
    };
    let report = diff::compare(&old, &new, catalog);
    let text = args
        .text
        .then(|| canonical_diff(&old, &new, old_side, new_side));
    let replay = if args.trace.is_empty() {
        None
    } else {
        match replay_traces(&old, &new, &args.trace, color) {
            Some(r) => Some(r),
            None => return EXIT_ERROR,
        }
    };
    let (old_name, new_name) = (old_side.name(), new_side.name());
    let view = DiffView {
        old_name: &old_name,
        new_name: &new_name,
        report: &report,
        text: text.as_deref(),
        replay: replay.as_ref(),
    };
    let out = match args.format {
        DiffFormat::Human => render::human(&view),
        DiffFormat::Json => format!("{:#}\n", render::json(&view)),
        DiffFormat::Markdown => render::markdown(&view),
    };
    let written = write_out(&out);
    if written != EXIT_OK {
        return written;
    }
    if fails(&report, args.fail_on) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

fn fails(report: &Report, fail_on: Option<FailOn>) -> bool {
    match fail_on {
        Some(FailOn::Loosen) => report.loosens(),
        Some(FailOn::Tighten) => report.tightens(),
        Some(FailOn::Any) => !report.changes.is_empty(),
        None => false,
    }
}

/// What a policy that is new in this change is compared with: nothing visible, nothing
/// allowed, so everything it lets through counts as loosening.
const NOTHING: &str = r#"{"version": "1", "default": "deny", "hide": ["*"]}"#;

/// Reads and validates one side, or reports why not. With `missing_is_nothing`, a file the
/// revision does not have is compared as a policy that allows nothing.
fn load(side: &Side, color: bool, missing_is_nothing: bool) -> Option<Policy> {
    let source = match side {
        Side::File(path) => rewrite::read(path.as_ref()).map(|o| o.source),
        Side::Revision { rev, path } => match git::show(rev, path) {
            Ok(bytes) => SourceFile::from_bytes(side.name(), bytes),
            Err(e) if e.missing && missing_is_nothing => Ok(SourceFile::new(
                format!("{} (new file)", side.name()),
                NOTHING,
            )),
            Err(e) => {
                eprintln!("error: {}\n  help: {}", e.message, e.help);
                return None;
            }
        },
    };
    let parsed = match source {
        Ok(s) => Policy::parse(s),
        Err(d) => Err(vec![*d]),
    };
    match parsed {
        Ok(p) => Some(p),
        Err(diags) => {
            report(&diags, color);
            None
        }
    }
}

/// Both policies in `fmt`'s layout, as a unified diff: a reformat shows nothing.
fn canonical_diff(old: &Policy, new: &Policy, a: &Side, b: &Side) -> String {
    let (x, y) = (crate::fmt::format(old), crate::fmt::format(new));
    similar::TextDiff::from_lines(&x, &y)
        .unified_diff()
        .header(&a.name(), &b.name())
        .to_string()
}

fn replay_traces(
    old: &Policy,
    new: &Policy,
    traces: &[PathBuf],
    color: bool,
) -> Option<replay::Replay> {
    let mut readers = Vec::new();
    for path in traces {
        match open_trace(path) {
            Ok((r, _)) => readers.push((path.display().to_string(), BufReader::new(r))),
            Err(e) => {
                fail(format!("cannot read trace {}: {e}", path.display()));
                return None;
            }
        }
    }
    match replay::replay(old, new, readers) {
        Ok(r) => Some(r),
        Err(ReplayError::Malformed(lines)) => {
            let diags: Vec<_> = lines.iter().map(replay::BadLine::diagnostic).collect();
            report(&diags, color);
            None
        }
        Err(ReplayError::Io(name, e)) => {
            fail(format!("reading {name}: {e}"));
            None
        }
    }
}
