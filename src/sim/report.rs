//! What `simulate --report` shows, gathered while the trace is replayed: a [`Recorder`] is
//! one more [`Output`] of the same run, so a trace is read once whatever is asked of it.
//!
//! Memory does not grow with the trace. Every series lives on one shared axis of at most
//! [`MAX_BUCKETS`] buckets: when a call falls past the last bucket, every series merges its
//! buckets pairwise and the buckets become twice as wide. A counter's bucket keeps the
//! highest level any call took it to (so a peak is never averaged away), denials per bucket
//! are summed. Per grant-scope counter, the busiest grants are found exactly (units charged
//! per grant, an invariant keeps the [`TRACKED_GRANTS`] busiest tracked) and only those get
//! series of their own, one bucket per [`GRANT_STRIDE`] of the axis; "the worst grant at
//! each instant" is the counter's own series, the highest level any grant held.
//!
//! The axis is time (bucket 0 starts at the first call), unless every call happened at one
//! instant (a JSON-RPC log carries no times), in which case it is the call's number.
//!
//! [`Recorder::report`] turns what was gathered into a [`Report`]: plain data, serialised as
//! the report's JSON data section and drawn by `render::report`.

use std::collections::HashMap;
use std::io;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::diagnostic::clip;
use crate::engine::{Charge, Decision, Engine, Reason};
use crate::json::tape::Arg;
use crate::policy::{window_name, Algorithm, Scope};
use crate::sim::trace::Malformed;
use crate::sim::{Decided, Output, Tally};
use crate::timestamp::format_ts;

/// Buckets of the axis at most: every series has at most this many points.
pub const MAX_BUCKETS: usize = 2048;
/// Grants of a grant-scope counter given series of their own while the trace is read; the
/// report draws the [`SHOWN_GRANTS`] busiest of them.
pub const TRACKED_GRANTS: usize = 64;
/// A grant's series has one bucket for this many of the axis: 256 at most, so that many
/// grants can be followed from their first charge in little memory.
pub const GRANT_STRIDE: usize = 8;
/// Busiest grants drawn per grant-scope counter.
pub const SHOWN_GRANTS: usize = 5;
/// Grants ranked one by one (by the engine's grant number); later ones still count in the
/// counter's own series and peak, but cannot be drawn on their own.
pub const MAX_RANKED_GRANTS: usize = 10_000;
/// Denials listed per rule and reason.
pub const FIRST_DENIALS: usize = 5;
/// Expectation failures listed (the summary counts them all).
pub const MAX_EXPECT_FAILURES: usize = 100;
/// Counters drawn at most; the others are in the counters table.
pub const MAX_CHARTS: usize = 48;
/// Rows of the tools table (the busiest; the rest are summed in one row).
pub const MAX_TOOL_ROWS: usize = 200;
/// Rows of the rules table (the rules that denied most).
pub const MAX_RULE_ROWS: usize = 200;
/// Rows of the counters table.
pub const MAX_COUNTER_ROWS: usize = 500;
/// Points of all the series together, by default: about 40 bytes each once drawn and
/// written as data, which keeps the page well under 3 MB.
pub const POINTS_BUDGET: usize = 40_000;

/// The narrowest time bucket: a millisecond. Widths are this times a power of two.
const BASE_MS: u64 = 1;
const REASONS: usize = Reason::ALL.len();

/// One bucket of a level series: the highest level a charge in it reached; negative:
/// nothing charged in it. When the level surely fell back to 0 follows from the bucket's end
/// and the counter's window (an upper bound by at most one bucket).
type Bucket = f64;

const EMPTY: Bucket = -1.0;

/// A level series: grown up to the last bucket charged.
#[derive(Debug, Clone, Default)]
struct Series {
    buckets: Vec<Bucket>,
}

impl Series {
    fn set(&mut self, i: usize, level: f64) {
        if self.buckets.len() <= i {
            self.buckets.resize(i + 1, EMPTY);
        }
        let b = &mut self.buckets[i];
        *b = b.max(level);
    }

    fn halve(&mut self) {
        halve(&mut self.buckets, f64::max, EMPTY);
    }
}

/// Merges buckets pairwise, in place.
fn halve<T: Copy>(v: &mut Vec<T>, merge: impl Fn(T, T) -> T, empty: T) {
    let n = v.len().div_ceil(2);
    for i in 0..n {
        let b = v.get(2 * i + 1).copied().unwrap_or(empty);
        v[i] = merge(v[2 * i], b);
    }
    v.truncate(n);
}

fn add_counts<const N: usize>(a: [u32; N], b: [u32; N]) -> [u32; N] {
    let mut out = a;
    for (o, x) in out.iter_mut().zip(b) {
        *o = o.saturating_add(x);
    }
    out
}

/// Every series on one axis.
#[derive(Debug, Clone)]
struct Track {
    /// Axis units (seconds, or calls) per bucket.
    width: f64,
    /// Width in [`BASE_MS`] (time) or calls: a power of two.
    scale: u64,
    /// Buckets in use: the last call's bucket + 1.
    used: usize,
    /// Per counter: its own series (the worst grant's level, for grant scope).
    main: Vec<Series>,
    /// Per counter: calls its limits denied (`rate_limited`) per bucket.
    exceeded: Vec<Vec<u32>>,
    /// Per counter, per tracked grant slot.
    grants: Vec<Vec<Series>>,
    /// Denials per bucket, by reason.
    denials: Vec<[u32; REASONS]>,
}

impl Track {
    fn new(counters: usize, width: f64) -> Track {
        Track {
            width,
            scale: 1,
            used: 0,
            main: (0..counters)
                .map(|_| Series {
                    buckets: Vec::with_capacity(MAX_BUCKETS),
                })
                .collect(),
            exceeded: vec![Vec::new(); counters],
            grants: vec![Vec::new(); counters],
            denials: Vec::with_capacity(MAX_BUCKETS),
        }
    }

    /// The bucket of `x` (axis units after the start), merging buckets until it fits.
    fn index(&mut self, x: f64) -> usize {
        let mut i = (x / self.width) as usize;
        while i >= MAX_BUCKETS {
            self.halve();
            i = (x / self.width) as usize;
        }
        self.used = self.used.max(i + 1);
        i
    }

    fn halve(&mut self) {
        self.width *= 2.0;
        self.scale *= 2;
        self.used = self.used.div_ceil(2);
        for s in &mut self.main {
            s.halve();
        }
        for e in &mut self.exceeded {
            halve(e, u32::saturating_add, 0);
        }
        for g in self.grants.iter_mut().flatten() {
            g.halve();
        }
        halve(&mut self.denials, add_counts, [0; REASONS]);
    }

    fn deny(&mut self, i: usize, reason: Reason, counter: Option<usize>) {
        if self.denials.len() <= i {
            self.denials.resize(i + 1, [0; REASONS]);
        }
        self.denials[i][reason as usize] += 1;
        if let Some(c) = counter {
            let e = &mut self.exceeded[c];
            if e.len() <= i {
                e.resize(i + 1, 0);
            }
            e[i] += 1;
        }
    }

    fn charge(&mut self, c: usize, slot: Option<(usize, bool)>, i: usize, level: f64) {
        self.main[c].set(i, level);
        if let Some((slot, fresh)) = slot {
            let grants = &mut self.grants[c];
            if grants.len() <= slot {
                grants.resize_with(slot + 1, || Series {
                    buckets: Vec::with_capacity(MAX_BUCKETS / GRANT_STRIDE),
                });
            }
            if fresh {
                grants[slot].buckets.clear();
            }
            grants[slot].set(i / GRANT_STRIDE, level);
        }
    }
}

/// A counter of the policy: limits that agree on name, window, algorithm and scope share it.
#[derive(Debug, Clone)]
struct Counter {
    name: String,
    window: u64,
    algorithm: Algorithm,
    scope: Scope,
    limits: Vec<LimitRef>,
    /// Where its first limit starts in the policy text: counters are listed in that order.
    offset: usize,
    charged: u64,
    units: f64,
    peak: f64,
    peak_time: f64,
    peak_grant: Option<(u32, String)>,
    exceeded: u64,
    first_exceeded: Option<Place>,
    /// Per grant number (the first [`MAX_RANKED_GRANTS`] grants): units charged (-1: none
    /// yet) and its slot in `tracked`.
    by_grant: Vec<(f64, u8)>,
    /// The least units of a tracked grant, and its slot; recomputed when `least_stale`.
    least: (f64, u8),
    least_stale: bool,
    grants_seen: usize,
    tracked: Vec<Tracked>,
}

/// A grant without a slot in `tracked`.
const UNTRACKED: u8 = u8::MAX;

#[derive(Debug, Clone)]
struct Tracked {
    grant: u32,
    name: String,
    /// Tracked from its first charge on; else drawn from `since` on.
    complete: bool,
    /// When tracking began: seconds after the start, and the call's number (from 0).
    since: (f64, f64),
}

impl Counter {
    /// Counts a charge by `grant`; the grant's tracked slot, and whether it is new.
    fn rank(
        &mut self,
        grant: u32,
        units: f64,
        name: &str,
        since: (f64, f64),
    ) -> Option<(usize, bool)> {
        let g = grant as usize;
        if g >= MAX_RANKED_GRANTS {
            return None;
        }
        if self.by_grant.len() <= g {
            self.by_grant.resize(g + 1, (-1.0, UNTRACKED));
        }
        let (count, slot) = &mut self.by_grant[g];
        if *count < 0.0 {
            *count = 0.0;
            self.grants_seen += 1;
        }
        let before = *count;
        *count += units;
        let (total, slot) = (*count, *slot);
        if slot != UNTRACKED {
            // Only the least tracked grant's growth can change which is least.
            self.least_stale |= slot == self.least.1;
            return Some((usize::from(slot), false));
        }
        let tracked = Tracked {
            grant,
            name: clip(name).into_owned(),
            complete: before == 0.0,
            since,
        };
        if self.tracked.len() < TRACKED_GRANTS {
            self.by_grant[g].1 = self.tracked.len() as u8;
            self.tracked.push(tracked);
            self.least_stale = true;
            return Some((self.tracked.len() - 1, true));
        }
        if self.least_stale {
            let by_grant = &self.by_grant;
            self.least = self
                .tracked
                .iter()
                .enumerate()
                .map(|(i, t)| (by_grant[t.grant as usize].0, i as u8))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .unwrap_or((0.0, 0));
            self.least_stale = false;
        }
        // Every untracked grant has charged no more than the least of the tracked: the
        // tracked ones are the busiest whenever the trace ends.
        if total <= self.least.0 {
            return None;
        }
        let i = self.least.1;
        let out = &mut self.tracked[usize::from(i)];
        self.by_grant[out.grant as usize].1 = UNTRACKED;
        *out = tracked;
        self.by_grant[g].1 = i;
        self.least_stale = true;
        Some((usize::from(i), true))
    }
}

/// A limit of the policy, as the report names it.
#[derive(Debug, Clone, Serialize)]
pub struct LimitRef {
    /// The limit's JSON pointer.
    pub pointer: String,
    /// `file:line:column` in the policy.
    pub at: String,
    pub max: u64,
}

/// A place in the traces.
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

/// One denial, as listed under its rule.
#[derive(Debug, Clone, Serialize)]
pub struct Denial {
    pub file: String,
    pub line: usize,
    pub tool: String,
    pub grant: String,
}

/// One failed `expect`.
#[derive(Debug, Clone, Serialize)]
pub struct ExpectFailure {
    pub file: String,
    pub line: usize,
    pub tool: String,
    pub grant: String,
    pub expected: String,
    pub got: String,
    pub rule: String,
    pub at: String,
}

/// Gathers the report while the simulator replays the traces: an [`Output`] to run beside
/// the one that writes `--format` (see [`crate::sim::Tee`]).
pub struct Recorder {
    counters: Vec<Counter>,
    /// Counter class (a charge key's high 32 bits) → counter, learnt on first sight.
    by_class: Vec<Option<usize>>,
    /// Tool → the counter of each of its limits, in order.
    by_tool: HashMap<String, Vec<usize>>,
    all_tools: Vec<usize>,
    /// Rule → the counter, for rules that are limits.
    by_rule: Vec<Option<usize>>,
    /// The time of the first call, the axis start.
    start: Option<f64>,
    last_time: f64,
    calls: u64,
    time: Option<Track>,
    /// The call-number axis, kept while every call happened at one instant.
    sequence: Option<Track>,
    /// The first denials per rule and reason, at `rule × REASONS + reason`.
    first_denials: Vec<Vec<Denial>>,
    expect_failures: Vec<ExpectFailure>,
}

impl Recorder {
    pub fn new(engine: &Engine) -> Recorder {
        let policy = engine.policy();
        let mut counters: Vec<Counter> = Vec::new();
        let mut by_pointer = HashMap::new();
        let mut identify = |limits: &[crate::policy::Limit], base: &str| -> Vec<usize> {
            limits
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let pointer = format!("{base}/limits/{i}");
                    let same = |c: &Counter| {
                        c.name == l.counter.value
                            && c.window == l.window.value
                            && c.algorithm == l.algorithm
                            && c.scope == l.scope
                    };
                    let at = policy.location(l.span).to_string();
                    let limit = LimitRef {
                        pointer: pointer.clone(),
                        at,
                        max: l.max.value,
                    };
                    let c = match counters.iter().position(same) {
                        Some(c) => {
                            counters[c].limits.push(limit);
                            counters[c].offset = counters[c].offset.min(l.span.start);
                            c
                        }
                        None => {
                            counters.push(Counter {
                                name: l.counter.value.clone(),
                                window: l.window.value,
                                algorithm: l.algorithm,
                                scope: l.scope,
                                limits: vec![limit],
                                offset: l.span.start,
                                charged: 0,
                                units: 0.0,
                                peak: 0.0,
                                peak_time: 0.0,
                                peak_grant: None,
                                exceeded: 0,
                                first_exceeded: None,
                                by_grant: Vec::new(),
                                grants_seen: 0,
                                tracked: Vec::new(),
                                least: (0.0, 0),
                                least_stale: true,
                            });
                            counters.len() - 1
                        }
                    };
                    by_pointer.insert(pointer, c);
                    c
                })
                .collect()
        };
        let all_tools = identify(&policy.all_tools, "/all_tools");
        let mut by_tool = HashMap::new();
        for t in &policy.tools {
            let ids = identify(&t.limits, &t.pointer());
            by_tool.insert(t.name.clone(), ids);
        }
        let by_rule = engine
            .rules()
            .iter()
            .map(|r| by_pointer.get(&r.pointer).copied())
            .collect();
        Recorder {
            counters,
            by_class: Vec::new(),
            by_tool,
            all_tools,
            by_rule,
            start: None,
            last_time: 0.0,
            calls: 0,
            time: None,
            sequence: None,
            first_denials: Vec::new(),
            expect_failures: Vec::new(),
        }
    }

    /// The counter a charge went to, learning the classes of the call's charges on first
    /// sight: charges come one per limit, the tool's limits then `all_tools`.
    fn counter_of(&mut self, tool: &str, charges: &[Charge], charge: &Charge) -> Option<usize> {
        let class = (charge.key >> 32) as usize;
        if let Some(Some(c)) = self.by_class.get(class) {
            return Some(*c);
        }
        let limits = self
            .by_tool
            .get(tool)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (ch, &c) in charges.iter().zip(limits.iter().chain(&self.all_tools)) {
            let k = (ch.key >> 32) as usize;
            if self.by_class.len() <= k {
                self.by_class.resize(k + 1, None);
            }
            self.by_class[k] = Some(c);
        }
        self.by_class.get(class).copied().flatten()
    }
}

impl Output for Recorder {
    fn progress(&mut self, _bytes: u64) {}

    fn decided(&mut self, engine: &Engine, d: &Decided, _args: Arg) -> io::Result<()> {
        let start = *self.start.get_or_insert(d.time);
        let n = self.counters.len();
        if self.time.is_none() {
            self.time = Some(Track::new(n, BASE_MS as f64 / 1000.0));
            self.sequence = Some(Track::new(n, 1.0));
        }
        if d.time != start {
            // Time moves: the time axis is the one drawn.
            self.sequence = None;
        }
        self.last_time = d.time;
        let offset = d.time - start;
        let seq_x = self.calls as f64;
        self.calls += 1;
        let (Some(time), sequence) = (&mut self.time, &mut self.sequence) else {
            return Ok(());
        };
        let ti = time.index(offset);
        let si = sequence.as_mut().map(|s| s.index(seq_x));
        let o = d.outcome;
        if let Some(reason) = o.reason {
            let counter = if reason == Reason::RateLimited {
                self.by_rule.get(o.rule).copied().flatten()
            } else {
                None
            };
            time.deny(ti, reason, counter);
            if let (Some(s), Some(si)) = (sequence.as_mut(), si) {
                s.deny(si, reason, counter);
            }
            if let Some(c) = counter {
                let c = &mut self.counters[c];
                c.exceeded += 1;
                c.first_exceeded.get_or_insert_with(|| Place {
                    file: d.file.to_string(),
                    line: d.line,
                });
            }
            let at = o.rule * REASONS + reason as usize;
            if self.first_denials.len() <= at {
                self.first_denials.resize(at + 1, Vec::new());
            }
            let list = &mut self.first_denials[at];
            if list.len() < FIRST_DENIALS {
                list.push(Denial {
                    file: d.file.to_string(),
                    line: d.line,
                    tool: clip(d.tool).into_owned(),
                    grant: clip(d.grant).into_owned(),
                });
            }
        }
        if d.expect_ok() == Some(false) && self.expect_failures.len() < MAX_EXPECT_FAILURES {
            let rule = engine.rule(o.rule);
            self.expect_failures.push(ExpectFailure {
                file: d.file.to_string(),
                line: d.line,
                tool: clip(d.tool).into_owned(),
                grant: clip(d.grant).into_owned(),
                expected: d.expect.map(|e| e.to_string()).unwrap_or_default(),
                got: match o.reason {
                    Some(r) => format!("deny ({r})"),
                    None => o.decision.to_string(),
                },
                rule: clip(&rule.pointer).into_owned(),
                at: rule.location.to_string(),
            });
        }
        if o.decision == Decision::Deny {
            return Ok(());
        }
        for charge in o.charges.iter() {
            let Some(c) = self.counter_of(d.tool, &o.charges, charge) else {
                continue;
            };
            let (Some(time), sequence) = (&mut self.time, &mut self.sequence) else {
                return Ok(());
            };
            let level = engine.level(charge);
            let counter = &mut self.counters[c];
            counter.charged += 1;
            counter.units += charge.units;
            let grant = charge.key as u32;
            let scoped = counter.scope == Scope::Grant;
            if level > counter.peak {
                counter.peak = level;
                counter.peak_time = d.time;
                if scoped && counter.peak_grant.as_ref().is_none_or(|(g, _)| *g != grant) {
                    counter.peak_grant = Some((grant, clip(d.grant).into_owned()));
                }
            }
            let slot = if scoped {
                counter.rank(grant, charge.units, d.grant, (offset, seq_x))
            } else {
                None
            };
            time.charge(c, slot, ti, level);
            if let (Some(s), Some(si)) = (sequence.as_mut(), si) {
                s.charge(c, slot, si, level);
            }
        }
        Ok(())
    }

    fn malformed(&mut self, _: &str, _: usize, _: &Malformed, _: &str) -> io::Result<()> {
        Ok(())
    }

    fn clock_went_back(&mut self, _: &str, _: usize, _: f64, _: f64) -> io::Result<()> {
        Ok(())
    }
}

/// The report's data: everything the page shows, as numbers and names.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub policy: String,
    pub traces: Vec<String>,
    pub axis: Axis,
    pub summary: Summary,
    /// Every counter of the policy, in the policy's order (the first
    /// [`MAX_COUNTER_ROWS`]).
    pub counters: Vec<CounterReport>,
    /// Counters of the policy past [`MAX_COUNTER_ROWS`], not listed.
    pub counters_not_listed: usize,
    pub denials: DenialSeries,
    pub tools: Vec<ToolRow>,
    /// The tools past [`MAX_TOOL_ROWS`], summed (`tool` says how many).
    pub other_tools: Option<ToolRow>,
    pub rules: Vec<RuleRow>,
    pub rules_not_listed: usize,
    pub expectation_failures: Vec<ExpectFailure>,
}

/// The shared horizontal axis.
#[derive(Debug, Clone, Serialize)]
pub struct Axis {
    /// `time`: bucket `i` starts `i × bucket` ms after `start`; `call`: bucket `i` holds
    /// calls `i × bucket + 1 …`, numbered in trace order.
    pub kind: AxisKind,
    /// UNIX seconds of the first call (`time`).
    #[serde(serialize_with = "number")]
    pub start: f64,
    /// UNIX seconds of the last call.
    #[serde(serialize_with = "number")]
    pub end: f64,
    /// Milliseconds (`time`) or calls (`call`) per bucket.
    pub bucket: u64,
    /// Buckets in use: every series' points fall in `0..buckets`.
    pub buckets: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AxisKind {
    Time,
    Call,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub calls: u64,
    pub skipped: u64,
    pub allow: u64,
    pub deny: u64,
    pub approve: u64,
    #[serde(serialize_with = "reason_map")]
    pub by_reason: Vec<(Reason, u64)>,
    pub expect_failed: u64,
    pub malformed: u64,
    /// JSON-RPC calls, evaluated at the time of the line before.
    pub untimed: u64,
}

/// One counter: its limits, what it saw, and its series.
#[derive(Debug, Clone, Serialize)]
pub struct CounterReport {
    pub name: String,
    pub scope: &'static str,
    pub window: String,
    pub window_s: u64,
    pub algorithm: &'static str,
    pub limits: Vec<LimitRef>,
    /// Charges to it (one per allowed call per limit).
    pub charged: u64,
    #[serde(serialize_with = "number")]
    pub units: f64,
    /// The highest level a call took it to.
    #[serde(serialize_with = "number")]
    pub peak: f64,
    pub peak_at: Option<String>,
    pub peak_grant: Option<String>,
    /// Calls its limits denied (`rate_limited`).
    pub exceeded: u64,
    pub first_exceeded: Option<Place>,
    /// Grants that charged it (grant scope).
    pub grants: Option<usize>,
    /// Whether the page draws it (at most [`MAX_CHARTS`] are).
    pub charted: bool,
    /// The counter's own series first (for grant scope, the worst grant at each instant),
    /// then the busiest grants.
    pub series: Vec<SeriesReport>,
    /// `[bucket, calls denied]` for each bucket in which its limits denied calls.
    pub exceeded_at: Vec<(usize, u32)>,
}

/// A step line: `[bucket, level]`, each level held until the next step (the last until
/// the axis ends). A step to 0 is where the window had surely emptied.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesReport {
    pub label: String,
    /// The grant drawn (a busiest grant's series).
    pub grant: Option<String>,
    /// Units the grant charged.
    #[serde(serialize_with = "opt_number")]
    pub units: Option<f64>,
    /// The bucket the series starts at, when a grant was tracked only once it became one of
    /// the busiest (earlier charges are not drawn).
    pub from: Option<usize>,
    #[serde(serialize_with = "steps")]
    pub steps: Vec<(usize, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DenialSeries {
    /// The reasons that denied, in [`Reason::ALL`] order.
    pub reasons: Vec<&'static str>,
    /// `[bucket, [denials per reason, in the order of reasons]]` for each bucket with any.
    pub buckets: Vec<(usize, Vec<u32>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolRow {
    pub tool: String,
    pub calls: u64,
    pub allow: u64,
    pub approve: u64,
    pub deny: u64,
    #[serde(serialize_with = "reason_map")]
    pub by_reason: Vec<(Reason, u64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub rule: String,
    pub at: String,
    pub reason: &'static str,
    pub count: u64,
    /// The first [`FIRST_DENIALS`] denials, in trace order.
    pub first: Vec<Denial>,
}

impl Recorder {
    /// The report, its series reduced (by merging buckets pairwise, all alike) so that
    /// every series together holds at most about `points` points.
    pub fn report(
        &self,
        engine: &Engine,
        tally: &Tally,
        traces: &[String],
        points: usize,
    ) -> Report {
        let policy = engine.policy();
        let (kind, track) = match (&self.sequence, &self.time) {
            (Some(s), _) if self.calls > 1 => (AxisKind::Call, Some(s)),
            (_, t) => (AxisKind::Time, t.as_ref()),
        };
        let mut order: Vec<usize> = (0..self.counters.len()).collect();
        order.sort_by_key(|&c| self.counters[c].offset);
        order.truncate(MAX_COUNTER_ROWS);
        let charted = self.charted(&order);
        let shown =
            |c: &Counter| c.tracked.len().min(SHOWN_GRANTS) * usize::from(c.grants_seen > 1);
        let series: usize = charted
            .iter()
            .map(|&c| 1 + shown(&self.counters[c]))
            .sum::<usize>()
            + REASONS;
        let per_series = (points / series.max(1)).clamp(16, MAX_BUCKETS);
        let empty = Track::new(self.counters.len(), BASE_MS as f64 / 1000.0);
        let t = View::new(track.unwrap_or(&empty), per_series);
        let t = &t;
        let start = self.start.unwrap_or(0.0);
        let axis = Axis {
            kind,
            start,
            end: self.last_time.max(start),
            bucket: t.scale * if kind == AxisKind::Time { BASE_MS } else { 1 },
            buckets: t.used,
        };
        let counters = order
            .iter()
            .map(|&c| self.counter_report(c, charted.contains(&c), shown, t, kind))
            .collect();
        let present: Vec<Reason> = Reason::ALL
            .into_iter()
            .filter(|&r| tally.by_reason.iter().any(|&(k, n)| k == r && n > 0))
            .collect();
        let denials = DenialSeries {
            reasons: present.iter().map(|r| r.as_str()).collect(),
            buckets: t
                .denials()
                .iter()
                .enumerate()
                .filter(|(_, d)| d.iter().any(|&n| n > 0))
                .map(|(i, d)| (i, present.iter().map(|&r| d[r as usize]).collect()))
                .collect(),
        };
        let (tools, other_tools) = tool_rows(tally);
        let mut rules: Vec<_> = tally.by_rule.iter().collect();
        rules.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        let rules_not_listed = rules.len().saturating_sub(MAX_RULE_ROWS);
        let rules = rules
            .into_iter()
            .take(MAX_RULE_ROWS)
            .map(|(&(id, reason), r)| {
                let rule = engine.rule(id);
                RuleRow {
                    rule: clip(&rule.pointer).into_owned(),
                    at: rule.location.to_string(),
                    reason: reason.as_str(),
                    count: r.count,
                    first: self
                        .first_denials
                        .get(id * REASONS + reason as usize)
                        .cloned()
                        .unwrap_or_default(),
                }
            })
            .collect();
        Report {
            policy: policy.source.name().to_string(),
            traces: traces.iter().map(|t| clip(t).into_owned()).collect(),
            axis,
            summary: Summary {
                calls: tally.calls,
                skipped: tally.skipped,
                allow: tally.allow,
                deny: tally.deny,
                approve: tally.approve,
                by_reason: tally.by_reason.clone(),
                expect_failed: tally.expect_failed,
                malformed: tally.malformed,
                untimed: tally.untimed,
            },
            counters,
            counters_not_listed: self.counters.len().saturating_sub(MAX_COUNTER_ROWS),
            denials,
            tools,
            other_tools,
            rules,
            rules_not_listed,
            expectation_failures: self.expect_failures.clone(),
        }
    }

    /// The counters drawn: all of them up to [`MAX_CHARTS`], else those most pressed
    /// (denials, then peak against max, then charges), kept in the policy's order.
    fn charted(&self, order: &[usize]) -> Vec<usize> {
        if order.len() <= MAX_CHARTS {
            return order.to_vec();
        }
        let pressure = |c: &Counter| {
            let max = c.limits.iter().map(|l| l.max).min().unwrap_or(0).max(1) as f64;
            (c.exceeded, c.peak / max, c.charged)
        };
        let mut ranked = order.to_vec();
        ranked.sort_by(|&a, &b| {
            let (pa, pb) = (pressure(&self.counters[a]), pressure(&self.counters[b]));
            pb.0.cmp(&pa.0)
                .then(pb.1.total_cmp(&pa.1))
                .then(pb.2.cmp(&pa.2))
        });
        ranked.truncate(MAX_CHARTS);
        order
            .iter()
            .copied()
            .filter(|c| ranked.contains(c))
            .collect()
    }

    fn counter_report(
        &self,
        c: usize,
        charted: bool,
        shown: impl Fn(&Counter) -> usize,
        t: &View,
        kind: AxisKind,
    ) -> CounterReport {
        let counter = &self.counters[c];
        let scoped = counter.scope == Scope::Grant;
        let mut series = Vec::new();
        if charted {
            let single = (counter.grants_seen == 1)
                .then(|| counter.tracked.first())
                .flatten();
            let label = match (scoped, single) {
                (false, _) => "units used".to_string(),
                (true, Some(g)) => format!("grant {}", g.name),
                (true, None) => "worst grant at each instant".to_string(),
            };
            series.push(SeriesReport {
                label,
                grant: single.map(|g| g.name.clone()),
                units: single.map(|_| counter.units),
                from: None,
                steps: self.steps(
                    counter,
                    (&t.series(&t.track.main[c]), 1),
                    0,
                    t,
                    kind,
                    scoped && single.is_none(),
                ),
            });
            let mut busiest: Vec<(usize, &Tracked)> = counter.tracked.iter().enumerate().collect();
            busiest.sort_by(|a, b| {
                let units = |t: &Tracked| counter.by_grant[t.grant as usize].0;
                units(b.1)
                    .total_cmp(&units(a.1))
                    .then(a.1.name.cmp(&b.1.name))
            });
            busiest.truncate(shown(counter));
            for (slot, g) in busiest {
                let since = match kind {
                    AxisKind::Time => g.since.0,
                    AxisKind::Call => g.since.1,
                };
                let from = if g.complete {
                    0
                } else {
                    (since / t.width) as usize
                };
                let empty = Series::default();
                let s = t.grant_series(t.track.grants[c].get(slot).unwrap_or(&empty));
                series.push(SeriesReport {
                    label: format!("grant {}", g.name),
                    grant: Some(g.name.clone()),
                    units: Some(counter.by_grant[g.grant as usize].0),
                    // From the first bucket is whole at the chart's resolution.
                    from: (from > 0).then_some(from),
                    steps: self.steps(counter, (&s.0, s.1), from, t, kind, false),
                });
            }
        }
        CounterReport {
            name: clip(&counter.name).into_owned(),
            scope: counter.scope.as_str(),
            window: window_name(counter.window),
            window_s: counter.window,
            algorithm: counter.algorithm.as_str(),
            limits: counter
                .limits
                .iter()
                .map(|l| LimitRef {
                    pointer: clip(&l.pointer).into_owned(),
                    at: l.at.clone(),
                    max: l.max,
                })
                .collect(),
            charged: counter.charged,
            units: counter.units,
            peak: counter.peak,
            peak_at: (counter.charged > 0).then(|| format_ts(counter.peak_time)),
            peak_grant: counter.peak_grant.as_ref().map(|(_, n)| n.clone()),
            exceeded: counter.exceeded,
            first_exceeded: counter.first_exceeded.clone(),
            grants: scoped.then_some(counter.grants_seen),
            charted,
            series,
            exceeded_at: if charted {
                t.exceeded(c)
                    .iter()
                    .enumerate()
                    .filter(|(_, &n)| n > 0)
                    .map(|(i, &n)| (i, n))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The step line of a series (its buckets, each `stride` buckets of the view wide) from
    /// bucket `from` on: 0 before the first charge, then each bucket's highest level, held until the next charge or (time axis) until the
    /// window has surely emptied, where it steps to 0. With `envelope` (the worst of many
    /// grants), a level is held until its window emptied even past later, lower charges
    /// (those may be another grant's): the line is the highest level any grant held.
    fn steps(
        &self,
        counter: &Counter,
        (s, stride): (&[Bucket], usize),
        from: usize,
        t: &View,
        kind: AxisKind,
        envelope: bool,
    ) -> Vec<(usize, f64)> {
        let start = self.start.unwrap_or(0.0);
        let window = counter.window as f64;
        // (bucket, level, bucket from which the level is surely gone)
        let held: Vec<(usize, f64, usize)> = s
            .iter()
            .enumerate()
            .filter(|&(j, &b)| b >= 0.0 && (j + 1) * stride > from)
            .map(|(j, b)| {
                let i = (j * stride).max(from);
                let gone = match kind {
                    AxisKind::Call => usize::MAX,
                    AxisKind::Time => {
                        // As if the bucket's last charge came at its end.
                        let last = start + ((j + 1) * stride) as f64 * t.width;
                        let empty_at = match counter.algorithm {
                            Algorithm::Fixed => ((last / window).floor() + 1.0) * window,
                            Algorithm::Sliding => last + window,
                        };
                        let at = ((empty_at - start) / t.width).ceil();
                        if at >= usize::MAX as f64 {
                            usize::MAX
                        } else {
                            (at as usize).max(i + 1)
                        }
                    }
                };
                (i, *b, gone)
            })
            .collect();
        let mut out: Vec<(usize, f64)> = vec![(from, 0.0)];
        let push = |out: &mut Vec<(usize, f64)>, at: usize, v: f64| match out.last_mut() {
            Some(last) if last.0 == at => last.1 = v,
            Some(last) if last.1 == v => {}
            _ => out.push((at, v)),
        };
        if !envelope {
            for (k, &(i, v, gone)) in held.iter().enumerate() {
                push(&mut out, i, v);
                let next = held.get(k + 1).map_or(t.used, |h| h.0);
                if gone < next {
                    push(&mut out, gone, 0.0);
                }
            }
        } else {
            // A sweep over the places where a level starts or is gone, the highest live
            // level on top of a heap (levels are not negative: their bits order them).
            let mut places: Vec<usize> = held
                .iter()
                .flat_map(|&(i, _, gone)| [i, gone])
                .filter(|&p| p < t.used)
                .collect();
            places.sort_unstable();
            places.dedup();
            let mut live = std::collections::BinaryHeap::new();
            let mut next = 0;
            for p in places {
                while let Some(&(i, v, gone)) = held.get(next) {
                    if i > p {
                        break;
                    }
                    live.push((v.to_bits(), gone));
                    next += 1;
                }
                while live.peek().is_some_and(|&(_, gone)| gone <= p) {
                    live.pop();
                }
                let v = live.peek().map_or(0.0, |&(bits, _)| f64::from_bits(bits));
                push(&mut out, p, v);
            }
        }
        out
    }
}

/// A track seen `factor` buckets to one, so that no series has more than it may.
struct View<'t> {
    track: &'t Track,
    factor: usize,
    width: f64,
    scale: u64,
    used: usize,
}

impl<'t> View<'t> {
    fn new(track: &'t Track, most: usize) -> View<'t> {
        let mut factor = 1;
        while track.used.div_ceil(factor) > most.max(1) {
            factor *= 2;
        }
        View {
            track,
            factor,
            width: track.width * factor as f64,
            scale: track.scale * factor as u64,
            used: track.used.div_ceil(factor),
        }
    }

    fn series(&self, s: &Series) -> Vec<Bucket> {
        reduce(&s.buckets, self.factor, f64::max)
    }

    /// A grant's series, and how many of the view's buckets each of its buckets spans.
    fn grant_series(&self, s: &Series) -> (Vec<Bucket>, usize) {
        if self.factor >= GRANT_STRIDE {
            (reduce(&s.buckets, self.factor / GRANT_STRIDE, f64::max), 1)
        } else {
            (s.buckets.clone(), GRANT_STRIDE / self.factor)
        }
    }

    fn exceeded(&self, c: usize) -> Vec<u32> {
        reduce(&self.track.exceeded[c], self.factor, u32::saturating_add)
    }

    fn denials(&self) -> Vec<[u32; REASONS]> {
        reduce(&self.track.denials, self.factor, add_counts)
    }
}

/// Merges every `factor` buckets into one (as many pairwise merges would).
fn reduce<T: Copy>(v: &[T], factor: usize, merge: impl Fn(T, T) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(v.len().div_ceil(factor));
    for chunk in v.chunks(factor) {
        let mut acc = chunk[0];
        for &x in &chunk[1..] {
            acc = merge(acc, x);
        }
        out.push(acc);
    }
    out
}

/// The busiest tools (calls, then name), and the rest summed in one row.
fn tool_rows(tally: &Tally) -> (Vec<ToolRow>, Option<ToolRow>) {
    let mut tools: Vec<_> = tally.by_tool.iter().collect();
    tools.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(b.0)));
    let row = |name: String, c: &crate::sim::Counts| ToolRow {
        tool: name,
        calls: c.calls,
        allow: c.allow,
        approve: c.approve,
        deny: c.deny,
        by_reason: c.by_reason().collect(),
    };
    let rest = tools.split_off(tools.len().min(MAX_TOOL_ROWS));
    let other = (!rest.is_empty()).then(|| {
        let mut sum = crate::sim::Counts::default();
        let mut reasons = [0u64; REASONS];
        for (_, c) in &rest {
            sum.calls += c.calls;
            sum.allow += c.allow;
            sum.approve += c.approve;
            sum.deny += c.deny;
            for (r, n) in c.by_reason() {
                reasons[r as usize] += n;
            }
        }
        let mut row = row(format!("({} more tools)", rest.len()), &sum);
        row.by_reason = Reason::ALL
            .into_iter()
            .zip(reasons)
            .filter(|&(_, n)| n > 0)
            .collect();
        row
    });
    let rows = tools
        .into_iter()
        .map(|(n, c)| row(clip(n).into_owned(), c))
        .collect();
    (rows, other)
}

/// A number as JSON writes it best: whole numbers without a fraction.
fn number<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

fn opt_number<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => number(v, s),
        None => s.serialize_none(),
    }
}

fn steps<S: Serializer>(v: &[(usize, f64)], s: S) -> Result<S::Ok, S::Error> {
    struct Step(usize, f64);
    impl Serialize for Step {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeTuple;
            let mut t = s.serialize_tuple(2)?;
            t.serialize_element(&self.0)?;
            t.serialize_element(&Num(self.1))?;
            t.end()
        }
    }
    struct Num(f64);
    impl Serialize for Num {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            number(&self.0, s)
        }
    }
    s.collect_seq(v.iter().map(|&(i, y)| Step(i, y)))
}

fn reason_map<S: Serializer>(v: &[(Reason, u64)], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(v.len()))?;
    for (r, n) in v {
        m.serialize_entry(r.as_str(), n)?;
    }
    m.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::sim::{Options, Simulator};
    use crate::source::SourceFile;

    fn policy(text: &str) -> Policy {
        Policy::parse(SourceFile::new("p.json", text)).expect("valid policy")
    }

    /// Replays `trace` with a recorder and returns the report and the recorder.
    fn replay(policy: &Policy, trace: &str, points: usize) -> (Report, Recorder) {
        let mut sim = Simulator::new(Engine::new(policy));
        let mut rec = Recorder::new(sim.engine());
        let run = sim.run("t.jsonl", trace.as_bytes(), &Options::default(), &mut rec);
        assert!(run.is_ok());
        let report = rec.report(sim.engine(), &sim.tally, &["t.jsonl".into()], points);
        (report, rec)
    }

    fn top(s: &SeriesReport) -> f64 {
        s.steps.iter().map(|&(_, v)| v).fold(0.0, f64::max)
    }

    /// 200,000 calls a second apart, and one burst at a single instant in the middle: the
    /// buckets merge many times, and the burst's level is still the series' highest point.
    #[test]
    fn a_peak_survives_downsampling() {
        let p = policy(
            r#"{"version":"1","default":"allow",
                "all_tools":{"limits":[{"counter":"c","window":10,"max":100000,"scope":"global"}]}}"#,
        );
        let mut trace = String::new();
        for i in 0..200_000u64 {
            trace.push_str(&format!("{{\"tool\":\"t\",\"ts\":{}}}\n", 1_000_000 + i));
            if i == 123_457 {
                for _ in 0..500 {
                    trace.push_str(&format!("{{\"tool\":\"t\",\"ts\":{}}}\n", 1_000_000 + i));
                }
            }
        }
        let (r, rec) = replay(&p, &trace, POINTS_BUDGET);
        let c = &r.counters[0];
        assert!(c.peak >= 501.0, "{}", c.peak);
        assert_eq!(top(&c.series[0]), c.peak);
        assert!(r.axis.buckets <= MAX_BUCKETS && r.axis.buckets > MAX_BUCKETS / 2);
        assert!(c.series[0].steps.len() <= 2 * MAX_BUCKETS);
        let time = rec.time.as_ref().expect("a time track");
        assert!(time.main[0].buckets.len() <= MAX_BUCKETS);
        assert!(time.denials.len() <= MAX_BUCKETS);
        // A smaller budget merges further and still keeps the peak.
        let (small, _) = replay(&p, &trace, 500);
        assert!(small.axis.buckets <= 500);
        assert_eq!(top(&small.counters[0].series[0]), c.peak);
    }

    /// The busiest grants are ranked exactly, even when they start late: a hundred grants
    /// one after the other, each busier than the one before.
    #[test]
    fn the_busiest_grants_are_found_exactly() {
        let p = policy(
            r#"{"version":"1","default":"allow",
                "all_tools":{"limits":[{"counter":"c","window":60,"max":1000000}]}}"#,
        );
        let trace = |grants: u64| {
            let mut trace = String::new();
            let mut t = 0;
            for g in 0..grants {
                for _ in 0..(g + 1) * 3 {
                    t += 1;
                    trace.push_str(&format!(
                        "{{\"tool\":\"t\",\"grant\":\"g{g}\",\"ts\":{}}}\n",
                        1_000_000 + t
                    ));
                }
            }
            trace
        };
        let (r, _) = replay(&p, &trace(100), POINTS_BUDGET);
        let c = &r.counters[0];
        assert_eq!(c.grants, Some(100));
        let grants: Vec<_> = c.series[1..]
            .iter()
            .filter_map(|s| s.grant.clone())
            .collect();
        assert_eq!(grants, ["g99", "g98", "g97", "g96", "g95"]);
        assert_eq!(c.series[1].units, Some(300.0));
        // Each came after 64 others and was tracked once it outgrew the least of them: its
        // line starts there, at the level the engine counted, not at 0.
        for s in &c.series[1..] {
            let from = s.from.expect("tracked late");
            assert_eq!(s.steps[0].0, from);
            assert!(s.steps[0].1 > 0.0, "{:?}", s.steps);
        }
        // With no more grants than are tracked, every line is whole from the start.
        let (r, _) = replay(&p, &trace(TRACKED_GRANTS as u64), POINTS_BUDGET);
        let c = &r.counters[0];
        assert_eq!(c.series.len(), 1 + SHOWN_GRANTS);
        assert!(c.series[1..]
            .iter()
            .all(|s| s.from.is_none() && s.steps[0] == (0, 0.0)));
    }

    /// Grant A fills its hourly count early; grant B charges once later. The worst grant's
    /// line stays at A's level until A's window ends, though B's charge is the later one.
    #[test]
    fn the_worst_grant_line_holds_every_grants_level() {
        let p = policy(
            r#"{"version":"1","default":"allow",
                "all_tools":{"limits":[{"counter":"c","window":3600,"max":100}]}}"#,
        );
        let mut trace = String::new();
        for i in 0..30 {
            trace.push_str(&format!(
                "{{\"tool\":\"t\",\"grant\":\"a\",\"ts\":{}}}\n",
                3600 * 1000 + i
            ));
        }
        trace.push_str("{\"tool\":\"t\",\"grant\":\"b\",\"ts\":3600600}\n");
        trace.push_str("{\"tool\":\"t\",\"grant\":\"b\",\"ts\":3603700}\n");
        let (r, _) = replay(&p, &trace, POINTS_BUDGET);
        let worst = &r.counters[0].series[0];
        assert_eq!(worst.label, "worst grant at each instant");
        let bucket_s = r.axis.bucket as f64 / 1000.0;
        let at = |secs: f64| {
            let b = (secs / bucket_s) as usize;
            worst
                .steps
                .iter()
                .take_while(|&&(i, _)| i <= b)
                .last()
                .map_or(0.0, |&(_, v)| v)
        };
        assert_eq!(at(600.0), 30.0, "{:?}", worst.steps);
        assert_eq!(at(3599.0), 30.0);
        // A's window is over; B's own charge in the new hour is its first there.
        assert_eq!(at(3700.0), 1.0, "{:?}", worst.steps);
    }

    /// Rate-limited denials are marked on the counter whose limit denied them.
    #[test]
    fn exceeded_moments_are_marked_on_their_counter() {
        let p = policy(
            r#"{"version":"1","default":"deny","tools":{
                "a":{"limits":[{"counter":"ca","window":60,"max":2}]},
                "b":{"limits":[{"counter":"cb","window":60,"max":5}]}}}"#,
        );
        let trace = "{\"tool\":\"a\",\"ts\":100}\n".repeat(5) + "{\"tool\":\"b\",\"ts\":100}\n";
        let (r, _) = replay(&p, &trace, POINTS_BUDGET);
        let (a, b) = (&r.counters[0], &r.counters[1]);
        assert_eq!((a.name.as_str(), a.exceeded, a.peak), ("ca", 3, 2.0));
        assert_eq!(a.exceeded_at.iter().map(|e| e.1).sum::<u32>(), 3);
        assert_eq!(a.first_exceeded.as_ref().map(|p| p.line), Some(3));
        assert_eq!((b.exceeded, b.exceeded_at.len()), (0, 0));
        assert_eq!(r.denials.reasons, ["rate_limited"]);
    }

    /// A JSON-RPC log carries no times: every call is at one instant, and the axis counts
    /// calls instead.
    #[test]
    fn calls_at_one_instant_are_drawn_by_call_number() {
        let p = policy(
            r#"{"version":"1","default":"allow",
                "all_tools":{"limits":[{"counter":"c","window":60,"max":3}]}}"#,
        );
        let call = |id: u32| {
            format!(
                "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/call\",\"params\":{{\"name\":\"t\"}}}}\n"
            )
        };
        let trace: String = (0..5).map(call).collect();
        let (r, _) = replay(&p, &trace, POINTS_BUDGET);
        assert_eq!(r.axis.kind, AxisKind::Call);
        assert_eq!((r.axis.bucket, r.axis.buckets), (1, 5));
        let worst = &r.counters[0].series[0];
        assert_eq!(worst.steps, [(0, 1.0), (1, 2.0), (2, 3.0)]);
        assert_eq!(r.counters[0].exceeded_at, [(3, 1), (4, 1)]);
        // Once time moves, the axis is time again.
        let timed = trace + "{\"tool\":\"t\",\"ts\":1000}\n";
        let (r, _) = replay(&p, &timed, POINTS_BUDGET);
        assert_eq!(r.axis.kind, AxisKind::Time);
    }

    /// Counters are the policy's: limits agreeing on name, window, algorithm and scope share
    /// one; the same name with another window is another.
    #[test]
    fn counters_are_named_and_shared_as_in_the_policy() {
        let p = policy(
            r#"{"version":"1","default":"deny","tools":{
                "a":{"limits":[{"counter":"shared","window":60,"max":2}]},
                "b":{"limits":[{"counter":"shared","window":60,"max":5},
                               {"counter":"shared","window":3600,"max":50}]}}}"#,
        );
        let trace = "{\"tool\":\"a\",\"ts\":100}\n{\"tool\":\"b\",\"ts\":100}\n";
        let (r, _) = replay(&p, trace, POINTS_BUDGET);
        let names: Vec<_> = r
            .counters
            .iter()
            .map(|c| (c.name.as_str(), c.window_s, c.limits.len()))
            .collect();
        assert_eq!(names, [("shared", 60, 2), ("shared", 3600, 1)]);
        assert_eq!((r.counters[0].peak, r.counters[1].peak), (2.0, 1.0));
    }
}
