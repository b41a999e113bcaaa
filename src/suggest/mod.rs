//! `suggest-limits`: limits sized from recorded traffic.
//!
//! The engine is the judge here too. The policy is turned into a *measuring policy*: the
//! same access rules, existing limits with a `max` no call can reach, and for every tool
//! (and `all_tools`) one *anchor* limit charging what a limit on that tool would (its first
//! limit's `increment` or `increment_from`, one item per batch entry for a batch tool, else
//! one per call). The trace is replayed through it exactly as `simulate` replays it (same
//! reader, JSON-RPC rollback), and each anchor charge feeds the tool's `Meter`, which
//! counts every window asked × fixed/sliding × grant/global with the engine's arithmetic
//! (window alignment, sliding boundary). The peak of a count's levels is the smallest `max`
//! that denies none of the recorded traffic, and one below it denies the call that set it.
//! An existing limit is read from the engine after each call, or, when it counts exactly
//! what one of its tool's meter cells counts, from that cell (and the measuring policy
//! leaves it out). The real policy runs alongside as a shadow, to count what its own limits
//! denied.
//!
//! Memory: 8 bytes per charge inside the longest window per stream (see `meter.rs`), one
//! live entry per existing counter and grant, and a fixed-size histogram per count.

pub mod histogram;
mod meter;
mod metering;
pub mod write;

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::sync::mpsc;

use serde_json::{json, Map, Value};

use crate::catalog::{signal_path, Catalog, Signal};
use crate::diagnostic::Diagnostic;
use crate::engine::counter::{window_index, Mark};
use crate::engine::hash::FastMap;
use crate::engine::{Charge, Engine, Reason};
use crate::json::tape::Arg;
use crate::policy::{window_name, Algorithm, Policy, Posture, Scope};
use crate::sim::trace::Malformed;
use crate::sim::{Decided, Options, Output, Simulator, Stop};
use crate::source::SourceFile;
use histogram::Histogram;
use meter::{Measured, Meter};
use metering::{Channel, Feed, Metering};

/// A `max` no recorded traffic reaches: the largest integer JSON carries exactly.
const UNREACHABLE: u64 = crate::json::MAX_SAFE_INT as u64;

/// Windows measured when the policy has no limit to take them from: a minute and an hour.
pub const DEFAULT_WINDOWS: [u64; 2] = [60, 3600];

/// What is measured for one limit, existing or proposed, and what was seen.
#[derive(Debug)]
pub struct Slot {
    /// `None`: `all_tools`.
    pub tool: Option<String>,
    /// The existing limit's counter; `None` for a measured, proposed one.
    pub counter: Option<String>,
    pub window: u64,
    pub algorithm: Algorithm,
    pub scope: Scope,
    /// The existing limit's `max`.
    pub current_max: Option<u64>,
    /// The existing limit's JSON pointer in the policy.
    pub pointer: Option<String>,
    /// Calls of the trace the existing limit denied.
    pub denied: u64,
    /// The highest level any allowed call took the count to.
    pub peak: f64,
    /// Aligned windows (per grant, for grant scope) in which the count was charged.
    pub windows: u64,
    /// Highest level in each such window.
    pub per_window: Histogram,
    /// Counter key → (aligned window index, highest level in it), for an existing limit.
    live: FastMap<u64, (i64, f64)>,
    /// Grants (or the one global count) a measured limit was charged for.
    grants_seen: usize,
}

impl Slot {
    fn new(tool: Option<&str>, window: u64, algorithm: Algorithm, scope: Scope) -> Slot {
        Slot {
            tool: tool.map(str::to_owned),
            counter: None,
            window,
            algorithm,
            scope,
            current_max: None,
            pointer: None,
            denied: 0,
            peak: 0.0,
            windows: 0,
            per_window: Histogram::default(),
            live: FastMap::default(),
            grants_seen: 0,
        }
    }

    fn record(&mut self, key: u64, time: f64, level: f64) {
        self.peak = self.peak.max(level);
        let index = window_index(time, self.window as f64);
        match self.live.get_mut(&key) {
            Some((i, high)) if *i == index => *high = high.max(level),
            Some(entry) => {
                self.per_window.add(entry.1);
                self.windows += 1;
                *entry = (index, level);
            }
            None => {
                self.live.insert(key, (index, level));
            }
        }
    }

    /// What a meter measured for this slot.
    fn absorb(&mut self, measured: Measured) {
        self.peak = self.peak.max(measured.peak);
        self.per_window = measured.per_window;
        self.windows += measured.windows;
        self.grants_seen += measured.grants;
    }

    /// Grants whose count was charged (1 for global scope with traffic).
    pub fn grants(&self) -> usize {
        self.live.len() + self.grants_seen
    }

    /// Closes the open windows into the statistics.
    fn finish(&mut self) {
        for (_, (_, high)) in self.live.iter() {
            self.per_window.add(*high);
        }
        self.windows += self.live.len() as u64;
    }
}

/// The measuring policy, and the tracker its limits report to.
pub struct Plan {
    pub measuring: Policy,
    pub tracker: Tracker,
}

/// Where a limit of the measuring policy reports.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// An existing limit: its slot.
    Existing(usize),
    /// A subject's anchor: its meter.
    Anchor(usize),
}

/// Where each limit of the measuring policy reports, and what they saw.
pub struct Tracker {
    pub slots: Vec<Slot>,
    /// Tool → where each of its limits reports, in the measuring policy's order.
    by_tool: FastMap<Box<str>, Vec<Target>>,
    all_tools: Vec<Target>,
    metering: Metering,
    /// Per meter, per window: the slots of `[fixed grant, fixed global, sliding grant,
    /// sliding global]`.
    meter_slots: Vec<Vec<[usize; 4]>>,
    /// Existing limits read from a meter: slot, meter, and (window, cell) in it.
    from_meter: Vec<(usize, usize, (usize, usize))>,
    /// The windows measured, ascending.
    windows: Vec<u64>,
    /// An existing limit's pointer in the real policy → its slot.
    by_pointer: HashMap<String, usize>,
}

impl Plan {
    /// Plans the measurement of `policy`'s traffic over `windows` (seconds; empty: the
    /// windows of its limits, else [`DEFAULT_WINDOWS`]). Tools measured: those the policy
    /// lists, and under `default: "allow"` every tool of the catalogue.
    pub fn new(
        policy: &Policy,
        catalog: &Catalog,
        windows: &[u64],
    ) -> Result<Plan, Vec<Diagnostic>> {
        let windows = if windows.is_empty() {
            policy_windows(policy)
        } else {
            let mut w = windows.to_vec();
            w.sort_unstable();
            w.dedup();
            w
        };
        let mut doc = policy.doc.value.to_serde();
        let mut by_tool = FastMap::default();
        let mut names: Vec<String> = policy.tools.iter().map(|t| t.name.clone()).collect();
        if policy.default.value == Posture::Allow {
            names.extend(
                catalog
                    .tools()
                    .iter()
                    .filter(|t| policy.tool(&t.name).is_none())
                    .map(|t| t.name.clone()),
            );
        }
        let root = doc.as_object_mut().ok_or_else(Vec::new)?;
        let tools = root
            .entry("tools")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or_else(Vec::new)?;
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for l in policy
            .tools
            .iter()
            .flat_map(|t| &t.limits)
            .chain(&policy.all_tools)
        {
            *uses.entry(l.counter.value.as_str()).or_default() += 1;
        }
        let mut b = Builder {
            windows: &windows,
            uses,
            slots: Vec::new(),
            meters: Vec::new(),
            meter_slots: Vec::new(),
            from_meter: Vec::new(),
            by_pointer: HashMap::new(),
        };
        for name in &names {
            let entry = tools
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let rule = policy.tool(name);
            let existing = rule.map(|r| r.limits.as_slice()).unwrap_or_default();
            let limits = existing_limits(entry).ok_or_else(Vec::new)?;
            let units = units_of(
                limits.first(),
                catalog.tool(name).map(|t| t.signals.as_slice()),
            );
            let pointer = rule.map(|r| r.pointer());
            let ids = b.subject(Some(name), pointer.as_deref(), existing, limits, &units);
            by_tool.insert(name.as_str().into(), ids);
        }
        let all = root.entry("all_tools").or_insert_with(|| json!({}));
        let limits = existing_limits(all).ok_or_else(Vec::new)?;
        // `all_tools`' anchor charges one per call.
        let all_tools = b.subject(
            None,
            Some("/all_tools"),
            &policy.all_tools,
            limits,
            &json!({}),
        );
        let Builder {
            slots,
            meters,
            meter_slots,
            from_meter,
            by_pointer,
            ..
        } = b;
        let text = serde_json::to_string(&doc).map_err(|_| Vec::new())?;
        let measuring = Policy::parse(SourceFile::new(policy.source.name(), text))?;
        Ok(Plan {
            measuring,
            tracker: Tracker {
                slots,
                by_tool,
                all_tools,
                metering: Metering::new(meters),
                meter_slots,
                from_meter,
                windows,
                by_pointer,
            },
        })
    }
}

/// What [`Plan::new`] gathers, subject by subject.
struct Builder<'a> {
    windows: &'a [u64],
    /// How many limits of the policy count each counter.
    uses: HashMap<&'a str, usize>,
    slots: Vec<Slot>,
    meters: Vec<Meter>,
    meter_slots: Vec<Vec<[usize; 4]>>,
    from_meter: Vec<(usize, usize, (usize, usize))>,
    by_pointer: HashMap<String, usize>,
}

impl Builder<'_> {
    /// A subject (a tool, or `None`: `all_tools`) with its `existing` limits, their
    /// documents `limits` (rewritten for the measuring policy) at `pointer`, and the units
    /// its anchor charges. Where its limits report, in the measuring policy's order.
    ///
    /// An existing limit whose counter no other limit shares, charged like the anchor, in
    /// a window measured, counts exactly what the meter's cell of its shape counts: it is
    /// read from there, and the measuring policy leaves it out.
    fn subject(
        &mut self,
        tool: Option<&str>,
        pointer: Option<&str>,
        existing: &[crate::policy::Limit],
        limits: &mut Vec<Value>,
        units: &Value,
    ) -> Vec<Target> {
        let meter = self.meters.len();
        let mut targets = Vec::new();
        let mut kept = Vec::new();
        for (i, (l, json)) in existing.iter().zip(limits.drain(..)).enumerate() {
            let mut slot = Slot::new(tool, l.window.value, l.algorithm, l.scope);
            slot.counter = Some(l.counter.value.clone());
            slot.current_max = Some(l.max.value);
            if let Some(p) = pointer {
                let at = format!("{p}/limits/{i}");
                self.by_pointer.insert(at.clone(), self.slots.len());
                slot.pointer = Some(at);
            }
            match metered(l, &json, units, &self.uses, self.windows) {
                Some(cell) => self.from_meter.push((self.slots.len(), meter, cell)),
                None => {
                    targets.push(Target::Existing(self.slots.len()));
                    kept.push(json);
                }
            }
            self.slots.push(slot);
        }
        *limits = kept;
        for l in limits.iter_mut() {
            l["max"] = UNREACHABLE.into();
        }
        let mut anchor = anchor(meter, self.windows);
        if let (Some(to), Some(from)) = (anchor.as_object_mut(), units.as_object()) {
            to.extend(from.clone());
        }
        limits.push(anchor);
        targets.push(Target::Anchor(meter));
        self.meters.push(Meter::new(self.windows.to_vec()));
        let slots = measured_slots(tool, self.windows, &mut self.slots);
        self.meter_slots.push(slots);
        targets
    }
}

impl Tracker {
    /// The slot of each rule of the real policy's engine that is an existing limit.
    pub fn rule_slots(&self, real: &Engine) -> Vec<Option<usize>> {
        real.rules()
            .iter()
            .map(|r| self.by_pointer.get(&r.pointer).copied())
            .collect()
    }

    /// Closes every open window; call once, after the last trace.
    pub fn finish(&mut self) {
        for s in &mut self.slots {
            s.finish();
        }
        for meter in &mut self.metering.meters {
            meter.finish();
        }
        for &(slot, meter, (window, cell)) in &self.from_meter {
            let measured = &self.metering.meters[meter].measured[window][cell];
            self.slots[slot].absorb(measured.clone());
        }
        for (meter, slots) in self.metering.meters.iter_mut().zip(&self.meter_slots) {
            for (measured, slots) in meter.measured.drain(..).zip(slots) {
                for (m, &slot) in measured.into_iter().zip(slots) {
                    self.slots[slot].absorb(m);
                }
            }
        }
    }
}

/// The `limits` array of a tool entry or `all_tools`, made when absent. `None` only for a
/// document the policy stage would have rejected.
fn existing_limits(entry: &mut Value) -> Option<&mut Vec<Value>> {
    let object = entry.as_object_mut()?;
    object
        .entry("limits")
        .or_insert_with(|| json!([]))
        .as_array_mut()
}

/// The meter cell (window, `[fixed grant, fixed global, sliding grant, sliding global]`)
/// that counts exactly what the existing limit `l` (its document `json`) counts, if one
/// does: no other limit shares its counter, it charges what its subject's anchor charges
/// (`units`), and its window is measured.
fn metered(
    l: &crate::policy::Limit,
    json: &Value,
    units: &Value,
    uses: &HashMap<&str, usize>,
    windows: &[u64],
) -> Option<(usize, usize)> {
    let charged = units_of(Some(json), None);
    let alone = uses.get(l.counter.value.as_str()) == Some(&1);
    let window = windows.iter().position(|&w| w == l.window.value)?;
    let cell =
        2 * usize::from(l.algorithm == Algorithm::Sliding) + usize::from(l.scope == Scope::Global);
    (alone && &charged == units).then_some((window, cell))
}

/// What a limit on a tool charges: its first limit's `increment` or `increment_from`, else
/// one per batch item when the catalogue knows the tool as a batch, else one per call.
pub(crate) fn units_of(first: Option<&Value>, signals: Option<&[Signal]>) -> Value {
    if let Some(l) = first {
        let mut units = Map::new();
        for key in ["increment", "increment_from"] {
            if let Some(v) = l.get(key) {
                units.insert(key.to_owned(), v.clone());
            }
        }
        return Value::Object(units);
    }
    let batch = signals.unwrap_or_default().iter().find_map(|s| match s {
        Signal::Batch(path) => Some(path),
        _ => None,
    });
    match batch {
        Some(path) => json!({ "increment_from": signal_path(path) }),
        None => json!({}),
    }
}

/// The windows of the policy's limits, else [`DEFAULT_WINDOWS`].
fn policy_windows(policy: &Policy) -> Vec<u64> {
    let mut windows: Vec<u64> = policy
        .tools
        .iter()
        .flat_map(|t| &t.limits)
        .chain(&policy.all_tools)
        .map(|l| l.window.value)
        .collect();
    windows.sort_unstable();
    windows.dedup();
    if windows.is_empty() {
        DEFAULT_WINDOWS.to_vec()
    } else {
        windows
    }
}

/// A subject's anchor: the one limit the engine charges for it, so that its units,
/// access and rollback are the engine's; its own count (sliding, the shortest window, so
/// it holds little) is never read. Its `max` is out of reach.
fn anchor(id: usize, windows: &[u64]) -> Value {
    json!({
        "counter": format!("policylayer measure {id}"),
        "window": windows.first().copied().unwrap_or(60),
        "max": UNREACHABLE,
        "algorithm": "sliding",
        "scope": "grant",
    })
}

/// A subject's slots for each window, algorithm and scope, in a meter's order.
fn measured_slots(tool: Option<&str>, windows: &[u64], slots: &mut Vec<Slot>) -> Vec<[usize; 4]> {
    windows
        .iter()
        .map(|&w| {
            let shapes = [
                (Algorithm::Fixed, Scope::Grant),
                (Algorithm::Fixed, Scope::Global),
                (Algorithm::Sliding, Scope::Grant),
                (Algorithm::Sliding, Scope::Global),
            ];
            shapes.map(|(algorithm, scope)| {
                slots.push(Slot::new(tool, w, algorithm, scope));
                slots.len() - 1
            })
        })
        .collect()
}

/// The [`Output`] that feeds a [`Tracker`] while the simulator replays the traces through
/// the measuring engine (and the real one as its shadow): existing limits' levels it
/// records itself, anchor charges it feeds to the meters.
struct Observer<'p> {
    tracker: &'p mut Tracker,
    rule_slots: Vec<Option<usize>>,
    /// The first malformed line, as a diagnostic.
    malformed: Option<Diagnostic>,
    /// The meters' thread, when they have one.
    channel: Option<Channel>,
    /// The time of calls pending under a JSON-RPC id, by the engine's sequence number of
    /// their `all_tools` anchor charge (every charged call has one, the last of its
    /// charges), and the latest time seen.
    pending: FastMap<u64, f64>,
    clock: f64,
}

impl<'p> Observer<'p> {
    fn new(tracker: &'p mut Tracker, real: Option<&Engine>) -> Observer<'p> {
        let rule_slots = real.map(|e| tracker.rule_slots(e)).unwrap_or_default();
        Observer {
            tracker,
            rule_slots,
            malformed: None,
            channel: None,
            pending: FastMap::default(),
            clock: f64::NEG_INFINITY,
        }
    }

    /// The name a call's charges go by.
    fn key(charges: &[Charge]) -> Option<u64> {
        match charges.last()?.mark {
            Mark::Entry(seq) => Some(seq),
            Mark::Window(_) => None,
        }
    }

    fn feed(&mut self, feed: Feed) {
        match &mut self.channel {
            Some(channel) => channel.push(feed),
            None => self.tracker.metering.apply(&feed),
        }
    }
}

impl Output for Observer<'_> {
    fn progress(&mut self, _bytes: u64) {}

    fn decided(&mut self, engine: &Engine, d: &Decided, _args: Arg) -> io::Result<()> {
        if let Some(real) = d.shadow {
            if real.reason == Some(Reason::RateLimited) {
                if let Some(Some(slot)) = self.rule_slots.get(real.rule) {
                    self.tracker.slots[*slot].denied += 1;
                }
            }
        }
        let charges = &d.outcome.charges;
        let Some(seq) = Self::key(charges) else {
            return Ok(());
        };
        self.clock = d.time;
        let t = &mut *self.tracker;
        let tool = t.by_tool.get(d.tool).map(Vec::as_slice).unwrap_or_default();
        let mut anchors = [None; 2];
        let mut next = anchors.iter_mut();
        for (charge, target) in charges.iter().zip(tool.iter().chain(&t.all_tools)) {
            match *target {
                Target::Existing(slot) => {
                    t.slots[slot].record(charge.key, d.time, engine.level(charge));
                }
                Target::Anchor(meter) => {
                    if let Some(a) = next.next() {
                        *a = Some((meter, charge.units));
                    }
                }
            }
        }
        if d.pending {
            self.pending.insert(seq, d.time);
        }
        self.feed(Feed::Call {
            seq,
            // Anchors are grant-scoped: the low half of their counter key is the grant.
            grant: charges.last().map_or(0, |c| c.key as u32),
            at: d.time,
            pending: d.pending,
            anchors,
        });
        Ok(())
    }

    fn rolled_back(&mut self, _engine: &Engine, charges: &[Charge]) {
        if let Some(seq) = Self::key(charges) {
            self.pending.remove(&seq);
            self.feed(Feed::RollBack(seq));
        }
    }

    fn settled(&mut self, charges: &[Charge]) {
        if let Some(seq) = Self::key(charges) {
            if self.pending.remove(&seq).is_some() {
                self.feed(Feed::Settled(seq));
            }
        }
    }

    /// A pending call is held while a rollback could still change a measured count: its
    /// charge has not left the longest sliding window, or its fixed window is current.
    fn holds(&self, charges: &[Charge]) -> bool {
        let at = Self::key(charges).and_then(|seq| self.pending.get(&seq));
        let windows = &self.tracker.windows;
        at.is_some_and(|&at| {
            let longest = windows.last().map_or(0.0, |&w| w as f64);
            at + longest > self.clock
                || windows
                    .iter()
                    .any(|&w| window_index(at, w as f64) == window_index(self.clock, w as f64))
        })
    }

    fn malformed(&mut self, file: &str, line: usize, m: &Malformed, text: &str) -> io::Result<()> {
        self.malformed
            .get_or_insert_with(|| m.diagnostic(file, line, text));
        Ok(())
    }

    fn clock_went_back(&mut self, _: &str, _: usize, _: f64, _: f64) -> io::Result<()> {
        Ok(())
    }
}

/// A replay of traces through a [`Plan`]: the measuring engine decides, the real policy
/// (when it has limits) shadows it to count its own denials, the tracker records.
pub struct Replay<'p> {
    simulator: Simulator<'p>,
    observer: Observer<'p>,
    options: Options,
    /// Threads to read with (see [`Simulator::run_threaded`]).
    pub threads: usize,
}

/// Why a replay stopped.
#[derive(Debug)]
pub enum Stopped {
    /// The first malformed line: sizes from a trace read in part would understate it.
    Malformed(Box<Diagnostic>),
    Io(io::Error),
}

impl<'p> Replay<'p> {
    pub fn new(policy: &'p Policy, plan: &'p mut Plan, max_line_bytes: usize) -> Replay<'p> {
        let Plan { measuring, tracker } = plan;
        let has_limits =
            !policy.all_tools.is_empty() || policy.tools.iter().any(|t| !t.limits.is_empty());
        let real = has_limits.then(|| Engine::new(policy));
        let observer = Observer::new(tracker, real.as_ref());
        let engine = Engine::new(measuring);
        let simulator = match real {
            Some(real) => Simulator::with_limits_shadow(engine, real),
            None => Simulator::new(engine),
        };
        Replay {
            simulator,
            observer,
            options: Options {
                keep_going: false,
                max_line_bytes,
            },
            threads: 1,
        }
    }

    /// Replays one trace; counters and the clock carry on from the traces before it.
    pub fn trace<R: BufRead>(&mut self, name: &str, reader: R) -> Result<(), Stopped> {
        let result = if self.threads > 1 {
            self.trace_threaded(name, reader)?
        } else {
            let options = &self.options;
            self.simulator
                .run_threaded(name, reader, options, &mut self.observer, 1)
        };
        // JSON-RPC ids are matched within a trace: its pending calls end with it.
        self.observer.pending.clear();
        self.observer.tracker.metering.end_trace();
        match result {
            Ok(()) => Ok(()),
            Err(Stop::Io(e) | Stop::Output(e)) => Err(Stopped::Io(e)),
            // The simulator reports a malformed line to the output before it stops.
            Err(Stop::Malformed) => match self.observer.malformed.take() {
                Some(d) => Err(Stopped::Malformed(Box::new(d))),
                None => Err(Stopped::Io(io::Error::other(format!(
                    "{name}: a malformed line"
                )))),
            },
        }
    }

    /// [`Replay::trace`] with the meters on a thread of their own, beside the simulator's.
    fn trace_threaded<R: BufRead>(
        &mut self,
        name: &str,
        reader: R,
    ) -> Result<Result<(), Stop>, Stopped> {
        let metering = std::mem::take(&mut self.observer.tracker.metering);
        let (full, to_meter) = mpsc::sync_channel(16);
        let (back, empty) = mpsc::channel();
        let (result, metering) = std::thread::scope(|scope| {
            let meters = scope.spawn(move || metering::serve(metering, to_meter, back));
            self.observer.channel = Some(Channel {
                batch: Vec::with_capacity(metering::BATCH),
                full,
                empty,
            });
            let (options, threads) = (&self.options, self.threads);
            let result =
                self.simulator
                    .run_threaded(name, reader, options, &mut self.observer, threads);
            if let Some(mut channel) = self.observer.channel.take() {
                channel.send();
            }
            (result, meters.join())
        });
        match metering {
            Ok(metering) => {
                self.observer.tracker.metering = metering;
                Ok(result)
            }
            Err(_) => Err(Stopped::Io(io::Error::other("the meters' thread stopped"))),
        }
    }

    /// Closes the open windows: the tracker is ready for [`suggestions`].
    pub fn finish(self) {
        self.observer.tracker.finish();
    }
}

/// One suggestion, as the report shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Suggestion {
    pub tool: Option<String>,
    pub counter: Option<String>,
    /// The existing limit's JSON pointer; absent for a proposed limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    pub window: String,
    pub window_s: u64,
    #[serde(serialize_with = "keyword")]
    pub algorithm: Algorithm,
    #[serde(serialize_with = "keyword")]
    pub scope: Scope,
    pub peak: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub windows: u64,
    pub grants: usize,
    pub current_max: Option<u64>,
    pub denied_in_trace: u64,
    pub suggested_max: u64,
    pub note: Option<String>,
}

impl Suggestion {
    /// A proposed limit (no existing counter) of the shape `--write` adds and `lint --fix
    /// --trace` sizes: a fixed window, per grant.
    pub fn is_proposed_fixed_per_grant(&self) -> bool {
        self.counter.is_none() && self.algorithm == Algorithm::Fixed && self.scope == Scope::Grant
    }
}

/// A policy keyword as the word the policy spells.
fn keyword<S: serde::Serializer, K: Copy + Into<&'static str>>(
    k: &K,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str((*k).into())
}

/// The suggestions for every slot that saw traffic (`only`: these tools' slots alone).
pub fn suggestions(tracker: &Tracker, headroom: f64, only: &[String]) -> Vec<Suggestion> {
    tracker
        .slots
        .iter()
        .filter(|s| s.peak > 0.0 || s.denied > 0)
        .filter(|s| only.is_empty() || s.tool.as_ref().is_some_and(|t| only.contains(t)))
        .map(|s| {
            let suggested = readable((s.peak * headroom).ceil().max(s.peak.ceil()) as u64);
            let note = s.current_max.and_then(|max| {
                let peak = s.peak;
                if (max as f64) < peak {
                    Some(format!(
                        "below the peak: it denied {} call(s) of this traffic",
                        s.denied
                    ))
                } else if max as f64 > 10.0 * peak {
                    Some("never binds: max is over 10× the peak".to_owned())
                } else {
                    None
                }
            });
            Suggestion {
                tool: s.tool.clone(),
                counter: s.counter.clone(),
                pointer: s.pointer.clone(),
                window: window_name(s.window),
                window_s: s.window,
                algorithm: s.algorithm,
                scope: s.scope,
                peak: s.peak,
                // A bucket's bound may pass the peak; no window held more than it.
                p50: s.per_window.percentile(0.5).min(s.peak),
                p95: s.per_window.percentile(0.95).min(s.peak),
                p99: s.per_window.percentile(0.99).min(s.peak),
                windows: s.windows,
                grants: s.grants(),
                current_max: s.current_max,
                denied_in_trace: s.denied,
                suggested_max: suggested,
                note,
            }
        })
        .collect()
}

/// The smallest "readable" number at or above `n`: `n` itself up to 10, then the next of
/// 12, 15, 20, 25, 30, 40, 50, 60, 80, 100 times a power of ten.
pub fn readable(n: u64) -> u64 {
    if n <= 10 {
        return n;
    }
    const STEPS: [u64; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];
    let mut scale = 1u64;
    loop {
        for step in STEPS {
            let candidate = step.saturating_mul(scale);
            if candidate >= n {
                return candidate;
            }
        }
        match scale.checked_mul(10) {
            Some(s) => scale = s,
            None => return n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_numbers_round_up() {
        let cases = [
            (0, 0),
            (1, 1),
            (7, 7),
            (10, 10),
            (11, 12),
            (13, 15),
            (16, 20),
            (21, 25),
            (26, 30),
            (31, 40),
            (41, 50),
            (51, 60),
            (61, 80),
            (81, 100),
            (101, 120),
            (999, 1000),
            (1001, 1200),
            (45_000, 50_000),
        ];
        for (n, want) in cases {
            assert_eq!(readable(n), want, "{n}");
        }
        for n in 0..5000 {
            assert!(readable(n) >= n);
        }
    }
}
