//! A small histogram of non-negative values for `suggest-limits`' percentiles: exact for
//! whole numbers up to [`EXACT`], then buckets 1% wide, so its size stays a few hundred
//! entries whatever the number of windows and a percentile is never under-reported.

use std::collections::BTreeMap;

/// Whole values up to this are their own bucket.
const EXACT: f64 = 100.0;
/// Each bucket above [`EXACT`] is this much wider than the one before.
const GROWTH: f64 = 1.01;

#[derive(Debug, Default, Clone)]
pub struct Histogram {
    buckets: BTreeMap<u32, u64>,
    count: u64,
}

impl Histogram {
    pub fn add(&mut self, value: f64) {
        *self.buckets.entry(bucket(value)).or_default() += 1;
        self.count += 1;
    }

    /// The smallest bucket bound at or above which no more than `1 - p` of the values lie
    /// (`p` in 0..=1): the value itself below [`EXACT`], at most 1% above it beyond.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((p * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (&b, &n) in &self.buckets {
            seen += n;
            if seen >= rank {
                return upper(b);
            }
        }
        self.buckets.keys().next_back().map_or(0.0, |&b| upper(b))
    }
}

fn bucket(value: f64) -> u32 {
    let v = value.max(0.0);
    if v <= EXACT {
        v.ceil() as u32
    } else {
        EXACT as u32 + ((v / EXACT).ln() / GROWTH.ln()).ceil() as u32
    }
}

/// The largest value a bucket holds.
fn upper(bucket: u32) -> f64 {
    let b = f64::from(bucket);
    if b <= EXACT {
        b
    } else {
        // Rounded to a whole unit up: units are counted in whole calls or items.
        (EXACT * GROWTH.powf(b - EXACT)).ceil()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_below_100_and_within_one_percent_above() {
        let mut h = Histogram::default();
        for v in 1..=100 {
            h.add(f64::from(v));
        }
        assert_eq!(h.percentile(0.5), 50.0);
        assert_eq!(h.percentile(0.95), 95.0);
        assert_eq!(h.percentile(1.0), 100.0);
        let mut big = Histogram::default();
        big.add(12_345.0);
        let p = big.percentile(0.99);
        assert!((12_345.0..=12_345.0 * 1.01).contains(&p), "{p}");
        assert_eq!(Histogram::default().percentile(0.5), 0.0);
    }
}
