//! The expiry policy's two calls: expire the points of dormant accounts,
//! and list the points that will expire soon so customers can be warned.

use chrono::Duration;
use pyo3::prelude::*;

use super::Ledger;
use crate::convert::Instant;
use crate::types::{ExpiringPoints, ExpiryReport};

#[pymethods]
impl Ledger {
    /// Expires the available points of every account and currency without
    /// activity for the policy's months (`dcms.open(expiry_months=...)`)
    /// before `as_of` (a timezone-aware datetime): one `expiry` transaction
    /// each. Safe to run again, also from several processes: an account
    /// expires at most once a day. Without a policy nothing expires.
    fn expire_inactive(&self, py: Python<'_>, as_of: Instant) -> PyResult<ExpiryReport> {
        let inner = self.run(py, self.inner.expire_inactive(as_of.0))?;
        Ok(ExpiryReport { inner })
    }

    /// The points that will expire by `as_of + within` (a `timedelta`)
    /// unless their account moves first, one entry per account and
    /// currency. Empty without an expiry policy.
    fn expiring_within(
        &self,
        py: Python<'_>,
        as_of: Instant,
        within: Duration,
    ) -> PyResult<Vec<ExpiringPoints>> {
        let all = self.run(py, self.inner.expiring_within(as_of.0, within))?;
        Ok(all
            .into_iter()
            .map(|inner| ExpiringPoints { inner })
            .collect())
    }
}
