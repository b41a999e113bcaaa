//! `simulate`: replays traces against a policy as a stream. Each line is parsed, decided
//! by the [`Engine`] and handed to the output; only aggregates (bounded by the number of
//! tools, grants and rules) are kept, so memory does not grow with the trace.

pub mod report;
pub mod trace;

use std::collections::HashMap;
use std::io::BufRead;

use crate::engine::{Call, Charge, Decision, Engine, Outcome, Reason, RuleId};
pub use report::Output;
use trace::{CallRecord, Event, Expect, Malformed, RpcId};

/// One decided call, as outputs see it.
#[derive(Debug)]
pub struct Decided<'a> {
    pub file: &'a str,
    pub line: usize,
    pub time: f64,
    pub grant: &'a str,
    pub tool: &'a str,
    pub outcome: &'a Outcome,
    pub expect: Option<Expect>,
    /// The line's text, kept only while the call is being reported.
    pub text: &'a str,
}

impl Decided<'_> {
    pub fn expect_ok(&self) -> Option<bool> {
        self.expect
            .map(|e| e.met_by(self.outcome.decision, self.outcome.reason))
    }
}

/// What the run tallies: the spec's summary and the breakdowns the human and JSON outputs show.
#[derive(Debug, Default)]
pub struct Tally {
    pub calls: u64,
    pub skipped: u64,
    pub allow: u64,
    pub deny: u64,
    pub approve: u64,
    /// Denials by reason, in order of first occurrence.
    pub by_reason: Vec<(Reason, u64)>,
    pub expect_failed: u64,
    pub malformed: u64,
    pub warnings: u64,
    pub by_tool: HashMap<String, Counts>,
    pub by_grant: HashMap<String, Counts>,
    /// Denials per rule and reason (a require can fail or mismatch), with the first one's place.
    pub by_rule: HashMap<(RuleId, Reason), RuleDenials>,
}

#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub calls: u64,
    pub allow: u64,
    pub approve: u64,
    pub deny: u64,
    pub by_reason: HashMap<Reason, u64>,
}

#[derive(Debug, Clone)]
pub struct RuleDenials {
    pub count: u64,
    pub first_file: String,
    pub first_line: usize,
    pub first_time: f64,
    pub first_tool: String,
    pub first_grant: String,
}

impl Tally {
    fn add(&mut self, d: &Decided) {
        self.calls += 1;
        let o = d.outcome;
        match o.decision {
            Decision::Allow => self.allow += 1,
            Decision::Approve => self.approve += 1,
            Decision::Deny => self.deny += 1,
        }
        for counts in [
            self.by_tool.entry(d.tool.to_string()).or_default(),
            self.by_grant.entry(d.grant.to_string()).or_default(),
        ] {
            counts.calls += 1;
            match o.decision {
                Decision::Allow => counts.allow += 1,
                Decision::Approve => counts.approve += 1,
                Decision::Deny => counts.deny += 1,
            }
            if let Some(r) = o.reason {
                *counts.by_reason.entry(r).or_default() += 1;
            }
        }
        if let Some(r) = o.reason {
            match self.by_reason.iter_mut().find(|(k, _)| *k == r) {
                Some((_, n)) => *n += 1,
                None => self.by_reason.push((r, 1)),
            }
            self.by_rule
                .entry((o.rule, r))
                .and_modify(|e| e.count += 1)
                .or_insert_with(|| RuleDenials {
                    count: 1,
                    first_file: d.file.to_string(),
                    first_line: d.line,
                    first_time: d.time,
                    first_tool: d.tool.to_string(),
                    first_grant: d.grant.to_string(),
                });
        }
        if d.expect_ok() == Some(false) {
            self.expect_failed += 1;
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Report malformed lines and go on instead of stopping at the first.
    pub keep_going: bool,
}

/// Why a run stopped early.
#[derive(Debug)]
pub enum Stop {
    /// A malformed line without `--keep-going` (already reported to the output).
    Malformed,
    Io(std::io::Error),
}

/// Replays one or more traces through one engine: counters and the clock carry across files.
pub struct Simulator<'p> {
    engine: Engine<'p>,
    /// The latest time seen; calls never run backwards.
    clock: f64,
    pub tally: Tally,
}

impl<'p> Simulator<'p> {
    pub fn new(engine: Engine<'p>) -> Simulator<'p> {
        Simulator {
            engine,
            clock: 0.0,
            tally: Tally::default(),
        }
    }

    pub fn engine(&self) -> &Engine<'p> {
        &self.engine
    }

    /// Streams one trace. JSON-RPC ids are matched within the file.
    pub fn run<R: BufRead>(
        &mut self,
        file: &str,
        mut reader: R,
        options: &Options,
        out: &mut dyn Output,
    ) -> Result<(), Stop> {
        let mut pending: HashMap<RpcId, Vec<Charge>> = HashMap::new();
        let mut buf = Vec::new();
        let mut line_no = 0usize;
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(Stop::Io)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            out.progress(n as u64);
            let mut bytes = buf.as_slice();
            if let Some(b) = bytes.strip_suffix(b"\n") {
                bytes = b;
            }
            if let Some(b) = bytes.strip_suffix(b"\r") {
                bytes = b;
            }
            if line_no == 1 {
                bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
            }
            let parsed = match std::str::from_utf8(bytes) {
                Ok(text) => trace::parse_line(text).map(|e| (e, text)),
                Err(e) => Err(Malformed {
                    column: String::from_utf8_lossy(&bytes[..e.valid_up_to()])
                        .chars()
                        .count()
                        + 1,
                    message: "the line is not valid UTF-8".into(),
                }),
            };
            let (event, text) = match parsed {
                Ok(ok) => ok,
                Err(m) => {
                    self.tally.malformed += 1;
                    out.malformed(file, line_no, &m, &String::from_utf8_lossy(bytes))
                        .map_err(Stop::Io)?;
                    if options.keep_going {
                        continue;
                    }
                    return Err(Stop::Malformed);
                }
            };
            match event {
                Event::Blank => {}
                Event::Skipped => self.tally.skipped += 1,
                Event::Response { id, failed } => {
                    self.tally.skipped += 1;
                    if let Some(charges) = pending.remove(&id) {
                        if failed {
                            self.engine.rollback(&charges);
                        }
                    }
                }
                Event::Call(record) => {
                    self.call(file, line_no, text, record, &mut pending, out)
                        .map_err(Stop::Io)?;
                }
            }
        }
        Ok(())
    }

    fn call(
        &mut self,
        file: &str,
        line: usize,
        text: &str,
        record: CallRecord,
        pending: &mut HashMap<RpcId, Vec<Charge>>,
        out: &mut dyn Output,
    ) -> std::io::Result<()> {
        if let Some(ts) = record.ts {
            if ts < self.clock {
                self.tally.warnings += 1;
                out.clock_went_back(file, line, ts, self.clock)?;
            } else {
                self.clock = ts;
            }
        }
        let outcome = self.engine.evaluate(&Call {
            tool: &record.tool,
            grant: &record.grant,
            args: &record.args,
            time: self.clock,
        });
        let decided = Decided {
            file,
            line,
            time: self.clock,
            grant: &record.grant,
            tool: &record.tool,
            outcome: &outcome,
            expect: record.expect,
            text,
        };
        self.tally.add(&decided);
        out.decided(&self.engine, &decided, &record.args)?;
        if record.failed {
            self.engine.rollback(&outcome.charges);
        } else if let Some(id) = record.id {
            // A reused pending id replaces the earlier call, which can no longer roll back.
            if outcome.charges.is_empty() {
                pending.remove(&id);
            } else {
                pending.insert(id, outcome.charges);
            }
        }
        Ok(())
    }
}
