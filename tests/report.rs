//! `simulate --report FILE` end to end: the page's data section for a small trace (a
//! snapshot), the page beside every `--format`, a chart per counter with its text
//! alternative, nothing fetched, the size bound on a large and hostile input, and the
//! errors (an unwritable path, a malformed trace) that leave no file behind.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const POLICY: &str = r#"{
  "version": "1",
  "default": "deny",
  "hide": ["session_destroy"],
  "all_tools": {
    "limits": [ { "counter": "all_calls", "window": "minute", "max": 6, "scope": "global" } ]
  },
  "tools": {
    "snapshot": {},
    "navigate": {
      "require": [ { "path": "args.url", "op": "host_in", "value": ["example.com"] } ],
      "limits": [ { "counter": "nav", "window": "minute", "max": 2 } ]
    },
    "execute": { "action": "approve" }
  }
}
"#;

const TRACE: &str = concat!(
    r#"{"ts":"2026-11-24T10:00:00Z","grant":"ci","tool":"navigate","args":{"url":"https://example.com/"}}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:01Z","grant":"ci","tool":"navigate","args":{"url":"https://example.com/a"}}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:02Z","grant":"ci","tool":"navigate","args":{"url":"https://example.com/b"},"expect":"allow"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:03Z","grant":"dev","tool":"navigate","args":{"url":"https://example.com/"}}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:04Z","grant":"dev","tool":"navigate","args":{"url":"https://evil.test/"}}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:05Z","grant":"dev","tool":"execute"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:06Z","grant":"dev","tool":"session_destroy"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:07Z","grant":"dev","tool":"snapshot"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:08Z","grant":"ops","tool":"snapshot"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:00:09Z","grant":"ops","tool":"snapshot","expect":"deny"}"#,
    "\n",
    r#"{"ts":"2026-11-24T10:01:30Z","grant":"ops","tool":"snapshot"}"#,
    "\n",
);

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_policylayer"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A folder with `policy.json` and `trace.jsonl`, where commands run.
fn case(policy: &str, trace: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("policy.json"), policy).expect("write policy");
    std::fs::write(dir.path().join("trace.jsonl"), trace).expect("write trace");
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = bin().current_dir(dir).args(args).output().expect("run");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The page's JSON data section.
fn data(page: &str) -> Value {
    let open = r#"<script type="application/json" id="report-data">"#;
    let start = page.find(open).expect("a data section") + open.len();
    let end = start + page[start..].find("</script>").expect("its end");
    serde_json::from_str(&page[start..end]).expect("the data section is JSON")
}

#[test]
fn data_section_of_a_small_trace() {
    let dir = case(POLICY, TRACE);
    let r = run(
        dir.path(),
        &["simulate", "trace.jsonl", "--report", "report.html"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let page = std::fs::read_to_string(dir.path().join("report.html")).expect("the report");
    insta::assert_json_snapshot!(data(&page));
}

/// The report comes beside the chosen format, which is byte for byte what it is without it.
#[test]
fn the_report_goes_with_every_format() {
    let dir = case(POLICY, TRACE);
    for format in ["human", "json", "jsonl"] {
        let alone = run(dir.path(), &["simulate", "trace.jsonl", "--format", format]);
        let with = run(
            dir.path(),
            &[
                "simulate",
                "trace.jsonl",
                "--format",
                format,
                "--report",
                "r.html",
            ],
        );
        assert_eq!((alone.code, with.code), (1, 1), "{format}");
        assert_eq!(alone.stdout, with.stdout, "{format}");
        assert_eq!(alone.stderr, with.stderr, "{format}");
        let page = std::fs::read_to_string(dir.path().join("r.html")).expect("the report");
        assert_eq!(data(&page)["summary"]["calls"], 11);
        std::fs::remove_file(dir.path().join("r.html")).expect("remove");
    }
}

/// Every counter has its chart, titled and described; the page fetches nothing.
#[test]
fn every_counter_has_a_described_chart_and_nothing_is_fetched() {
    let dir = case(POLICY, TRACE);
    run(
        dir.path(),
        &["simulate", "trace.jsonl", "--report", "r.html"],
    );
    let page = std::fs::read_to_string(dir.path().join("r.html")).expect("the report");
    let d = data(&page);
    let counters = d["counters"].as_array().expect("counters");
    assert_eq!(counters.len(), 2);
    for (i, c) in counters.iter().enumerate() {
        let name = c["name"].as_str().expect("a name");
        let open =
            format!(r#"<figure class="chart counter" id="counter-{i}" data-counter="{name}">"#);
        let at = page
            .find(&open)
            .unwrap_or_else(|| panic!("no chart for {name}"));
        let figure = &page[at..at + page[at..].find("</figure>").expect("figure end")];
        assert!(figure.contains(&format!(
            r#"aria-labelledby="counter-{i}-title counter-{i}-desc""#
        )));
        assert!(figure.contains(&format!("<title id=\"counter-{i}-title\">Counter {name}")));
        assert!(figure.contains(&format!("<desc id=\"counter-{i}-desc\">")));
        assert!(figure.contains("class=\"max\""), "{name}: no max line");
        assert!(
            figure.contains("<path class=\"level\""),
            "{name}: no level line"
        );
    }
    // `nav` (max 2) was exceeded by ci's third call: marked, and first at line 3.
    let nav = &counters[1];
    assert_eq!(
        (nav["name"].as_str(), nav["exceeded"].as_u64()),
        (Some("nav"), Some(1))
    );
    assert_eq!(nav["first_exceeded"]["line"], 3);
    assert!(page.contains("<g class=\"exceeded\">"));
    assert!(page.contains("id=\"denials-chart\""));
    // Self-contained: no script or style or image is fetched, no link leaves the page.
    for fetch in ["<link", " src=", "@import", "url(", "href=\"http"] {
        assert!(!page.contains(fetch), "the page fetches with {fetch}");
    }
    let external = page.matches("http://").count() + page.matches("https://").count();
    let svg_namespaces = page.matches("http://www.w3.org/2000/svg").count();
    assert_eq!(external, svg_namespaces, "only SVG namespaces are URLs");
}

#[test]
fn an_unwritable_report_is_an_error_before_anything_runs() {
    let dir = case(POLICY, TRACE);
    let missing = dir.path().join("no/such/folder/r.html");
    let missing = missing.to_str().expect("utf-8 path");
    let r = run(
        dir.path(),
        &["simulate", "trace.jsonl", "--report", missing],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: cannot write report "),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.is_empty(),
        "the trace was not simulated: {}",
        r.stdout
    );
    assert!(!Path::new(missing).exists());
    // A folder is not a report.
    std::fs::create_dir(dir.path().join("out")).expect("mkdir");
    let r = run(dir.path(), &["simulate", "trace.jsonl", "--report", "out"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("it is a folder"), "{}", r.stderr);
    let r = run(dir.path(), &["simulate", "trace.jsonl", "--report", "-"]);
    assert_eq!(r.code, 2);
    // A huge path is clipped in the message.
    let long = format!("{}/r.html", "d".repeat(5000));
    let r = run(dir.path(), &["simulate", "trace.jsonl", "--report", &long]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.len() < 500, "{} bytes", r.stderr.len());
    // Nothing was left in the folder: no report, no temporary file.
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["out", "policy.json", "trace.jsonl"]);
}

/// A malformed line stops the run (exit 2): no report is written, and an earlier one stays.
#[test]
fn a_malformed_trace_leaves_the_previous_report() {
    let dir = case(POLICY, &format!("{TRACE}{{not json\n"));
    std::fs::write(dir.path().join("r.html"), "earlier").expect("write");
    let r = run(
        dir.path(),
        &["simulate", "trace.jsonl", "--report", "r.html"],
    );
    assert_eq!(r.code, 2);
    let kept = std::fs::read_to_string(dir.path().join("r.html")).expect("read");
    assert_eq!(kept, "earlier");
    // With --keep-going the run ends, and the report counts the malformed line.
    let r = run(
        dir.path(),
        &[
            "simulate",
            "trace.jsonl",
            "--keep-going",
            "--report",
            "r.html",
        ],
    );
    assert_eq!(r.code, 2);
    let page = std::fs::read_to_string(dir.path().join("r.html")).expect("read");
    assert_eq!(data(&page)["summary"]["malformed"], 1);
}

/// Sixty counters with long names, three hundred grants with long names, two thousand
/// tools, a month of calls: the page stays under 3 MB, at most 48 counters are drawn, no
/// series has more than 2,048 points, and every name is clipped.
#[test]
fn the_page_stays_small_on_a_large_hostile_input() {
    let long = "n".repeat(400);
    let mut tools = Vec::new();
    for i in 0..60 {
        tools.push(format!(
            r#""t{i}": {{ "limits": [ {{ "counter": "{long}{i}", "window": 60, "max": 3 }} ] }}"#
        ));
    }
    let policy = format!(
        r#"{{"version":"1","default":"allow","tools":{{ {} }}}}"#,
        tools.join(",")
    );
    let mut trace = String::new();
    for i in 0..30_000u64 {
        let tool = if i % 3 == 0 {
            format!("other{}{long}", i % 2000)
        } else {
            format!("t{}", i % 60)
        };
        trace.push_str(&format!(
            "{{\"ts\":{},\"grant\":\"g{}{long}\",\"tool\":\"{tool}\"}}\n",
            1_800_000_000 + i * 90,
            i % 300
        ));
    }
    let dir = case(&policy, &trace);
    let r = run(
        dir.path(),
        &["simulate", "trace.jsonl", "--report", "r.html"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(dir.path().join("r.html")).expect("read");
    assert!(page.len() < 3_000_000, "{} bytes", page.len());
    let d = data(&page);
    let counters = d["counters"].as_array().expect("counters");
    assert_eq!(counters.len(), 60);
    let drawn = counters.iter().filter(|c| c["charted"] == true).count();
    assert_eq!(drawn, 48);
    assert_eq!(page.matches("<figure class=\"chart counter\"").count(), 48);
    assert!(d["axis"]["buckets"].as_u64().is_some_and(|b| b <= 2048));
    for c in counters {
        assert!(
            c["name"].as_str().is_some_and(|n| n.len() < 100),
            "{}",
            c["name"]
        );
        for s in c["series"].as_array().expect("series") {
            assert!(s["steps"].as_array().is_some_and(|p| p.len() <= 2 * 2048));
            assert!(s["label"].as_str().is_some_and(|n| n.len() < 120));
        }
    }
    assert_eq!(d["tools"].as_array().map(Vec::len), Some(200));
    assert!(d["other_tools"]["tool"]
        .as_str()
        .is_some_and(|t| t.starts_with("(1,860 more tools)") || t.contains("more tools")));
}

/// No calls, no limits, several traces: the page is still whole and says so.
#[test]
fn an_empty_run_and_a_policy_without_limits() {
    let dir = case(r#"{"version":"1","default":"allow"}"#, "");
    std::fs::write(dir.path().join("b.jsonl"), "{\"tool\":\"a\"}\n").expect("write");
    let r = run(
        dir.path(),
        &["simulate", "trace.jsonl", "b.jsonl", "--report", "r.html"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(dir.path().join("r.html")).expect("read");
    assert!(page.contains("The policy has no limits."));
    assert!(page.contains("No call was denied."));
    assert!(page.contains("<code>trace.jsonl</code>, <code>b.jsonl</code>"));
    let d = data(&page);
    assert_eq!(d["counters"], Value::Array(Vec::new()));
    assert_eq!(d["summary"]["calls"], 1);

    let dir = case(POLICY, "");
    let r = run(
        dir.path(),
        &["simulate", "trace.jsonl", "--report", "r.html"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(dir.path().join("r.html")).expect("read");
    let d = data(&page);
    assert_eq!(
        (
            d["summary"]["calls"].as_u64(),
            d["axis"]["buckets"].as_u64()
        ),
        (Some(0), Some(0))
    );
    // Every counter is still drawn, flat, with its max.
    assert_eq!(page.matches("<figure class=\"chart counter\"").count(), 2);
    assert!(page.contains("Never charged."));
}
