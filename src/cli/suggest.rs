//! `policylayer suggest-limits TRACE…`: limits sized from recorded traffic, shown as a
//! table or JSON, and with `--write` put into the policy (see `crate::suggest`).

use std::io::{self, BufReader};
use std::path::PathBuf;

use crate::policy::Policy;
use crate::render::suggest as render;
use crate::rewrite;
use crate::sim;
use crate::source::SourceFile;
use crate::suggest::{self, Plan, Replay, Stopped};

use super::{fail, report, write_out, CatalogArg, Globals, EXIT_ERROR, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct SuggestArgs {
    /// JSONL traces, read as `simulate` reads them (`-` reads standard input).
    #[arg(value_name = "TRACE", required = true)]
    pub traces: Vec<PathBuf>,
    /// The policy whose traffic is measured (its access rules decide what counts).
    #[arg(long, value_name = "FILE", default_value = "policy.json")]
    pub policy: PathBuf,
    /// Windows to size (`minute`, `hour`, `day` or seconds, comma-separated; default:
    /// the windows of the policy's limits, else minute and hour).
    #[arg(long, value_name = "WINDOW", value_delimiter = ',', value_parser = parse_window)]
    pub window: Vec<u64>,
    /// Suggested max = the peak × this, rounded up to a readable number (at least 1).
    #[arg(long, default_value_t = 1.5, value_parser = parse_headroom)]
    pub headroom: f64,
    /// Only these tools (repeatable).
    #[arg(long, value_name = "NAME")]
    pub tool: Vec<String>,
    #[arg(long, value_enum, default_value_t = SuggestFormat::Human)]
    pub format: SuggestFormat,
    /// Add the suggested limit to each write-like tool that has none (atomically).
    #[arg(long)]
    pub write: bool,
    /// With --write: also set each existing limit's max to its suggestion.
    #[arg(long, requires = "write")]
    pub update_existing: bool,
    /// A longer trace line is malformed (it is not held in memory).
    #[arg(long, value_name = "BYTES", default_value_t = sim::MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
    /// Threads to read with (default: the available cores, at most 4), as for `simulate`;
    /// above one, the measuring counts get one more of their own.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SuggestFormat {
    Human,
    Json,
}

fn parse_window(text: &str) -> Result<u64, String> {
    match text.trim() {
        "minute" => Ok(60),
        "hour" => Ok(3600),
        "day" => Ok(86400),
        n => match n.parse::<u64>() {
            Ok(s) if s > 0 => Ok(s),
            _ => Err(format!(
                "`{}` is not a window: use minute, hour, day or a positive number of seconds",
                crate::diagnostic::clip(n)
            )),
        },
    }
}

fn parse_headroom(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(h) if h.is_finite() && (1.0..=1000.0).contains(&h) => Ok(h),
        _ => Err("the headroom is a number from 1 to 1000 (1.5 adds half again)".into()),
    }
}

pub fn run(args: SuggestArgs, g: &Globals) -> u8 {
    let Some(catalog) = super::load_catalog(g, &args.catalog, Some(&args.policy), false) else {
        return EXIT_ERROR;
    };
    let Some(policy) = super::load_policy(&args.policy, false) else {
        return EXIT_ERROR;
    };
    let mut plan = match Plan::new(&policy, &catalog, &args.window) {
        Ok(p) => p,
        Err(diags) => {
            report(&diags, false);
            return fail("could not build the measuring policy (a bug; please report it)");
        }
    };
    let threads = super::threads(args.threads);
    if let Some(code) = replay_traces(
        &args.traces,
        &policy,
        &mut plan,
        args.max_line_bytes,
        threads,
    ) {
        return code;
    }
    let suggestions = suggest::suggestions(&plan.tracker, args.headroom, &args.tool);
    let text = match args.format {
        SuggestFormat::Human => render::human(&suggestions),
        SuggestFormat::Json => format!("{}\n", render::json(&suggestions)),
    };
    if args.write {
        return write(&args, &policy, &catalog, &suggestions, &text);
    }
    write_out(&text)
}

/// Replays every trace through the plan; `Some(exit code)` when a trace cannot be read.
pub(super) fn replay_traces(
    traces: &[PathBuf],
    policy: &Policy,
    plan: &mut Plan,
    max_line_bytes: usize,
    threads: usize,
) -> Option<u8> {
    let mut replay = Replay::new(policy, plan, max_line_bytes);
    replay.threads = threads;
    for path in traces {
        let name = path.display().to_string();
        let (reader, _) = match super::open_trace(path) {
            Ok(r) => r,
            Err(e) => return Some(fail(format!("cannot read trace {name}: {e}"))),
        };
        match replay.trace(&name, BufReader::with_capacity(1 << 16, reader)) {
            Ok(()) => {}
            Err(Stopped::Malformed(d)) => {
                report(&[*d], false);
                return Some(EXIT_ERROR);
            }
            Err(Stopped::Io(e)) => return Some(fail(format!("reading {name}: {e}"))),
        }
    }
    replay.finish();
    None
}

/// `lint --fix --trace`: each tool's suggested per-minute, per-grant `max`.
pub(super) fn minute_sizes(
    traces: &[PathBuf],
    policy: &Policy,
    catalog: &crate::catalog::Catalog,
) -> Result<crate::lint::LimitSizes, u8> {
    let mut plan = Plan::new(policy, catalog, &[60]).map_err(|diags| {
        report(&diags, false);
        EXIT_ERROR
    })?;
    let threads = super::threads(None);
    if let Some(code) = replay_traces(traces, policy, &mut plan, sim::MAX_LINE_BYTES, threads) {
        return Err(code);
    }
    Ok(suggest::suggestions(&plan.tracker, 1.5, &[])
        .into_iter()
        .filter(|s| s.is_proposed_fixed_per_grant())
        .filter_map(|s| Some((s.tool?, s.suggested_max)))
        .collect())
}

/// `--write`: the table (on stderr: stdout stays clean for pipes) and the rewritten policy.
fn write(
    args: &SuggestArgs,
    policy: &Policy,
    catalog: &crate::catalog::Catalog,
    suggestions: &[suggest::Suggestion],
    table: &str,
) -> u8 {
    let plan = suggest::write::plan(policy, catalog, suggestions, args.update_existing);
    let old = policy.source.text();
    let mut new = plan.apply(old);
    let parsed = match Policy::parse(SourceFile::new(policy.source.name(), new.clone())) {
        Ok(p) => p,
        Err(diags) => {
            report(&diags, false);
            return fail(format!(
                "the suggested limits made {} an invalid policy, so it was left unchanged (a bug; please report it)",
                args.policy.display()
            ));
        }
    };
    // A file in fmt's layout stays in it.
    if crate::fmt::format(policy) == old {
        new = crate::fmt::format(&parsed);
    }
    let original = match rewrite::read(&args.policy) {
        Ok(o) => o,
        Err(d) => {
            report(&[*d], false);
            return EXIT_ERROR;
        }
    };
    if new != old {
        if let Err(e) = rewrite::write_atomic(&args.policy, &original.bytes_for(&new)) {
            return fail(format!("cannot write {}: {e}", args.policy.display()));
        }
    }
    eprint!("{table}");
    eprintln!(
        "{}",
        render::written(&args.policy.display().to_string(), &plan)
    );
    let _ = io::Write::flush(&mut io::stderr());
    EXIT_OK
}
