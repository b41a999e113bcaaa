//! `policylayer simulate`: replays traces against a policy, streaming, with the output in
//! the chosen format, and with `--report FILE` an HTML report gathered in the same read.

use std::io::{self, BufReader, IsTerminal};
use std::path::{Path, PathBuf};

use crate::engine::Engine;
use crate::render::simulate::{Format, Reporter};
use crate::sim::report::Recorder;
use crate::sim::validate::ArgsValidator;
use crate::sim::{self, Output, Simulator, Tee};

use super::{fail, CatalogArg, ColorArg, Globals, EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// JSONL traces (`-` reads standard input).
    #[arg(value_name = "TRACE", required = true)]
    pub traces: Vec<PathBuf>,
    /// Policy to evaluate against.
    #[arg(long, value_name = "FILE", default_value = "policy.json")]
    pub policy: PathBuf,
    #[arg(long, value_enum, default_value_t = SimFormat::Human)]
    pub format: SimFormat,
    /// Also write an HTML report (summary, counters against their max over time, denials
    /// over time, tools, first denials, expectation failures): one self-contained file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Report malformed lines and go on (the exit code is still 2).
    #[arg(long)]
    pub keep_going: bool,
    /// A longer trace line is malformed (it is not held in memory).
    #[arg(long, value_name = "BYTES", default_value_t = sim::MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
    /// Exit 1 when any call was denied.
    #[arg(long)]
    pub fail_on_deny: bool,
    /// Warn where a call's arguments do not match the tool's input schema (also in the
    /// jsonl/json records as `invalid_args`).
    #[arg(long)]
    pub validate_args: bool,
    /// Threads to use (default: the available cores, at most 4): lines are parsed on the
    /// others while calls are decided in order on one. The output is the same for any number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// With --validate-args: exit 1 when any call's arguments do not match.
    #[arg(long, requires = "validate_args")]
    pub fail_on_invalid_args: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimFormat {
    Human,
    Json,
    Jsonl,
}

impl From<SimFormat> for Format {
    fn from(f: SimFormat) -> Format {
        match f {
            SimFormat::Human => Format::Human,
            SimFormat::Json => Format::Json,
            SimFormat::Jsonl => Format::Jsonl,
        }
    }
}

pub fn run(args: SimulateArgs, g: &Globals) -> u8 {
    let color = g.color(&args.color);
    let catalog = if args.validate_args {
        match super::load_catalog(g, &args.catalog, Some(&args.policy), color) {
            Some(c) => Some(c),
            None => return EXIT_ERROR,
        }
    } else {
        None
    };
    let Some(policy) = super::load_policy(&args.policy, color) else {
        return EXIT_ERROR;
    };
    if let Some(path) = &args.report {
        if let Err(cause) = check_writable(path) {
            return fail(report_error(path, &cause));
        }
    }
    let stdout = io::stdout();
    let mut reporter = Reporter::new(
        args.format.into(),
        Box::new(io::BufWriter::with_capacity(1 << 16, stdout.lock())),
        Box::new(io::stderr()),
    );
    reporter.multi_file = args.traces.len() > 1;
    reporter.color = color;
    reporter.validator = catalog.as_deref().map(ArgsValidator::new);
    let mut simulator = Simulator::new(Engine::new(&policy));
    let mut recorder = args
        .report
        .as_ref()
        .map(|_| Recorder::new(simulator.engine()));
    let options = sim::Options {
        keep_going: args.keep_going,
        max_line_bytes: args.max_line_bytes,
    };
    let threads = super::threads(args.threads);
    for path in &args.traces {
        let name = path.display().to_string();
        let (reader, len) = match super::open_trace(path) {
            Ok(r) => r,
            Err(e) => return fail(format!("cannot read trace {name}: {e}")),
        };
        if let (Some(len), true) = (len, io::stderr().is_terminal()) {
            reporter.progress = Some(progress_bar(len));
        }
        let reader = BufReader::with_capacity(1 << 16, reader);
        let run = match &mut recorder {
            Some(recorder) => {
                let mut both = Tee(&mut reporter, recorder as &mut dyn Output);
                simulator.run_threaded(&name, reader, &options, &mut both, threads)
            }
            None => simulator.run_threaded(&name, reader, &options, &mut reporter, threads),
        };
        match run {
            Ok(()) => {}
            Err(sim::Stop::Malformed) => return EXIT_ERROR,
            Err(sim::Stop::Io(e)) => return fail(format!("reading {name}: {e}")),
            Err(sim::Stop::Output(e)) => return fail(format!("cannot write output: {e}")),
        }
        if let Some(p) = reporter.progress.take() {
            p.finish_and_clear();
        }
    }
    let tally = &simulator.tally;
    if let Err(e) = reporter.finish(simulator.engine(), tally) {
        return fail(format!("cannot write output: {e}"));
    }
    if let (Some(path), Some(recorder)) = (&args.report, &recorder) {
        let traces: Vec<String> = args
            .traces
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let page = crate::render::report::page(recorder, simulator.engine(), tally, &traces);
        if let Err(e) = crate::rewrite::write_atomic(path, page.as_bytes()) {
            return fail(report_error(path, &io_cause(&e)));
        }
    }
    if tally.malformed > 0 {
        EXIT_ERROR
    } else if tally.expect_failed > 0
        || (args.fail_on_deny && tally.deny > 0)
        || (args.fail_on_invalid_args && reporter.invalid_args > 0)
    {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

/// Why the report cannot be written, with the path clipped. An error the temporary file
/// of the write wraps with its own name is told by its kind: that name means nothing here.
fn report_error(path: &Path, cause: &str) -> String {
    crate::diagnostic::clip_quoted(format!("cannot write report `{}`: {cause}", path.display()))
}

fn io_cause(e: &io::Error) -> String {
    match (e.raw_os_error(), e.get_ref()) {
        (Some(code), _) => io::Error::from_raw_os_error(code).to_string(),
        (None, Some(_)) => e.kind().to_string(),
        (None, None) => e.to_string(),
    }
}

/// Whether a report can be written at `path`, asked before the traces are read: the path
/// is not a folder, and a file can be made in its folder.
fn check_writable(path: &Path) -> Result<(), String> {
    if path.as_os_str() == "-" {
        return Err("the report is a file (standard output carries --format's output)".into());
    }
    if path.is_dir() {
        return Err("it is a folder".into());
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(format!("`{}` is not a folder", dir.display())),
        Err(e) => return Err(format!("folder `{}`: {}", dir.display(), io_cause(&e))),
    }
    tempfile::NamedTempFile::new_in(dir)
        .map(drop)
        .map_err(|e| io_cause(&e))
}

fn progress_bar(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}
