//! A fast non-cryptographic hasher (the Fx hash of rustc) for the per-call lookups: tool
//! names, grants and counter keys. SipHash's protection against crafted collisions guards
//! servers from remote input; here the input is the user's own trace, and SipHash was a
//! visible share of the time per call.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The product's low bits depend only on the key's low bits, and the table picks a
    /// bucket by the low bits of the hash: rotated, the well-mixed high bits pick it (as
    /// in rustc-hash 2). Global counters' keys differ only in their high half.
    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    /// Keys that differ only in their high half (a global counter's key is its counter's
    /// number above `u32::MAX`) spread over a table's buckets, picked by the low bits: a
    /// policy of thousands of global counters stays one probe per lookup.
    #[test]
    fn keys_differing_in_their_high_half_spread_over_buckets() {
        let build = BuildHasherDefault::<FxHasher>::default();
        let buckets: HashSet<u64> = (0..4096u64)
            .map(|class| build.hash_one(class << 32 | u64::from(u32::MAX)) & 0xfff)
            .collect();
        assert!(buckets.len() > 1500, "{} buckets of 4096", buckets.len());
    }
}
