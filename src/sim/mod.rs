//! `simulate`: replays traces against a policy as a stream. Each line is parsed, decided
//! by the [`Engine`] and handed to the output; only aggregates (bounded by the number of
//! tools, grants and rules) are kept, so memory does not grow with the trace.

mod pipeline;
pub mod report;
pub mod trace;
pub mod validate;

use std::collections::hash_map::Entry;
use std::io::{self, BufRead};

use crate::engine::hash::FastMap;
use crate::engine::{Call, Charge, Charges, Decision, Engine, Outcome, Reason, RuleId};
use crate::json::tape::{self, Arg, Tape};
use trace::{CallRecord, Event, Expect, Malformed, RpcId};

/// Receives the run's events in trace order.
pub trait Output {
    /// `bytes` more of the trace were read.
    fn progress(&mut self, bytes: u64);
    fn decided(&mut self, engine: &Engine, d: &Decided, args: Arg) -> io::Result<()>;
    fn malformed(&mut self, file: &str, line: usize, m: &Malformed, text: &str) -> io::Result<()>;
    fn clock_went_back(&mut self, file: &str, line: usize, ts: f64, clock: f64) -> io::Result<()>;
    /// A call's charges were given back (it failed); `engine` has already rolled them back.
    fn rolled_back(&mut self, _engine: &Engine, _charges: &[Charge]) {}
    /// A pending call ([`Decided::pending`]) can no longer be rolled back: it was settled,
    /// replaced under its id, or forgotten because rolling it back changes nothing.
    fn settled(&mut self, _charges: &[Charge]) {}
    /// Whether rolling back a pending call would still change what this output keeps
    /// (pending calls are forgotten only when no engine and no output holds them).
    fn holds(&self, _charges: &[Charge]) -> bool {
        false
    }
}

/// Two outputs fed by one replay: each event goes to the first, then to the second
/// (`simulate --report` writes its format and gathers the report in one read).
pub struct Tee<'a, 'b>(pub &'a mut dyn Output, pub &'b mut dyn Output);

impl Output for Tee<'_, '_> {
    fn progress(&mut self, bytes: u64) {
        self.0.progress(bytes);
        self.1.progress(bytes);
    }

    fn decided(&mut self, engine: &Engine, d: &Decided, args: Arg) -> io::Result<()> {
        self.0.decided(engine, d, args)?;
        self.1.decided(engine, d, args)
    }

    fn malformed(&mut self, file: &str, line: usize, m: &Malformed, text: &str) -> io::Result<()> {
        self.0.malformed(file, line, m, text)?;
        self.1.malformed(file, line, m, text)
    }

    fn clock_went_back(&mut self, file: &str, line: usize, ts: f64, clock: f64) -> io::Result<()> {
        self.0.clock_went_back(file, line, ts, clock)?;
        self.1.clock_went_back(file, line, ts, clock)
    }

    fn rolled_back(&mut self, engine: &Engine, charges: &[Charge]) {
        self.0.rolled_back(engine, charges);
        self.1.rolled_back(engine, charges);
    }

    fn settled(&mut self, charges: &[Charge]) {
        self.0.settled(charges);
        self.1.settled(charges);
    }

    fn holds(&self, charges: &[Charge]) -> bool {
        self.0.holds(charges) || self.1.holds(charges)
    }
}

/// One decided call, as outputs see it.
#[derive(Debug)]
pub struct Decided<'a> {
    pub file: &'a str,
    pub line: usize,
    pub time: f64,
    pub grant: &'a str,
    pub tool: &'a str,
    pub outcome: &'a Outcome,
    /// The same call decided by the shadow engine, when there is one (`diff --trace`).
    pub shadow: Option<&'a Outcome>,
    pub expect: Option<Expect>,
    /// The call stays pending under its JSON-RPC id: a later error response may roll it
    /// back ([`Output::rolled_back`]), else [`Output::settled`] is heard once it cannot.
    pub pending: bool,
    /// The line as read, kept only while the call is being reported.
    pub text: &'a [u8],
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
    /// JSON-RPC calls: they carry no time, so each is evaluated at the line before's.
    pub untimed: u64,
    pub by_tool: Breakdown,
    pub by_grant: Breakdown,
    /// Denials per rule and reason (a require can fail or mismatch), with the first one's place.
    pub by_rule: FastMap<(RuleId, Reason), RuleDenials>,
}

/// Counts per name (tool or grant). Names are numbered on first sight so that a call
/// costs a lookup, not an allocation. Memory stays bounded whatever the trace: after
/// [`Breakdown::MAX_NAMES`] names, new ones are counted together under [`Breakdown::OTHERS`],
/// and a name is kept to its first [`Breakdown::MAX_NAME_BYTES`] bytes and its size.
#[derive(Debug, Default)]
pub struct Breakdown {
    index: FastMap<Box<str>, usize>,
    entries: Vec<(Box<str>, Counts)>,
}

impl Breakdown {
    /// Distinct names counted one by one.
    pub const MAX_NAMES: usize = 10_000;
    /// Bytes of a name kept.
    pub const MAX_NAME_BYTES: usize = 1024;
    /// The name the calls of every name past [`Breakdown::MAX_NAMES`] are counted under.
    pub const OTHERS: &'static str = "(other names)";

    fn counts(&mut self, name: &str) -> &mut Counts {
        // Seen before: one lookup, no allocation.
        if let Some(&i) = self.index.get(name) {
            return &mut self.entries[i].1;
        }
        let key = if name.len() > Self::MAX_NAME_BYTES {
            crate::diagnostic::clip_to(name, Self::MAX_NAME_BYTES / 4)
        } else {
            name.into()
        };
        let key = if self.index.contains_key(&*key) || self.entries.len() < Self::MAX_NAMES {
            key
        } else {
            Self::OTHERS.into()
        };
        let i = match self.index.get(&*key) {
            Some(&i) => i,
            None => {
                self.index.insert((*key).into(), self.entries.len());
                self.entries.push(((*key).into(), Counts::default()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }

    /// Every name with its counts, in order of first sight.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Counts)> {
        self.entries.iter().map(|(n, c)| (&**n, c))
    }
}

#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub calls: u64,
    pub allow: u64,
    pub approve: u64,
    pub deny: u64,
    /// Denials per reason, indexed like [`Reason::ALL`].
    by_reason: [u64; Reason::ALL.len()],
}

impl Counts {
    /// Denials per reason, in [`Reason::ALL`] order, leaving out reasons that never denied.
    pub fn by_reason(&self) -> impl Iterator<Item = (Reason, u64)> + '_ {
        Reason::ALL
            .into_iter()
            .zip(self.by_reason)
            .filter(|&(_, n)| n > 0)
    }
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
        for counts in [self.by_tool.counts(d.tool), self.by_grant.counts(d.grant)] {
            counts.calls += 1;
            match o.decision {
                Decision::Allow => counts.allow += 1,
                Decision::Approve => counts.approve += 1,
                Decision::Deny => counts.deny += 1,
            }
            if let Some(r) = o.reason {
                counts.by_reason[r as usize] += 1;
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

#[derive(Debug, Clone)]
pub struct Options {
    /// Report malformed lines and go on instead of stopping at the first.
    pub keep_going: bool,
    /// A longer line is malformed (and skipped with `keep_going`) without being held in
    /// memory: a trace's memory must not grow with what one line holds.
    pub max_line_bytes: usize,
}

/// The default [`Options::max_line_bytes`]: 16 MiB, far more than any one call.
pub const MAX_LINE_BYTES: usize = 16 << 20;

impl Default for Options {
    fn default() -> Options {
        Options {
            keep_going: false,
            max_line_bytes: MAX_LINE_BYTES,
        }
    }
}

/// Why a run stopped early.
#[derive(Debug)]
pub enum Stop {
    /// A malformed line without `--keep-going` (already reported to the output).
    Malformed,
    /// The trace could not be read.
    Io(std::io::Error),
    /// The output could not be written (a closed pipe, a full disk).
    Output(std::io::Error),
}

/// Pending JSON-RPC requests are pruned once this many calls are pending (and then at
/// twice what survived), so a log of requests without responses does not grow memory.
const PRUNE_PENDING_AT: usize = 4096;

/// What is pending under one JSON-RPC id, oldest first. A response settles the most recent.
#[derive(Debug)]
enum Sent {
    /// A `tools/call` and what it charged.
    Call(Held),
    /// This many other requests in a row (a server's `sampling/createMessage`, a client's
    /// `tools/list`): their responses settle nothing the engine knows of.
    Other(u64),
}

/// What a pending call charged, in the engine then in the shadow engine, exactly sized:
/// a log of calls without responses can hold a day of them.
#[derive(Debug)]
struct Held {
    charges: Box<[Charge]>,
    /// How many of `charges` are the engine's.
    engine: usize,
}

impl Held {
    fn new(engine: &[Charge], shadow: &[Charge]) -> Held {
        Held {
            charges: engine.iter().chain(shadow).copied().collect(),
            engine: engine.len(),
        }
    }

    fn engine(&self) -> &[Charge] {
        &self.charges[..self.engine]
    }

    fn shadow(&self) -> &[Charge] {
        &self.charges[self.engine..]
    }
}

/// JSON-RPC requests waiting for their response, by id. Both sides of a session number
/// their requests from 0, so one id can have a client's call and a server's request
/// pending at once (SPEC §3).
struct Pending {
    by_id: FastMap<RpcId, Vec<Sent>>,
    calls: usize,
    prune_at: usize,
}

impl Pending {
    fn new() -> Pending {
        Pending {
            by_id: FastMap::default(),
            calls: 0,
            prune_at: PRUNE_PENDING_AT,
        }
    }

    /// A `tools/call` sent under `id`: it replaces a call already pending under that id
    /// (which can then no longer be rolled back), and is the most recent request there.
    fn call(
        &mut self,
        id: RpcId,
        (charges, shadow): (&[Charge], &[Charge]),
        engines: (&Engine, Option<&Engine>),
        out: &mut dyn Output,
    ) {
        let charged = !charges.is_empty() || !shadow.is_empty();
        let mut entry = match self.by_id.entry(id) {
            Entry::Occupied(e) => e,
            // A denied call with nothing else pending under its id changes nothing.
            Entry::Vacant(_) if !charged => return,
            Entry::Vacant(v) => v.insert_entry(Vec::new()),
        };
        let stack = entry.get_mut();
        if let Some(i) = stack.iter().rposition(|s| matches!(s, Sent::Call(..))) {
            if let Sent::Call(replaced) = stack.remove(i) {
                out.settled(replaced.engine());
            }
            self.calls -= 1;
            merge_others(stack);
        }
        if charged {
            stack.push(Sent::Call(Held::new(charges, shadow)));
            self.calls += 1;
        } else if stack.is_empty() {
            entry.remove();
        } else {
            push_other(stack, 1);
        }
        if self.calls >= self.prune_at {
            self.prune(engines, out);
            self.prune_at = (self.calls * 2).max(PRUNE_PENDING_AT);
        }
    }

    /// Another request sent under `id`.
    fn request(&mut self, id: RpcId) {
        // Nothing below it could be settled by a response: nothing to shield.
        if let Some(stack) = self.by_id.get_mut(&id) {
            push_other(stack, 1);
        }
    }

    /// A response under `id`: the charges of the call it settles, if it settles a call.
    fn respond(&mut self, id: &RpcId) -> Option<Held> {
        let stack = self.by_id.get_mut(id)?;
        let settled = match stack.pop()? {
            Sent::Call(held) => {
                self.calls -= 1;
                Some(held)
            }
            Sent::Other(n) => {
                if n > 1 {
                    stack.push(Sent::Other(n - 1));
                }
                None
            }
        };
        if !stack.iter().any(|s| matches!(s, Sent::Call(..))) {
            self.by_id.remove(id);
        }
        settled
    }

    /// Forgets calls whose windows have all passed (rolling them back gives nothing to the
    /// engines or the output), and every id with no call left to settle.
    fn prune(&mut self, (engine, shadow_engine): (&Engine, Option<&Engine>), out: &mut dyn Output) {
        let mut calls = 0;
        self.by_id.retain(|_, stack| {
            for s in stack.iter_mut() {
                if let Sent::Call(held) = s {
                    let (c, shadow) = (held.engine(), held.shadow());
                    let shadow_can = shadow_engine.is_some_and(|e| e.can_roll_back(shadow));
                    if engine.can_roll_back(c) || shadow_can || out.holds(c) {
                        calls += 1;
                    } else {
                        out.settled(c);
                        *s = Sent::Other(1);
                    }
                }
            }
            merge_others(stack);
            stack.iter().any(|s| matches!(s, Sent::Call(..)))
        });
        self.calls = calls;
    }
}

fn push_other(stack: &mut Vec<Sent>, n: u64) {
    match stack.last_mut() {
        Some(Sent::Other(m)) => *m += n,
        _ => stack.push(Sent::Other(n)),
    }
}

/// Joins runs of other requests, and drops those at the bottom: a response that reaches
/// them settles nothing either way.
fn merge_others(stack: &mut Vec<Sent>) {
    let old = std::mem::take(stack);
    for s in old {
        match s {
            Sent::Other(n) if !stack.is_empty() => push_other(stack, n),
            Sent::Other(_) => {}
            call => stack.push(call),
        }
    }
}

/// A line's bytes without its terminator (`\n` or `\r\n`), and on the first line without
/// a byte-order mark.
fn content(raw: &[u8], first: bool) -> &[u8] {
    let mut bytes = raw;
    if let Some(b) = bytes.strip_suffix(b"\n") {
        bytes = b;
    }
    if let Some(b) = bytes.strip_suffix(b"\r") {
        bytes = b;
    }
    if first {
        bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    }
    bytes
}

/// What one trace's lines share while it is read.
struct Context<'f> {
    file: &'f str,
    line_no: usize,
    tape: Tape,
    pending: Pending,
    options: &'f Options,
}

impl<'f> Context<'f> {
    fn new(file: &'f str, options: &'f Options) -> Context<'f> {
        Context {
            file,
            line_no: 0,
            tape: Tape::default(),
            pending: Pending::new(),
            options,
        }
    }
}

/// Replays one or more traces through one engine: counters and the clock carry across files.
pub struct Simulator<'p> {
    engine: Engine<'p>,
    /// A second engine deciding every call too, for comparing two policies in one read.
    shadow: Option<Engine<'p>>,
    /// The shadow's policy differs from the engine's only in its limits: it decides only
    /// what the engine let through (or denied in its limits stage), past its conditions.
    shadow_limits_only: bool,
    /// The latest time seen; calls never run backwards.
    clock: f64,
    pub tally: Tally,
}

impl<'p> Simulator<'p> {
    pub fn new(engine: Engine<'p>) -> Simulator<'p> {
        Simulator {
            engine,
            shadow: None,
            shadow_limits_only: false,
            clock: 0.0,
            tally: Tally::default(),
        }
    }

    /// A simulator in which `shadow` decides every call as well (with its own counters,
    /// rolled back with the engine's); outputs see its outcome in [`Decided::shadow`].
    pub fn with_shadow(engine: Engine<'p>, shadow: Engine<'p>) -> Simulator<'p> {
        Simulator {
            shadow: Some(shadow),
            ..Simulator::new(engine)
        }
    }

    /// A simulator whose `shadow` has the engine's policy with other limits
    /// (`suggest-limits`): a call the engine denies before its limits stage the shadow
    /// would deny the same way, so it is not asked ([`Decided::shadow`] is `None`), and
    /// one the engine lets through passed the conditions both share.
    pub fn with_limits_shadow(engine: Engine<'p>, shadow: Engine<'p>) -> Simulator<'p> {
        Simulator {
            shadow_limits_only: true,
            ..Simulator::with_shadow(engine, shadow)
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
        let mut cx = Context::new(file, options);
        // A line that straddles the reader's buffer is gathered here; every other line is
        // read where it lies. One longer than the limit is dropped as it is read.
        let mut partial = Vec::new();
        let mut too_long = false;
        let max = options.max_line_bytes;
        loop {
            let chunk = reader.fill_buf().map_err(Stop::Io)?;
            if chunk.is_empty() {
                if too_long {
                    self.too_long(&mut cx, out)?;
                } else if !partial.is_empty() {
                    self.line(&mut cx, &partial, out)?;
                }
                return Ok(());
            }
            match tape::find_byte(chunk, b'\n') {
                Some(i) if too_long || partial.len() + i > max => {
                    reader.consume(i + 1);
                    partial.clear();
                    too_long = false;
                    self.too_long(&mut cx, out)?;
                }
                Some(i) if partial.is_empty() => {
                    self.line(&mut cx, &chunk[..=i], out)?;
                    reader.consume(i + 1);
                }
                Some(i) => {
                    partial.extend_from_slice(&chunk[..=i]);
                    reader.consume(i + 1);
                    self.line(&mut cx, &partial, out)?;
                    partial.clear();
                }
                None => {
                    let n = chunk.len();
                    if !too_long {
                        partial.extend_from_slice(chunk);
                        if partial.len() > max {
                            too_long = true;
                            partial = Vec::new();
                        }
                    }
                    reader.consume(n);
                }
            }
        }
    }

    /// A line past [`Options::max_line_bytes`]: malformed, and not kept.
    fn too_long(&mut self, cx: &mut Context, out: &mut dyn Output) -> Result<(), Stop> {
        cx.line_no += 1;
        self.tally.malformed += 1;
        let m = Malformed {
            column: 1,
            message: format!(
                "{}:{} is longer than {} bytes (raise the limit with --max-line-bytes)",
                cx.file, cx.line_no, cx.options.max_line_bytes
            ),
        };
        out.malformed(cx.file, cx.line_no, &m, "")
            .map_err(Stop::Output)?;
        if cx.options.keep_going {
            Ok(())
        } else {
            Err(Stop::Malformed)
        }
    }

    /// One line of a trace, with its terminator if it has one.
    fn line(&mut self, cx: &mut Context, raw: &[u8], out: &mut dyn Output) -> Result<(), Stop> {
        let bytes = content(raw, cx.line_no == 0);
        let mut tape = std::mem::take(&mut cx.tape);
        let event = trace::parse_line(bytes, &mut tape);
        let result = self.event(cx, raw.len(), bytes, event, out);
        cx.tape = tape;
        result
    }

    /// One line after [`trace::prepare`] on another thread.
    fn prepared_line(
        &mut self,
        cx: &mut Context,
        raw_len: usize,
        bytes: &[u8],
        prepared: trace::Prepared,
        tape: &Tape,
        out: &mut dyn Output,
    ) -> Result<(), Stop> {
        let event = match prepared {
            trace::Prepared::Blank => Ok(Event::Blank),
            trace::Prepared::Bad(m) => Err(m),
            // `prepare` only reads UTF-8 lines.
            trace::Prepared::Ready(it) => match std::str::from_utf8(bytes) {
                Ok(text) => Ok(trace::bind(text, tape, it)),
                Err(_) => Ok(Event::Skipped),
            },
        };
        self.event(cx, raw_len, bytes, event, out)
    }

    /// One line's event, decided in trace order.
    fn event(
        &mut self,
        cx: &mut Context,
        raw_len: usize,
        bytes: &[u8],
        event: Result<Event, trace::Malformed>,
        out: &mut dyn Output,
    ) -> Result<(), Stop> {
        cx.line_no += 1;
        out.progress(raw_len as u64);
        let event = match event {
            Ok(event) => event,
            Err(m) => {
                self.tally.malformed += 1;
                out.malformed(cx.file, cx.line_no, &m, &String::from_utf8_lossy(bytes))
                    .map_err(Stop::Output)?;
                return if cx.options.keep_going {
                    Ok(())
                } else {
                    Err(Stop::Malformed)
                };
            }
        };
        match event {
            Event::Blank => {}
            Event::Skipped => self.tally.skipped += 1,
            Event::Request(id) => {
                self.tally.skipped += 1;
                cx.pending.request(id);
            }
            Event::Response { id, failed } => {
                self.tally.skipped += 1;
                if let Some(held) = cx.pending.respond(&id) {
                    if failed {
                        self.engine.rollback(held.engine());
                        if let Some(e) = &mut self.shadow {
                            e.rollback(held.shadow());
                        }
                        out.rolled_back(&self.engine, held.engine());
                    } else {
                        out.settled(held.engine());
                    }
                }
            }
            Event::Call(record) => {
                self.call(cx.file, cx.line_no, bytes, record, &mut cx.pending, out)
                    .map_err(Stop::Output)?;
            }
        }
        Ok(())
    }

    fn call(
        &mut self,
        file: &str,
        line: usize,
        text: &[u8],
        record: CallRecord,
        pending: &mut Pending,
        out: &mut dyn Output,
    ) -> std::io::Result<()> {
        if record.id.is_some() {
            self.tally.untimed += 1;
        }
        if let Some(ts) = record.ts {
            if ts < self.clock {
                self.tally.warnings += 1;
                out.clock_went_back(file, line, ts, self.clock)?;
            } else {
                self.clock = ts;
            }
        }
        let call = Call {
            tool: record.tool,
            grant: record.grant,
            args: record.args,
            time: self.clock,
        };
        let outcome = self.engine.evaluate(&call);
        let shadow = match &mut self.shadow {
            Some(e) if !self.shadow_limits_only => Some(e.evaluate(&call)),
            Some(e) if outcome.decision != Decision::Deny => {
                Some(e.evaluate_past_conditions(&call))
            }
            // Perhaps denied in the limits stage (an increment of the wrong type, or past
            // every max): the shadow's own limits may charge.
            Some(e)
                if matches!(
                    outcome.reason,
                    Some(Reason::TypeMismatch | Reason::RateLimited)
                ) =>
            {
                Some(e.evaluate(&call))
            }
            _ => None,
        };
        let decided = Decided {
            file,
            line,
            time: self.clock,
            grant: record.grant,
            tool: record.tool,
            outcome: &outcome,
            shadow: shadow.as_ref(),
            expect: record.expect,
            pending: record.id.is_some() && !record.failed,
            text,
        };
        self.tally.add(&decided);
        out.decided(&self.engine, &decided, record.args)?;
        let shadow_charges = shadow.map_or_else(Charges::new, |o| o.charges);
        if record.failed {
            self.engine.rollback(&outcome.charges);
            if let Some(e) = &mut self.shadow {
                e.rollback(&shadow_charges);
            }
            out.rolled_back(&self.engine, &outcome.charges);
        } else if let Some(id) = record.id {
            let engines = (&self.engine, self.shadow.as_ref());
            pending.call(id, (&outcome.charges, &shadow_charges), engines, out);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::source::SourceFile;

    /// An output that keeps nothing.
    struct Discard;

    impl Output for Discard {
        fn progress(&mut self, _: u64) {}
        fn decided(&mut self, _: &Engine, _: &Decided, _: Arg) -> io::Result<()> {
            Ok(())
        }
        fn malformed(&mut self, _: &str, _: usize, _: &Malformed, _: &str) -> io::Result<()> {
            Ok(())
        }
        fn clock_went_back(&mut self, _: &str, _: usize, _: f64, _: f64) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn pending_calls_whose_windows_passed_are_forgotten() {
        let text = r#"{"version":"1","default":"allow",
            "all_tools":{"limits":[{"counter":"c","window":1,"max":1000000}]}}"#;
        let policy = Policy::parse(SourceFile::new("p.json", text)).expect("valid policy");
        let mut engine = Engine::new(&policy);
        let mut pending = Pending::new();
        let args = crate::json::parse_strict("{}").expect("json").value;
        for i in 0..20_000u32 {
            let o = engine.evaluate(&Call {
                tool: "t",
                grant: "g",
                args: &args,
                time: f64::from(i),
            });
            let charges = (&o.charges[..], &[][..]);
            let mut out = Discard;
            pending.call(
                RpcId::Integer(i64::from(i)),
                charges,
                (&engine, None),
                &mut out,
            );
        }
        // A request log without responses: only the current window's call can roll back.
        assert!(
            pending.by_id.len() <= PRUNE_PENDING_AT,
            "{}",
            pending.by_id.len()
        );
    }

    /// Names past the cap share one entry and a huge name is kept short: the breakdown's
    /// memory does not grow with the trace.
    #[test]
    fn breakdown_stays_bounded() {
        let mut b = Breakdown::default();
        for i in 0..Breakdown::MAX_NAMES + 50 {
            b.counts(&format!("tool{i}")).calls += 1;
        }
        b.counts("tool0").calls += 1;
        let huge = "y".repeat(1 << 20);
        b.counts(&huge).calls += 1;
        let names: Vec<_> = b.iter().collect();
        assert_eq!(names.len(), Breakdown::MAX_NAMES + 1);
        assert_eq!((names[0].0, names[0].1.calls), ("tool0", 2));
        let others = names.last().unwrap();
        assert_eq!(others.0, Breakdown::OTHERS);
        assert_eq!(others.1.calls, 51);
        let mut small = Breakdown::default();
        small.counts(&huge).calls += 1;
        let (name, _) = small.iter().next().unwrap();
        assert!(name.len() < Breakdown::MAX_NAME_BYTES && name.ends_with("(1,048,576 bytes)"));
    }
}
