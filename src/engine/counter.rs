//! Rate-limit counters with fixed and sliding windows. Only live windows are kept: a fixed
//! counter holds its current window, a sliding one the charges younger than its window, and
//! [`Counters::sweep`] drops counters with nothing left, so memory follows the number of
//! live counters, not the length of the trace.

use std::collections::VecDeque;

use super::hash::FastMap;
use crate::policy::Algorithm;

/// Identifies one count: a counter class (name, window, algorithm, scope) and, for scope
/// `grant`, the grant.
pub type CounterKey = u64;

/// Where a charge went, so a rollback removes exactly it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// The fixed window's index (time / window).
    Window(i64),
    /// The sliding entry's sequence number.
    Entry(u64),
}

/// Units one call charged to one counter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Charge {
    pub key: CounterKey,
    pub mark: Mark,
    pub units: f64,
}

impl Charge {
    const NONE: Charge = Charge {
        key: 0,
        mark: Mark::Window(0),
        units: 0.0,
    };
}

/// Charges kept inline: a call rarely has more limits than this.
const INLINE: usize = 4;

/// What one call charged, in limit order. A few charges are kept inline, so deciding a call
/// does not allocate; more spill to the heap.
#[derive(Clone)]
pub enum Charges {
    Inline { len: usize, items: [Charge; INLINE] },
    Spilled(Vec<Charge>),
}

impl Charges {
    pub fn new() -> Charges {
        Charges::Inline {
            len: 0,
            items: [Charge::NONE; INLINE],
        }
    }

    pub fn push(&mut self, charge: Charge) {
        match self {
            Charges::Inline { len, items } if *len < INLINE => {
                items[*len] = charge;
                *len += 1;
            }
            Charges::Inline { items, .. } => {
                let mut all = items.to_vec();
                all.push(charge);
                *self = Charges::Spilled(all);
            }
            Charges::Spilled(all) => all.push(charge),
        }
    }
}

impl Default for Charges {
    fn default() -> Charges {
        Charges::new()
    }
}

impl std::ops::Deref for Charges {
    type Target = [Charge];

    fn deref(&self) -> &[Charge] {
        match self {
            Charges::Inline { len, items } => &items[..*len],
            Charges::Spilled(all) => all,
        }
    }
}

impl PartialEq for Charges {
    fn eq(&self, other: &Charges) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for Charges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl FromIterator<Charge> for Charges {
    fn from_iter<I: IntoIterator<Item = Charge>>(iter: I) -> Charges {
        let iter = iter.into_iter();
        if iter.size_hint().0 > INLINE {
            return Charges::Spilled(iter.collect());
        }
        let mut charges = Charges::new();
        for c in iter {
            charges.push(c);
        }
        charges
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub window: f64,
    pub algorithm: Algorithm,
}

#[derive(Debug)]
enum State {
    /// `charges` counts the window's charges not rolled back, so that rolling back all of
    /// them leaves exactly 0 (fractional units do not cancel exactly in doubles).
    Fixed {
        window: i64,
        used: f64,
        charges: u64,
    },
    Sliding {
        entries: VecDeque<Entry>,
        sum: f64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    at: f64,
    units: f64,
    seq: u64,
}

#[derive(Debug, Default)]
pub struct Counters {
    states: FastMap<CounterKey, (Shape, State)>,
    next_seq: u64,
}

/// `floor(t / window)`, without the library call `f64::floor` compiles to on baseline
/// x86-64 (it showed in profiles: every limit of every call asks).
pub fn window_index(t: f64, window: f64) -> i64 {
    let q = t / window;
    let i = q as i64;
    if (i as f64) > q {
        i - 1
    } else {
        i
    }
}

impl Counters {
    /// Units counted against `key` at time `t`.
    pub fn used(&mut self, key: CounterKey, shape: Shape, t: f64) -> f64 {
        match self.states.get_mut(&key) {
            None => 0.0,
            Some((_, State::Fixed { window, used, .. }))
                if *window == window_index(t, shape.window) =>
            {
                *used
            }
            Some((_, State::Fixed { .. })) => 0.0,
            Some((_, State::Sliding { entries, sum })) => {
                expire(entries, sum, t, shape.window);
                *sum
            }
        }
    }

    /// What `key` holds as its last charge left it: a fixed window's units, or the sum of a
    /// sliding window's entries (expired ones leave on the next charge or read).
    pub fn level(&self, key: CounterKey) -> f64 {
        match self.states.get(&key) {
            None => 0.0,
            Some((_, State::Fixed { used, .. })) => *used,
            Some((_, State::Sliding { sum, .. })) => *sum,
        }
    }

    /// Seconds from `t` until `used + extra <= max` holds, given that nothing new is
    /// charged; `None` if it never does.
    pub fn wait(
        &mut self,
        key: CounterKey,
        shape: Shape,
        t: f64,
        extra: f64,
        max: f64,
    ) -> Option<f64> {
        if extra > max {
            return None;
        }
        match self.states.get_mut(&key) {
            None => Some(0.0),
            Some((_, State::Fixed { window, .. })) => {
                Some((*window as f64 + 1.0) * shape.window - t)
            }
            Some((_, State::Sliding { entries, sum })) => {
                expire(entries, sum, t, shape.window);
                // Once the last entry has left the count is 0, whatever rounding says.
                let mut remaining = *sum;
                for (i, e) in entries.iter().enumerate() {
                    remaining -= e.units;
                    if remaining + extra <= max || i + 1 == entries.len() {
                        return Some(e.at + shape.window - t);
                    }
                }
                Some(0.0)
            }
        }
    }

    pub fn charge(&mut self, key: CounterKey, shape: Shape, t: f64, units: f64) -> Charge {
        let idx = window_index(t, shape.window);
        let (_, state) = self.states.entry(key).or_insert_with(|| {
            let state = match shape.algorithm {
                Algorithm::Fixed => State::Fixed {
                    window: idx,
                    used: 0.0,
                    charges: 0,
                },
                Algorithm::Sliding => State::Sliding {
                    entries: VecDeque::new(),
                    sum: 0.0,
                },
            };
            (shape, state)
        });
        let mark = match state {
            State::Fixed {
                window,
                used,
                charges,
            } => {
                if *window != idx {
                    *window = idx;
                    *used = 0.0;
                    *charges = 0;
                }
                // A zero-unit charge changes no count, so it is not one to give back either.
                if units != 0.0 {
                    *used += units;
                    *charges += 1;
                }
                Mark::Window(idx)
            }
            State::Sliding { entries, sum } => {
                self.next_seq += 1;
                // A zero-unit charge changes no count: keeping it would only cost memory.
                if units != 0.0 {
                    entries.push_back(Entry {
                        at: t,
                        units,
                        seq: self.next_seq,
                    });
                    *sum += units;
                }
                Mark::Entry(self.next_seq)
            }
        };
        Charge { key, mark, units }
    }

    /// Removes exactly what a charge added, in the window it added it to.
    pub fn rollback(&mut self, charge: &Charge) {
        let Some((_, state)) = self.states.get_mut(&charge.key) else {
            return;
        };
        match (state, charge.mark) {
            (
                State::Fixed {
                    window,
                    used,
                    charges,
                },
                Mark::Window(w),
            ) if *window == w && charge.units != 0.0 => {
                *charges = charges.saturating_sub(1);
                *used = if *charges == 0 {
                    0.0
                } else {
                    *used - charge.units
                };
            }
            (State::Sliding { entries, sum }, Mark::Entry(seq)) => {
                // Entries are in charge order, so sequence numbers ascend.
                if let Ok(i) = entries.binary_search_by_key(&seq, |e| e.seq) {
                    entries.remove(i);
                    *sum = if entries.is_empty() {
                        0.0
                    } else {
                        *sum - charge.units
                    };
                }
            }
            _ => {}
        }
    }

    /// Whether rolling `charge` back would still change a count: its fixed window is the
    /// current one, or its sliding entry has not left.
    pub fn can_roll_back(&self, charge: &Charge) -> bool {
        if charge.units == 0.0 {
            return false;
        }
        match (self.states.get(&charge.key), charge.mark) {
            (Some((_, State::Fixed { window, .. })), Mark::Window(w)) => *window == w,
            (Some((_, State::Sliding { entries, .. })), Mark::Entry(seq)) => {
                entries.binary_search_by_key(&seq, |e| e.seq).is_ok()
            }
            _ => false,
        }
    }

    /// Drops every counter whose windows have all passed at time `t`.
    pub fn sweep(&mut self, t: f64) {
        self.states.retain(|_, (shape, state)| match state {
            State::Fixed { window, .. } => *window == window_index(t, shape.window),
            State::Sliding { entries, sum } => {
                expire(entries, sum, t, shape.window);
                !entries.is_empty()
            }
        });
    }

    /// Every non-zero count at time `t`, by key, without changing anything: what tests
    /// compare to show that a call left the counters as they were.
    pub fn snapshot(&self, t: f64) -> Vec<(CounterKey, f64)> {
        let mut out: Vec<(CounterKey, f64)> = self
            .states
            .iter()
            .map(|(&key, (shape, state))| {
                let used = match state {
                    State::Fixed { window, used, .. } => {
                        if *window == window_index(t, shape.window) {
                            *used
                        } else {
                            0.0
                        }
                    }
                    State::Sliding { entries, .. } => entries
                        .iter()
                        .filter(|e| e.at + shape.window > t)
                        .map(|e| e.units)
                        .sum(),
                };
                (key, used)
            })
            .filter(|&(_, used)| used != 0.0)
            .collect();
        out.sort_by_key(|&(key, _)| key);
        out
    }

    /// How many counters are live (for tests and memory accounting).
    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
}

/// A unit charged exactly `window` seconds ago has left.
fn expire(entries: &mut VecDeque<Entry>, sum: &mut f64, t: f64, window: f64) {
    while entries.front().is_some_and(|e| e.at + window <= t) {
        if let Some(e) = entries.pop_front() {
            *sum -= e.units;
        }
    }
    if entries.is_empty() {
        *sum = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXED: Shape = Shape {
        window: 60.0,
        algorithm: Algorithm::Fixed,
    };
    const SLIDING: Shape = Shape {
        window: 60.0,
        algorithm: Algorithm::Sliding,
    };

    #[test]
    fn fixed_windows_reset_on_epoch_boundaries() {
        let mut c = Counters::default();
        c.charge(1, FIXED, 59.0, 2.0);
        assert_eq!(c.used(1, FIXED, 59.9), 2.0);
        assert_eq!(c.used(1, FIXED, 60.0), 0.0);
        assert_eq!(c.wait(1, FIXED, 30.0, 1.0, 1.0), Some(30.0));
    }

    #[test]
    fn sliding_charges_leave_exactly_one_window_later() {
        let mut c = Counters::default();
        c.charge(1, SLIDING, 10.0, 1.0);
        c.charge(1, SLIDING, 20.0, 1.0);
        assert_eq!(c.used(1, SLIDING, 69.9), 2.0);
        assert_eq!(c.wait(1, SLIDING, 69.0, 1.0, 2.0), Some(1.0));
        assert_eq!(c.used(1, SLIDING, 70.0), 1.0);
        assert_eq!(c.used(1, SLIDING, 80.0), 0.0);
    }

    #[test]
    fn rollback_restores_the_count_and_sweep_drops_dead_counters() {
        let mut c = Counters::default();
        let a = c.charge(1, FIXED, 0.0, 1.0);
        let b = c.charge(2, SLIDING, 0.0, 3.0);
        c.rollback(&a);
        c.rollback(&b);
        assert_eq!(c.used(1, FIXED, 0.0), 0.0);
        assert_eq!(c.used(2, SLIDING, 0.0), 0.0);
        c.charge(3, FIXED, 0.0, 1.0);
        c.sweep(120.0);
        assert!(c.is_empty());
    }

    #[test]
    fn rollback_into_a_past_fixed_window_changes_nothing() {
        let mut c = Counters::default();
        let old = c.charge(1, FIXED, 0.0, 1.0);
        c.charge(1, FIXED, 61.0, 1.0);
        c.rollback(&old);
        assert_eq!(c.used(1, FIXED, 61.0), 1.0);
    }
}
