//! All output for people and tools: diagnostics in every format, simulate's reports, the
//! diff report, catalogue tables and `check`'s verdict. Library modules return data; this
//! layer and `cli` are the only ones that write to stdout or stderr.

pub mod catalog;
pub mod check;
pub mod diagnostics;
pub mod diff;
pub mod simulate;

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
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && io::stdout().is_terminal()
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
