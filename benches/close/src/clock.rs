//! The seeding clock: each seeding operation is one tick later, so
//! transactions appended concurrently are spread evenly over a chosen
//! interval. Ticks count operations, not readings: how often the ledger
//! reads its clock per operation is its own business (it changed: counting
//! readings once piled a fifth of a month onto its last nanosecond).

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use dcms_core::Clock;

/// A [`Clock`] that reads `start + n * step` (never past `end`) after the
/// `n`-th call of [`SeedClock::tick`].
#[derive(Debug, Default)]
pub struct SeedClock {
    start: AtomicI64,
    step: AtomicI64,
    end: AtomicI64,
    ticks: AtomicI64,
}

impl SeedClock {
    /// Spreads the next `ops` operations over `[from, to)` (nanoseconds).
    pub fn spread(&self, from: i64, to: i64, ops: usize) {
        let step = ((to - from) / ops.max(1) as i64).max(0);
        self.start.store(from, Ordering::SeqCst);
        self.step.store(step, Ordering::SeqCst);
        self.end.store(to - 1, Ordering::SeqCst);
        self.ticks.store(0, Ordering::SeqCst);
    }
}

impl SeedClock {
    /// Starts an operation: every reading until the next tick is one step
    /// later than before it.
    pub fn tick(&self) {
        self.ticks.fetch_add(1, Ordering::Relaxed);
    }
}

impl Clock for SeedClock {
    fn now(&self) -> DateTime<Utc> {
        let tick = self.ticks.load(Ordering::Relaxed);
        let start = self.start.load(Ordering::Relaxed);
        let step = self.step.load(Ordering::Relaxed);
        let end = self.end.load(Ordering::Relaxed);
        let at = start.saturating_add(step.saturating_mul(tick)).min(end);
        DateTime::from_timestamp_nanos(at)
    }
}
