//! `catalog scan -- CMD…`: start an MCP server over stdio, ask it for `tools/list` (following
//! `nextCursor` pages) and build a catalogue from the answer, named after its `serverInfo`.
//! The server's stderr is kept (its last lines only) and shown only when the scan fails:
//! a healthy server's start-up chatter is noise, a failing one's is the explanation.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use miette::{miette, Report};
use serde_json::{json, Value};

use super::{import, Catalog};

/// The protocol revision we speak; servers answer with the one they pick.
const PROTOCOL_VERSION: &str = "2025-06-18";

/// More pages than this is a server that never stops paginating.
const MAX_PAGES: usize = 1000;

/// Runs `command` as an MCP stdio server and returns its catalogue.
pub fn scan(command: &[String], timeout: Duration) -> Result<Catalog, Report> {
    let (program, args) = command.split_first().ok_or_else(|| {
        miette!(
            help = "e.g. policylayer catalog scan -- npx leapfrog-mcp",
            "no server command given"
        )
    })?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            miette!(
                help = "check the command and that it is on PATH",
                "cannot start `{program}`: {e}"
            )
        })?;
    let stderr = child.stderr.take().map(keep_stderr);
    let result = session(&mut child, timeout);
    // The server has answered (or failed); it is not needed any more.
    let _ = child.kill();
    let _ = child.wait();
    result.map_err(|report| {
        // A server that crashed has written its last words already; give the reader a
        // moment to take them. A server's children may keep the pipe open: no join.
        std::thread::sleep(Duration::from_millis(100));
        let said: Vec<String> = stderr
            .and_then(|kept| kept.lock().ok().map(|l| l.iter().cloned().collect()))
            .unwrap_or_default();
        match said {
            lines if !lines.is_empty() => {
                miette!(
                    help = "the lines above are the last the server wrote to stderr",
                    "{report}\n\nthe server's stderr:\n  {}",
                    lines.join("\n  ")
                )
            }
            _ => report,
        }
    })
}

/// Lines of the server's stderr kept for an error, and bytes of each.
const STDERR_LINES: usize = 20;
const STDERR_LINE_BYTES: usize = 300;

/// Reads the server's stderr on a thread until it closes, keeping its last lines (each
/// cut short), so that a chatty server can neither block on a full pipe nor fill memory.
fn keep_stderr(stderr: std::process::ChildStderr) -> Arc<Mutex<VecDeque<String>>> {
    let kept = Arc::new(Mutex::new(VecDeque::new()));
    let shared = Arc::clone(&kept);
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stderr);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.by_ref().take(1 << 20).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if line.last() != Some(&b'\n') {
                // An over-long line: skip the rest of it.
                let _ = reader.by_ref().skip_until(b'\n');
            }
            let text = String::from_utf8_lossy(&line);
            let text = crate::diagnostic::clip_to(text.trim_end(), STDERR_LINE_BYTES).into_owned();
            let Ok(mut kept) = shared.lock() else { break };
            if kept.len() == STDERR_LINES {
                kept.pop_front();
            }
            kept.push_back(text);
        }
    });
    kept
}

fn session(child: &mut Child, timeout: Duration) -> Result<Catalog, Report> {
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| miette!("the server's stdin is not available"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| miette!("the server's stdout is not available"))?;
    let lines = spawn_reader(stdout);
    let deadline = Instant::now() + timeout;
    let init = request(
        &mut stdin,
        &lines,
        deadline,
        1,
        "initialize",
        json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "policylayer", "version": env!("CARGO_PKG_VERSION") }
        }),
    )?;
    send(
        &mut stdin,
        &json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
    )?;
    let info = init.get("serverInfo");
    let name = info
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("server");
    let version = info
        .and_then(|i| i.get("version"))
        .and_then(Value::as_str)
        .unwrap_or("0.0.0");
    let mut tools = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..MAX_PAGES {
        let params = match &cursor {
            Some(c) => json!({ "cursor": c }),
            None => json!({}),
        };
        let result = request(
            &mut stdin,
            &lines,
            deadline,
            2 + page as u64,
            "tools/list",
            params,
        )?;
        match result.get("tools") {
            Some(Value::Array(page_tools)) => tools.extend(page_tools.iter().cloned()),
            _ => {
                return Err(miette!(
                    "the server's tools/list answer has no `tools` array"
                ))
            }
        }
        cursor = result
            .get("nextCursor")
            .and_then(Value::as_str)
            .map(str::to_string);
        if cursor.is_none() {
            return import::import(&json!({ "tools": tools }), name, version);
        }
    }
    Err(miette!(
        "the server returned more than {MAX_PAGES} pages of tools"
    ))
}

/// Reads the server's stdout on a thread so that waiting can time out.
fn spawn_reader(stdout: std::process::ChildStdout) -> Receiver<std::io::Result<String>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn send(stdin: &mut ChildStdin, message: &Value) -> Result<(), Report> {
    writeln!(stdin, "{message}")
        .and_then(|()| stdin.flush())
        .map_err(|e| miette!("cannot write to the server (has it exited?): {e}"))
}

/// Sends a request and waits for the response with its id, skipping the server's
/// notifications, requests and log lines in between.
fn request(
    stdin: &mut ChildStdin,
    lines: &Receiver<std::io::Result<String>>,
    deadline: Instant,
    id: u64,
    method: &str,
    params: Value,
) -> Result<Value, Report> {
    send(
        stdin,
        &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
    )?;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match lines.recv_timeout(left) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => return Err(miette!("cannot read from the server: {e}")),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(miette!(
                    help = "raise --timeout if the server is slow to start",
                    "the server did not answer `{method}` in time"
                ))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(miette!("the server exited before answering `{method}`"))
            }
        };
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if message.get("id") != Some(&json!(id)) || message.get("method").is_some() {
            continue;
        }
        if let Some(error) = message.get("error") {
            return Err(miette!(
                "the server answered `{method}` with an error: {error}"
            ));
        }
        return message
            .get("result")
            .cloned()
            .ok_or_else(|| miette!("the server's answer to `{method}` has no result"));
    }
}
