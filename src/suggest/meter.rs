//! The measuring counters of `suggest-limits`: for one subject (a tool, or `all_tools`),
//! every window asked, fixed and sliding, per grant and global, from one stream of
//! charges. The engine charges one *anchor* limit per subject (so units, access and
//! JSON-RPC rollback are the engine's own); each anchor charge is fed here, to the
//! subject's stream for its grant and to its global stream.
//!
//! A stream keeps the charges younger than its longest window, once, with a cursor and a
//! sum per window: the same additions, subtractions and reset-to-zero-when-empty, in the
//! same order, as the engine's own counter of that shape would make, so each level read
//! here is the level a limit of that shape would have checked.
//!
//! Memory is what a busy day costs, so a kept charge is 8 bytes: its time as the difference
//! of its `f64` bits from the charge before it (exact; a difference past 32 bits is kept
//! whole on the side) and its units as a small whole number (others on the side). A
//! rolled-back charge stays in place as a tombstone, so positions never move. Each window
//! keeps the time its oldest charge leaves, so a charge that expires nothing reads no old
//! memory.

use std::collections::VecDeque;

use super::histogram::Histogram;
use crate::engine::counter::window_index;
use crate::engine::hash::FastMap;

/// The time differs from the previous charge's by more than 32 bits: its bits are in
/// [`Stream::far`].
const FAR: u32 = u32::MAX;
/// Units that are not a whole number below this: they are in [`Stream::large`].
const LARGE: u16 = u16::MAX - 1;
/// A charge that was rolled back: it counts for nothing.
const GONE: u16 = u16::MAX;

/// One kept charge.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// `at.to_bits()` minus the previous charge's, wrapping; [`FAR`]: kept whole.
    delta: u32,
    /// The units, or [`LARGE`] or [`GONE`].
    units: u16,
}

impl Entry {
    /// The units this entry (at `position`) counts for.
    fn counted(&self, large: &FastMap<u64, f64>, position: u64) -> f64 {
        match self.units {
            GONE => 0.0,
            LARGE => large.get(&position).copied().unwrap_or(0.0),
            small => f64::from(small),
        }
    }
}

/// Where a charge was kept: its position in the grant's stream and in the global one
/// (`None`: a zero-unit charge, which no count keeps).
pub type Placed = [Option<u64>; 2];

/// One window of a stream.
#[derive(Debug, Clone, Copy)]
struct Window {
    // Sliding.
    /// Position of the oldest charge inside.
    from: u64,
    /// Its time's bits (when there is one).
    from_bits: u64,
    /// Charges kept whole in [`Stream::far`] before `from`.
    far_before: u64,
    /// When the oldest charge leaves (`at + window`, as the engine adds it); infinite
    /// when the window holds nothing.
    leaves: f64,
    sum: f64,
    /// Charges inside that count (a sum of doubles does not return to 0 by itself).
    live: u64,
    // Fixed: the aligned window of the latest charge.
    index: i64,
    used: f64,
    charges: u64,
    /// The highest level in the current aligned window, fixed then sliding, for the
    /// percentiles; `opened` once the stream has been charged.
    high: [f64; 2],
    opened: bool,
}

impl Window {
    const EMPTY: Window = Window {
        from: 0,
        from_bits: 0,
        far_before: 0,
        leaves: f64::INFINITY,
        sum: 0.0,
        live: 0,
        index: 0,
        used: 0.0,
        charges: 0,
        high: [0.0; 2],
        opened: false,
    };
}

#[derive(Debug)]
struct Stream {
    entries: VecDeque<Entry>,
    /// Entries dropped from the front so far: position = popped + index.
    popped: u64,
    /// The bits of the newest entry's time.
    last_bits: u64,
    /// Times kept whole, in entry order, and how many were dropped from the front.
    far: VecDeque<u64>,
    far_popped: u64,
    /// Units of [`LARGE`] entries, by position.
    large: FastMap<u64, f64>,
    windows: Vec<Window>,
    /// Not charged yet: its slots have not counted it among the grants seen.
    fresh: bool,
}

/// What was measured for one window, algorithm and scope of a subject.
#[derive(Debug, Default, Clone)]
pub struct Measured {
    /// The highest level any charge took the count to.
    pub peak: f64,
    /// Aligned windows (per grant, for grant scope) in which the count was charged.
    pub windows: u64,
    /// Highest level in each such window.
    pub per_window: Histogram,
    /// Grants (or the one global count) charged.
    pub grants: usize,
}

impl Measured {
    /// A window closed with this highest level.
    fn close(&mut self, high: f64) {
        if high > self.peak {
            self.peak = high;
        }
        self.per_window.add(high);
        self.windows += 1;
    }
}

/// The streams of one subject and what they measured.
#[derive(Debug)]
pub struct Meter {
    /// Ascending seconds.
    windows: Vec<u64>,
    /// Per window: `[fixed grant, fixed global, sliding grant, sliding global]`.
    pub measured: Vec<[Measured; 4]>,
    /// Per grant (the engine's grant ids), and for all grants together.
    streams: FastMap<u32, Stream>,
    global: Stream,
    /// Scratch: the aligned window of the charge being fed, per window.
    indices: Vec<i64>,
}

impl Meter {
    pub fn new(windows: Vec<u64>) -> Meter {
        Meter {
            global: Stream::new(windows.len()),
            measured: windows.iter().map(|_| Default::default()).collect(),
            windows,
            streams: FastMap::default(),
            indices: Vec::new(),
        }
    }

    /// An anchor charge of `units` at `t` by `grant`; where it was kept.
    pub fn charge(&mut self, grant: u32, t: f64, units: f64) -> Placed {
        // The aligned window of `t`, for each window: the same for both streams.
        self.indices.clear();
        for &w in &self.windows {
            self.indices.push(window_index(t, w as f64));
        }
        let n = self.windows.len();
        let mut placed = [None; 2];
        for (global, at) in placed.iter_mut().enumerate() {
            let stream = if global == 1 {
                &mut self.global
            } else {
                self.streams.entry(grant).or_insert_with(|| Stream::new(n))
            };
            if stream.fresh {
                stream.fresh = false;
                for m in &mut self.measured {
                    m[global].grants += 1;
                    m[2 + global].grants += 1;
                }
            }
            let to = (self.measured.as_mut_slice(), global);
            *at = stream.charge(&self.windows, (t, units), &self.indices, to);
        }
        placed
    }

    /// The anchor charge of `units` at `at` by `grant`, kept at `placed`, was rolled back.
    pub fn roll_back(&mut self, grant: u32, at: f64, units: f64, placed: Placed) {
        let streams = [self.streams.get_mut(&grant), Some(&mut self.global)];
        for (stream, position) in streams.into_iter().zip(placed) {
            if let (Some(stream), Some(position)) = (stream, position) {
                stream.roll_back(&self.windows, at, units, position);
            }
        }
    }

    /// Closes the open windows into what was measured.
    pub fn finish(&mut self) {
        let grants = self.streams.values().map(|s| (s, 0));
        for (stream, global) in grants.chain([(&self.global, 1)]) {
            for (w, measured) in stream.windows.iter().zip(&mut self.measured) {
                if w.opened {
                    for (alg, &high) in w.high.iter().enumerate() {
                        measured[2 * alg + global].close(high);
                    }
                }
            }
        }
    }
}

impl Stream {
    fn new(windows: usize) -> Stream {
        Stream {
            entries: VecDeque::new(),
            popped: 0,
            last_bits: 0,
            far: VecDeque::new(),
            far_popped: 0,
            large: FastMap::default(),
            windows: vec![Window::EMPTY; windows],
            fresh: true,
        }
    }

    /// Charges `units` at `t` (aligned windows `indices`). What a window measured (`to`,
    /// the `global` column) hears of its highest level when it closes: that is also what
    /// the peak is the highest of, so a call touches only its streams.
    fn charge(
        &mut self,
        windows: &[u64],
        (t, units): (f64, f64),
        indices: &[i64],
        (to, global): (&mut [[Measured; 4]], usize),
    ) -> Option<u64> {
        let position = self.popped + self.entries.len() as u64;
        let counts = units != 0.0;
        let bits = t.to_bits();
        let Stream {
            entries,
            popped,
            far,
            far_popped,
            large,
            ..
        } = self;
        let far_total = *far_popped + far.len() as u64;
        let (popped, far_popped) = (*popped, *far_popped);
        let each = windows.iter().zip(&mut self.windows).zip(indices).zip(to);
        for (((&w, win), &index), measured) in each {
            let w = w as f64;
            // Expire, as the engine does before it checks: a unit charged exactly a window
            // ago has left.
            while win.leaves <= t {
                let at = (win.from - popped) as usize;
                let Some(e) = entries.get(at) else {
                    win.leaves = f64::INFINITY;
                    break;
                };
                if e.units != GONE {
                    win.sum -= e.counted(large, win.from);
                    win.live -= 1;
                }
                if e.delta == FAR {
                    win.far_before += 1;
                }
                win.from += 1;
                win.leaves = match entries.get(at + 1) {
                    Some(next) => {
                        win.from_bits = if next.delta == FAR {
                            far.get((win.far_before - far_popped) as usize)
                                .copied()
                                .unwrap_or(win.from_bits)
                        } else {
                            win.from_bits.wrapping_add(u64::from(next.delta))
                        };
                        f64::from_bits(win.from_bits) + w
                    }
                    None => f64::INFINITY,
                };
            }
            if win.live == 0 {
                win.sum = 0.0;
            }
            if win.index != index || !win.opened {
                // A new aligned window: the last one's highest levels are final.
                if win.opened {
                    for (alg, &high) in win.high.iter().enumerate() {
                        measured[2 * alg + global].close(high);
                    }
                }
                win.index = index;
                win.used = 0.0;
                win.charges = 0;
                win.high = [f64::NEG_INFINITY; 2];
                win.opened = true;
            }
            // A zero-unit charge changes no count.
            if counts {
                if win.from == position {
                    // The window held nothing: the new charge is its oldest.
                    win.from_bits = bits;
                    win.far_before = far_total;
                    win.leaves = t + w;
                }
                win.sum += units;
                win.live += 1;
                win.used += units;
                win.charges += 1;
            }
            for (high, level) in win.high.iter_mut().zip([win.used, win.sum]) {
                if level > *high {
                    *high = level;
                }
            }
        }
        // Windows ascend, so the longest one's oldest charge is the oldest kept.
        let oldest = self.windows.last().map_or(self.popped, |w| w.from);
        while self.popped < oldest {
            let Some(e) = self.entries.pop_front() else {
                break;
            };
            if e.delta == FAR {
                self.far.pop_front();
                self.far_popped += 1;
            }
            if e.units == LARGE {
                self.large.remove(&self.popped);
            }
            self.popped += 1;
        }
        // A quiet day after a busy one gives the memory back (halving, so a stream that
        // breathes does not copy at every charge).
        let capacity = self.entries.capacity();
        if capacity > 1024 && self.entries.len() < capacity / 4 {
            self.entries.shrink_to(capacity / 2);
        }
        if !counts {
            return None;
        }
        let delta = match u32::try_from(bits.wrapping_sub(self.last_bits)) {
            Ok(d) if d != FAR => d,
            _ => {
                self.far.push_back(bits);
                FAR
            }
        };
        self.last_bits = bits;
        // A whole number of units from 1 up to `LARGE` fits the entry (the cast saturates).
        let small = units as u16;
        let code = if f64::from(small) == units && (1..LARGE).contains(&small) {
            small
        } else {
            self.large.insert(position, units);
            LARGE
        };
        self.entries.push_back(Entry { delta, units: code });
        Some(position)
    }

    /// Gives back the charge of `units` at `at` kept at `position`: its sliding units in
    /// the windows that still hold it, its fixed units if its aligned window is current.
    fn roll_back(&mut self, windows: &[u64], at: f64, units: f64, position: u64) {
        if let Some(index) = position
            .checked_sub(self.popped)
            .and_then(|i| usize::try_from(i).ok())
        {
            if let Some(e) = self.entries.get(index).copied() {
                if e.units == GONE {
                    return;
                }
                let kept = e.counted(&self.large, position);
                for win in &mut self.windows {
                    if position >= win.from {
                        win.live -= 1;
                        win.sum = if win.live == 0 { 0.0 } else { win.sum - kept };
                    }
                }
                self.large.remove(&position);
                self.entries[index].units = GONE;
            }
        }
        for (&w, win) in windows.iter().zip(&mut self.windows) {
            if window_index(at, w as f64) == win.index && win.charges > 0 {
                win.charges -= 1;
                win.used = if win.charges == 0 {
                    0.0
                } else {
                    win.used - units
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::counter::{Charge, Counters, Shape};
    use crate::policy::Algorithm;

    /// xorshift: enough to pick gaps, units and rollbacks.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// The engine is the judge: a stream's fixed and sliding levels, after every charge
    /// and every rollback, are bit for bit those of the engine's own counters of each
    /// window and algorithm fed the same charges, across gaps of a millisecond to a day
    /// (times kept whole past 32 bits of difference), zero, fractional and large units,
    /// and rollbacks of the newest charge and of older ones.
    #[test]
    fn streams_count_what_the_engines_counters_count() {
        let windows = [60, 3600, 86_400];
        let gaps = [0.0, 0.001, 1.0, 59.999, 60.0, 3000.0, 5000.0, 90_000.0];
        let units = [0.0, 1.0, 2.0, 1.5, 70_000.0, 0.1, 3.0, 65_534.0];
        let shape = |w: u64, algorithm| Shape {
            window: w as f64,
            algorithm,
        };
        for seed in 1..=300u64 {
            let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut stream = Stream::new(windows.len());
            let mut measured: Vec<[Measured; 4]> =
                windows.iter().map(|_| Default::default()).collect();
            let mut counters = Counters::default();
            let mut kept: Vec<(f64, f64, u64, Vec<Charge>)> = Vec::new();
            let mut t = 1_795_478_400.0;
            let compare = |stream: &Stream, counters: &Counters, step: usize| {
                for (i, w) in stream.windows.iter().enumerate() {
                    let fixed = counters.level(2 * i as u64);
                    let sliding = counters.level(2 * i as u64 + 1);
                    assert_eq!(
                        w.used.to_bits(),
                        fixed.to_bits(),
                        "seed {seed} step {step} fixed {i}"
                    );
                    assert_eq!(
                        w.sum.to_bits(),
                        sliding.to_bits(),
                        "seed {seed} step {step} sliding {i}"
                    );
                }
            };
            for step in 0..200 {
                t += gaps[r.below(gaps.len())];
                let u = units[r.below(units.len())];
                let mut charges = Vec::new();
                for (i, &w) in windows.iter().enumerate() {
                    for (k, algorithm) in [Algorithm::Fixed, Algorithm::Sliding]
                        .into_iter()
                        .enumerate()
                    {
                        let key = (2 * i + k) as u64;
                        counters.used(key, shape(w, algorithm), t);
                        charges.push(counters.charge(key, shape(w, algorithm), t, u));
                    }
                }
                let indices: Vec<i64> =
                    windows.iter().map(|&w| window_index(t, w as f64)).collect();
                let placed = stream.charge(&windows, (t, u), &indices, (&mut measured, 0));
                compare(&stream, &counters, step);
                if let Some(position) = placed {
                    kept.push((t, u, position, charges));
                }
                if !kept.is_empty() && r.below(4) == 0 {
                    // The newest one (a failed call), or any (a JSON-RPC error response).
                    let i = if r.below(2) == 0 {
                        kept.len() - 1
                    } else {
                        r.below(kept.len())
                    };
                    let (at, u, position, charges) = kept.remove(i);
                    stream.roll_back(&windows, at, u, position);
                    for c in &charges {
                        counters.rollback(c);
                    }
                    compare(&stream, &counters, step);
                }
            }
        }
    }
}
