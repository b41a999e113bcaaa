//! Lint latency: the shipped recommended policy against the built-in Leapfrog catalogue,
//! a generated policy of 1,000 tools against a generated 1,000-tool catalogue, and 20,000
//! tools whose limits conflict on one counter name (every other one), linted and fixed —
//! the shape that used to be quadratic. Each iteration runs the whole pipeline the CLI
//! runs: parse, validate, every rule (and for `--fix`, the fix rounds).
//!
//! ```text
//! cargo bench --bench lint
//! ```

use std::sync::LazyLock;

use divan::{black_box, Bencher};
use serde_json::json;

use policylayer::catalog::{Catalog, Category, Risk, Server, Signal, Source, Tool};
use policylayer::policy::Policy;
use policylayer::source::SourceFile;

const RECOMMENDED: &str = include_str!("../policies/leapfrog.recommended.json");

const TOOLS: usize = 1000;

/// 1,000 tools of every category, each with a URL, a batch array and a number argument.
static BIG_CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let categories = [
        Category::Read,
        Category::Write,
        Category::Execute,
        Category::Financial,
    ];
    let tools = (0..TOOLS)
        .map(|i| Tool {
            name: format!("tool_{i:04}"),
            category: categories[i % categories.len()],
            risk: if i % 4 == 0 { Risk::Low } else { Risk::Medium },
            source: Source::Curated,
            summary: format!("generated tool {i}"),
            signals: vec![Signal::UrlInput("url".into()), Signal::Batch("items".into())],
            input_schema: json!({
                "type": "object",
                "properties": {
                    "url": { "type": "string" },
                    "count": { "type": "integer" },
                    "items": { "type": "array", "items": { "type": "object", "properties": { "id": { "type": "string" } } } }
                },
                "additionalProperties": false
            }),
            note: None,
        })
        .collect();
    let server = Server {
        name: "generated".into(),
        version: "1".into(),
    };
    Catalog::new(server, tools).unwrap_or_else(|e| panic!("{e:?}"))
});

/// A policy listing all 1,000 tools with a host constraint, a deny_if and limits.
static BIG_POLICY: LazyLock<String> = LazyLock::new(|| {
    let tools: serde_json::Map<String, serde_json::Value> = (0..TOOLS)
        .map(|i| {
            (
                format!("tool_{i:04}"),
                json!({
                    "require": [ { "path": "args.url", "op": "host_in", "value": ["example.com", "*.example.com"] } ],
                    "deny_if": [ { "path": "args.count", "op": "gt", "value": 100 } ],
                    "limits": [ { "counter": format!("items_{i}"), "window": "minute", "max": 300, "increment_from": "args.items" } ]
                }),
            )
        })
        .collect();
    let policy = json!({
        "version": "1",
        "default": "deny",
        "all_tools": { "limits": [ { "counter": "all", "window": "minute", "max": 1000 } ] },
        "tools": tools,
    });
    serde_json::to_string_pretty(&policy).unwrap_or_default()
});

fn lint(text: &str, catalog: &Catalog) -> usize {
    match Policy::parse(SourceFile::new("policy.json", text)) {
        Ok(policy) => policylayer::lint::check(&policy, catalog).len(),
        Err(errors) => panic!("generated policy invalid: {errors:?}"),
    }
}

#[divan::bench]
fn recommended_policy(bencher: Bencher) {
    bencher.bench(|| lint(black_box(RECOMMENDED), Catalog::leapfrog()));
}

#[divan::bench]
fn thousand_tool_policy(bencher: Bencher) {
    let (text, catalog) = (&*BIG_POLICY, &*BIG_CATALOG);
    bencher.bench(|| lint(black_box(text), catalog));
}

/// 20,000 tools, half limited per minute and half per hour on one counter name.
static CONFLICTING: LazyLock<String> = LazyLock::new(|| {
    let tools: serde_json::Map<String, serde_json::Value> = (0..20_000)
        .map(|i| {
            let window = if i % 2 == 0 { "minute" } else { "hour" };
            (
                format!("tool_{i}"),
                json!({"limits": [{"counter": "shared", "window": window, "max": 10}]}),
            )
        })
        .collect();
    serde_json::to_string_pretty(&json!({"version": "1", "default": "deny", "tools": tools}))
        .expect("json")
});

#[divan::bench(sample_count = 10)]
fn twenty_thousand_tools_lint(bencher: Bencher) {
    let settings = policylayer::lint::config::Settings::default();
    bencher.bench(|| {
        let policy = Policy::parse(SourceFile::new("p.json", black_box(CONFLICTING.as_str())))
            .expect("valid");
        policylayer::lint::run(&policy, Catalog::leapfrog(), &settings)
            .diagnostics
            .len()
    });
}

#[divan::bench(sample_count = 10)]
fn twenty_thousand_tools_fix(bencher: Bencher) {
    let settings = policylayer::lint::config::Settings::default();
    bencher.bench(|| {
        let policy = Policy::parse(SourceFile::new("p.json", black_box(CONFLICTING.as_str())))
            .expect("valid");
        let lint =
            |p: &Policy| policylayer::lint::run(p, Catalog::leapfrog(), &settings).diagnostics;
        policylayer::lint::fix::fix(policy, true, lint)
            .map(|d| d.applied)
            .ok()
    });
}

fn main() {
    divan::main();
}
