//! `policylayer fmt`: rewrites each valid policy in the canonical layout; a file that is not
//! a valid policy is left untouched and makes the exit code 2.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::policy::Policy;
use crate::render::plural;
use crate::rewrite;
use crate::source::SourceFile;

use super::{fail, report, ColorArg, Globals, EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

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
    #[command(flatten)]
    pub color: ColorArg,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    Invalid,
}

pub fn run(mut args: FmtArgs, g: &Globals) -> u8 {
    let color = g.color(&args.color);
    if args.files.is_empty() {
        args.files.push(PathBuf::from("policy.json"));
    }
    let preview = args.check || args.diff;
    let (mut invalid, mut changed, mut unchanged) = (false, 0, 0);
    for path in &args.files {
        match format_file(path, &args, color) {
            Ok(Outcome::Unchanged) => unchanged += 1,
            Ok(Outcome::Changed) => changed += 1,
            Ok(Outcome::Invalid) => invalid = true,
            Err(e) => return fail(format!("cannot write output: {e}")),
        }
    }
    let (changed_n, unchanged_n) = (plural(changed, "file"), plural(unchanged, "file"));
    if preview {
        eprintln!("{changed_n} would be reformatted, {unchanged_n} already formatted");
    } else {
        eprintln!("{changed_n} reformatted, {unchanged_n} left unchanged");
    }
    if invalid {
        EXIT_ERROR
    } else if preview && changed > 0 {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

fn format_file(path: &Path, args: &FmtArgs, color: bool) -> io::Result<Outcome> {
    let original = match rewrite::read(path) {
        Ok(o) => o,
        Err(d) => {
            report(&[*d], color);
            return Ok(Outcome::Invalid);
        }
    };
    let policy = match Policy::parse(Arc::clone(&original.source)) {
        Ok(p) => p,
        Err(diags) => {
            report(&diags, color);
            eprintln!(
                "error: {} is not a valid policy; it was not formatted",
                path.display()
            );
            return Ok(Outcome::Invalid);
        }
    };
    let formatted = crate::fmt::format(&policy);
    let text = original.source.text();
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    // Formatting only moves and re-indents; a different document is a bug, caught here
    // before it reaches the file.
    let reparsed = Policy::parse(SourceFile::new(original.source.name(), formatted.clone()));
    if !reparsed.is_ok_and(|p| p.doc.value.deep_eq(&policy.doc.value)) {
        eprintln!(
            "error: formatting would change what {} means, so it was left unchanged (a bug; please report it)",
            path.display()
        );
        return Ok(Outcome::Invalid);
    }
    let stdout = io::stdout();
    if args.diff {
        let diff = rewrite::unified_diff(original.source.name(), text, &formatted);
        stdout.lock().write_all(diff.as_bytes())?;
    } else if args.check {
        writeln!(stdout.lock(), "Would reformat: {}", path.display())?;
    } else if let Err(e) = rewrite::write_atomic(path, &original.bytes_for(&formatted)) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return Ok(Outcome::Invalid);
    }
    Ok(Outcome::Changed)
}
