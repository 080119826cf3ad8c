//! Vendors, customer accounts and balances.

use chrono::{DateTime, Utc};
use napi_derive::napi;

use crate::convert::{count, PointCount};

/// A vendor: the business whose tills credit change.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Vendor {
    /// The vendor id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO 4217 currency code of its tills.
    pub currency: String,
    /// IANA time zone of its statement months and cap days.
    pub time_zone: String,
    /// What is credited from a sale's change: `coin_part`, `all_change` or `nothing`.
    #[napi(ts_type = "PolicyName")]
    pub policy: String,
    /// Largest credit, in points, of one sale (null: no cap).
    pub per_credit_cap: Option<PointCount>,
    /// Most points one account may be credited here per local day (null: no cap).
    pub per_day_cap: Option<PointCount>,
}

impl From<&dcms_core::Vendor> for Vendor {
    fn from(v: &dcms_core::Vendor) -> Self {
        Vendor {
            id: v.id.as_str().to_string(),
            name: v.name.clone(),
            currency: v.currency.code.to_string(),
            time_zone: v.time_zone.name().to_string(),
            policy: v.policy.as_str().to_string(),
            per_credit_cap: v.per_credit_cap.map(count),
            per_day_cap: v.per_day_cap.map(count),
        }
    }
}

/// A customer's points account.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Account {
    /// The account number, check digit last (e.g. `"482137"`).
    pub id: String,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
}

impl From<&dcms_core::CustomerAccount> for Account {
    fn from(a: &dcms_core::CustomerAccount) -> Self {
        Account {
            id: a.id.to_string(),
            opened_at: a.opened_at,
        }
    }
}

/// A customer's points in one currency: what can be spent now, and what
/// open holds set aside.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Balance {
    /// Points the customer can spend now.
    pub available: PointCount,
    /// Points set aside by open holds (not included in `available`).
    pub held: PointCount,
}

impl From<&dcms_core::Balance> for Balance {
    fn from(b: &dcms_core::Balance) -> Self {
        Balance {
            available: count(b.available),
            held: count(b.held),
        }
    }
}
