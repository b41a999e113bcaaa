//! `simulate --report` in a real browser: headless Chromium opens the report from disk,
//! offline, and the DOM it ends with (after any script) has every counter's chart, named as
//! in the policy; a screenshot at 1280 px wide is decoded and must not be blank.
//!
//! Ignored by default (it needs Chromium): `.ci/run` installs Debian's `chromium` when it is
//! missing and runs `cargo test --test report_browser -- --ignored`. Set
//! `POLICYLAYER_CHROMIUM` to use another binary. The screenshot stays in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Chromium to drive: `POLICYLAYER_CHROMIUM`, else the first on `PATH`.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("POLICYLAYER_CHROMIUM") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "no Chromium found: install it (`apt-get install -y chromium`) or set POLICYLAYER_CHROMIUM"
    );
}

/// What a Chromium run printed.
struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium with `args` on the page, stopping it after two minutes. Its
/// output goes to files (a pipe nobody reads would stall it).
fn headless(dir: &Path, args: &[&str], page: &Path) -> Ran {
    let (out, err) = (dir.join("chromium.out"), dir.join("chromium.err"));
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--disable-extensions",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Ran {
        ok: status.success(),
        stdout: read(&out),
        stderr: read(&err),
    }
}

/// The counter names the policy declares, read from the policy itself.
fn counter_names(policy: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let mut add = |limits: &Value| {
        for l in limits.as_array().into_iter().flatten() {
            if let Some(n) = l["counter"].as_str() {
                if !names.iter().any(|m| m == n) {
                    names.push(n.to_string());
                }
            }
        }
    };
    add(&policy["all_tools"]["limits"]);
    for tool in policy["tools"]
        .as_object()
        .into_iter()
        .flat_map(|t| t.values())
    {
        add(&tool["limits"]);
    }
    names
}

#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs this"]
fn the_report_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = root().join("policies/leapfrog.recommended.json");
    let trace = root().join("policies/examples/leapfrog.trace.jsonl");
    let report = dir.path().join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_policylayer"))
        .arg("simulate")
        .arg(&trace)
        .arg("--policy")
        .arg(&policy)
        .arg("--report")
        .arg(&report)
        .stdout(Stdio::null())
        .status()
        .expect("run policylayer");
    assert_eq!(status.code(), Some(0));

    let dom = headless(dir.path(), &["--dump-dom"], &report);
    assert!(dom.ok, "{}", dom.stderr);
    let dom = dom.stdout;
    assert!(
        dom.contains("<h1>"),
        "no page in the DOM: {}",
        &dom[..dom.len().min(500)]
    );

    let policy: Value =
        serde_json::from_str(&std::fs::read_to_string(&policy).expect("read policy"))
            .expect("policy JSON");
    let names = counter_names(&policy);
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        let open = format!("data-counter=\"{name}\"");
        let at = dom
            .find(&open)
            .unwrap_or_else(|| panic!("no chart for counter {name} in the DOM"));
        let figure = &dom[at..at + dom[at..].find("</figure>").expect("figure end")];
        assert!(
            figure.contains(&format!("<code>{name}</code>")),
            "{name}: no title"
        );
        assert!(figure.contains("<svg"), "{name}: no chart");
        assert!(
            figure.contains("<path class=\"level\""),
            "{name}: no level line"
        );
        assert!(figure.contains("<desc"), "{name}: no text alternative");
    }
    assert!(dom.contains("id=\"denials-chart\""));

    let shot = dir.path().join("report.png");
    let out = headless(
        dir.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
        &report,
    );
    assert!(out.ok, "{}", out.stderr);
    let file = std::fs::File::open(&shot).expect("the screenshot");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!((info.width, info.height), (1280, 2000));
    let channels = info.color_type.samples();
    assert!(channels >= 3 && info.bit_depth == png::BitDepth::Eight);
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| &p[..3])
        .collect();
    let first = pixels[0];
    let other = pixels.iter().filter(|p| **p != first).count();
    assert!(
        other > pixels.len() / 200,
        "the screenshot is blank: {other} pixels differ"
    );
    // The counters' own lines are drawn in #0072B2: some pixels must be that blue.
    let blue = pixels
        .iter()
        .filter(|p| p[0] < 40 && (90..=140).contains(&p[1]) && (150..=205).contains(&p[2]))
        .count();
    assert!(
        blue > 50,
        "no chart line in the screenshot ({blue} blue pixels)"
    );
}
