//! Allocation of customer account numbers.
//!
//! The store hands out a plain sequence number; a keyed Feistel permutation
//! (cycle-walked into the id space) turns it into the account's payload
//! digits. Ids are therefore unique and never reused (the sequence never
//! repeats), not guessable from one another without the program's secret key,
//! and the space is full exactly when the sequence reaches its capacity.

use crate::error::{Error, Result};
use crate::ids::ACCOUNT_ID_WIDTH_RANGE;

/// Maps sequence numbers to account payloads for one id width.
#[derive(Debug, Clone, Copy)]
pub struct AccountIdPermutation {
    key: u64,
    width: u8,
    /// Smallest payload: `10^(width-2)` so ids never start with 0.
    base: u64,
    /// Number of payloads: `9 * 10^(width-2)`.
    capacity: u64,
    half_bits: u32,
}

fn mix(mut z: u64) -> u64 {
    // splitmix64's finaliser: a cheap, well-distributed 64-bit mixer.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl AccountIdPermutation {
    /// A permutation for ids of `width` digits (check digit included).
    pub fn new(key: u64, width: u8) -> Result<Self> {
        if !ACCOUNT_ID_WIDTH_RANGE.contains(&width) {
            return Err(Error::invalid_input(
                "account id width",
                format!("must be 3 to 18 digits, got {width}"),
            ));
        }
        let base = 10u64.pow(u32::from(width) - 2);
        let capacity = 9 * base;
        let bits = 64 - capacity.leading_zeros();
        Ok(AccountIdPermutation {
            key,
            width,
            base,
            capacity,
            half_bits: bits.div_ceil(2),
        })
    }

    /// How many ids this width allows.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Digits per id.
    pub fn width(&self) -> u8 {
        self.width
    }

    fn feistel(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut l, mut r) = (x >> self.half_bits, x & mask);
        for round in 0..4u64 {
            let f = mix(self.key ^ mix(r ^ (round << 56))) & mask;
            (l, r) = (r, l ^ f);
        }
        (l << self.half_bits) | r
    }

    /// The payload (id without check digit) for sequence number `seq`.
    pub fn payload(&self, seq: u64) -> Result<u64> {
        if seq >= self.capacity {
            return Err(Error::AccountIdsExhausted {
                width: self.width,
                capacity: self.capacity,
            });
        }
        // Cycle-walking: the Feistel network permutes [0, 2^(2*half_bits)),
        // at most 4x the capacity, so the walk from a point inside
        // [0, capacity) returns inside it after a few steps on average and
        // always terminates (a permutation's cycle through `seq` contains a
        // point below capacity: `seq` itself).
        let mut x = seq;
        loop {
            x = self.feistel(x);
            if x < self.capacity {
                return Ok(self.base + x);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::ids::CustomerId;

    #[test]
    fn small_width_is_a_bijection() {
        let p = AccountIdPermutation::new(42, 4).unwrap();
        let all: HashSet<u64> = (0..p.capacity()).map(|s| p.payload(s).unwrap()).collect();
        assert_eq!(all.len() as u64, p.capacity());
        assert!(all.iter().all(|&x| (100..1000).contains(&x)));
        assert!(matches!(
            p.payload(p.capacity()),
            Err(Error::AccountIdsExhausted { .. })
        ));
    }

    #[test]
    fn six_digit_ids_are_valid_and_scattered() {
        let p = AccountIdPermutation::new(7, 6).unwrap();
        let ids: Vec<CustomerId> = (0..50)
            .map(|s| CustomerId::from_payload(p.payload(s).unwrap()))
            .collect();
        for id in &ids {
            assert_eq!(id.width(), 6);
            assert_eq!(CustomerId::parse(&id.to_string()).unwrap(), *id);
        }
        let close = ids
            .windows(2)
            .filter(|w| w[0].value().abs_diff(w[1].value()) < 100)
            .count();
        assert!(close < 5, "consecutive ids too close: {close}");
    }
}
