//! `ManualClock`: a clock that moves only when told to, for tests and
//! simulations (hold expiry, daily caps, back-dated months). Its methods
//! touch no store, so they are synchronous.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use dcms_core::Clock;
use napi_derive::napi;

use crate::convert::millis;

/// A clock showing a fixed time until moved; pass it to `open(url, { clock })`.
#[napi]
#[derive(Debug, Clone)]
pub struct ManualClock {
    pub(crate) inner: Arc<dcms_core::ManualClock>,
}

#[napi]
impl ManualClock {
    /// A clock showing `at`.
    #[napi(constructor)]
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock {
            inner: Arc::new(dcms_core::ManualClock::new(at)),
        }
    }

    /// The time it shows.
    #[napi]
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.now()
    }

    /// Moves the clock by `ms` milliseconds (forward; a whole number).
    #[napi]
    pub fn advance(&self, ms: f64) -> napi::Result<()> {
        self.inner.advance(millis(ms, "ms")?);
        Ok(())
    }

    /// Sets the clock to `at`.
    #[napi]
    pub fn set(&self, at: DateTime<Utc>) {
        self.inner.set(at);
    }
}
