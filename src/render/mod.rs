//! All output for people and tools: diagnostics in every format, simulate's reports, the
//! diff report, catalogue tables and `check`'s verdict. Library modules return data; this
//! layer and `cli` are the only ones that write to stdout or stderr.

pub mod catalog;
pub mod check;
pub mod diagnostics;
pub mod diff;
pub mod drift;
pub mod report;
pub mod simulate;
pub mod suggest;

use std::io::{self, IsTerminal};

/// Whether to colour output, decided once from `--color`, `NO_COLOR` and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Resolves the choice for stdout and applies it to `colored`.
    pub fn apply(self) -> bool {
        let on = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
                // NO_COLOR wins; CLICOLOR_FORCE colours even into a pipe.
                !set("NO_COLOR")
                    && (set("CLICOLOR_FORCE")
                        && std::env::var_os("CLICOLOR_FORCE") != Some("0".into())
                        || io::stdout().is_terminal())
            }
        };
        colored::control::set_override(on);
        on
    }
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
