//! Evidence from traffic for `diff --trace`: the calls of recorded traces whose decision
//! changes between the two policies, counted per tool and direction with the first few
//! places each happened. The traces are read once, as `simulate` reads them, and each call
//! is decided by both engines in step (see `sim::Simulator::with_shadow`).

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead};

use crate::engine::{Decision, Engine};
use crate::json::tape::Arg;
use crate::policy::Policy;
use crate::sim::trace::Malformed;
use crate::sim::{Decided, Options, Output, Simulator, Stop};

/// How many places are kept per tool and direction.
pub const FIRST: usize = 5;

crate::keywords! {
    /// Which way a call's decision moved.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Moved {
        NowAllowed = "now_allowed",
        NowNeedsApproval = "now_needs_approval",
        NowDenied = "now_denied",
    }
}

impl Moved {
    /// The move from `old` to `new`, if the decision changed.
    pub fn between(old: Decision, new: Decision) -> Option<Moved> {
        (old != new).then_some(match new {
            Decision::Allow => Moved::NowAllowed,
            Decision::Approve => Moved::NowNeedsApproval,
            Decision::Deny => Moved::NowDenied,
        })
    }
}

/// Calls that moved one way, and where the first ones are (`trace.jsonl:17`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moves {
    pub count: u64,
    pub first: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolReplay {
    pub tool: String,
    pub moves: BTreeMap<Moved, Moves>,
}

/// What the replay found, in order of the tools' first changed call.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    pub calls: u64,
    pub changed: u64,
    pub by_tool: Vec<ToolReplay>,
    index: HashMap<String, usize>,
}

impl Replay {
    /// Counts one decided call.
    pub fn record(&mut self, file: &str, line: usize, tool: &str, old: Decision, new: Decision) {
        self.calls += 1;
        let Some(moved) = Moved::between(old, new) else {
            return;
        };
        self.changed += 1;
        let i = match self.index.get(tool) {
            Some(&i) => i,
            None => {
                self.index.insert(tool.to_string(), self.by_tool.len());
                self.by_tool.push(ToolReplay {
                    tool: tool.to_string(),
                    moves: BTreeMap::new(),
                });
                self.by_tool.len() - 1
            }
        };
        let m = self.by_tool[i].moves.entry(moved).or_default();
        m.count += 1;
        if m.first.len() < FIRST {
            m.first.push(format!("{file}:{line}"));
        }
    }
}

/// A malformed trace line met during the replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The line as read (lossy UTF-8), for the snippet.
    pub text: String,
}

impl BadLine {
    pub fn diagnostic(&self) -> crate::diagnostic::Diagnostic {
        Malformed {
            column: self.column,
            message: self.message.clone(),
        }
        .diagnostic(&self.file, self.line, &self.text)
    }
}

/// The simulate output that records, for each call, how the two decisions compare.
#[derive(Default)]
struct Recorder {
    replay: Replay,
    bad: Vec<BadLine>,
}

impl Output for Recorder {
    fn progress(&mut self, _bytes: u64) {}

    fn decided(&mut self, _engine: &Engine, d: &Decided, _args: Arg) -> io::Result<()> {
        let new = d.shadow.map_or(d.outcome.decision, |o| o.decision);
        self.replay
            .record(d.file, d.line, d.tool, d.outcome.decision, new);
        Ok(())
    }

    fn malformed(&mut self, file: &str, line: usize, m: &Malformed, text: &str) -> io::Result<()> {
        self.bad.push(BadLine {
            file: file.to_string(),
            line,
            column: m.column,
            message: m.message.clone(),
            text: text.to_string(),
        });
        Ok(())
    }

    fn clock_went_back(&mut self, _: &str, _: usize, _: f64, _: f64) -> io::Result<()> {
        Ok(())
    }
}

/// Why a replay could not finish.
#[derive(Debug)]
pub enum ReplayError {
    /// A malformed line (the first; with `keep_going`, all of them, after the replay).
    Malformed(Vec<BadLine>),
    Io(String, io::Error),
}

/// Replays the traces under both policies at once: each line is parsed once and decided by
/// an engine for each policy, every counter carried across the files as `simulate` does.
pub fn replay<R: BufRead>(
    old: &Policy,
    new: &Policy,
    traces: impl IntoIterator<Item = (String, R)>,
) -> Result<Replay, ReplayError> {
    let mut sim = Simulator::with_shadow(Engine::new(old), Engine::new(new));
    let mut out = Recorder::default();
    let options = Options::default();
    for (name, reader) in traces {
        match sim.run(&name, reader, &options, &mut out) {
            Ok(()) => {}
            Err(Stop::Malformed) => return Err(ReplayError::Malformed(out.bad)),
            Err(Stop::Io(e) | Stop::Output(e)) => return Err(ReplayError::Io(name, e)),
        }
    }
    Ok(out.replay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_moves_per_tool_and_keeps_the_first_places() {
        let mut r = Replay::default();
        for line in 1..=8 {
            r.record("t.jsonl", line, "navigate", Decision::Deny, Decision::Allow);
        }
        r.record("t.jsonl", 9, "navigate", Decision::Allow, Decision::Allow);
        r.record("t.jsonl", 10, "click", Decision::Allow, Decision::Approve);
        assert_eq!((r.calls, r.changed), (10, 9));
        let nav = &r.by_tool[0].moves[&Moved::NowAllowed];
        assert_eq!(nav.count, 8);
        assert_eq!(nav.first.len(), FIRST);
        assert_eq!(nav.first[0], "t.jsonl:1");
        assert_eq!(r.by_tool[1].moves[&Moved::NowNeedsApproval].count, 1);
    }

    fn policy(text: &str) -> Policy {
        Policy::parse(crate::source::SourceFile::new("p.json", text)).expect("valid policy")
    }

    #[test]
    fn replays_both_policies_in_one_read_with_their_own_counters() {
        let old = policy(
            r#"{"version":"1","default":"deny","tools":{"navigate":{"limits":[{"counter":"n","window":"minute","max":1}]}}}"#,
        );
        let new = policy(
            r#"{"version":"1","default":"deny","tools":{"navigate":{"limits":[{"counter":"n","window":"minute","max":2}]},"click":{}}}"#,
        );
        let trace = concat!(
            r#"{"tool":"navigate"}"#,
            "\n",
            r#"{"tool":"navigate"}"#,
            "\n",
            r#"{"tool":"navigate","outcome":"error"}"#,
            "\n",
            r#"{"tool":"click"}"#,
            "\n",
        );
        let r = replay(&old, &new, [("t.jsonl".to_string(), trace.as_bytes())]).expect("replay");
        assert_eq!((r.calls, r.changed), (4, 2));
        // Line 2 fits only the new limit; line 3 fits neither (it is decided, then rolled back).
        assert_eq!(r.by_tool[0].moves[&Moved::NowAllowed].first, ["t.jsonl:2"]);
        assert_eq!(r.by_tool[1].moves[&Moved::NowAllowed].count, 1);
        let bad = replay(&old, &new, [("t.jsonl".to_string(), "{\n".as_bytes())]);
        assert!(matches!(bad, Err(ReplayError::Malformed(lines)) if lines[0].line == 1));
    }
}
