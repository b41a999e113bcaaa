//! Writes a large, realistic Leapfrog call trace for benchmarks and memory measurements:
//!
//! ```text
//! cargo run --release --example gen_trace -- --calls 10000000 --grants 50 > big.jsonl
//! ```
//!
//! Each grant is an agent that works in sessions (about ten minutes at its own pace of 0.5
//! to 5 calls a second, exponential gaps, so bursts trip the per-minute limits now and then)
//! separated by idle spells (about two hours, which keeps a grant near the recommended
//! policy's daily quota), through a tool mix weighted like a browsing agent's: mostly
//! snapshots, UI actions and navigation, some batches, scripts and hidden or unknown tools.
//! Timestamps are RFC 3339 with milliseconds and never decrease; about 2% of calls fail
//! upstream. The same seed gives the same bytes: the generator is a xorshift, so no crate is
//! needed.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};
use std::process::ExitCode;

/// What to generate.
pub struct Options {
    pub calls: u64,
    pub grants: u32,
    pub seed: u64,
    /// UNIX seconds of the first call.
    pub start: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            calls: 1_000_000,
            grants: 50,
            seed: 1,
            // 2026-11-24T00:00:00Z
            start: 1_795_478_400,
        }
    }
}

/// xorshift64*: small, fast and good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // Zero is xorshift's fixed point; mix the seed so nearby seeds diverge at once.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Exponentially distributed with the given mean.
    pub fn exponential(&mut self, mean: f64) -> u64 {
        (-(1.0 - self.unit()).ln() * mean) as u64
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Per-grant state that makes arguments look like one agent's session.
struct Agent {
    name: String,
    /// Mean gap between calls in milliseconds, while working.
    mean_gap_ms: f64,
    /// When the current working session ends (ms since the start).
    busy_until: u64,
    session: u32,
}

/// Mean length of a working session and of the idle spell after it, in milliseconds.
const MEAN_SESSION_MS: f64 = 10.0 * 60_000.0;
const MEAN_IDLE_MS: f64 = 120.0 * 60_000.0;

/// How a tool's arguments are written: `(rng, session id, out)`.
type ArgsFn = fn(&mut Rng, &str, &mut String);

/// Tools with weights (per mille) and argument writers.
const TOOLS: &[(&str, u32, ArgsFn)] = &[
    ("snapshot", 190, args_snapshot),
    ("act", 170, args_act),
    ("navigate", 120, args_navigate),
    ("extract", 80, args_extract),
    ("wait_for", 60, args_wait_for),
    ("screenshot", 45, args_screenshot),
    ("batch_actions", 30, args_batch_actions),
    ("tabs_list", 30, args_session),
    ("diff", 25, args_session),
    ("session_health", 20, args_session),
    ("console_log", 20, args_console_log),
    ("network_log", 20, args_network_log),
    ("session_list", 20, args_empty),
    ("session_create", 20, args_session_create),
    ("tab_switch", 20, args_tab),
    ("session_create_batch", 12, args_session_create_batch),
    ("tab_close", 10, args_tab),
    ("execute", 10, args_execute),
    ("paginate", 10, args_paginate),
    ("api_discover", 10, args_api_discover),
    ("session_memory", 10, args_session_memory),
    ("domain_knowledge", 10, args_domain_knowledge),
    ("pool_status", 8, args_empty),
    ("session_export", 6, args_session_export),
    ("wait_for_human", 4, args_wait_for_human),
    ("session_destroy", 5, args_session),
    ("profile_list", 5, args_empty),
    ("add_init_script", 2, args_add_init_script),
    ("network_intercept", 2, args_network_intercept),
    ("shell_exec", 2, args_shell_exec),
];

const HOSTS: &[&str] = &[
    "https://example.com",
    "https://www.example.com",
    "https://shop.example.com",
    "https://docs.example.com",
    "https://api.example.com",
];
const OFF_POLICY_HOSTS: &[&str] = &[
    "https://evil.test",
    "https://example.com.attacker.net",
    "https://example.com@evil.test",
    "http://169.254.169.254",
];
const PATHS: &[&str] = &[
    "/",
    "/search?q=shoes",
    "/products/12345",
    "/cart",
    "/account/orders?page=2",
    "/blog/2026/11/release-notes",
    "/login",
];
const TARGETS: &[&str] = &[
    "#search",
    "button[type=submit]",
    "a.product-link",
    "#checkout",
    "input[name=email]",
    "//div[@class='result'][3]",
    "text=Next",
];

fn args_empty(_: &mut Rng, _: &str, out: &mut String) {
    out.push_str("{}");
}

fn args_session(_: &mut Rng, sid: &str, out: &mut String) {
    out.push_str("{\"sessionId\":\"");
    out.push_str(sid);
    out.push_str("\"}");
}

/// `{"sessionId":"…",` ready for more members.
fn open_session(sid: &str, out: &mut String) {
    out.push_str("{\"sessionId\":\"");
    out.push_str(sid);
    out.push_str("\",");
}

fn url(rng: &mut Rng, out: &mut String) {
    let host = if rng.chance(0.03) {
        rng.pick(OFF_POLICY_HOSTS)
    } else {
        rng.pick(HOSTS)
    };
    out.push_str(host);
    out.push_str(rng.pick(PATHS));
}

fn args_snapshot(rng: &mut Rng, sid: &str, out: &mut String) {
    if rng.chance(0.7) {
        return args_session(rng, sid, out);
    }
    open_session(sid, out);
    out.push_str("\"selector\":\"main\",\"maxChars\":20000}");
}

fn args_act(rng: &mut Rng, sid: &str, out: &mut String) {
    let action = if rng.chance(0.01) {
        "upload"
    } else {
        rng.pick(&[
            "click", "click", "click", "fill", "type", "press", "scroll", "hover", "select",
        ])
    };
    open_session(sid, out);
    out.push_str("\"action\":\"");
    out.push_str(action);
    out.push_str("\",\"target\":\"");
    out.push_str(rng.pick(TARGETS));
    out.push('"');
    match action {
        "fill" | "type" => {
            out.push_str(",\"value\":\"");
            out.push_str(rng.pick(&[
                "running shoes",
                "jane.doe@example.com",
                "Grüße aus Köln",
                "say \\\"hello\\\"",
                "42",
            ]));
            out.push('"');
        }
        "press" => out.push_str(",\"key\":\"Enter\""),
        "upload" => out.push_str(",\"filePaths\":[\"/home/agent/report.pdf\"]"),
        _ => {}
    }
    out.push('}');
}

fn args_navigate(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"url\":\"");
    url(rng, out);
    out.push_str("\",\"waitUntil\":\"");
    out.push_str(rng.pick(&["load", "domcontentloaded", "networkidle"]));
    out.push_str("\"}");
}

fn args_extract(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    if rng.chance(0.05) {
        out.push_str("\"type\":\"js\",\"js\":\"document.querySelectorAll('a').length\"}");
        return;
    }
    out.push_str("\"type\":\"");
    out.push_str(rng.pick(&["text", "text", "html", "title", "url"]));
    out.push_str("\",\"target\":\"article\",\"maxChars\":5000}");
}

fn args_wait_for(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"condition\":\"");
    let condition = if rng.chance(0.03) {
        "js"
    } else {
        rng.pick(&["element", "text", "network_idle", "navigation"])
    };
    out.push_str(condition);
    out.push_str("\",\"target\":\"");
    out.push_str(rng.pick(TARGETS));
    out.push_str("\",\"timeout\":10000}");
}

fn args_screenshot(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str(if rng.chance(0.5) {
        "\"fullPage\":true"
    } else {
        "\"fullPage\":false"
    });
    if rng.chance(0.05) {
        out.push_str(",\"savePath\":\"/tmp/shot.png\"");
    }
    out.push('}');
}

fn args_batch_actions(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"actions\":[");
    // Now and then a batch longer than the recommended policy's 25.
    let longest = if rng.chance(0.05) { 40 } else { 12 };
    let n = 1 + rng.below(longest);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"action\":\"");
        out.push_str(rng.pick(&["click", "fill", "scroll", "hover"]));
        out.push_str("\",\"target\":\"");
        out.push_str(rng.pick(TARGETS));
        out.push_str("\"}");
    }
    out.push_str("]}");
}

fn args_console_log(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"level\":\"");
    out.push_str(rng.pick(&["error", "warning", "info"]));
    out.push_str("\"}");
}

fn args_network_log(_: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"urlPattern\":\"/api/\",\"statusMin\":400,\"statusMax\":599}");
}

fn args_session_create(rng: &mut Rng, _: &str, out: &mut String) {
    out.push_str("{\"headed\":false,\"viewport\":{\"width\":1280,\"height\":800},\"locale\":\"en-US\",\"timezoneId\":\"Europe/Berlin\"");
    if rng.chance(0.02) {
        out.push_str(",\"cdp\":\"http://127.0.0.1:9222\"");
    }
    out.push('}');
}

fn args_session_create_batch(rng: &mut Rng, _: &str, out: &mut String) {
    out.push_str("{\"sessions\":[");
    let n = 1 + rng.below(7);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"url\":\"");
        url(rng, out);
        out.push_str("\",\"headed\":false}");
    }
    out.push_str("]}");
}

fn args_tab(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"tabIndex\":");
    out.push(char::from(b'0' + rng.below(4) as u8));
    out.push('}');
}

fn args_execute(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"script\":\"");
    out.push_str(rng.pick(&[
        "return document.title",
        "window.scrollTo(0, document.body.scrollHeight)",
        "return [...document.links].map(a => a.href)",
    ]));
    out.push_str("\",\"timeout\":5000}");
}

fn args_paginate(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"extractType\":\"");
    out.push_str(if rng.chance(0.05) { "js" } else { "text" });
    out.push_str("\",\"extractTarget\":\".results\",\"maxPages\":5}");
}

fn args_api_discover(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"category\":\"");
    out.push_str(rng.pick(&["data", "auth", "cdn"]));
    out.push_str("\",\"minConfidence\":0.6}");
}

fn args_session_memory(_: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"limit\":20}");
}

fn args_domain_knowledge(rng: &mut Rng, _: &str, out: &mut String) {
    out.push_str("{\"domain\":\"");
    out.push_str(rng.pick(&["example.com", "shop.example.com", "docs.example.com"]));
    out.push_str("\"}");
}

fn args_session_export(_: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"format\":\"playwright\",\"keepExtracts\":true}");
}

fn args_wait_for_human(rng: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"reason\":\"");
    out.push_str(rng.pick(&["captcha", "2FA code", "confirm purchase"]));
    out.push_str("\"}");
}

fn args_add_init_script(_: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str(
        "\"script\":\"Object.defineProperty(navigator, 'webdriver', {get: () => false})\"}",
    );
}

fn args_network_intercept(_: &mut Rng, sid: &str, out: &mut String) {
    open_session(sid, out);
    out.push_str("\"action\":\"mock\",\"urlPattern\":\"*/api/price*\",\"mockStatus\":200,\"mockBody\":\"{\\\"price\\\":0}\"}");
}

fn args_shell_exec(_: &mut Rng, _: &str, out: &mut String) {
    out.push_str("{\"cmd\":\"ls -la /home\"}");
}

/// `YYYY-MM-DDTHH:MM:SS` of UNIX seconds (proleptic Gregorian, UTC).
fn civil(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Writes `opts.calls` lines of trace to `out`.
pub fn generate(opts: &Options, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng::new(opts.seed);
    let grants = opts.grants.max(1);
    let mut agents: Vec<Agent> = (0..grants)
        .map(|i| {
            let per_second = 0.5 + 4.5 * rng.unit();
            Agent {
                name: format!("agent-{:02}", i + 1),
                mean_gap_ms: 1000.0 / per_second,
                busy_until: 0,
                session: 1,
            }
        })
        .collect();
    // Next call time (ms since the start) per grant; the earliest goes next.
    let mut queue: BinaryHeap<Reverse<(u64, u32)>> =
        (0..grants).map(|i| Reverse((rng.below(1000), i))).collect();
    let total_weight: u32 = TOOLS.iter().map(|t| t.1).sum();
    let mut line = String::with_capacity(1024);
    let mut sid = String::with_capacity(32);
    let mut second_text = (u64::MAX, String::new());
    for _ in 0..opts.calls {
        let Some(Reverse((at_ms, g))) = queue.pop() else {
            break;
        };
        let agent = &mut agents[g as usize];
        if at_ms >= agent.busy_until {
            agent.busy_until = at_ms + rng.exponential(MEAN_SESSION_MS);
        }
        let mut next = at_ms + rng.exponential(agent.mean_gap_ms);
        if next >= agent.busy_until {
            // The session is over: idle, then start the next one.
            next = agent.busy_until + rng.exponential(MEAN_IDLE_MS);
        }
        queue.push(Reverse((next, g)));

        let mut pick = rng.below(u64::from(total_weight)) as u32;
        let &(tool, _, write_args) = TOOLS
            .iter()
            .find(|t| {
                if pick < t.1 {
                    true
                } else {
                    pick -= t.1;
                    false
                }
            })
            .unwrap_or(&TOOLS[0]);
        if tool == "session_create" {
            agent.session += 1;
        }
        sid.clear();
        sid.push_str(&format!("s{}-{}", g + 1, agent.session));

        let secs = opts.start + at_ms / 1000;
        if second_text.0 != secs {
            second_text = (secs, civil(secs));
        }
        line.clear();
        line.push_str("{\"ts\":\"");
        line.push_str(&second_text.1);
        line.push_str(&format!(".{:03}Z\",\"grant\":\"", at_ms % 1000));
        line.push_str(&agent.name);
        line.push_str("\",\"tool\":\"");
        line.push_str(tool);
        line.push_str("\",\"args\":");
        write_args(&mut rng, &sid, &mut line);
        line.push_str(if rng.chance(0.02) {
            ",\"outcome\":\"error\""
        } else {
            ",\"outcome\":\"ok\""
        });
        line.push_str(&format!(",\"latency_ms\":{}}}\n", 20 + rng.below(900)));
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

const USAGE: &str = "usage: gen_trace [--calls N] [--grants N] [--seed N] [--start UNIX_SECONDS]";

/// The options, or `None` when help was asked for.
fn parse_args() -> Result<Option<Options>, String> {
    let mut opts = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            let v = args.next().ok_or(format!("{name} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{name} takes a whole number, not {v:?}"))
        };
        match flag.as_str() {
            "--calls" => opts.calls = value("--calls")?,
            "--grants" => {
                opts.grants = u32::try_from(value("--grants")?)
                    .map_err(|_| "--grants is too large".to_string())?
            }
            "--seed" => opts.seed = value("--seed")?,
            "--start" => opts.start = value("--start")?,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(Some(opts))
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match generate(&opts, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is a normal way to stop.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_trace: {e}");
            ExitCode::FAILURE
        }
    }
}
