//! `simulate` throughput on a generated Leapfrog trace against the recommended policy,
//! beside the floor the issue judges it by: serde_json parsing the same lines into
//! `serde_json::Value` and doing nothing else (target: within 1.5× of it, and at least a
//! million calls a second on one core). `simulate_report` is `simulate_jsonl` with the
//! HTML report gathered and drawn too (target: within 1.3× of `simulate_jsonl`).
//!
//! ```text
//! cargo bench --bench simulate
//! ```

use std::io;
use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};

use policylayer::engine::Engine;
use policylayer::json::tape::Tape;
use policylayer::policy::Policy;
use policylayer::render::simulate::{Format, Reporter};
use policylayer::sim::report::Recorder;
use policylayer::sim::{Options, Simulator, Tee};
use policylayer::source::SourceFile;

#[path = "../examples/gen_trace.rs"]
#[allow(dead_code)] // the bench drives the generator directly; its command line goes unused
mod gen_trace;

/// Lines per iteration: enough for every counter window to roll over many times.
const LINES: u64 = 200_000;

static TRACE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut out = Vec::new();
    let opts = gen_trace::Options {
        calls: LINES,
        ..gen_trace::Options::default()
    };
    gen_trace::generate(&opts, &mut out).expect("writing to memory cannot fail");
    out
});

static POLICY: LazyLock<Policy> = LazyLock::new(|| {
    let text = include_str!("../policies/leapfrog.recommended.json");
    Policy::parse(SourceFile::new("leapfrog.recommended.json", text))
        .expect("the shipped policy is valid")
});

fn main() {
    divan::main();
}

/// The whole run as `simulate --format FORMAT --threads THREADS` does it, output written
/// to a sink.
fn simulate(bencher: Bencher, format: Format, threads: usize) {
    let trace: &[u8] = &TRACE;
    bencher
        .counter(ItemsCount::new(LINES))
        .counter(BytesCount::new(trace.len()))
        .bench(|| {
            let mut sim = Simulator::new(Engine::new(&POLICY));
            let mut out = Reporter::new(format, Box::new(io::sink()), Box::new(io::sink()));
            let run = sim.run_threaded("big.jsonl", trace, &Options::default(), &mut out, threads);
            assert!(run.is_ok(), "the generated trace is well formed");
            let finished = out.finish(sim.engine(), &sim.tally);
            assert!(finished.is_ok());
            black_box(sim.tally.calls)
        });
}

/// One decision line per call (`--format jsonl`).
#[divan::bench(sample_count = 20)]
fn simulate_jsonl(bencher: Bencher) {
    simulate(bencher, Format::Jsonl, 1);
}

/// The same on two threads: lines parsed on one while calls are decided on the other.
#[divan::bench(sample_count = 20)]
fn simulate_jsonl_2_threads(bencher: Bencher) {
    simulate(bencher, Format::Jsonl, 2);
}

/// Tables at the end only (`--format human`, the default).
#[divan::bench(sample_count = 20)]
fn simulate_human(bencher: Bencher) {
    simulate(bencher, Format::Human, 1);
}

/// The same on two threads.
#[divan::bench(sample_count = 20)]
fn simulate_human_2_threads(bencher: Bencher) {
    simulate(bencher, Format::Human, 2);
}

/// `--format jsonl --report FILE`: the decision lines and the HTML report from one read
/// (the page is drawn, not written).
#[divan::bench(sample_count = 20)]
fn simulate_report(bencher: Bencher) {
    let trace: &[u8] = &TRACE;
    bencher
        .counter(ItemsCount::new(LINES))
        .counter(BytesCount::new(trace.len()))
        .bench(|| {
            let mut sim = Simulator::new(Engine::new(&POLICY));
            let mut out = Reporter::new(Format::Jsonl, Box::new(io::sink()), Box::new(io::sink()));
            let mut recorder = Recorder::new(sim.engine());
            let mut both = Tee(&mut out, &mut recorder);
            let run = sim.run("big.jsonl", trace, &Options::default(), &mut both);
            assert!(run.is_ok(), "the generated trace is well formed");
            let finished = out.finish(sim.engine(), &sim.tally);
            assert!(finished.is_ok());
            let traces = ["big.jsonl".to_string()];
            let page =
                policylayer::render::report::page(&recorder, sim.engine(), &sim.tally, &traces);
            black_box(page.len())
        });
}

/// The parsing share of `simulate`: every line into the reusable tape, nothing else.
#[divan::bench(sample_count = 20)]
fn tape_parse(bencher: Bencher) {
    let trace: &[u8] = &TRACE;
    let mut tape = Tape::default();
    bencher
        .counter(ItemsCount::new(LINES))
        .counter(BytesCount::new(trace.len()))
        .bench_local(|| {
            for line in trace.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let text = std::str::from_utf8(line);
                assert!(text.is_ok_and(|t| tape.parse(t).is_ok()));
            }
        });
}

/// The floor: serde_json parsing every line into a `Value`, nothing else.
#[divan::bench(sample_count = 20)]
fn serde_json_parse(bencher: Bencher) {
    let trace: &[u8] = &TRACE;
    bencher
        .counter(ItemsCount::new(LINES))
        .counter(BytesCount::new(trace.len()))
        .bench(|| {
            for line in trace.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let value: Result<serde_json::Value, _> = serde_json::from_slice(line);
                assert!(value.is_ok());
                black_box(value.ok());
            }
        });
}

/// `suggest-limits` on the same trace: the measuring engine (the recommended policy's
/// windows, fixed and sliding, per grant and global, for every tool) with the real policy
/// as its shadow (target: within 2× of `simulate_human`, its default format).
#[divan::bench(sample_count = 10)]
fn suggest_limits(bencher: Bencher) {
    suggest_limits_on(bencher, 1);
}

/// The same on two threads (lines parsed on one, calls decided on the other, and the
/// measuring counts kept on a third; target: within 2× of `simulate_human_2_threads`).
#[divan::bench(sample_count = 10)]
fn suggest_limits_2_threads(bencher: Bencher) {
    suggest_limits_on(bencher, 2);
}

fn suggest_limits_on(bencher: Bencher, threads: usize) {
    let trace: &[u8] = &TRACE;
    let catalog = policylayer::catalog::Catalog::leapfrog();
    bencher
        .counter(ItemsCount::new(LINES))
        .counter(BytesCount::new(trace.len()))
        .bench(|| {
            let mut plan = policylayer::suggest::Plan::new(&POLICY, catalog, &[])
                .expect("the recommended policy measures");
            let mut replay = policylayer::suggest::Replay::new(&POLICY, &mut plan, 1 << 24);
            replay.threads = threads;
            assert!(replay.trace("big.jsonl", trace).is_ok());
            replay.finish();
            black_box(policylayer::suggest::suggestions(&plan.tracker, 1.5, &[]).len())
        });
}
