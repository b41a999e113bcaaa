//! `policylayer explain CODE`: a rule's documentation, the same text as its doc comment.

use crate::diagnostic::did_you_mean;
use crate::lint;

use super::{fail, write_out};

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A rule's code (`PL101`) or name.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
    /// List every rule with its code, default severity and name.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
}

pub fn run(args: ExplainArgs) -> u8 {
    if args.all {
        let mut out = String::new();
        for rule in lint::rules::ALL {
            out.push_str(&format!(
                "{}  {:<8} {}\n",
                rule.code, rule.severity, rule.name
            ));
        }
        return write_out(&out);
    }
    let Some(code) = args.code else {
        return fail("name a rule to explain (`policylayer explain PL101`); `policylayer explain --all` lists them");
    };
    match lint::rule(&code) {
        Some(rule) => write_out(&lint::explain(rule)),
        None => {
            let codes = lint::rules::ALL.iter().map(|r| r.code);
            let hint = did_you_mean(&code, codes)
                .map(|c| format!(" (did you mean {c}?)"))
                .unwrap_or_default();
            fail(format!(
                "no rule {code}{hint}; `policylayer explain --all` lists them"
            ))
        }
    }
}
