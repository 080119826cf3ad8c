//! The program's policies on transfers and expiry (set in
//! [`super::LedgerConfig`]).

use serde::{Deserialize, Serialize};

use super::MAX_POINTS;
use crate::error::{Error, Result};
use crate::money::CurrencyCode;

/// Limits on customer-to-customer transfers in one currency, in that
/// currency's points. `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferLimits {
    /// Most points one transfer may move.
    pub per_transfer: Option<i64>,
    /// Most points one account may send per day (the program's local day,
    /// [`super::LedgerConfig::time_zone`]); checked by the store atomically
    /// with the transfer, so concurrent transfers never pass it together.
    pub per_day: Option<i64>,
}

impl TransferLimits {
    pub(super) fn validate(&self, currency: CurrencyCode) -> Result<()> {
        for limit in [self.per_transfer, self.per_day].into_iter().flatten() {
            if !(1..=MAX_POINTS).contains(&limit) {
                return Err(Error::invalid_input(
                    "transfer limit",
                    format!("{currency}: must be 1 to {MAX_POINTS} points, got {limit}"),
                ));
            }
        }
        Ok(())
    }
}

/// Points expire after this many months without any movement on the
/// customer's account in their currency (a credit, spend, transfer, hold or
/// adjustment in that currency is activity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryPolicy {
    /// Months without activity, 1 to 1200.
    pub inactive_months: u32,
}

impl ExpiryPolicy {
    pub(super) fn validate(&self) -> Result<()> {
        if !(1..=1200).contains(&self.inactive_months) {
            return Err(Error::invalid_input(
                "expiry months",
                format!("must be 1 to 1200, got {}", self.inactive_months),
            ));
        }
        Ok(())
    }
}
