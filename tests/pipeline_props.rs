//! `simulate --threads N` writes byte for byte what one thread writes: random traces of
//! call records, JSON-RPC calls, failures and responses (rollback), blank, CRLF, malformed
//! and over-long lines, cut into many small chunks, with and without `--keep-going`, in
//! every output format.

use std::io::Cursor;

use proptest::prelude::*;
use serde_json::json;

use policylayer::engine::Engine;
use policylayer::policy::Policy;
use policylayer::render::simulate::{Format, Reporter};
use policylayer::sim::{Options, Simulator};
use policylayer::source::SourceFile;

const POLICY: &str = r#"{
  "version": "1",
  "default": "deny",
  "tools": {
    "navigate": {
      "deny_if": [{ "path": "args.url", "op": "contains", "value": "evil" }],
      "limits": [{ "counter": "nav", "window": 10, "max": 3, "algorithm": "sliding" }]
    },
    "snapshot": { "limits": [{ "counter": "snap", "window": 5, "max": 2, "scope": "global" }] }
  },
  "all_tools": { "limits": [{ "counter": "all", "window": 60, "max": 12 }] }
}"#;

/// One line of a trace, chosen by `kind`, with `n` as its variable part.
fn line(kind: u8, n: u32) -> Vec<u8> {
    let n = n % 1000;
    let tool = ["navigate", "snapshot", "act"][n as usize % 3];
    let url = if n % 5 == 0 {
        "https://evil.test/"
    } else {
        "https://a.example/"
    };
    let grant = ["a", "b"][n as usize % 2];
    let expect = ["allow", "deny", "rate_limited"][n as usize % 3];
    let text = match kind % 12 {
        0..=3 => json!({ "ts": 1_795_478_400 + n / 3, "grant": grant,
                         "tool": tool, "args": { "url": url }, "expect": expect })
        .to_string(),
        4 => json!({ "jsonrpc": "2.0", "id": n % 4, "method": "tools/call",
                     "params": { "name": tool, "arguments": { "url": url } } })
        .to_string(),
        5 => json!({ "jsonrpc": "2.0", "id": n % 4, "error": { "code": -1, "message": "x" } })
            .to_string(),
        6 => json!({ "jsonrpc": "2.0", "id": n % 4, "result": { "isError": n % 2 == 0 } })
            .to_string(),
        7 => String::new(),
        8 => format!("{{\"tool\": \"{tool}\", \"args\": [1,}}"),
        9 => format!(
            "{{\"tool\":\"{tool}\",\"outcome\":\"error\",\"ts\":{}}}\r",
            1_795_478_400 + n
        ),
        10 => format!("{{\"tool\":\"{}\"}}", "x".repeat(n as usize % 300)),
        _ => return vec![b'{', 0xff, b'}'],
    };
    text.into_bytes()
}

fn run(
    trace: &[u8],
    threads: usize,
    chunk: usize,
    format: Format,
    keep_going: bool,
) -> (Vec<u8>, Vec<u8>, String) {
    let policy = Policy::parse(SourceFile::new("p.json", POLICY)).expect("policy");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let result = {
        let mut reporter = Reporter::new(format, Box::new(&mut out), Box::new(&mut err));
        let mut sim = Simulator::new(Engine::new(&policy));
        let options = Options {
            keep_going,
            max_line_bytes: 200,
        };
        let r = sim.run_chunked(
            "t.jsonl",
            Cursor::new(trace),
            &options,
            &mut reporter,
            threads,
            chunk,
        );
        let finished = reporter.finish(sim.engine(), &sim.tally);
        format!(
            "{:?} {:?} {}",
            r.map_err(|e| format!("{e:?}")),
            finished.is_ok(),
            sim.tally.calls
        )
    };
    (out, err, result)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn threads_write_what_one_thread_writes(
        lines in prop::collection::vec((any::<u8>(), any::<u32>()), 0..120),
        bom in any::<bool>(),
        last_newline in any::<bool>(),
        chunk in 1usize..400,
        threads in 2usize..5,
        keep_going in any::<bool>(),
        format in prop::sample::select(vec![Format::Jsonl, Format::Json, Format::Human]),
    ) {
        let mut trace = Vec::new();
        if bom {
            trace.extend_from_slice("\u{feff}".as_bytes());
        }
        for (i, (kind, n)) in lines.iter().enumerate() {
            trace.extend(line(*kind, *n));
            if i + 1 < lines.len() || last_newline {
                trace.push(b'\n');
            }
        }
        let one = run(&trace, 1, chunk, format, keep_going);
        let many = run(&trace, threads, chunk, format, keep_going);
        prop_assert_eq!(&one.2, &many.2);
        prop_assert_eq!(String::from_utf8_lossy(&one.0), String::from_utf8_lossy(&many.0));
        prop_assert_eq!(String::from_utf8_lossy(&one.1), String::from_utf8_lossy(&many.1));
    }
}
