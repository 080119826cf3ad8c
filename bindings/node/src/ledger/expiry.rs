//! The expiry policy's two calls: expire the points of dormant accounts,
//! and list the points that will expire soon so customers can be warned.

use chrono::{DateTime, Utc};
use napi::Env;
use napi_derive::napi;

use super::Ledger;
use crate::convert::millis;
use crate::errors::CoreResult;
use crate::run::{spawn, Js};
use crate::types::{ExpiringPoints, ExpiryReport};

#[napi]
impl Ledger {
    /// Expires the available points of every account and currency without
    /// activity for the policy's months (`open(url, { expiryMonths })`)
    /// before `asOf`: one `expiry` transaction each. Safe to run again.
    /// Without a policy nothing expires.
    #[napi(ts_return_type = "Promise<ExpiryReport>")]
    pub fn expire_inactive<'env>(
        &self,
        env: &'env Env,
        as_of: DateTime<Utc>,
    ) -> napi::Result<Js<'env, ExpiryReport>> {
        let ledger = self.inner.clone();
        spawn(env, async move {
            Ok(ExpiryReport::from(
                &ledger.expire_inactive(as_of).await.js()?,
            ))
        })
    }

    /// The points that will expire by `asOf + withinMs` unless their
    /// account moves first, one entry per account and currency.
    #[napi(ts_return_type = "Promise<Array<ExpiringPoints>>")]
    pub fn expiring_within<'env>(
        &self,
        env: &'env Env,
        as_of: DateTime<Utc>,
        within_ms: f64,
    ) -> napi::Result<Js<'env, Vec<ExpiringPoints>>> {
        let ledger = self.inner.clone();
        let within = millis(within_ms, "withinMs")?;
        spawn(env, async move {
            let all = ledger.expiring_within(as_of, within).await.js()?;
            Ok(all.iter().map(ExpiringPoints::from).collect())
        })
    }
}
