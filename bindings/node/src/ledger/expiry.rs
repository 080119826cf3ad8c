//! The expiry policy's two calls: expire the points of dormant accounts,
//! and list the points that will expire soon so customers can be warned.

use chrono::{DateTime, Utc};
use napi_derive::napi;

use super::Ledger;
use crate::convert::millis;
use crate::errors::CoreResult;
use crate::types::{ExpiringPoints, ExpiryReport};

#[napi]
impl Ledger {
    /// Expires the available points of every account and currency without
    /// activity for the policy's months (`open(url, { expiryMonths })`)
    /// before `asOf`: one `expiry` transaction each. Safe to run again.
    /// Without a policy nothing expires.
    #[napi]
    pub async fn expire_inactive(&self, as_of: DateTime<Utc>) -> napi::Result<ExpiryReport> {
        let r = self.inner.expire_inactive(as_of).await.js()?;
        Ok(ExpiryReport::from(&r))
    }

    /// The points that will expire by `asOf + withinMs` unless their
    /// account moves first, one entry per account and currency.
    #[napi]
    pub async fn expiring_within(
        &self,
        as_of: DateTime<Utc>,
        within_ms: f64,
    ) -> napi::Result<Vec<ExpiringPoints>> {
        let within = millis(within_ms, "withinMs")?;
        let all = self.inner.expiring_within(as_of, within).await.js()?;
        Ok(all.iter().map(ExpiringPoints::from).collect())
    }
}
