//! `ManualClock`: a clock that moves only when told to, for tests and
//! simulations (hold expiry, daily caps, back-dated months).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use dcms_core::Clock;
use pyo3::prelude::*;

use crate::convert::Instant;

/// A clock showing a fixed time until moved; pass it to `dcms.open(clock=...)`.
#[pyclass(module = "dcms", name = "ManualClock", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct ManualClock {
    pub(crate) inner: Arc<dcms_core::ManualClock>,
}

#[pymethods]
impl ManualClock {
    /// A clock showing `at` (a timezone-aware datetime).
    #[new]
    fn new(at: Instant) -> Self {
        ManualClock {
            inner: Arc::new(dcms_core::ManualClock::new(at.0)),
        }
    }

    /// The time it shows (UTC).
    fn now(&self) -> DateTime<Utc> {
        self.inner.now()
    }

    /// Moves the clock by a `timedelta` (back, when negative).
    fn advance(&self, by: Duration) {
        self.inner.advance(by);
    }

    /// Sets the clock to `at` (a timezone-aware datetime).
    fn set(&self, at: Instant) {
        self.inner.set(at.0);
    }

    fn __repr__(&self) -> String {
        format!("ManualClock({})", self.inner.now().to_rfc3339())
    }
}
