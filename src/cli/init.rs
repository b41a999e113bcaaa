//! `policylayer init`: writes a starting policy for the catalogue's server, atomically and
//! never over an existing file without `--force`.

use std::path::PathBuf;

use super::{fail, write_out, CatalogArg, Globals, EXIT_ERROR, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Where to write it (`-` for standard output).
    #[arg(long, short, value_name = "FILE", default_value = "policy.json")]
    pub output: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

pub fn run(args: InitArgs, g: &Globals) -> u8 {
    let Some(catalog) = super::load_catalog(g, &args.catalog, None, false) else {
        return EXIT_ERROR;
    };
    let text = crate::init::starting_policy_text(&catalog);
    let output = &args.output;
    if output.as_os_str() == "-" {
        return write_out(&text);
    }
    if output.exists() && !args.force {
        return fail(format!(
            "{} already exists; pass --force to replace it",
            output.display()
        ));
    }
    match crate::rewrite::write_atomic(output, text.as_bytes()) {
        Ok(_) => {
            eprintln!(
                "wrote {}: edit the host lists, then run `policylayer lint {}`",
                output.display(),
                output.display()
            );
            EXIT_OK
        }
        Err(e) => fail(format!("cannot write {}: {e}", output.display())),
    }
}
