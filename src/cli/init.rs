//! `policylayer init`: writes a starting policy for the catalogue's server in the chosen
//! posture, atomically and never over an existing file without `--force`. Given
//! `--catalog FILE`, it also writes the catalogue's path into the configuration of the
//! policy's folder (a `policylayer.toml`, created or updated), so that every later command
//! on the policy finds the catalogue without the flag. Everything is checked before
//! anything is written.

use std::path::{Path, PathBuf};

use crate::init::Posture;
use crate::lint::config::display_path;
use crate::lint::config::edit::{self, Change, Plan};

use super::{fail, report, write_out, CatalogArg, Globals, EXIT_ERROR, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Where to write it (`-` for standard output).
    #[arg(long, short, value_name = "FILE", default_value = "policy.json")]
    pub output: PathBuf,
    /// How much the policy lets through.
    #[arg(long, value_enum, value_name = "POSTURE", default_value_t = PostureArg::Recommended)]
    pub posture: PostureArg,
    /// Replace an existing file, and point a configuration that names another catalogue
    /// at this one.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PostureArg {
    /// Deny by default; destructive tools hidden, critical ones behind a person, every
    /// other write-like tool rate-limited, URL arguments restricted to hosts you list.
    Recommended,
    /// Deny by default; only read tools allowed, every other tool denied or hidden.
    Strict,
    /// Every tool allowed: write-like tools rate-limited, destructive and critical ones
    /// behind a person, URL arguments restricted to hosts you list.
    Permissive,
}

impl From<PostureArg> for Posture {
    fn from(p: PostureArg) -> Posture {
        match p {
            PostureArg::Recommended => Posture::Recommended,
            PostureArg::Strict => Posture::Strict,
            PostureArg::Permissive => Posture::Permissive,
        }
    }
}

pub fn run(args: InitArgs, g: &Globals) -> u8 {
    let output = &args.output;
    let to_stdout = output.as_os_str() == "-";
    // Without --catalog, the catalogue the output folder's configuration names, if any.
    let policy_at = (!to_stdout).then_some(output.as_path());
    let Some(catalog) = super::load_catalog(g, &args.catalog, policy_at, false) else {
        return EXIT_ERROR;
    };
    let policy = crate::init::starting_policy(&catalog, args.posture.into());
    let text = crate::init::policy_text(&policy);
    if to_stdout {
        return write_out(&text);
    }
    if output.exists() && !args.force {
        return fail(format!(
            "{} already exists; pass --force to replace it",
            output.display()
        ));
    }
    let folder = output.parent().unwrap_or(Path::new(""));
    let plan = match g.catalog_flag(&args.catalog) {
        Some(file) => match edit::plan(folder, file, args.force) {
            Ok(plan) => Some(plan),
            Err(diags) => {
                report(&diags, false);
                eprintln!("note: nothing was written");
                return EXIT_ERROR;
            }
        },
        None => None,
    };
    if let Err(e) = crate::rewrite::write_atomic(output, text.as_bytes()) {
        return fail(format!("cannot write {}: {e}", output.display()));
    }
    let shown = output.display();
    if crate::init::has_placeholder_hosts(&policy) {
        eprintln!("wrote {shown}: edit the host lists, then run `policylayer lint {shown}`");
    } else {
        eprintln!("wrote {shown}: check it with `policylayer lint {shown}`");
    }
    match plan {
        Some(plan) => write_config(&plan),
        None => EXIT_OK,
    }
}

/// Writes the configuration as planned and says what changed.
fn write_config(plan: &Plan) -> u8 {
    let shown = plan.path.display();
    let key = format!("catalog = \"{}\"", plan.value);
    let text = match &plan.change {
        Change::Unchanged => {
            eprintln!("{shown} already has {key}");
            return EXIT_OK;
        }
        Change::Create { text, .. } | Change::Update { text, .. } => text,
    };
    if let Err(e) = crate::rewrite::write_atomic(&plan.path, text.as_bytes()) {
        return fail(format!(
            "the policy was written, but not {shown}: {e}; add {key} to it yourself"
        ));
    }
    match &plan.change {
        Change::Create {
            shadows: Some(parent),
            ..
        } => {
            eprintln!("wrote {shown} with {key}: lint, simulate, check and diff find the catalogue without --catalog");
            eprintln!(
                "note: {shown} now serves this folder in place of {} (configurations are not merged): copy its [lint] settings if they should still apply",
                display_path(parent)
            );
        }
        Change::Update {
            previous: Some(previous),
            ..
        } => eprintln!("updated {shown}: {key} (was \"{previous}\")"),
        Change::Update { previous: None, .. } => eprintln!(
            "updated {shown} with {key}: lint, simulate, check and diff find the catalogue without --catalog"
        ),
        _ => eprintln!("wrote {shown} with {key}: lint, simulate, check and diff find the catalogue without --catalog"),
    }
    EXIT_OK
}
