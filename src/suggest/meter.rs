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

use std::collections::hash_map::Entry::{Occupied, Vacant};
use std::collections::VecDeque;

use super::Slot;
use crate::engine::counter::window_index;
use crate::engine::hash::FastMap;

/// The key of a subject's global stream (grant ids are the engine's, below this).
const GLOBAL: u32 = u32::MAX;

/// One charge a stream keeps, in 16 bytes: a day of a busy trace is millions of them.
#[derive(Debug, Clone, Copy)]
struct Entry {
    at: f64,
    /// The engine's sequence number of the anchor charge (what a rollback names) above
    /// [`UNIT_BITS`], and the units below: a whole number up to [`LARGE`] itself, else
    /// [`LARGE`] and the units in [`Stream::large`].
    packed: u64,
}

const UNIT_BITS: u32 = 16;
const LARGE: u64 = (1 << UNIT_BITS) - 1;

impl Entry {
    fn seq(self) -> u64 {
        self.packed >> UNIT_BITS
    }
}

/// A sliding window over a stream's entries.
#[derive(Debug, Clone, Copy, Default)]
struct Sliding {
    /// Absolute index of the oldest entry inside the window.
    from: u64,
    sum: f64,
    /// Entries inside (a sum of doubles does not return to 0 exactly by itself).
    live: u64,
}

/// A fixed window: the aligned window of the latest charge.
#[derive(Debug, Clone, Copy, Default)]
struct Fixed {
    index: i64,
    used: f64,
    charges: u64,
}

/// The highest level in the current aligned window, for the percentiles.
#[derive(Debug, Clone, Copy)]
struct High {
    index: i64,
    level: f64,
}

#[derive(Debug, Default)]
struct Stream {
    entries: VecDeque<Entry>,
    /// Units of entries that are not small whole numbers, by sequence number.
    large: FastMap<u64, f64>,
    /// Entries dropped from the front so far: absolute index = popped + position.
    popped: u64,
    sliding: Vec<Sliding>,
    fixed: Vec<Fixed>,
    /// Per window: fixed, then sliding.
    high: Vec<[Option<High>; 2]>,
}

/// The streams of one subject and the slots they report to.
#[derive(Debug)]
pub struct Meter {
    /// Ascending seconds.
    windows: Vec<u64>,
    /// Per window: `[fixed grant, fixed global, sliding grant, sliding global]`.
    slots: Vec<[usize; 4]>,
    streams: FastMap<u32, Stream>,
    /// Scratch: the aligned window of the charge being fed, per window.
    indices: Vec<i64>,
}

impl Meter {
    pub fn new(windows: Vec<u64>, slots: Vec<[usize; 4]>) -> Meter {
        Meter {
            windows,
            slots,
            streams: FastMap::default(),
            indices: Vec::new(),
        }
    }

    /// An anchor charge of `units` at `t` by `grant`.
    pub fn charge(&mut self, slots: &mut [Slot], grant: u32, t: f64, units: f64, seq: u64) {
        // The aligned window of `t`, for each window: the same for both streams.
        let mut indices = std::mem::take(&mut self.indices);
        indices.clear();
        indices.extend(self.windows.iter().map(|w| window_index(t, *w as f64)));
        self.charge_at(slots, grant, t, units, seq, &indices);
        self.indices = indices;
    }

    fn charge_at(
        &mut self,
        slots: &mut [Slot],
        grant: u32,
        t: f64,
        units: f64,
        seq: u64,
        indices: &[i64],
    ) {
        for (key, global) in [(grant, false), (GLOBAL, true)] {
            let n = self.windows.len();
            let stream = match self.streams.entry(key) {
                Occupied(e) => e.into_mut(),
                Vacant(e) => {
                    for w in &self.slots {
                        slots[w[usize::from(global)]].grants_seen += 1;
                        slots[w[2 + usize::from(global)]].grants_seen += 1;
                    }
                    e.insert(Stream {
                        sliding: vec![Sliding::default(); n],
                        fixed: vec![Fixed::default(); n],
                        high: vec![[None, None]; n],
                        ..Stream::default()
                    })
                }
            };
            stream.charge(&self.windows, t, units, seq, indices);
            // The slots hear of a window when it closes (its highest level, which is also
            // what the peak is the highest of), so a call touches only its streams.
            for (i, &index) in indices.iter().enumerate() {
                let levels = [stream.fixed[i].used, stream.sliding[i].sum];
                for (alg, level) in levels.into_iter().enumerate() {
                    match &mut stream.high[i][alg] {
                        Some(h) if h.index == index => h.level = h.level.max(level),
                        Some(h) => {
                            let slot = &mut slots[self.slots[i][2 * alg + usize::from(global)]];
                            slot.close_window(h.level);
                            *h = High { index, level };
                        }
                        none => *none = Some(High { index, level }),
                    }
                }
            }
        }
    }

    /// The anchor charge `seq` of `grant` was rolled back.
    pub fn roll_back(&mut self, grant: u32, seq: u64) {
        for key in [grant, GLOBAL] {
            if let Some(stream) = self.streams.get_mut(&key) {
                stream.roll_back(&self.windows, seq);
            }
        }
    }

    /// Closes the open windows into the slots' statistics.
    pub fn finish(&mut self, slots: &mut [Slot]) {
        for (&key, stream) in &self.streams {
            let global = usize::from(key == GLOBAL);
            for (i, highs) in stream.high.iter().enumerate() {
                for (alg, high) in highs.iter().enumerate() {
                    if let Some(h) = high {
                        slots[self.slots[i][2 * alg + global]].close_window(h.level);
                    }
                }
            }
        }
    }
}

impl Stream {
    fn units(&self, e: Entry) -> f64 {
        match e.packed & LARGE {
            LARGE => self.large.get(&e.seq()).copied().unwrap_or(0.0),
            small => small as f64,
        }
    }

    fn push(&mut self, at: f64, units: f64, seq: u64) {
        let small = units.fract() == 0.0 && (0.0..LARGE as f64).contains(&units);
        let code = if small {
            units as u64
        } else {
            self.large.insert(seq, units);
            LARGE
        };
        self.entries.push_back(Entry {
            at,
            packed: seq << UNIT_BITS | code,
        });
    }

    fn pop_front(&mut self) {
        if let Some(e) = self.entries.pop_front() {
            if e.packed & LARGE == LARGE {
                self.large.remove(&e.seq());
            }
        }
    }

    fn charge(&mut self, windows: &[u64], t: f64, units: f64, seq: u64, indices: &[i64]) {
        // Expire, as the engine does before it checks: a unit charged exactly a window ago
        // has left.
        for (w, s) in windows.iter().zip(&mut self.sliding) {
            let w = *w as f64;
            while let Some(&e) = self.entries.get((s.from - self.popped) as usize) {
                if e.at + w > t {
                    break;
                }
                s.sum -= match e.packed & LARGE {
                    LARGE => self.large.get(&e.seq()).copied().unwrap_or(0.0),
                    small => small as f64,
                };
                s.live -= 1;
                s.from += 1;
            }
            if s.live == 0 {
                s.sum = 0.0;
            }
        }
        let oldest = self
            .sliding
            .iter()
            .map(|s| s.from)
            .min()
            .unwrap_or(self.popped);
        while self.popped < oldest {
            self.pop_front();
            self.popped += 1;
        }
        for (&index, f) in indices.iter().zip(&mut self.fixed) {
            if f.index != index {
                *f = Fixed {
                    index,
                    used: 0.0,
                    charges: 0,
                };
            }
        }
        // A zero-unit charge changes no count.
        if units == 0.0 {
            return;
        }
        self.push(t, units, seq);
        for s in &mut self.sliding {
            s.sum += units;
            s.live += 1;
        }
        for f in &mut self.fixed {
            f.used += units;
            f.charges += 1;
        }
    }

    fn roll_back(&mut self, windows: &[u64], seq: u64) {
        let Ok(i) = self.entries.binary_search_by_key(&seq, |e| e.seq()) else {
            return;
        };
        let Some(e) = self.entries.get(i).copied() else {
            return;
        };
        let units = self.units(e);
        self.entries.remove(i);
        self.large.remove(&seq);
        let at = self.popped + i as u64;
        for s in &mut self.sliding {
            if at >= s.from {
                s.live -= 1;
                s.sum = if s.live == 0 { 0.0 } else { s.sum - units };
            } else {
                s.from -= 1;
            }
        }
        for (w, f) in windows.iter().zip(&mut self.fixed) {
            if window_index(e.at, *w as f64) == f.index && f.charges > 0 {
                f.charges -= 1;
                f.used = if f.charges == 0 { 0.0 } else { f.used - units };
            }
        }
    }
}
