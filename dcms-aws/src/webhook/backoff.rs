//! How long to wait between webhook attempts: exponential, capped, jittered.

use std::time::Duration;

/// Exponential backoff: `initial`, `2 × initial`, `4 × initial`… up to `max`,
/// each shortened by a random 0–50 % so that many senders failing together
/// do not retry in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Wait before the first retry (before jitter).
    pub initial: Duration,
    /// Longest wait between two attempts.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(8),
        }
    }
}

impl Backoff {
    /// The wait before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let full = self.initial.saturating_mul(factor).min(self.max);
        full.mul_f64(1.0 - jitter() / 2.0)
    }
}

/// A random number in `[0, 1)`; 0 when the system has no randomness (a
/// missing jitter is harmless).
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_at_most_half_off() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(500),
        };
        for (retry, full) in [(1, 100), (2, 200), (3, 400), (4, 500), (40, 500)] {
            let d = b.delay(retry);
            let full = Duration::from_millis(full);
            assert!(
                d <= full && d >= full / 2,
                "retry {retry}: {d:?} not in [{:?}, {full:?}]",
                full / 2
            );
        }
    }
}
