//! The seeding clock: each reading is one tick later, so transactions
//! appended concurrently are spread evenly over a chosen interval.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use dcms_core::Clock;

/// A [`Clock`] whose `n`-th reading is `start + n * step`, never past `end`.
#[derive(Debug, Default)]
pub struct SeedClock {
    start: AtomicI64,
    step: AtomicI64,
    end: AtomicI64,
    ticks: AtomicI64,
}

impl SeedClock {
    /// Spreads the next `readings` readings over `[from, to)` (nanoseconds).
    pub fn spread(&self, from: i64, to: i64, readings: usize) {
        let step = ((to - from) / readings.max(1) as i64).max(0);
        self.start.store(from, Ordering::SeqCst);
        self.step.store(step, Ordering::SeqCst);
        self.end.store(to - 1, Ordering::SeqCst);
        self.ticks.store(0, Ordering::SeqCst);
    }
}

impl Clock for SeedClock {
    fn now(&self) -> DateTime<Utc> {
        let tick = self.ticks.fetch_add(1, Ordering::Relaxed);
        let start = self.start.load(Ordering::Relaxed);
        let step = self.step.load(Ordering::Relaxed);
        let end = self.end.load(Ordering::Relaxed);
        let at = start.saturating_add(step.saturating_mul(tick)).min(end);
        DateTime::from_timestamp_nanos(at)
    }
}
